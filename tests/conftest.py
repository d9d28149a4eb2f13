"""Test collection settings for tests/."""

# preview_support is a fixtures plugin of the preview tests, which register it for assertion
# rewriting; collected first as a --doctest-modules module, it would be imported unrewritten.
collect_ignore = ["preview_support.py"]

"""Test collection settings for tests/, and the fixtures several test modules share."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

if TYPE_CHECKING:
    import trustme

# preview_support is a fixtures plugin of the preview tests, which register it for assertion
# rewriting; collected first as a --doctest-modules module, it would be imported unrewritten.
collect_ignore = ["preview_support.py"]

# Property tests check behaviour, never speed (speed is measured in benchmarks/): Hypothesis's
# per-example deadline only made them fail on a loaded machine (a first example that loads
# Babel's data took 311 ms against the default 200 ms).
settings.register_profile("mailtemplates", deadline=None)
settings.load_profile("mailtemplates")


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    """A throw-away certificate authority (trustme) for the TLS tests of one module."""
    import trustme

    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The path of :func:`ca`'s certificate, as a ``ca_file`` / ``--ca-file`` setting takes it."""
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def pytest_configure(config: pytest.Config) -> None:
    """``MAILTEMPLATES_TIER=interpret`` (or ``compile``) runs every execution of the suite in one
    engine tier (gotmpl.TemplateSet.interpreted_runs): the differential gate of tests/test_interp.py
    runs the vectors through both; this runs everything else through one."""
    import os

    tier = os.environ.get("MAILTEMPLATES_TIER")
    if tier:
        from helpers import TIERS

        from mailtemplates.gotmpl import TemplateSet

        TemplateSet.interpreted_runs, TemplateSet.interpreted_seconds = TIERS[tier]


@pytest.fixture(params=["compiled", "interpreted"])
def each_tier(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test in each execution tier of the engine (tests/test_interp.py): every execution
    compiled, or every execution interpreted. Modules opt in with
    ``pytestmark = pytest.mark.usefixtures("each_tier")``."""
    from helpers import TIERS

    from mailtemplates.gotmpl import TemplateSet

    runs, seconds = TIERS["compile" if request.param == "compiled" else "interpret"]
    monkeypatch.setattr(TemplateSet, "interpreted_runs", runs)
    monkeypatch.setattr(TemplateSet, "interpreted_seconds", seconds)
    return str(request.param)

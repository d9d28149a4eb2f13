"""URL helpers of the escaper: Go's ``html/template/url.go`` (scheme check, %-encoding, srcset).

Follows Go 1.26 ``src/html/template/url.go``.
"""

from __future__ import annotations

import re

from .css import is_hex

__all__ = ["FILTER_FAILSAFE", "filter_srcset_element", "is_safe_url", "process_url_onto"]

#: filterFailsafe: what a filter emits instead of an unsafe value.
FILTER_FAILSAFE = "ZgotmplZ"

_SAFE_SCHEMES = ("http", "https", "mailto")


def _fold_eq(a: str, lower_ascii: str) -> bool:
    # strings.EqualFold against an ASCII word: Unicode simple folding also maps U+017F (long s)
    # to "s" and U+212A (Kelvin sign) to "k".
    if len(a) != len(lower_ascii):
        return False
    for x, y in zip(a, lower_ascii, strict=True):
        if x.lower() == y or (x == "\u017f" and y == "s") or (x == "\u212a" and y == "k"):
            continue
        return False
    return True


def is_safe_url(s: str) -> bool:
    """``isSafeURL``: relative, or with one of the schemes http, https and mailto."""
    protocol, sep, _ = s.partition(":")
    if sep and "/" not in protocol:
        if protocol.isascii():
            # ASCII against ASCII words: EqualFold is ASCII case folding.
            return protocol.lower() in _SAFE_SCHEMES
        return any(_fold_eq(protocol, scheme) for scheme in _SAFE_SCHEMES)
    return True


# Bytes kept as they are: RFC 3986 unreserved characters; when normalizing also the reserved ones.
_UNRESERVED = frozenset(b"-._~abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_RESERVED = frozenset(b"!#$&*+,/:;=?@[]")
# The first byte process_url_onto changes, if any (most URLs need nothing: one C-level scan).
_CHANGED = re.compile(rb"[^-._~a-zA-Z0-9]")
_CHANGED_NORM = re.compile(rb"[^-._~a-zA-Z0-9!#$&*+,/:;=?@\[\]%]|%(?![0-9a-fA-F]{2})")


def process_url_onto(s: bytes, norm: bool, out: bytearray) -> bool:
    """``processURLOnto``: append ``s`` %-encoded (or only normalized) to ``out``.

    Works on UTF-8 bytes, like JS's ``encodeURIComponent``. Returns whether anything changed.
    Single quotes and parentheses are always encoded so the result fits ``'...'`` and ``url(...)``.
    """
    m = (_CHANGED_NORM if norm else _CHANGED).search(s)
    if m is None:
        out += s
        return False
    written = 0
    n = len(s)
    for i in range(m.start(), n):
        c = s[i]
        if c in _UNRESERVED:
            continue
        if c in _RESERVED:
            if norm:
                continue
        elif c == 0x25 and norm and i + 2 < n and is_hex(s[i + 1]) and is_hex(s[i + 2]):
            # When normalizing, an existing %xx escape stays.
            continue
        out += s[written:i]
        out += b"%%%02x" % c
        written = i + 1
    out += s[written:]
    return written != 0


def _is_html_space(c: int) -> bool:
    # isHTMLSpace: ASCII whitespace per the WHATWG infra spec.
    return c in (0x09, 0x0A, 0x0C, 0x0D, 0x20)


def _is_html_space_or_ascii_alnum(c: int) -> bool:
    return _is_html_space(c) or (c < 0x80 and chr(c).isalnum())


def filter_srcset_element(s: bytes, left: int, right: int, out: bytearray) -> None:
    """``filterSrcsetElement``: one ``url [descriptor]`` entry of a srcset, or ``#ZgotmplZ``."""
    start = left
    while start < right and _is_html_space(s[start]):
        start += 1
    end = right
    for i in range(start, right):
        if _is_html_space(s[i]):
            end = i
            break
    url = s[start:end]
    # Metadata of only spaces and alphanumerics needs no normalizing.
    if is_safe_url(url.decode("utf-8", "surrogateescape")) and all(
        _is_html_space_or_ascii_alnum(s[i]) for i in range(end, right)
    ):
        out += s[left:start]
        process_url_onto(url, True, out)
        out += s[end:right]
        return
    out += b"#" + FILTER_FAILSAFE.encode()

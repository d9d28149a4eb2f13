"""CSS helpers of the escaper: Go's ``html/template/css.go`` (escapes and keywords, on UTF-8 bytes).

Follows Go 1.26 ``src/html/template/css.go``.
"""

from __future__ import annotations

__all__ = [
    "decode_css",
    "decode_last_rune",
    "encode_rune",
    "ends_with_css_keyword",
    "is_css_nmchar",
    "is_css_space",
    "is_hex",
]

_HEX = frozenset(b"0123456789abcdefABCDEF")
_CSS_SPACE = frozenset(b"\t\n\f\r ")


def is_hex(c: int) -> bool:
    return c in _HEX


def is_css_space(c: int) -> bool:
    """``isCSSSpace``: the ``wc`` production."""
    return c in _CSS_SPACE


def is_css_nmchar(r: int) -> bool:
    """``isCSSNmchar``: a rune allowed anywhere in a CSS identifier (escapes aside)."""
    return (
        0x61 <= r <= 0x7A
        or 0x41 <= r <= 0x5A
        or 0x30 <= r <= 0x39
        or r == 0x2D
        or r == 0x5F
        or 0x80 <= r <= 0xD7FF
        or 0xE000 <= r <= 0xFFFD
        or 0x10000 <= r <= 0x10FFFF
    )


def decode_last_rune(b: bytes) -> int:
    """``utf8.DecodeLastRune``: the last rune of ``b``, U+FFFD for an invalid encoding."""
    if not b:
        return 0xFFFD
    if b[-1] < 0x80:
        return b[-1]
    start = len(b) - 1
    lim = max(0, len(b) - 4)
    while start > lim and (b[start] & 0xC0) == 0x80:
        start -= 1
    try:
        s = b[start:].decode("utf-8")
    except UnicodeDecodeError:
        return 0xFFFD
    return ord(s) if len(s) == 1 else 0xFFFD


def encode_rune(r: int) -> bytes:
    """``utf8.EncodeRune``: surrogates and out-of-range values become U+FFFD."""
    if r < 0 or r > 0x10FFFF or 0xD800 <= r <= 0xDFFF:
        r = 0xFFFD
    return chr(r).encode("utf-8")


def ends_with_css_keyword(b: bytes, kw: str) -> bool:
    """``endsWithCSSKeyword``: ``b`` ends with the identifier ``kw``, case-insensitively."""
    i = len(b) - len(kw)
    if i < 0:
        return False
    if i != 0 and is_css_nmchar(decode_last_rune(b[:i])):
        # Part of a longer identifier.
        return False
    return b[i:].lower() == kw.encode()


def _skip_css_space(c: bytes) -> bytes:
    # skipCSSSpace: one wc, where "\r\n" counts as one.
    if not c:
        return c
    if c[0] in b"\t\n\f ":
        return c[1:]
    if c[0] == 0x0D:
        if len(c) >= 2 and c[1] == 0x0A:
            return c[2:]
        return c[1:]
    return c


def _first_rune_len(s: bytes) -> int:
    # Width utf8.DecodeRune gives the first rune: 1 for an invalid byte.
    c = s[0]
    if c < 0x80:
        return 1
    for n in (2, 3, 4):
        try:
            s[:n].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return n
    return 1


def decode_css(s: bytes) -> bytes:
    """``decodeCSS``: resolve CSS3 escapes (``\\26``, ``\\"``) in a run of string characters."""
    if b"\\" not in s:
        return s
    out = bytearray()
    while s:
        i = s.find(b"\\")
        if i == -1:
            i = len(s)
        out += s[:i]
        s = s[i:]
        if len(s) < 2:
            break
        if is_hex(s[1]):
            # unicode ::= '\' [0-9a-fA-F]{1,6} wc?
            j = 2
            while j < len(s) and j < 7 and is_hex(s[j]):
                j += 1
            r = int(s[1:j], 16)
            if r > 0x10FFFF:
                r, j = r // 16, j - 1
            out += encode_rune(r)
            s = _skip_css_space(s[j:])
        else:
            # "\\" decodes to "\" and "\"" to '"'.
            n = _first_rune_len(s[1:])
            out += s[1 : 1 + n]
            s = s[1 + n :]
    return bytes(out)

"""Go's ``strconv`` for output: quoting strings and runes, formatting floats.

Follows Go 1.26 ``src/strconv/quote.go`` (``Quote``, ``QuoteToASCII``, ``QuoteRune``,
``appendEscapedRune``, ``CanBackquote``) and ``src/strconv/ftoa.go`` (``FormatFloat`` with bit
size 64: ``formatDigits``, ``fmtE``, ``fmtF``, ``fmtB``, ``fmtX``). Parsing literals (``Unquote``,
``ParseInt``, ``ParseFloat``) is in :mod:`.literals`; the ``fmt`` verbs built on these are in
:mod:`.gofmt`.

Float digits come from Python (``repr`` for the shortest form, ``%e``/``%f`` for fixed precision;
all of them correctly rounded, half to even, exactly as Go's); the layout is done here the Go way.

Go strings are bytes, Python strings are code points. A Go string holding invalid UTF-8 (the
result of ``slice "héllo" 1 2``) is represented with ``surrogateescape``: each bad byte is one
code point U+DC80..U+DCFF. :func:`go_bytes` and :func:`go_str` convert between the two. Any other
lone surrogate (only the direct Python API can pass one in) stands for U+FFFD, as Go's JSON
decoding and string conversions would have made it.
"""

from __future__ import annotations

import math
import re
import struct
from bisect import bisect_right
from typing import Final

from .gounicode import PRINT_RANGES

__all__ = [
    "can_backquote",
    "format_float",
    "go_bytes",
    "go_str",
    "go_string",
    "is_bad_byte",
    "is_print",
    "quote",
    "quote_rune",
]

MAX_RUNE: Final = 0x10FFFF
RUNE_ERROR: Final = "\ufffd"
_U64: Final = (1 << 64) - 1
_LDIGITS: Final = "0123456789abcdefx"
_UDIGITS: Final = "0123456789ABCDEFX"
_PRINT_FIRSTS: Final = tuple(first for first, _ in PRINT_RANGES)


# --------------------------------------------------------------------------------------------
# Go strings as bytes


#: Surrogates that are not an escaped byte (U+DC80..U+DCFF): no Go string can hold them.
_LONE_SURROGATE: Final = re.compile("[\ud800-\udc7f\udd00-\udfff]")


def go_string(s: str) -> str:
    """``s`` as a Go string can hold it: a lone surrogate that is not an escaped byte becomes
    U+FFFD, as Go's JSON decoding and ``string(rune)`` conversions make it."""
    try:
        s.encode("utf-8")  # no surrogate at all (the common case), checked in C
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub(RUNE_ERROR, s)
    return s


def go_bytes(s: str) -> bytes:
    """The bytes of a Go string (UTF-8; surrogate-escaped code points are the raw bad bytes)."""
    try:
        return s.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return go_string(s).encode("utf-8", "surrogateescape")


def go_str(b: bytes) -> str:
    """A Go string from bytes: invalid UTF-8 bytes become surrogate-escaped code points."""
    return b.decode("utf-8", "surrogateescape")


def is_bad_byte(c: str) -> bool:
    """One invalid UTF-8 byte of a Go string, kept by ``surrogateescape``."""
    return "\udc80" <= c <= "\udcff"


def is_print(c: str) -> bool:
    """``unicode.IsPrint`` (strconv.IsPrint): letters, marks, numbers, punctuation, symbols and
    the ASCII space, in Go's Unicode version (not the running Python's)."""
    if " " <= c <= "~":
        return True
    r = ord(c)
    i = bisect_right(_PRINT_FIRSTS, r) - 1
    return i >= 0 and r <= PRINT_RANGES[i][1]


# --------------------------------------------------------------------------------------------
# strconv.Quote and friends


def _escaped_rune(r: int, quote_ch: str, ascii_only: bool) -> str:
    """strconv.appendEscapedRune."""
    c = chr(r)
    if c == quote_ch or c == "\\":
        return "\\" + c
    if ascii_only:
        if r < 0x80 and is_print(c):
            return c
    elif is_print(c):
        return c
    simple = _SIMPLE_ESCAPES.get(r)
    if simple is not None:
        return simple
    if r < 0x20 or r == 0x7F:
        return f"\\x{r:02x}"
    if r > MAX_RUNE or 0xD800 <= r <= 0xDFFF:
        r = 0xFFFD
    if r < 0x10000:
        return f"\\u{r:04x}"
    return f"\\U{r:08x}"


_SIMPLE_ESCAPES: Final = {7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v"}


def quote(s: str, ascii_only: bool = False) -> str:
    """strconv.Quote (or QuoteToASCII): a double-quoted Go string literal."""
    out = ['"']
    for c in s:
        if is_bad_byte(c):
            out.append(f"\\x{ord(c) - 0xDC00:02x}")
        elif "\ud800" <= c <= "\udfff":
            out.append(_escaped_rune(0xFFFD, '"', ascii_only))
        else:
            out.append(_escaped_rune(ord(c), '"', ascii_only))
    out.append('"')
    return "".join(out)


def quote_rune(r: int, ascii_only: bool = False) -> str:
    """strconv.QuoteRune (or QuoteRuneToASCII): a single-quoted Go character literal."""
    if not (0 <= r <= MAX_RUNE) or 0xD800 <= r <= 0xDFFF:
        r = 0xFFFD
    return "'" + _escaped_rune(r, "'", ascii_only) + "'"


def can_backquote(s: str) -> bool:
    """strconv.CanBackquote."""
    for c in s:
        if is_bad_byte(c) or c == "\ufeff":
            return False
        if (c < " " and c != "\t") or c == "`" or c == "\x7f":
            return False
    return True


# --------------------------------------------------------------------------------------------
# strconv.FormatFloat (bitSize 64)


def _strip(digits: str, dp: int) -> tuple[str, int]:
    """Drop leading zeros (moving the decimal point) and trailing zeros, like Go's decimal."""
    stripped = digits.lstrip("0")
    dp -= len(digits) - len(stripped)
    stripped = stripped.rstrip("0")
    if not stripped:
        return "", 0
    return stripped, dp


def _shortest_digits(x: float) -> tuple[str, int]:
    # repr() gives the shortest digits that round-trip, picking the closest: Go's choice too.
    mant, _, exp = repr(x).partition("e")
    intpart, _, frac = mant.partition(".")
    return _strip(intpart + frac, len(intpart) + (int(exp) if exp else 0))


def _sig_digits(x: float, n: int) -> tuple[str, int]:
    """n significant digits, correctly rounded (half to even), as Go's fixedFtoa/bigFtoa."""
    mant, _, exp = f"{x:.{n - 1}e}".partition("e")
    intpart, _, frac = mant.partition(".")
    return _strip(intpart + frac, int(exp) + 1)


def _frac_digits(x: float, prec: int) -> tuple[str, int]:
    """Digits rounded to prec places after the point (Go's %.Nf digit count)."""
    intpart, _, frac = f"{x:.{prec}f}".partition(".")
    return _strip(intpart + frac, len(intpart))


def _fmt_e(neg: bool, d: str, dp: int, prec: int, ch: str) -> str:
    """strconv.fmtE: -d.ddddde±dd."""
    out = ["-" if neg else "", d[0] if d else "0"]
    if prec > 0:
        out.append(".")
        frac = d[1 : prec + 1]
        out.append(frac + "0" * (prec - len(frac)))
    exp = dp - 1 if d else 0
    out.append(ch)
    out.append("-" if exp < 0 else "+")
    out.append(f"{abs(exp):02d}")
    return "".join(out)


def _fmt_f(neg: bool, d: str, dp: int, prec: int) -> str:
    """strconv.fmtF: -ddddd.ddd."""
    out = ["-" if neg else ""]
    if dp > 0:
        head = d[:dp]
        out.append(head + "0" * (dp - len(head)))
    else:
        out.append("0")
    if prec > 0:
        out.append(".")
        out.append("".join(d[j] if 0 <= j < len(d) else "0" for j in range(dp, dp + prec)))
    return "".join(out)


def _float_bits(x: float) -> tuple[bool, int, int, bool]:
    """Sign, biased exponent, mantissa and denormal flag as genericFtoa computes them."""
    (bits,) = struct.unpack("<Q", struct.pack("<d", x))
    neg = bits >> 63 != 0
    exp = (bits >> 52) & 0x7FF
    mant = bits & ((1 << 52) - 1)
    denorm = False
    if exp == 0:
        exp += 1
        denorm = True
    else:
        mant |= 1 << 52
    return neg, exp - 1023, mant, denorm


def _fmt_b(neg: bool, mant: int, exp: int) -> str:
    """strconv.fmtB: -ddddp±ddd."""
    exp -= 52
    return f"{'-' if neg else ''}{mant}p{'+' if exp >= 0 else ''}{exp}"


def _fmt_x(prec: int, fmt: str, neg: bool, mant: int, exp: int) -> str:
    """strconv.fmtX: -0x1.yyyyyyp±dd."""
    if mant == 0:
        exp = 0
    mant <<= 60 - 52
    while mant != 0 and mant & (1 << 60) == 0:
        mant <<= 1
        exp -= 1
    if 0 <= prec < 15:
        # Round to prec hex digits, half to even.
        shift = prec * 4
        extra = (mant << shift) & ((1 << 60) - 1)
        mant >>= 60 - shift
        if extra | (mant & 1) > 1 << 59:
            mant += 1
        mant <<= 60 - shift
        if mant & (1 << 61):
            mant >>= 1
            exp += 1
    digits = _UDIGITS if fmt == "X" else _LDIGITS
    out = ["-" if neg else "", "0", fmt, str((mant >> 60) & 1)]
    mant = (mant << 4) & _U64
    if prec < 0 and mant != 0:
        out.append(".")
        while mant != 0:
            out.append(digits[(mant >> 60) & 15])
            mant = (mant << 4) & _U64
    elif prec > 0:
        out.append(".")
        for _ in range(prec):
            out.append(digits[(mant >> 60) & 15])
            mant = (mant << 4) & _U64
    out.append("P" if fmt == "X" else "p")
    out.append("-" if exp < 0 else "+")
    out.append(f"{abs(exp):02d}")
    return "".join(out)


def format_float(x: float, fmt: str, prec: int) -> str:
    """strconv.FormatFloat(x, fmt, prec, 64) for fmt in ``b e E f g G x X``; prec -1 = shortest."""
    if prec < 0 and fmt == "g" and x.is_integer() and 0 < abs(x) < 1e6:
        # Fast path for %v of a whole number (Kratos's float64 ExpiresInMinutes): shortest %g
        # switches to %e only from exponent 6, below that it is the integer's digits.
        return str(int(x))
    if prec < 0 and fmt == "g" and x == 0:
        return "-0" if math.copysign(1.0, x) < 0 else "0"
    if prec < 0 and fmt == "g" and 1e-4 <= abs(x) < 1e6:
        # Shortest %g without an exponent (decimal exponent -4..5): Python's repr writes the
        # same shortest round-trip digits in the same fixed notation (whole numbers are above).
        return float.__repr__(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    neg, exp, mant, _ = _float_bits(x)
    if fmt == "b":
        return _fmt_b(neg, mant, exp)
    if fmt in "xX":
        return _fmt_x(prec, fmt, neg, mant, exp)
    ax = abs(x)
    shortest = prec < 0
    if ax == 0:
        d, dp = "", 0
    elif shortest:
        d, dp = _shortest_digits(ax)
        if fmt in "eE":
            prec = max(len(d) - 1, 0)
        elif fmt == "f":
            prec = max(len(d) - dp, 0)
        else:
            prec = len(d)
    elif fmt in "eE":
        d, dp = _sig_digits(ax, prec + 1)
    elif fmt == "f":
        d, dp = _frac_digits(ax, prec)
    elif fmt in "gG":
        if prec == 0:
            prec = 1
        d, dp = _sig_digits(ax, prec)
    else:
        return "%" + fmt
    return _format_digits(neg, d, dp, prec, fmt, shortest)


def _format_digits(neg: bool, d: str, dp: int, prec: int, fmt: str, shortest: bool) -> str:
    """strconv.formatDigits."""
    if fmt in "eE":
        return _fmt_e(neg, d, dp, prec, fmt)
    if fmt == "f":
        return _fmt_f(neg, d, dp, prec)
    if fmt in "gG":
        nd = len(d)
        eprec = prec
        if eprec > nd and nd >= dp:
            eprec = nd
        # %e is used if the exponent from the conversion is less than -4 or greater than or
        # equal to the precision; the shortest form uses precision 6 for this decision.
        if shortest:
            eprec = 6
        exp = dp - 1
        if exp < -4 or exp >= eprec:
            if prec > nd:
                prec = nd
            return _fmt_e(neg, d, dp, prec - 1, "e" if fmt == "g" else "E")
        if prec > dp:
            prec = nd
        return _fmt_f(neg, d, dp, max(prec - dp, 0))
    return "%" + fmt

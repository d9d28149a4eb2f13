"""Go's literal syntax: string, character and number constants of a template.

Follows Go 1.26 ``src/strconv/quote.go`` (``Unquote``, ``UnquoteChar``), ``src/strconv/atoi.go``
and ``atof.go`` (``ParseInt``, ``ParseUint``, ``ParseFloat`` with base 0: prefixes and
underscores) and ``src/text/template/parse/node.go`` (``newNumber``: one constant held in every
Go type that can represent it). Errors are ``ValueError`` with Go's text; the parser adds the
position.
"""

from __future__ import annotations

import math

from . import nodes as n
from .gostrconv import quote
from .lexer import ItemType

__all__ = ["new_number", "unquote"]


def unquote(s: str) -> str:
    """``strconv.Unquote`` for string literals (double-quoted or raw); ValueError on bad syntax."""
    if len(s) < 2:
        raise ValueError("invalid syntax")
    q = s[0]
    if q != s[-1]:
        raise ValueError("invalid syntax")
    body = s[1:-1]
    if q == "`":
        if "`" in body:
            raise ValueError("invalid syntax")
        return body.replace("\r", "")
    if q not in "\"'":
        raise ValueError("invalid syntax")
    if q == "'":
        ch, rest = _unquote_char(body, "'")
        if rest:
            raise ValueError("invalid syntax")
        return ch
    if "\n" in body:
        raise ValueError("invalid syntax")
    if "\\" not in body and '"' not in body:
        return body  # what the loop below returns, a character at a time
    out: list[str] = []
    raw: bytearray = bytearray()
    while body:
        if body[0] == '"':
            raise ValueError("invalid syntax")
        if body[0] == "\\" and len(body) > 1 and body[1] in "01234567x":
            # Byte escapes build raw bytes, which may join into UTF-8 or stay invalid.
            value, body = _byte_escape(body)
            raw.append(value)
            continue
        if raw:
            out.append(raw.decode("utf-8", "surrogateescape"))
            raw = bytearray()
        ch, body = _unquote_char(body, '"')
        out.append(ch)
    if raw:
        out.append(raw.decode("utf-8", "surrogateescape"))
    return "".join(out)


_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _byte_escape(body: str) -> tuple[int, str]:
    c = body[1]
    if c == "x":
        h = body[2:4]
        if len(h) != 2 or any(x not in "0123456789abcdefABCDEF" for x in h):
            raise ValueError("invalid syntax")
        return int(h, 16), body[4:]
    o = body[1:4]
    if len(o) != 3 or any(x not in "01234567" for x in o) or int(o, 8) > 255:
        raise ValueError("invalid syntax")
    return int(o, 8), body[4:]


def _unquote_char(s: str, quote: str) -> tuple[str, str]:
    if not s:
        raise ValueError("invalid syntax")
    c = s[0]
    if c == quote and quote in "'\"":
        raise ValueError("invalid syntax")
    if c != "\\":
        return c, s[1:]
    if len(s) < 2:
        raise ValueError("invalid syntax")
    e = s[1]
    if e in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[e], s[2:]
    if e == quote:
        return e, s[2:]
    if e in "uU":
        size = 4 if e == "u" else 8
        h = s[2 : 2 + size]
        if len(h) != size or any(x not in "0123456789abcdefABCDEF" for x in h):
            raise ValueError("invalid syntax")
        v = int(h, 16)
        if v > 0x10FFFF or 0xD800 <= v <= 0xDFFF:
            raise ValueError("invalid syntax")
        return chr(v), s[2 + size :]
    if e in "01234567x":
        v, rest = _byte_escape(s)
        if quote == "'" and v > 0x7F and e == "x":
            return chr(v), rest
        return chr(v), rest
    raise ValueError("invalid syntax")


def new_number(pos: int, text: str, typ: ItemType) -> n.NumberNode:
    """``parse.newNumber``: the constant in every Go type that can hold it (ValueError if none)."""
    num = n.NumberNode(pos, text)
    if typ == ItemType.CHAR_CONSTANT:
        try:
            ch, rest = _unquote_char(text[1:], "'")
        except ValueError:
            raise ValueError("invalid syntax") from None
        if rest != "'":
            raise ValueError(f"malformed character constant: {text}")
        num.int64 = num.uint64 = ord(ch)
        num.float64 = float(ord(ch))
        num.is_int = num.is_uint = num.is_float = True
        return num
    if typ == ItemType.COMPLEX:
        num.complex128 = _scan_complex(text)
        num.is_complex = True
        _simplify_complex(num)
        return num
    if text.endswith("i"):
        f = _parse_float(text[:-1])
        if f is not None:
            num.is_complex = True
            num.complex128 = complex(0, f)
            _simplify_complex(num)
            return num
    u = _parse_int(text, unsigned=True)
    if u is not None:
        num.is_uint = True
        num.uint64 = u
    i = _parse_int(text, unsigned=False)
    if i is not None:
        num.is_int = True
        num.int64 = i
        if i == 0:
            num.is_uint = True
            num.uint64 = 0
    if num.is_int:
        num.is_float = True
        num.float64 = float(num.int64)
    elif num.is_uint:
        num.is_float = True
        num.float64 = float(num.uint64)
    else:
        f = _parse_float(text)
        if f is not None:
            if not any(c in text for c in ".eEpP"):
                raise ValueError(f"integer overflow: {quote(text)}")
            num.is_float = True
            num.float64 = f
            if f == f and abs(f) != float("inf") and -(2**63) <= f < 2**63 and float(int(f)) == f:
                num.is_int = True
                num.int64 = int(f)
            if f == f and abs(f) != float("inf") and 0 <= f < 2**64 and float(int(f)) == f:
                num.is_uint = True
                num.uint64 = int(f)
    if not (num.is_int or num.is_uint or num.is_float):
        raise ValueError(f"illegal number syntax: {quote(text)}")
    return num


def _simplify_complex(num: n.NumberNode) -> None:
    num.is_float = num.complex128.imag == 0
    if num.is_float:
        f = num.complex128.real
        num.float64 = f
        num.is_int = -(2**63) <= f < 2**63 and float(int(f)) == f
        if num.is_int:
            num.int64 = int(f)
        num.is_uint = 0 <= f < 2**64 and float(int(f)) == f
        if num.is_uint:
            num.uint64 = int(f)


def _underscore_ok(s: str) -> bool:
    """strconv.underscoreOK: an underscore only between digits, or between a base prefix and a
    digit (the prefix counts as a digit)."""
    saw = "^"  # ^ start, 0 a digit or base prefix, _ an underscore, ! anything else
    i = 0
    if s[:1] in ("+", "-") and s:
        s = s[1:]
    hexa = False
    if len(s) >= 2 and s[0] == "0" and s[1] in "bBoOxX":
        i = 2
        saw = "0"
        hexa = s[1] in "xX"
    for c in s[i:]:
        if "0" <= c <= "9" or (hexa and c in "abcdefABCDEF"):
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def _parse_int(text: str, unsigned: bool) -> int | None:
    """``strconv.ParseInt/ParseUint(text, 0, 64)``: base prefixes, a leading 0 for octal,
    underscores as ``underscoreOK`` allows them."""
    s = text
    neg = False
    if s[:1] in ("+", "-") and s:
        if unsigned:
            return None
        neg = s[0] == "-"
        s = s[1:]
    if not s:
        return None
    if "_" in s and not _underscore_ok(s):
        return None
    base = 10
    low = s.lower()
    if low.startswith("0x"):
        base, s = 16, s[2:]
    elif low.startswith("0b"):
        base, s = 2, s[2:]
    elif low.startswith("0o"):
        base, s = 8, s[2:]
    elif s.startswith("0") and len(s) > 1:
        base, s = 8, s[1:]
    s = s.replace("_", "")
    if not s or not s.isascii() or not s.isalnum():
        return None
    try:
        v = int(s, base)
    except ValueError:
        return None
    if neg:
        v = -v
    if unsigned:
        return v if 0 <= v < 2**64 else None
    return v if -(2**63) <= v < 2**63 else None


def _float_syntax_ok(s: str) -> bool:
    """The grammar of strconv.readFloat, over the whole of ``s``: a decimal mantissa with an
    optional exponent, or a hexadecimal mantissa with its (required) ``p`` exponent."""
    i = 0
    if s[:1] in ("+", "-") and s:
        i = 1
    digits = "0123456789"
    exp_char = "eE"
    if s[i : i + 2] in ("0x", "0X"):
        i += 2
        digits = "0123456789abcdefABCDEF"
        exp_char = "pP"
    saw_dot = saw_digits = False
    while i < len(s):
        c = s[i]
        if c == "." and not saw_dot:
            saw_dot = True
        elif c in digits:
            saw_digits = True
        elif c != "_":
            break
        i += 1
    if not saw_digits:
        return False
    if i < len(s) and s[i] in exp_char:
        i += 1
        if i < len(s) and s[i] in "+-":
            i += 1
        if i >= len(s) or not "0" <= s[i] <= "9":
            return False
        while i < len(s) and ("0" <= s[i] <= "9" or s[i] == "_"):
            i += 1
    elif exp_char == "pP":
        return False  # a hexadecimal mantissa must have an exponent
    return i == len(s) and ("_" not in s or _underscore_ok(s))


def _parse_float(text: str) -> float | None:
    """``strconv.ParseFloat(text, 64)``; None for bad syntax and for values out of range (Go's
    ``ErrRange`` for a finite literal that rounds to infinity; underflow to zero is fine)."""
    if not _float_syntax_ok(text):
        return None
    s = text.replace("_", "")
    try:
        f = float.fromhex(s) if "x" in s or "X" in s else float(s)
    except (ValueError, OverflowError):
        return None
    return None if math.isinf(f) else f


def _float_token(s: str, i: int) -> int:
    """fmt's ``ss.floatToken``: the end of the float starting at ``s[i]`` (as Sscan reads it)."""
    if s[i : i + 3].lower() == "nan":
        return i + 3
    if s[i : i + 1] in ("+", "-"):
        i += 1
    if s[i : i + 3].lower() == "inf":
        return i + 3
    digits, exp = "0123456789_", "eE"
    if s[i : i + 2] in ("0x", "0X"):
        i += 2
        digits, exp = "0123456789abcdefABCDEF_", "pP"
    while i < len(s) and s[i] in digits:
        i += 1
    if s[i : i + 1] == ".":
        i += 1
        while i < len(s) and s[i] in digits:
            i += 1
    if s[i : i + 1] and s[i] in exp:
        i += 1
        if s[i : i + 1] in ("+", "-"):
            i += 1
        while i < len(s) and s[i] in "0123456789_":
            i += 1
    return i


def _convert_float(s: str) -> float:
    """fmt's ``ss.convertFloat`` (bit size 64): ParseFloat, plus fmt's own decimal mantissa with
    a binary exponent (``1.5p4``). ValueError with strconv's error text."""
    p = s.find("p")
    if p >= 0 and "x" not in s.lower():
        mant = _convert_float(s[:p])
        try:
            e = int(s[p + 1 :]) if s[p + 1 :].lstrip("+-").isdigit() else None
        except ValueError:
            e = None
        if e is None:
            raise ValueError(f"strconv.Atoi: parsing {quote(s)}: invalid syntax")
        try:
            return math.ldexp(mant, e)
        except OverflowError:
            return math.copysign(math.inf, mant)
    low = s.lower().lstrip("+-")
    if low in ("inf", "infinity", "nan"):
        return float(s)
    f = _parse_float(s)
    if f is None:
        why = "value out of range" if _float_syntax_ok(s) else "invalid syntax"
        raise ValueError(f"strconv.ParseFloat: parsing {quote(s)}: {why}")
    return f


def _scan_complex(text: str) -> complex:
    """``fmt.Sscan(text, &complex128)`` as newNumber calls it: a real part, a sign, an imaginary
    part and ``i`` (what the lexer accepts as a complex constant)."""
    end = _float_token(text, 0)
    real = text[:end]
    if text[end : end + 1] not in ("+", "-"):
        raise ValueError("syntax error scanning complex number")
    imag_end = _float_token(text, end + 1)
    imag = text[end:imag_end]
    if text[imag_end : imag_end + 1] != "i":
        raise ValueError("syntax error scanning complex number")
    return complex(_convert_float(real), _convert_float(imag))

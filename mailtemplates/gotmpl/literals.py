"""Go's literal syntax: string, character and number constants of a template.

Follows Go 1.26 ``src/strconv/quote.go`` (``Unquote``, ``UnquoteChar``), ``src/strconv/atoi.go``
and ``atof.go`` (``ParseInt``, ``ParseUint``, ``ParseFloat`` with base 0: prefixes and
underscores) and ``src/text/template/parse/node.go`` (``newNumber``: one constant held in every
Go type that can represent it). Errors are ``ValueError`` with Go's text; the parser adds the
position.
"""

from __future__ import annotations

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
        try:
            num.complex128 = complex(text.replace("i", "j"))
        except ValueError:
            raise ValueError(f"illegal number syntax: {text!r}") from None
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


def _parse_int(text: str, unsigned: bool) -> int | None:
    """``strconv.ParseInt/ParseUint(text, 0, 64)``: base prefixes, underscores only with a prefix."""
    s = text
    neg = False
    if s[:1] in "+-" and s:
        if unsigned:
            return None
        neg = s[0] == "-"
        s = s[1:]
    if not s:
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
    if "_" in s:
        # Go's base-0 rule: underscores only between digits (a base prefix counts as a digit).
        prefixed = base != 10
        body = s
        if (body.startswith("_") and not prefixed) or body.endswith("_") or "__" in body:
            return None
        s = s.replace("_", "")
    if not s:
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


def _parse_float(text: str) -> float | None:
    s = text.replace("_", "") if "_" in text else text
    try:
        low = s.lower()
        if "0x" in low:
            return float.fromhex(s)
        if low in ("inf", "+inf", "-inf", "infinity", "nan") or low.lstrip("+-").startswith(("inf", "nan")):
            return None
        return float(s)
    except (ValueError, OverflowError):
        return None

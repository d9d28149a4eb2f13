"""Go's ``encoding/json`` for sprig's ``toJson`` family and ``fromJson``.

Encoding follows ``json.Marshal``: map keys sorted, ``<``, ``>`` and ``&`` escaped as ``\\u003c``
and friends (unless the HTML escaping is off, as in ``toRawJson``), U+2028/U+2029 always escaped,
invalid UTF-8 replaced by ``\\ufffd``, floats in ES6 style (``1e+21``, ``1e-7``), NaN and infinities
refused with ``json: unsupported value: NaN``.

Decoding follows ``json.Unmarshal`` into ``interface{}``: the input is checked first with a port
of Go's scanner (so syntax errors carry Go's wording), numbers become float64 and strings have
invalid UTF-8 and lone surrogates replaced by U+FFFD.

Follows Go 1.26 ``src/encoding/json/encode.go``, ``decode.go`` and ``scanner.go``.
"""

from __future__ import annotations

import dataclasses
import json
import json.encoder
import math
import re
from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any, Final

from ..gostrconv import format_float, go_bytes, quote
from ..values import MISSING, GoTime, Int64

__all__ = ["JSONError", "marshal", "marshal_plain", "plain_size", "unmarshal"]


class JSONError(Exception):
    """A Go encoding/json error; ``str(e)`` is Go's message."""


_HEX: Final = "0123456789abcdef"
_KEY: Final = itemgetter(0)


# What encoding/json.appendString writes as something other than the character itself: C0
# controls, quote and backslash, U+2028/U+2029, surrogates (invalid UTF-8), and with HTML escaping
# on, "<", ">" and "&". Anything else (DEL and all other non-ASCII too) is copied as it is.
_JSON_SPECIAL: Final = re.compile('[\x00-\x1f"\\\\\u2028\u2029\ud800-\udfff]')
_JSON_SPECIAL_HTML: Final = re.compile('[\x00-\x1f"\\\\<>&\u2028\u2029\ud800-\udfff]')
_JSON_SHORT: Final = {
    "\\": "\\\\",
    '"': '\\"',
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def _escape_char(m: re.Match[str]) -> str:
    """encoding/json.appendString for one character the _JSON_SPECIAL patterns matched."""
    c = m.group()
    short = _JSON_SHORT.get(c)
    if short is not None:
        return short
    o = ord(c)
    if o < 0x80:  # other C0 controls, and "<", ">", "&" when escaping HTML
        return "\\u00" + _HEX[o >> 4] + _HEX[o & 0xF]
    if 0xD800 <= o <= 0xDFFF:
        # An invalid UTF-8 byte (or a lone surrogate): Go writes the escaped replacement.
        return "\\ufffd"
    return "\\u202" + _HEX[o & 0xF]  # U+2028, U+2029


def _append_string(out: list[str], s: str, escape_html: bool) -> None:
    """encoding/json.appendString: one regex scan; most strings need no escape at all."""
    special = _JSON_SPECIAL_HTML if escape_html else _JSON_SPECIAL
    if special.search(s) is not None:
        s = special.sub(_escape_char, s)
    out.append('"' + s + '"')


def _sorted_items(v: Mapping[Any, Any]) -> list[tuple[str, object]]:
    """Map entries by key, as json.Marshal sorts them: by the keys' bytes."""
    items = [(str(k), x) for k, x in v.items()]
    if all(k.isascii() for k, _ in items):
        # ASCII: the order of the bytes is the order of the strings.
        items.sort(key=_KEY)
    else:
        items.sort(key=lambda kv: go_bytes(kv[0]))
    return items


def _float(f: float) -> str:
    """encoding/json floatEncoder: %f style, %e below 1e-6 and from 1e21, exponent unpadded."""
    if math.isinf(f) or math.isnan(f):
        raise JSONError("json: unsupported value: " + format_float(f, "g", -1))
    a = abs(f)
    fmt = "e" if a != 0 and (a < 1e-6 or a >= 1e21) else "f"
    s = format_float(f, fmt, -1)
    if fmt == "e" and len(s) >= 4 and s[-4] == "e" and s[-3] == "-" and s[-2] == "0":
        s = s[:-2] + s[-1]
    return s


def _time_json(t: GoTime) -> str:
    """time.Time.MarshalJSON: RFC 3339 with nanoseconds, quoted."""
    from .sprig_time import format_time, year

    if not 0 <= year(t) <= 9999:
        raise JSONError(
            "json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]"
        )
    return '"' + format_time(t, "2006-01-02T15:04:05.999999999Z07:00") + '"'


def _omit_empty(v: object) -> bool:
    """encoding/json isEmptyValue (what ``omitempty`` drops)."""
    if v is None or v is MISSING or v is False:
        return True
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v == 0
    if isinstance(v, (str, list, tuple, Mapping)):
        return len(v) == 0
    return False


def _fields(v: object) -> list[tuple[str, object]]:
    """The exported fields of a struct-like object, in declaration order, named as JSON names them.

    Dataclass fields may carry their Go ``json`` tag in ``metadata``: ``{"json": name}`` renames
    the key, ``{"json": None}`` is ``json:"-"`` and ``{"omitempty": True}`` drops empty values.
    """
    out: list[tuple[str, object]] = []
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        for f in dataclasses.fields(v):
            if not f.name[:1].isupper():
                continue
            value = getattr(v, f.name)
            name = f.name
            if "json" in f.metadata:
                if f.metadata["json"] is None:
                    continue
                name = str(f.metadata["json"])
            if f.metadata.get("omitempty") and _omit_empty(value):
                continue
            out.append((name, value))
        return out
    return [(n, x) for n, x in getattr(v, "__dict__", {}).items() if n[:1].isupper()]


def _encode(v: object, out: list[str], escape_html: bool, indent: str | None, depth: int) -> None:
    # Exact-type checks first for what JSON data is made of: isinstance(v, Mapping) is an ABC check.
    t = type(v)
    if t is str:
        _append_string(out, v, escape_html)  # type: ignore[arg-type]
        return
    if t is dict:
        _encode_obj(_sorted_items(v), out, escape_html, indent, depth)  # type: ignore[arg-type]
        return
    if v is None or v is MISSING:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif isinstance(v, int):
        out.append(str(int(v)))
    elif isinstance(v, float):
        out.append(_float(v))
    elif isinstance(v, str):
        _append_string(out, v, escape_html)
    elif isinstance(v, (list, tuple)):
        if getattr(v, "go_nil", False) and not v:
            out.append("null")
            return
        _encode_seq(list(v), out, escape_html, indent, depth)
    elif isinstance(v, Mapping):
        _encode_obj(_sorted_items(v), out, escape_html, indent, depth)
    elif isinstance(v, GoTime):
        out.append(_time_json(v))
    else:
        marshal_json = getattr(v, "marshal_json", None)
        if callable(marshal_json):
            _append_string(out, str(marshal_json()), escape_html)
            return
        _encode_obj(_fields(v), out, escape_html, indent, depth)


def _encode_seq(
    items: list[object], out: list[str], escape_html: bool, indent: str | None, depth: int
) -> None:
    if not items:
        out.append("[]")
        return
    out.append("[")
    for i, x in enumerate(items):
        if i:
            out.append(",")
        if indent is not None:
            out.append("\n" + indent * (depth + 1))
        _encode(x, out, escape_html, indent, depth + 1)
    if indent is not None:
        out.append("\n" + indent * depth)
    out.append("]")


def _encode_obj(
    items: list[tuple[str, object]], out: list[str], escape_html: bool, indent: str | None, depth: int
) -> None:
    if not items:
        out.append("{}")
        return
    out.append("{")
    for i, (k, x) in enumerate(items):
        if i:
            out.append(",")
        if indent is not None:
            out.append("\n" + indent * (depth + 1))
        _append_string(out, k, escape_html)
        out.append(": " if indent is not None else ":")
        _encode(x, out, escape_html, indent, depth + 1)
    if indent is not None:
        out.append("\n" + indent * depth)
    out.append("}")


class _NotPlain(Exception):
    """Raised by the C encoder's ``default``: a value :func:`plain_size` let through that it cannot write."""


def _not_plain(o: object) -> object:
    raise _NotPlain


# Python's own C encoder, set up once as json.Marshal writes plain data: keys sorted, no spaces,
# non-ASCII as it is. It escapes strings as Go does ("\\", "\"", \b \f \n \r \t by name, the
# other C0 controls as \u00xx in lowercase) but for the characters marshal_plain replaces after.
_C_MAKE_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_C_ENCODE_STR = getattr(json.encoder, "c_encode_basestring", None)
_C_ENCODE: Final = (
    _C_MAKE_ENCODER(None, _not_plain, _C_ENCODE_STR, None, ":", ",", True, False, True)
    if _C_MAKE_ENCODER is not None and _C_ENCODE_STR is not None
    else None
)
#: Go escapes "<", ">", "&", U+2028 and U+2029, which Python's encoder leaves as they are (only
#: ever inside a string of the output: the rest of it is brackets, punctuation, digits and
#: true/false/null). A surrogate (invalid UTF-8) also sorts differently as bytes: the pure
#: encoder handles those.
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_PLAIN_LEAVES: Final = frozenset({str, int, bool, type(None), Int64})


def plain_size(v: object, stop: int) -> int:
    """For JSON data the C encoder writes exactly as Go, what ``runtime.printed_size`` counts
    for it (the size guard of ``toJson``); -1 for anything else, or once the count passes
    ``stop``. Plain: exact dicts with ``str`` keys and exact lists, down to exact strings, ints,
    bools and None, no container held twice (a tree: writing it takes time in proportion to
    the count). Floats are not (Python writes ``1.0`` and ``1e+16`` where Go writes ``1`` and
    ``10000000000000000``), nor what the pure encoder treats in a way of its own (nil lists,
    MISSING, structs, times)."""
    t = type(v)
    if t is not dict and t is not list:
        return -1
    try:
        return _plain_size(v, stop, {id(v)})  # type: ignore[arg-type]
    except RecursionError:
        return -1


def _plain_size(v: dict[Any, Any] | list[Any], stop: int, seen: set[int]) -> int:
    """plain_size's walk of a container (its id in ``seen``). The count is compared with
    ``stop`` after each nested container and at the end: a run of leaves is walked whole,
    which takes time in proportion to the data, not to what the count could grow to.

    The dict and list loops are written out apart, nested-container branch included: one loop
    over keys then values measured 3 % slower on the slowest template (text-kratos-027)."""
    total = len(v) + 1  # brackets and separators, as printed_size counts them
    if type(v) is dict:
        for k, x in v.items():
            t = type(x)
            if t is str and type(k) is str:  # the common item first: one test fewer
                total += len(k) + len(x)
            elif type(k) is not str:
                return -1
            elif t in _PLAIN_LEAVES:
                total += len(k) + 1
            elif t is dict or t is list:
                if id(x) in seen:
                    return -1
                seen.add(id(x))
                n = _plain_size(x, stop, seen)
                if n < 0:
                    return -1
                total += len(k) + n
                if total > stop:
                    return -1
            else:
                return -1
    else:
        for x in v:
            t = type(x)
            if t is str:
                total += len(x)
            elif t in _PLAIN_LEAVES:
                total += 1
            elif t is dict or t is list:
                if id(x) in seen:
                    return -1
                seen.add(id(x))
                n = _plain_size(x, stop, seen)
                if n < 0:
                    return -1
                total += n
                if total > stop:
                    return -1
            else:
                return -1
    return total if total <= stop else -1


def marshal_plain(v: object, escape_html: bool = True, stop: int = 1 << 62) -> str | None:
    """json.Marshal of plain data (:func:`plain_size` at most ``stop``) through Python's C
    encoder; None when it is not, or when the result could differ from the pure encoder's
    (then that decides, errors included)."""
    t = type(v)
    if _C_ENCODE is None or (t is not dict and t is not list):
        return None
    try:
        # plain_size, without its own call (this runs per toJson of a template).
        if _plain_size(v, stop, {id(v)}) < 0:  # type: ignore[arg-type]
            return None
        s: str = "".join(_C_ENCODE(v, 0))
    except (RecursionError, ValueError, _NotPlain):
        return None  # too deep, or an int too long to print: the pure encoder's to report
    if not s.isascii():
        if _SURROGATE.search(s) is not None:
            return None
        s = s.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if escape_html and ("<" in s or ">" in s or "&" in s):
        s = s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return s


def marshal(v: object, *, escape_html: bool = True, indent: str | None = None) -> str:
    """json.Marshal (``indent`` given: json.MarshalIndent with an empty prefix). Raises JSONError."""
    if indent is None:
        s = marshal_plain(v, escape_html)
        if s is not None:
            return s
    out: list[str] = []
    _encode(v, out, escape_html, indent, 0)
    return "".join(out)


# -- decoding ------------------------------------------------------------------------------------


def _quote_char(c: int) -> str:
    """encoding/json.quoteChar: the offending byte, shown as the rune of that value."""
    if c == 0x27:
        return "'\\''"
    if c == 0x22:
        return "'\"'"
    q = quote(chr(c))
    return "'" + q[1:-1] + "'"


_OBJ_KEY, _OBJ_VALUE, _ARR_VALUE = range(3)
_SPACE: Final = frozenset(b" \t\r\n")
_HEXDIGITS: Final = frozenset(b"0123456789abcdefABCDEF")


class _Scanner:
    """encoding/json's scanner state machine, used only to validate (checkValid)."""

    def __init__(self) -> None:
        self.step: Callable[[int], bool] = self.begin_value
        self.stack: list[int] = []
        self.end_top = False
        self.err: str | None = None

    def error(self, c: int, context: str) -> bool:
        self.step = self.state_error
        self.err = "invalid character " + _quote_char(c) + " " + context
        return False

    def state_error(self, c: int) -> bool:
        return False

    def push(self, state: int) -> bool:
        self.stack.append(state)
        if len(self.stack) > 10000:
            self.err = "exceeded max depth"
            return False
        return True

    def pop(self) -> None:
        self.stack.pop()
        if not self.stack:
            self.step = self.end_top_state
            self.end_top = True
        else:
            self.step = self.end_value

    def begin_value_or_empty(self, c: int) -> bool:
        if c in _SPACE:
            return True
        if c == 0x5D:  # ]
            return self.end_value(c)
        return self.begin_value(c)

    def begin_value(self, c: int) -> bool:
        if c in _SPACE:
            return True
        if c == 0x7B:  # {
            self.step = self.begin_string_or_empty
            return self.push(_OBJ_KEY)
        if c == 0x5B:  # [
            self.step = self.begin_value_or_empty
            return self.push(_ARR_VALUE)
        if c == 0x22:
            self.step = self.in_string
            return True
        if c == 0x2D:  # -
            self.step = self.neg
            return True
        if c == 0x30:
            self.step = self.zero
            return True
        if c == 0x74:
            self.step = self._lit(b"rue", "true")
            return True
        if c == 0x66:
            self.step = self._lit(b"alse", "false")
            return True
        if c == 0x6E:
            self.step = self._lit(b"ull", "null")
            return True
        if 0x31 <= c <= 0x39:
            self.step = self.one
            return True
        return self.error(c, "looking for beginning of value")

    def begin_string_or_empty(self, c: int) -> bool:
        if c in _SPACE:
            return True
        if c == 0x7D:  # }
            self.stack[-1] = _OBJ_VALUE
            return self.end_value(c)
        return self.begin_string(c)

    def begin_string(self, c: int) -> bool:
        if c in _SPACE:
            return True
        if c == 0x22:
            self.step = self.in_string
            return True
        return self.error(c, "looking for beginning of object key string")

    def end_value(self, c: int) -> bool:
        if not self.stack:
            self.step = self.end_top_state
            self.end_top = True
            return self.end_top_state(c)
        if c in _SPACE:
            self.step = self.end_value
            return True
        ps = self.stack[-1]
        if ps == _OBJ_KEY:
            if c == 0x3A:  # :
                self.stack[-1] = _OBJ_VALUE
                self.step = self.begin_value
                return True
            return self.error(c, "after object key")
        if ps == _OBJ_VALUE:
            if c == 0x2C:
                self.stack[-1] = _OBJ_KEY
                self.step = self.begin_string
                return True
            if c == 0x7D:
                self.pop()
                return True
            return self.error(c, "after object key:value pair")
        if c == 0x2C:
            self.step = self.begin_value
            return True
        if c == 0x5D:
            self.pop()
            return True
        return self.error(c, "after array element")

    def end_top_state(self, c: int) -> bool:
        if c not in _SPACE:
            self.error(c, "after top-level value")
            return False
        return True

    def in_string(self, c: int) -> bool:
        if c == 0x22:
            self.step = self.end_value
            return True
        if c == 0x5C:
            self.step = self.in_string_esc
            return True
        if c < 0x20:
            return self.error(c, "in string literal")
        return True

    def in_string_esc(self, c: int) -> bool:
        if c in b'bfnrt\\/"':
            self.step = self.in_string
            return True
        if c == 0x75:
            self.step = self._esc_u(4)
            return True
        return self.error(c, "in string escape code")

    def _esc_u(self, left: int) -> Callable[[int], bool]:
        def step(c: int) -> bool:
            if c in _HEXDIGITS:
                self.step = self.in_string if left == 1 else self._esc_u(left - 1)
                return True
            return self.error(c, "in \\u hexadecimal character escape")

        return step

    def neg(self, c: int) -> bool:
        if c == 0x30:
            self.step = self.zero
            return True
        if 0x31 <= c <= 0x39:
            self.step = self.one
            return True
        return self.error(c, "in numeric literal")

    def one(self, c: int) -> bool:
        if 0x30 <= c <= 0x39:
            return True
        return self.zero(c)

    def zero(self, c: int) -> bool:
        if c == 0x2E:
            self.step = self.dot
            return True
        if c in (0x65, 0x45):
            self.step = self.exp
            return True
        return self.end_value(c)

    def dot(self, c: int) -> bool:
        if 0x30 <= c <= 0x39:
            self.step = self.dot0
            return True
        return self.error(c, "after decimal point in numeric literal")

    def dot0(self, c: int) -> bool:
        if 0x30 <= c <= 0x39:
            return True
        if c in (0x65, 0x45):
            self.step = self.exp
            return True
        return self.end_value(c)

    def exp(self, c: int) -> bool:
        if c in (0x2B, 0x2D):
            self.step = self.exp_sign
            return True
        return self.exp_sign(c)

    def exp_sign(self, c: int) -> bool:
        if 0x30 <= c <= 0x39:
            self.step = self.exp0
            return True
        return self.error(c, "in exponent of numeric literal")

    def exp0(self, c: int) -> bool:
        if 0x30 <= c <= 0x39:
            return True
        return self.end_value(c)

    def _lit(self, rest: bytes, name: str) -> Callable[[int], bool]:
        want = rest[0]

        def step(c: int) -> bool:
            if c == want:
                self.step = self._lit(rest[1:], name) if len(rest) > 1 else self.end_value
                return True
            return self.error(c, f"in literal {name} (expecting {_quote_char(want)})")

        return step

    def eof(self) -> str | None:
        if self.err is not None:
            return self.err
        if self.end_top:
            return None
        self.step(0x20)
        if self.end_top:
            return None
        if self.err is None:
            self.err = "unexpected end of JSON input"
        return self.err


def check_valid(data: bytes) -> str | None:
    """encoding/json.checkValid: Go's syntax error message, or None when ``data`` is valid JSON."""
    sc = _Scanner()
    for c in data:
        if not sc.step(c):
            return sc.err
    return sc.eof()


_BAD_NUMBER: Final = object()


def _clean(v: Any) -> Any:
    """Replace lone surrogates (invalid UTF-8, unpaired escapes) by U+FFFD; drop number sentinels."""
    if isinstance(v, str):
        if any("\ud800" <= c <= "\udfff" for c in v):
            return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in v)
        return v
    if isinstance(v, list):
        return [_clean(x) for x in v]
    if isinstance(v, dict):
        return {_clean(k): _clean(x) for k, x in v.items()}
    if v is _BAD_NUMBER:
        return None
    return v


def unmarshal(s: str) -> tuple[Any, str | None]:
    """json.Unmarshal into ``interface{}``: (value, Go error message or None).

    As in Go, a number that does not fit a float64 is an error but decoding goes on (that value
    becomes nil), so a partial value comes back with the error.
    """
    err = check_valid(go_bytes(s))
    if err is not None:
        return None, err
    errors: list[str] = []

    def number(text: str) -> object:
        try:
            f = float(text)
        except OverflowError:
            f = math.inf
        if math.isinf(f):
            if not errors:
                errors.append(f"json: cannot unmarshal number {text} into Go value of type float64")
            return _BAD_NUMBER
        return f

    try:
        value = json.loads(s, parse_float=number, parse_int=number)
    except RecursionError:
        return None, "exceeded max depth"
    return _clean(value), (errors[0] if errors else None)

"""Go's number parsing (``strconv``), spf13/cast v1.9.2's conversions (``number.go``) and the
reflection helpers sprig uses.

sprig's math converts every operand with ``cast.ToInt64`` / ``cast.ToFloat64``, which never fail:
a float is truncated (``3.99`` -> 3), a string is parsed (``"0x1F"`` -> 31), anything unparsable
is 0. Since cast 1.9 a decimal string loses its fraction before integer parsing (``"3.7"`` -> 3,
``"-3.7"`` -> -3, ``"5."`` -> 5; cast 1.5 gave 0 unless the fraction was zeros), but only a plain
``[-+]digits.digits`` string: ``"1_000.0"`` and ``"0x1A.0"`` stay unparsable. ``time.Month``,
``time.Weekday`` and ``time.Duration`` convert as their integers. Integer results are Go
``int64`` and wrap around on overflow.

Follows Go 1.26 ``src/strconv/atoi.go`` and ``atof.go``, spf13/cast v1.9.2 and sprig v3.3.0's
``reflect.go``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any, Final

from ..gofmt import type_string
from ..values import MISSING, GoTime, Int64, StrList

__all__ = [
    "ChunkList",
    "IntList",
    "NilList",
    "NilStrList",
    "StrMap",
    "atoi",
    "deep_equal",
    "empty",
    "int64_value",
    "kind_of",
    "parse_float",
    "parse_int",
    "strval",
    "to_float64",
    "to_int",
    "to_int64",
    "type_of",
    "wrap64",
]

MIN_INT64: Final = -(1 << 63)
MAX_INT64: Final = (1 << 63) - 1


# Values whose Go type the plain Python containers cannot tell. ``go_type`` is the name ``%T``
# prints; ``go_nil`` marks a nil slice (``[]`` when printed, ``null`` in JSON, ``(nil)`` with %#v).


class IntList(list):  # type: ignore[type-arg]
    """A Go ``[]int`` (what ``until`` and ``untilStep`` return)."""

    __slots__ = ()
    go_type = "[]int"


class NilList(list):  # type: ignore[type-arg]
    """A nil ``[]interface {}`` (``rest`` of an empty list, ``concat`` of nothing)."""

    __slots__ = ()
    go_type = "[]interface {}"
    go_nil = True


class NilStrList(StrList):
    """A nil ``[]string`` (``regexFindAll`` without a match)."""

    __slots__ = ()
    go_type = "[]string"
    go_nil = True


class ChunkList(list):  # type: ignore[type-arg]
    """A Go ``[][]interface {}`` (what ``chunk`` returns)."""

    __slots__ = ()
    go_type = "[][]interface {}"


class StrMap(dict):  # type: ignore[type-arg]
    """A Go ``map[string]string`` (what ``split`` and ``splitn`` return)."""

    __slots__ = ()
    go_type = "map[string]string"


def wrap64(x: int) -> Int64:
    """Go int64 arithmetic: wrap around to 64-bit two's complement."""
    if -(1 << 63) <= x < 1 << 63:
        return Int64(x)
    return Int64(((x + (1 << 63)) & ((1 << 64) - 1)) - (1 << 63))


def float_to_int64(f: float) -> int:
    """Go's ``int64(f)`` on amd64: truncation; NaN, infinities and overflow give MinInt64."""
    if math.isnan(f) or not (-9.223372036854775808e18 <= f < 9.223372036854775808e18):
        return MIN_INT64
    return int(f)


# -- strconv -------------------------------------------------------------------------------------


class NumError(ValueError):
    """strconv.NumError: ``kind`` is "syntax" or "range"; ``value`` is the clamped result."""

    def __init__(self, kind: str, value: int = 0) -> None:
        super().__init__(kind)
        self.kind = kind
        self.value = value


def _underscore_ok(s: str) -> bool:
    """strconv.underscoreOK: underscores only between digits (or after a base prefix)."""
    saw = "^"
    i = 0
    if s and s[0] in "+-":
        s = s[1:]
    hexa = False
    if len(s) >= 2 and s[0] == "0" and s[1].lower() in "box":
        i = 2
        saw = "0"
        hexa = s[1].lower() == "x"
    while i < len(s):
        c = s[i]
        if "0" <= c <= "9" or (hexa and "a" <= c.lower() <= "f"):
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
        i += 1
    return saw != "_"


def parse_uint(s: str, base: int, bits: int = 64) -> int:
    """strconv.ParseUint; raises NumError."""
    if s == "":
        raise NumError("syntax")
    base0 = base == 0
    s0 = s
    if base == 0:
        base = 10
        if s[0] == "0":
            if len(s) >= 3 and s[1].lower() == "b":
                base, s = 2, s[2:]
            elif len(s) >= 3 and s[1].lower() == "o":
                base, s = 8, s[2:]
            elif len(s) >= 3 and s[1].lower() == "x":
                base, s = 16, s[2:]
            else:
                base, s = 8, s[1:]
    max_val = (1 << bits) - 1
    n = 0
    underscores = False
    for c in s:
        if c == "_" and base0:
            underscores = True
            continue
        if "0" <= c <= "9":
            d = ord(c) - 48
        elif "a" <= c.lower() <= "z" and c.isascii():
            d = ord(c.lower()) - 87
        else:
            raise NumError("syntax")
        if d >= base:
            raise NumError("syntax")
        n = n * base + d
        if n > max_val:
            # Go stops at the first overflow, even if a later byte is not a digit.
            raise NumError("range", max_val)
    if underscores and not _underscore_ok(s0):
        raise NumError("syntax")
    return n


def parse_int(s: str, base: int = 10, bits: int = 64) -> int:
    """strconv.ParseInt; raises NumError (a range error carries the clamped value)."""
    if s == "":
        raise NumError("syntax")
    neg = False
    body = s
    if s[0] == "+":
        body = s[1:]
    elif s[0] == "-":
        neg, body = True, s[1:]
    try:
        un = parse_uint(body, base, bits)
    except NumError as e:
        if e.kind != "range":
            raise
        un = e.value
        cutoff = 1 << (bits - 1)
        raise NumError("range", -cutoff if neg else cutoff - 1) from None
    cutoff = 1 << (bits - 1)
    if not neg and un >= cutoff:
        raise NumError("range", cutoff - 1)
    if neg and un > cutoff:
        raise NumError("range", -cutoff)
    return -un if neg else un


def atoi(s: str) -> int:
    """sprig's ``atoi``: strconv.Atoi with the error dropped (syntax errors give 0, overflow clamps)."""
    n = len(s)
    if 0 < n < 19:
        body = s[1:] if s[0] in "+-" else s
        if not body or not all("0" <= c <= "9" for c in body):
            return 0
        v = int(body)
        return -v if s[0] == "-" else v
    try:
        return parse_int(s, 10, 64)
    except NumError as e:
        return e.value if e.kind == "range" else 0


def _read_float(s: str) -> bool:
    """strconv.readFloat: is all of ``s`` a well-formed Go float literal (decimal or hex)?"""
    i = 0
    n = len(s)
    if i < n and s[i] in "+-":
        i += 1
    hexa = False
    if i + 2 < n and s[i] == "0" and s[i + 1].lower() == "x":
        hexa = True
        i += 2
    sawdot = sawdigits = underscores = False
    while i < n:
        c = s[i]
        if c == "_":
            underscores = True
        elif c == ".":
            if sawdot:
                break
            sawdot = True
        elif "0" <= c <= "9" or (hexa and "a" <= c.lower() <= "f"):
            sawdigits = True
        else:
            break
        i += 1
    if not sawdigits:
        return False
    exp_char = "p" if hexa else "e"
    if i < n and s[i].lower() == exp_char:
        i += 1
        if i >= n:
            return False
        if s[i] in "+-":
            i += 1
        if i >= n or not "0" <= s[i] <= "9":
            return False
        while i < n and ("0" <= s[i] <= "9" or s[i] == "_"):
            if s[i] == "_":
                underscores = True
            i += 1
    elif hexa:
        return False
    if underscores and not _underscore_ok(s[:i]):
        return False
    return i == n


def parse_float(s: str) -> float:
    """strconv.ParseFloat(s, 64); raises NumError("syntax") or NumError("range") (overflow)."""
    body = s[1:] if s[:1] in ("+", "-") else s
    low = body.lower()
    if low in ("inf", "infinity") or (low == "nan" and body == s):
        return float(s)
    if not _read_float(s):
        raise NumError("syntax")
    clean = s.replace("_", "")
    try:
        if "x" in clean[:3].lower():
            sign = -1.0 if clean[0] == "-" else 1.0
            mant = clean.lstrip("+-")
            f = sign * float.fromhex(mant)
        else:
            f = float(clean)
    except OverflowError:
        raise NumError("range") from None
    if math.isinf(f):
        raise NumError("range")
    return f


# -- cast ----------------------------------------------------------------------------------------


def _trim_decimal(s: str) -> str:
    """cast.trimDecimal: the integer part of a plain decimal (``^[-+]?\\d*(\\.\\d*)?$``, ASCII
    digits), ``"0"`` for an empty one; any other string unchanged."""
    if "." not in s:
        return s
    whole, _, frac = s.partition(".")
    digits = whole[1:] if whole[:1] in ("-", "+") else whole
    if not all("0" <= c <= "9" for c in digits + frac):
        return s
    if whole in ("-", "+"):
        return whole + "0"
    return whole or "0"


def to_int64(v: object) -> Int64:
    """cast.ToInt64 (errors give 0)."""
    if v is None or v is MISSING:
        return Int64(0)
    if isinstance(v, bool):
        return Int64(1 if v else 0)
    if isinstance(v, int):
        return Int64(v)
    if isinstance(v, float):
        return Int64(float_to_int64(v))
    if isinstance(v, str):
        try:
            return Int64(parse_int(_trim_decimal(v), 0, 64))
        except NumError:
            return Int64(0)
    return Int64(0)


def int64_value(v: object) -> int:
    """:func:`to_int64` as a plain int: no Int64 built for a step of arithmetic."""
    t = type(v)
    if t is int:
        return v  # type: ignore[return-value]
    if t is float:
        return float_to_int64(v)  # type: ignore[arg-type]
    return int(to_int64(v))


def to_int(v: object) -> int:
    """cast.ToInt (Go's int is 64 bits here)."""
    return int(to_int64(v))


def to_float64(v: object) -> float:
    """cast.ToFloat64 (errors give 0)."""
    if v is None or v is MISSING:
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, int):
        return float(v)
    if isinstance(v, float):
        return v
    if isinstance(v, str):
        try:
            return parse_float(v)
        except NumError:
            return 0.0
    return 0.0


# -- fmt / reflect -------------------------------------------------------------------------------


def strval(v: object) -> str:
    """sprig's ``strval``: strings as they are, Stringers through String, the rest with ``%v``."""
    if isinstance(v, str):
        return v
    if type(v) is int and -(1 << 63) <= v < 1 << 63:
        return str(v)  # %v of an int, without fmt's dispatch (sortAlpha of a million ints)
    go_string = getattr(v, "go_string", None)
    if callable(go_string):
        return str(go_string())
    from ..gofmt import format_value

    return format_value(v, indirect=False)


def empty(v: object) -> bool:
    """sprig's ``empty``: the zero value of its type (structs are never empty)."""
    if v is None or v is MISSING:
        return True
    if isinstance(v, (bool, int, float, str, list, tuple)):
        return not v
    if isinstance(v, Mapping):
        return len(v) == 0
    return False


def type_of(v: object) -> str:
    """``%T``: the Go type name."""
    name = _EXACT_TYPE_NAMES.get(type(v))
    if name is not None:  # no attribute lookup (a miss raises inside getattr, twice)
        return name
    # Objects may name their Go type (``*semver.Version``, ``*email.RecoveryValidModel``).
    go_type = getattr(v, "go_type", None) or getattr(v, "GO_TYPE", None)
    if isinstance(go_type, str) and go_type:
        return go_type
    return type_string(v)


#: type_of of the plain data types, by exact type: their values have no attributes to name
#: another Go type, so it is what type_string gives for any of them.
_PLAIN_SAMPLES: Final[tuple[object, ...]] = ("", 0, 0.0, False, None, Int64(0), {}, [])
_EXACT_TYPE_NAMES: Final[dict[type, str]] = {type(x): type_string(x) for x in _PLAIN_SAMPLES}


def kind_of(v: object) -> str:
    """reflect.Value.Kind().String()."""
    if v is None or v is MISSING:
        return "invalid"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        # Int64 and the library's named integers (time.Duration is an int64, time.Month an int).
        return "int64" if isinstance(v, Int64) else str(getattr(type(v), "go_kind", "int"))
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (list, tuple)):
        return "slice"
    if isinstance(v, Mapping):
        return "map"
    if isinstance(v, GoTime):
        return "struct"
    return "ptr" if type_of(v).startswith("*") else "struct"


_KEYED_SCALARS: Final = frozenset({str, int, float, bool})


def deep_key(v: object) -> Hashable | None:
    """A hashable key of ``v`` such that two keyed values are :func:`deep_equal` exactly when
    their keys are equal; None for what has no such key (NaN, objects, str subclasses, ...).

    The fast path of ``uniq`` and ``without``: a set lookup instead of a scan of the list.
    """
    t = type(v)
    if t in _KEYED_SCALARS:
        return None if v != v else (t, v)  # NaN equals nothing, not even itself
    if isinstance(v, (list, tuple, dict)):
        parts: list[Hashable] = []
        items = v.items() if isinstance(v, dict) else enumerate(v)
        for k, e in items:
            ek = deep_key(e)
            if ek is None or type(k) not in (int, str):
                return None
            parts.append((k, ek))
        body: Hashable = frozenset(parts) if isinstance(v, dict) else tuple(parts)
        return (type_of(v), body)
    return None


def deep_equal(a: object, b: object) -> bool:
    """reflect.DeepEqual on our values: same Go type, then equal contents."""
    if a is MISSING:
        a = None
    if b is MISSING:
        b = None
    if a is None or b is None:
        return a is None and b is None
    if type_of(a) != type_of(b):
        return False
    if isinstance(a, GoTime) and isinstance(b, GoTime):
        from .sprig_time import nanos, shift

        return bool(
            a.dt == b.dt
            and nanos(a) == nanos(b)
            and shift(a) == shift(b)
            and a.dt.utcoffset() == b.dt.utcoffset()
            and a.dt.tzname() == b.dt.tzname()
        )
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(deep_equal(x, y) for x, y in zip(a, b, strict=False))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return len(a) == len(b) and all(k in b and deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, (bool, int, float, str)):
        return bool(a == b)
    if a is b:
        return True
    da: Any = getattr(a, "__dict__", None)
    db: Any = getattr(b, "__dict__", None)
    return da is not None and db is not None and deep_equal(dict(da), dict(db))

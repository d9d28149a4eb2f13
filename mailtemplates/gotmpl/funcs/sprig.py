"""sprig v3.2.3's function map (``genericMap``), with Go's signatures and Go's results.

Every function is registered with the Go parameter types of its sprig implementation (read from
sprig's ``functions.go`` and friends), so the runtime converts and rejects arguments exactly as
Go's ``text/template`` does. A Go error return or a recovered panic is raised as
:class:`GoFuncError` carrying Go's message (``Cannot find first on type string``,
``runtime error: integer divide by zero``).

The helpers live in ``sprig_*`` modules: ``sprig_text`` (strings, goutils, xstrings),
``sprig_conv`` (cast and strconv), ``sprig_json``, ``sprig_time``, ``sprig_regex`` (RE2 on
``re``), ``sprig_url`` (net/url, path, os.Expand), ``sprig_semver`` and ``sprig_codec``.

Not ported (they raise a clear error when called): the certificate and key generators
(``genCA``, ``genPrivateKey``, ...). ``bcrypt``/``htpasswd`` use the system's crypt(3) (glibc /
libxcrypt implement bcrypt) and refuse where it lacks bcrypt; ``encryptAES``/``decryptAES`` need
the optional ``cryptography`` package. Regular expressions run on Python's backtracking engine:
unlike RE2 they have no linear-time guarantee.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import math
import os
import random
import secrets
import socket
import struct
import threading
import uuid
import zlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..gofmt import format_value, go_bytes, go_str, quote
from ..values import GoTime, Int64, StrList
from . import GoFuncError, Registry
from . import sprig_text as st
from .sprig_codec import CorruptInput, b32decode, b64decode
from .sprig_conv import (
    ChunkList,
    IntList,
    NilList,
    NilStrList,
    NumError,
    StrMap,
    atoi,
    deep_equal,
    empty,
    kind_of,
    parse_int,
    strval,
    to_float64,
    to_int,
    to_int64,
    type_of,
    wrap64,
)
from .sprig_json import JSONError, marshal, unmarshal
from .sprig_regex import RegexError, RegexUnsupported, compile_go, must_compile, quote_meta
from .sprig_semver import SemverError, check_constraint, new_version
from .sprig_time import (
    LOCAL,
    SECOND,
    TimeError,
    add,
    duration_string,
    format_time,
    in_zone,
    load_location,
    now,
    parse_duration,
    parse_in_location,
    round_duration,
    since,
    unix,
    unix_seconds,
)
from .sprig_url import URLError, base, clean, dir_, expand, ext, is_abs, parse_url

__all__ = ["REGISTRY"]

REGISTRY = Registry()
reg = REGISTRY.register

ANY = "any"
STR = "string"
INT = "int"
LIST = "[]interface {}"
STRLIST = "[]string"
MAP = "map[string]interface {}"
TIME = "time.Time"

_NIL_DEREF = "runtime error: invalid memory address or nil pointer dereference"


def _kind(v: object) -> str:
    """reflect.TypeOf(v).Kind() as sprig's list functions use it; nil panics as in Go."""
    if v is None:
        raise GoFuncError(_NIL_DEREF)
    if isinstance(v, (list, tuple)):
        return "slice"
    return kind_of(v)


def _items(v: object, what: str) -> list[Any]:
    """The elements of a slice argument, or sprig's ``Cannot <what> on type <kind>`` error."""
    k = _kind(v)
    if k != "slice":
        raise GoFuncError(f"Cannot {what} type {k}")
    assert isinstance(v, (list, tuple))
    return list(v)


def _conv_err(v: object, target: str) -> GoFuncError:
    """The panic of a failed Go type assertion ``v.(target)``."""
    got = "nil" if v is None else type_of(v)
    return GoFuncError(f"interface conversion: interface {{}} is {got}, not {target}")


# == dates ========================================================================================


def _date_of(d: object, *, ints: tuple[type, ...] = (int,)) -> GoTime:
    """The time a sprig date function makes of its argument: time.Time, int, int64; else now."""
    if isinstance(d, GoTime):
        return d
    if isinstance(d, int) and not isinstance(d, bool):
        try:
            return unix(int(d))
        except TimeError as e:
            raise GoFuncError(str(e)) from None
    return now()


def _date_in_zone(fmt: str, d: object, zone: str) -> str:
    t = _date_of(d)
    try:
        loc = load_location(zone)
    except TimeError:
        loc = load_location("UTC")
    return format_time(in_zone(t, loc), fmt)


@reg("date", STR, ANY, result=STR)
def _date(fmt: str, d: object) -> str:
    return _date_in_zone(fmt, d, "Local")


@reg("dateInZone", STR, ANY, STR, result=STR, aliases=("date_in_zone",))
def _date_in_zone_fn(fmt: str, d: object, zone: str) -> str:
    return _date_in_zone(fmt, d, zone)


@reg("htmlDate", ANY, result=STR)
def _html_date(d: object) -> str:
    return _date_in_zone("2006-01-02", d, "Local")


@reg("htmlDateInZone", ANY, STR, result=STR)
def _html_date_in_zone(d: object, zone: str) -> str:
    return _date_in_zone("2006-01-02", d, zone)


@reg("dateModify", STR, TIME, result=TIME, aliases=("date_modify",))
def _date_modify(fmt: str, d: GoTime) -> GoTime:
    try:
        delta = parse_duration(fmt)
    except TimeError:
        return d
    try:
        return add(d, delta)
    except TimeError as e:
        raise GoFuncError(str(e)) from None


@reg("mustDateModify", STR, TIME, result=TIME, aliases=("must_date_modify",))
def _must_date_modify(fmt: str, d: GoTime) -> GoTime:
    try:
        return add(d, parse_duration(fmt))
    except TimeError as e:
        raise GoFuncError(str(e)) from None


@reg("ago", ANY, result=STR)
def _ago(d: object) -> str:
    t = d if isinstance(d, GoTime) else (_date_of(d) if isinstance(d, int) else now())
    return duration_string(round_duration(since(t), SECOND))


@reg("duration", ANY, result=STR)
def _duration(sec: object) -> str:
    n = 0
    if isinstance(sec, str):
        try:
            n = parse_int(sec, 10, 64)
        except NumError as e:
            n = e.value if e.kind == "range" else 0
    elif isinstance(sec, Int64):
        n = int(sec)
    return duration_string(n * SECOND)


@reg("durationRound", ANY, result=STR)
def _duration_round(v: object) -> str:
    d = 0
    if isinstance(v, str):
        try:
            d = parse_duration(v)
        except TimeError:
            d = 0
    elif isinstance(v, Int64):
        d = int(v)
    elif isinstance(v, GoTime):
        d = since(v)
    u = abs(d)
    hour = 3600 * SECOND
    for unit, suffix in (
        (hour * 24 * 365, "y"),
        (hour * 24 * 30, "mo"),
        (hour * 24, "d"),
        (hour, "h"),
        (60 * SECOND, "m"),
        (SECOND, "s"),
    ):
        if u > unit:
            return f"{u // unit}{suffix}"
    return "0s"


@reg("toDate", STR, STR, result=TIME)
def _to_date(fmt: str, s: str) -> GoTime:
    try:
        return parse_in_location(fmt, s, LOCAL)
    except TimeError:
        return _zero_time()


def _zero_time() -> GoTime:
    import datetime as _dt

    return GoTime(_dt.datetime(1, 1, 1, tzinfo=_dt.timezone.utc))


@reg("mustToDate", STR, STR, result=TIME)
def _must_to_date(fmt: str, s: str) -> GoTime:
    try:
        return parse_in_location(fmt, s, LOCAL)
    except TimeError as e:
        raise GoFuncError(str(e)) from None


@reg("now", result=TIME)
def _now() -> GoTime:
    return now()


@reg("unixEpoch", TIME, result=STR)
def _unix_epoch(d: GoTime) -> str:
    return str(unix_seconds(d))


# == strings =====================================================================================


@reg("hello", result=STR)
def _hello() -> str:
    return "Hello!"


@reg("abbrev", INT, STR, result=STR)
def _abbrev(width: int, s: str) -> str:
    if width < 4:
        return s
    try:
        return st.abbreviate_full(s, 0, width)
    except ValueError:
        return ""


@reg("abbrevboth", INT, INT, STR, result=STR)
def _abbrevboth(left: int, right: int, s: str) -> str:
    if right < 4 or (left > 0 and right < 7):
        return s
    try:
        return st.abbreviate_full(s, left, right)
    except ValueError:
        return ""


@reg("trunc", INT, STR, result=STR)
def _trunc(c: int, s: str) -> str:
    b = go_bytes(s)
    if c < 0 and len(b) + c > 0:
        return go_str(b[len(b) + c :])
    if c >= 0 and len(b) > c:
        return go_str(b[:c])
    return s


reg("trim", STR, result=STR)(st.trim_space)
reg("upper", STR, result=STR)(st.to_upper)
reg("lower", STR, result=STR)(st.to_lower)
reg("title", STR, result=STR)(st.title)
reg("untitle", STR, result=STR)(st.uncapitalize)


def _slice_panic(lo: int | None, hi: int | None, length: int) -> GoFuncError:
    """Go's runtime error for a bad string slice expression s[lo:hi]."""
    if lo is None:
        assert hi is not None
        if hi < 0:
            return GoFuncError(f"runtime error: slice bounds out of range [:{hi}]")
        return GoFuncError(f"runtime error: slice bounds out of range [:{hi}] with length {length}")
    if hi is None:
        if lo < 0:
            return GoFuncError(f"runtime error: slice bounds out of range [{lo}:]")
        return GoFuncError(f"runtime error: slice bounds out of range [{lo}:{length}]")
    if hi < 0:
        return GoFuncError(f"runtime error: slice bounds out of range [:{hi}]")
    if hi > length:
        return GoFuncError(f"runtime error: slice bounds out of range [:{hi}] with length {length}")
    if lo < 0:
        return GoFuncError(f"runtime error: slice bounds out of range [{lo}:]")
    return GoFuncError(f"runtime error: slice bounds out of range [{lo}:{hi}]")


@reg("substr", INT, INT, STR, result=STR)
def _substr(start: int, end: int, s: str) -> str:
    b = go_bytes(s)
    n = len(b)
    if start < 0:
        if end < 0 or end > n:
            raise _slice_panic(None, end, n)
        return go_str(b[:end])
    if end < 0 or end > n:
        if start > n:
            raise _slice_panic(start, None, n)
        return go_str(b[start:])
    if start > end:
        raise _slice_panic(start, end, n)
    return go_str(b[start:end])


def _repeat_str(count: int, s: str) -> str:
    if count < 0:
        raise GoFuncError("strings: negative Repeat count")
    if s and len(go_bytes(s)) * count > (1 << 63) - 1:
        raise GoFuncError("strings: Repeat output length overflow")
    return s * count


@reg("repeat", INT, STR, result=STR)
def _repeat(count: int, s: str) -> str:
    return _repeat_str(count, s)


@reg("trimAll", STR, STR, result=STR, aliases=("trimall",))
def _trim_all(a: str, b: str) -> str:
    return st.trim(b, a)


@reg("trimSuffix", STR, STR, result=STR)
def _trim_suffix(a: str, b: str) -> str:
    return st.trim_suffix(b, a)


@reg("trimPrefix", STR, STR, result=STR)
def _trim_prefix(a: str, b: str) -> str:
    return st.trim_prefix(b, a)


reg("nospace", STR, result=STR)(st.delete_white_space)
reg("initials", STR, result=STR)(st.initials)
reg("swapcase", STR, result=STR)(st.swap_case)
reg("shuffle", STR, result=STR)(st.shuffle)
reg("snakecase", STR, result=STR)(st.snake_case)
reg("camelcase", STR, result=STR)(st.camel_case)
reg("kebabcase", STR, result=STR)(st.kebab_case)


def _crypto_random(count: int, alphabet: str) -> str:
    """goutils.CryptoRandom: ``count`` characters from ``alphabet`` (errors give "")."""
    if count <= 0:
        return ""
    return "".join(secrets.choice(alphabet) for _ in range(count))


_ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_DIGITS = "0123456789"


@reg("randAlphaNum", INT, result=STR)
def _rand_alpha_num(count: int) -> str:
    return _crypto_random(count, _ALPHA + _DIGITS)


@reg("randAlpha", INT, result=STR)
def _rand_alpha(count: int) -> str:
    return _crypto_random(count, _ALPHA)


@reg("randAscii", INT, result=STR)
def _rand_ascii(count: int) -> str:
    return _crypto_random(count, "".join(chr(c) for c in range(32, 127)))


@reg("randNumeric", INT, result=STR)
def _rand_numeric(count: int) -> str:
    return _crypto_random(count, _DIGITS)


@reg("wrap", INT, STR, result=STR)
def _wrap(n: int, s: str) -> str:
    return st.wrap_custom(s, n, "", False)


@reg("wrapWith", INT, STR, STR, result=STR)
def _wrap_with(n: int, sep: str, s: str) -> str:
    return st.wrap_custom(s, n, sep, True)


@reg("contains", STR, STR, result="bool")
def _contains(substr: str, s: str) -> bool:
    return st.contains(s, substr)


@reg("hasPrefix", STR, STR, result="bool")
def _has_prefix(prefix: str, s: str) -> bool:
    return st.has_prefix(s, prefix)


@reg("hasSuffix", STR, STR, result="bool")
def _has_suffix(suffix: str, s: str) -> bool:
    return st.has_suffix(s, suffix)


@reg("quote", variadic=ANY, result=STR)
def _quote(*args: object) -> str:
    return " ".join(quote(strval(a)) for a in args if a is not None)


@reg("squote", variadic=ANY, result=STR)
def _squote(*args: object) -> str:
    return " ".join("'" + format_value(a, indirect=False) + "'" for a in args if a is not None)


@reg("cat", variadic=ANY, result=STR)
def _cat(*args: object) -> str:
    return " ".join(format_value(a, indirect=False) for a in args if a is not None)


def _indent(spaces: int, v: str) -> str:
    pad = _repeat_str(spaces, " ")
    return pad + v.replace("\n", "\n" + pad)


reg("indent", INT, STR, result=STR)(_indent)


@reg("nindent", INT, STR, result=STR)
def _nindent(spaces: int, v: str) -> str:
    return "\n" + _indent(spaces, v)


@reg("replace", STR, STR, STR, result=STR)
def _replace(old: str, new: str, src: str) -> str:
    return st.replace(src, old, new)


@reg("plural", STR, STR, INT, result=STR)
def _plural(one: str, many: str, count: int) -> str:
    return one if count == 1 else many


@reg("sha1sum", STR, result=STR)
def _sha1sum(s: str) -> str:
    return hashlib.sha1(go_bytes(s)).hexdigest()


@reg("sha256sum", STR, result=STR)
def _sha256sum(s: str) -> str:
    return hashlib.sha256(go_bytes(s)).hexdigest()


@reg("adler32sum", STR, result=STR)
def _adler32sum(s: str) -> str:
    return str(zlib.adler32(go_bytes(s)))


reg("toString", ANY, result=STR)(strval)
reg("atoi", STR, result=INT)(atoi)
reg("int64", ANY, result="int64")(to_int64)
reg("int", ANY, result=INT)(to_int)
reg("float64", ANY, result="float64")(to_float64)


@reg("toDecimal", ANY, result="int64")
def _to_decimal(v: object) -> Int64:
    try:
        return Int64(parse_int(format_value(v, indirect=False), 8, 64))
    except NumError:
        return Int64(0)


def _until_step(start: int, stop: int, step: int) -> IntList:
    if stop < start:
        if step >= 0:
            return IntList()
        return IntList(range(start, stop, step))
    if step <= 0:
        return IntList()
    return IntList(range(start, stop, step))


@reg("seq", variadic=INT, result=STR)
def _seq(*params: int) -> str:
    n = len(params)
    if n == 1:
        start, end = 1, params[0]
        inc = -1 if end < start else 1
        return " ".join(map(str, _until_step(start, end + inc, inc)))
    if n == 3:
        start, step, end = params
        inc = 1
        if end < start:
            inc = -1
            if step > 0:
                return ""
        return " ".join(map(str, _until_step(start, end + inc, step)))
    if n == 2:
        start, end = params
        step = -1 if end < start else 1
        return " ".join(map(str, _until_step(start, end + step, step)))
    return ""


@reg("split", STR, STR, result="map[string]string")
def _split(sep: str, orig: str) -> StrMap:
    return StrMap((f"_{i}", p) for i, p in enumerate(st.split(orig, sep)))


@reg("splitList", STR, STR, result=STRLIST)
def _split_list(sep: str, orig: str) -> StrList:
    return StrList(st.split(orig, sep))


@reg("splitn", STR, INT, STR, result="map[string]string")
def _splitn(sep: str, n: int, orig: str) -> StrMap:
    parts = st.splitn(orig, sep, n) or []
    return StrMap((f"_{i}", p) for i, p in enumerate(parts))


def _strslice(v: object) -> StrList:
    """sprig's strslice: []string as is, other slices element-wise (nils dropped), else [strval]."""
    if isinstance(v, StrList):
        return v
    if isinstance(v, (list, tuple)):
        return StrList(strval(x) for x in v if x is not None)
    if v is None:
        return StrList()
    return StrList([strval(v)])


reg("toStrings", ANY, result=STRLIST)(_strslice)


@reg("until", INT, result="[]int")
def _until(count: int) -> IntList:
    return _until_step(0, count, -1 if count < 0 else 1)


reg("untilStep", INT, INT, INT, result="[]int")(_until_step)


@reg("join", STR, ANY, result=STR)
def _join(sep: str, v: object) -> str:
    return sep.join(_strslice(v))


@reg("sortAlpha", ANY, result=STRLIST)
def _sort_alpha(v: object) -> StrList:
    if isinstance(v, (list, tuple)):
        return StrList(sorted(_strslice(v), key=go_bytes))
    return StrList([strval(v)])


# == math ========================================================================================


@reg("add1", ANY, result="int64")
def _add1(i: object) -> Int64:
    return wrap64(to_int64(i) + 1)


@reg("add", variadic=ANY, result="int64")
def _add(*args: object) -> Int64:
    total = 0
    for a in args:
        total = wrap64(total + to_int64(a))
    return Int64(total)


@reg("sub", ANY, ANY, result="int64")
def _sub(a: object, b: object) -> Int64:
    return wrap64(to_int64(a) - to_int64(b))


def _go_div(a: int, b: int) -> int:
    if b == 0:
        raise GoFuncError("runtime error: integer divide by zero")
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


@reg("div", ANY, ANY, result="int64")
def _div(a: object, b: object) -> Int64:
    return wrap64(_go_div(to_int64(a), to_int64(b)))


@reg("mod", ANY, ANY, result="int64")
def _mod(a: object, b: object) -> Int64:
    x, y = to_int64(a), to_int64(b)
    if y == 0:
        raise GoFuncError("runtime error: integer divide by zero")
    r = abs(x) % abs(y)
    return Int64(-r if x < 0 else r)


@reg("mul", ANY, variadic=ANY, result="int64")
def _mul(a: object, *v: object) -> Int64:
    val = to_int64(a)
    for b in v:
        val = wrap64(val * to_int64(b))
    return Int64(val)


@reg("randInt", INT, INT, result=INT)
def _rand_int(lo: int, hi: int) -> int:
    if hi - lo <= 0:
        raise GoFuncError("invalid argument to Intn")
    return random.randrange(hi - lo) + lo


def _decimal(f: float) -> Fraction:
    """decimal.NewFromFloat: the shortest decimal that round-trips, as an exact fraction."""
    if f.is_integer() and -_EXACT_INT < f < _EXACT_INT:
        # Below 2**53 the shortest repr of a whole float is the integer itself.
        return Fraction(int(f))
    if math.isnan(f) or math.isinf(f):
        raise GoFuncError("Cannot create a Decimal from " + format_value(f))
    return Fraction(Decimal(repr(f)))


_EXACT_INT = 2**53
_DIV_SCALE = 10**16


def _decimal_div(a: Fraction, b: Fraction) -> Fraction:
    """decimal.Decimal.Div: 16 decimal places, the last rounded half away from zero."""
    if b == 0:
        raise GoFuncError("decimal division by 0")
    # In integers: one Fraction built instead of one per arithmetic step.
    num = a.numerator * b.denominator
    den = a.denominator * b.numerator
    if den < 0:
        num, den = -num, -den
    whole, rest = divmod(abs(num) * _DIV_SCALE, den)
    if rest * 2 >= den:
        whole += 1
    return Fraction(whole if num >= 0 else -whole, _DIV_SCALE)


def _decimal_op(first: object, rest: Sequence[object], op: str) -> float:
    acc = _decimal(to_float64(first))
    for x in rest:
        d = _decimal(to_float64(x))
        if op == "+":
            acc += d
        elif op == "-":
            acc -= d
        elif op == "*":
            acc *= d
        else:
            acc = _decimal_div(acc, d)
    return _fraction_to_float(acc)


def _fraction_to_float(q: Fraction) -> float:
    """big.Rat.Float64: the nearest float64 (Python's Fraction.__float__ rounds correctly)."""
    try:
        return float(q)
    except OverflowError:
        return math.inf if q > 0 else -math.inf


@reg("add1f", ANY, result="float64")
def _add1f(i: object) -> float:
    return _decimal_op(i, [1], "+")


@reg("addf", variadic=ANY, result="float64")
def _addf(*args: object) -> float:
    return _decimal_op(0.0, args, "+")


@reg("subf", ANY, variadic=ANY, result="float64")
def _subf(a: object, *v: object) -> float:
    return _decimal_op(a, v, "-")


@reg("divf", ANY, variadic=ANY, result="float64")
def _divf(a: object, *v: object) -> float:
    return _decimal_op(a, v, "/")


@reg("mulf", ANY, variadic=ANY, result="float64")
def _mulf(a: object, *v: object) -> float:
    return _decimal_op(a, v, "*")


@reg("max", ANY, variadic=ANY, result="int64", aliases=("biggest",))
def _max(a: object, *i: object) -> Int64:
    return Int64(max([to_int64(a), *(to_int64(b) for b in i)]))


@reg("min", ANY, variadic=ANY, result="int64")
def _min(a: object, *i: object) -> Int64:
    return Int64(min([to_int64(a), *(to_int64(b) for b in i)]))


def _go_max(x: float, y: float) -> float:
    """math.Max: +Inf wins, then NaN, and +0 beats -0."""
    if (math.isinf(x) and x > 0) or (math.isinf(y) and y > 0):
        return math.inf
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if x == 0 and x == y:
        return y if math.copysign(1, x) < 0 else x
    return x if x > y else y


def _go_min(x: float, y: float) -> float:
    """math.Min: -Inf wins, then NaN, and -0 beats +0."""
    if (math.isinf(x) and x < 0) or (math.isinf(y) and y < 0):
        return -math.inf
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if x == 0 and x == y:
        return x if math.copysign(1, x) < 0 else y
    return x if x < y else y


@reg("maxf", ANY, variadic=ANY, result="float64")
def _maxf(a: object, *i: object) -> float:
    acc = to_float64(a)
    for b in i:
        acc = _go_max(acc, to_float64(b))
    return acc


@reg("minf", ANY, variadic=ANY, result="float64")
def _minf(a: object, *i: object) -> float:
    acc = to_float64(a)
    for b in i:
        acc = _go_min(acc, to_float64(b))
    return acc


def _go_ceil(f: float) -> float:
    """math.Ceil (keeps -0: Ceil(-0.5) is -0)."""
    if math.isinf(f) or math.isnan(f) or f == 0:
        return f
    r = float(math.ceil(f))
    return -0.0 if r == 0 and f < 0 else r


def _go_floor(f: float) -> float:
    """math.Floor."""
    if math.isinf(f) or math.isnan(f) or f == 0:
        return f
    return float(math.floor(f))


@reg("ceil", ANY, result="float64")
def _ceil(a: object) -> float:
    return _go_ceil(to_float64(a))


@reg("floor", ANY, result="float64")
def _floor(a: object) -> float:
    return _go_floor(to_float64(a))


@reg("round", ANY, INT, variadic="float64", result="float64")
def _round(a: object, p: int, *r_opt: float) -> float:
    round_on = r_opt[0] if r_opt else 0.5
    val = to_float64(a)
    try:
        pow10 = math.pow(10, float(p))
    except OverflowError:
        pow10 = math.inf  # Go's math.Pow overflows to +Inf
    digit = pow10 * val
    div = math.modf(digit)[0] if not math.isinf(digit) else 0.0
    rounded = _go_ceil(digit) if div >= round_on else _go_floor(digit)
    try:
        return rounded / pow10
    except ZeroDivisionError:
        return math.nan if rounded == 0 else math.copysign(math.inf, rounded)


# == defaults, JSON, reflection ==================================================================


@reg("default", ANY, variadic=ANY, result=ANY)
def _default(d: object, *given: object) -> object:
    if not given or empty(given[0]):
        return d
    return given[0]


reg("empty", ANY, result="bool")(empty)


@reg("coalesce", variadic=ANY, result=ANY)
def _coalesce(*v: object) -> object:
    for x in v:
        if not empty(x):
            return x
    return None


@reg("all", variadic=ANY, result="bool")
def _all(*v: object) -> bool:
    return all(not empty(x) for x in v)


@reg("any", variadic=ANY, result="bool")
def _any(*v: object) -> bool:
    return any(not empty(x) for x in v)


def _compact(v: object) -> list[Any]:
    return [x for x in _items(v, "compact on") if not empty(x)]


reg("compact", ANY, result=LIST)(_compact)
reg("mustCompact", ANY, result=LIST)(_compact)


@reg("fromJson", STR, result=ANY)
def _from_json(s: str) -> object:
    return unmarshal(s)[0]


@reg("mustFromJson", STR, result=ANY)
def _must_from_json(s: str) -> object:
    value, err = unmarshal(s)
    if err is not None:
        raise GoFuncError(err)
    return value


@reg("toJson", ANY, result=STR)
def _to_json(v: object) -> str:
    try:
        return marshal(v)
    except JSONError:
        return ""


@reg("mustToJson", ANY, result=STR)
def _must_to_json(v: object) -> str:
    try:
        return marshal(v)
    except JSONError as e:
        raise GoFuncError(str(e)) from None


@reg("toPrettyJson", ANY, result=STR)
def _to_pretty_json(v: object) -> str:
    try:
        return marshal(v, indent="  ")
    except JSONError:
        return ""


@reg("mustToPrettyJson", ANY, result=STR)
def _must_to_pretty_json(v: object) -> str:
    try:
        return marshal(v, indent="  ")
    except JSONError as e:
        raise GoFuncError(str(e)) from None


@reg("toRawJson", ANY, result=STR, aliases=("mustToRawJson",))
def _to_raw_json(v: object) -> str:
    try:
        return marshal(v, escape_html=False)
    except JSONError as e:
        raise GoFuncError(str(e)) from None


@reg("ternary", ANY, ANY, "bool", result=ANY)
def _ternary(vt: object, vf: object, v: bool) -> object:
    return vt if v else vf


def _deep_copy(v: object) -> object:
    if v is None:
        # copystructure walks reflect.ValueOf(nil), the zero Value, and reflect panics.
        raise GoFuncError("reflect: call of reflect.Value.Type on zero Value")
    return _copy_data(v, {})


def _copy_data(v: object, memo: dict[int, object]) -> object:
    """Deep-copy template data without running any of its code (copy.deepcopy would call
    ``__deepcopy__``/``__reduce_ex__``): containers are rebuilt, plain objects get a fresh
    ``__dict__`` through ``object.__new__`` (no ``__init__``, no ``__setattr__``), and anything
    else, immutable scalars included, is shared as Go shares values it cannot copy."""
    if v is None or isinstance(v, (str, bytes, int, float, complex)):
        return v
    seen = memo.get(id(v))
    if seen is not None:
        return seen
    cls = type(v)
    if isinstance(v, dict):
        out_d: dict[object, object] = {}
        memo[id(v)] = out_d
        for k, item in v.items():
            out_d[k] = _copy_data(item, memo)
        return out_d
    if isinstance(v, list):
        out_l: list[object] = []
        memo[id(v)] = out_l
        out_l.extend(_copy_data(item, memo) for item in v)
        return out_l
    if isinstance(v, tuple) and not hasattr(v, "_fields"):
        return tuple(_copy_data(item, memo) for item in v)
    state = getattr(v, "__dict__", None)
    if type(state) is dict and not hasattr(cls, "__slots__"):
        try:
            new = object.__new__(cls)
        except TypeError:  # a C-level type (not plain data): shared
            return v
        memo[id(v)] = new
        new.__dict__.update({k: _copy_data(item, memo) for k, item in state.items()})
        return new
    return v


reg("deepCopy", ANY, result=ANY)(_deep_copy)
reg("mustDeepCopy", ANY, result=ANY)(_deep_copy)

reg("typeOf", ANY, result=STR)(type_of)
reg("kindOf", ANY, result=STR)(kind_of)


@reg("typeIs", STR, ANY, result="bool")
def _type_is(target: str, src: object) -> bool:
    return target == type_of(src)


@reg("typeIsLike", STR, ANY, result="bool")
def _type_is_like(target: str, src: object) -> bool:
    t = type_of(src)
    return target == t or "*" + target == t


@reg("kindIs", STR, ANY, result="bool")
def _kind_is(target: str, src: object) -> bool:
    return target == kind_of(src)


reg("deepEqual", ANY, ANY, result="bool")(deep_equal)


# == OS, network, paths, encodings ===============================================================


@reg("env", STR, result=STR)
def _env(name: str) -> str:
    return os.environ.get(name, "")


@reg("expandenv", STR, result=STR)
def _expandenv(s: str) -> str:
    return expand(s, lambda k: os.environ.get(k, ""))


@reg("getHostByName", STR, result=STR)
def _get_host_by_name(name: str) -> str:
    try:
        infos = socket.getaddrinfo(name, None)
    except OSError:
        infos = []
    addrs = list(dict.fromkeys(str(i[4][0]) for i in infos))
    if not addrs:
        raise GoFuncError("invalid argument to Intn")
    return random.choice(addrs)


for _prefix in ("", "os"):
    reg(_prefix + ("Base" if _prefix else "base"), STR, result=STR)(base)
    reg(_prefix + ("Dir" if _prefix else "dir"), STR, result=STR)(dir_)
    reg(_prefix + ("Clean" if _prefix else "clean"), STR, result=STR)(clean)
    reg(_prefix + ("Ext" if _prefix else "ext"), STR, result=STR)(ext)
    reg(_prefix + ("IsAbs" if _prefix else "isAbs"), STR, result="bool")(is_abs)


@reg("b64enc", STR, result=STR)
def _b64enc(v: str) -> str:
    return base64.b64encode(go_bytes(v)).decode("ascii")


@reg("b64dec", STR, result=STR)
def _b64dec(v: str) -> str:
    try:
        return go_str(b64decode(go_bytes(v)))
    except CorruptInput as e:
        return str(e)


@reg("b32enc", STR, result=STR)
def _b32enc(v: str) -> str:
    return base64.b32encode(go_bytes(v)).decode("ascii")


@reg("b32dec", STR, result=STR)
def _b32dec(v: str) -> str:
    try:
        return go_str(b32decode(go_bytes(v)))
    except CorruptInput as e:
        return str(e)


# == data structures =============================================================================


@reg("list", variadic=ANY, result=LIST, aliases=("tuple",))
def _list(*v: object) -> list[Any]:
    return list(v)


@reg("dict", variadic=ANY, result=MAP)
def _dict(*v: object) -> dict[str, Any]:
    d: dict[str, Any] = {}
    for i in range(0, len(v), 2):
        key = strval(v[i])
        d[key] = v[i + 1] if i + 1 < len(v) else ""
    return d


def _map_arg(d: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return {} if d is None else d


@reg("get", MAP, STR, result=ANY)
def _get(d: Mapping[str, Any] | None, key: str) -> object:
    m = _map_arg(d)
    return m.get(key, "")


def _assign_to_nil_map() -> GoFuncError:
    return GoFuncError("assignment to entry in nil map")


@reg("set", MAP, STR, ANY, result=MAP)
def _set(d: dict[str, Any] | None, key: str, value: object) -> dict[str, Any]:
    if d is None:
        raise _assign_to_nil_map()
    d[key] = value
    return d


@reg("unset", MAP, STR, result=MAP)
def _unset(d: dict[str, Any] | None, key: str) -> dict[str, Any]:
    if d is None:
        # A nil map comes back (it prints as map[]).
        return {}
    d.pop(key, None)
    return d


@reg("hasKey", MAP, STR, result="bool")
def _has_key(d: Mapping[str, Any] | None, key: str) -> bool:
    return key in _map_arg(d)


@reg("pluck", STR, variadic=MAP, result=LIST)
def _pluck(key: str, *dicts: Mapping[str, Any] | None) -> list[Any]:
    return [d[key] for d in dicts if d is not None and key in d]


@reg("keys", variadic=MAP, result=STRLIST)
def _keys(*dicts: Mapping[str, Any] | None) -> StrList:
    return StrList(k for d in dicts if d is not None for k in d)


@reg("pick", MAP, variadic=STR, result=MAP)
def _pick(d: Mapping[str, Any] | None, *keys: str) -> dict[str, Any]:
    m = _map_arg(d)
    return {k: m[k] for k in keys if k in m}


@reg("omit", MAP, variadic=STR, result=MAP)
def _omit(d: Mapping[str, Any] | None, *keys: str) -> dict[str, Any]:
    drop = set(keys)
    return {k: v for k, v in _map_arg(d).items() if k not in drop}


def _mergo(dst: dict[str, Any], src: Mapping[str, Any], overwrite: bool) -> None:
    """mergo.Merge / MergeWithOverwrite for map[string]interface{} (mergo v0.3.11's deepMerge).

    Nested maps are merged in place; a non-empty destination keeps its value unless
    overwriting, except that a map or slice never replaces a non-empty destination value.
    """
    for key, sv in src.items():
        present = key in dst
        dv = dst.get(key)
        if sv is None:
            if overwrite:
                dst[key] = None
            continue
        if isinstance(sv, Mapping):
            if present and isinstance(dv, dict):
                _mergo(dv, sv, overwrite)
        elif isinstance(sv, (list, tuple)):
            slice_val = [] if not present or dv is None else dv
            if overwrite or len(dst) == 0:
                slice_val = sv
            dst[key] = slice_val
        if present and not empty(dv) and isinstance(sv, (Mapping, list, tuple)):
            if isinstance(sv, (list, tuple)) and not overwrite:
                dst[key] = dv
            continue
        if overwrite or not present or empty(dv):
            dst[key] = sv


def _merge(
    dst: dict[str, Any] | None, srcs: Sequence[Mapping[str, Any] | None], overwrite: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {} if dst is None else dst
    for src in srcs:
        if src is not None:
            _mergo(out, src, overwrite)
    return out


@reg("merge", MAP, variadic=MAP, result=ANY, aliases=("mustMerge",))
def _merge_fn(dst: dict[str, Any] | None, *srcs: Mapping[str, Any] | None) -> dict[str, Any]:
    return _merge(dst, srcs, False)


@reg("mergeOverwrite", MAP, variadic=MAP, result=ANY, aliases=("mustMergeOverwrite",))
def _merge_overwrite(dst: dict[str, Any] | None, *srcs: Mapping[str, Any] | None) -> dict[str, Any]:
    return _merge(dst, srcs, True)


@reg("values", MAP, result=LIST)
def _values(d: Mapping[str, Any] | None) -> list[Any]:
    return list(_map_arg(d).values())


def _push(lst: object, v: object) -> list[Any]:
    return [*_items(lst, "push on"), v]


reg("append", ANY, ANY, result=LIST, aliases=("push", "mustAppend", "mustPush"))(_push)


def _prepend(lst: object, v: object) -> list[Any]:
    return [v, *_items(lst, "prepend on")]


reg("prepend", ANY, ANY, result=LIST, aliases=("mustPrepend",))(_prepend)


def _first(lst: object) -> object:
    items = _items(lst, "find first on")
    return items[0] if items else None


reg("first", ANY, result=ANY, aliases=("mustFirst",))(_first)


def _last(lst: object) -> object:
    items = _items(lst, "find last on")
    return items[-1] if items else None


reg("last", ANY, result=ANY, aliases=("mustLast",))(_last)


def _rest(lst: object) -> list[Any]:
    items = _items(lst, "find rest on")
    return items[1:] if items else NilList()


reg("rest", ANY, result=LIST, aliases=("mustRest",))(_rest)


def _initial(lst: object) -> list[Any]:
    items = _items(lst, "find initial on")
    return items[:-1] if items else NilList()


reg("initial", ANY, result=LIST, aliases=("mustInitial",))(_initial)


def _reverse(lst: object) -> list[Any]:
    return _items(lst, "find reverse on")[::-1]


reg("reverse", ANY, result=LIST, aliases=("mustReverse",))(_reverse)


def _uniq(lst: object) -> list[Any]:
    out: list[Any] = []
    for x in _items(lst, "find uniq on"):
        if not any(deep_equal(x, y) for y in out):
            out.append(x)
    return out


reg("uniq", ANY, result=LIST, aliases=("mustUniq",))(_uniq)


def _without(lst: object, *omit: object) -> list[Any]:
    return [x for x in _items(lst, "find without on") if not any(deep_equal(x, o) for o in omit)]


reg("without", ANY, variadic=ANY, result=LIST, aliases=("mustWithout",))(_without)


def _has(needle: object, haystack: object) -> bool:
    if haystack is None:
        return False
    return any(deep_equal(needle, x) for x in _items(haystack, "find has on"))


reg("has", ANY, ANY, result="bool", aliases=("mustHas",))(_has)


def _slice(lst: object, *indices: object) -> object:
    k = _kind(lst)
    if k != "slice":
        raise GoFuncError(f"list should be type of slice or array but {k}")
    assert isinstance(lst, (list, tuple))
    n = len(lst)
    if n == 0:
        return None
    start = to_int(indices[0]) if indices else 0
    end = n if len(indices) < 2 else to_int(indices[1])
    if not 0 <= start <= end <= n:
        raise GoFuncError("reflect.Value.Slice: slice index out of bounds")
    part = lst[start:end]
    return StrList(part) if isinstance(lst, StrList) else list(part)


reg("slice", ANY, variadic=ANY, result=ANY, aliases=("mustSlice",))(_slice)


@reg("concat", variadic=ANY, result=ANY)
def _concat(*lists: object) -> list[Any]:
    res: list[Any] = []
    for lst in lists:
        k = _kind(lst)
        if k != "slice":
            raise GoFuncError(f"Cannot concat type {k} as list")
        assert isinstance(lst, (list, tuple))
        res.extend(lst)
    return res if res else NilList()


@reg("dig", variadic=ANY, result=ANY)
def _dig(*ps: object) -> object:
    if len(ps) < 3:
        raise GoFuncError("dig needs at least three arguments")
    d = ps[-1]
    if not isinstance(d, Mapping) or isinstance(d, StrMap):
        raise _conv_err(d, "map[string]interface {}")
    default = ps[-2]
    keys: list[str] = []
    for k in ps[:-2]:
        if not isinstance(k, str):
            raise _conv_err(k, "string")
        keys.append(k)
    cur: Mapping[str, Any] = d
    for i, k in enumerate(keys):
        if k not in cur:
            return default
        step = cur[k]
        if i == len(keys) - 1:
            return step
        if not isinstance(step, Mapping) or isinstance(step, StrMap):
            raise _conv_err(step, "map[string]interface {}")
        cur = step
    return default


def _chunk(size: int, lst: object) -> ChunkList:
    """sprig's chunk, including its float arithmetic (so odd negative sizes behave as in Go)."""
    items = _items(lst, "chunk")
    n = len(items)
    makeslice = GoFuncError("runtime error: makeslice: len out of range")
    if size == 0:
        raise makeslice  # (n-1)/0 is ±Inf or NaN, which int() turns into MinInt64
    cs = math.floor((n - 1) / size) + 1
    if cs < 0:
        raise makeslice
    out = ChunkList()
    for i in range(cs):
        clen = size
        if i == cs - 1:
            clen = math.floor(math.fmod(n, size)) or size
        if clen < 0:
            raise makeslice
        row = []
        for j in range(clen):
            ix = i * size + j
            if not 0 <= ix < n:
                raise GoFuncError("reflect: slice index out of range")
            row.append(items[ix])
        out.append(row)
    return out


reg("chunk", INT, ANY, result="[][]interface {}", aliases=("mustChunk",))(_chunk)


# == crypto ======================================================================================


def _unsupported(name: str, why: str) -> GoFuncError:
    return GoFuncError(f"{name} is not supported by mailtemplates ({why})")


_BCRYPT_B64 = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


_CRYPT_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _libcrypt() -> Any:
    """The C library's crypt(3), which implements bcrypt on glibc/libxcrypt systems, or None."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("crypt")
    if name is None:
        return None
    try:
        fn = ctypes.CDLL(name).crypt
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    fn.restype = ctypes.c_char_p
    return fn


def _bcrypt_hash(password: str) -> str:
    """golang.org/x/crypto/bcrypt GenerateFromPassword at the default cost (10), ``$2a$``."""
    pw = go_bytes(password)  # like Go's bcrypt, crypt(3) uses the first 72 bytes only
    fn = _libcrypt()
    if fn is None or b"\x00" in pw:
        raise _unsupported("bcrypt", "the system crypt(3) has no bcrypt")
    # 16 random bytes in bcrypt's base64: 21 full characters and one carrying 4 bits.
    n = int.from_bytes(secrets.token_bytes(16), "big") << 4
    salt = "".join(_BCRYPT_B64[(n >> (6 * (21 - i))) & 63] for i in range(22))
    with _CRYPT_LOCK:  # crypt(3) returns a static buffer: one caller at a time
        out = fn(pw, f"$2a$10${salt}".encode("ascii"))
    if not out or not out.startswith(b"$2a$10$"):
        raise _unsupported("bcrypt", "the system crypt(3) has no bcrypt")
    return str(out.decode("ascii"))


@reg("bcrypt", STR, result=STR)
def _bcrypt(password: str) -> str:
    return _bcrypt_hash(password)


@reg("htpasswd", STR, STR, result=STR)
def _htpasswd(username: str, password: str) -> str:
    if ":" in username:
        return f"invalid username: {username}"
    return f"{username}:{_bcrypt_hash(password)}"


for _name, _params in (
    ("genPrivateKey", (STR,)),
    ("buildCustomCert", (STR, STR)),
    ("genCA", (STR, INT)),
    ("genCAWithKey", (STR, INT, STR)),
    ("genSelfSignedCert", (STR, LIST, LIST, INT)),
    ("genSelfSignedCertWithKey", (STR, LIST, LIST, INT, STR)),
    ("genSignedCert", (STR, LIST, LIST, INT, ANY)),
    ("genSignedCertWithKey", (STR, LIST, LIST, INT, ANY, STR)),
):

    def _refuse(*_: object, _n: str = _name) -> object:
        raise _unsupported(_n, "key and certificate generation is out of scope for email templates")

    reg(_name, *_params, result=ANY)(_refuse)

_MASTER_PASSWORD_SEED = b"com.lyndir.masterpassword"
_PASSWORD_TEMPLATES: dict[str, list[str]] = {
    "maximum": ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
    "long": [
        "CvcvnoCvcvCvcv",
        "CvcvCvcvnoCvcv",
        "CvcvCvcvCvcvno",
        "CvccnoCvcvCvcv",
        "CvccCvcvnoCvcv",
        "CvccCvcvCvcvno",
        "CvcvnoCvccCvcv",
        "CvcvCvccnoCvcv",
        "CvcvCvccCvcvno",
        "CvcvnoCvcvCvcc",
        "CvcvCvcvnoCvcc",
        "CvcvCvcvCvccno",
        "CvccnoCvccCvcv",
        "CvccCvccnoCvcv",
        "CvccCvccCvcvno",
        "CvcvnoCvccCvcc",
        "CvcvCvccnoCvcc",
        "CvcvCvccCvccno",
        "CvccnoCvcvCvcc",
        "CvccCvcvnoCvcc",
        "CvccCvcvCvccno",
    ],
    "medium": ["CvcnoCvc", "CvcCvcno"],
    "short": ["Cvcn"],
    "basic": ["aaanaaan", "aannaaan", "aaannaaa"],
    "pin": ["nnnn"],
}
_TEMPLATE_CHARACTERS = {
    "V": "AEIOU",
    "C": "BCDFGHJKLMNPQRSTVWXYZ",
    "v": "aeiou",
    "c": "bcdfghjklmnpqrstvwxyz",
    "A": "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
    "a": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
    "n": "0123456789",
    "o": "@&%?,=[]_:-+*$#!'^~;()/.",
    "x": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
}


@reg("derivePassword", "uint32", STR, STR, STR, STR, result=STR)
def _derive_password(counter: int, password_type: str, password: str, user: str, site: str) -> str:
    """The Master Password algorithm (scrypt key, HMAC-SHA256 seed, character templates)."""
    templates = _PASSWORD_TEMPLATES.get(password_type)
    if templates is None:
        return f"cannot find password template {password_type}"
    ub, sb = go_bytes(user), go_bytes(site)
    salt = _MASTER_PASSWORD_SEED + struct.pack(">I", len(ub)) + ub
    key = hashlib.scrypt(go_bytes(password), salt=salt, n=32768, r=8, p=2, maxmem=256 * 1024 * 1024, dklen=64)
    msg = _MASTER_PASSWORD_SEED + struct.pack(">I", len(sb)) + sb + struct.pack(">I", counter & 0xFFFFFFFF)
    seed = hmac.new(key, msg, hashlib.sha256).digest()
    temp = templates[seed[0] % len(templates)]
    out = []
    for i, element in enumerate(temp):
        chars = _TEMPLATE_CHARACTERS[element]
        out.append(chars[seed[i + 1] % len(chars)])
    return "".join(out)


def _aes_cbc(key: bytes, iv: bytes, data: bytes, encrypt: bool) -> bytes:
    try:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    except ImportError:  # pragma: no cover - depends on the environment
        raise _unsupported("encryptAES/decryptAES", "install the 'cryptography' package") from None
    cipher = Cipher(algorithms.AES(key), modes.CBC(iv))
    op = cipher.encryptor() if encrypt else cipher.decryptor()
    return bytes(op.update(data) + op.finalize())


def _aes_key(password: str) -> bytes:
    return (go_bytes(password) + bytes(32))[:32]


@reg("encryptAES", STR, STR, result=STR)
def _encrypt_aes(password: str, plaintext: str) -> str:
    if plaintext == "":
        return ""
    content = go_bytes(plaintext)
    padding = 16 - len(content) % 16
    content += bytes([padding]) * padding
    iv = secrets.token_bytes(16)
    return base64.b64encode(iv + _aes_cbc(_aes_key(password), iv, content, True)).decode("ascii")


@reg("decryptAES", STR, STR, result=STR)
def _decrypt_aes(password: str, crypt64: str) -> str:
    if crypt64 == "":
        return ""
    try:
        crypt = b64decode(go_bytes(crypt64))
    except CorruptInput as e:
        raise GoFuncError(str(e)) from None
    if len(crypt) < 16:
        # crypt[:aes.BlockSize] on a []byte: Go reports the capacity, DecodedLen of the input.
        cap = len(go_bytes(crypt64)) // 4 * 3
        raise GoFuncError(f"runtime error: slice bounds out of range [:16] with capacity {cap}")
    iv, body = crypt[:16], crypt[16:]
    if len(body) % 16:
        raise GoFuncError("crypto/cipher: input not full blocks")
    if not body:
        raise GoFuncError("runtime error: index out of range [-1]")
    dec = _aes_cbc(_aes_key(password), iv, body, False)
    cut = len(dec) - dec[-1]
    if cut < 0:
        raise _slice_panic(None, cut, len(dec))
    return go_str(dec[:cut])


@reg("randBytes", INT, result=STR)
def _rand_bytes(count: int) -> str:
    if count < 0:
        raise GoFuncError("runtime error: makeslice: len out of range")
    return base64.b64encode(secrets.token_bytes(count)).decode("ascii")


@reg("uuidv4", result=STR)
def _uuidv4() -> str:
    return str(uuid.uuid4())


# == semver, flow control, regexp, URLs ==========================================================


@reg("semver", STR, result="*semver.Version")
def _semver(version: str) -> object:
    try:
        return new_version(version)
    except SemverError as e:
        raise GoFuncError(str(e)) from None


@reg("semverCompare", STR, STR, result="bool")
def _semver_compare(constraint: str, version: str) -> bool:
    try:
        return check_constraint(constraint, version)
    except SemverError as e:
        raise GoFuncError(str(e)) from None


@reg("fail", STR, result=STR)
def _fail(msg: str) -> str:
    raise GoFuncError(msg)


def _compile(regex: str, must: bool) -> Any:
    """regexp.MustCompile (panic text) or regexp.Compile (error text)."""
    try:
        return must_compile(regex) if must else compile_go(regex)
    except (RegexError, RegexUnsupported) as e:
        raise GoFuncError(str(e)) from None


def _str_list(items: list[str] | None) -> StrList:
    """A Go []string result: None is the nil slice."""
    return NilStrList() if items is None else StrList(items)


@reg("regexMatch", STR, STR, result="bool")
def _regex_match(regex: str, s: str) -> bool:
    try:
        return bool(compile_go(regex).match_string(s))
    except RegexError:
        return False
    except RegexUnsupported as e:
        raise GoFuncError(str(e)) from None


@reg("mustRegexMatch", STR, STR, result="bool")
def _must_regex_match(regex: str, s: str) -> bool:
    return bool(_compile(regex, False).match_string(s))


@reg("regexFindAll", STR, STR, INT, result=STRLIST)
def _regex_find_all(regex: str, s: str, n: int) -> StrList:
    return _str_list(_compile(regex, True).find_all_string(s, n))


@reg("mustRegexFindAll", STR, STR, INT, result=STRLIST)
def _must_regex_find_all(regex: str, s: str, n: int) -> StrList:
    return _str_list(_compile(regex, False).find_all_string(s, n))


@reg("regexFind", STR, STR, result=STR)
def _regex_find(regex: str, s: str) -> str:
    return str(_compile(regex, True).find_string(s))


@reg("mustRegexFind", STR, STR, result=STR)
def _must_regex_find(regex: str, s: str) -> str:
    return str(_compile(regex, False).find_string(s))


@reg("regexReplaceAll", STR, STR, STR, result=STR)
def _regex_replace_all(regex: str, s: str, repl: str) -> str:
    return str(_compile(regex, True).replace_all(s, repl, False))


@reg("mustRegexReplaceAll", STR, STR, STR, result=STR)
def _must_regex_replace_all(regex: str, s: str, repl: str) -> str:
    return str(_compile(regex, False).replace_all(s, repl, False))


@reg("regexReplaceAllLiteral", STR, STR, STR, result=STR)
def _regex_replace_all_literal(regex: str, s: str, repl: str) -> str:
    return str(_compile(regex, True).replace_all(s, repl, True))


@reg("mustRegexReplaceAllLiteral", STR, STR, STR, result=STR)
def _must_regex_replace_all_literal(regex: str, s: str, repl: str) -> str:
    return str(_compile(regex, False).replace_all(s, repl, True))


@reg("regexSplit", STR, STR, INT, result=STRLIST)
def _regex_split(regex: str, s: str, n: int) -> StrList:
    return _str_list(_compile(regex, True).split(s, n))


@reg("mustRegexSplit", STR, STR, INT, result=STRLIST)
def _must_regex_split(regex: str, s: str, n: int) -> StrList:
    return _str_list(_compile(regex, False).split(s, n))


reg("regexQuoteMeta", STR, result=STR)(quote_meta)


@reg("urlParse", STR, result=MAP)
def _url_parse(v: str) -> dict[str, Any]:
    try:
        u = parse_url(v)
    except URLError as e:
        raise GoFuncError(f"unable to parse url: {e}") from None
    return {
        "scheme": u.scheme,
        "host": u.host,
        "hostname": u.hostname(),
        "path": u.path,
        "query": u.raw_query,
        "opaque": u.opaque,
        "fragment": u.fragment,
        "userinfo": u.user.string() if u.user is not None else "",
    }


def _dict_get_or_empty(d: Mapping[str, Any], key: str) -> str:
    if key not in d:
        return ""
    value = d[key]
    if not isinstance(value, str):
        if value is None:
            raise GoFuncError(_NIL_DEREF)
        raise GoFuncError(f"unable to parse {key} key, must be of type string, but {kind_of(value)} found")
    return value


@reg("urlJoin", MAP, result=STR)
def _url_join(d: Mapping[str, Any] | None) -> str:
    from .sprig_url import URL

    m = _map_arg(d)
    u = URL(
        scheme=_dict_get_or_empty(m, "scheme"),
        host=_dict_get_or_empty(m, "host"),
        path=_dict_get_or_empty(m, "path"),
        raw_query=_dict_get_or_empty(m, "query"),
        opaque=_dict_get_or_empty(m, "opaque"),
        fragment=_dict_get_or_empty(m, "fragment"),
    )
    userinfo = _dict_get_or_empty(m, "userinfo")
    if userinfo:
        try:
            u.user = parse_url(f"proto://{userinfo}@host").user
        except URLError as e:
            raise GoFuncError(f"unable to parse userinfo in dict: {e}") from None
    return u.string()

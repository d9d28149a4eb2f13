"""sprig v3.3.0 ``numeric.go`` and the integer one-liners of ``functions.go`` (``add``, ``div``,
``randInt``, ...): int64 math, shopspring/decimal float math, seq/until, rounding.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from ...gofmt import format_value
from ...values import Int64
from .. import GoFuncError
from ..sprig_conv import IntList, NumError, atoi, int64_value, parse_int, to_float64, to_int, to_int64, wrap64
from ._common import ANY, INT, STR, reg

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


@reg("until", INT, result="[]int")
def _until(count: int) -> IntList:
    return _until_step(0, count, -1 if count < 0 else 1)


reg("untilStep", INT, INT, INT, result="[]int")(_until_step)


@reg("add1", ANY, result="int64")
def _add1(i: object) -> Int64:
    return wrap64(int64_value(i) + 1)


@reg("add", variadic=ANY, result="int64")
def _add(*args: object) -> Int64:
    total = 0
    for a in args:
        total += int64_value(a)
    return wrap64(total)  # once: wrapping after each step gives the same (arithmetic mod 2**64)


@reg("sub", ANY, ANY, result="int64")
def _sub(a: object, b: object) -> Int64:
    return wrap64(int64_value(a) - int64_value(b))


def _go_div(a: int, b: int) -> int:
    if b == 0:
        raise GoFuncError("runtime error: integer divide by zero")
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


@reg("div", ANY, ANY, result="int64")
def _div(a: object, b: object) -> Int64:
    return wrap64(_go_div(int64_value(a), int64_value(b)))


@reg("mod", ANY, ANY, result="int64")
def _mod(a: object, b: object) -> Int64:
    x, y = int64_value(a), int64_value(b)
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
    if len(v) == 1:
        x, y = to_float64(a), to_float64(v[0])
        if (
            x.is_integer()
            and y.is_integer()
            and y != 0
            and -_EXACT_INT < x < _EXACT_INT
            and -_EXACT_INT < y < _EXACT_INT
        ):
            return _whole_div(int(x), int(y))
    return _decimal_op(a, v, "/")


def _whole_div(a: int, b: int) -> float:
    """``_decimal_div`` of two whole numbers (``b`` not 0) and the float of the result, in ints:
    no Fraction to build and reduce. The same value: ``int / int`` rounds correctly, as
    ``float(Fraction)`` does."""
    if b < 0:
        a, b = -a, -b
    whole, rest = divmod(abs(a) * _DIV_SCALE, b)
    if rest * 2 >= b:
        whole += 1
    return (whole if a >= 0 else -whole) / _DIV_SCALE


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

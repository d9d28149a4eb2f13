"""The methods of Go 1.26's ``time.Time``, ``time.Duration``, ``time.Month`` and ``time.Weekday``
(``time/time.go``, ``time/format.go``) that templates can call on the values sprig's date
functions return: ``{{ (toDate "2006-01-02" .D).Year }}``, ``{{ now.Format "Jan 2" }}``,
``{{ ($a.Sub $b).Hours }}``.

Registered in :data:`..funcs.METHODS`; the runtime checks the arguments against the Go
parameter types and reports errors as Go's ``evalCall`` does. Methods whose results a template
cannot take (``Zone`` returns two values, ``Date`` three) fail with Go's own message. Not
offered: methods on ``*time.Location`` (no template function makes one, so ``In`` cannot be
called) and the marshalling methods.
"""

from __future__ import annotations

import datetime as _dt
from typing import Final

from ..gofmt import MONTH_NAMES, STRINGERS, time_gostring
from ..values import GoTime
from . import GoFuncError, methods
from .sprig_time import (
    HOUR,
    LOCAL,
    MINUTE,
    SECOND,
    UTC,
    GoTimeNs,
    TimeError,
    add,
    duration_string,
    format_time,
    in_zone,
    make,
    nanos,
    round_duration,
    time_string,
    unix,
    unix_seconds,
    year,
)

__all__ = ["Duration", "Month", "Weekday"]

_MIN_DURATION: Final = -(1 << 63)
_MAX_DURATION: Final = (1 << 63) - 1
#: Seconds from Go's zero time (January 1, year 1, UTC) to the Unix epoch.
_ZERO_TO_UNIX: Final = 62135596800
_DAY_NAMES: Final = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


class Duration(int):
    """A Go ``time.Duration`` (int64 nanoseconds); prints through its String method."""

    __slots__ = ()
    go_type = "time.Duration"
    go_kind = "int64"


class Month(int):
    """A Go ``time.Month`` (an int, January = 1); prints as its English name."""

    __slots__ = ()
    go_type = "time.Month"
    go_kind = "int"


class Weekday(int):
    """A Go ``time.Weekday`` (an int, Sunday = 0); prints as its English name."""

    __slots__ = ()
    go_type = "time.Weekday"
    go_kind = "int"


def _month_string(m: int) -> str:
    return MONTH_NAMES[m - 1] if 1 <= m <= 12 else f"%!Month({int(m)})"


def _weekday_string(d: int) -> str:
    return _DAY_NAMES[d] if 0 <= d <= 6 else f"%!Weekday({int(d)})"


STRINGERS[Duration] = lambda d: duration_string(int(d))
STRINGERS[Month] = _month_string
STRINGERS[Weekday] = _weekday_string


def _wrap64(x: int) -> int:
    return ((x + (1 << 63)) & ((1 << 64) - 1)) - (1 << 63)


def _unix_nanos(t: GoTime) -> int:
    """Nanoseconds since the Unix epoch, exactly (a Python int, no overflow)."""
    return unix_seconds(t) * SECOND + nanos(t)


def _from_unix_nanos(ns: int, like: GoTime) -> GoTime:
    """The instant ``ns`` shown in ``like``'s zone."""
    tz = like.dt.tzinfo or UTC
    try:
        return add(in_zone(unix(0), tz), ns)
    except TimeError as e:
        raise GoFuncError(str(e)) from None


def _shifted(t: GoTime, d: int) -> GoTime:
    try:
        return add(t, d)
    except TimeError as e:
        raise GoFuncError(str(e)) from None


# GoTimeNs (a time with nanoseconds, or before year 1) is a time.Time too.
m = methods(GoTime, GoTimeNs)

m("Year", result="int")(year)
m("Month", result="time.Month")(lambda t: Month(t.dt.month))
m("Day", result="int")(lambda t: int(t.dt.day))
m("Hour", result="int")(lambda t: int(t.dt.hour))
m("Minute", result="int")(lambda t: int(t.dt.minute))
m("Second", result="int")(lambda t: int(t.dt.second))
m("Nanosecond", result="int")(nanos)
m("YearDay", result="int")(lambda t: int(t.dt.timetuple().tm_yday))
m("Weekday", result="time.Weekday")(lambda t: Weekday((t.dt.weekday() + 1) % 7))
m("Unix", result="int64")(unix_seconds)
m("UnixMilli", result="int64")(lambda t: _wrap64(unix_seconds(t) * 1000 + nanos(t) // 1_000_000))
m("UnixMicro", result="int64")(lambda t: _wrap64(unix_seconds(t) * 1_000_000 + nanos(t) // 1000))
m("UnixNano", result="int64")(lambda t: _wrap64(_unix_nanos(t)))
m("Format", "string", result="string")(format_time)
m("String", result="string")(time_string)
m("GoString", result="string")(lambda t: time_gostring(t, year(t), nanos(t)))
m("IsZero", result="bool")(lambda t: _unix_nanos(t) == -_ZERO_TO_UNIX * SECOND)
m("UTC", result="time.Time")(lambda t: in_zone(t, UTC))
m("Local", result="time.Time")(lambda t: in_zone(t, LOCAL))
m("Add", "time.Duration", result="time.Time")(_shifted)
m("Before", "time.Time", result="bool")(lambda t, u: _unix_nanos(t) < _unix_nanos(u))
m("After", "time.Time", result="bool")(lambda t, u: _unix_nanos(t) > _unix_nanos(u))
m("Equal", "time.Time", result="bool")(lambda t, u: _unix_nanos(t) == _unix_nanos(u))


@m("Compare", "time.Time", result="int")
def _compare(t: GoTime, u: GoTime) -> int:
    a, b = _unix_nanos(t), _unix_nanos(u)
    return (a > b) - (a < b)


@m("Sub", "time.Time", result="time.Duration")
def _sub(t: GoTime, u: GoTime) -> Duration:
    """Time.Sub: saturates at the smallest and largest Duration."""
    return Duration(max(_MIN_DURATION, min(_MAX_DURATION, _unix_nanos(t) - _unix_nanos(u))))


@m("AddDate", "int", "int", "int", result="time.Time")
def _add_date(t: GoTime, years: int, months: int, days: int) -> GoTime:
    """Time.AddDate: time.Date normalizes the month and day overflow (Oct 31 + 1 month = Dec 1)."""
    dt = t.dt
    m0 = dt.month - 1 + months
    y = year(t) + years + m0 // 12
    # Count in a frame moved by 2000 years (the calendar repeats every 400), so that the
    # intermediate dates may leave datetime's years 1-9999 while the result is in range.
    off = _FRAME_YEARS if y < 5000 else -_FRAME_YEARS
    try:
        first = _dt.date(y + off, m0 % 12 + 1, 1)
        day = first + _dt.timedelta(days=dt.day - 1 + days)
    except (ValueError, OverflowError):
        raise _out_of_range() from None
    real = day.year - off
    if not 0 <= real <= 9999:
        raise _out_of_range()
    sh = _FRAME_YEARS if real < 1 else 0  # year 0 is held shifted (see sprig_time.GoTimeNs)
    out = _dt.datetime.combine(day.replace(year=real + sh), dt.time(), tzinfo=dt.tzinfo)
    return make(out, nanos(t), sh)


_FRAME_YEARS: Final = 2000


def _out_of_range() -> GoFuncError:
    return GoFuncError("time out of the range supported by mailtemplates (years 0-9999)")


def _div(t: GoTime, d: int) -> int:
    """The remainder of ``t`` since Go's zero time divided by ``d`` (time.div, d > 0)."""
    return (_unix_nanos(t) + _ZERO_TO_UNIX * SECOND) % d


@m("Truncate", "time.Duration", result="time.Time")
def _truncate(t: GoTime, d: int) -> GoTime:
    if d <= 0:
        return t
    return _shifted(t, -_div(t, d))


@m("Round", "time.Duration", result="time.Time")
def _round(t: GoTime, d: int) -> GoTime:
    if d <= 0:
        return t
    r = _div(t, d)
    if r + r < d:
        return _shifted(t, -r)
    return _shifted(t, d - r)


def _not_callable(name: str, why: str) -> None:
    def refuse(_t: GoTime) -> object:
        raise GoFuncError(why)

    m(name, result="!" + why)(refuse)


# text/template's goodFunc refuses these before calling them (the message is Go's).
_not_callable("Zone", "invalid function signature for Zone: second return value should be error; is int")
_not_callable(
    "ISOWeek", "invalid function signature for ISOWeek: second return value should be error; is int"
)
_not_callable("Date", "function Date has 3 return values; should be 1 or 2")
_not_callable("Clock", "function Clock has 3 return values; should be 1 or 2")


d = methods(Duration)


def _split(x: int, unit: int) -> tuple[int, int]:
    """Go's truncating division and remainder."""
    q = abs(x) // unit
    q = q if x >= 0 else -q
    return q, x - q * unit


@d("Hours", result="float64")
def _hours(x: int) -> float:
    h, ns = _split(x, HOUR)
    return float(h) + float(ns) / (60 * 60 * 1e9)


@d("Minutes", result="float64")
def _minutes(x: int) -> float:
    mi, ns = _split(x, MINUTE)
    return float(mi) + float(ns) / (60 * 1e9)


@d("Seconds", result="float64")
def _seconds(x: int) -> float:
    s, ns = _split(x, SECOND)
    return float(s) + float(ns) / 1e9


d("Milliseconds", result="int64")(lambda x: _split(x, 1_000_000)[0])
d("Microseconds", result="int64")(lambda x: _split(x, 1000)[0])
d("Nanoseconds", result="int64")(lambda x: int(x))
d("String", result="string")(lambda x: duration_string(int(x)))
d("Round", "time.Duration", result="time.Duration")(lambda x, u: Duration(round_duration(int(x), int(u))))


@d("Truncate", "time.Duration", result="time.Duration")
def _dtruncate(x: int, u: int) -> Duration:
    if u <= 0:
        return Duration(x)
    return Duration(x - _split(x, u)[1])


@d("Abs", result="time.Duration")
def _abs(x: int) -> Duration:
    if x >= 0:
        return Duration(x)
    return Duration(_MAX_DURATION if x == _MIN_DURATION else -x)


methods(Month)("String", result="string")(_month_string)
methods(Weekday)("String", result="string")(_weekday_string)

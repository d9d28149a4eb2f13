"""sprig v3.3.0 ``date.go`` (and ``now`` from ``functions.go``): the date functions."""

from __future__ import annotations

from ...values import GoTime, Int64
from .. import GoFuncError
from ..sprig_conv import NumError, parse_int
from ..sprig_time import (
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
from ._common import ANY, STR, TIME, reg


def _date_of(d: object) -> GoTime:
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

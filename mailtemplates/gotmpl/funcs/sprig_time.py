"""Go's ``time`` package as sprig's date functions use it: layouts, parsing, durations, zones.

Over 800 lines because it ports Go's ``time/format.go``, one file in Go: formatting and parsing
share the layout chunker (``nextStdChunk``), its chunk codes and the name tables, and parsing
alone is ~430 lines; the zone helpers and durations around it are short.

A Go ``time.Time`` is a :class:`~..values.GoTime` holding an aware ``datetime`` (microsecond
precision; Go keeps nanoseconds). The process-local zone ``time.Local`` is UTC here, as in the
conformance oracle, so ``date``/``toDate`` give the same results on every machine. Fixed zones
parsed from offsets (``-07:00``) are ``datetime.timezone`` objects; a zone Go would leave unnamed
has the empty name, which formats as ``-0700`` for ``MST`` exactly as Go does.

Layouts are Go's reference-time layouts (``2006-01-02 15:04:05``), parsed with the same chunking
as ``time.nextStdChunk``, and parse errors carry Go's messages
(``parsing time "x" as "2006": cannot parse "x" as "2006"``).

Follows Go 1.26 ``src/time/format.go`` (layouts, ``Parse``, ``ParseDuration``), ``time.go``
(``Duration.String``) and ``zoneinfo.go``.
"""

from __future__ import annotations

import datetime as _dt
import time as _time
import zoneinfo
from typing import Final

from ..gofmt import GO_STRINGERS, MONTH_NAMES, STRINGERS, time_gostring
from ..values import GoTime

__all__ = [
    "LOCAL",
    "GoTimeNs",
    "TimeError",
    "duration_string",
    "format_time",
    "load_location",
    "now",
    "parse_duration",
    "parse_in_location",
    "time_string",
    "unix",
]

UTC: Final = _dt.timezone.utc
#: time.Local. UTC, as in the oracle (and in most containers Kratos runs in).
LOCAL: Final[_dt.tzinfo] = UTC

_EPOCH: Final = _dt.datetime(1970, 1, 1, tzinfo=UTC)

NANOSECOND: Final = 1
MICROSECOND: Final = 1000
MILLISECOND: Final = 1000 * MICROSECOND
SECOND: Final = 1000 * MILLISECOND
MINUTE: Final = 60 * SECOND
HOUR: Final = 60 * MINUTE


class TimeError(ValueError):
    """A Go time error; ``str(e)`` is Go's message."""


def _wrap64(x: int) -> int:
    return ((x + (1 << 63)) & ((1 << 64) - 1)) - (1 << 63)


# -- zones ---------------------------------------------------------------------------------------


def load_location(name: str) -> _dt.tzinfo:
    """time.LoadLocation; raises TimeError for unknown names."""
    if name in ("", "UTC"):
        return UTC
    if name == "Local":
        return LOCAL
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as e:
        raise TimeError(f"unknown time zone {name}") from e


class GoTimeNs(GoTime):
    """A time.Time with what a ``datetime`` cannot hold: nanoseconds and the years before 1.

    ``nsec`` is the full nanosecond of the second; ``shift`` is a number of years (a multiple
    of 400, so weekdays and leap years are unchanged) added to ``dt`` to bring year 0 into
    ``datetime``'s range. Formatting subtracts it again.
    """

    __slots__ = ("nsec", "shift")

    def __init__(self, dt: _dt.datetime, nsec: int, shift: int) -> None:
        super().__init__(dt)
        self.nsec = nsec
        self.shift = shift

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoTime) and (other.dt, nanos(other), shift(other)) == (
            self.dt,
            self.nsec,
            self.shift,
        )

    def __hash__(self) -> int:
        return hash((self.dt, self.nsec, self.shift))

    def __repr__(self) -> str:
        return f"GoTimeNs({self.dt!r}, nsec={self.nsec}, shift={self.shift})"


_SHIFT_YEARS: Final = 2000
_SHIFT_DAYS: Final = 5 * 146097  # 2000 Gregorian years


def nanos(t: GoTime) -> int:
    """time.Time.Nanosecond."""
    return t.nsec if isinstance(t, GoTimeNs) else int(t.dt.microsecond) * 1000


def shift(t: GoTime) -> int:
    return t.shift if isinstance(t, GoTimeNs) else 0


def year(t: GoTime) -> int:
    return int(t.dt.year) - shift(t)


def make(dt: _dt.datetime, nsec: int | None = None, years_shift: int = 0) -> GoTime:
    """A GoTime for ``dt``, extended only when nanoseconds or a year shift must be kept."""
    if nsec is None:
        nsec = dt.microsecond * 1000
    if years_shift == 0 and nsec == dt.microsecond * 1000:
        return GoTime(dt)
    return GoTimeNs(dt, nsec, years_shift)


def with_dt(t: GoTime, dt: _dt.datetime) -> GoTime:
    """The same instant (and nanoseconds) as ``t``, shown through ``dt`` (another zone)."""
    return make(dt, nanos(t), shift(t))


def in_zone(t: GoTime, tz: _dt.tzinfo) -> GoTime:
    """time.Time.In."""
    return with_dt(t, t.dt.astimezone(tz))


def _make(
    year_: int, month: int, day: int, hour: int, minute: int, sec: int, nsec: int, tz: _dt.tzinfo
) -> GoTime:
    sh = _SHIFT_YEARS if year_ < 1 else 0
    dt = _dt.datetime(year_ + sh, month, day, hour, minute, sec, nsec // 1000, tzinfo=tz)
    return make(dt, nsec, sh)


def _range_error() -> TimeError:
    return TimeError("time out of the range supported by mailtemplates (years 0-9999)")


def unix(sec: int) -> GoTime:
    """time.Unix(sec, 0) in the local zone."""
    try:
        return GoTime(_EPOCH.astimezone(LOCAL) + _dt.timedelta(seconds=sec))
    except OverflowError as e:
        raise _range_error() from e


def now() -> GoTime:
    """time.Now in the local zone."""
    return GoTime(_dt.datetime.now(LOCAL))


def unix_seconds(t: GoTime) -> int:
    """time.Time.Unix."""
    d: _dt.timedelta = t.dt - _EPOCH
    return (d.days - shift(t) // 400 * 146097) * 86400 + d.seconds


def add(t: GoTime, d: int) -> GoTime:
    """time.Time.Add (nanoseconds kept)."""
    total = nanos(t) + d
    secs, rem = divmod(total, SECOND)
    base = t.dt - _dt.timedelta(microseconds=t.dt.microsecond)
    sh = shift(t)
    delta = _dt.timedelta(seconds=secs, microseconds=rem // 1000)
    try:
        return make(base + delta, rem, sh)
    except OverflowError:
        if delta > _dt.timedelta(0):
            raise _range_error() from None
    try:
        return make(base + _dt.timedelta(days=_SHIFT_DAYS) + delta, rem, sh + _SHIFT_YEARS)
    except OverflowError:
        raise _range_error() from None


def since(t: GoTime) -> int:
    """time.Since in nanoseconds (saturating like Go's Sub)."""
    d: _dt.timedelta = _dt.datetime.now(UTC) - t.dt
    ns = (d.days * 86400 + d.seconds) * SECOND + d.microseconds * 1000
    ns -= nanos(t) - int(t.dt.microsecond) * 1000
    ns += shift(t) // 400 * 146097 * 86400 * SECOND
    return max(min(ns, (1 << 63) - 1), -(1 << 63))


def time_string(t: GoTime) -> str:
    """time.Time.String (without the monotonic clock reading)."""
    return format_time(t, "2006-01-02 15:04:05.999999999 -0700 MST")


# fmt prints a time that carries nanoseconds or a year outside datetime's range through its String
# method, which only this module can write (plain GoTime values fmt prints itself).
STRINGERS[GoTimeNs] = time_string
GO_STRINGERS[GoTimeNs] = lambda t: time_gostring(t, year(t), nanos(t))


# -- layouts -------------------------------------------------------------------------------------

(
    _LONG_MONTH,
    _MONTH,
    _NUM_MONTH,
    _ZERO_MONTH,
    _LONG_WEEKDAY,
    _WEEKDAY,
    _DAY,
    _UNDER_DAY,
    _ZERO_DAY,
    _UNDER_YEAR_DAY,
    _ZERO_YEAR_DAY,
    _HOUR,
    _HOUR12,
    _ZERO_HOUR12,
    _MINUTE,
    _ZERO_MINUTE,
    _SECOND,
    _ZERO_SECOND,
    _LONG_YEAR,
    _YEAR,
    _PM,
    _pm,
    _TZ,
    _ISO8601_TZ,
    _ISO8601_SECONDS_TZ,
    _ISO8601_SHORT_TZ,
    _ISO8601_COLON_TZ,
    _ISO8601_COLON_SECONDS_TZ,
    _NUM_TZ,
    _NUM_SECONDS_TZ,
    _NUM_SHORT_TZ,
    _NUM_COLON_TZ,
    _NUM_COLON_SECONDS_TZ,
    _FRAC0,
    _FRAC9,
) = range(1, 36)

_STD0X: Final = (_ZERO_MONTH, _ZERO_DAY, _ZERO_HOUR12, _ZERO_MINUTE, _ZERO_SECOND, _YEAR)
_ISO_TZ: Final = frozenset(
    (_ISO8601_TZ, _ISO8601_SECONDS_TZ, _ISO8601_SHORT_TZ, _ISO8601_COLON_TZ, _ISO8601_COLON_SECONDS_TZ)
)

_LONG_DAY_NAMES: Final = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_SHORT_DAY_NAMES: Final = tuple(n[:3] for n in _LONG_DAY_NAMES)
_SHORT_MONTH_NAMES: Final = tuple(n[:3] for n in MONTH_NAMES)

# A chunk: (std code, digits for fractions, separator for fractions).
_Std = tuple[int, int, str]


def _starts_lower(s: str) -> bool:
    return bool(s) and "a" <= s[0] <= "z"


def _is_digit(s: str, i: int) -> bool:
    return i < len(s) and "0" <= s[i] <= "9"


def next_std_chunk(layout: str) -> tuple[str, _Std | None, str]:
    """time.nextStdChunk: (text before, std element, text after)."""
    n = len(layout)
    for i in range(n):
        c = layout[i]
        if c == "J":
            if layout[i : i + 3] == "Jan":
                if layout[i : i + 7] == "January":
                    return layout[:i], (_LONG_MONTH, 0, ""), layout[i + 7 :]
                if not _starts_lower(layout[i + 3 :]):
                    return layout[:i], (_MONTH, 0, ""), layout[i + 3 :]
        elif c == "M":
            if layout[i : i + 3] == "Mon":
                if layout[i : i + 6] == "Monday":
                    return layout[:i], (_LONG_WEEKDAY, 0, ""), layout[i + 6 :]
                if not _starts_lower(layout[i + 3 :]):
                    return layout[:i], (_WEEKDAY, 0, ""), layout[i + 3 :]
            if layout[i : i + 3] == "MST":
                return layout[:i], (_TZ, 0, ""), layout[i + 3 :]
        elif c == "0":
            if i + 1 < n and "1" <= layout[i + 1] <= "6":
                return layout[:i], (_STD0X[ord(layout[i + 1]) - ord("1")], 0, ""), layout[i + 2 :]
            if layout[i + 1 : i + 3] == "02":
                return layout[:i], (_ZERO_YEAR_DAY, 0, ""), layout[i + 3 :]
        elif c == "1":
            if i + 1 < n and layout[i + 1] == "5":
                return layout[:i], (_HOUR, 0, ""), layout[i + 2 :]
            return layout[:i], (_NUM_MONTH, 0, ""), layout[i + 1 :]
        elif c == "2":
            if layout[i : i + 4] == "2006":
                return layout[:i], (_LONG_YEAR, 0, ""), layout[i + 4 :]
            return layout[:i], (_DAY, 0, ""), layout[i + 1 :]
        elif c == "_":
            if i + 1 < n and layout[i + 1] == "2":
                if layout[i + 1 : i + 5] == "2006":
                    return layout[: i + 1], (_LONG_YEAR, 0, ""), layout[i + 5 :]
                return layout[:i], (_UNDER_DAY, 0, ""), layout[i + 2 :]
            if layout[i + 1 : i + 3] == "_2":
                return layout[:i], (_UNDER_YEAR_DAY, 0, ""), layout[i + 3 :]
        elif c == "3":
            return layout[:i], (_HOUR12, 0, ""), layout[i + 1 :]
        elif c == "4":
            return layout[:i], (_MINUTE, 0, ""), layout[i + 1 :]
        elif c == "5":
            return layout[:i], (_SECOND, 0, ""), layout[i + 1 :]
        elif c == "P":
            if i + 1 < n and layout[i + 1] == "M":
                return layout[:i], (_PM, 0, ""), layout[i + 2 :]
        elif c == "p":
            if i + 1 < n and layout[i + 1] == "m":
                return layout[:i], (_pm, 0, ""), layout[i + 2 :]
        elif c == "-":
            for text, code in (
                ("-070000", _NUM_SECONDS_TZ),
                ("-07:00:00", _NUM_COLON_SECONDS_TZ),
                ("-0700", _NUM_TZ),
                ("-07:00", _NUM_COLON_TZ),
                ("-07", _NUM_SHORT_TZ),
            ):
                if layout[i : i + len(text)] == text:
                    return layout[:i], (code, 0, ""), layout[i + len(text) :]
        elif c == "Z":
            for text, code in (
                ("Z070000", _ISO8601_SECONDS_TZ),
                ("Z07:00:00", _ISO8601_COLON_SECONDS_TZ),
                ("Z0700", _ISO8601_TZ),
                ("Z07:00", _ISO8601_COLON_TZ),
                ("Z07", _ISO8601_SHORT_TZ),
            ):
                if layout[i : i + len(text)] == text:
                    return layout[:i], (code, 0, ""), layout[i + len(text) :]
        elif c in ".," and i + 1 < n and layout[i + 1] in "09":
            ch = layout[i + 1]
            j = i + 1
            while j < n and layout[j] == ch:
                j += 1
            if not _is_digit(layout, j):
                code = _FRAC0 if ch == "0" else _FRAC9
                return layout[:i], (code, (j - (i + 1)) & 0xFFF, c), layout[j:]
    return layout, None, ""


def _pad(x: int, width: int) -> str:
    """time.appendInt: zero-padded to ``width`` digits, sign first."""
    if x < 0:
        return "-" + str(-x).rjust(width, "0")
    return str(x).rjust(width, "0")


def _zone(dt: _dt.datetime) -> tuple[str, int]:
    off = dt.utcoffset()
    secs = int(off.total_seconds()) if off is not None else 0
    name = dt.tzname() or ""
    if name.startswith("UTC") and len(name) > 3:
        # datetime.timezone(offset) without a name: Go's unnamed fixed zone.
        name = ""
    return name, secs


def format_time(t: GoTime, layout: str) -> str:
    """time.Time.Format."""
    dt: _dt.datetime = t.dt
    name, offset = _zone(dt)
    ns = nanos(t)
    yr = year(t)
    out: list[str] = []
    while layout:
        prefix, std, suffix = next_std_chunk(layout)
        if prefix:
            out.append(prefix)
        if std is None:
            break
        layout = suffix
        code, ndigits, sep = std
        if code == _YEAR:
            out.append(_pad(abs(yr) % 100, 2))
        elif code == _LONG_YEAR:
            out.append(_pad(yr, 4))
        elif code == _MONTH:
            out.append(_SHORT_MONTH_NAMES[dt.month - 1])
        elif code == _LONG_MONTH:
            out.append(MONTH_NAMES[dt.month - 1])
        elif code == _NUM_MONTH:
            out.append(str(dt.month))
        elif code == _ZERO_MONTH:
            out.append(_pad(dt.month, 2))
        elif code == _WEEKDAY:
            out.append(_SHORT_DAY_NAMES[(dt.weekday() + 1) % 7])
        elif code == _LONG_WEEKDAY:
            out.append(_LONG_DAY_NAMES[(dt.weekday() + 1) % 7])
        elif code == _DAY:
            out.append(str(dt.day))
        elif code == _UNDER_DAY:
            out.append(("" if dt.day >= 10 else " ") + str(dt.day))
        elif code == _ZERO_DAY:
            out.append(_pad(dt.day, 2))
        elif code == _UNDER_YEAR_DAY:
            yday = dt.timetuple().tm_yday
            out.append(str(yday).rjust(3, " "))
        elif code == _ZERO_YEAR_DAY:
            out.append(_pad(dt.timetuple().tm_yday, 3))
        elif code == _HOUR:
            out.append(_pad(dt.hour, 2))
        elif code in (_HOUR12, _ZERO_HOUR12):
            hr = dt.hour % 12 or 12
            out.append(_pad(hr, 2) if code == _ZERO_HOUR12 else str(hr))
        elif code == _MINUTE:
            out.append(str(dt.minute))
        elif code == _ZERO_MINUTE:
            out.append(_pad(dt.minute, 2))
        elif code == _SECOND:
            out.append(str(dt.second))
        elif code == _ZERO_SECOND:
            out.append(_pad(dt.second, 2))
        elif code == _PM:
            out.append("PM" if dt.hour >= 12 else "AM")
        elif code == _pm:
            out.append("pm" if dt.hour >= 12 else "am")
        elif _ISO8601_TZ <= code <= _NUM_COLON_SECONDS_TZ:
            if offset == 0 and code in _ISO_TZ:
                out.append("Z")
                continue
            zone = offset // 60 if offset >= 0 else -((-offset) // 60)
            absoffset = offset
            if zone < 0:
                out.append("-")
                zone = -zone
                absoffset = -absoffset
            else:
                out.append("+")
            out.append(_pad(zone // 60, 2))
            if code in (_ISO8601_COLON_TZ, _NUM_COLON_TZ, _ISO8601_COLON_SECONDS_TZ, _NUM_COLON_SECONDS_TZ):
                out.append(":")
            if code not in (_NUM_SHORT_TZ, _ISO8601_SHORT_TZ):
                out.append(_pad(zone % 60, 2))
            if code in (
                _ISO8601_SECONDS_TZ,
                _NUM_SECONDS_TZ,
                _NUM_COLON_SECONDS_TZ,
                _ISO8601_COLON_SECONDS_TZ,
            ):
                if code in (_NUM_COLON_SECONDS_TZ, _ISO8601_COLON_SECONDS_TZ):
                    out.append(":")
                out.append(_pad(absoffset % 60, 2))
        elif code == _TZ:
            if name:
                out.append(name)
            else:
                zone = offset // 60 if offset >= 0 else -((-offset) // 60)
                if zone < 0:
                    out.append("-")
                    zone = -zone
                else:
                    out.append("+")
                out.append(_pad(zone // 60, 2) + _pad(zone % 60, 2))
        elif code in (_FRAC0, _FRAC9):
            out.append(_append_nano(ns, code, ndigits, sep))
    return "".join(out)


def _append_nano(nanos: int, code: int, n: int, sep: str) -> str:
    """time.appendNano."""
    trim = code == _FRAC9
    if trim and (n == 0 or nanos == 0):
        return ""
    s = sep + _pad(nanos, 9)
    if n < 9:
        s = s[: len(s) - 9 + n]
    if trim:
        s = s.rstrip("0")
        if s == sep:
            s = ""
    return s


# -- parsing -------------------------------------------------------------------------------------


def _tquote(s: str) -> str:
    """time's own quote: ASCII as is (\\ and " escaped), other bytes as \\x escapes."""
    from ..gostrconv import go_bytes

    out = ['"']
    for c in s:
        o = ord(c)
        if o >= 0x80 or o < 0x20:
            out.extend(f"\\x{b:02x}" for b in go_bytes(c))
        else:
            if c in '"\\':
                out.append("\\")
            out.append(c)
    out.append('"')
    return "".join(out)


class _Bad(Exception):
    pass


class _RangeErr(Exception):
    """A parsed number out of range: Go reports ``: <what> out of range``."""


def _getnum(s: str, fixed: bool) -> tuple[int, str]:
    if not _is_digit(s, 0):
        raise _Bad
    if not _is_digit(s, 1):
        if fixed:
            raise _Bad
        return int(s[0]), s[1:]
    return int(s[:2]), s[2:]


def _getnum3(s: str, fixed: bool) -> tuple[int, str]:
    i = 0
    n = 0
    while i < 3 and _is_digit(s, i):
        n = n * 10 + int(s[i])
        i += 1
    if i == 0 or (fixed and i != 3):
        raise _Bad
    return n, s[i:]


def _lookup(tab: tuple[str, ...], val: str) -> tuple[int, str]:
    for i, v in enumerate(tab):
        if len(val) >= len(v) and _match(val[: len(v)], v):
            return i, val[len(v) :]
    raise _Bad


def _match(s1: str, s2: str) -> bool:
    for a, b in zip(s1, s2, strict=False):
        if a != b:
            la = chr(ord(a) | 0x20) if a.isascii() else a
            lb = chr(ord(b) | 0x20) if b.isascii() else b
            if la != lb or not "a" <= la <= "z":
                return False
    return True


def _skip(value: str, prefix: str) -> tuple[str, bool]:
    """time.skip: (value after the prefix or after the part that matched, matched?)."""
    while prefix:
        if prefix[0] == " ":
            if value and value[0] != " ":
                return value, False
            prefix = prefix.lstrip(" ")
            value = value.lstrip(" ")
            continue
        if not value or value[0] != prefix[0]:
            return value, False
        prefix = prefix[1:]
        value = value[1:]
    return value, True


def _atoi(s: str) -> int:
    neg = False
    if s and s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
    if not s or not all("0" <= c <= "9" for c in s):
        # leadingInt must consume everything (an empty run is 0 but then rem is checked).
        if s == "":
            return 0
        raise _Bad
    x = int(s)
    if x > 1 << 63:
        raise _Bad
    return -x if neg else x


def _leading_int(s: str) -> tuple[int, str]:
    i = 0
    x = 0
    while i < len(s) and "0" <= s[i] <= "9":
        x = x * 10 + ord(s[i]) - 48
        if x > 1 << 63:
            raise _Bad
        i += 1
    return x, s[i:]


def _parse_signed_offset(value: str) -> int:
    sign = value[0]
    if sign not in "+-":
        return 0
    try:
        x, rem = _leading_int(value[1:])
    except _Bad:
        return 0
    if value[1:] == rem or x > 23:
        return 0
    return len(value) - len(rem)


def _parse_time_zone(value: str) -> int:
    """time.parseTimeZone: the length of a zone abbreviation at the start of value, or 0."""
    if len(value) < 3:
        return 0
    if value[:4] in ("ChST", "MeST"):
        return 4
    if value[:3] == "GMT":
        rest = value[3:]
        return 3 if not rest else 3 + _parse_signed_offset(rest)
    if value[0] in "+-":
        return _parse_signed_offset(value)
    n_upper = 0
    while n_upper < 6 and n_upper < len(value) and "A" <= value[n_upper] <= "Z":
        n_upper += 1
    if n_upper in (0, 1, 2, 6):
        return 0
    if n_upper == 5:
        return 5 if value[4] == "T" else 0
    if n_upper == 4:
        return 4 if value[3] == "T" or value[:4] == "WITA" else 0
    return 3


def _parse_nanoseconds(value: str, nbytes: int) -> int:
    if value[0] not in ".,":
        raise _Bad
    if nbytes > 10:
        value = value[:10]
        nbytes = 10
    ns = _atoi(value[1:nbytes])
    if ns < 0:
        raise _RangeErr("fractional second")
    return ns * int(10 ** (10 - nbytes))


def _days_in(month: int, year: int) -> int:
    if month == 2:
        return 29 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _perr(layout: str, value: str, layout_elem: str, value_elem: str, message: str = "") -> TimeError:
    if message:
        return TimeError("parsing time " + _tquote(value) + message)
    return TimeError(
        "parsing time "
        + _tquote(value)
        + " as "
        + _tquote(layout)
        + ": cannot parse "
        + _tquote(value_elem)
        + " as "
        + _tquote(layout_elem)
    )


def parse_in_location(layout: str, value: str, loc: _dt.tzinfo = LOCAL) -> GoTime:
    """time.ParseInLocation; raises TimeError with Go's message."""
    alayout, avalue = layout, value
    range_err = ""
    am_set = pm_set = False
    year = 0
    month = day = yday = -1
    hour = minute = sec = nsec = 0
    z: _dt.tzinfo | None = None
    zone_offset = -1
    zone_name = ""
    while True:
        prefix, std, suffix = next_std_chunk(layout)
        stdstr = layout[len(prefix) : len(layout) - len(suffix)]
        value, ok = _skip(value, prefix)
        if not ok:
            raise _perr(alayout, avalue, prefix, value)
        if std is None:
            if value:
                raise _perr(alayout, avalue, "", value, ": extra text: " + _tquote(value))
            break
        layout = suffix
        hold = value
        code, ndigits, _ = std
        try:
            if code == _YEAR:
                if len(value) < 2:
                    raise _Bad
                p, value = value[:2], value[2:]
                year = _atoi(p)
                year += 1900 if year >= 69 else 2000
            elif code == _LONG_YEAR:
                if len(value) < 4 or not _is_digit(value, 0):
                    raise _Bad
                p, value = value[:4], value[4:]
                year = _atoi(p)
            elif code == _MONTH:
                month, value = _lookup(_SHORT_MONTH_NAMES, value)
                month += 1
            elif code == _LONG_MONTH:
                month, value = _lookup(MONTH_NAMES, value)
                month += 1
            elif code in (_NUM_MONTH, _ZERO_MONTH):
                month, value = _getnum(value, code == _ZERO_MONTH)
                if month <= 0 or month > 12:
                    range_err = "month"
            elif code == _WEEKDAY:
                _, value = _lookup(_SHORT_DAY_NAMES, value)
            elif code == _LONG_WEEKDAY:
                _, value = _lookup(_LONG_DAY_NAMES, value)
            elif code in (_DAY, _UNDER_DAY, _ZERO_DAY):
                if code == _UNDER_DAY and value[:1] == " ":
                    value = value[1:]
                day, value = _getnum(value, code == _ZERO_DAY)
            elif code in (_UNDER_YEAR_DAY, _ZERO_YEAR_DAY):
                for _i in range(2):
                    if code == _UNDER_YEAR_DAY and value[:1] == " ":
                        value = value[1:]
                yday, value = _getnum3(value, code == _ZERO_YEAR_DAY)
            elif code == _HOUR:
                hour, value = _getnum(value, False)
                if hour < 0 or hour >= 24:
                    range_err = "hour"
            elif code in (_HOUR12, _ZERO_HOUR12):
                hour, value = _getnum(value, code == _ZERO_HOUR12)
                if hour < 0 or hour > 12:
                    range_err = "hour"
            elif code in (_MINUTE, _ZERO_MINUTE):
                minute, value = _getnum(value, code == _ZERO_MINUTE)
                if minute < 0 or minute >= 60:
                    range_err = "minute"
            elif code in (_SECOND, _ZERO_SECOND):
                sec, value = _getnum(value, code == _ZERO_SECOND)
                if sec < 0 or sec >= 60:
                    range_err = "second"
                elif len(value) >= 2 and value[0] in ".," and _is_digit(value, 1):
                    _, nstd, _ = next_std_chunk(layout)
                    if nstd is None or nstd[0] not in (_FRAC0, _FRAC9):
                        n = 2
                        while n < len(value) and _is_digit(value, n):
                            n += 1
                        nsec = _parse_nanoseconds(value, n)
                        value = value[n:]
            elif code == _PM:
                if len(value) < 2:
                    raise _Bad
                p, value = value[:2], value[2:]
                if p == "PM":
                    pm_set = True
                elif p == "AM":
                    am_set = True
                else:
                    raise _Bad
            elif code == _pm:
                if len(value) < 2:
                    raise _Bad
                p, value = value[:2], value[2:]
                if p == "pm":
                    pm_set = True
                elif p == "am":
                    am_set = True
                else:
                    raise _Bad
            elif _ISO8601_TZ <= code <= _NUM_COLON_SECONDS_TZ:
                if code in _ISO_TZ and value[:1] == "Z":
                    value = value[1:]
                    z = UTC
                else:
                    if code in (_ISO8601_COLON_TZ, _NUM_COLON_TZ):
                        if len(value) < 6 or value[3] != ":":
                            raise _Bad
                        sign, hh, mm, ss, value = value[0], value[1:3], value[4:6], "00", value[6:]
                    elif code in (_NUM_SHORT_TZ, _ISO8601_SHORT_TZ):
                        if len(value) < 3:
                            raise _Bad
                        sign, hh, mm, ss, value = value[0], value[1:3], "00", "00", value[3:]
                    elif code in (_ISO8601_COLON_SECONDS_TZ, _NUM_COLON_SECONDS_TZ):
                        if len(value) < 9 or value[3] != ":" or value[6] != ":":
                            raise _Bad
                        sign, hh, mm, ss, value = value[0], value[1:3], value[4:6], value[7:9], value[9:]
                    elif code in (_ISO8601_SECONDS_TZ, _NUM_SECONDS_TZ):
                        if len(value) < 7:
                            raise _Bad
                        sign, hh, mm, ss, value = value[0], value[1:3], value[3:5], value[5:7], value[7:]
                    else:
                        if len(value) < 5:
                            raise _Bad
                        sign, hh, mm, ss, value = value[0], value[1:3], value[3:5], "00", value[5:]
                    # Go checks the ranges even when a later field failed to parse.
                    hr = mi = se = 0
                    bad = False
                    try:
                        hr, _ = _getnum(hh, True)
                        mi, _ = _getnum(mm, True)
                        se, _ = _getnum(ss, True)
                    except _Bad:
                        bad = True
                    if hr > 24:
                        range_err = "time zone offset hour"
                    if mi > 60:
                        range_err = "time zone offset minute"
                    if se > 60:
                        range_err = "time zone offset second"
                    zone_offset = (hr * 60 + mi) * 60 + se
                    if sign == "-":
                        zone_offset = -zone_offset
                    elif sign != "+":
                        bad = True
                    if bad:
                        raise _Bad
            elif code == _TZ:
                if value[:3] == "UTC":
                    z = UTC
                    value = value[3:]
                else:
                    n = _parse_time_zone(value)
                    if n == 0:
                        raise _Bad
                    zone_name, value = value[:n], value[n:]
            elif code == _FRAC0:
                nd = 1 + ndigits
                if len(value) < nd:
                    raise _Bad
                nsec = _parse_nanoseconds(value, nd)
                value = value[nd:]
            elif code == _FRAC9 and len(value) >= 2 and value[0] in ".," and "0" <= value[1] <= "9":
                # Take every digit, even more than the layout asks for (as stdSecond does).
                i = 0
                while i + 1 < len(value) and "0" <= value[i + 1] <= "9":
                    i += 1
                nsec = _parse_nanoseconds(value, 1 + i)
                value = value[1 + i :]
        except _RangeErr as e:
            raise _perr(alayout, avalue, stdstr, value, ": " + str(e) + " out of range") from None
        except _Bad:
            if range_err:
                raise _perr(alayout, avalue, stdstr, value, ": " + range_err + " out of range") from None
            raise _perr(alayout, avalue, stdstr, hold) from None
        if range_err:
            raise _perr(alayout, avalue, stdstr, value, ": " + range_err + " out of range")
    if pm_set and hour < 12:
        hour += 12
    elif am_set and hour == 12:
        hour = 0
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if yday >= 0:
        d = m = 0
        if leap:
            if yday == 31 + 29:
                m, d = 2, 29
            elif yday > 31 + 29:
                yday -= 1
        if yday < 1 or yday > 365:
            raise _perr(alayout, avalue, "", value, ": day-of-year out of range")
        if m == 0:
            before = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365)
            m = (yday - 1) // 31 + 1
            if before[m] < yday:
                m += 1
            d = yday - before[m - 1]
        if month >= 0 and month != m:
            raise _perr(alayout, avalue, "", value, ": day-of-year does not match month")
        month = m
        if day >= 0 and day != d:
            raise _perr(alayout, avalue, "", value, ": day-of-year does not match day")
        day = d
    else:
        if month < 0:
            month = 1
        if day < 0:
            day = 1
    if day < 1 or day > _days_in(month, year):
        raise _perr(alayout, avalue, "", value, ": day out of range")
    if z is not None:
        return _make(year, month, day, hour, minute, sec, nsec, z)
    if zone_offset != -1:
        # Go looks for a zone of the local location with this offset at that instant.
        probe = _make(year, month, day, hour, minute, sec, nsec, UTC)
        inst = add(probe, -zone_offset * SECOND)
        local = inst.dt.astimezone(loc)
        off = local.utcoffset()
        if (
            off is not None
            and int(off.total_seconds()) == zone_offset
            and (zone_name == "" or zone_name == (local.tzname() or ""))
        ):
            return with_dt(inst, local)
        return _make(
            year,
            month,
            day,
            hour,
            minute,
            sec,
            nsec,
            _dt.timezone(_dt.timedelta(seconds=zone_offset), zone_name),
        )
    if zone_name:
        offset = 0
        if len(zone_name) > 3 and zone_name[:3] == "GMT":
            offset = int(zone_name[3:]) * 3600
        # Go keeps the instant of the wall clock read as UTC and only attaches the zone.
        return in_zone(
            _make(year, month, day, hour, minute, sec, nsec, UTC),
            _dt.timezone(_dt.timedelta(seconds=offset), zone_name),
        )
    return _make(year, month, day, hour, minute, sec, nsec, loc)


# -- durations -----------------------------------------------------------------------------------


def _fmt_frac(v: int, prec: int) -> tuple[str, int]:
    digits: list[str] = []
    printing = False
    for _ in range(prec):
        digit = v % 10
        printing = printing or digit != 0
        if printing:
            digits.append(str(digit))
        v //= 10
    if printing:
        digits.append(".")
    return "".join(reversed(digits)), v


def duration_string(d: int) -> str:
    """time.Duration.String: ``1h2m3.5s``, ``1.5ms``, ``0s``."""
    d = _wrap64(d)
    neg = d < 0
    u = -d if neg else d
    if u < SECOND:
        if u == 0:
            return "0s"
        if u < MICROSECOND:
            prec, unit = 0, "ns"
        elif u < MILLISECOND:
            prec, unit = 3, "µs"
        else:
            prec, unit = 6, "ms"
        frac, u = _fmt_frac(u, prec)
        s = str(u) + frac + unit
    else:
        frac, u = _fmt_frac(u, 9)
        s = str(u % 60) + frac + "s"
        u //= 60
        if u > 0:
            s = str(u % 60) + "m" + s
            u //= 60
            if u > 0:
                s = str(u) + "h" + s
    return "-" + s if neg else s


_UNITS: Final = {
    "ns": NANOSECOND,
    "us": MICROSECOND,
    "µs": MICROSECOND,
    "μs": MICROSECOND,
    "ms": MILLISECOND,
    "s": SECOND,
    "m": MINUTE,
    "h": HOUR,
}


def parse_duration(s: str) -> int:
    """time.ParseDuration in nanoseconds; raises TimeError with Go's message."""
    orig = s
    d = 0
    neg = False

    def bad(msg: str = "invalid duration") -> TimeError:
        return TimeError("time: " + msg + " " + _tquote(orig))

    if s and s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if s == "":
        raise bad()
    while s:
        if not (s[0] == "." or "0" <= s[0] <= "9"):
            raise bad()
        pl = len(s)
        try:
            v, s = _leading_int(s)
        except _Bad:
            raise bad() from None
        pre = pl != len(s)
        post = False
        f = 0
        scale = 1.0
        if s and s[0] == ".":
            s = s[1:]
            pl = len(s)
            i = 0
            overflow = False
            while i < len(s) and "0" <= s[i] <= "9":
                if not overflow:
                    if f > ((1 << 63) - 1) // 10:
                        overflow = True
                    else:
                        y = f * 10 + ord(s[i]) - 48
                        if y > 1 << 63:
                            overflow = True
                        else:
                            f = y
                            scale *= 10
                i += 1
            s = s[i:]
            post = pl != len(s)
        if not pre and not post:
            raise bad()
        i = 0
        while i < len(s) and not (s[i] == "." or "0" <= s[i] <= "9"):
            i += 1
        if i == 0:
            raise bad("missing unit in duration")
        u, s = s[:i], s[i:]
        unit = _UNITS.get(u)
        if unit is None:
            raise bad("unknown unit " + _tquote(u) + " in duration")
        if v > (1 << 63) // unit:
            raise bad()
        v *= unit
        if f > 0:
            v += int(float(f) * (float(unit) / scale))
            if v > 1 << 63:
                raise bad()
        d += v
        if d > 1 << 63:
            raise bad()
    if neg:
        return -d
    if d > (1 << 63) - 1:
        raise bad()
    return d


def round_duration(d: int, m: int) -> int:
    """time.Duration.Round."""
    if m <= 0:
        return d
    r = abs(d) % m
    max_d, min_d = (1 << 63) - 1, -(1 << 63)
    if d < 0:
        if r + r < m:
            return d + r
        d1 = d - m + r
        return d1 if d1 >= min_d else min_d
    if r + r < m:
        return d - r
    d1 = d + m - r
    return d1 if d1 <= max_d else max_d


_START: Final = _time.monotonic()

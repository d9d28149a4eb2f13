"""Locale tags: validation, the fallback chain, the locale a context asks for, and formatting.

Locale tags name template files (``email.body.pt_BR.gotmpl``), so they are validated before
they come near a path: :func:`normalize_locale` accepts BCP 47 (``pt-BR``) and POSIX/CLDR
(``pt_BR``) spellings and returns the CLDR form with fixed case, and refuses anything else.

The fallback chain is computed here rather than with Babel's ``negotiate_locale``, which finds no
sibling territory (``en_GB`` against ``en_US``) and ignores scripts (``zh_TW`` picks ``zh``,
Simplified Chinese). We walk CLDR's parent-locale rules ourselves, using Babel's data:
``de_AT`` -> ``de``; ``es_MX`` -> ``es_419`` -> ``es``; ``zh_TW`` -> ``zh_Hant_TW`` -> ``zh_Hant``
and never ``zh``, because a non-default script does not fall back to the bare language.

Resolution order for a render (see ``docs/locales.md``): the explicit ``locale=``, then the
locale found in the context (:data:`CONTEXT_LOCALE_KEYS`), then the default, each followed by
its parents.

The formatting helpers (:func:`format_date`, :func:`format_relative`, ...) are Babel-backed;
:func:`i18n_funcs` binds them to one locale under Go-style names for the template engines.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, Literal, TypeGuard

from babel import Locale, UnknownLocaleError
from babel.core import get_global

from mailtemplates.errors import InvalidName, LocaleError

__all__ = [
    "CONTEXT_LOCALE_KEYS",
    "I18N_FUNC_SIGNATURES",
    "MAX_LOCALE_LENGTH",
    "babel_locale",
    "fallback_chain",
    "format_date",
    "format_datetime",
    "format_number",
    "format_relative",
    "format_time",
    "i18n_funcs",
    "is_known_locale",
    "language_of",
    "locale_chain",
    "locale_from_context",
    "normalize_locale",
    "requested_locale",
    "to_bcp47",
]

#: Longest tag accepted. RFC 5646 §4.4.1 asks implementations to handle at least 35 characters,
#: which covers every language-script-region-variant tag in use.
MAX_LOCALE_LENGTH: Final = 35

# Characters that could make a tag leave a template folder: separators, drive colons, dots,
# NUL and other control characters. Rejected as InvalidName before anything else is looked at.
_PATH_CHARS: Final = re.compile(r"[/\\:.\x00-\x1f\x7f]")
_TAG_CHARS: Final = re.compile(r"[A-Za-z0-9_-]+")
_ALNUM: Final = re.compile(r"[A-Za-z0-9]{1,8}")


def _shown(tag: str) -> str:
    return repr(tag if len(tag) <= 40 else tag[:37] + "...")


# --- tags -----------------------------------------------------------------------------------


def normalize_locale(tag: str) -> str:
    """The CLDR spelling of a locale tag: ``pt-BR`` -> ``pt_BR``, ``zh-hant-tw`` -> ``zh_Hant_TW``.

    Accepts BCP 47 and POSIX-style tags made of a 2-3 letter language, an optional 4 letter
    script, an optional region (2 letters or 3 digits) and variants; extension and private-use
    parts (``-u-ca-buddhist``, ``-x-foo``) are dropped. Raises :class:`InvalidName` for anything
    that could act as a path (``/``, ``\\``, ``..``, ``:``, NUL, control characters) and
    :class:`LocaleError` for any other malformed tag (spaces, too long, wrong shape).
    """
    if not isinstance(tag, str):
        raise LocaleError(f"a locale tag must be a string, got {type(tag).__name__}")
    if _PATH_CHARS.search(tag):
        raise InvalidName(
            f"locale {_shown(tag)} is not allowed: locale tags may not contain path characters "
            r"('/', '\', '.', ':') or control characters"
        )
    if len(tag) > MAX_LOCALE_LENGTH:
        raise LocaleError(
            f"locale tag {_shown(tag)} is too long ({len(tag)} characters, at most {MAX_LOCALE_LENGTH})"
        )
    if not _TAG_CHARS.fullmatch(tag):
        raise LocaleError(
            f"locale {_shown(tag)} is not a locale tag: use letters, digits, '-' or '_' (like 'de' or 'pt-BR')"
        )
    subtags = re.split(r"[-_]", tag)
    if not all(_ALNUM.fullmatch(s) for s in subtags):
        raise LocaleError(f"locale {_shown(tag)} has an empty or over-long subtag")
    lang = subtags[0]
    if not (lang.isalpha() and 2 <= len(lang) <= 3):
        raise LocaleError(f"locale {_shown(tag)} must start with a 2 or 3 letter language code (like 'de')")
    out = [lang.lower()]
    rest = subtags[1:]
    if rest and len(rest[0]) == 4 and rest[0].isalpha():  # script, ISO 15924: Title case
        out.append(rest.pop(0).title())
    if rest and ((len(rest[0]) == 2 and rest[0].isalpha()) or (len(rest[0]) == 3 and rest[0].isdigit())):
        out.append(rest.pop(0).upper())  # region, ISO 3166-1 or UN M.49
    while rest:
        sub = rest[0]
        if len(sub) == 1:  # a singleton starts an extension or private use: not part of the name
            break
        if (5 <= len(sub) <= 8) or (len(sub) == 4 and sub[0].isdigit()):
            out.append(rest.pop(0).upper())  # variant, upper case as CLDR spells them
            continue
        raise LocaleError(f"locale {_shown(tag)}: unexpected subtag {sub!r}")
    return "_".join(out)


def to_bcp47(tag: str) -> str:
    """The BCP 47 spelling (``pt-BR``) for HTML ``lang`` attributes and ``Content-Language``."""
    return normalize_locale(tag).replace("_", "-")


@functools.lru_cache(maxsize=512)
def _parse(tag: str) -> Locale | None:
    try:
        return Locale.parse(tag)
    except (UnknownLocaleError, ValueError):
        return None


def is_known_locale(tag: str) -> bool:
    """True if ``tag`` is a well-formed tag Babel (CLDR) has locale data for."""
    try:
        return _parse(normalize_locale(tag)) is not None
    except (LocaleError, InvalidName):
        return False


# --- fallback chain -------------------------------------------------------------------------


def _likely_script(key: str) -> str | None:
    """The script CLDR's likely-subtags data gives for ``lang`` or ``lang_REGION``."""
    likely: Mapping[str, str] = get_global("likely_subtags")
    full = likely.get(key)
    if full is None:
        return None
    return next((p for p in full.split("_")[1:] if len(p) == 4 and p.isalpha()), None)


def _script_of(ident: str) -> str | None:
    parts = ident.split("_")
    explicit = next((p for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    if explicit:
        return explicit
    region = next(
        (p for p in parts[1:] if (len(p) == 2 and p.isalpha()) or (len(p) == 3 and p.isdigit())), None
    )
    return (region and _likely_script(f"{parts[0]}_{region}")) or _likely_script(parts[0])


@functools.lru_cache(maxsize=512)
def language_of(tag: str) -> str:
    """The written language of a locale tag: its language subtag, plus the script when that is
    not the language's usual one. ``de_AT`` -> ``de``, ``zh_TW`` -> ``zh_Hant``, ``zh_CN`` ->
    ``zh``, ``sr_Latn_RS`` -> ``sr_Latn``. Two files in the same written language do not "mix
    languages" even if their regions differ."""
    norm = normalize_locale(tag)
    lang = norm.split("_")[0]
    script = _script_of(norm)
    return lang if script is None or script == _likely_script(lang) else f"{lang}_{script}"


def _parent(ident: str) -> str | None:
    """CLDR's parent locale (supplemental ``parentLocales``, else truncation); None at root.

    ``lang_Script`` with a script that is not the language's default has root as its parent
    (``zh_Hant`` is not a kind of ``zh``, which means Simplified Chinese).
    """
    exceptions: Mapping[str, str] = get_global("parent_exceptions")
    parent = exceptions.get(ident)
    if parent is not None:
        return None if parent == "root" else parent
    parts = ident.split("_")
    if len(parts) == 1:
        return None
    if len(parts) == 2 and len(parts[1]) == 4 and parts[1].isalpha():
        default = _likely_script(parts[0])
        if default is not None and default != parts[1]:
            return None
    return "_".join(parts[:-1])


def _own_chain(tag: str) -> list[str]:
    """The tag as given, its Babel-canonical form (aliases resolved, script added when it is
    not the language's default, default script dropped), then that form's CLDR parents."""
    chain = [tag]
    parsed = _parse(tag)
    current: str | None = str(parsed) if parsed is not None else tag
    while current:
        chain.append(current)
        current = _parent(current)
    return list(dict.fromkeys(chain))


def _siblings(chain: list[str], available: Sequence[str]) -> list[str]:
    """Available locales of the same language and script as the chain's head, the language's
    likely region first (``en`` -> ``en_US``), then the rest in order."""
    head = chain[0]
    lang, script = head.split("_")[0], _script_of(head)
    same = [a for a in available if a.split("_")[0] == lang and _script_of(a) == script and a not in chain]
    likely: Mapping[str, str] = get_global("likely_subtags")
    full = likely.get(lang, "").split("_")
    preferred = "_".join(p for p in full if not (len(p) == 4 and p.isalpha()))
    return sorted(same, key=lambda a: (a != preferred, a))


def _component(tag: str, available: Sequence[str] | None) -> list[str]:
    chain = _own_chain(normalize_locale(tag))
    if available:
        chain += _siblings(chain, available)
    return chain


def _normalize_available(available: Iterable[str] | None) -> list[str] | None:
    if available is None:
        return None
    out: list[str] = []
    for tag in available:
        try:
            out.append(normalize_locale(tag))
        except (LocaleError, InvalidName):
            continue  # a stray file name is not a locale: it can never match
    return sorted(set(out))


def fallback_chain(
    requested: str | None,
    default: str,
    *,
    available: Iterable[str] | None = None,
) -> list[str]:
    """The locales to try, best first: ``requested`` and its parents, then ``default`` and its parents.

    ``fallback_chain("de_AT", "en")`` is ``["de_AT", "de", "en"]``. When ``available`` (the
    locales that have files) is given, each part of the chain is followed by the available
    locales of the same language and script, so ``en_GB`` finds ``en_US``. Both tags are
    validated with :func:`normalize_locale`.
    """
    avail = _normalize_available(available)
    chain: list[str] = []
    if requested:
        chain += _component(requested, avail)
    chain += _component(default, avail)
    return list(dict.fromkeys(chain))


# --- the locale a context asks for ----------------------------------------------------------

#: Where :func:`locale_from_context` looks, in order (Go field names; JSON names work too).
CONTEXT_LOCALE_KEYS: Final = (
    ("Identity", "traits", "locale"),
    ("Identity", "traits", "language"),
    ("Traits", "locale"),  # registration_code email: no Identity yet
    ("Traits", "language"),
    ("TransientPayload", "locale"),
)

_JSON_NAME: Final = {"Identity": "identity", "Traits": "traits", "TransientPayload": "transient_payload"}
# CONTEXT_LOCALE_KEYS as (Go name, JSON name, path below it), unpacked once.
_LOOKUPS: Final = tuple((top, _JSON_NAME[top], tuple(path)) for top, *path in CONTEXT_LOCALE_KEYS)
# Tags found in contexts, normalised (they come from end users: bounded, cleared when full).
_CONTEXT_TAGS: dict[str, str] = {}
_CONTEXT_TAGS_MAX = 1024


def _is_map(x: object) -> TypeGuard[Mapping[str, Any]]:
    # A plain dict first: the Mapping ABC check costs more than the rest of the lookup.
    return type(x) is dict or isinstance(x, Mapping)


def locale_from_context(data: object) -> str | None:
    """The first usable locale tag in the template data, normalised, or None.

    Looks at :data:`CONTEXT_LOCALE_KEYS` in order in a dict with Go or JSON names or a model
    dataclass. The values come from end users (identity traits), so a value that is not a valid
    tag is skipped rather than raised: a bad trait must not break the email or reach the disk.
    """
    if data is None:
        return None
    mapping: Mapping[str, Any] | None = data if _is_map(data) else None
    for top, json_top, path in _LOOKUPS:
        value: object
        if mapping is not None:
            value = mapping[top] if top in mapping else mapping.get(json_top)
        else:
            value = getattr(data, top, None)
        for key in path:
            if value is None:
                break
            value = value.get(key) if _is_map(value) else None
        if isinstance(value, str) and value:
            # Memoised for plain strings (a subclass could hash or compare as it likes).
            tag = _CONTEXT_TAGS.get(value) if type(value) is str else None
            if tag is not None:
                return tag
            try:
                tag = normalize_locale(value)
            except (LocaleError, InvalidName):
                continue
            if type(value) is str:
                if len(_CONTEXT_TAGS) >= _CONTEXT_TAGS_MAX:
                    _CONTEXT_TAGS.clear()
                _CONTEXT_TAGS[value] = tag
            return tag
    return None


def _explicit(locale: str | Sequence[str] | None) -> list[str]:
    if locale is None or locale == "":
        return []
    tags = [locale] if isinstance(locale, str) else list(locale)
    return [normalize_locale(t) for t in tags if t != ""]


def requested_locale(locale: str | Sequence[str] | None, data: object, *, default: str) -> str:
    """The locale a render asks for: explicit ``locale``, else the context's, else ``default``.

    An invalid explicit tag raises (the caller wrote it); an invalid context value is skipped.
    """
    explicit = _explicit(locale)
    if explicit:
        return explicit[0]
    return locale_from_context(data) or normalize_locale(default)


def locale_chain(
    locale: str | Sequence[str] | None,
    data: object,
    *,
    default: str,
    available: Iterable[str] | None = None,
) -> list[str]:
    """The full resolution chain for a render: explicit locale(s), context locale, default.

    Each is followed by its parents (and, with ``available``, its same-language siblings);
    duplicates keep their first place. ``locale`` may be a list of preferences.
    """
    avail = _normalize_available(available)
    tags = _explicit(locale)
    from_context = locale_from_context(data)
    if from_context:
        tags.append(from_context)
    tags.append(normalize_locale(default))
    chain: list[str] = []
    for tag in tags:
        chain += _component(tag, avail)
    return list(dict.fromkeys(chain))


def babel_locale(tag: str, default: str = "en") -> Locale:
    """The Babel locale used to format for ``tag``: the first entry of its chain Babel knows."""
    for candidate in fallback_chain(tag, default):
        parsed = _parse(candidate)
        if parsed is not None:
            return parsed
    raise LocaleError(f"no locale data for {_shown(tag)} nor for the default {_shown(default)}")


# --- formatting -----------------------------------------------------------------------------

_RFC3339: Final = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?)?"
)


def _locale_obj(locale: str | Locale) -> Locale:
    if isinstance(locale, Locale):
        return locale
    parsed = _parse(normalize_locale(locale))
    if parsed is None:
        raise LocaleError(f"Babel has no locale data for {_shown(locale)}")
    return parsed


def _parse_time_string(text: str, fn: str) -> _dt.date | _dt.datetime:
    m = _RFC3339.fullmatch(text.strip())
    if m is None:
        raise ValueError(
            f"{fn}: cannot parse {_shown(text)} as a date (want RFC 3339, like 2026-11-22T09:41:07Z)"
        )
    year, month, day, hour, minute, second, frac, zone = m.groups()
    try:
        if hour is None:
            return _dt.date(int(year), int(month), int(day))
        tz: _dt.tzinfo = _dt.timezone.utc
        if zone and zone not in "Zz":
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
            tz = _dt.timezone(sign * offset)
        micro = int((frac or "0")[:6].ljust(6, "0"))
        return _dt.datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tzinfo=tz
        )
    except ValueError as err:
        raise ValueError(f"{fn}: invalid date {_shown(text)}: {err}") from None


def _to_moment(value: object, fn: str) -> _dt.date | _dt.datetime:
    """Accept what templates hold: datetimes/dates, Go ``time.Time`` wrappers (a ``.dt``
    attribute), RFC 3339 strings (Kratos JSON timestamps) and Unix seconds (JSON numbers)."""
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value
    wrapped = getattr(value, "dt", None)
    if isinstance(wrapped, _dt.datetime):
        return wrapped
    if isinstance(value, str):
        return _parse_time_string(value, fn)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return _dt.datetime.fromtimestamp(value, _dt.timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"{fn}: {value!r} is out of range for a Unix time") from None
    raise ValueError(f"{fn}: cannot format {_describe(value)} as a date")


def _describe(value: object) -> str:
    return "<nil>" if value is None else f"{type(value).__name__} {_shown(repr(value))}"


def _aware(moment: _dt.date | _dt.datetime, tz: str | None, fn: str) -> _dt.datetime:
    if isinstance(moment, _dt.datetime):
        dt = moment if moment.tzinfo is not None else moment.replace(tzinfo=_dt.timezone.utc)
    else:
        dt = _dt.datetime(moment.year, moment.month, moment.day, tzinfo=_dt.timezone.utc)
    if tz:
        try:
            # Babel's dates and numbers load on first use (start-up cost, see docs/performance.md).
            import babel.dates

            zone = babel.dates.get_timezone(tz)
        except LookupError:
            raise ValueError(f"{fn}: unknown time zone {tz!r}") from None
        dt = dt.astimezone(zone)
    return dt


def format_date(value: object, format: str = "medium", tz: str | None = None, *, locale: str | Locale) -> str:
    """The date part of ``value`` for ``locale``: ``format`` is short/medium/long/full or a CLDR
    pattern (``"d MMM y"``); ``tz`` (IANA name) picks the day a timestamp falls on."""
    moment = _to_moment(value, "formatDate")
    if isinstance(moment, _dt.datetime) or tz:
        moment = _aware(moment, tz, "formatDate")
    import babel.dates

    return babel.dates.format_date(moment, format, locale=_locale_obj(locale))


def format_datetime(
    value: object, format: str = "medium", tz: str | None = None, *, locale: str | Locale
) -> str:
    """Date and time of ``value`` for ``locale``, in the value's own offset or in ``tz``."""
    dt = _aware(_to_moment(value, "formatDateTime"), tz, "formatDateTime")
    import babel.dates

    return babel.dates.format_datetime(dt, format, tzinfo=dt.tzinfo, locale=_locale_obj(locale))


def format_time(value: object, format: str = "medium", tz: str | None = None, *, locale: str | Locale) -> str:
    """Time of day of ``value`` for ``locale``, in the value's own offset or in ``tz``."""
    dt = _aware(_to_moment(value, "formatTime"), tz, "formatTime")
    import babel.dates

    return babel.dates.format_time(dt, format, tzinfo=dt.tzinfo, locale=_locale_obj(locale))


def format_number(value: object, format: str | None = None, *, locale: str | Locale) -> str:
    """A number with the locale's separators (``1234.5`` -> ``1.234,5`` in ``de``);
    ``format`` is an optional CLDR pattern (``"#,##0.00"``). Numeric strings are accepted."""
    number: int | float | decimal.Decimal
    if isinstance(value, bool) or not isinstance(value, (int, float, decimal.Decimal, str)):
        raise ValueError(f"formatNumber: cannot format {_describe(value)} as a number")
    if isinstance(value, str):
        try:
            number = decimal.Decimal(value.strip())
        except decimal.InvalidOperation:
            raise ValueError(f"formatNumber: {_shown(value)} is not a number") from None
    else:
        number = value
    import babel.numbers

    return babel.numbers.format_decimal(number, format=format, locale=_locale_obj(locale))


_Unit = Literal["week", "day", "hour", "minute", "second"]
_DurationFormat = Literal["long", "short", "narrow"]

# Units format_relative may use, largest first; months and years are not whole numbers of seconds.
_UNITS: Final[tuple[tuple[_Unit, int], ...]] = (
    ("week", 604800),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
    ("second", 1),
)
# Babel deprecates "medium" for durations (a DeprecationWarning); it means "long".
_DURATION_FORMATS: Final[Mapping[str, _DurationFormat]] = {
    "long": "long",
    "medium": "long",
    "short": "short",
    "narrow": "narrow",
}


def format_relative(value: object, format: str = "long", *, locale: str | Locale) -> str:
    """A duration from now: ``15`` (minutes, like ``ExpiresInMinutes``) -> ``in 15 minutes``,
    ``in 15 Minuten`` in ``de``; a negative value reads ``15 minutes ago``.

    ``value`` is a number of minutes or a ``timedelta``. The unit is the largest one that
    divides the duration exactly (90 minutes stay ``in 90 minutes``, never a rounded
    ``in 2 hours``: an expiry must not be overstated). ``format`` is long, short or narrow.
    """
    style = _DURATION_FORMATS.get(format)
    if style is None:
        raise ValueError(f"formatRelative: format must be long, short or narrow, got {format!r}")
    zero_unit: _Unit
    if isinstance(value, _dt.timedelta):
        seconds = round(value.total_seconds())
        zero_unit = "second"
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"formatRelative: {value!r} is not a duration")
        seconds = round(value * 60)
        zero_unit = "minute"
    else:
        raise ValueError(f"formatRelative: want minutes or a timedelta, got {_describe(value)}")
    unit = zero_unit if seconds == 0 else next(u for u, size in _UNITS if seconds % size == 0)
    # threshold=inf makes Babel skip every unit until `granularity`, so it uses exactly `unit`.
    import babel.dates

    return babel.dates.format_timedelta(
        _dt.timedelta(seconds=seconds),
        granularity=unit,
        threshold=float("inf"),
        add_direction=True,
        format=style,
        locale=_locale_obj(locale),
    )


#: Go signatures of the functions :func:`i18n_funcs` returns, for registering them into the Go
#: engine: name -> (fixed parameter types, variadic parameter type or None, result type).
I18N_FUNC_SIGNATURES: Final[Mapping[str, tuple[tuple[str, ...], str | None, str]]] = {
    "formatDate": (("any",), "string", "string"),
    "formatDateTime": (("any",), "string", "string"),
    "formatTime": (("any",), "string", "string"),
    "formatNumber": (("any",), "string", "string"),
    "formatRelative": (("any",), "string", "string"),
    "locale": ((), None, "string"),
}


def _at_most(fn: str, args: tuple[str, ...], n: int) -> None:
    if len(args) > n:
        raise ValueError(f"{fn}: want at most {n} argument(s) after the value, got {len(args)}")


def i18n_funcs(locale: str, *, default: str = "en") -> dict[str, Callable[..., str]]:
    """Template functions bound to ``locale`` (falling back along its chain to ``default`` for
    formatting data Babel lacks). Signatures, Go style (optional arguments are variadic)::

        formatDate VALUE [FORMAT [TZ]]      date part; FORMAT short|medium|long|full|CLDR pattern
        formatDateTime VALUE [FORMAT [TZ]]  date and time; TZ an IANA zone, else the value's offset
        formatTime VALUE [FORMAT [TZ]]      time of day
        formatNumber VALUE [PATTERN]        locale separators; PATTERN a CLDR pattern ("#,##0.00")
        formatRelative VALUE [FORMAT]       minutes or timedelta -> "in 15 minutes"; long|short|narrow
        locale                              the locale as a BCP 47 tag ("pt-BR"), for lang="..."

    VALUE for dates: a datetime, date, Go time value, RFC 3339 string or Unix seconds. The
    functions raise ValueError (bad value or argument) or LocaleError; the engine reports
    them as a failed function call. Their Go types are in :data:`I18N_FUNC_SIGNATURES`.
    """
    tag = normalize_locale(locale)
    loc = babel_locale(tag, default)
    bcp47 = tag.replace("_", "-")

    def format_date_fn(value: object, *args: str) -> str:
        _at_most("formatDate", args, 2)
        return format_date(value, *args, locale=loc)

    def format_datetime_fn(value: object, *args: str) -> str:
        _at_most("formatDateTime", args, 2)
        return format_datetime(value, *args, locale=loc)

    def format_time_fn(value: object, *args: str) -> str:
        _at_most("formatTime", args, 2)
        return format_time(value, *args, locale=loc)

    def format_number_fn(value: object, *args: str) -> str:
        _at_most("formatNumber", args, 1)
        return format_number(value, *args, locale=loc)

    def format_relative_fn(value: object, *args: str) -> str:
        _at_most("formatRelative", args, 1)
        return format_relative(value, *args, locale=loc)

    def locale_fn() -> str:
        return bcp47

    funcs: dict[str, Callable[..., str]] = {
        "formatDate": format_date_fn,
        "formatDateTime": format_datetime_fn,
        "formatTime": format_time_fn,
        "formatNumber": format_number_fn,
        "formatRelative": format_relative_fn,
        "locale": locale_fn,
    }
    return funcs

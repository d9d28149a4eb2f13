"""Locale tags, fallback chains, context locales and Babel formatting (mailtemplates.i18n).

Expected chains follow CLDR's parent-locale data as shipped in Babel; expected formatted strings
are Babel's CLDR output (the brief's "in 15 minutes" / "in 15 Minuten" among them).
"""

from __future__ import annotations

import datetime as dt
import decimal
import doctest
import re
from pathlib import Path
from typing import Any

import babel
import babel.localedata
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailtemplates.errors import InvalidName, LocaleError, MailTemplateError
from mailtemplates.gotmpl.values import GoTime
from mailtemplates.i18n import (
    CONTEXT_LOCALE_KEYS,
    I18N_FUNC_SIGNATURES,
    MAX_LOCALE_LENGTH,
    babel_locale,
    fallback_chain,
    format_date,
    format_datetime,
    format_number,
    format_relative,
    format_time,
    i18n_funcs,
    is_known_locale,
    locale_chain,
    locale_from_context,
    normalize_locale,
    requested_locale,
    to_bcp47,
)
from mailtemplates.models import RecoveryValidModel, RegistrationCodeValidModel

ROOT = Path(__file__).resolve().parent.parent

# --- normalize_locale -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("pt-BR", "pt_BR"),
        ("pt_BR", "pt_BR"),
        ("de", "de"),
        ("DE", "de"),
        ("en-us", "en_US"),
        ("EN_us", "en_US"),
        ("zh-hant-tw", "zh_Hant_TW"),
        ("ZH-HANT", "zh_Hant"),
        ("sr-Latn", "sr_Latn"),
        ("es-419", "es_419"),
        ("fil", "fil"),
        ("ca-ES-valencia", "ca_ES_VALENCIA"),
        ("de-DE-1901", "de_DE_1901"),
        # Extensions and private use are not part of a template name.
        ("de-DE-u-co-phonebk", "de_DE"),
        ("en-x-private", "en"),
    ],
)
def test_normalize_locale(tag: str, expected: str) -> None:
    assert normalize_locale(tag) == expected
    assert normalize_locale(expected) == expected


@pytest.mark.parametrize(
    ("tag", "error"),
    [
        ("../etc", InvalidName),
        ("de/../../x", InvalidName),
        ("de\x00", InvalidName),
        ("C:\\", InvalidName),
        ("C:", InvalidName),
        ("de\\..\\x", InvalidName),
        ("/de", InvalidName),
        ("..", InvalidName),
        ("de_DE.UTF-8", InvalidName),
        ("de\n", InvalidName),
        ("de\t", InvalidName),
        ("a" * 36, LocaleError),
        ("de-" + "abcdefgh-" * 200, LocaleError),
        ("de DE", LocaleError),
        (" de", LocaleError),
        ("", LocaleError),
        ("de-", LocaleError),
        ("de--AT", LocaleError),
        ("english", LocaleError),
        ("e", LocaleError),
        ("x-klingon", LocaleError),
        ("de-xyz", LocaleError),
        ("de-abcdefghi", LocaleError),
        ("dé", LocaleError),
        ("de*", LocaleError),
        ("de;q=1", LocaleError),
        ("de;q=0.9", InvalidName),
    ],
)
def test_bad_tags_are_refused(tag: str, error: type[MailTemplateError]) -> None:
    with pytest.raises(error):
        normalize_locale(tag)


def test_path_characters_are_invalid_names_whatever_the_length() -> None:
    with pytest.raises(InvalidName):
        normalize_locale("../" * 100)


def test_non_strings_are_refused() -> None:
    for value in (None, 5, b"de", ["de"]):
        with pytest.raises(LocaleError, match="must be a string"):
            normalize_locale(value)  # type: ignore[arg-type]


def test_length_limit() -> None:
    assert MAX_LOCALE_LENGTH == 35
    long_ok = "de_Latn_DE_1901_ABCDEFGH_IJKLMNOP"
    assert normalize_locale(long_ok) == long_ok
    with pytest.raises(LocaleError, match="too long"):
        normalize_locale("de_Latn_DE_1901_ABCDEFGH_IJKLMNOP_QRST")


def test_error_messages_shorten_huge_input() -> None:
    with pytest.raises(LocaleError) as info:
        normalize_locale("x" * 10_000)
    assert len(str(info.value)) < 200


_SAFE = re.compile(r"[a-z]{2,3}(_[A-Z][a-z]{3})?(_([A-Z]{2}|[0-9]{3}))?(_[A-Z0-9]{4,8})*")


@given(st.text(max_size=60))
def test_any_text_gives_a_safe_tag_or_a_mailtemplates_error(text: str) -> None:
    try:
        tag = normalize_locale(text)
    except (LocaleError, InvalidName):
        return
    assert _SAFE.fullmatch(tag), tag
    assert normalize_locale(tag) == tag


@given(st.from_regex(r"[A-Za-z]{2,3}([-_][A-Za-z]{4})?([-_]([A-Za-z]{2}|[0-9]{3}))?", fullmatch=True))
def test_well_formed_tags_normalise_to_a_fixed_point(text: str) -> None:
    tag = normalize_locale(text)
    assert tag.lower() == text.lower().replace("-", "_")
    assert normalize_locale(tag) == tag


@given(
    st.from_regex(
        r"[a-z]{2,3}(-(Latn|Hant|Hans|Cyrl|Zzzz))?(-([A-Z]{2}|419|001))?(-(1901|VALENCIA|POSIX))?",
        fullmatch=True,
    )
)
def test_every_well_formed_tag_gets_a_chain_and_formatters(text: str) -> None:
    tag = normalize_locale(text)
    chain = fallback_chain(tag, "en", available=["en_US", "de_AT", "zh_HK", "sr_Latn"])
    assert chain[0] == tag and "en" in chain
    assert all(normalize_locale(entry) == entry for entry in chain)
    assert i18n_funcs(tag)["locale"]() == tag.replace("_", "-")


def test_to_bcp47() -> None:
    assert to_bcp47("pt_BR") == "pt-BR"
    assert to_bcp47("zh-hant-tw") == "zh-Hant-TW"
    with pytest.raises(InvalidName):
        to_bcp47("../x")


def test_is_known_locale() -> None:
    assert is_known_locale("de")
    assert is_known_locale("de-AT")
    assert is_known_locale("pt_BR")
    assert not is_known_locale("de-XX")
    assert not is_known_locale("tlh")
    assert not is_known_locale("../etc")
    assert not is_known_locale("")


# --- fallback chain -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "default", "expected"),
    [
        ("de_AT", "en", ["de_AT", "de", "en"]),
        ("de-at", "en", ["de_AT", "de", "en"]),
        ("de", "en", ["de", "en"]),
        (None, "en", ["en"]),
        ("", "en_US", ["en_US", "en"]),
        ("en", "en", ["en"]),
        ("pt_BR", "pt_PT", ["pt_BR", "pt", "pt_PT"]),
        # CLDR parentLocales: regional groupings.
        ("es_MX", "en", ["es_MX", "es_419", "es", "en"]),
        ("en_GB", "en", ["en_GB", "en_001", "en"]),
        ("pt_AO", "en", ["pt_AO", "pt_PT", "pt", "en"]),
        ("zh_Hant_MO", "en", ["zh_Hant_MO", "zh_Hant_HK", "zh_Hant", "en"]),
        # Scripts: the likely script is added; a non-default script never falls to the language.
        ("zh_TW", "en", ["zh_TW", "zh_Hant_TW", "zh_Hant", "en"]),
        ("zh_Hant_TW", "en", ["zh_Hant_TW", "zh_Hant", "en"]),
        ("zh_CN", "en", ["zh_CN", "zh_Hans_CN", "zh_Hans", "zh", "en"]),
        ("sr_Latn_RS", "en", ["sr_Latn_RS", "sr_Latn", "en"]),
        ("sr_ME", "en", ["sr_ME", "sr_Latn_ME", "sr_Latn", "en"]),
        ("sr", "en", ["sr", "en"]),
        ("de_Latn_AT", "en", ["de_Latn_AT", "de_AT", "de", "en"]),
        # Variants, legacy codes, and tags Babel does not know.
        ("ca_ES_VALENCIA", "en", ["ca_ES_VALENCIA", "ca_ES", "ca", "en"]),
        ("iw", "en", ["iw", "he_IL", "he", "en"]),
        ("tlh", "en", ["tlh", "en"]),
        ("de_XX", "fr_CA", ["de_XX", "de", "fr_CA", "fr"]),
        # The default's own chain comes last.
        ("ja", "zh_TW", ["ja", "zh_TW", "zh_Hant_TW", "zh_Hant"]),
    ],
)
def test_fallback_chain(requested: str | None, default: str, expected: list[str]) -> None:
    assert fallback_chain(requested, default) == expected


def test_fallback_chain_validates_both_tags() -> None:
    with pytest.raises(InvalidName):
        fallback_chain("../etc", "en")
    with pytest.raises(InvalidName):
        fallback_chain("de", "de/../../x")
    with pytest.raises(LocaleError):
        fallback_chain("de", "")


def test_available_siblings_fill_the_gaps_babel_negotiation_leaves() -> None:
    # Babel's negotiate_locale(['en_GB'], ['en_US', 'de']) finds nothing (research/ecosystem.md §3.3).
    assert babel.negotiate_locale(["en_GB"], ["en_US", "de"]) is None
    assert fallback_chain("en_GB", "de", available=["en_US", "de"]) == [
        "en_GB",
        "en_001",
        "en",
        "en_US",
        "de",
    ]
    # ... and it picks Simplified "zh" for zh_TW; we never do.
    assert babel.negotiate_locale(["zh_TW"], ["zh_Hant", "zh"]) == "zh"
    chain = fallback_chain("zh_TW", "en", available=["zh", "zh_CN", "zh_HK", "en"])
    assert chain == ["zh_TW", "zh_Hant_TW", "zh_Hant", "zh_HK", "en"]


def test_available_siblings_order_and_hygiene() -> None:
    # The language's likely region (de -> de_DE) first, then the others in order.
    assert fallback_chain("de", "en", available=["de_CH", "de_AT", "de_DE"]) == [
        "de",
        "de_DE",
        "de_AT",
        "de_CH",
        "en",
    ]
    # Names that are not tags (stray files) are ignored, tags are normalised.
    assert fallback_chain("en_GB", "fr", available=["../x", "en-us", "notes.txt"]) == [
        "en_GB",
        "en_001",
        "en",
        "en_US",
        "fr",
    ]
    # The default gets its siblings too.
    assert fallback_chain(None, "fr", available=["fr_CA"]) == ["fr", "fr_CA"]


def _script(tag: str) -> str | None:
    return next((p for p in tag.split("_")[1:] if len(p) == 4 and p.isalpha()), None)


@pytest.mark.parametrize("tag", sorted(babel.localedata.locale_identifiers()))
def test_chain_for_every_cldr_locale(tag: str) -> None:
    if tag == "root":
        return
    chain = fallback_chain(tag, "en")
    assert chain[0] == tag
    assert chain[-1] == "en"
    assert len(chain) == len(set(chain))
    for entry in chain:
        assert normalize_locale(entry) == entry
    # CLDR: a locale written in a script other than its language's default never falls back
    # to the bare language (zh_Hant_TW must not reach "zh", which is Simplified Chinese).
    canonical = str(babel.Locale.parse(tag))
    lang = tag.split("_")[0]
    script = _script(canonical)
    if script and script != _likely_script(lang) and lang != "en":
        assert lang not in chain, chain


def _likely_script(lang: str) -> str | None:
    from babel.core import get_global

    return _script(get_global("likely_subtags").get(lang, ""))


# --- locale from context --------------------------------------------------------------------


def test_context_keys_are_documented_order() -> None:
    assert CONTEXT_LOCALE_KEYS == (
        ("Identity", "traits", "locale"),
        ("Identity", "traits", "language"),
        ("Traits", "locale"),
        ("Traits", "language"),
        ("TransientPayload", "locale"),
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"Identity": {"traits": {"locale": "de-AT", "language": "fr"}}}, "de_AT"),
        ({"Identity": {"traits": {"language": "fr"}}}, "fr"),
        ({"Traits": {"locale": "ja"}}, "ja"),
        ({"Traits": {"language": "es"}}, "es"),
        ({"TransientPayload": {"locale": "pt-BR"}}, "pt_BR"),
        ({"Identity": {"traits": {"locale": "de"}}, "TransientPayload": {"locale": "fr"}}, "de"),
        # JSON names (a Kratos payload).
        ({"identity": {"traits": {"locale": "de"}}}, "de"),
        ({"traits": {"locale": "nl"}}, "nl"),
        ({"transient_payload": {"locale": "it"}}, "it"),
        # Nothing usable.
        ({}, None),
        ({"Identity": {}}, None),
        ({"Identity": None, "TransientPayload": None}, None),
        ({"Identity": {"traits": "de"}}, None),
        ({"Identity": {"traits": {"locale": 5}}}, None),
        ({"Identity": {"traits": {"locale": ""}}}, None),
        # User data that is not a tag is skipped, never raised.
        ({"Identity": {"traits": {"locale": "../../etc", "language": "de"}}}, "de"),
        ({"Identity": {"traits": {"locale": "English"}}, "TransientPayload": {"locale": "fr"}}, "fr"),
        ({"Identity": {"traits": {"locale": "de\x00"}}}, None),
    ],
)
def test_locale_from_context(data: dict[str, Any], expected: str | None) -> None:
    assert locale_from_context(data) == expected


def test_locale_from_context_reads_models_and_none() -> None:
    assert locale_from_context(RecoveryValidModel(Identity={"traits": {"locale": "sv"}})) == "sv"
    assert locale_from_context(RegistrationCodeValidModel(Traits={"language": "pl"})) == "pl"
    assert locale_from_context(None) is None


def test_requested_locale_order() -> None:
    ctx = {"Identity": {"traits": {"locale": "fr"}}}
    assert requested_locale("de", ctx, default="en") == "de"
    assert requested_locale(["pt-BR", "de"], ctx, default="en") == "pt_BR"
    assert requested_locale(None, ctx, default="en") == "fr"
    assert requested_locale("", ctx, default="en") == "fr"
    assert requested_locale(None, {}, default="en-us") == "en_US"
    assert requested_locale(None, {"Identity": {"traits": {"locale": "../x"}}}, default="en") == "en"
    # The caller's own tag is checked.
    with pytest.raises(InvalidName):
        requested_locale("../etc", ctx, default="en")
    with pytest.raises(LocaleError):
        requested_locale(None, {}, default="not a tag")


def test_locale_chain_merges_sources() -> None:
    ctx = {"Identity": {"traits": {"locale": "fr-CA"}}}
    assert locale_chain("de-AT", ctx, default="en") == ["de_AT", "de", "fr_CA", "fr", "en"]
    assert locale_chain(["de-AT", "it"], ctx, default="en") == ["de_AT", "de", "it", "fr_CA", "fr", "en"]
    assert locale_chain(None, ctx, default="en") == ["fr_CA", "fr", "en"]
    assert locale_chain("fr", ctx, default="fr") == ["fr", "fr_CA"]
    assert locale_chain(None, None, default="en") == ["en"]
    assert locale_chain("en-GB", {}, default="de", available=["en_US", "de"]) == [
        "en_GB",
        "en_001",
        "en",
        "en_US",
        "de",
    ]
    with pytest.raises(InvalidName):
        locale_chain(["de", "../x"], ctx, default="en")


# --- formatting -----------------------------------------------------------------------------


def test_format_relative_brief_examples() -> None:
    assert format_relative(15, locale="en") == "in 15 minutes"
    assert format_relative(15, locale="de") == "in 15 Minuten"


@pytest.mark.parametrize(
    ("value", "locale", "expected"),
    [
        (60, "en", "in 1 hour"),
        (90, "en", "in 90 minutes"),  # never rounded up to "in 2 hours"
        (120, "en", "in 2 hours"),
        (1440, "en", "in 1 day"),
        (2880, "de", "in 2 Tagen"),
        (10080, "en", "in 1 week"),
        (0, "en", "in 0 minutes"),
        (-15, "en", "15 minutes ago"),
        (-60, "de", "vor 1 Stunde"),
        (2.5, "en", "in 150 seconds"),
        (15.0, "fr", "dans 15 minutes"),
        (dt.timedelta(seconds=30), "en", "in 30 seconds"),
        (dt.timedelta(hours=1), "es", "dentro de 1 hora"),
        (dt.timedelta(days=-2), "en", "2 days ago"),
        (dt.timedelta(0), "en", "in 0 seconds"),
    ],
)
def test_format_relative(value: Any, locale: str, expected: str) -> None:
    assert format_relative(value, locale=locale) == expected


def test_format_relative_formats() -> None:
    assert format_relative(15, "short", locale="en") == "in 15 min."
    # "medium" is accepted as "long" (Babel deprecates it: a warning would fail this suite).
    assert format_relative(15, "medium", locale="en") == "in 15 minutes"
    with pytest.raises(ValueError, match="format must be long, short or narrow"):
        format_relative(15, "full", locale="en")
    for bad in (None, "15", True, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="formatRelative"):
            format_relative(bad, locale="en")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-05T08:12:31.503442Z", "5. Januar 2026"),
        ("2026-01-05T08:12:31.503442123Z", "5. Januar 2026"),  # Go's nanoseconds
        ("2026-01-05t23:30:00-05:00", "5. Januar 2026"),  # the day in the value's own offset
        ("2026-01-05 08:12:31+0100", "5. Januar 2026"),
        ("2026-01-05", "5. Januar 2026"),
        (dt.date(2026, 1, 5), "5. Januar 2026"),
        (dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.timezone.utc), "5. Januar 2026"),
        (dt.datetime(2026, 1, 5, 8, 0), "5. Januar 2026"),
        (GoTime(dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.timezone.utc)), "5. Januar 2026"),
        (1767600000, "5. Januar 2026"),  # Unix seconds (2026-01-05T08:00:00Z)
        (1767600000.0, "5. Januar 2026"),
    ],
)
def test_format_date_values(value: Any, expected: str) -> None:
    assert format_date(value, "long", locale="de") == expected


def test_format_date_formats_and_zones() -> None:
    assert format_date("2026-01-05T08:00:00Z", locale="en") == "Jan 5, 2026"
    assert format_date("2026-01-05T08:00:00Z", "full", locale="fr") == "lundi 5 janvier 2026"
    assert format_date("2026-01-05T08:00:00Z", "d MMM y", locale="de") == "5 Jan. 2026"
    # 23:30 UTC is already the next day in Berlin.
    assert format_date("2026-01-05T23:30:00Z", "short", "Europe/Berlin", locale="de") == "06.01.26"


def test_format_datetime_and_time() -> None:
    assert (
        format_datetime("2026-11-22T09:41:07Z", "medium", "Europe/Berlin", locale="de")
        == "22.11.2026, 10:41:07"
    )
    assert format_time("2026-11-22T09:41:07Z", "short", "Europe/Berlin", locale="de") == "10:41"
    # Without a zone the value's own offset is kept.
    assert format_time("2026-11-22T09:41:07+05:30", "short", locale="de") == "09:41"
    assert format_datetime("2026-11-22T09:41:07Z", "long", locale="de") == "22. November 2026, 09:41:07 UTC"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "cannot format <nil> as a date"),
        (True, "cannot format bool"),
        ([2026], "cannot format list"),
        ("yesterday", "cannot parse 'yesterday' as a date"),
        ("2026-02-30", "invalid date '2026-02-30'"),
        ("2026-01-05T25:00:00Z", "invalid date"),
        (1e20, "out of range"),
    ],
)
def test_format_date_bad_values(value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        format_date(value, locale="en")


def test_unknown_time_zone() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        format_datetime("2026-01-05T08:00:00Z", "short", "Mars/Olympus", locale="en")


@pytest.mark.parametrize(
    ("value", "locale", "pattern", "expected"),
    [
        (1234.5, "de", None, "1.234,5"),
        (1234.5, "en", None, "1,234.5"),
        (1234567, "fr", None, "1\u202f234\u202f567"),
        (1e6, "en", None, "1,000,000"),
        (decimal.Decimal("0.5"), "de", None, "0,5"),
        ("42.25", "de", None, "42,25"),
        (3, "en", "#,##0.00", "3.00"),
    ],
)
def test_format_number(value: Any, locale: str, pattern: str | None, expected: str) -> None:
    assert format_number(value, pattern, locale=locale) == expected


def test_format_number_bad_values() -> None:
    for bad in (None, True, [1], "abc"):
        with pytest.raises(ValueError, match="formatNumber"):
            format_number(bad, locale="en")


def test_direct_formatting_needs_a_known_locale() -> None:
    with pytest.raises(LocaleError, match="no locale data for 'tlh'"):
        format_number(1, locale="tlh")
    with pytest.raises(InvalidName):
        format_number(1, locale="../x")


# --- function map ---------------------------------------------------------------------------


def test_i18n_funcs_names_and_signatures() -> None:
    funcs = i18n_funcs("de")
    assert (
        set(funcs)
        == set(I18N_FUNC_SIGNATURES)
        == {
            "formatDate",
            "formatDateTime",
            "formatTime",
            "formatNumber",
            "formatRelative",
            "locale",
        }
    )
    for params, variadic, result in I18N_FUNC_SIGNATURES.values():
        assert result == "string"
        assert variadic in (None, "string")
        assert params in ((), ("any",))


def test_i18n_funcs_docs_table_values() -> None:
    # The values shown in docs/locales.md's table, for the sample identity and ChangedAt.
    de = i18n_funcs("de")
    assert de["formatDate"]("2026-01-05T08:12:31.503442Z", "long") == "5. Januar 2026"
    assert de["formatDateTime"]("2026-11-22T09:41:07Z", "medium", "Europe/Berlin") == "22.11.2026, 10:41:07"
    assert de["formatTime"]("2026-11-22T09:41:07Z", "short", "Europe/Berlin") == "10:41"
    assert de["formatNumber"](1234.5) == "1.234,5"
    assert de["formatRelative"](15) == "in 15 Minuten"
    assert de["locale"]() == "de"


def test_i18n_funcs_argument_counts() -> None:
    funcs = i18n_funcs("en")
    with pytest.raises(ValueError, match="formatDate: want at most 2 argument"):
        funcs["formatDate"]("2026-01-05", "long", "UTC", "extra")
    with pytest.raises(ValueError, match="formatNumber: want at most 1 argument"):
        funcs["formatNumber"](1, "#", "x")
    with pytest.raises(ValueError, match="formatRelative: want at most 1 argument"):
        funcs["formatRelative"](1, "long", "x")
    assert funcs["formatRelative"](1, "narrow") == "in 1m"


def test_i18n_funcs_fall_back_for_formatting_only() -> None:
    # A template folder Babel has no data for formats with its chain's next known locale.
    funcs = i18n_funcs("tlh", default="de")
    assert funcs["formatRelative"](15) == "in 15 Minuten"
    assert funcs["locale"]() == "tlh"
    assert i18n_funcs("de-XX")["formatNumber"](1234.5) == "1.234,5"
    assert i18n_funcs("pt-br")["locale"]() == "pt-BR"
    assert str(babel_locale("zh_TW")) == "zh_Hant_TW"
    with pytest.raises(InvalidName):
        i18n_funcs("../etc")


# --- docs -----------------------------------------------------------------------------------


def test_docs_locales_examples_run() -> None:
    result = doctest.testfile(
        str(ROOT / "docs" / "locales.md"), module_relative=False, optionflags=doctest.ELLIPSIS, verbose=False
    )
    assert result.attempted > 20
    assert result.failed == 0

"""The built-in templates in template_root/ and their generator, tools/build_templates.py.

Go's output is never written by hand here: the golden cases in tests/golden/builtin/ were filled
by the Go oracle (``oracle -fill``), and the tests that need fresh Go output run the oracle
(skipped where it is not installed; set GOTMPL_ORACLE to its path).
"""

from __future__ import annotations

import datetime
import gettext
import html
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from babel import Locale
from babel.dates import format_datetime
from babel.messages.plurals import get_plural
from babel.support import NullTranslations
from conformance_support import ORACLE

from mailtemplates import gotmpl

REPO = Path(__file__).resolve().parent.parent
ROOT = REPO / "template_root"
GOLDEN = REPO / "tests" / "golden" / "builtin"
needs_oracle = pytest.mark.skipif(
    not ORACLE.is_file(),
    reason=f"needs the Go oracle (CONTRIBUTING.md), not found at {ORACLE}: these tests re-ask real Go; CI checks the built-ins against its stored answers in tests/golden/builtin",
)


def _load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_templates", REPO / "tools" / "build_templates.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_templates"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


bt = _load_tool()

# kratos-spec §1.1: every template directory, and whether it has an SMS body.
KRATOS_DIRS = {
    "recovery/valid": False,
    "recovery/invalid": False,
    "recovery_code/valid": True,
    "recovery_code/invalid": False,
    "verification/valid": False,
    "verification/invalid": False,
    "verification_code/valid": True,
    "verification_code/invalid": False,
    "login_code/valid": True,
    "registration_code/valid": True,
    "verifiable_address_changed": True,
    "authenticator_key_added": True,
}
CODE_FIELDS = {
    "recovery_code/valid": "RecoveryCode",
    "verification_code/valid": "VerificationCode",
    "login_code/valid": "LoginCode",
    "registration_code/valid": "RegistrationCode",
}
LOCALES = ("en", "de", "fr", "es", "pt_BR", "ja")


def _suffix(locale: str) -> str:
    return "" if locale == "en" else f".{locale}"


def _golden() -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLDEN.glob("*.json"))}


def _oracle_batch(cases: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    payload = "".join(json.dumps(c) + "\n" for c in cases)
    proc = subprocess.run([str(ORACLE), "-batch"], input=payload, capture_output=True, text=True, check=True)
    return {rec["id"]: rec["expect"] for rec in map(json.loads, proc.stdout.splitlines())}


# ---------------------------------------------------------------------------------------------
# What ships


def test_committed_files_are_what_the_generator_produces(capsys: pytest.CaptureFixture[str]) -> None:
    assert bt.main(["check"]) == 0, capsys.readouterr().err


def test_every_type_has_every_part_in_every_locale() -> None:
    expected = set()
    for directory, has_sms in KRATOS_DIRS.items():
        for locale in LOCALES:
            s = _suffix(locale)
            parts = ["email.subject", "email.body", "email.body.plaintext"] + (
                ["sms.body"] if has_sms else []
            )
            expected |= {f"{directory}/{part}{s}.gotmpl" for part in parts}
    shipped = {p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*") if p.is_file()}
    assert shipped == expected


def test_built_ins_are_plain_standalone_go_templates() -> None:
    for path in ROOT.rglob("*.gotmpl"):
        text = path.read_text(encoding="utf-8")
        # html/template strips comments (and with them Outlook conditionals).
        assert "<!--" not in text, path
        # Kratos parses every email.body* file of a folder into one set: no shared names.
        for action in re.findall(r"\{\{.*?\}\}", text, re.S):
            assert not re.search(r"\b(define|block|template)\b", action), (path, action)
        assert not re.search(r"<<|>>|<%|%>|<#|#>", text), path  # no build-time syntax left


def test_html_bodies_declare_their_language() -> None:
    for directory in KRATOS_DIRS:
        for locale in LOCALES:
            text = (ROOT / directory / f"email.body{_suffix(locale)}.gotmpl").read_text(encoding="utf-8")
            assert f'<html lang="{locale.replace("_", "-")}"' in text
            assert 'role="presentation"' in text
            assert "@media (prefers-color-scheme: dark)" in text
            assert "@media (max-width:" in text


# ---------------------------------------------------------------------------------------------
# Golden cases (expect filled by the oracle)


def test_golden_cases_cover_every_file_and_model() -> None:
    golden = _golden()
    assert golden, "tests/golden/builtin is empty"
    by_file: dict[str, set[str]] = {}
    for cid, case in golden.items():
        assert case["id"] == cid
        assert case["origin"] == "oracle" and case["funcs"] == "hermetic"
        assert "output" in case["expect"], cid
        (name,) = case["files"]
        by_file.setdefault(name, set())
        directory = next(d for d in KRATOS_DIRS if cid.startswith("builtin-" + d.replace("/", "-") + "-"))
        assert case["files"][name] == (ROOT / directory / name).read_text(encoding="utf-8"), cid
        assert case["engine"] == (
            "html"
            if re.fullmatch(r"email\.body(\.[A-Za-z_]+)?\.gotmpl", name) and "plaintext" not in name
            else "text"
        ), cid
        by_file[name].add("empty" if case["data"] == {} else "sample")
    for name, kinds in by_file.items():
        assert kinds == {"empty", "sample"}, name


@needs_oracle
def test_golden_expectations_are_what_go_renders() -> None:
    golden = _golden()
    cases = [{k: v for k, v in case.items() if k != "expect"} for case in golden.values()]
    results = _oracle_batch(cases)
    assert {cid: results[cid] for cid in golden} == {cid: case["expect"] for cid, case in golden.items()}


def test_plaintext_carries_the_html_content() -> None:
    golden = _golden()
    for cid, case in golden.items():
        if "-plaintext" not in cid:
            continue
        body = golden[cid.replace("-plaintext", "-body")]["expect"]["output"]
        visible = html.unescape(re.sub(r"<(style|title)\b.*?</\1>|<[^>]+>", " ", body, flags=re.S))
        # Compared without whitespace: markup such as <span> splits words only in the source.
        visible = re.sub(r"\s+", "", visible)
        for line in case["expect"]["output"].splitlines():
            if line.strip() and line != "-- ":
                assert re.sub(r"\s+", "", line) in visible, (cid, line)


def test_code_subjects_embed_the_code_and_link_subjects_are_static() -> None:
    golden = _golden()
    for directory in KRATOS_DIRS:
        for locale in LOCALES:
            stem = f"builtin-{directory.replace('/', '-')}-{locale}-subject"
            sample, empty = golden[stem], golden[stem + "-empty"]
            subject = sample["expect"]["output"]
            assert subject and subject == subject.strip() and "\n" not in subject
            if directory in CODE_FIELDS:
                assert sample["data"][CODE_FIELDS[directory]] in subject
            else:
                assert subject == empty["expect"]["output"]


def test_sms_ends_with_the_webotp_line() -> None:
    golden = _golden()
    for directory, field in CODE_FIELDS.items():
        for locale in LOCALES:
            case = golden[f"builtin-{directory.replace('/', '-')}-{locale}-sms"]
            data = case["data"]
            assert case["expect"]["output"].endswith(f"\n\n@{data['RequestURLDomain']} #{data[field]}")


def test_empty_models_render_without_missing_values() -> None:
    for cid, case in _golden().items():
        if cid.endswith("-empty"):
            out = case["expect"]["output"]
            assert out.strip() and "<no value>" not in out, cid


# ---------------------------------------------------------------------------------------------
# Generator


@needs_oracle
def test_every_built_in_renders_with_go_on_sample_empty_and_zero_models(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert bt.main(["verify", "--oracle", str(ORACLE)]) == 0, capsys.readouterr().err


class _GettextForms(NullTranslations):
    """ngettext that answers with the index gettext's Plural-Forms picks for the locale."""

    def __init__(self, locale: str) -> None:
        super().__init__()
        self._index = gettext.c2py(get_plural(locale).plural_expr)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return f"form{self._index(n)} %(num)s"


PLURAL_LOCALES = ["en", "fr", "pt_BR", "ja", "ru", "pl", "cs", "ar", "lt", "ga"]
PLURAL_COUNTS = [*range(1, 26), 99, 100, 101, 102, 103, 111, 1000, 1000000]


def _plural_template(locale: str) -> tuple[str, _GettextForms]:
    """The Go template the generator writes for a counted sentence, and the forms gettext picks."""
    forms = _GettextForms(locale)
    env = bt.make_env(html=False)
    env.globals["count_go"] = bt.make_count_go(bt.LocaleSpec(locale, forms, Locale.parse(locale)))
    return env.from_string('<< count_go("one %(num)s", "many %(num)s", ".N") >>').render(), forms


@pytest.mark.parametrize("locale", PLURAL_LOCALES)
def test_plural_selection_in_our_engine_agrees_with_gettext(locale: str) -> None:
    # The generator's CLDR -> Go condition translation, run by our engine (Go's own answer for
    # the same templates is checked below when the oracle is present).
    source, forms = _plural_template(locale)
    tset = gotmpl.parse_files({"m.gotmpl": source})
    for n in PLURAL_COUNTS:
        assert tset.execute("m.gotmpl", {"N": n}) == f"form{forms._index(n)} {n}", n


@needs_oracle
@pytest.mark.parametrize("locale", PLURAL_LOCALES)
def test_plural_selection_in_go_agrees_with_gettext(locale: str) -> None:
    source, forms = _plural_template(locale)
    counts = PLURAL_COUNTS
    cases = [
        {
            "id": str(n),
            "engine": "text",
            "funcs": "hermetic",
            "files": {"m.gotmpl": source},
            "entry": "m.gotmpl",
            "data": {"N": n},
            "int_paths": ["N"],
        }
        for n in counts
    ]
    got = _oracle_batch(cases)
    assert {n: got[str(n)] for n in counts} == {n: {"output": f"form{forms._index(n)} {n}"} for n in counts}


def test_brand_is_validated(tmp_path: Path) -> None:
    base = json.loads((bt.SRC / "brand.json").read_text(encoding="utf-8"))
    bad = [
        ("light", "primary", "red"),
        ("dark", "text", "#12345"),
        (None, "font", "Arial; } body { color: red"),
        (None, "logo", {"url": "http://example.com/logo.png", "width": 10, "height": 10}),
        (None, "logo", {"url": "https://example.com/logo.png", "width": 10, "height": 10}),  # no name
    ]
    for scheme, key, value in bad:
        brand = json.loads(json.dumps(base))
        (brand[scheme] if scheme else brand)[key] = value
        path = tmp_path / "brand.json"
        path.write_text(json.dumps(brand), encoding="utf-8")
        with pytest.raises(bt.BuildError):
            bt.load_brand(path)


def test_custom_brand_builds_an_override_directory(tmp_path: Path) -> None:
    brand = json.loads((bt.SRC / "brand.json").read_text(encoding="utf-8"))
    brand.update(name="Acme Cloud", footer="Acme Cloud GmbH, Berlin")
    brand["logo"] = {"url": "https://cdn.example.com/acme.png", "width": 140, "height": 36}
    brand["light"]["primary"] = "#0f766e"
    (tmp_path / "brand.json").write_text(json.dumps(brand), encoding="utf-8")
    out = tmp_path / "templates"
    assert bt.main(["build", "--brand", str(tmp_path / "brand.json"), "--out", str(out)]) == 0
    body = (out / "login_code/valid/email.body.de.gotmpl").read_text(encoding="utf-8")
    assert '<img src="https://cdn.example.com/acme.png" width="140" height="36" alt="Acme Cloud"' in body
    assert "#0f766e" in body and "#4f46e5" not in body
    assert "Acme Cloud GmbH, Berlin" in (out / "login_code/valid/email.body.plaintext.de.gotmpl").read_text(
        "utf-8"
    )
    assert len(list(out.rglob("*.gotmpl"))) == len(list(ROOT.rglob("*.gotmpl")))


def test_incomplete_catalog_stops_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locale_dir = tmp_path / "locale"
    shutil.copytree(bt.LOCALE_DIR, locale_dir)
    po = locale_dir / "de" / "LC_MESSAGES" / "templates.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgstr "Hallo,"', 'msgstr ""', 1)
    po.write_text(text, encoding="utf-8")
    monkeypatch.setattr(bt, "LOCALE_DIR", locale_dir)
    with pytest.raises(bt.BuildError, match="'Hello,' is not translated"):
        bt.generate(bt.SRC / "brand.json")
    files, _ = bt.generate(bt.SRC / "brand.json", allow_incomplete=True)
    assert "<p " in files["recovery/invalid/email.body.de.gotmpl"]


def test_adding_a_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The documented steps: `init LANG` starts a catalog, `build` then ships LANG's files."""
    locale_dir = tmp_path / "locale"
    shutil.copytree(bt.LOCALE_DIR, locale_dir)
    monkeypatch.setattr(bt, "LOCALE_DIR", locale_dir)
    assert bt.main(["init", "he"]) == 0
    with pytest.raises(bt.BuildError, match="not translated"):
        bt.generate(bt.SRC / "brand.json")
    files, specs = bt.generate(bt.SRC / "brand.json", allow_incomplete=True)
    assert [s.code for s in specs] == ["en", "de", "es", "fr", "he", "ja", "pt_BR"]
    body = files["recovery_code/valid/email.body.he.gotmpl"]
    assert '<html lang="he" dir="rtl">' in body and 'align="right"' in body
    assert "sms.body.he.gotmpl" in {path.rsplit("/", 1)[1] for path in files}


# ---------------------------------------------------------------------------------------------
# Timestamps (ChangedAt, AddedAt): CLDR formats written as Go Format calls

DATE_LOCALES = [*LOCALES, "ko", "ru", "ar", "zh", "hi"]  # + day periods, RTL marks, CJK
DATE_SAMPLES = [
    datetime.datetime(2024, month, (month * 2) % 28 + 1, hour, 5, 9, tzinfo=datetime.timezone.utc)
    for month in range(1, 13)
    for hour in (0, 9, 12, 13, 23)
]


def _date_template(locale: str) -> str:
    env = bt.make_env(html=False)
    env.globals["go_date"] = bt.make_go_date(bt.LocaleSpec(locale, NullTranslations(), Locale.parse(locale)))
    return env.from_string('<< go_date(".X") >>').render()


def _cldr_expected(locale: str, when: datetime.datetime) -> str:
    # Go prints the zone as its abbreviation ("UTC"), not CLDR's localized name ("TU" in fr).
    pattern = bt.datetime_pattern(Locale.parse(locale)).replace(" z", " 'UTC'")
    return format_datetime(when, pattern, locale=locale).replace("\u202f", " ").replace("\u00a0", " ")


def _rfc3339(when: datetime.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("locale", DATE_LOCALES)
def test_dates_in_our_engine_follow_cldr(locale: str) -> None:
    tset = gotmpl.parse_files({"m.gotmpl": _date_template(locale)})
    for when in DATE_SAMPLES:
        assert tset.execute("m.gotmpl", {"X": _rfc3339(when)}) == _cldr_expected(locale, when), when


@needs_oracle
@pytest.mark.parametrize("locale", DATE_LOCALES)
def test_dates_in_go_follow_cldr(locale: str) -> None:
    source = _date_template(locale)
    cases = [
        {
            "id": _rfc3339(when),
            "engine": "text",
            "funcs": "hermetic",
            "files": {"m.gotmpl": source},
            "entry": "m.gotmpl",
            "data": {"X": _rfc3339(when)},
        }
        for when in DATE_SAMPLES
    ]
    got = _oracle_batch(cases)
    assert {c["id"]: got[c["id"]] for c in cases} == {
        _rfc3339(when): {"output": _cldr_expected(locale, when)} for when in DATE_SAMPLES
    }


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2024-05-06 07:08:09", "2024-05-06 07:08:09"),
        ("yesterday <b>", "yesterday &lt;b&gt;"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),  # toDate's failure value: kept as is
        (1714979289, "1714979289"),
        (True, "true"),
    ],
)
def test_dates_that_do_not_parse_are_shown_as_they_are(value: object, shown: str) -> None:
    tset = gotmpl.parse_files({"m.gotmpl": _date_template("de")}, html=True)
    assert tset.execute("m.gotmpl", {"X": value}) == shown

"""render(): Kratos-compatible output, context forms, locales, overrides, cache, errors."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from helpers import write

from mailtemplates import RenderedEmail, Renderer, render, render_sms
from mailtemplates.errors import (
    ContextError,
    InvalidName,
    LocaleError,
    TemplateExecError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from mailtemplates.models import RecoveryCodeValidModel, sample_context, to_payload

FIXTURES = Path(__file__).parent / "fixtures"
BENCH = Path(__file__).parent.parent / "benchmarks" / "kratos_override"


@pytest.mark.parametrize("folder,root", [("kratos_siblings", FIXTURES / "kratos_siblings"), ("kratos_override", BENCH)])
def test_kratos_override_folder_renders_as_kratos_does(folder: str, root: Path) -> None:
    """Expected outputs come from real Go (tests/fixtures/make_expected.py)."""
    expected = json.loads((FIXTURES / f"{folder}.expected.json").read_text(encoding="utf-8"))
    r = Renderer([root], inline_css=False, check_interval=0)
    for case in expected["cases"]:
        email = r.render(expected["template"], case["context"])
        assert email.subject == case["expect"]["subject"]
        assert email.html == case["expect"]["body"]
        assert email.text == case["expect"]["plaintext"]


def test_three_context_forms_render_the_same_email() -> None:
    ctx = sample_context("recovery_code/valid")
    as_go = render("recovery_code/valid", ctx)
    as_payload = render("recovery_code/valid", to_payload("recovery_code/valid", ctx))
    as_model = render("recovery_code/valid", RecoveryCodeValidModel(**ctx))  # type: ignore[arg-type]
    assert as_go == as_payload == as_model
    assert isinstance(as_go, RenderedEmail)
    assert ctx["RecoveryCode"] in as_go.subject and ctx["RecoveryCode"] in as_go.text


def test_subject_is_trimmed_bodies_are_not(tmp_path: Path) -> None:
    write(tmp_path, "recovery/valid/email.subject.gotmpl", "\n  Reset  \n")
    write(tmp_path, "recovery/valid/email.body.plaintext.gotmpl", "\nbody\n")
    email = Renderer([tmp_path], check_interval=0).render("recovery/valid", {})
    assert email.subject == "Reset"
    assert email.text == "\nbody\n"


def test_every_builtin_type_renders_in_every_locale() -> None:
    from mailtemplates.models import TEMPLATE_TYPES

    for name, tt in TEMPLATE_TYPES.items():
        if not tt.templated:
            continue
        for locale in ("en", "de", "fr", "es", "pt-BR", "ja"):
            email = render(name, sample_context(name), locale=locale)
            assert email.subject and email.html and email.text
            assert email.locale == locale.replace("-", "_")
            assert "<no value>" not in email.text + (email.html or "")


def test_locale_order_explicit_then_context_then_default() -> None:
    ctx = sample_context("recovery/valid")
    ctx["Identity"]["traits"]["locale"] = "fr"
    assert render("recovery/valid", ctx).locale == "fr"
    assert render("recovery/valid", ctx, locale="de").locale == "de"
    ctx["Identity"]["traits"].pop("locale")
    assert render("recovery/valid", ctx).locale == "en"
    assert render("recovery/valid", ctx, locale="de-AT").locale == "de"  # de_AT -> de
    assert render("recovery/valid", ctx, locale="it").locale == "en"  # no Italian: the default


def test_bad_locale_and_names_are_refused() -> None:
    with pytest.raises((LocaleError, InvalidName)):
        render("recovery/valid", {}, locale="../../etc/passwd")
    with pytest.raises(InvalidName):
        render("../recovery/valid", {})
    with pytest.raises(InvalidName, match="did you mean"):
        render("recovery/vaild", {})


def test_unknown_context_field_names_the_field() -> None:
    with pytest.raises(ContextError, match=r"RecoveryUrl.*RecoveryURL"):
        render("recovery/valid", {"RecoveryUrl": "https://x"})


def test_override_per_part_and_missing_file_falls_back(tmp_path: Path) -> None:
    write(tmp_path, "recovery/valid/email.subject.gotmpl", "Custom {{ .To }}")
    email = Renderer([tmp_path], check_interval=0).render("recovery/valid", {"To": "a@b.c"})
    assert email.subject == "Custom a@b.c"
    assert email.files["subject"].startswith(str(tmp_path))
    assert "template_root" in email.files["body"]


def test_broken_override_is_an_error_never_a_fallback(tmp_path: Path) -> None:
    path = write(tmp_path, "recovery/valid/email.subject.gotmpl", "ok\n{{ if .To }}unclosed")
    with pytest.raises(TemplateSyntaxError) as info:
        Renderer([tmp_path], check_interval=0).render("recovery/valid", {})
    err = info.value
    assert err.filename == str(path) and err.line == 2
    assert str(path) in str(err) and "unexpected EOF" in str(err)


def test_field_of_another_model_is_an_exec_error_like_kratos(tmp_path: Path) -> None:
    path = write(tmp_path, "recovery_code/valid/email.body.plaintext.gotmpl", "Go to {{ .RecoveryURL }}")
    with pytest.raises(TemplateExecError) as info:
        Renderer([tmp_path], check_interval=0).render("recovery_code/valid", sample_context("recovery_code/valid"))
    err = info.value
    assert err.filename == str(path) and (err.line, err.col) == (1, 10)
    assert err.go_message.startswith("template: email.body.plaintext.gotmpl:1:9: ")
    assert "can't evaluate field RecoveryURL in type *email.RecoveryCodeValidModel" in err.go_message


def test_override_html_only_gets_derived_text_not_builtin_english(tmp_path: Path) -> None:
    write(tmp_path, "recovery/valid/email.body.gotmpl", "<p>Eigener Text: <a href=\"{{ .RecoveryURL }}\">hier</a></p>")
    r = Renderer([tmp_path], check_interval=0)
    email = r.render("recovery/valid", {"RecoveryURL": "https://x.example/r?a=1&b=2"})
    assert email.text == "Eigener Text: hier <https://x.example/r?a=1&b=2>\n"
    assert "plaintext" not in email.files  # derived from the override's HTML, not the built-in English
    # With an override plaintext beside it, that one is used.
    write(tmp_path, "recovery/valid/email.body.plaintext.gotmpl", "Text: {{ .RecoveryURL }}")
    assert r.render("recovery/valid", {"RecoveryURL": "https://x"}).text == "Text: https://x"


def test_cache_notices_edits_new_files_and_deletions(tmp_path: Path) -> None:
    r = Renderer([tmp_path], check_interval=0)
    builtin_subject = r.render("recovery/valid", {}).subject
    p = write(tmp_path, "recovery/valid/email.subject.gotmpl", "one")
    assert r.render("recovery/valid", {}).subject == "one"
    time.sleep(0.01)
    p.write_text("two-longer", encoding="utf-8")
    assert r.render("recovery/valid", {}).subject == "two-longer"
    p.unlink()
    assert r.render("recovery/valid", {}).subject == builtin_subject


def test_check_interval_keeps_compiled_templates_warm(tmp_path: Path) -> None:
    p = write(tmp_path, "recovery/valid/email.subject.gotmpl", "one")
    r = Renderer([tmp_path], check_interval=3600)
    assert r.render("recovery/valid", {}).subject == "one"
    p.write_text("two", encoding="utf-8")
    assert r.render("recovery/valid", {}).subject == "one"  # not checked again yet
    r.clear_cache()
    assert r.render("recovery/valid", {}).subject == "two"


def test_jinja_templates_share_loader_locales_and_context(tmp_path: Path) -> None:
    write(tmp_path, "recovery/valid/email.body.de.jinja", "<p>Hallo {{ Identity.traits.email }} {{ RecoveryURL }}</p>")
    email = Renderer([tmp_path], check_interval=0, inline_css=False).render(
        "recovery/valid",
        {"RecoveryURL": "https://x/?a=1&b=<2>", "Identity": {"traits": {"email": "<ada>"}}},
        locale="de",
    )
    assert email.html == "<p>Hallo &lt;ada&gt; https://x/?a=1&amp;b=&lt;2&gt;</p>"


def test_sms_bodies() -> None:
    ctx = sample_context("login_code/valid", channel="sms")
    body = render_sms("login_code/valid", ctx)
    assert ctx["LoginCode"] in body
    assert render_sms("login_code/valid", ctx, locale="de") != body


def test_missing_template_names_every_path(tmp_path: Path) -> None:
    r = Renderer([tmp_path], use_builtins=False, check_interval=0)
    with pytest.raises(TemplateNotFound, match=r"email\.subject\.gotmpl"):
        r.render("recovery/valid", {})


def test_template_uris_per_part(tmp_path: Path) -> None:
    import base64

    uri = "base64://" + base64.b64encode(b"From URI {{ .To }}").decode()
    r = Renderer(template_uris={"recovery/valid": {"subject": uri}}, check_interval=0)
    email = r.render("recovery/valid", {"To": "x@y.z"})
    assert email.subject == "From URI x@y.z"
    assert email.files["subject"] == "base64://[redacted]"


def test_module_render_uses_builtins_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(FIXTURES / "kratos_siblings", tmp_path / "courier" / "builtin" / "templates")
    email = render("recovery_code/valid", sample_context("recovery_code/valid"))
    assert "template_root" in email.files["subject"]


def test_locale_formatting_functions_in_go_and_jinja_templates(tmp_path: Path) -> None:
    write(tmp_path, "recovery/valid/email.subject.de.gotmpl", "Gültig {{ formatRelative .ExpiresInMinutes }} ({{ formatNumber 1234.5 }})")
    write(tmp_path, "recovery/valid/email.subject.gotmpl", "Valid {{ formatRelative .ExpiresInMinutes }} ({{ formatNumber 1234.5 }})")
    write(tmp_path, "recovery/valid/email.body.plaintext.fr.jinja", "Valable {{ formatRelative(ExpiresInMinutes) }}")
    r = Renderer([tmp_path], check_interval=0)
    assert r.render("recovery/valid", {"ExpiresInMinutes": 15}).subject == "Valid in 15 minutes (1,234.5)"
    assert r.render("recovery/valid", {"ExpiresInMinutes": 15}, locale="de").subject == "Gültig in 15 Minuten (1.234,5)"
    assert r.render("recovery/valid", {"ExpiresInMinutes": 15}, locale="fr").text == "Valable dans 15 minutes"


def test_formatting_errors_are_template_errors(tmp_path: Path) -> None:
    write(tmp_path, "recovery/valid/email.subject.gotmpl", '{{ formatDate "not a date" }}')
    with pytest.raises(TemplateExecError, match="error calling formatDate"):
        Renderer([tmp_path], check_interval=0).render("recovery/valid", {})


def test_explicit_default_locale_beats_the_context() -> None:
    ctx = sample_context("recovery/valid")
    ctx["Identity"]["traits"]["locale"] = "de"
    assert render("recovery/valid", ctx).locale == "de"
    email = render("recovery/valid", ctx, locale="en")
    assert email.locale == "en" and email.subject == render("recovery/valid", sample_context("recovery/valid")).subject


def test_a_german_default_uses_the_german_built_ins() -> None:
    # The built-in generic files are English; with default_locale="de" the built-ins' own
    # German files are the default, while an explicit "en" still gets the English ones.
    r = Renderer(default_locale="de", check_interval=3600)
    de = render("login_code/valid", {"LoginCode": "7"}, locale="de")
    en = render("login_code/valid", {"LoginCode": "7"}, locale="en")
    assert (r.render("login_code/valid", {"LoginCode": "7"}).subject, de.locale) == (de.subject, "de")
    email = r.render("login_code/valid", {"LoginCode": "7"}, locale="en")
    assert (email.subject, email.locale) == (en.subject, "en")
    # A locale the built-ins lack falls back to the default, German; a context locale still wins.
    assert r.render("login_code/valid", {"LoginCode": "7"}, locale="ko").subject == de.subject
    fr = r.render("login_code/valid", {"LoginCode": "7", "Identity": {"traits": {"locale": "fr"}}})
    assert fr.locale == "fr" and fr.subject == render("login_code/valid", {"LoginCode": "7"}, locale="fr").subject
    assert r.render_sms("login_code/valid", {"LoginCode": "7"}) == render_sms("login_code/valid", {"LoginCode": "7"}, locale="de")


def test_a_german_default_prefers_the_operators_generic_files(tmp_path: Path) -> None:
    # An override folder's generic files are written in the default locale: they win over the
    # built-in German files, and the built-in English ones fill the parts the folder lacks.
    write(tmp_path, "login_code/valid/email.subject.gotmpl", "Anmeldecode {{ .LoginCode }}")
    r = Renderer([tmp_path], default_locale="de", check_interval=3600)
    email = r.render("login_code/valid", {"LoginCode": "7"})
    assert email.subject == "Anmeldecode 7" and email.locale == "de"
    assert email.text == render("login_code/valid", {"LoginCode": "7"}, locale="de").text
    english = r.render("login_code/valid", {"LoginCode": "7"}, locale="en")
    assert english.subject == "Anmeldecode 7"  # the operator's generic file comes before any built-in
    assert english.text == render("login_code/valid", {"LoginCode": "7"}, locale="en").text

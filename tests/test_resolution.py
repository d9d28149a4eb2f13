"""Renderer.resolve() and RenderedEmail.sources: which file and language each part comes from."""

from __future__ import annotations

import pickle
from pathlib import Path

from helpers import write

from mailtemplates import PartResolution, RenderedEmail, Renderer, Resolution, render
from mailtemplates.i18n import language_of

CTX = {"RecoveryCode": "1234", "To": "ada@example.com"}


def test_render_says_which_file_and_language_each_part_came_from() -> None:
    email = render("recovery_code/valid", CTX, locale="de-AT")
    assert set(email.sources) == {"subject", "body", "plaintext"}
    for part, src in email.sources.items():
        assert src.path is not None and src.path.endswith(
            f"recovery_code/valid/{'email.' + ('subject' if part == 'subject' else 'body.plaintext' if part == 'plaintext' else 'body')}.de.gotmpl"
        )
        assert (src.origin, src.locale, src.language, src.engine) == ("builtin", "de", "de", "gotmpl")
    assert not email.mixed_languages
    assert pickle.loads(pickle.dumps(email)) == email


def test_an_override_missing_one_translation_mixes_languages_and_says_so(tmp_path: Path) -> None:
    write(tmp_path, "recovery_code/valid/email.body.de.gotmpl", "<p>Dein Code {{ .RecoveryCode }}</p>")
    write(tmp_path, "recovery_code/valid/email.body.gotmpl", "<p>Your code {{ .RecoveryCode }}</p>")
    write(tmp_path, "recovery_code/valid/email.subject.gotmpl", "Your code")
    r = Renderer([tmp_path], check_interval=0)
    res = r.resolve("recovery_code/valid", "de")
    assert isinstance(res, Resolution)
    assert res.languages == {"subject": "en", "body": "de", "plaintext": "de"}
    assert res.mixed_languages
    assert res.parts["subject"].path == str(tmp_path / "recovery_code/valid/email.subject.gotmpl")
    assert res.parts["subject"].origin == "override"
    # The override has HTML only: the text is derived from it, in its language.
    assert res.parts["plaintext"] == PartResolution("plaintext", None, None, "de", "de", derived_from="body")
    email = r.render("recovery_code/valid", CTX, locale="de")
    assert email.mixed_languages
    assert email.sources == res.parts
    assert email.subject == "Your code" and "Dein Code" in (email.html or "")
    # English readers get English everywhere.
    assert not r.resolve("recovery_code/valid", "en").mixed_languages


def test_resolve_reports_a_broken_part_instead_of_raising(tmp_path: Path) -> None:
    (tmp_path / "recovery_code/valid/email.subject.gotmpl").mkdir(parents=True)
    res = Renderer([tmp_path]).resolve("recovery_code/valid", "fr")
    assert "is a directory" in (res.parts["subject"].problem or "")
    assert res.parts["body"].language == "fr"


def test_resolve_follows_the_context_locale_like_render() -> None:
    res = Renderer().resolve("login_code/valid", None, {"Identity": {"traits": {"locale": "ja"}}})
    assert {p.language for p in res.parts.values()} == {"ja"}
    assert res.chain == ("ja",)


def test_same_language_other_region_does_not_count_as_mixed() -> None:
    assert language_of("de_AT") == language_of("de") == "de"
    assert language_of("zh_TW") == "zh_Hant" != language_of("zh_CN")


def test_sources_of_a_rendered_email_default_to_empty() -> None:
    email = RenderedEmail(subject="s", html=None, text="t", locale="en", template="x")
    assert dict(email.sources) == {} and not email.mixed_languages


def test_renderer_uses_available_sibling_locales_before_the_default(tmp_path: Path) -> None:
    """en_GB with en_US files and no en/en_GB ones: the American files, not the default's."""
    folder = "recovery_code/valid"
    write(tmp_path, f"{folder}/email.subject.gotmpl", "Dein Code")
    write(tmp_path, f"{folder}/email.subject.en_US.gotmpl", "Your code")
    write(tmp_path, f"{folder}/email.body.gotmpl", "<p>Dein Code</p>")
    write(tmp_path, f"{folder}/email.body.en_US.gotmpl", "<p>Your code</p>")
    r = Renderer([tmp_path], default_locale="de", use_builtins=False, check_interval=0)
    email = r.render(folder, CTX, locale="en-GB")
    assert (email.subject, email.locale) == ("Your code", "en_US")
    assert r.resolve(folder, "en_GB").parts["body"].locale == "en_US"
    # From the context too, and unchanged for readers the default serves.
    ctx = {**CTX, "Identity": {"traits": {"locale": "en-AU"}}}
    assert r.render(folder, ctx).subject == "Your code"
    assert r.render(folder, CTX, locale="de").subject == "Dein Code"
    # A new sibling is noticed.
    write(tmp_path, f"{folder}/email.subject.en_GB.gotmpl", "Your code, mate")
    assert r.render(folder, CTX, locale="en-GB").subject == "Your code, mate"

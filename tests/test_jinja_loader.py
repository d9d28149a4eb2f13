"""Jinja templates that share a layout: {% extends %} / {% include %} over the template roots,
confined to them; StrictUndefined by default (issue 15)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import write

from mailtemplates import Renderer
from mailtemplates.errors import TemplateExecError

CTX = {"RecoveryCode": "1234", "To": "ada@example.com"}
FOLDER = "recovery_code/valid"
LAYOUT = "<html><body>{% block content %}{% endblock %}{% include 'layouts/footer.jinja' %}</body></html>"


def renderer(root: Path, **kw: object) -> Renderer:
    return Renderer([root], inline_css=False, check_interval=0, **kw)  # type: ignore[arg-type]


def test_extends_and_include_share_a_layout_across_types(tmp_path: Path) -> None:
    write(tmp_path, "layouts/base.jinja", LAYOUT)
    write(tmp_path, "layouts/footer.jinja", "<p>Sent to {{ To }}</p>")
    write(tmp_path, "layouts/footer.de.jinja", "<p>Gesendet an {{ To }}</p>")
    body = "{% extends 'layouts/base.jinja' %}{% block content %}<b>{{ RecoveryCode }}</b>{% endblock %}"
    write(tmp_path, f"{FOLDER}/email.body.jinja", body)
    write(tmp_path, f"{FOLDER}/email.body.de.jinja", body.replace("<b>", "<b>Code "))
    r = renderer(tmp_path)
    assert r.render(FOLDER, CTX).html == "<html><body><b>1234</b><p>Sent to ada@example.com</p></body></html>"
    # The German file's includes follow its locale: footer.de.jinja.
    assert r.render(FOLDER, CTX, locale="de").html == (
        "<html><body><b>Code 1234</b><p>Gesendet an ada@example.com</p></body></html>"
    )
    # An included file edited in place is read again.
    footer = tmp_path / "layouts/footer.jinja"
    footer.write_text("<p>To {{ To }}</p>", encoding="utf-8")
    assert r.render(FOLDER, CTX).html.endswith("<p>To ada@example.com</p></body></html>")  # type: ignore[union-attr]


def test_the_first_root_wins_as_for_parts(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    write(second, "layouts/footer.jinja", "second")
    write(first, "layouts/footer.jinja", "first")
    write(second, f"{FOLDER}/email.subject.jinja", "{% include 'layouts/footer.jinja' %}")
    r = Renderer([first, second], check_interval=0)
    assert r.render(FOLDER, CTX).subject == "first"


@pytest.mark.parametrize(
    "name",
    [
        "../secret.jinja",
        "layouts/../../secret.jinja",
        "/etc/passwd",
        "layouts\\\\x.jinja",
        "secret.txt",
        ".hidden.jinja",
    ],
)
def test_names_cannot_leave_the_roots(tmp_path: Path, name: str) -> None:
    root = tmp_path / "root"
    write(tmp_path, "secret.jinja", "SECRET")
    write(root, f"{FOLDER}/email.subject.jinja", "{% include '" + name + "' %}")
    with pytest.raises(TemplateExecError) as info:
        renderer(root).render(FOLDER, CTX)
    assert "SECRET" not in str(info.value)
    assert "is not allowed" in str(info.value) or "only .jinja templates" in str(info.value)
    assert info.value.line == 1


def test_a_symlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    secret = write(tmp_path, "secret.jinja", "SECRET")
    (root / "layouts").mkdir(parents=True)
    os.symlink(secret, root / "layouts/base.jinja")
    write(root, f"{FOLDER}/email.subject.jinja", "{% include 'layouts/base.jinja' %}")
    with pytest.raises(TemplateExecError, match="resolves outside its template root"):
        renderer(root).render(FOLDER, CTX)


def test_a_missing_include_names_the_roots(tmp_path: Path) -> None:
    write(tmp_path, f"{FOLDER}/email.subject.jinja", "{% include 'layouts/nope.jinja' %}")
    with pytest.raises(TemplateExecError, match=r"no template 'layouts/nope\.jinja' in the template roots"):
        renderer(tmp_path).render(FOLDER, CTX)


def test_misspelt_variables_are_errors_unless_relaxed(tmp_path: Path) -> None:
    write(tmp_path, f"{FOLDER}/email.subject.jinja", "Code {{ RecoveryKode }}")
    with pytest.raises(TemplateExecError, match="'RecoveryKode' is undefined") as info:
        renderer(tmp_path).render(FOLDER, CTX)
    assert info.value.line == 1
    assert renderer(tmp_path, jinja_strict=False).render(FOLDER, CTX).subject == "Code"

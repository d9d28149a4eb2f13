"""markupsafe's ``Markup`` in a context is not trusted HTML: Kratos's data arrives as JSON, which has
no trusted-HTML type, so both engines escape it like any string (docs/architecture.md)."""

from __future__ import annotations

from pathlib import Path

from helpers import write
from markupsafe import Markup

from mailtemplates import Renderer

CTX = {"LoginCode": Markup("<b>123</b>"), "To": "ann@example.org"}


def test_markup_in_the_context_is_escaped_by_go_templates() -> None:
    html = Renderer().render("login_code/valid", CTX).html
    assert html is not None and "&lt;b&gt;123&lt;/b&gt;" in html and "<b>123</b>" not in html


def test_markup_in_the_context_is_escaped_by_jinja_templates(tmp_path: Path) -> None:
    write(tmp_path, "login_code/valid/email.body.jinja", "<p>{{ LoginCode }}</p>")
    html = Renderer([tmp_path]).render("login_code/valid", CTX).html
    assert html is not None and "<p>&lt;b&gt;123&lt;/b&gt;</p>" in html

"""Load-time CSS inlining: same email as inlining each render, tags intact, unsafe cases refused."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mailtemplates import Renderer, loadtime
from mailtemplates.inline import get_inliner
from mailtemplates.models import TEMPLATE_TYPES, sample_context

INLINE = get_inliner().inline


class _DOM(HTMLParser):
    """Elements, attributes (style as a declaration set), comments and text, for comparison."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[object] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "style":
            self.skip += 1
        norm = []
        for k, v in attrs:
            if k == "style":
                v = ";".join(sorted(d.strip() for d in (v or "").split(";") if d.strip()))
            norm.append((k, v))
        self.items.append(("start", tag, tuple(sorted(norm, key=str))))

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self.skip -= 1
        self.items.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if not self.skip and data.split():
            self.items.append(("data", " ".join(data.split())))


def dom(html: str) -> list[object]:
    p = _DOM()
    p.feed(html)
    p.close()
    return p.items


def per_render_renderer(monkeypatch: pytest.MonkeyPatch) -> Renderer:
    monkeypatch.setattr(loadtime, "inline_source", lambda *a, **k: None)
    return Renderer(check_interval=3600)


@pytest.mark.parametrize("name", [n for n, t in TEMPLATE_TYPES.items() if t.templated])
@pytest.mark.parametrize("locale", ["en", "de", "ja"])
def test_builtins_inline_at_load_time_and_match_per_render(name: str, locale: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = sample_context(name)
    warm = Renderer(check_interval=3600)
    email = warm.render(name, ctx, locale=locale)
    part = warm.compiled(TEMPLATE_TYPES[name], "body", warm.locale_chain(locale, {}))
    assert part.css_done, part.css_note
    slow = per_render_renderer(monkeypatch).render(name, ctx, locale=locale)
    assert email.html is not None and slow.html is not None
    # Same document: inlining once more changes nothing, and both have the same DOM and styles.
    assert dom(INLINE(email.html)) == dom(slow.html)


def test_go_actions_survive_inlining_verbatim() -> None:
    src = (
        "<html><head><style>a { color: #123456 } .box { padding: 4px }</style></head><body>"
        '<table class="box"><tr><td><a href="{{ .RecoveryURL }}" title=\'{{ printf "%s!" .To }}\'>{{ .To }}</a></td></tr>'
        "{{ range .Rows }}<tr><td>{{ . }}</td></tr>{{ end }}</table>"
        "{{- /* comment */ -}}<p>{{ if .X }}yes{{ else }}no{{ end }}</p></body></html>"
    )
    out = loadtime.inline_source(src, INLINE)
    assert out is not None, loadtime.last_reason
    spans = loadtime.action_spans(src)
    assert spans is not None
    actions = [src[s:e] for s, e in spans]
    assert [out[s:e] for s, e in loadtime.action_spans(out) or []] == actions
    assert 'style="color: #123456;"' in out and 'class="box" style="padding: 4px;"' in out
    # the loop stays between the rows (no foster parenting)
    assert re.search(r"</tr>\s*\{\{ range \.Rows \}\}<tr>", out)


@pytest.mark.parametrize(
    "src,reason",
    [
        ('<style>.a{color:red}</style><p class="{{ .C }}">x</p>', "class"),
        ("<style>p + p {color:red}</style><p>{{ .A }}</p>", "siblings"),
        ("<style>tr:nth-child(odd){color:red}</style><table>{{ range . }}<tr><td>x</td></tr>{{ end }}</table>", "siblings"),
        ("<style>p { color: {{ .Color }} }</style><p>x</p>", "stands where"),
        ('<style>p{color:red}</style><p style="margin: {{ .M }}">x</p>', "style"),
        ("<style>p{color:red}</style><p {{ if .A }}hidden{{ end }}>x</p>", "stands where"),
        ("<p>{{ .A }}</p>", "no <style>"),
        ('{{ define "x" }}<p>x</p>{{ end }}<!DOCTYPE html><html><head><style>p{color:red}</style></head><body>{{ template "x" }}</body></html>', "beyond style"),
    ],
)
def test_unsafe_templates_fall_back_to_per_render(src: str, reason: str) -> None:
    assert loadtime.inline_source(src, INLINE) is None
    assert reason in loadtime.last_reason


def test_override_with_defines_falls_back_and_still_renders_inlined(tmp_path: Path) -> None:
    bench = Path(__file__).parent.parent / "benchmarks" / "kratos_override"
    r = Renderer([bench], check_interval=3600)
    ctx = sample_context("recovery_code/valid")
    email = r.render("recovery_code/valid", ctx)
    part = r.compiled(TEMPLATE_TYPES["recovery_code/valid"], "body", ())
    assert not part.css_done and "per email" in part.css_note
    assert email.html is not None and 'class="code" style=' in email.html


def test_inlining_can_be_switched_off() -> None:
    r = Renderer(inline_css=False)
    email = r.render("recovery/valid", sample_context("recovery/valid"))
    assert email.html is not None and "<style" in email.html

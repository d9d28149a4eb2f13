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
    monkeypatch.setattr(loadtime, "inline_files", lambda *a, **k: (None, "turned off by the test"))
    return Renderer(check_interval=3600)


@pytest.mark.parametrize("name", [n for n, t in TEMPLATE_TYPES.items() if t.templated])
@pytest.mark.parametrize("locale", ["en", "de", "ja"])
def test_builtins_inline_at_load_time_and_match_per_render(
    name: str, locale: str, monkeypatch: pytest.MonkeyPatch
) -> None:
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
    out, reason = loadtime.inline_source(src, INLINE)
    assert out is not None, reason
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
        (
            "<style>tr:nth-child(odd){color:red}</style><table>{{ range . }}<tr><td>x</td></tr>{{ end }}</table>",
            "siblings",
        ),
        ("<style>p { color: {{ .Color }} }</style><p>x</p>", "stands where"),
        ('<style>p{color:red}</style><p style="margin: {{ .M }}">x</p>', "style"),
        ("<style>p{color:red}</style><p {{ if .A }}hidden{{ end }}>x</p>", "stands where"),
        ("<p>{{ .A }}</p>", "no <style>"),
        ("<style>p{color:red}</style><p>a <!--mt:d7--> b {{ .A }}</p>", "placeholder text"),
        ("<style>p{color:red}</style><p>\ue0001\ue001 {{ .A }}</p>", "placeholder text"),
        (
            '{{ define "x" }}<p class="a">x</p>{{ end }}<style>td .a{color:red}</style><table><tr><td>{{ template "x" }}</td></tr></table>',
            "'td .a' depends on where",
        ),
        (
            '{{ define "row" }}<tr><td>x</td></tr>{{ end }}<style>td{color:red}</style><table>{{ template "row" }}</table>',
            "beyond style attributes (in",
        ),
        (
            '{{ define "x" }}<style>p{color:red}</style>{{ end }}<style>p{color:blue}</style><p>x</p>',
            "inside a {{ define }}",
        ),
        (
            '{{ define "x" }}<html><body><p>x</p></body></html>{{ end }}<style>p{color:red}</style>{{ template "x" }}',
            "a whole document",
        ),
    ],
)
def test_unsafe_templates_fall_back_to_per_render(src: str, reason: str) -> None:
    out, why = loadtime.inline_source(src, INLINE)
    assert out is None
    assert reason in why


def _load_time_and_per_render(
    roots: list[Path], name: str, ctx: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str, str]:
    warm = Renderer(roots, check_interval=3600)
    email = warm.render(name, ctx)
    part = warm.compiled(TEMPLATE_TYPES[name], "body", warm.locale_chain(None, ctx))
    monkeypatch.setattr(loadtime, "inline_files", lambda *a, **k: (None, "turned off by the test"))
    slow = Renderer(roots, check_interval=3600).render(name, ctx)
    assert email.html is not None and slow.html is not None
    return (part.css_note if part.css_done else f"per email: {part.css_note}"), email.html, slow.html


def test_kratos_override_with_i18n_defines_inlines_at_load_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # The Kratos pattern: {{ define }} blocks per language before <!DOCTYPE html>, called inside
    # a table cell. Each define body is inlined as a fragment.
    bench = Path(__file__).parent.parent / "benchmarks" / "kratos_override"
    ctx = sample_context("recovery_code/valid")
    note, fast, slow = _load_time_and_per_render([bench], "recovery_code/valid", ctx, monkeypatch)
    assert note == "CSS inlined into the template at load time"
    assert 'class="code" style=' in fast and dom(INLINE(fast)) == dom(slow)


def test_sibling_partials_are_inlined_with_the_entry_style_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "recovery_code" / "valid"
    folder.mkdir(parents=True)
    (folder / "email.subject.gotmpl").write_text("Code", encoding="utf-8")
    (folder / "email.body.gotmpl").write_text(
        "<!DOCTYPE html><html><head><style>.x { color: red; } @media (max-width: 600px) { .x { color: blue; } }"
        '</style></head><body><p class="x">main</p>{{ template "email.body.part.gotmpl" . }}</body></html>',
        encoding="utf-8",
    )
    (folder / "email.body.part.gotmpl").write_text(
        '<p class="x">{{ .RecoveryCode }}</p>{{ define "more" }}<b class="x">more</b>{{ end }}',
        encoding="utf-8",
    )
    (folder / "email.body.plaintext.gotmpl").write_text("{{ .RecoveryCode }}", encoding="utf-8")
    ctx = {"RecoveryCode": "123", "To": "a@example.com"}
    note, fast, slow = _load_time_and_per_render([tmp_path], "recovery_code/valid", ctx, monkeypatch)
    assert note == "CSS inlined into the template at load time"
    assert fast.count('class="x" style="color: red;"') == 2
    assert dom(INLINE(fast)) == dom(slow)


def test_a_style_sheet_in_a_partial_is_inlined_per_email(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "recovery_code" / "valid"
    folder.mkdir(parents=True)
    (folder / "email.subject.gotmpl").write_text("Code", encoding="utf-8")
    (folder / "email.body.gotmpl").write_text(
        '<style>.x{color:red}</style><p class="x">{{ template "email.body.part.gotmpl" . }}</p>',
        encoding="utf-8",
    )
    (folder / "email.body.part.gotmpl").write_text(
        "<style>.y{color:blue}</style>{{ .RecoveryCode }}", encoding="utf-8"
    )
    (folder / "email.body.plaintext.gotmpl").write_text("{{ .RecoveryCode }}", encoding="utf-8")
    ctx = {"RecoveryCode": "123", "To": "a@example.com"}
    note, fast, slow = _load_time_and_per_render([tmp_path], "recovery_code/valid", ctx, monkeypatch)
    assert (
        note
        == "per email: CSS is inlined per email: styles live in email.body.part.gotmpl, another file of the set"
    )
    assert fast == slow


def test_a_descendant_selector_that_cannot_reach_a_define_is_fine() -> None:
    src = (
        '{{ define "x" }}<p class="a">x</p>{{ end }}<style>.a{color:red} .footer a{color:blue}</style>'
        '<table><tr><td>{{ template "x" }}</td></tr></table><p class="footer"><a href="/">home</a></p>'
    )
    out, reason = loadtime.inline_source(src, INLINE)
    assert out is not None, reason
    assert '{{ define "x" }}<p class="a" style="color: red;">x</p>{{ end }}' in out
    assert '<a href="/" style="color: blue;">home</a>' in out


def test_inlining_can_be_switched_off() -> None:
    r = Renderer(inline_css=False)
    email = r.render("recovery/valid", sample_context("recovery/valid"))
    assert email.html is not None and "<style" in email.html


def test_the_reason_is_returned_not_kept_in_a_module_global() -> None:
    """Issue 16: ``loadtime.last_reason`` was written during inlining, a race between threads
    compiling different templates. The reason now comes back with the result."""
    assert not hasattr(loadtime, "last_reason")
    assert loadtime.inline_files({"a": "<p>{{ .A }}</p>"}, "a", INLINE) == (
        None,
        "no <style> element in this file",
    )
    out, reason = loadtime.inline_files({"a": "<style>p{color:red}</style><p>{{ .A }}</p>"}, "a", INLINE)
    assert out is not None and reason == ""

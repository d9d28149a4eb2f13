"""mailtemplates.inline: the CSS inliner stage.

Expectations follow the CSS cascade (CSS 2.1 §6.4.1-6.4.3: an inline style beats a style-sheet
rule of the same importance; an !important rule beats a normal inline declaration) and the
behaviours the perf research measured for css-inline 0.23 (``keep_at_rules`` keeps @media; template
actions survive in attributes and text; actions between table rows are foster-parented).
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mailtemplates.errors import MailTemplateError
from mailtemplates.inline import CSSInliner, get_inliner

FIXTURE = Path(__file__).parent / "fixtures" / "emails" / "recovery.html"


class _Styles(HTMLParser):
    """Collects id -> {property: value} from style attributes, and the text of <style> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, str]] = {}
        self.by_tag: list[tuple[str, dict[str, str | None]]] = []
        self.style_text = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.by_tag.append((tag, a))
        self._in_style = tag == "style"
        if a.get("id"):
            decls = {}
            for d in (a.get("style") or "").split(";"):
                if ":" in d:
                    k, v = d.split(":", 1)
                    decls[k.strip().lower()] = " ".join(v.split())
            self.by_id[str(a["id"])] = decls

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style_text += data


def styles(html: str) -> _Styles:
    p = _Styles()
    p.feed(html)
    p.close()
    return p


CASCADE = """<html><head><style>
p { color: red; margin: 0 }
.imp { color: blue !important }
@media (max-width: 600px) { p { color: black } }
@media (prefers-color-scheme: dark) { p { color: white } }
</style></head><body>
<p id="plain">sheet only</p>
<p id="inline" style="color: purple">inline wins</p>
<p id="important" class="imp" style="color: purple">!important rule wins</p>
<p id="both" class="imp" style="color: purple !important">inline !important wins</p>
</body></html>"""


@pytest.fixture(scope="module")
def css_inline() -> CSSInliner:
    return get_inliner()


def test_default_backend_is_css_inline_and_fits_the_protocol(css_inline: CSSInliner) -> None:
    assert type(css_inline).__name__ == "CSSInlineBackend"
    assert isinstance(css_inline, CSSInliner)


def test_rules_are_inlined_and_media_queries_kept(css_inline: CSSInliner) -> None:
    out = styles(css_inline.inline(CASCADE))
    assert out.by_id["plain"] == {"color": "red", "margin": "0"}
    assert "@media (max-width: 600px)" in out.style_text
    assert "@media (prefers-color-scheme: dark)" in out.style_text


def test_inline_style_beats_the_style_sheet(css_inline: CSSInliner) -> None:
    assert styles(css_inline.inline(CASCADE)).by_id["inline"]["color"] == "purple"


def test_important_rule_beats_inline_and_inline_important_beats_both(css_inline: CSSInliner) -> None:
    out = styles(css_inline.inline(CASCADE))
    assert out.by_id["important"]["color"] == "blue !important"
    assert out.by_id["both"]["color"] == "purple !important"


def test_go_template_actions_survive_in_attributes_and_text(css_inline: CSSInliner) -> None:
    src = (
        "<html><head><style>a { color: green } p { margin: 0 }</style></head><body>"
        "<p>Hello {{ .Identity.traits.email }},</p>"
        '<p><a href="{{ .RecoveryURL }}">{{ .RecoveryURL }}</a></p>'
        '<p><a href="{{.RecoveryURL}}">no spaces</a></p>'
        "<p>{{ if .ExpiresInMinutes }}valid for {{ .ExpiresInMinutes }} minutes{{ else }}soon{{ end }}</p>"
        '<p style="color: {{ .Brand }}">brand</p>'
        "</body></html>"
    )
    out = css_inline.inline(src)
    for token in (
        "Hello {{ .Identity.traits.email }},",
        'href="{{ .RecoveryURL }}"',
        ">{{ .RecoveryURL }}</a>",
        'href="{{.RecoveryURL}}"',
        "{{ if .ExpiresInMinutes }}valid for {{ .ExpiresInMinutes }} minutes{{ else }}soon{{ end }}",
        "color: {{ .Brand }}",
    ):
        assert token in out


def test_actions_between_table_rows_are_moved_before_the_table(css_inline: CSSInliner) -> None:
    # The documented limit (HTML5 foster parenting): inline rendered HTML, not such template source.
    src = "<table><tr><td>a</td></tr>{{ range .Items }}<tr><td>{{ . }}</td></tr>{{ end }}</table>"
    out = css_inline.inline(src)
    assert out.index("{{ range .Items }}{{ end }}") < out.index("<table>")


def test_no_network_and_no_local_files(css_inline: CSSInliner, tmp_path: Path) -> None:
    sheet = tmp_path / "evil.css"
    sheet.write_text("p { color: red }")
    src = (
        '<html><head><link rel="stylesheet" href="http://127.0.0.1:9/remote.css">'
        f'<link rel="stylesheet" href="{sheet}"><link rel="stylesheet" href="{sheet.as_uri()}">'
        '</head><body><p id="p">x</p></body></html>'
    )
    out = css_inline.inline(src)  # a fetch of the remote sheet would raise InlineError
    assert styles(out).by_id["p"] == {}
    assert "<link" not in out


def test_realistic_email(css_inline: CSSInliner) -> None:
    out = css_inline.inline(FIXTURE.read_text(encoding="utf-8"))
    parsed = styles(out)
    [button] = [a for tag, a in parsed.by_tag if tag == "a" and a.get("class") == "button"]
    # `.button { color: #ffffff }` (class) beats `a { color: #3b5bdb }` (element) by specificity.
    assert "color: #ffffff;" in (button.get("style") or "") and "#3b5bdb" not in (button.get("style") or "")
    [small] = [a for tag, a in parsed.by_tag if tag == "p" and a.get("class") == "small muted break-all"]
    # `.muted { color: #868e96 !important }` beats `p { color: #343a40 }`.
    assert "color: #868e96 !important" in (small.get("style") or "")
    assert "@media only screen and (max-width: 620px)" in parsed.style_text
    assert (
        'href="https://auth.example.com/self-service/recovery?flow=6f3c1d2e-8f0a-4b7e-9c1d-2a3b4c5d6e7f&amp;token='
        in out
    )


def test_unknown_backend_names_the_choices() -> None:
    with pytest.raises(
        MailTemplateError, match="unknown CSS inliner 'juice'; choose one of: css-inline, premailer"
    ):
        get_inliner("juice")


def test_premailer_backend_inlines_and_keeps_media() -> None:
    pytest.importorskip("premailer")
    out = get_inliner("premailer").inline(CASCADE)
    parsed = styles(out)
    assert parsed.by_id["plain"] == {"color": "red", "margin": "0"}
    assert parsed.by_id["inline"]["color"] == "purple"
    assert "@media (max-width: 600px)" in parsed.style_text


def test_premailer_missing_gives_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "premailer", None)  # makes `import premailer` raise ImportError
    with pytest.raises(MailTemplateError, match=r"pip install mailtemplates\[premailer\]"):
        get_inliner("premailer")

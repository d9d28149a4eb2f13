"""Load-time CSS inlining is only ever accepted when it gives the email per-render inlining gives.

Random Kratos-style override folders (an entry document with a style sheet, ``{{ define }}``
blocks before the document or inside it, a sibling partial, ``if``/``range``/``with`` around
markup, actions in text and URL attributes) and random style sheets (compound selectors,
descendant and child combinators, ``@media``) are rendered twice: with the CSS inlined into the
template once, and with load-time inlining switched off so every email is inlined after
rendering. Whenever the load-time path accepts a folder, both emails must have the same DOM and
the same styles. The share of folders accepted is printed, so the property is not vacuous.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_loadtime import dom

from mailtemplates import Renderer, loadtime
from mailtemplates.inline import get_inliner
from mailtemplates.models import TEMPLATE_TYPES

pytestmark = pytest.mark.fuzz

_LARGE = os.environ.get("MAILTEMPLATES_FUZZ_EXAMPLES")
EXAMPLES = int(_LARGE) if _LARGE else 150
INLINE = get_inliner().inline
NAME = "recovery_code/valid"
CTX: dict[str, Any] = {
    "RecoveryCode": "482913",
    "To": "ada@example.com",
    "Identity": {"traits": {"items": ["one", "two"], "flag": True, "site": "https://example.com/x?a=1&b=2"}},
}
OUTCOMES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report(pytestconfig: pytest.Config) -> Iterator[None]:
    yield
    if OUTCOMES:
        total = sum(OUTCOMES.values())
        print(f"\nload-time inlining property: {total} folders, {OUTCOMES['load time']} inlined at load time")
        for reason, n in OUTCOMES.most_common():
            print(f"  {n:4d}  {reason}")


# -- markup ----------------------------------------------------------------------------------------

TAGS = ["p", "span", "b", "a", "div", "td"]
CLASSES = ["a", "b", "c"]

texts = st.sampled_from(["Hello", "code {{ $.RecoveryCode }}", "{{ $.To }}", "x &amp; y", " ", "{{ len $.To }}"])


@st.composite
def elements(draw: Any, depth: int = 0) -> str:
    tag = draw(st.sampled_from(["p", "span", "b", "a", "div"]))
    attrs = ""
    if draw(st.booleans()):
        attrs += f' class="{draw(st.sampled_from(CLASSES))}"'
    if tag == "a":
        attrs += ' href="{{ $.Identity.traits.site }}"'
    if draw(st.booleans()):
        attrs += ' style="margin: 0"'
    inner = draw(st.lists(st.one_of(texts, elements(depth + 1)) if depth < 2 else texts, min_size=0, max_size=3))
    return f"<{tag}{attrs}>{''.join(inner)}</{tag}>"


@st.composite
def markup(draw: Any, calls: list[str]) -> str:
    parts = draw(st.lists(elements(), min_size=1, max_size=3))
    wrapped = []
    for part in parts:
        kind = draw(st.sampled_from(["plain", "if", "range", "with"]))
        if kind == "if":
            part = f"{{{{ if .Identity.traits.flag }}}}{part}{{{{ else }}}}<p>no</p>{{{{ end }}}}"
        elif kind == "range":
            part = f"{{{{ range .Identity.traits.items }}}}{part}{{{{ end }}}}"
        elif kind == "with":
            part = f"{{{{ with $.RecoveryCode }}}}{part}{{{{ end }}}}"
        wrapped.append(part)
    for call in calls:
        wrapped.insert(draw(st.integers(0, len(wrapped))), call)
    return "".join(wrapped)


@st.composite
def style_sheets(draw: Any) -> str:
    simple = st.one_of(
        st.sampled_from(TAGS),
        st.sampled_from(CLASSES).map(lambda c: "." + c),
        st.tuples(st.sampled_from(TAGS), st.sampled_from(CLASSES)).map(lambda t: f"{t[0]}.{t[1]}"),
    )
    selector = st.one_of(
        simple,
        st.tuples(simple, st.sampled_from([" ", " > "]), simple).map("".join),
    )
    colours = st.sampled_from(["red", "blue", "#123456", "green !important"])
    rules = draw(st.lists(st.tuples(selector, colours), min_size=1, max_size=5))
    css = " ".join(f"{s} {{ color: {c}; }}" for s, c in rules)
    if draw(st.booleans()):
        css += " @media (max-width: 600px) { .a { color: black !important; } }"
    return css


@st.composite
def folders(draw: Any) -> dict[str, str]:
    defines = draw(st.lists(markup([]), min_size=0, max_size=2))
    partial = draw(st.one_of(st.none(), markup([])))
    calls = [f'{{{{ template "d{i}" . }}}}' for i in range(len(defines))]
    if partial is not None:
        calls.append('{{ template "email.body.part.gotmpl" . }}')
    body = draw(markup(calls))
    container = draw(st.sampled_from(["div", "table"]))
    if container == "table":
        body = f'<table><tr><td class="{draw(st.sampled_from(CLASSES))}">{body}</td></tr></table>'
    else:
        body = f'<div class="{draw(st.sampled_from(CLASSES))}">{body}</div>'
    define_src = "".join(f'{{{{ define "d{i}" }}}}{d}{{{{ end }}}}' for i, d in enumerate(defines))
    before = draw(st.booleans())
    doc = (
        f"<!DOCTYPE html><html><head><style>{draw(style_sheets())}</style></head>"
        f"<body>{'' if before else define_src}{body}</body></html>"
    )
    files = {"email.body.gotmpl": (define_src + "\n" + doc) if before else doc}
    if partial is not None:
        files["email.body.part.gotmpl"] = partial
    return files


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(folders())
def test_load_time_inlining_gives_the_per_render_email(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d) / NAME
        folder.mkdir(parents=True)
        (folder / "email.subject.gotmpl").write_text("Code", encoding="utf-8")
        (folder / "email.body.plaintext.gotmpl").write_text("{{ .RecoveryCode }}", encoding="utf-8")
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        warm = Renderer([d], check_interval=3600)
        fast = warm.render(NAME, CTX).html
        part = warm.compiled(TEMPLATE_TYPES[NAME], "body", warm.locale_chain(None, CTX))
        original = loadtime.inline_files
        loadtime.inline_files = lambda *a, **k: (None, "per email")  # type: ignore[assignment]
        try:
            slow = Renderer([d], check_interval=3600).render(NAME, CTX).html
        finally:
            loadtime.inline_files = original
    assert fast is not None and slow is not None
    if not part.css_done:
        OUTCOMES[re.sub(r"'[^']*'", "'…'", part.css_note.removeprefix("CSS is inlined per email: "))] += 1
        assert fast == slow
        return
    OUTCOMES["load time"] += 1
    assert dom(INLINE(fast)) == dom(slow)

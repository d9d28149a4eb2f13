"""``TemplateSet.escape(name, compile_code=False)``: the escaper's verdict without compiling (lint)."""

from __future__ import annotations

import pytest

from mailtemplates import gotmpl
from mailtemplates.errors import EscapeError


def test_verdict_matches_a_full_escape() -> None:
    bad = {"a.gotmpl": '<a href="{{ .U }}>x'}  # an unclosed attribute: html/template refuses it
    with pytest.raises(EscapeError) as only:
        gotmpl.parse_files(bad, html=True).escape("a.gotmpl", compile_code=False)
    with pytest.raises(EscapeError) as full:
        gotmpl.parse_files(bad, html=True).escape("a.gotmpl")
    assert (only.value.code, str(only.value)) == (full.value.code, str(full.value))


def test_the_error_is_remembered_and_execution_still_compiles() -> None:
    tset = gotmpl.parse_files({"a.gotmpl": "<p>{{ .X }}</p>"}, html=True)
    tset.escape("a.gotmpl", compile_code=False)
    assert tset.execute("a.gotmpl", {"X": "<b>"}) == "<p>&lt;b&gt;</p>"

    bad = gotmpl.parse_files({"b.gotmpl": "<script>var x = '{{ .X }}</script>"}, html=True)
    with pytest.raises(EscapeError) as first:
        bad.escape("b.gotmpl", compile_code=False)
    with pytest.raises(EscapeError) as again:
        bad.execute("b.gotmpl", {"X": 1})
    assert again.value is first.value


def test_the_verdict_changes_no_tree_and_matches_a_full_escape() -> None:
    files = {
        "a.gotmpl": '{{ define "t" }}<b title="{{ . }}">{{ . }}</b>{{ end }}<p>{{ template "t" .X }}</p><!-- c -->',
        "b.gotmpl": '<a href="{{ .U }}">{{ template "t" . }}</a>',
    }
    tset = gotmpl.parse_files(files, html=True)
    before = {name: str(tree.root) for name, tree in tset.trees.items()}
    tset.escape("a.gotmpl", compile_code=False)  # edits and derived copies are not committed
    tset.escape("b.gotmpl", compile_code=False)
    assert {name: str(tree.root) for name, tree in tset.trees.items()} == before
    assert tset.execute("a.gotmpl", {"X": "<&>"}) == '<p><b title="&lt;&amp;&gt;">&lt;&amp;&gt;</b></p>'


@pytest.mark.parametrize(
    "text",
    [
        "<p>1 < 2 and a <!-- comment --> gone</p><style>p { color: red } /* c */</style>",
        "<script>var a = 1; // line\n/* block */ var b = '</scr' + 'ipt>';</script>",
        '<a href="https://x.example/?q=1" title="t">link</a><textarea>a < b</textarea>',
    ],
)
def test_a_text_escaped_again_from_the_memo_gives_the_same_email(text: str) -> None:
    """escape_text remembers what it made of a text in a context: a second set with the same
    text (another language's file, another entry) gets the same output, its own node edited."""
    from mailtemplates.gotmpl.escape import escape as escape_module

    src = text + "{{ .X }}" + text
    escape_module._TEXT_MEMO.clear()
    fresh = gotmpl.parse_files({"a.gotmpl": src}, html=True).execute("a.gotmpl", {"X": "<i>"})
    assert escape_module._TEXT_MEMO  # the texts were remembered...
    for _ in range(2):  # ...and reused, by new sets whose own nodes must be edited too
        again = gotmpl.parse_files({"b.gotmpl": src}, html=True).execute("b.gotmpl", {"X": "<i>"})
        assert again == fresh
    assert "<!--" not in fresh and "&lt;i&gt;" in fresh

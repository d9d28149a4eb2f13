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

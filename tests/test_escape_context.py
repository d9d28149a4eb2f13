"""The escape pass: context transitions, text rewriting, derived templates and errors, against Go.

``tests/fixtures/escape/contexts_oracle.json`` holds template texts with Go's verdict (see
``make_oracle_tables.py``): the output when the text ends as HTML text (comments stripped, stray
``<`` escaped), otherwise the error, which for most texts is ``ends in a non-text context:
{...}`` and so shows the exact parser state the transition functions reached.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mailtemplates.errors import EscapeError
from mailtemplates.gotmpl.escape import Context, escape_trees
from mailtemplates.gotmpl.escape.context import Attr, Delim, Element, JsCtx, State, UrlPart
from mailtemplates.gotmpl.escape.escape import Namespace
from mailtemplates.gotmpl.nodes import Tree
from mailtemplates.gotmpl.parser import parse_set

TABLE = Path(__file__).parent / "fixtures" / "escape" / "contexts_oracle.json"
ROWS: list[list[object]] = json.loads(TABLE.read_text(encoding="utf-8"))


def _trees(files: dict[str, str]) -> dict[str, Tree]:
    return parse_set(files, {"print": None, "html": None, "urlquery": None})


@pytest.mark.parametrize(("text", "result"), ROWS, ids=[str(i) for i in range(len(ROWS))])
def test_text_context_matches_go(text: str, result: dict[str, str]) -> None:
    trees = _trees({"main.gotmpl": text})
    if "output" in result:
        escape_trees(trees, "main.gotmpl")
        # The template has no actions, so the escaped tree prints Go's output.
        assert str(trees["main.gotmpl"].root) == result["output"]
    else:
        with pytest.raises(EscapeError) as info:
            escape_trees(trees, "main.gotmpl")
        assert info.value.go_message == result["error"]


# Oracle: {{define "t"}}{{.X.Y}}{{end}} + CALLER, data {"X": "s"}, fails inside the copy of "t"
# Go derived for the caller's context: executing "<this name>" at <.X.Y>.
@pytest.mark.parametrize(
    ("caller", "derived"),
    [
        ('<p title="{{template "t" .}}">', "t$htmltemplate_stateAttr_delimDoubleQuote"),
        (
            '<script>`${ {{template "t" .}} }`</script>',
            "t$htmltemplate_stateJS_jsBraceDepth([0])_elementScript",
        ),
        (
            '<script>`${ {x} }`; {{template "t" .}}</script>',
            "t$htmltemplate_stateJS_jsBraceDepth([])_elementScript",
        ),
        (
            '<a href="/x?{{template "t" .}}" onclick="x/{{template "t" .}}">',
            "t$htmltemplate_stateURL_delimDoubleQuote_urlPartQueryOrFrag_attrURL",
        ),
    ],
)
def test_derived_template_names(caller: str, derived: str) -> None:
    trees = _trees({"main.gotmpl": '{{define "t"}}{{.X.Y}}{{end}}' + caller})
    escape_trees(trees, "main.gotmpl")
    assert derived in trees
    assert trees[derived].parse_name == "main.gotmpl"
    called = re.findall(r'\{\{template "([^"]+)"', str(trees["main.gotmpl"].root))
    assert called[0] == derived


def test_error_leaves_trees_unchanged() -> None:
    # Oracle: ends in a non-text context: {stateURL delimDoubleQuote urlPartPreQuery ...}.
    trees = _trees({"main.gotmpl": '{{define "t"}}<a href="{{ . }}{{end}}<p>{{ template "t" "x" }}</p>'})
    before = {k: str(t.root) for k, t in trees.items()}
    with pytest.raises(EscapeError) as info:
        escape_trees(trees, "main.gotmpl")
    assert info.value.code == "ErrEndContext"
    assert info.value.go_message == (
        "html/template:main.gotmpl: ends in a non-text context: "
        "{stateURL delimDoubleQuote urlPartPreQuery jsCtxRegexp [] attrURL elementNone <nil>}"
    )
    assert {k: str(t.root) for k, t in trees.items()} == before


# go_message from the conformance vectors; code is Go's ErrorCode for that message.
@pytest.mark.parametrize(
    ("source", "code", "go_message", "line", "col"),
    [
        (
            '{{ if .C }}<p title="{{ else }}<p title=\'{{ end }}x">',
            "ErrBranchEnd",
            "html/template:main.gotmpl:1:6: {{if}} branches end in different contexts: "
            "{stateAttr delimDoubleQuote urlPartNone jsCtxRegexp [] attrNone elementNone <nil>}, "
            "{stateAttr delimSingleQuote urlPartNone jsCtxRegexp [] attrNone elementNone <nil>}",
            1,
            7,
        ),
        (
            '<a href="/s?q={{ .S | urlquery | html }}">x</a>',
            "ErrPredefinedEscaper",
            'html/template:main.gotmpl:1:17: predefined escaper "urlquery" disallowed in template',
            1,
            18,
        ),
        (
            '{{ template "nope" . }}',
            "ErrNoSuchTemplate",
            'html/template:main.gotmpl:1:12: no such template "nope"',
            1,
            13,
        ),
        (
            '<p>\n{{ if .C }}<a href="{{ else }}<b>{{ end }}x',
            "ErrBranchEnd",
            "html/template:main.gotmpl:2:6: {{if}} branches end in different contexts: "
            "{stateURL delimDoubleQuote urlPartNone jsCtxRegexp [] attrURL elementNone <nil>}, "
            "{stateText delimNone urlPartNone jsCtxRegexp [] attrNone elementNone <nil>}",
            2,
            7,
        ),
    ],
)
def test_error_codes_and_places(source: str, code: str, go_message: str, line: int, col: int) -> None:
    trees = _trees({"main.gotmpl": source})
    with pytest.raises(EscapeError) as info:
        escape_trees(trees, "main.gotmpl")
    err = info.value
    assert (err.code, err.go_message, err.name, err.line, err.col) == (
        code,
        go_message,
        "main.gotmpl",
        line,
        col,
    )


def test_namespace_escapes_each_entry_once() -> None:
    trees = _trees(
        {"a.gotmpl": "<p>{{ .X }}</p>", "main.gotmpl": '{{ template "a.gotmpl" . }}<b>{{ .X }}</b>'}
    )
    ns = Namespace(trees)
    ns.escape("main.gotmpl")
    once = {k: str(t.root) for k, t in trees.items()}
    ns.escape("main.gotmpl")
    ns.escape("a.gotmpl")
    assert {k: str(t.root) for k, t in trees.items()} == once


def test_context_string_and_mangle() -> None:
    # The formats Go prints (seen in the vectors' error messages and derived template names).
    c = Context(
        state=State.URL,
        delim=Delim.DOUBLE_QUOTE,
        url_part=UrlPart.QUERY_OR_FRAG,
        js_ctx=JsCtx.REGEXP,
        attr=Attr.URL,
        element=Element.NONE,
    )
    assert str(c) == "{stateURL delimDoubleQuote urlPartQueryOrFrag jsCtxRegexp [] attrURL elementNone <nil>}"
    assert c.mangle("t") == "t$htmltemplate_stateURL_delimDoubleQuote_urlPartQueryOrFrag_attrURL"
    assert Context().mangle("t") == "t"


def test_ever_changing_recursive_context_is_refused() -> None:
    # Each call of "a" opens one more ${ in a JS template literal, so every call needs a new
    # derived copy. Go's escaper never terminates on this template (the oracle runs out of
    # memory); we refuse it.
    trees = _trees(
        {
            "main.gotmpl": '<script>{{ template "a" . }}</script>{{ define "a" }}`${ {{ template "a" . }} }`{{ end }}'
        }
    )
    with pytest.raises(EscapeError) as info:
        escape_trees(trees, "main.gotmpl")
    assert info.value.code == "ErrOutputContext"
    assert "template calls nest more than" in info.value.go_message

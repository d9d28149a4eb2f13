"""What makes first renders and lint cheap (issue 17 item 3) changes no result.

The lexer's fast paths, escaping only what an entry reaches, reusing trees the linter parsed
already, and the escaper reading text in place instead of copying the rest of it per transition.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from conformance_support import LOCAL, SHARED, load_cases

from mailtemplates import gotmpl
from mailtemplates.errors import EscapeError
from mailtemplates.gotmpl.escape.context import Attr, Context, Delim, Element, State
from mailtemplates.gotmpl.escape.escape import context_after_text, context_after_text_at
from mailtemplates.gotmpl.lexer import Lexer


def _items(src: str, batch: bool = True) -> list[tuple[str, int, str, int]]:
    """Every item of ``src``; ``batch=False``: through the state functions alone."""
    lexer = Lexer("f", src)
    lexer.batch_actions = batch
    out = []
    while True:
        item = lexer.next_item()
        out.append((item.typ.name, item.pos, item.val, item.line))
        if item.typ.name in ("EOF", "ERROR"):
            return out


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        # a run of ASCII word characters, then a non-ASCII letter goes on one at a time
        ("{{abcé.x}}", [("IDENTIFIER", 2, "abcé", 1), ("FIELD", 6, ".x", 1)]),
        (
            "{{.Aé.b_1 $vé}}",
            [
                ("FIELD", 2, ".Aé", 1),
                ("FIELD", 5, ".b_1", 1),
                ("SPACE", 9, " ", 1),
                ("VARIABLE", 10, "$vé", 1),
            ],
        ),
        # a string with an escape takes the slow path; one without takes one match
        ('{{"a\\"b" "c"}}', [("STRING", 2, '"a\\"b"', 1), ("SPACE", 8, " ", 1), ("STRING", 9, '"c"', 1)]),
        # a space run before a trim marker keeps the marker's space; its newlines count
        (
            "{{ x  -}} y",
            [
                ("SPACE", 2, " ", 1),
                ("IDENTIFIER", 3, "x", 1),
                ("SPACE", 4, " ", 1),
                ("RIGHT_DELIM", 7, "}}", 1),
            ],
        ),
        ("{{x\n\n}}", [("IDENTIFIER", 2, "x", 1), ("SPACE", 3, "\n\n", 1), ("RIGHT_DELIM", 5, "}}", 3)]),
        ('{{"ab\ncd"}}', [("ERROR", 2, "unterminated quoted string", 1)]),
    ],
)
def test_lexer_fast_paths(src: str, expected: list[tuple[str, int, str, int]]) -> None:
    assert _items(src)[1 : 1 + len(expected)] == expected


_SOUP = [
    "{{", "}}", "{{- ", "-}}", " -}}", "\t-}}", "\n-}}", " ", "  ", "\n", ".A", ".b1", ".", "..",
    "$x", "$", ":=", "=", ":", "|", "(", ")", ",", '"s"', '"a\\"b"', '"n\nl"', "`raw`", "1", "-1",
    ".5", "range", "end", "if", "else", "break", "continue", "true", "nil", "é", "x", "/*c*/",
    "'c'", "_x", "x1", "!", "}", "{", "$1", "define", '"', "`",
]  # fmt: skip


def test_batched_action_lexing_makes_the_state_machines_items() -> None:
    """``Lexer._lex_action_run`` lexes an action's plain tokens in one loop: the same items,
    positions, lines and errors as the state functions one call at a time, on every template
    this repository has (conformance files, built-ins, fixtures) and on random token soup."""
    root = Path(__file__).resolve().parent.parent
    sources = [p.read_text(encoding="utf-8") for p in sorted((root / "template_src").rglob("*.gotmpl"))]
    sources += [p.read_text(encoding="utf-8") for p in sorted((root / "tests").rglob("*.gotmpl"))]
    for case in load_cases(SHARED, LOCAL):
        sources += [t for t in case.raw.get("files", {}).values() if isinstance(t, str)]
    rnd = random.Random(17)
    for _ in range(6000):
        soup = "".join(rnd.choice(_SOUP) for _ in range(rnd.randint(1, 14)))
        sources.append("{{" + soup if rnd.random() < 0.7 else soup)
    assert len(sources) > 6500
    batched = 0
    for src in sources:
        fast = _items(src, True)
        assert fast == _items(src, False), src
        batched += "{{" in src
    assert batched > 5000


@pytest.mark.parametrize(
    "src",
    ["{{ x\n-}} y", "{{ (x }}", "{{ x) }}", "{{x-}}", "{{ .A.b }}", "{{ $ }}", "{{ . }}", "{{ é }}"],
)
def test_batched_action_lexing_leaves_edges_to_the_state_functions(src: str) -> None:
    assert _items(src, True) == _items(src, False)


def test_only_what_the_entry_reaches_is_compiled() -> None:
    files = {
        "a.gotmpl": '{{ define "used" }}<b>{{ . }}</b>{{ end }}<p>{{ template "used" .X }}</p>',
        # never reached from a.gotmpl, and refused by the escaper: no concern of a's
        "b.gotmpl": '{{ define "unused" }}<script>var x = "{{ . }}{{ end }}<a href="{{ .U }}>',
    }
    tset = gotmpl.parse_files(files, html=True)
    assert tset.execute("a.gotmpl", {"X": "<i>"}) == "<p><b>&lt;i&gt;</b></p>"
    src = tset.python_source("a.gotmpl")
    assert "def tmpl_used(" in src and "unused" not in src and "tmpl_b_gotmpl" not in src
    with pytest.raises(EscapeError):
        tset.execute("b.gotmpl", {"U": "x"})
    text = gotmpl.parse_files({"m": '{{ template "p" . }}', "p": "[{{ . }}]", "q": "{{ .Never }}"})
    assert text.execute("m", 1) == "[1]" and "tmpl_q" not in text.python_source("m")


def test_parsed_trees_are_reused_as_they_are() -> None:
    files = {
        "email.body.gotmpl": '{{ template "x" . }}',
        "email.body.de.gotmpl": '{{ define "x" }}<i>{{ . }}</i>{{ end }}',
    }
    parsed = {name: gotmpl.parse_file(name, text, gotmpl.funcmap("full")) for name, text in files.items()}
    reused = gotmpl.parse_files(files, html=True, funcs="full", parsed=parsed)
    fresh = gotmpl.parse_files(files, html=True, funcs="full")
    assert reused.trees["x"] is parsed["email.body.de.gotmpl"]["x"]
    assert (
        reused.execute("email.body.gotmpl", "<&>")
        == fresh.execute("email.body.gotmpl", "<&>")
        == "<i>&lt;&amp;&gt;</i>"
    )
    # escaping works on copies: the shared trees are as parsed
    assert str(parsed["email.body.de.gotmpl"]["x"].root) == "<i>{{.}}</i>"


_PIECES = [
    "<", ">", "</", "<a ", "<script>", "</script>", "<style>", "</style >", "<title>", "</title>",
    "<textarea>", "<meta ", "content=", '"', "'", "=", " ", "href=", "onclick=", "style=", "type=",
    'a="b"', " c='d'", ' e = "f g"', '<p class="x" ',
    "text/template", "x", "<!--", "-->", "/*", "*/", "//", "\n", "&quot;", "`", "{", "}", "url(",
    "srcset=", "<img ", "/", "<!DOCTYPE html>", "é",
]  # fmt: skip
_STARTS = [
    Context(),
    Context(state=State.TAG),
    Context(state=State.JS, element=Element.SCRIPT),
    Context(state=State.CSS, element=Element.STYLE),
    Context(state=State.ATTR, delim=Delim.DOUBLE_QUOTE),
    Context(state=State.URL, delim=Delim.SINGLE_QUOTE, attr=Attr.URL),
    Context(state=State.RCDATA, element=Element.TITLE),
    Context(state=State.ATTR, delim=Delim.DOUBLE_QUOTE, element=Element.SCRIPT, attr=Attr.SCRIPT_TYPE),
    Context(state=State.TAG, element=Element.SCRIPT),
    Context(state=State.BEFORE_VALUE, attr=Attr.URL),
    Context(state=State.TAG, element=Element.META),
]


def _same(got: tuple[Context, int], want: tuple[Context, int]) -> bool:
    if got[1] != want[1]:
        return False
    g, w = got[0], want[0]
    return g.eq(w) or (g.err is not None and w.err is not None and g.err.error() == w.err.error())


def test_escaper_reads_text_in_place_as_it_read_copies() -> None:
    """Every transition of random markup, from several contexts: the in-place reading gives
    what the copying one gives (Context.eq, bytes consumed, error text), or, over a tag's
    quoted attributes and its ">", what the copying one gives after as many transitions."""
    rnd = random.Random(17)
    steps = jumps = 0
    for _ in range(400):
        s = "".join(rnd.choice(_PIECES) for _ in range(rnd.randint(1, 40))).encode()
        for c in _STARTS:
            i, tag_ends = 0, {}  # type: ignore[var-annotated]
            while i != len(s):
                want = context_after_text(c, s[i:])
                got = context_after_text_at(c, s, i, tag_ends)
                steps += 1
                if not _same(got, want):
                    assert c.state == State.TAG and c.element == Element.NONE, (c, s, i)
                    # the copying path, transition by transition, to where the jump landed
                    r, at = c, i
                    while at < i + got[1]:
                        # only the last transition may leave the tag (at its ">")
                        assert r.state not in (State.ERROR, State.TEXT), (c, s, i)
                        r, n = context_after_text(r, s[at:])
                        at += n
                    assert at == i + got[1] and r.eq(got[0]), (c, s, i)
                    jumps += 1
                    want = got
                c1, n = want
                if c1.state == State.ERROR or (n == 0 and c1.state == c.state):
                    break
                c, i = c1, i + n
    assert jumps > 100
    assert steps > 10_000

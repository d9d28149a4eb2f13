"""Go's own parser tests (Go 1.26.6 ``src/text/template/parse/parse_test.go``) as a table.

``fixtures/goparse/parse_table.json`` was produced by running Go 1.26.6's parser on the inputs of
its test tables (``make_parse_table.py``): for each input, the tree printed back with
``String()`` (text nodes quoted, as Go's tests print them) or Go's exact error message; for each
number constant, the Go types that hold it and its values, or the error. Go's tests run with the
parenthesis depth limit (``maxStackDepth``) lowered to 3; so do these.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailtemplates.errors import TemplateSyntaxError
from mailtemplates.gotmpl import nodes, parser
from mailtemplates.gotmpl.lexer import ItemType, Lexer
from mailtemplates.gotmpl.literals import new_number
from mailtemplates.gotmpl.parser import parse_file

TABLE = json.loads((Path(__file__).parent / "fixtures" / "goparse" / "parse_table.json").read_text("utf-8"))
#: The function map of Go's parse tests.
FUNCS = frozenset({"printf", "contains"})


@pytest.fixture(autouse=True)
def _as_gos_tests(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(nodes, "TEXT_QUOTED", True)
    monkeypatch.setattr(parser, "MAX_STACK_DEPTH", 3)
    yield


@pytest.mark.parametrize(("name", "source", "tree"), TABLE["trees"], ids=[t[0] for t in TABLE["trees"]])
def test_tree_prints_back_as_go(name: str, source: str, tree: str) -> None:
    trees = parse_file(name, source, FUNCS)
    assert str(trees[name].root) == tree
    assert str(trees[name].root.copy()) == tree


ERRORS = [("parse", *t) for t in TABLE["refused"]] + [("errors", *t) for t in TABLE["errors"]]


@pytest.mark.parametrize(("table", "name", "source", "error"), ERRORS, ids=[f"{t[0]}-{t[1]}" for t in ERRORS])
def test_refused_with_gos_message(table: str, name: str, source: str, error: str) -> None:
    # Go's TestErrors parses with no function map at all.
    funcs = FUNCS if table == "parse" else frozenset()
    with pytest.raises(TemplateSyntaxError) as info:
        parse_file(name, source, funcs)
    assert info.value.go_message == error


def _item_type(text: str) -> ItemType:
    """What the lexer makes of the constant (a char constant, a complex or a number)."""
    lexer = Lexer("n", "{{" + text + "}}", "", "")
    lexer.next_item()
    return lexer.next_item().typ


@pytest.mark.parametrize(("text", "expected"), TABLE["numbers"], ids=[t[0] for t in TABLE["numbers"]])
def test_number_constant_as_go(text: str, expected: str | dict[str, object]) -> None:
    typ = ItemType.CHAR_CONSTANT if text[0] == "'" else _item_type(text)
    if typ not in (ItemType.CHAR_CONSTANT, ItemType.COMPLEX):
        typ = ItemType.NUMBER
    if isinstance(expected, str):
        with pytest.raises(ValueError) as info:
            new_number(0, text, typ)
        assert str(info.value) == expected
        return
    num = new_number(0, text, typ)
    got = {
        "is_int": num.is_int,
        "is_uint": num.is_uint,
        "is_float": num.is_float,
        "is_complex": num.is_complex,
        "int64": num.int64 if num.is_int else 0,
        "uint64": num.uint64 if num.is_uint else 0,
        "float64": num.float64 if num.is_float else 0,
        "real": num.complex128.real if num.is_complex else 0,
        "imag": num.complex128.imag if num.is_complex else 0,
    }
    assert got == expected
    assert not any(isinstance(v, float) and math.isnan(v) for v in got.values())


@pytest.mark.parametrize(("source", "empty"), TABLE["empty"])
def test_is_empty_tree_as_go(source: str, empty: bool) -> None:
    trees = parse_file("root", source, frozenset())
    assert nodes.is_empty_tree(trees["root"].root) is empty

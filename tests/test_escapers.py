"""The html/template sanitizers, called directly, against outputs of real Go.

Expected values come from the Go oracle: ``tests/fixtures/escape/escapers_oracle.json`` holds, for
each context, the chain of escapers Go puts into the pipeline there and what Go printed for a
value (see ``make_oracle_tables.py`` there). Smaller tables below quote single oracle runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mailtemplates.gotmpl.escape import ESCAPER_FUNCS
from mailtemplates.gotmpl.escape import escapers as esc
from mailtemplates.gotmpl.escape.gojson import JSONError, marshal
from mailtemplates.gotmpl.values import MISSING

TABLE = Path(__file__).parent / "fixtures" / "escape" / "escapers_oracle.json"
# JSON numbers are Go float64 in the oracle's data, as in the conformance vectors.
ROWS: list[list[Any]] = json.loads(TABLE.read_text(encoding="utf-8"), parse_int=float)


def _apply(chain: list[str], value: object) -> object:
    for name in chain:
        value = getattr(esc, name)(value)
    return value


@pytest.mark.parametrize(
    ("chain", "value", "expected"),
    ROWS,
    ids=[f"{'+'.join(r[0])}-{i}" for i, r in enumerate(ROWS)],
)
def test_escaper_chain_matches_go(chain: list[str], value: object, expected: str) -> None:
    assert _apply(chain, value) == expected


def test_table_covers_every_escaper_but_comment() -> None:
    used = {name for chain, _, _ in ROWS for name in chain}
    names = {n.removeprefix("_html_template_") for n in ESCAPER_FUNCS if n.startswith("_html_template_")}
    names = {"htmlnospaceescaper" if n == "nospaceescaper" else n for n in names}
    assert names - used == {"commentescaper"}


# Oracle: <script>a(/*{{.X}}*/)</script> prints "<script>a( )</script>" for any X.
@pytest.mark.parametrize("value", ["x", "*/alert(1)/*", 3.0, None])
def test_comment_escaper_drops_the_value(value: object) -> None:
    assert esc.commentescaper(value) == ""


# Oracle, data {} (so .M is missing) and {"N": null}:
#   <p title="{{.M}}">{{.M}}{{.N}}</p><a href="{{.M}}">x</a><script>var a = {{.M}}</script>
#   <style>p{color:{{.M}}}</style><p class={{.M}}>
# -> <p title=""></p><a href="">x</a><script>var a =  null </script><style>p{color:}</style><p class=ZgotmplZ>
@pytest.mark.parametrize("nil", [MISSING, None])
def test_missing_and_nil_values_print_nothing(nil: object) -> None:
    assert esc.attrescaper(nil) == ""
    assert esc.htmlescaper(nil) == ""
    assert _apply(["urlfilter", "urlnormalizer", "attrescaper"], nil) == ""
    assert esc.jsvalescaper(nil) == " null "
    assert esc.cssvaluefilter(nil) == ""
    assert esc.htmlnospaceescaper(nil) == "ZgotmplZ"


# Oracle: <p>{{ html .M }}|{{ print .M }}</p> with .M missing -> <p>&lt;nil&gt;|&lt;nil&gt;</p>
def test_eval_args_prints_nil() -> None:
    assert esc.eval_args(MISSING) == "<nil>"
    assert esc.htmlescaper(esc.eval_args(None)) == "&lt;nil&gt;"


# Oracle: <p title="{{ html .A .B }}"> with A="<a>", B=2.0 -> <p title="&lt;a&gt;2">
def test_eval_args_joins_like_sprint() -> None:
    assert esc.eval_args("<a>", 2.0) == "<a>2"


def test_escaper_funcs_have_go_names_and_signatures() -> None:
    assert sorted(ESCAPER_FUNCS) == sorted(
        [
            "_html_template_attrescaper",
            "_html_template_commentescaper",
            "_html_template_cssescaper",
            "_html_template_cssvaluefilter",
            "_html_template_htmlnamefilter",
            "_html_template_htmlescaper",
            "_html_template_jsregexpescaper",
            "_html_template_jsstrescaper",
            "_html_template_jstmpllitescaper",
            "_html_template_jsvalescaper",
            "_html_template_nospaceescaper",
            "_html_template_rcdataescaper",
            "_html_template_srcsetescaper",
            "_html_template_urlescaper",
            "_html_template_urlfilter",
            "_html_template_urlnormalizer",
            "_eval_args_",
        ]
    )
    for name, f in ESCAPER_FUNCS.items():
        assert f.name == name
        assert f.params == () and f.variadic == "any" and f.result == "string"


# encoding/json through the JS value escaper. Oracle: <script>{{.X}}</script> prints these
# (numbers padded with a space on each side by jsvalescaper).
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"z": 1.0, "a": [True, None], "m": {}}, '{"a":[true,null],"m":{},"z":1}'),
        ("<&>\u2028\x7f\x08\x0c", '"\\u003c\\u0026\\u003e\\u2028\x7f\\b\\f"'),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (1.5e-7, "1.5e-7"),
        (0.000001, "0.000001"),
        (-0.0, "-0"),
    ],
)
def test_marshal(value: object, expected: str) -> None:
    assert marshal(value) == expected


def test_marshal_rejects_nan() -> None:
    with pytest.raises(JSONError, match="json: unsupported value: NaN"):
        marshal(float("nan"))

"""The execution fast paths of issue 17 item 1 give what the general paths give.

Compiled templates take shortcuts for the common values: html/template's escapers of one
pipeline fused into one function of a plain string (``runtime.escaper_chain`` with
``escape.escapers.STR_ESCAPERS``), numbers, bools and nil through it as their printed text,
``printf`` with a simple constant format (``gofmt.simple_printf``), the shortest ``%v`` of a
float as ``repr``, executions that change no state sharing one state list. Each is checked here
against the general code it stands for, and the limits against the messages they gave before.
"""

from __future__ import annotations

import gc
import json
import math
import subprocess
from typing import Any

import pytest
from conformance_support import ORACLE
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mailtemplates import gotmpl
from mailtemplates.errors import LimitExceeded, TemplateExecError
from mailtemplates.gotmpl.escape.content import HTML, URL
from mailtemplates.gotmpl.escape.escapers import CHANGED, ESCAPER_FUNCS, STR_ESCAPERS, STRINGIFYING, UNCHANGED
from mailtemplates.gotmpl.funcs import GoFuncError
from mailtemplates.gotmpl.gofmt import simple_printf, sprintf
from mailtemplates.gotmpl.gostrconv import format_float
from mailtemplates.gotmpl.values import MISSING, Int64

# Text with what the escapers treat specially: HTML and URL specials, controls, non-ASCII,
# noncharacters and surrogate-escaped bytes (invalid UTF-8).
_TEXT = st.text(
    st.one_of(
        st.sampled_from(
            [*"<>&'\"+=`:/?#%[]@!$*,;() \t\n\v\f\r\0-._~aZ09", "\ufdd0", "\uffff", "\udc80", "é"]
        ),
        st.characters(),
    ),
    max_size=24,
) | st.sampled_from(
    ["javascript:alert(1)", "http://a.example/?q=1&r=2", "mailto:x@y", "%41%zz", "ſcript:", ""]
)


@given(_TEXT)
@settings(max_examples=300)
def test_string_escapers_are_the_escapers_of_one_string(s: str) -> None:
    for name, fast in STR_ESCAPERS.items():
        assert _outcome(fast, s) == _outcome(ESCAPER_FUNCS[name].fn, s), name
    for name, search in UNCHANGED.items():
        if search(s) is None:
            assert ESCAPER_FUNCS[name].fn(s) == s, name


def _outcome(f: Any, s: str) -> tuple[str, object]:
    # A lone surrogate that is no escaped byte cannot be encoded: the same error either way
    # (the runtime reports it as the escaper's error at its node).
    try:
        return "ok", f(s)
    except UnicodeEncodeError as e:
        return "error", type(e)


_VERBS = st.lists(
    st.sampled_from(["%s", "%d", "%v", "%%", "%", "%x", "%5d", "%[1]s", "a", " ", "é", "\n"]), max_size=6
)
_ARGS = st.lists(
    st.one_of(
        st.text(max_size=5),
        st.integers(min_value=-(2**64), max_value=2**64),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.none(),
        st.just(Int64(7)),
        st.just([1, "a"]),
    ),
    max_size=5,
)


@given(_VERBS, _ARGS)
@settings(max_examples=400)
def test_simple_printf_is_sprintf_or_declines(pieces: list[str], args: list[object]) -> None:
    fmt = "".join(pieces)
    fast = simple_printf(fmt)
    if fast is None:
        return
    r = fast([fmt, *args])
    if r is not None:
        assert r == sprintf(fmt, args)


def _fixed_from_e(x: float) -> str:
    """Go's shortest %g without an exponent, built from the shortest %e (the digit path)."""
    mant, exp = format_float(x, "e", -1).split("e")
    sign = "-" if mant.startswith("-") else ""
    digits = mant.lstrip("-").replace(".", "")
    dp = int(exp) + 1  # digits before the decimal point
    if dp <= 0:
        return sign + "0." + "0" * -dp + digits
    if dp >= len(digits):
        return sign + digits + "0" * (dp - len(digits))
    return sign + digits[:dp] + "." + digits[dp:]


@given(
    st.floats(min_value=1e-4, max_value=999999.9999, allow_nan=False)
    | st.floats(min_value=-999999.9999, max_value=-1e-4)
)
@settings(max_examples=500)
def test_shortest_float_fast_path_is_the_digit_algorithm(x: float) -> None:
    assert format_float(x, "g", -1) == _fixed_from_e(x)


_VALUES: list[Any] = [
    "https://a.example/p?q=1&r=<2>",
    "javascript:alert(1)",
    "",
    0,
    -5,
    2**70,
    1.5,
    10.0,
    1e21,
    float("nan"),
    True,
    False,
    None,
    Int64(3),
    [1, "<a>"],
    {"k": "v"},
    HTML("<b>x</b>"),
    URL("javascript:ok()"),
]


@pytest.mark.parametrize("value", _VALUES, ids=repr)
def test_fused_escapers_are_the_escapers_in_turn(value: Any) -> None:
    """``<a href="{{.}}" title="{{.}}">{{.}}</a>``: three pipelines of escapers, run fused
    for strings, numbers, bools and nil, and one by one for anything else."""
    tset = gotmpl.parse_files({"m": '<a href="{{.V}}" title="{{.V}}">{{.V}}</a>'}, html=True)
    f = {name: g.fn for name, g in ESCAPER_FUNCS.items()}
    v = None if value is None else value
    href = f["_html_template_attrescaper"](
        f["_html_template_urlnormalizer"](f["_html_template_urlfilter"](v))
    )
    title = f["_html_template_attrescaper"](v)
    text = f["_html_template_htmlescaper"](v)
    assert tset.execute("m", {"V": value}) == f'<a href="{href}" title="{title}">{text}</a>'
    assert tset.execute("m", {}) == '<a href="" title=""></a>'  # a missing value: nothing


def test_js_values_are_not_stringified() -> None:
    # jsvalescaper marshals its value: the number path of the fused escapers is not for it.
    assert "jsvalescaper" not in " ".join(STRINGIFYING)
    tset = gotmpl.parse_files({"m": "<script>var a = {{ .N }}, b = {{ .S }};</script>"}, html=True)
    assert tset.execute("m", {"N": 3, "S": "x"}) == '<script>var a =  3 , b = "x";</script>'


# The limits through the fast paths: the same refusals, at the same nodes, with the same words
# as through the general code (these messages were taken from the code before the fast paths).
_LIMIT_CASES: list[tuple[str, dict[str, Any], dict[str, Any], bool, str]] = [
    (
        '<a href="{{ .U }}">x</a>',
        {"U": "https://e.example/" + "a" * 40},
        {"max_values": 30},
        True,
        "error calling _html_template_urlfilter: a result of 58 would take the values this execution "
        "created past the limit of 30 characters and list elements (max_values)",
    ),
    (
        '<a href="{{ .U }}">x</a>',
        {"U": 12345},
        {"max_values": 0},
        True,
        "error calling _html_template_urlfilter: a result of 1 would take the values this execution "
        "created past the limit of 0 characters and list elements (max_values)",
    ),
    (
        '<a href="{{ .U }}">x</a>',
        {"U": 12345},
        {"max_output": 0},
        True,
        "error calling _html_template_urlfilter: result of about 1 exceeds the limit of 0 (max_output)",
    ),
    (
        '{{ $x := printf "%s-%d" .U .N }}{{ $x }}',
        {"U": "abc", "N": 3},
        {"max_values": 1},
        False,
        "error calling printf: a result of 5 would take the values this execution created past the limit of 1",
    ),
    (
        '{{ $x := printf "%v" .N }}{{ $x }}',
        {"N": 3.5},
        {"max_values": 0},
        False,
        "error calling printf: a result of 1 would take the values this execution created past the limit of 0",
    ),
    (
        '<p>{{ printf "%s-%d" .U .N }}</p>',
        {"U": "abc", "N": 3},
        {"max_output": 1},
        True,
        "error calling printf: result of 5 exceeds the limit of 1 (max_output)",
    ),
    (
        "{{ $x := lower .U }}{{ $x }}",
        {"U": "ABCDEFG"},
        {"max_values": 3},
        False,
        "error calling lower: a result of 7 would take the values this execution created past the limit of 3",
    ),
    (
        "{{ $x := lower .U }}{{ $x }}",
        {"U": "A" * 5000},
        {"max_output": 4000},
        False,
        "error calling lower: result of 5000 exceeds the limit of 4000 (max_output)",
    ),
]


@pytest.mark.parametrize(("src", "data", "limits", "html", "message"), _LIMIT_CASES)
def test_limits_hold_through_the_fast_paths(
    src: str, data: dict[str, Any], limits: dict[str, Any], html: bool, message: str
) -> None:
    tset = gotmpl.parse_files({"m": src}, html=html, **limits)
    with pytest.raises(LimitExceeded) as info:
        tset.execute("m", data)
    assert message in str(info.value)


def test_eq_fast_paths_keep_go_errors() -> None:
    tset = gotmpl.parse_files({"m": '{{ eq .U "x" }} {{ eq .N 1 }} {{ eq .A .B }}'})
    assert tset.execute("m", {"U": "x", "N": 1, "A": "p", "B": "p"}) == "true true true"
    assert tset.execute("m", {"U": "y", "N": 2, "A": "p", "B": "q"}) == "false false false"
    with pytest.raises(TemplateExecError, match="incompatible types for comparison"):
        tset.execute("m", {"U": 1, "N": 1, "A": "p", "B": "p"})
    with pytest.raises(TemplateExecError, match="incompatible types for comparison"):
        tset.execute("m", {"U": "x", "N": "1", "A": "p", "B": "p"})


def test_executions_that_change_no_state_share_it() -> None:
    plain = gotmpl.parse_files({"m": "Hi {{ .N }} {{ printf `%s` .S }}!"})
    assert plain.execute("m", {"N": 1, "S": "x"}) == "Hi 1 x!"
    assert plain._compiled_for("m").stateful is False
    assert plain._state == gotmpl.parse_files({"m": ""})._state  # never written
    # (A template call is stateful when its limits could fire: test_calls_are_bounded_only_...)
    recursive = '{{ define "t" }}{{ if . }}{{ template "t" }}{{ end }}{{ end }}{{ template "t" }}'
    for src in ("{{ range .L }}{{ . }}{{ end }}", recursive, "{{ $x := lower .S }}"):
        assert gotmpl.parse_files({"m": src})._compiled_for("m").stateful is True, src


def test_missing_and_nil_values_print_nothing_through_escapers() -> None:
    tset = gotmpl.parse_files({"m": "<p>{{ .A.B }}|{{ .N }}|{{ .A | default `d` }}</p>"}, html=True)
    assert tset.execute("m", {"N": None}) == "<p>||d</p>"
    assert tset.execute("m", {"N": MISSING, "A": {"B": 2.50}}) == "<p>2.5||map[B:2.5]</p>"


@given(_TEXT)
@settings(max_examples=200)
def test_replacement_calls_are_the_regex_substitution(s: str) -> None:
    # html_replacer writes the replacements with str.replace calls: the same as substituting
    # every character its pattern finds (the general way, with a callback per match).
    from mailtemplates.gotmpl.escape import html

    for table in (
        html.HTML_TABLE,
        html.HTML_NORM_TABLE,
        html.HTML_NOSPACE_TABLE,
        html.HTML_NOSPACE_NORM_TABLE,
    ):
        _, repl, with_bad, _, calls = html._compile_replacer(table)
        assert calls(s) == with_bad.sub(repl, s)


# -- toJson through Python's C encoder (sprig_json.marshal_plain, runtime.json_call) ---------------

# Strings with everything Go's encoder writes in a way of its own: quotes, backslashes, controls
# (named and \u00xx), "<", ">", "&", U+2028/U+2029, DEL, surrogates (invalid UTF-8), non-ASCII
# and astral characters (key order by UTF-8 bytes).
# (Joined from a list: st.text merges its alphabet into one set of characters, which makes the
# special ones rare.)
_JSON_TEXT = st.lists(
    st.one_of(
        st.sampled_from(
            [*'<>&"\\/\b\f\n\r\t\x00\x1f\x7f aZ', "\u2028", "\u2029", "\udc80", "é", "\uffff", "😀"]
        ),
        st.characters(),
    ),
    max_size=8,
).map("".join)
_JSON_LEAF = st.one_of(
    _JSON_TEXT,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.none(),
    st.builds(Int64, st.integers(min_value=-(2**63), max_value=2**63 - 1)),
)
_PLAIN_JSON = st.recursive(
    _JSON_LEAF,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_JSON_TEXT, inner, max_size=4),
    max_leaves=20,
)
# What the C path must leave to the pure encoder: floats, MISSING, tuples, non-str keys.
_ANY_JSON = st.recursive(
    _JSON_LEAF | st.floats() | st.just(MISSING),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner)
        | st.dictionaries(_JSON_TEXT | st.integers(max_value=9, min_value=0), inner, max_size=4)
    ),
    max_leaves=12,
)


def _pure_json(v: object, escape_html: bool) -> tuple[str, str]:
    from mailtemplates.gotmpl.funcs.sprig_json import JSONError, _encode

    out: list[str] = []
    try:
        _encode(v, out, escape_html, None, 0)
    except JSONError as e:
        return "error", str(e)
    return "ok", "".join(out)


def _fast_json(v: object, escape_html: bool) -> tuple[str, str]:
    from mailtemplates.gotmpl.funcs.sprig_json import JSONError, marshal

    try:
        return "ok", marshal(v, escape_html=escape_html)
    except JSONError as e:
        return "error", str(e)


_PLAIN_CONTAINER = st.lists(_PLAIN_JSON, max_size=3) | st.dictionaries(_JSON_TEXT, _PLAIN_JSON, max_size=4)


@given(_PLAIN_CONTAINER, st.booleans())
@settings(max_examples=400)
def test_plain_json_through_the_c_encoder_is_the_pure_encoder(v: object, escape_html: bool) -> None:
    from mailtemplates.gotmpl.funcs.sprig_json import marshal_plain, plain_size
    from mailtemplates.gotmpl.runtime import printed_size

    # The single walk counts what the size guard's printed_size counts.
    assert plain_size(v, 1 << 62) == printed_size(v, 1 << 62)
    fast = marshal_plain(v, escape_html)
    expected = _pure_json(v, escape_html)
    if fast is None:
        # Declined only for what the C encoder cannot write as Go does: a surrogate somewhere.
        assert "\\ufffd" in expected[1], expected
    else:
        assert ("ok", fast) == expected


@given(
    _PLAIN_CONTAINER | _ANY_JSON,
    st.integers(min_value=0, max_value=80),
    st.integers(min_value=0, max_value=80),
)
@settings(max_examples=300)
@example(MISSING, 0, 0)
def test_json_call_is_the_guarded_call(v: object, max_output: int, max_values: int) -> None:
    # The same result, the same refusal in the same words, the same budget left: for plain data
    # (one walk), for the rest (guarded_call itself), printed or charged.
    from mailtemplates.gotmpl import runtime as rt
    from mailtemplates.gotmpl.funcs import funcmap

    for name, escape_html in rt.JSON_CALLS.items():
        f = funcmap("full")[name]
        for charge in (True, False):
            outcomes = []
            for fast in (True, False):
                st = rt.new_state(max_output, 1000, max_values)
                try:
                    if fast:
                        r = rt.json_call(escape_html, f, v, 7, st, charge)
                    else:
                        r = rt.guarded_call(f, [v], 7, st, charge)
                    outcomes.append(("ok", r, st))
                except rt.ExecFailure as e:
                    outcomes.append((type(e).__name__, (e.nid, e.message), st))
            assert outcomes[0] == outcomes[1], (name, charge)
        # Printed, the compiled code calls the C path itself: the same output or refusal.
        tset = gotmpl.parse_files(
            {"m": "{{ " + name + " .X }}"}, funcs="full", max_output=max_output, max_values=max_values
        )
        try:
            got: tuple[str, object] = ("ok", tset.execute("m", {"X": v}))
        except (LimitExceeded, TemplateExecError) as e:
            got = ("error", e.message)
        st = rt.new_state(max_output, 1000, max_values)
        arg = None if v is MISSING else v  # a missing value reaches a function as nil
        try:
            text = rt.guarded_call(f, [arg], 7, st, False)
            expected: tuple[str, object] = ("ok", text)
            if len(text) > max_output:  # then execute() refuses the whole output
                expected = ("error", f"output of {len(text)} characters exceeds the limit of {max_output} (max_output)")
        except rt.ExecFailure as e:
            expected = ("error", f'executing "m" at <{name} .X>: {e.message}')
        assert got == expected, name


@given(_ANY_JSON, st.booleans())
@settings(max_examples=300)
def test_marshal_of_any_value_is_the_pure_encoder(v: object, escape_html: bool) -> None:
    assert _fast_json(v, escape_html) == _pure_json(v, escape_html)


def test_c_encoder_declines_what_it_would_write_differently() -> None:
    from mailtemplates.gotmpl.funcs.sprig_json import marshal, marshal_plain

    shared = ["x"]
    for v in (
        [1.0],
        {"a": 1e16},
        [MISSING],
        {1: "x"},
        [(1,)],
        {"\udc80": 1},
        [-0.0],
        [2**20000],
        [shared, shared],
    ):
        assert marshal_plain(v, True) is None, v
    assert marshal_plain(["abc"], True, stop=5) == '["abc"]'
    assert marshal_plain(["abc"], True, stop=4) is None  # printed_size 5: past the budget
    assert marshal({"b": [1.0, 1e21, 1e-7], "a": "<&>\u2028"}) == (
        '{"a":"\\u003c\\u0026\\u003e\\u2028","b":[1,1e+21,1e-7]}'
    )
    deep: list[Any] = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(RecursionError):
        marshal(deep)  # as before: the runtime reports it as the call's "too deep" error


# -- divf of two whole numbers without Fraction (numeric._whole_div) ------------------------------

_WHOLE = st.one_of(
    st.integers(min_value=-(2**54), max_value=2**54),
    st.integers(min_value=-1000, max_value=1000),
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1).map(float),
    st.sampled_from([0, -0.0, 0.0, 1, -1, 3, 7, 2**53, 2**53 - 1, -(2**53) + 1, 10**16, True, "12", None]),
)


@given(_WHOLE, _WHOLE)
@settings(max_examples=600)
@example(1, 2**17)  # 1/2**17 ends in a 5 at the 17th decimal place: rounded away from zero
@example(-3, 2**17)
@example(3.0, -(2**17))
@example(2**53 - 1, 3)
def test_divf_of_whole_numbers_is_the_decimal_division(a: object, b: object) -> None:
    from mailtemplates.gotmpl.funcs import GoFuncError
    from mailtemplates.gotmpl.funcs.sprig import numeric

    def outcome(f: Any) -> tuple[str, object]:
        try:
            r = f()
        except GoFuncError as e:
            return "error", str(e)
        return "ok", (r, math.copysign(1.0, r))  # -0.0 and 0.0 apart

    fast = outcome(lambda: numeric._divf(a, b))
    assert fast == outcome(lambda: numeric._decimal_op(a, [b], "/"))


def test_printed_size_leaves_no_garbage() -> None:
    # It used to define a recursive closure per call: a reference cycle per printed container,
    # freed only by the garbage collector.
    from mailtemplates.gotmpl.runtime import printed_size

    value = {"a": [1, {"b": "c"}], "d": ["e"] * 3}
    gc.collect()
    gc.disable()
    try:
        sizes = {printed_size(value, 1 << 62) for _ in range(100)}
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert sizes == {20}


# -- int64 arithmetic without an Int64 per step (sprig_conv.int64_value) --------------------------

_INT_ARGS = st.one_of(
    st.integers(min_value=-(2**64), max_value=2**64),
    st.builds(Int64, st.integers(min_value=-(2**63), max_value=2**63 - 1)),
    st.floats(),
    st.booleans(),
    st.none(),
    st.just(MISSING),
    st.sampled_from(["12", "-7", "0x1f", "1.5", "9223372036854775808", "x", ""]),
)


@given(st.lists(_INT_ARGS, max_size=5))
@settings(max_examples=500)
def test_int64_arithmetic_wraps_as_step_by_step(args: list[object]) -> None:
    from mailtemplates.gotmpl.funcs.sprig import numeric
    from mailtemplates.gotmpl.funcs.sprig_conv import to_int64

    def wrap(x: int) -> int:  # Go's int64 wrap-around, the plain way
        return ((x + 2**63) % 2**64) - 2**63

    total = 0
    for a in args:
        total = wrap(total + to_int64(a))
    got = numeric._add(*args)
    assert (type(got), got) == (Int64, total)
    if args:
        assert (type(r := numeric._add1(args[0])), r) == (Int64, wrap(to_int64(args[0]) + 1))
    if len(args) >= 2:
        r = numeric._sub(args[0], args[1])
        assert (type(r), r) == (Int64, wrap(to_int64(args[0]) - to_int64(args[1])))
        x, y = to_int64(args[0]), to_int64(args[1])  # div and mod, as Go's truncated / and %
        if y == 0:
            for f in (numeric._div, numeric._mod):
                with pytest.raises(GoFuncError, match="integer divide by zero"):
                    f(args[0], args[1])
        else:
            q = abs(x) // abs(y) * (1 if (x < 0) == (y < 0) else -1)
            assert (type(r := numeric._div(args[0], args[1])), r) == (Int64, wrap(q))
            assert (type(r := numeric._mod(args[0], args[1])), r) == (Int64, x - q * y)


# -- isSafeURL of an ASCII scheme without per-character folding (escape.url.is_safe_url) --------


@given(
    st.lists(st.sampled_from([*"httpsmailtoHTTPSMAILTOx:/ ", "ſ", "K", "İ", "ı"]), max_size=9).map("".join)
    | st.sampled_from(["https://a", "HTTP:x", "mailto:a@b", "javascript:x", "ſ:x", "Kttp:", "httpſ:"])
)
@settings(max_examples=400)
def test_safe_url_is_equalfold_of_the_scheme(s: str) -> None:
    from mailtemplates.gotmpl.escape import url

    protocol, sep, _ = s.partition(":")
    expected = (
        not sep or "/" in protocol or any(url._fold_eq(protocol, w) for w in ("http", "https", "mailto"))
    )
    assert url.is_safe_url(s) == expected


# -- template calls whose limits can never fire (compiler._SetCompiler.calls_bounded) -------------


@given(
    depth=st.integers(min_value=0, max_value=4),
    fanout=st.integers(min_value=1, max_value=3),
    writes=st.integers(min_value=0, max_value=40),
    max_depth=st.integers(min_value=0, max_value=5),
    max_iterations=st.integers(min_value=0, max_value=30) | st.none(),
    max_output=st.integers(min_value=0, max_value=400),
)
@settings(max_examples=150, deadline=None)
@example(depth=2, fanout=1, writes=20, max_depth=5, max_iterations=None, max_output=50)  # a tick fires
@example(depth=3, fanout=2, writes=1, max_depth=3, max_iterations=14, max_output=400)  # 14 calls, 3 deep
@example(depth=3, fanout=2, writes=1, max_depth=3, max_iterations=13, max_output=400)  # one call too many
@example(depth=3, fanout=1, writes=1, max_depth=2, max_iterations=None, max_output=400)  # one level too deep
def test_bounded_calls_are_the_counted_calls(
    depth: int, fanout: int, writes: int, max_depth: int, max_iterations: int | None, max_output: int
) -> None:
    # A tree of templates (each calls the next level `fanout` times and writes `writes` chunks):
    # the same output or the same refusal, in the same words, as with every call counted.
    from mailtemplates.gotmpl import compiler

    files = {}
    for level in range(depth + 1):
        body = "".join(f"{{{{ .N }}}}<{level}.{i}>" for i in range(writes))
        calls = f'{{{{ template "t{level + 1}" . }}}}' * fanout if level < depth else ""
        files[f"t{level}"] = f'{{{{ define "t{level}" }}}}{body}{calls}{{{{ end }}}}'
    files["m"] = '{{ template "t0" . }}'
    limits = {"max_depth": max_depth, "max_iterations": max_iterations, "max_output": max_output}

    def outcome(tset: gotmpl.TemplateSet) -> tuple[str, str]:
        try:
            return "ok", tset.execute("m", {"N": 1})
        except (LimitExceeded, TemplateExecError) as e:
            return type(e).__name__, str(e)

    fast = gotmpl.parse_files(files, **limits)
    got = outcome(fast)
    original = compiler._SetCompiler.calls_bounded
    compiler._SetCompiler.calls_bounded = lambda *a: False  # type: ignore[method-assign]
    try:
        expected = outcome(gotmpl.parse_files(files, **limits))
    finally:
        compiler._SetCompiler.calls_bounded = original  # type: ignore[method-assign]
    assert got == expected
    if not fast._compiled_for("m").stateful:
        assert "_tick_call" not in fast.python_source("m")


def test_calls_are_bounded_only_without_recursion_and_loops() -> None:
    def stateful(src: dict[str, str], **limits: Any) -> bool:
        return gotmpl.parse_files(src, **limits)._compiled_for("m").stateful

    call = {"m": '{{ define "c" }}x{{ end }}{{ template "c" }}{{ template "c" }}'}
    assert not stateful(call)
    assert stateful(call, max_iterations=1)  # two calls: the second one is refused
    assert stateful(call, max_depth=0)
    assert not stateful(call, max_iterations=None)
    assert stateful({"m": '{{ define "r" }}{{ if . }}{{ template "r" }}{{ end }}{{ end }}{{ template "r" }}'})
    assert stateful({"m": '{{ define "c" }}x{{ end }}{{ range .L }}{{ template "c" }}{{ end }}'})
    # More writes than a call waits for before it counts the output: counted.
    assert stateful({"m": '{{ define "c" }}x{{ end }}' + "{{ .A }}-" * 40 + '{{ template "c" }}'})


# -- an escaper after its scan found something, without scanning again (escapers.CHANGED) ---------

_ESCAPED_TEXT = st.lists(
    st.sampled_from(
        [*"<>&'\"+=`:/?#%[]@!$*,;() \t\n\0-._~aZ09", "%zz", "%41", "\ufdd0", "\uffff", "\udc80", "é"]
    )
    | st.characters(),
    max_size=12,
).map("".join)


@given(_ESCAPED_TEXT)
@settings(max_examples=400)
def test_changed_escapers_are_the_escapers_of_a_string_their_scan_matched(s: str) -> None:
    assert set(CHANGED) == set(UNCHANGED)
    for name, search in UNCHANGED.items():
        if search(s) is not None:
            assert _outcome(CHANGED[name], s) == _outcome(STR_ESCAPERS[name], s), name



@pytest.mark.skipif(
    not ORACLE.is_file(), reason=f"needs the Go oracle (CONTRIBUTING.md), not found at {ORACLE}: this test re-asks real Go; CI checks the C path against the pure encoder"
)
def test_plain_json_is_what_go_writes() -> None:
    # Real Go on random plain values with every character Go's encoder treats specially: the C
    # path (all of these take it) writes what json.Marshal writes, through toJson, toRawJson
    # and html/template.
    import random

    from conformance_support import go_data

    from mailtemplates.gotmpl.funcs.sprig_json import marshal_plain

    rng = random.Random(17)
    chars = [*'<>&"\\/\b\f\n\r\t\x00\x1f\x7f aZé', "😀", "\u2028", "\u2029", "\uffff", "中"]

    def text() -> str:
        return "".join(rng.choice(chars) for _ in range(rng.randint(0, 6)))

    def value(depth: int) -> object:
        r = rng.random()
        if depth < 3 and r < 0.25:
            return [value(depth + 1) for _ in range(rng.randint(0, 3))]
        if depth < 3 and r < 0.5:
            return {text(): value(depth + 1) for _ in range(rng.randint(0, 4))}
        return rng.choice([text(), True, False, None])

    cases = []
    for i in range(80):
        x = {text() or "k": value(1) for _ in range(rng.randint(1, 4))}
        for fn, engine in (("toJson", "text"), ("toRawJson", "text"), ("toJson", "html")):
            files = {"m": "{{ " + fn + " .X }}"}
            cases.append(
                {
                    "id": f"{i}-{fn}-{engine}",
                    "engine": engine,
                    "funcs": "hermetic",
                    "entry": "m",
                    "files": files,
                    "data": {"X": x},
                }
            )
    run = subprocess.run(
        [str(ORACLE), "-batch"],
        input="\n".join(json.dumps(c) for c in cases),
        capture_output=True,
        text=True,
        check=True,
    )
    expected = {r["id"]: r["expect"] for r in map(json.loads, run.stdout.splitlines())}
    for case in cases:
        data = go_data(case)
        assert marshal_plain(data["X"]) is not None
        ours = gotmpl.parse_files(case["files"], html=case["engine"] == "html").execute("m", data)
        assert expected[case["id"]] == {"output": ours}, case["id"]


# -- short lists straight to runtime.short_loop from the compiled code (compiler walk_range) ------


@given(
    outer=st.integers(min_value=0, max_value=18),
    inner=st.integers(min_value=0, max_value=18),
    writes=st.integers(min_value=0, max_value=30),
    pairs=st.booleans(),
    max_iterations=st.integers(min_value=0, max_value=120) | st.none(),
    max_output=st.integers(min_value=0, max_value=3000) | st.none(),
)
@settings(max_examples=200, deadline=None)
@example(outer=16, inner=16, writes=30, pairs=False, max_iterations=None, max_output=2000)  # a tick fires
@example(outer=3, inner=4, writes=1, pairs=True, max_iterations=14, max_output=None)  # 15 iterations: refused
@example(outer=17, inner=2, writes=0, pairs=False, max_iterations=None, max_output=None)  # a long outer loop
def test_short_list_loops_are_the_range_items_loops(
    outer: int, inner: int, writes: int, pairs: bool, max_iterations: int | None, max_output: int | None
) -> None:
    # Lists of up to runtime.SHORT_LOOP elements go from the compiled code to short_loop;
    # tuples always go through runtime.range_items. The same output or the same refusal, in
    # the same words, at the same node.
    decl = "$i, $e := " if pairs else ""
    body = "{{ $e }}" if pairs else "{{ . }}"
    src = (
        f"{{{{ range {decl}.L }}}}<{{{{ range .M }}}}{'{{ $.W }}' * writes}{{{{ end }}}}>"
        f"{body}{{{{ else }}}}none{{{{ end }}}}"
    )
    tset = gotmpl.parse_files({"m": src}, max_iterations=max_iterations, max_output=max_output)

    def outcome(seq: type) -> tuple[str, str]:
        data = {"L": seq({"M": seq(range(inner))} for _ in range(outer)), "W": "w"}
        try:
            return "ok", tset.execute("m", data)
        except (LimitExceeded, TemplateExecError) as e:
            return type(e).__name__, str(e)

    assert outcome(list) == outcome(tuple)


def test_short_list_loops_keep_the_deadline() -> None:
    from mailtemplates.gotmpl import runtime as rt

    src = "{{ range .L }}{{ range . }}{{ . }}{{ end }}{{ end }}"
    for seq in (list, tuple):
        tset = gotmpl.parse_files({"m": src}, max_seconds=1e-9)
        with pytest.raises(
            LimitExceeded, match=r"m:1:10: .*execution took longer than 1e-09 s \(max_seconds\)"
        ):
            tset.execute("m", {"L": seq([seq([1, 2])])})
    assert rt.range_items([], 0, 1) == []
    assert rt.range_items(MISSING, 0, 1) == () == rt.range_items(None, 0, 1)


def test_type_of_plain_data_by_exact_type() -> None:
    # sprig_conv._EXACT_TYPE_NAMES: no attribute lookups for the plain types; what Go prints.
    from mailtemplates.gotmpl.funcs.sprig_conv import type_of

    expected = {"x": "string", 2**70: "int", 1.5: "float64", True: "bool", None: "<nil>", Int64(3): "int64"}
    for v, name in expected.items():
        assert type_of(v) == name
    assert type_of({"a": 1}) == "map[string]interface {}"
    assert type_of([1]) == "[]interface {}"
    assert type_of(MISSING) == "<nil>"

    class Model:
        go_type = "*email.Model"

    assert type_of(Model()) == "*email.Model"

"""Go's builtin template functions (mailtemplates.gotmpl.funcs.builtins) against real Go 1.26.

Each CALL_CASES row was run by the oracle as ``{{ FUNC ARGS... }}`` on DATA (JSON numbers are
float64 except INT_PATHS; an argument starting with "." is a field of DATA, anything else a
literal: 1.5j is the template literal ``1.5i``, None is ``nil``). The expected value is the
printed output, or Go's error message after ``error calling FUNC: ``.
"""

from __future__ import annotations

from typing import Any

import pytest
from conformance_support import go_data

from mailtemplates.gotmpl import gofmt
from mailtemplates.gotmpl.funcs import GoFuncError
from mailtemplates.gotmpl.funcs.builtins import REGISTRY
from mailtemplates.gotmpl.values import MISSING

DATA: dict[str, Any] = {
    "L": [1, "a", None],
    "S": "héllo",
    "M": {"a": [1], "n": None, "b": [0, {"c": "deep"}], "é": 2},
    "N": None,
    "F": 1.5,
    "T": True,
    "I": 3,
    "E": [],
    "EM": {},
    "ES": "",
    "Z": 0,
    "FZ": 0.0,
    "NaN": None,
}
INT_PATHS = ["I", "Z"]

# (function, arguments, printed output or None, Go error or None)
CALL_CASES: list[tuple[str, tuple[object, ...], str | None, str | None]] = [
    ("len", (".Missing",), None, "reflect: call of reflect.Value.Type on zero Value"),
    ("len", (".N",), None, "len of nil pointer"),
    ("len", (".F",), None, "len of type float64"),
    ("len", (3,), None, "len of type int"),
    ("len", (True,), None, "len of type bool"),
    ("len", (".S",), "6", None),
    ("len", (".L",), "3", None),
    ("len", (".M",), "4", None),
    ("len", (".E",), "0", None),
    ("len", (".ES",), "0", None),
    ("len", ("é😀",), "6", None),
    ("len", (".M.b",), "2", None),
    ("len", (2.5,), None, "len of type float64"),
    ("len", (1.5j,), None, "len of type complex128"),
    ("index", (".L", 2), "<no value>", None),
    ("index", (".L", 3), None, "reflect: slice index out of range"),
    ("index", (".L", 4), None, "index out of range: 4"),
    ("index", (".L", -1), None, "index out of range: -1"),
    ("index", (".S", 3), "108", None),
    ("index", (".S", 5), "111", None),
    ("index", (".S", 6), None, "reflect: string index out of range"),
    ("index", (".S", 7), None, "index out of range: 7"),
    ("index", (".ES", 0), None, "reflect: string index out of range"),
    ("index", (".M", "nope"), "<no value>", None),
    ("index", (".M", "a"), "[1]", None),
    ("index", (".M", "é"), "2", None),
    ("index", (".M", "n", "x"), None, "index of nil pointer"),
    ("index", (".M", "nope", "x"), None, "index of nil pointer"),
    ("index", (".Missing", 1), None, "index of untyped nil"),
    ("index", (".N", 1), None, "index of untyped nil"),
    ("index", (".N",), None, "index of untyped nil"),
    ("index", (".L", None), None, "cannot index slice/array with nil"),
    ("index", (".L", "1"), None, "cannot index slice/array with type string"),
    ("index", (".L", 1.0), None, "cannot index slice/array with type float64"),
    ("index", (".L", True), None, "cannot index slice/array with type bool"),
    ("index", (".L", ".I"), None, "reflect: slice index out of range"),
    ("index", (".L", ".F"), None, "cannot index slice/array with type float64"),
    ("index", (".M", 1), None, "value has type int; should be string"),
    ("index", (".M", None), None, "value is nil; should be of type string"),
    ("index", (".M", ".Missing"), None, "value is nil; should be of type string"),
    ("index", (".M", ".N"), None, "value is nil; should be of type string"),
    ("index", (".M", 1.5), None, "value has type float64; should be string"),
    ("index", (1, 0), None, "can't index item of type int"),
    ("index", (".F", 0), None, "can't index item of type float64"),
    ("index", (True, 0), None, "can't index item of type bool"),
    ("index", (".L", 1, 0), "97", None),
    ("index", (".L", 0, 0), None, "can't index item of type float64"),
    ("index", (".L", 2, 0), None, "index of nil pointer"),
    ("index", (".M",), "map[a:[1] b:[0 map[c:deep]] n:<nil> é:2]", None),
    ("index", (".L",), "[1 a <nil>]", None),
    ("index", ("abc", 1), "98", None),
    ("index", (".M", "b", 1, "c"), "deep", None),
    ("index", (".M", "b", 1, "c", 0), "100", None),
    ("index", (".E", 0), None, "reflect: slice index out of range"),
    ("index", (".EM", "x"), "<no value>", None),
    ("index", (".L", ".Missing"), None, "cannot index slice/array with nil"),
    ("slice", (".L", 1, 3), "[a <nil>]", None),
    ("slice", (".L", 3), "[]", None),
    ("slice", (".L", 2, 1), None, "invalid slice index: 2 > 1"),
    ("slice", (".L", 0, 1, 2), "[1]", None),
    ("slice", (".L", 0, 1, 2, 3), None, "too many slice indexes: 4"),
    ("slice", (".S", 0, 1, 2), None, "cannot 3-index slice a string"),
    ("slice", (".M", 1), None, "can't slice item of type map[string]interface {}"),
    ("slice", (".N", 1), None, "slice of untyped nil"),
    ("slice", (".Missing",), None, "slice of untyped nil"),
    ("slice", (".S", 1, 3), "é", None),
    ("slice", (".S", 1), "éllo", None),
    ("slice", (".S",), "héllo", None),
    ("slice", (".S", 6), "", None),
    ("slice", (".S", 7), None, "index out of range: 7"),
    ("slice", (".S", 2.0), None, "cannot index slice/array with type float64"),
    ("slice", (".S", None), None, "cannot index slice/array with nil"),
    ("slice", (1,), None, "can't slice item of type int"),
    ("slice", (".F",), None, "can't slice item of type float64"),
    ("slice", (".L", 0, 2, 1), None, "invalid slice index: 2 > 1"),
    ("slice", (".L", -1), None, "index out of range: -1"),
    ("slice", (".L", 0, 3, 3), "[1 a <nil>]", None),
    ("slice", (".E",), "[]", None),
    ("slice", (".ES",), "", None),
    (
        "eq",
        (".L", ".M"),
        None,
        "non-comparable types [%!s(float64=1) a <nil>]: []interface {}, map[string]interface {}: map[a:[1] b:[0 map[c:deep]] n:<nil> é:2]",
    ),
    (
        "eq",
        (".M", ".M"),
        None,
        "non-comparable type map[a:[%!s(float64=1)] b:[%!s(float64=0) map[c:deep]] n:<nil> é:%!s(float64=2)]: map[string]interface {}",
    ),
    ("eq", (".N", ".L"), "false", None),
    ("eq", (".L", ".N"), "false", None),
    ("eq", (".L", "x"), None, "incompatible types for comparison: []interface {} and string"),
    ("eq", (".F", 1), None, "incompatible types for comparison: float64 and int"),
    ("eq", (1, ".F"), None, "incompatible types for comparison: int and float64"),
    ("eq", (".X",), None, "missing argument for comparison"),
    ("eq", (".S", ".L"), None, "incompatible types for comparison: string and []interface {}"),
    ("eq", (".M", ".N"), "false", None),
    ("eq", (".N", ".M"), "false", None),
    ("eq", (".T", ".T"), "true", None),
    (
        "eq",
        (".M", ".L"),
        None,
        "non-comparable types map[a:[%!s(float64=1)] b:[%!s(float64=0) map[c:deep]] n:<nil> é:%!s(float64=2)]: map[string]interface {}, []interface {}: [1 a <nil>]",
    ),
    ("eq", (1, ".N", 1), "true", None),
    ("eq", (".N", 1, ".N"), "true", None),
    ("eq", ("é", "é"), "true", None),
    ("eq", (".N", ".Missing"), "true", None),
    ("eq", (".Missing", ".Missing"), "true", None),
    ("eq", (".Missing", "x"), "false", None),
    ("eq", (1, 2, 3, 1), "true", None),
    ("eq", (1, 2, "x"), None, "incompatible types for comparison: int and string"),
    ("eq", (1, 1, "x"), "true", None),
    ("eq", (".I", 3), "true", None),
    ("eq", (".F", 1.5), "true", None),
    ("eq", (1.5j, 1.5j), "true", None),
    ("eq", (1.5j, 1.5), None, "incompatible types for comparison: complex128 and float64"),
    ("eq", (True, 1), None, "incompatible types for comparison: bool and int"),
    ("eq", (".FZ", -0.0), "true", None),
    ("eq", (".E", ".E"), None, "non-comparable type []: []interface {}"),
    ("eq", (".N", ".E"), "false", None),
    ("eq", (".E", ".N"), "false", None),
    ("eq", (".EM", ".N"), "false", None),
    ("eq", (".Z", ".FZ"), None, "incompatible types for comparison: int and float64"),
    ("eq", (".T", True, False), "true", None),
    ("ne", (".L", ".L"), None, "non-comparable type [%!s(float64=1) a <nil>]: []interface {}"),
    ("ne", (".N", 1), "true", None),
    ("ne", (1, 2), "true", None),
    ("ne", ("a", "a"), "false", None),
    ("ne", (".F", 1), None, "incompatible types for comparison: float64 and int"),
    ("ne", (".N", ".N"), "false", None),
    ("lt", (".N", 1), None, "invalid type for comparison"),
    ("lt", (True, False), None, "invalid type for comparison"),
    ("lt", (1, ".Missing"), None, "invalid type for comparison"),
    ("lt", (".L", ".L"), None, "invalid type for comparison"),
    ("lt", (".L", 1), None, "invalid type for comparison"),
    ("lt", (1, ".L"), None, "invalid type for comparison"),
    ("lt", (1.5j, 2j), None, "invalid type for comparison"),
    ("lt", ("a", "é"), "true", None),
    ("lt", ("z", "é"), "true", None),
    ("lt", (2, 10), "true", None),
    ("lt", ("2", "10"), "false", None),
    ("lt", (1, 2.5), None, "incompatible types for comparison: int and float64"),
    ("lt", ("1", 2), None, "incompatible types for comparison: string and int"),
    ("lt", (".I", 4), "true", None),
    ("lt", (".F", 1.5), "false", None),
    ("lt", (".F", 2.0), "true", None),
    ("le", ("a", ".N"), None, "invalid type for comparison"),
    ("le", (1.0, 1.0), "true", None),
    ("le", (2, 1), "false", None),
    ("le", (".I", 3), "true", None),
    ("le", (".M", ".M"), None, "invalid type for comparison"),
    ("le", (True, True), None, "invalid type for comparison"),
    ("gt", (".N", 1), None, "invalid type for comparison"),
    ("gt", (3, 2.0), None, "incompatible types for comparison: int and float64"),
    ("gt", (3, 2), "true", None),
    ("gt", (2, 2), "false", None),
    ("gt", ("b", "a"), "true", None),
    ("ge", (1, "a"), None, "incompatible types for comparison: int and string"),
    ("ge", ("b", "a"), "true", None),
    ("ge", (2, 2), "true", None),
    ("ge", (1.0, 2.0), "false", None),
    ("ge", (".L", 1), None, "invalid type for comparison"),
    ("not", (".N",), "true", None),
    ("not", (".Missing",), "true", None),
    ("not", (".L",), "false", None),
    ("not", (".E",), "true", None),
    ("not", (0,), "true", None),
    ("not", (".FZ",), "true", None),
    ("not", (".ES",), "true", None),
    ("not", (".S",), "false", None),
    ("not", (".EM",), "true", None),
    ("not", (".M",), "false", None),
    ("not", (False,), "true", None),
    ("not", (0j,), "true", None),
    ("html", ("a\x00b<>&'\"",), "a�b&lt;&gt;&amp;&#39;&#34;", None),
    ("html", (1, 2, "x", ".L"), "1 2x[1 a &lt;nil&gt;]", None),
    ("html", (".M",), "map[a:[1] b:[0 map[c:deep]] n:&lt;nil&gt; é:2]", None),
    ("html", (".N",), "&lt;no value&gt;", None),
    ("html", (".Missing",), "&lt;no value&gt;", None),
    ("html", (".S", ".S"), "héllohéllo", None),
    ("html", (), "", None),
    ("html", (None,), "&lt;no value&gt;", None),
    ("html", (".F", ".T"), "1.5 true", None),
    ("js", ("é\xad\u200b😀\x01\t\x7f\u2028",), "é\\u00AD\\u200B😀\\u0001\\u0009\x7f\\u2028", None),
    # U+0CF3 is printable in Go's Unicode 15, not in Python 3.11's Unicode 14 (str.isprintable);
    # U+0378 is unassigned in both
    ("js", ("a\u0cf3b",), "a\u0cf3b", None),
    ("js", ("\u0378\xad\u2028",), "\\u0378\\u00AD\\u2028", None),
    ("printf", ("%q", "a\u0cf3b"), '"a\u0cf3b"', None),
    ("html", ("a\u0cf3b",), "a\u0cf3b", None),
    ("urlquery", ("\u0cf3",), "%E0%B3%B3", None),
    ("js", (1, ".N"), "1\\u003Cno value\\u003E", None),
    ("js", ('it\'s "q" <b> & \\ =\n',), 'it\\\'s \\"q\\" \\u003Cb\\u003E \\u0026 \\\\ \\u003D\\u000A', None),
    ("js", (".L",), "[1 a \\u003Cnil\\u003E]", None),
    ("js", (".S",), "héllo", None),
    ("js", ("\U000e0001",), "\\uE0001", None),
    (
        "urlquery",
        (" !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",),
        "+%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E_%60%7B%7C%7D~",
        None,
    ),
    ("urlquery", (".L",), "%5B1+a+%3Cnil%3E%5D", None),
    ("urlquery", (1, ".N", 2), "1%3Cno+value%3E2", None),
    ("urlquery", ("a/b?c=d&e+f~_-.", "é"), "a%2Fb%3Fc%3Dd%26e%2Bf~_-.%C3%A9", None),
    ("urlquery", ("a", "b c", 1), "ab+c1", None),
    ("print", (1, 2, "a", 3, ".N", 4), "1 2a3 <nil> 4", None),
    ("print", (), "", None),
    ("print", (".N", ".Missing"), "<nil> <nil>", None),
    ("print", (".L", ".M"), "[1 a <nil>] map[a:[1] b:[0 map[c:deep]] n:<nil> é:2]", None),
    ("print", ("a", "b"), "ab", None),
    ("print", (1.5j, True), "(0+1.5i) true", None),
    ("println", (), "\n", None),
    ("println", (".N", ".Missing", "a", 1), "<nil> <nil> a 1\n", None),
    ("printf", ("%d|%s", ".I", ".Missing"), "3|%!s(<nil>)", None),
    ("call", (".N",), None, "call of nil"),
    ("call", (".Missing",), None, "call of nil"),
]


GO_DATA = go_data({"data": DATA, "int_paths": INT_PATHS})


def _arg(a: object) -> object:
    if isinstance(a, str) and a.startswith("."):
        v: Any = GO_DATA
        for part in a[1:].split("."):
            if not isinstance(v, dict) or part not in v:
                return MISSING
            v = v[part]
        return v
    return a


def _printed(v: object) -> str:
    # text/template prints a nil (or missing) pipeline result as <no value>.
    return "<no value>" if v is None or v is MISSING else gofmt.format_value(v)


@pytest.mark.parametrize(("name", "args", "output", "error"), CALL_CASES)
def test_builtin(name: str, args: tuple[object, ...], output: str | None, error: str | None) -> None:
    fn = REGISTRY.funcs[name].fn
    values = [_arg(a) for a in args]
    if error is not None:
        with pytest.raises(GoFuncError) as info:
            fn(*values)
        assert str(info.value) == error
    else:
        assert _printed(fn(*values)) == output


def test_call_names_the_callee() -> None:
    # {{ call .F }} (F = 1.5), {{ call .L 1 }}, {{ call "x" }}, {{ call .N }}
    fn = REGISTRY.funcs["call"].fn
    cases = [
        (1.5, ".F", "non-function .F of type float64"),
        ([1.0], ".L", "non-function .L of type []interface {}"),
    ]
    cases.append(("x", '"x"', 'non-function "x" of type string'))
    for value, callee, message in cases:
        with pytest.raises(GoFuncError) as info:
            fn(value, callee=callee)
        assert str(info.value) == message
    with pytest.raises(GoFuncError, match=r"^call of nil$"):
        fn(None)


# Arity as Go reports it: "wrong number of args for not: want 1 got 0" (fixed parameters) or
# "want at least 1 got 0" (variadic), probed with {{ FUNC }} and {{ FUNC 1 }}.
ARITY = {
    "not": (1, False),
    "len": (1, False),
    "index": (1, True),
    "slice": (1, True),
    "call": (1, True),
    "eq": (1, True),
    "ne": (2, False),
    "lt": (2, False),
    "le": (2, False),
    "gt": (2, False),
    "ge": (2, False),
    "and": (1, True),
    "or": (1, True),
    "print": (0, True),
    "println": (0, True),
    "printf": (1, True),
    "html": (0, True),
    "js": (0, True),
    "urlquery": (0, True),
}


@pytest.mark.parametrize("name", sorted(ARITY))
def test_signature(name: str) -> None:
    f = REGISTRY.funcs[name]
    fixed, variadic = ARITY[name]
    assert len(f.params) == fixed
    assert (f.variadic is not None) == variadic


def test_registry_is_exactly_gos_builtins() -> None:
    assert set(REGISTRY.funcs) == set(ARITY)


def test_printf_format_is_a_string_parameter() -> None:
    # {{ printf 1 }} fails with "expected string; found 1": the format is typed string.
    assert REGISTRY.funcs["printf"].params == ("string",)

"""Inputs that once raised Python's own exceptions or were accepted against Go (issues 13, 14).

The Go answers of the template-level cases are conformance vectors
(tests/conformance_local/text-parse-fidelity, minted with the oracle); these check what only the
Python API can pass in, and the extra detail our messages add to Go's.
"""

from __future__ import annotations

import pytest

from mailtemplates import gotmpl
from mailtemplates.errors import TemplateExecError, TemplateSyntaxError


@pytest.mark.parametrize("value", [2**63, 2**64 + 3, 2**200])
def test_range_over_an_int_past_int64_wraps_like_gos_int(value: int) -> None:
    # A Python int past Go's int64 was an OverflowError (len(range(...))); it wraps, as the
    # printer and sprig's arithmetic wrap it.
    wrapped = ((value + 2**63) % 2**64) - 2**63
    out = gotmpl.render_files({"m": "{{range .}}{{.}},{{end}}|{{print .}}"}, "m", value)
    assert out == "".join(f"{i}," for i in range(wrapped)) + f"|{wrapped}"


@pytest.mark.parametrize(
    ("source", "html", "expected"),
    [
        ("a\ud800b{{.}}", False, "a\ufffdb1"),
        ('{{ "\udfff" }}', False, "\ufffd"),
        ('{{ "\ud800" | printf "%x" }}', False, "efbfbd"),
        ('<p title="\ud800{{.}}">\udbff</p>', True, '<p title="\ufffd1">\ufffd</p>'),
        # an escaped invalid byte (U+DC80..U+DCFF) stays that byte
        ('{{ "\udcff" | printf "%q" }}', False, '"\\xff"'),
    ],
)
def test_lone_surrogate_in_source_is_u_fffd(source: str, html: bool, expected: str) -> None:
    # Was UnicodeEncodeError in the escaper and in error positions.
    assert gotmpl.parse_files({"m": source}, html=html).execute("m", 1) == expected


def test_lone_surrogate_in_source_error_position() -> None:
    with pytest.raises(TemplateExecError) as info:
        gotmpl.render_files({"m": "\ud800{{ .Y.Z }}"}, "m", {"Y": 1})
    # Go's column counts bytes: U+FFFD is three (oracle: "\ufffd{{ .Y.Z }}" gives m:1:8)
    assert info.value.go_message.startswith("template: m:1:8: executing")


def test_float_constant_out_of_range_is_a_syntax_error() -> None:
    # Was NameError: name 'inf' is not defined, at the first render.
    with pytest.raises(TemplateSyntaxError) as info:
        gotmpl.parse_files({"m": "{{ 1e400 }}"})
    assert info.value.go_message == 'template: m:1: illegal number syntax: "1e400"'
    assert (info.value.line, info.value.col) == (1, 4)


@pytest.mark.parametrize(
    ("source", "where"),
    [
        ("a\n{{ if .A }}x", "the {{if}} at m:2:1 has no {{end}}"),
        ("{{define `x`}}abc", "the {{define}} at m:1:1 has no {{end}}"),
        ("{{block `b` .}}{{with .}}", "the {{with}} at m:1:16 has no {{end}}"),
        ("{{range .}}\n  {{if .}}{{end}}", "the {{range}} at m:1:1 has no {{end}}"),
    ],
)
def test_unexpected_eof_names_the_unclosed_action(source: str, where: str) -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        gotmpl.parse_files({"m": source})
    assert info.value.message == f"unexpected EOF: {where}"
    assert info.value.go_message.endswith(": unexpected EOF")  # Go's text, unchanged


def test_range_assignment_to_undeclared_variable_is_an_exec_error() -> None:
    # Was SyntaxError from compiling the generated Python ("for None in ...").
    tset = gotmpl.parse_files({"m": "{{range $x = 0}}{{$x}}{{end}}"})
    with pytest.raises(TemplateExecError) as info:
        tset.execute("m")
    assert info.value.go_message == 'template: m:1:13: executing "m" at <0>: undefined variable: $x'

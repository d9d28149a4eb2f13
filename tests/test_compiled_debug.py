"""Compiled templates a maintainer can debug (issue 14 part 4): filenames, names, positions."""

from __future__ import annotations

import gc
import linecache
import re
import traceback

import pytest

from mailtemplates import gotmpl
from mailtemplates.errors import TemplateExecError
from mailtemplates.gotmpl.funcs import GoFunc

FILES = {
    "main.gotmpl": 'Hi\n{{ template "p" . }}',
    "p.gotmpl": '{{ define "p" }}\n  {{ if .X }}{{ boom .X }}{{ end }}{{ end }}',
}


def _boom(x: object) -> object:
    raise RuntimeError("a bug in a custom function")


def _tset(interpreted_runs: int = 0, **kw: object) -> gotmpl.TemplateSet:
    """The set, compiled from its first execution (these tests are about the generated code)
    unless ``interpreted_runs`` says otherwise."""
    tset = gotmpl.parse_files(FILES, extra_funcs={"boom": GoFunc("boom", _boom, ("any",))}, **kw)  # type: ignore[arg-type]
    tset.interpreted_runs, tset.interpreted_seconds = interpreted_runs, 60.0
    return tset


def test_crash_in_custom_function_names_template_file_and_line() -> None:
    tset = _tset(origin="recovery/valid/email.body.gotmpl")
    with pytest.raises(RuntimeError) as info:
        tset.execute("main.gotmpl", {"X": 1})
    text = "".join(traceback.format_exception(info.value))
    # the generated frames, with their source lines (linecache) and template-named functions
    assert re.search(
        r'File "<gotmpl recovery/valid/email\.body\.gotmpl#\d+>", line \d+, in tmpl_p\n +t\d+ = dc_boom_c1\(',
        text,
    )
    assert re.search(r"in tmpl_main_gotmpl\n +tmpl_p\(", text)
    # the note: innermost template position first, then the template call that led there
    assert info.value.__notes__ == [
        'in Go template p.gotmpl:2:17 {{boom .X}}\n  called from main.gotmpl:2:13 {{template "p" .}}'
    ]


def test_an_interpreted_execution_notes_the_same_template_positions() -> None:
    tset = _tset(interpreted_runs=1)
    with pytest.raises(RuntimeError) as info:
        tset.execute("main.gotmpl", {"X": 1})
    assert "main.gotmpl" not in tset._compiled  # the first execution walked the trees
    assert info.value.__notes__ == [
        'in Go template p.gotmpl:2:17 {{boom .X}}\n  called from main.gotmpl:2:13 {{template "p" .}}'
    ]


def test_go_errors_are_unchanged_and_carry_no_note() -> None:
    tset = gotmpl.parse_files({"m": "{{ index .L 5 }}"})
    with pytest.raises(TemplateExecError) as info:
        tset.execute("m", {"L": [1]})
    assert not getattr(info.value, "__notes__", None)


def test_each_set_has_its_own_filename_in_linecache_while_it_lives() -> None:
    a, b = _tset(), _tset()
    sa, sb = a.python_source("main.gotmpl"), b.python_source("main.gotmpl")
    fa = a._compiled["main.gotmpl"].filename
    fb = b._compiled["main.gotmpl"].filename
    assert fa != fb and fa.startswith("<gotmpl main.gotmpl#")  # the first file names it by default
    assert "".join(linecache.getlines(fa)) == sa and sa == sb
    del a, b
    gc.collect()
    assert linecache.getlines(fa) == [] and fa not in linecache.cache


def test_python_source_positions_and_named_constants() -> None:
    # max_iterations=0: the call is refused, so its limits are in the code (compiler.calls_bounded).
    src = _tset(max_iterations=0).python_source("main.gotmpl")
    compile(src, "<check>", "exec")
    assert "def tmpl_main_gotmpl(dot, out, depth, st):" in src and "def tmpl_p(" in src
    assert "# p.gotmpl:2:9 {{if .X}}" in src
    assert "# p.gotmpl:2:17 {{boom .X}}" in src
    assert '# main.gotmpl:2:13 {{template "p" .}}' in src
    assert "st[_BUDGET] -= 1" in src and not re.search(r"st\[\d+\]", src)


def test_html_source_is_the_escaped_one_per_entry() -> None:
    tset = gotmpl.parse_files({"b.gotmpl": '<a href="{{ .U }}">{{ .T }}</a>'}, html=True)
    src = tset.python_source("b.gotmpl")
    assert "# b.gotmpl:1:13 {{.U | _html_template_urlfilter" in src
    with pytest.raises(TemplateExecError):
        tset.python_source("nope")


def test_function_names_are_identifiers_and_unique() -> None:
    src = "{{ define `a.b` }}1{{ end }}{{ define `a_b` }}2{{ end }}3{{ template `a.b` }}{{ template `a_b` }}{{ template `ü` }}"
    tset = gotmpl.parse_files({"a-b": src, "ü": "4"})
    # An entry's module holds the templates it can call (here all of them), named apart.
    names = re.findall(r"^def (\w+)\(", tset.python_source("a-b"), re.M)
    assert names == ["tmpl_a_b", "tmpl_a_b_2", "tmpl_a_b_3", "tmpl__"]
    assert re.findall(r"^def (\w+)\(", tset.python_source("a_b"), re.M) == ["tmpl_a_b"]
    assert [tset.execute(n) for n in ("a-b", "a.b", "a_b", "ü")] == ["3124", "1", "2", "4"]

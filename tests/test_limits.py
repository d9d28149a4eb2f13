"""Safety limits of the engine (docs/limits.md): each one stops a template with a clear error.

Template call depth, output size (checked while executing, not only at the end), range iterations,
nesting of the template itself, template size, nesting of the data; and the Python limits the
compiler must get around (20 nested loops, 100 indentation levels, 200 nested brackets). Expected
outputs and Go's messages come from the Go oracle (the depth message with our limit in place of
Go's 100000).
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from mailtemplates import Renderer, gotmpl
from mailtemplates.errors import LimitExceeded, TemplateExecError, TemplateSourceError, TemplateSyntaxError
from mailtemplates.loader import Loader

# The limits hold in both execution tiers (tests/test_interp.py).
pytestmark = pytest.mark.usefixtures("each_tier")

DOCS = Path(__file__).parent.parent / "docs" / "limits.md"


def run(src: str, data: Any = None, *, html: bool = False, **limits: Any) -> str:
    return gotmpl.parse_files({"m": src}, html=html, **limits).execute("m", data)


def fails(exc: type[Exception], src: str, data: Any = None, *, html: bool = False, **limits: Any) -> Any:
    with pytest.raises(exc) as info:
        run(src, data, html=html, **limits)
    return info.value


# -- defaults, and the documentation of them -----------------------------------------------------


def test_defaults_are_the_documented_ones() -> None:
    doc = DOCS.read_text(encoding="utf-8")
    documented = {
        "max_depth": gotmpl.DEFAULT_MAX_DEPTH,
        "max_output": gotmpl.DEFAULT_MAX_OUTPUT,
        "max_iterations": gotmpl.DEFAULT_MAX_ITERATIONS,
        "max_nesting": gotmpl.DEFAULT_MAX_NESTING,
        "max_template_size": gotmpl.DEFAULT_MAX_TEMPLATE_SIZE,
        "max_values": gotmpl.DEFAULT_MAX_VALUES,
        "max_seconds": gotmpl.DEFAULT_MAX_SECONDS,
    }
    assert documented == {
        "max_depth": 100,
        "max_output": 4 * 1024 * 1024,
        "max_iterations": 1_000_000,
        "max_nesting": 50,
        "max_template_size": 1024 * 1024,
        "max_values": 64 * 1024 * 1024,
        "max_seconds": 10,
    }
    for name, value in documented.items():
        row = re.search(rf"^\| `{name}` \| ([0-9_ ]+) \|", doc, re.M)
        assert row is not None, f"docs/limits.md has no row for {name}"
        assert int(row.group(1).replace("_", "").replace(" ", "")) == value, name


# -- template call depth ----------------------------------------------------------------------------

RECURSE = '{{define "a"}}{{template "a" .}}{{end}}{{template "a" .}}'
# Go, with its limit of 100000 where ours stands.
GO_DEPTH = 'template: m:1:25: executing "a" at <{{template "a" .}}>: exceeded maximum template depth (100000)'


@pytest.mark.parametrize("html", [False, True])
def test_recursion_stops_at_max_depth_with_gos_message(html: bool) -> None:
    err = fails(LimitExceeded, RECURSE, html=html)
    assert err.go_message == GO_DEPTH.replace("100000", "100")
    assert (err.name, err.line, err.col) == ("m", 1, 26)
    err = fails(LimitExceeded, RECURSE, html=html, max_depth=7)
    assert err.go_message == GO_DEPTH.replace("100000", "7")


def test_depth_limit_counts_nested_calls_not_calls() -> None:
    chain = "".join(f'{{{{define "t{i}"}}}}{{{{template "t{i + 1}" .}}}}{{{{end}}}}' for i in range(5))
    src = chain + '{{define "t5"}}deep{{end}}' + '{{range 50}}{{template "t0" .}}{{end}}'
    assert run(src, max_depth=6) == "deep" * 50
    fails(LimitExceeded, src, max_depth=5)


def test_a_stack_too_small_for_max_depth_is_a_limit_error() -> None:
    def at_depth(d: int) -> str:
        return run(RECURSE, max_depth=100_000) if d == 0 else at_depth(d - 1)

    with pytest.raises(LimitExceeded, match="nested too deeply for the Python stack"):
        at_depth(50)


# -- output size --------------------------------------------------------------------------------


def test_output_limit_stops_a_huge_range_while_it_runs() -> None:
    t0 = time.perf_counter()
    err = fails(LimitExceeded, "x{{ range 1000000000 }}abc{{ end }}", max_output=1000, max_iterations=None)
    assert time.perf_counter() - t0 < 2
    assert (err.line, err.col) == (1, 11)  # Go's position of a range: its pipeline
    assert err.message == (
        'executing "m" at <{{range 1000000000}}abc{{end}}>: output exceeds the limit of 1000 characters (max_output)'
    )


def test_output_limit_stops_a_loop_over_huge_data_early() -> None:
    big = "y" * 100_000
    data = {"L": [big] * 1_000_000}
    t0 = time.perf_counter()
    fails(LimitExceeded, "{{ range .L }}{{ . }}{{ end }}", data, max_output=1_000_000)
    assert time.perf_counter() - t0 < 2


def test_output_limit_is_checked_at_template_calls() -> None:
    src = '{{define "a"}}{{ .S }}{{ template "a" . }}{{end}}{{ template "a" . }}'
    err = fails(LimitExceeded, src, {"S": "z" * 100_000}, max_output=1_000_000, max_depth=10_000)
    assert "max_output" in err.message and err.line == 1


def test_output_limit_without_loops_is_checked_at_the_end() -> None:
    err = fails(LimitExceeded, "{{ .A }}{{ .A }}", {"A": "a" * 600}, max_output=1000)
    assert str(err) == "m: output of 1200 characters exceeds the limit of 1000 (max_output)"
    assert run("{{ .A }}{{ .A }}", {"A": "a" * 500}, max_output=1000) == "a" * 1000
    assert len(run("{{ .A }}{{ .A }}", {"A": "a" * 600}, max_output=None)) == 1200


@pytest.mark.parametrize(
    "src",
    [
        '{{ repeat 100000000 "x" }}',
        "{{ until 100000000 }}",
        "{{ untilStep 0 100000000 1 }}",
        "{{ seq 100000000 }}",
        '{{ $s := "ab" }}{{ range 40 }}{{ $s = print $s $s }}{{ end }}',
        "{{ $l := list 1 }}{{ range 40 }}{{ $l = concat $l $l }}{{ end }}",
    ],
)
def test_functions_cannot_build_values_larger_than_the_output(src: str) -> None:
    t0 = time.perf_counter()
    err = fails(LimitExceeded, src, max_output=100_000)
    assert time.perf_counter() - t0 < 2
    assert re.search(
        r"error calling \w+: result of (about )?\d+ exceeds the limit of 100000 \(max_output\)", err.message
    )
    assert err.line == 1 and err.col > 0


def test_renderer_output_limit_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "login_code" / "valid"
    folder.mkdir(parents=True)
    (folder / "email.subject.gotmpl").write_text("Code", encoding="utf-8")
    (folder / "email.body.plaintext.gotmpl").write_text(
        "{{ range 100000 }}{{ $.LoginCode }}{{ end }}", encoding="utf-8"
    )
    r = Renderer([tmp_path], max_output=10_000)
    with pytest.raises(LimitExceeded) as info:
        r.render("login_code/valid", {"LoginCode": "123456", "To": "a@example.com"})
    assert info.value.filename == str(folder / "email.body.plaintext.gotmpl")
    assert info.value.line == 1 and "max_output" in info.value.message


def _plaintext_folder(root: Path, body: str) -> Path:
    folder = root / "login_code" / "valid"
    folder.mkdir(parents=True)
    (folder / "email.subject.gotmpl").write_text("Code", encoding="utf-8")
    (folder / "email.body.plaintext.gotmpl").write_text(body, encoding="utf-8")
    return folder / "email.body.plaintext.gotmpl"


CTX = {"LoginCode": "123456", "To": "a@example.com"}


def test_renderer_passes_its_iteration_limit_on(tmp_path: Path) -> None:
    _plaintext_folder(tmp_path, "{{ range 50 }}.{{ end }}")
    assert Renderer([tmp_path]).render("login_code/valid", CTX).text == "." * 50
    with pytest.raises(LimitExceeded) as info:
        Renderer([tmp_path], max_iterations=10).render("login_code/valid", CTX)
    assert "max_iterations" in info.value.message and info.value.line == 1


def test_renderer_passes_its_depth_limit_on(tmp_path: Path) -> None:
    _plaintext_folder(tmp_path, '{{ define "d" }}{{ if . }}{{ template "d" rest . }}{{ end }}{{ end }}'
                                '{{ template "d" list 1 2 3 4 5 6 7 8 }}')  # fmt: skip
    assert Renderer([tmp_path]).render("login_code/valid", CTX).text == ""
    with pytest.raises(LimitExceeded, match="exceeded maximum template depth"):
        Renderer([tmp_path], max_depth=5).render("login_code/valid", CTX)


def test_renderer_passes_its_nesting_limit_on(tmp_path: Path) -> None:
    path = _plaintext_folder(tmp_path, "{{ if 1 }}" * 4 + "x" + "{{ end }}" * 4)
    assert Renderer([tmp_path]).render("login_code/valid", CTX).text == "x"
    with pytest.raises(TemplateSyntaxError, match="nested more than 3 levels") as info:
        Renderer([tmp_path], max_nesting=3).render("login_code/valid", CTX)
    assert info.value.filename == str(path)


def test_renderer_passes_its_template_size_limit_on(tmp_path: Path) -> None:
    _plaintext_folder(tmp_path, "x" * 2000)
    assert len(Renderer([tmp_path]).render("login_code/valid", CTX).text) == 2000
    with pytest.raises(TemplateSourceError, match="size limit 1000"):
        Renderer([tmp_path], max_template_size=1000).render("login_code/valid", CTX)


# -- range iterations ---------------------------------------------------------------------------


def test_range_over_a_huge_integer_hits_the_iteration_limit_fast() -> None:
    t0 = time.perf_counter()
    err = fails(LimitExceeded, "{{ range 1000000000 }}{{ end }}")
    assert time.perf_counter() - t0 < 5
    assert err.message == (
        'executing "m" at <{{range 1000000000}}{{end}}>: range iterations exceed the limit of 1000000 '
        "per execution (max_iterations)"
    )


def test_iteration_limit_counts_every_loop_of_the_execution() -> None:
    assert run("{{ range 10 }}.{{ end }}", max_iterations=10) == "." * 10
    fails(LimitExceeded, "{{ range 11 }}.{{ end }}", max_iterations=10)
    # 4 outer + 4 * 3 inner = 16 iterations.
    assert run("{{ range 4 }}{{ range 3 }}{{ end }}{{ end }}", max_iterations=16) == ""
    fails(LimitExceeded, "{{ range 4 }}{{ range 3 }}{{ end }}{{ end }}", max_iterations=15)
    # A loop that breaks early is charged for what it ran, not for its length.
    src = "{{ range $i := 1000000000 }}{{ if eq $i 500 }}{{ break }}{{ end }}{{ end }}done"
    assert run(src, max_iterations=1000) == "done"
    # Each execution has its own budget.
    tset = gotmpl.parse_files({"m": "{{ range 8 }}{{ end }}ok"}, max_iterations=10)
    assert [tset.execute("m") for _ in range(3)] == ["ok"] * 3


def test_branching_recursion_is_bounded_by_the_iteration_budget() -> None:
    # Never deeper than the data (40), but 2**40 calls.
    src = '{{define "a"}}{{if .}}{{template "a" (rest .)}}{{template "a" (rest .)}}{{end}}{{end}}{{template "a" .L}}'
    t0 = time.perf_counter()
    err = fails(LimitExceeded, src, {"L": list(range(40))}, max_iterations=100_000)
    # Unbounded, this is 2**40 calls (hours); bounded, well under a second on an idle machine.
    assert time.perf_counter() - t0 < 10
    assert err.message == (
        'executing "a" at <{{template "a" (rest .)}}>: template calls and range iterations exceed the limit '
        "of 100000 per execution (max_iterations)"
    )
    # Small data renders as usual (Go: "xxxxxxx").
    assert run(src.replace("{{end}}{{end}}", "x{{end}}{{end}}"), {"L": [1, 2, 3]}) == "x" * 7


def test_a_huge_map_is_refused_before_it_is_sorted() -> None:
    data = {f"k{i}": i for i in range(200_000)}
    t0 = time.perf_counter()
    fails(LimitExceeded, "{{ range . }}{{ end }}", data, max_iterations=1000)
    assert time.perf_counter() - t0 < 1


# -- nesting of the template ----------------------------------------------------------------------


def nested(kind: str, n: int) -> str:
    return f"{{{{ {kind} 1 }}}}" * n + "x" + "{{ end }}" * n


@pytest.mark.parametrize("kind", ["if", "with", "range"])
def test_nesting_up_to_the_limit_works_and_one_more_is_a_syntax_error(kind: str) -> None:
    assert run(nested(kind, 50)) == "x"
    err = fails(TemplateSyntaxError, nested(kind, 51))
    assert err.message == f"{{{{{kind}}}}} nested more than 50 levels deep (max_nesting)"
    assert err.go_message == f"template: m:1: {err.message}" and err.line == 1
    assert run(nested(kind, 51), max_nesting=51) == "x"


def test_parentheses_count_as_nesting_with_gos_message() -> None:
    src = "{{ " + "(print " * 51 + "1" + ")" * 51 + " }}"
    err = fails(TemplateSyntaxError, src)
    assert err.go_message == "template: m:1: max expression depth exceeded"
    assert run(src, max_nesting=60) == "1"


def test_else_if_chains_count_as_nesting() -> None:
    src = (
        '{{ if eq .N "0" }}zero'
        + "".join(f'{{{{ else if eq .N "{k}" }}}}n{k}' for k in range(1, 150))
        + "{{ end }}"
    )
    fails(TemplateSyntaxError, src, {"N": "147"})
    # Go: n147
    assert run(src, {"N": "147"}, max_nesting=200) == "n147"
    assert run(src, {"N": "147"}, html=True, max_nesting=200) == "n147"


# Deeper than Python's compiler allows in one function: 20 nested loops, 100 indentation levels,
# 200 nested brackets. Expected outputs from Go.
DEEP = {
    "45 nested ranges with break, continue and an outer variable": (
        "{{ $c := 0 }}"
        + "".join(
            f"{{{{ range $i{k} := 2 }}}}{{{{ if eq $i{k} 1 }}}}{{{{ continue }}}}{{{{ end }}}}"
            for k in range(45)
        )
        + "{{ $c = add $c 1 }}x"
        + "{{ break }}{{ end }}" * 45
        + "[{{ $c }}]",
        "x[1]",
    ),
    "25 nested ranges": (
        "{{ $c := 0 }}"
        + "".join(
            f"{{{{ range $i{k} := 2 }}}}{{{{ $c = add $c 1 }}}}{{{{ if $i{k} }}}}{{{{ break }}}}{{{{ end }}}}"
            for k in range(25)
        )
        + "{{ $c }},"
        + "{{ end }}" * 25
        + "[{{ $c }}]",
        "25,[50]",
    ),
    "99 nested ifs declaring variables": (
        "".join(f"{{{{ if $v{k} := {k} }}}}{k}" for k in range(1, 100))
        + "{{ $v1 }}{{ $v99 }}"
        + "{{ end }}" * 99,
        "".join(str(k) for k in range(1, 100)) + "199",
    ),
    "89 nested withs assigning an outer variable": (
        "{{ $x := 0 }}"
        + "".join(f"{{{{ with {k} }}}}{{{{ $x = . }}}}" for k in range(1, 90))
        + "{{ end }}" * 89
        + "{{ $x }}",
        "89",
    ),
    "49 nested parentheses": ("{{ " + "(print " * 49 + "1" + ")" * 49 + " }}", "1"),
    "49 nested and": ("{{ " + "(and 1 " * 49 + "2" + ")" * 49 + " }}", "2"),
    "a pipeline of 300 commands": ("{{ 1" + " | print" * 300 + " }}", "1"),
    "and/or with 300 operands": ("{{ and" + " 1" * 300 + " }}{{ or" + " 0" * 300 + " 7 }}", "17"),
}


# Deep ranges are text-only: html/template escapes a range body until a fixed point, which is
# exponential in range depth, as in Go (docs/limits.md, "What is not bounded").
@pytest.mark.parametrize(
    ("name", "html"), [(n, h) for n in DEEP for h in (False, True) if not (h and "ranges" in n)]
)
def test_deep_templates_compile_past_pythons_own_limits(name: str, html: bool) -> None:
    src, expected = DEEP[name]
    assert run(src, html=html, max_nesting=200) == expected


def frames_in_use() -> int:
    n, f = 0, sys._getframe()
    while f is not None:
        n, f = n + 1, f.f_back
    return n


def with_frames_left(left: int, fn: Any) -> Any:
    """Call ``fn`` with only ``left`` frames of the recursion limit to spare."""

    def down(d: int) -> Any:
        return fn() if d <= 0 else down(d - 1)

    return down(sys.getrecursionlimit() - frames_in_use() - left)


def test_a_caller_deep_in_its_own_stack_gets_a_limit_error_not_recursion_error() -> None:
    src = "".join("{{ if .A }}<b title='{{ .T }}'>" for _ in range(50)) + "x" + "</b>{{ end }}" * 50

    def render() -> str:
        return run(src, {"A": True, "T": "t"}, html=True)

    for left in (30, 100, 200):
        with pytest.raises(
            (LimitExceeded, TemplateSyntaxError), match="too deeply nested for the Python stack"
        ):
            with_frames_left(left, render)
    # At the default max_nesting, every stage fits in about 300 frames.
    assert with_frames_left(350, render).count("<b title='t'>") == 50


# -- template size --------------------------------------------------------------------------------


def test_template_size_limit() -> None:
    err = fails(TemplateSyntaxError, "x" * 101, max_template_size=100)
    assert str(err) == "m: template of 101 characters exceeds the limit of 100 (max_template_size)"
    assert run("x" * 100, max_template_size=100) == "x" * 100
    assert run("x" * 101, max_template_size=None) == "x" * 101


def test_loader_refuses_template_files_over_its_size_limit(tmp_path: Path) -> None:
    folder = tmp_path / "recovery" / "valid"
    folder.mkdir(parents=True)
    path = folder / "email.subject.gotmpl"
    path.write_text("x" * 2000, encoding="utf-8")
    loader = Loader([tmp_path], builtin_root=None, max_template_bytes=1000)
    with pytest.raises(TemplateSourceError) as info:
        loader.find(("recovery", "valid"), "subject", ())
    assert str(info.value) == f"{path}: 2000 bytes exceeds the template size limit 1000"


# -- nesting of the data ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template", ["{{ . }}", '{{ printf "%v" . }}', "{{ toJson . }}", "{{ range . }}{{ . }}{{ end }}"]
)
def test_data_nested_deeper_than_the_stack_is_a_limit_error_at_the_action(template: str) -> None:
    data: Any = "leaf"
    for _ in range(sys.getrecursionlimit() + 100):
        data = {"A": data} if "range" not in template else [data]
    err = fails(LimitExceeded, template, data)
    assert (err.line, err.col) == (1, 4 if "range" not in template else 17)
    assert "nested too deeply" in err.message


def test_limit_errors_are_exec_errors_with_go_form() -> None:
    err = fails(LimitExceeded, "{{ range 20 }}{{ end }}", max_iterations=10)
    assert isinstance(err, TemplateExecError)
    assert err.go_message.startswith(
        'template: m:1:9: executing "m" at <{{range 20}}{{end}}>: range iterations'
    )


# -- regular expressions --------------------------------------------------------------------------


def test_a_backtracking_regex_stops_at_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    # Go's RE2 answers this in microseconds; a backtracking engine needs 2^40 steps.
    from mailtemplates.gotmpl.funcs import sprig_regex

    monkeypatch.setattr(sprig_regex, "MATCH_SECONDS", 0.2)
    src = '{{ if regexMatch "^(a|aa)+$" .Trait }}yes{{ end }}'
    start = time.monotonic()
    with pytest.raises(TemplateExecError) as info:
        gotmpl.render_files({"m": src}, "m", {"Trait": "a" * 40 + "b"})
    assert time.monotonic() - start < 5
    assert info.value.line == 1 and info.value.col == 7
    assert "error calling regexMatch: regexp: matching `^(a|aa)+$` took longer than 0.2 s" in info.value.message
    # The same pattern on ordinary input, and the other regexp functions, are unaffected.
    assert gotmpl.render_files({"m": src}, "m", {"Trait": "aaa"}) == "yes"
    assert gotmpl.render_files({"m": '{{ regexReplaceAll "a+" .T "x" }}'}, "m", {"T": "baab"}) == "bxb"


def test_the_deadline_covers_a_whole_find_all(monkeypatch: pytest.MonkeyPatch) -> None:
    from mailtemplates.gotmpl.funcs import sprig_regex

    monkeypatch.setattr(sprig_regex, "MATCH_SECONDS", 0.2)
    with pytest.raises(TemplateExecError, match="regexFindAll: regexp: matching"):
        gotmpl.render_files(
            {"m": '{{ regexFindAll "(a|aa)+c" .T -1 }}'}, "m", {"T": ("a" * 30 + "b") * 3}
        )

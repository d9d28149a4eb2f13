"""Memory and time of one execution are bounded (docs/limits.md; issue 13).

Each hostile template here once built a value of hundreds of megabytes before its size was
checked, or ran for tens of seconds. The sizes are chosen so that building the value would cost
about 100 MB: ``tracemalloc`` shows that it is refused *before* it is built (a peak of a few
megabytes). The full-size versions (gigabytes, minutes) run in capped subprocesses in
``tests/test_resource_probes.py``.
"""

from __future__ import annotations

import re
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import write

from mailtemplates import Renderer, gotmpl
from mailtemplates.errors import LimitExceeded, TemplateExecError
from mailtemplates.gotmpl.escape import escape as escaper
from mailtemplates.jinja import compile_jinja
from mailtemplates.lint import lint_paths

# The limits hold in both execution tiers (tests/test_interp.py).
pytestmark = pytest.mark.usefixtures("each_tier")

#: Bytes Python may allocate while refusing a value of about 100 MB.
PEAK = 16 * 1024 * 1024
S100K = '{{ $s := repeat 100000 "x" }}'
#: A list holding one 100,000-character string 1000 times (100 M characters once printed).
L1000 = S100K + "{{ $l := list }}{{ range 1000 }}{{ $l = append $l $s }}{{ end }}"


def run(src: str, data: Any = None, *, html: bool = False, **limits: Any) -> str:
    return gotmpl.parse_files({"m": src}, html=html, **limits).execute("m", data)


def refused(src: str, *, html: bool = False, **limits: Any) -> tuple[LimitExceeded, int]:
    """The LimitExceeded ``src`` fails with, and the peak of Python allocations meanwhile."""
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded) as info:
            run(src, html=html, **limits)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return info.value, peak


# -- sizes refused before allocating ------------------------------------------------------------


@pytest.mark.parametrize(
    "src",
    [
        '{{ $s := repeat 10000 "x" }}{{ $x := replace "x" $s $s }}',
        '{{ $s := repeat 10000 "x" }}{{ $x := replace "" $s $s }}',
        '{{ $s := repeat 1000 "\\n" }}{{ $x := indent 100000 $s }}',
        '{{ $s := repeat 1000 "\\n" }}{{ $x := nindent 100000 $s }}',
        '{{ indent 4000000000 "x" }}',
        S100K + "{{ $x := join $s (until 1000) }}",
        '{{ $s := repeat 10000 "x" }}{{ $x := regexReplaceAll "x" $s $s }}',
        '{{ $s := repeat 10000 "x" }}{{ $x := regexReplaceAllLiteral "x" $s $s }}',
        '{{ $s := repeat 10000 "x" }}{{ $x := mustRegexReplaceAll "" $s $s }}',
        '{{ $s := repeat 5000 "x " }}{{ $x := wrapWith 1 $s $s }}',
        '{{ $x := printf (repeat 100 "%1000000[1]d") 1 }}',
        '{{ printf (repeat 100 "%[1]*[2]d") 1000000 1 }}',
        L1000 + "{{ $x := cat $l }}",
        L1000 + "{{ $x := print $l }}",
        L1000 + "{{ $x := toJson $l }}",
        L1000 + "{{ $x := toPrettyJson $l }}",
        L1000 + "{{ $x := toString $l }}",
        '{{ $s := repeat 4000000 "x" }}{{ $x := b64enc $s }}',
        L1000 + '{{ $x := printf "%v" $l }}',
        "{{ $u := until 100000 }}{{ $x := concat $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u $u }}",
        '{{ $x := repeat 100000000 "x" }}',
        L1000 + "{{ $l }}",
    ],
)
def test_a_value_over_the_output_limit_is_refused_before_it_is_built(src: str) -> None:
    err, peak = refused(src)
    assert "(max_output)" in err.message and err.line == 1 and err.col > 0
    # "about" / "at least": the guard's message, known before the call (not a built result).
    assert re.search(r"result of about \d+|a value of at least \d+", err.message)
    assert peak < PEAK, f"{peak / 1e6:.0f} MB allocated before the refusal"


def test_escapers_of_html_templates_are_sized_before_they_run() -> None:
    err, peak = refused(L1000 + "<p>{{ $l }}</p>", html=True)
    assert "(max_output)" in err.message
    assert peak < PEAK


def test_sized_functions_still_give_their_results_under_the_limit() -> None:
    assert run('{{ replace "b" "xy" "abcb" }}') == "axycxy"
    assert run('{{ nindent 2 "a\\nb" }}') == "\n  a\n  b"
    assert run('{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}') == "-W-xxW-"
    assert run('{{ wrapWith 5 "\\t" "Hello World" }}') == "Hello\tWorld"
    assert run('{{ join "-" (list 1 2 3) }}') == "1-2-3"
    assert run('{{ printf "%5d|%.3f|%*d" 42 1.0 3 7 }}') == "   42|1.000|  7"
    # Go's fmt ignores widths past a million (they are no size to refuse).
    assert run('{{ printf "%999999999d" 1 }}') == "%!(NOVERB)%!(EXTRA int=1)"
    # ... nor a width after an argument index ("%[1]5d" is BADINDEX): sizes follow Go's fmt.
    assert run('{{ printf (repeat 5 "%[1]1000000d") 1 }}') == "%!d(BADINDEX)" * 5


# -- a budget for all the values one execution creates ------------------------------------------

APPEND_LOOP = S100K + '{{ $l := list }}{{ range 1000 }}{{ $l = append $l (printf "%s%d" $s .) }}{{ end }}'


def test_values_built_up_in_a_loop_are_bounded_by_max_values() -> None:
    # 1000 distinct strings of 100,000 characters: 100 M characters, each under max_output.
    err, peak = refused(APPEND_LOOP, max_values=10_000_000)
    assert "(max_values)" in err.message and "10000000" in err.message
    assert (err.line, err.col) == (1, 81)  # at printf
    assert peak < 2 * 10_000_000 + PEAK


def test_the_default_values_budget_stops_a_2_gb_accumulation() -> None:
    # The case at a smaller scale: 700 strings of 100,000 characters pass the default
    # budget of 64 Mi characters... and 700 more do not.
    src = S100K + '{{ $l := list }}{{ range 1400 }}{{ $l = append $l (printf "%s%d" $s .) }}{{ end }}'
    err, _ = refused(src)
    assert (
        f"the limit of {gotmpl.DEFAULT_MAX_VALUES} characters and list elements (max_values)" in err.message
    )


def test_values_budget_is_per_execution_and_can_be_switched_off() -> None:
    t = gotmpl.parse_files({"m": '{{ $x := repeat 600 "x" }}{{ len $x }}'}, max_values=1000)
    assert [t.execute("m") for _ in range(3)] == ["600"] * 3  # each execution has its own budget
    assert run('{{ $x := repeat 600 "x" }}{{ $y := repeat 600 "x" }}{{ len $y }}', max_values=None) == "600"
    with pytest.raises(LimitExceeded, match="max_values"):
        run('{{ $x := repeat 600 "x" }}{{ $y := repeat 600 "x" }}', max_values=1000)


def test_renderer_passes_max_values_and_max_seconds_on(tmp_path: Path) -> None:
    write(tmp_path, "login_code/valid/email.subject.gotmpl", "Code")
    body = write(
        tmp_path,
        "login_code/valid/email.body.plaintext.gotmpl",
        '{{ $l := list }}{{ range 30 }}{{ $l = append $l (repeat 100 "x") }}{{ end }}{{ len $l }}',
    )
    ctx = {"LoginCode": "1", "To": "a@example.com"}
    assert Renderer([tmp_path]).render("login_code/valid", ctx).text == "30"
    with pytest.raises(LimitExceeded) as info:
        Renderer([tmp_path], max_values=2000).render("login_code/valid", ctx)
    assert info.value.filename == str(body) and "max_values" in info.value.message
    body.write_text("{{ range $i := until 1000000 }}{{ $i }}{{ end }}", encoding="utf-8")
    with pytest.raises(LimitExceeded, match=r"longer than 0.01 s \(max_seconds\)"):
        Renderer([tmp_path], max_seconds=0.01, max_iterations=None, max_output=None).render(
            "login_code/valid", ctx
        )


# -- time ---------------------------------------------------------------------------------------


def test_a_deadline_stops_an_execution_of_costly_steps() -> None:
    # Each step is a 2 MB string uppercased: the iteration budget alone let this run 14 s.
    src = '{{ range until 50 }}{{ repeat 1000000 "ß" | upper | len }}{{ end }}'
    t0 = time.monotonic()
    with pytest.raises(LimitExceeded) as info:
        run(src, max_seconds=0.05)
    assert time.monotonic() - t0 < 5
    assert "execution took longer than 0.05 s (max_seconds)" in info.value.message
    assert info.value.line == 1


def test_the_deadline_is_checked_in_plain_loops_and_template_calls() -> None:
    with pytest.raises(LimitExceeded, match="max_seconds"):
        run("{{ range $i := until 3000000 }}{{ end }}", max_seconds=0.01, max_iterations=None)
    recurse = '{{ define "r" }}{{ if . }}{{ template "r" (slice . 1) }}{{ end }}{{ end }}'
    with pytest.raises(LimitExceeded, match="max_seconds"):
        run(
            recurse + '{{ range 100000 }}{{ template "r" (list 1 2 3 4 5 6 7 8) }}{{ end }}', max_seconds=0.01
        )


def test_max_seconds_none_switches_the_deadline_off() -> None:
    assert run("{{ range 1000 }}{{ end }}ok", max_seconds=None) == "ok"


def test_uppercasing_is_a_table_lookup() -> None:
    # The per-rune Python call made a million runes cost 2.7 s; results stay Go's.
    # Go: unicode.ToUpper per rune (no "SS", no ligature split); İ lowers to a plain i.
    assert run('{{ upper "straße ǆ ﬃ" }}|{{ lower "ǅ İ" }}|{{ title "ǆx" }}') == "STRAßE Ǆ ﬃ|ǆ i|ǅx"


# -- complexity of sprig's list functions -------------------------------------------------------


@pytest.fixture
def equality_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many times the list functions compare two values element by element."""
    from mailtemplates.gotmpl.funcs.sprig import list as sprig_list

    count = [0]
    real = sprig_list.deep_equal

    def counting(a: object, b: object) -> bool:
        count[0] += 1
        return real(a, b)

    monkeypatch.setattr(sprig_list, "deep_equal", counting)
    yield count


def test_uniq_and_without_do_not_compare_every_pair(equality_calls: list[int]) -> None:
    # sprig compares each element with every kept one: 32 M comparisons for 8000 (118 s).
    assert run("{{ uniq (until 8000) | len }}") == "8000"
    assert run("{{ $u := until 4000 }}{{ without (concat $u $u) 1 2 3 | len }}") == "7994"
    assert equality_calls[0] == 0
    # Values without a hashable key (NaN, objects) are still compared one by one, as sprig does.
    assert run('{{ uniq (list 1 1.5 1.5 (list 1) (list 1) (dict "a" 1) (dict "a" 1) "1") }}') == (
        "[1 1.5 [1] map[a:1] 1]"
    )


def test_uniq_keeps_go_equality() -> None:
    # int and int64 differ in Go; a float NaN equals nothing; order is first occurrence.
    assert run("{{ uniq (list 2 1 2 (int64 1) 1) }}") == "[2 1 1]"
    assert run('{{ without (list 1 "1" 1.0 (list 1)) 1 (list 1) }}') == "[1 1]"


def test_snakecase_reads_its_input_without_copying_the_rest() -> None:
    # The scanner sliced bytes at each rune (quadratic: 109 s on a million characters).
    assert run('{{ repeat 3 "aB" | snakecase }}|{{ repeat 3 "aB" | kebabcase }}') == "a_ba_ba_b|a-ba-ba-b"
    assert run('{{ repeat 20000 "aB" | snakecase | len }}') == "60000"


# -- printing shared values; escaping nested ranges --------------------------------------------


def test_printing_a_list_held_many_times_is_refused_before_formatting() -> None:
    # 2**24 copies of "1": 40 s and 1.9 GB before the size was known in advance.
    err, peak = refused("{{ $l := list 1 }}{{ range 24 }}{{ $l = list $l $l }}{{ end }}{{ $l }}")
    assert re.search(r"printing a value of at least \d+ characters exceeds the limit", err.message)
    assert peak < PEAK
    assert run("{{ $l := list 1 }}{{ range 3 }}{{ $l = list $l $l }}{{ end }}{{ $l }}") == (
        "[[[[1] [1]] [[1] [1]]] [[[1] [1]] [[1] [1]]]]"
    )


def _nested_ranges(depth: int) -> str:
    return "{{range .}}" * depth + "<a href='{{.}}'>{{.}}</a>" + "{{end}}" * depth


def test_escaping_nested_ranges_walks_each_body_a_few_times(monkeypatch: pytest.MonkeyPatch) -> None:
    walked = {}
    real_escape = escaper.Namespace.escape

    def counting(ns: escaper.Namespace, name: str) -> None:
        real_escape(ns, name)
        walked[name] = ns.steps

    monkeypatch.setattr(escaper.Namespace, "escape", counting)
    data = [[[["a&b"]]]]
    assert run(_nested_ranges(4), data, html=True) == "<a href='a&amp;b'>a&amp;b</a>"
    t = gotmpl.parse_files({"m": _nested_ranges(20)}, html=True)
    assert t.execute("m", []) == ""
    # Go walks a body twice per level: 2**20 walks at depth 20 (minutes here).
    assert walked["m"] < 20_000


def test_escaping_that_needs_too_many_steps_is_a_limit_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # Bodies calling templates are walked again each time (what the calls infer may change).
    monkeypatch.setattr(escaper, "MAX_ESCAPE_STEPS", 2000)
    src = '{{define "t"}}x{{end}}' + "{{range .}}" * 12 + '{{template "t"}}' + "{{end}}" * 12
    with pytest.raises(LimitExceeded, match=r"escaping needs more than 2000 steps"):
        run(src, [], html=True)


def test_lint_on_deeply_nested_ranges_finishes(tmp_path: Path) -> None:
    write(tmp_path, "recovery/valid/email.body.gotmpl", _nested_ranges(20))
    t0 = time.monotonic()
    diags = lint_paths([str(tmp_path)])
    assert time.monotonic() - t0 < 20  # 84 s before
    assert not [d for d in diags if d.code.startswith("E") and "escap" in d.message.lower()]


# -- the regexp deadline ------------------------------------------------------------------------


def test_the_regexp_deadline_holds_over_many_quick_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    from mailtemplates.gotmpl.funcs import sprig_regex

    monkeypatch.setattr(sprig_regex, "MATCH_SECONDS", 0.05)
    src = '{{ $s := repeat 2000000 "x" }}{{ regexFindAll "" $s -1 | len }}'
    t0 = time.monotonic()
    with pytest.raises(TemplateExecError, match=r"regexFindAll: regexp: matching `` took longer than 0.05 s"):
        run(src, max_values=None)
    assert time.monotonic() - t0 < 5  # 6-7 s against a 1 s deadline before
    assert run('{{ regexFindAll "" "abc" -1 }}') == "[   ]"


# -- native Jinja templates ---------------------------------------------------------------------


def jinja(src: str, *, html: bool = False, **limits: Any) -> str:
    return compile_jinja(src, "t/email.body.jinja", html=html, **limits)({"n": 3})


@pytest.mark.parametrize(
    ("src", "what"),
    [
        ("{{ 10 ** 5000 }}", "bits"),
        ("x\n{{ 9 ** 999999999 }}", "bits"),
        ("{{ 'x' * 2000000000 }}", "max_output"),
        ("{{ ['x'] * 2000000000 }}", "max_output"),
        ("{{ 'x' | center(2000000000) }}", "max_output"),
        ("{{ 'x'.ljust(2000000000) }}", "max_output"),
        ("{{ 'ab' | replace('', 'x' * 4000000) }}", "max_output"),
        ("{{ ('\\n' * 1000000) | indent(100) }}", "max_output"),
        ("{% set l = ['x' * 4000000] * 1000 %}{{ l | join }}", "max_output"),
        ("{% set l = ['x' * 4000000] * 1000 %}{{ l }}", "max_output"),
        ("{{ '%2000000000d' % 1 }}", "max_output"),
        ("{% set s = 'x' * 3000000 %}{{ s ~ s }}", "max_output"),
    ],
)
def test_jinja_templates_are_bounded_with_positioned_errors(src: str, what: str | None) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(TemplateExecError) as info:
            jinja(src)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    err = info.value
    assert isinstance(err, LimitExceeded) or what is None
    assert err.filename == "t/email.body.jinja" and err.line == src.count("\n", 0, src.find("{{")) + 1
    if what:
        assert what in err.message
    assert peak < 64 * 1024 * 1024


def test_jinja_nested_loops_share_one_iteration_budget() -> None:
    src = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
    with pytest.raises(LimitExceeded) as info:
        jinja(src, max_seconds=None)
    assert "for-loop iterations exceed the limit of 1000000 per render (max_iterations)" in info.value.message
    assert info.value.line == 1


def test_jinja_limits_are_options_and_ordinary_templates_are_unaffected() -> None:
    assert (
        jinja("{{ 2 ** 10 }} {{ 'ab' * 3 }} {% for i in range(n) %}{{ i }}{% endfor %}") == "1024 ababab 012"
    )
    with pytest.raises(LimitExceeded, match=r"max_iterations"):
        jinja("{% for i in range(10) %}{% endfor %}", max_iterations=5)
    with pytest.raises(LimitExceeded, match=r"max_output"):
        jinja("{{ 'x' * 20 }}", max_output=10)
    assert jinja("{{ 'x' * 20 }}", max_output=None) == "x" * 20
    with pytest.raises(LimitExceeded, match=r"max_seconds"):
        jinja(
            "{% for i in range(100000) %}{% for j in range(100) %}{% endfor %}{% endfor %}", max_seconds=0.01
        )


def test_jinja_lint_and_render_of_a_huge_power_finish(tmp_path: Path) -> None:
    write(tmp_path, "recovery/valid/email.body.jinja", "{{ 9 ** 999999999 }}")
    t0 = time.monotonic()
    lint_paths([str(tmp_path)])  # constant folding hung here
    assert time.monotonic() - t0 < 10

"""The two execution tiers agree: the tree interpreter (first executions) and the compiled code.

``gotmpl.TemplateSet`` walks an entry's trees at its first executions (``gotmpl.interp``) and
compiles it once it is hot. Both must behave alike byte for byte: the same output, the same
errors (class, message, Go's message, file, line, column), the same limit failures. The gate:

* every conformance vector (Go's shared corpus, the local vectors and the golden renders of the
  built-in templates) runs in both tiers, each forced, and the results are compared whole (not
  only against the vector's expectation, which for an error names only its phase);
* random templates (a grammar of Go's template language over random data, mutations of the
  corpus from tests/test_fuzz.py, bodies nested past the compiler's hoisting thresholds, nested
  ranges with break/continue), under random small limits, in both tiers (marked ``fuzz``:
  ``tox -e fuzz`` runs them with 5,000 examples);
* tests/test_limits.py, tests/test_limits_resources.py, tests/test_sandbox.py and
  tests/test_range_elements.py run in both tiers (their ``each_tier`` fixture, tests/conftest.py);
* the tiering itself: first executions interpreted, then compiled, thread-safely.

``MAILTEMPLATES_TIER=interpret`` (or ``compile``) runs the whole suite in one tier.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from typing import Any

import pytest
from conformance_support import GOLDEN, LOCAL, SHARED, Case, go_data, known_failures, load_cases, matches
from helpers import TIERS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailtemplates import gotmpl
from mailtemplates.errors import MailTemplateError, TemplateSyntaxError
from mailtemplates.gotmpl.funcs import GoFunc

CASES = load_cases(SHARED, LOCAL, GOLDEN)
KNOWN = known_failures()
#: What the random templates gave (output, error, parse): printed with -s, to see they run.
KINDS: Counter[str] = Counter()


def outcome(tset: gotmpl.TemplateSet, entry: str, data: Any) -> dict[str, Any]:
    """Everything observable of one execution: the output, or the error whole."""
    try:
        return {"output": tset.execute(entry, data)}
    except MailTemplateError as e:
        return {
            "error": type(e).__name__,
            "str": str(e),
            "go": getattr(e, "go_message", None),
            "where": (getattr(e, "name", None), getattr(e, "line", None), getattr(e, "col", None)),
            "source_line": getattr(e, "source_line", None),
        }


def both_tiers(
    files: dict[str, str], entry: str, data: Any, **kw: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(interpreted, compiled) outcomes of ``entry`` in two sets parsed alike."""
    results = []
    for tier in ("interpret", "compile"):
        try:
            tset = gotmpl.parse_files(files, **kw)
        except TemplateSyntaxError as e:
            results.append({"parse": e.go_message})
            continue
        tset.interpreted_runs, tset.interpreted_seconds = TIERS[tier]
        results.append(outcome(tset, entry, data))
        if tier == "interpret":
            assert entry not in tset._compiled
    return results[0], results[1]


def _case_kw(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "html": raw["engine"] == "html",
        "funcs": raw.get("funcs", "hermetic"),
        "delims": tuple(raw["delims"]) if raw.get("delims") else None,
        "options": raw.get("options") or (),
    }


def _as_vector_result(result: dict[str, Any]) -> dict[str, Any]:
    if "parse" in result:
        return {"error": {"phase": "parse", "message": result["parse"]}}
    if "output" in result:
        return result
    return {"error": {"phase": "exec", "message": result["go"]}}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_vector_in_both_tiers(case: Case) -> None:
    raw = case.raw
    interpreted, compiled = both_tiers(raw["files"], raw["entry"], go_data(raw), **_case_kw(raw))
    assert interpreted == compiled
    if case.id not in KNOWN:
        assert matches(raw["expect"], _as_vector_result(interpreted)), raw["description"]


# -- random templates -------------------------------------------------------------------------------

FIELDS = ["A", "B", "C", "L", "M", "N", "X", "Nope"]
VARS = ["$a", "$b", "$c"]
LITERALS = [
    '"s"',
    '"<b>&"',
    "``",
    "1",
    "0",
    "-3",
    "2.5",
    "1e3",
    "0x10",
    "'a'",
    "true",
    "false",
    "nil",
    "1i",
    "9223372036854775808",
]
#: name -> (min, max) argument counts written in the template
FUNCS = {
    "and": (1, 3),
    "or": (1, 3),
    "not": (1, 1),
    "eq": (2, 3),
    "ne": (2, 2),
    "lt": (2, 2),
    "le": (2, 2),
    "len": (1, 1),
    "index": (1, 3),
    "print": (0, 3),
    "printf": (1, 3),
    "println": (0, 2),
    "slice": (1, 3),
    "html": (1, 2),
    "js": (1, 1),
    "urlquery": (1, 1),
    "default": (1, 2),
    "upper": (1, 1),
    "list": (0, 3),
    "dict": (0, 4),
    "toJson": (1, 1),
    "repeat": (2, 2),
    "join": (2, 2),
    "add": (2, 2),
    "until": (1, 1),
    "empty": (1, 1),
    "quote": (0, 2),
    "trim": (1, 1),
    "int": (1, 1),
    "call": (1, 2),
    "boom": (0, 1),
    "toString": (1, 1),
    "keys": (1, 1),
    "append": (2, 2),
    "concat": (0, 2),
}


@st.composite
def operand(draw: st.DrawFn, depth: int) -> str:
    kind = draw(st.integers(0, 9 if depth < 3 else 7))
    if kind == 0:
        return "."
    if kind in (1, 2):
        return "." + ".".join(draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3)))
    if kind == 3:
        v = draw(st.sampled_from([*VARS, "$"]))
        fields = draw(st.lists(st.sampled_from(FIELDS), max_size=2))
        return ".".join([v, *fields])
    if kind in (4, 5, 6, 7):
        return draw(st.sampled_from(LITERALS))
    if kind == 8:
        return "(" + draw(pipeline(depth + 1)) + ")" + draw(st.sampled_from(["", "", ".A", ".L.B"]))
    if kind == 9 and draw(st.booleans()):
        # Library values with methods (time.Time, *semver.Version): method calls, typed literals.
        value = draw(st.sampled_from(['(toDate "2006-01-02" "2020-03-04")', '(semver "1.2.3")', "(dict)"]))
        method = draw(
            st.sampled_from(
                [
                    ".Year",
                    ".Major",
                    '.Format "Jan 2"',
                    ".Add 3600",
                    ".AddDate 1 2",
                    ".AddDate 1 2 3",
                    ".Add 1.5",
                    ".Add .N",
                    '.Compare (semver "1.0.0")',
                    ".UTC.Day",
                    ".A 1",
                ]
            )
        )
        return "(" + value + method + ")"
    return "(" + draw(command(depth + 1)) + ")"


@st.composite
def command(draw: st.DrawFn, depth: int, piped: bool = False) -> str:
    if draw(st.integers(0, 2)) == 0:
        if piped:  # a later stage of a pipeline: no constant (a parse error)
            return draw(st.sampled_from([".A", ".L.B", "$a", "$c.A", ".", "$"]))
        return draw(operand(depth))
    name = draw(st.sampled_from(sorted(FUNCS)))
    lo, hi = FUNCS[name]
    args = [draw(operand(depth + 1)) for _ in range(draw(st.integers(max(lo - 1, 0), hi + 1)))]
    if name == "printf" and draw(st.booleans()):
        args.insert(0, draw(st.sampled_from(['"%v-%d"', '"%s"', '"%5.2f|%q"', '"%[2]v %v"', '"%*d"'])))
    return " ".join([name, *args])


@st.composite
def pipeline(draw: st.DrawFn, depth: int = 0, decl: bool = True) -> str:
    cmds = [draw(command(depth, i > 0)) for i in range(draw(st.integers(1, 3)))]
    text = " | ".join(cmds)
    if decl and draw(st.integers(0, 4)) == 0:
        text = f"{draw(st.sampled_from(VARS))} {draw(st.sampled_from([':=', '=']))} {text}"
    return text


TEXTS = [
    "x",
    " ",
    "\n",
    "<p>",
    "</p>",
    '<a href="',
    '">',
    "<script>var v = ",
    "</script>",
    "<b title='",
    "'>",
    "é",
]


@st.composite
def body(draw: st.DrawFn, depth: int, in_range: bool) -> str:
    out = []
    for _ in range(draw(st.integers(0, 4 if depth < 3 else 1))):
        kind = draw(st.integers(0, 12))
        if kind <= 2:
            out.append(draw(st.sampled_from(TEXTS)))
        elif kind <= 5:
            out.append("{{" + draw(pipeline()) + "}}")
        elif kind == 6 and depth < 4:
            kw = draw(st.sampled_from(["if", "with"]))
            s = "{{" + kw + " " + draw(pipeline()) + "}}" + draw(body(depth + 1, in_range))
            if draw(st.booleans()):
                s += "{{else}}" + draw(body(depth + 1, in_range))
            out.append(s + "{{end}}")
        elif kind == 7 and depth < 4:
            head = draw(st.sampled_from(["", "$i, $e := ", "$e := ", "$a = ", "$a, $b = "]))
            # Often a short or empty list, so that bodies, else-lists and their jumps all run.
            ranged = draw(st.sampled_from(["(list)", "(list 1 2)", "$c", "2", None]))
            if ranged is None:
                ranged = draw(pipeline(decl=False))
            s = "{{range " + head + ranged + "}}" + draw(body(depth + 1, True))
            if draw(st.booleans()):
                s += "{{else}}" + draw(body(depth + 1, in_range))
            out.append(s + "{{end}}")
        elif kind == 8:
            name = draw(st.sampled_from(["t1", "t2", "missing"]))
            arg = draw(st.sampled_from(["", " .", " .A", " $a", " .L"]))
            out.append(f'{{{{template "{name}"{arg}}}}}')
        elif kind == 9 and in_range:
            out.append(draw(st.sampled_from(["{{break}}", "{{continue}}"])))
        elif kind == 10:
            out.append("{{" + draw(st.sampled_from(VARS)) + " := " + draw(pipeline(decl=False)) + "}}")
        elif kind == 11:
            out.append("{{/* c */}}")
        else:
            out.append("{{" + draw(st.sampled_from(VARS)) + " = " + draw(pipeline(decl=False)) + "}}")
    return "".join(out)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.integers(-(2**65), 2**65),
    st.floats(allow_nan=False, allow_infinity=True),
    st.sampled_from(["", "s", "<i>", "javascript:x", "%v", "ü"]),
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(FIELDS), inner, max_size=5)
    ),
    max_leaves=12,
)
LIMITS = st.fixed_dictionaries(
    {
        "max_output": st.sampled_from([None, 5, 40, 1000]),
        "max_iterations": st.sampled_from([None, 3, 20, 200]),
        "max_values": st.sampled_from([None, 10, 100]),
        "max_depth": st.sampled_from([3, 10]),
    }
)


def _boom(*args: Any) -> str:
    raise ValueError("boom: " + repr(args))


EXTRA = {"boom": GoFunc("boom", _boom, (), variadic="any", result="string")}
#: Examples per random test (``MAILTEMPLATES_FUZZ_EXAMPLES=N`` for more, as tests/test_fuzz.py).
RANDOM = settings(
    max_examples=int(os.environ.get("MAILTEMPLATES_FUZZ_EXAMPLES") or 250),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.fuzz
@RANDOM
@given(
    main=body(0, False),
    t1=body(1, False),
    t2=body(2, False),
    data=st.dictionaries(st.sampled_from(FIELDS), DATA, max_size=6),
    html=st.booleans(),
    limits=LIMITS,
    option=st.sampled_from([(), ("missingkey=zero",), ("missingkey=error",)]),
)
def test_random_templates_in_both_tiers(
    main: str, t1: str, t2: str, data: Any, html: bool, limits: dict[str, Any], option: tuple[str, ...]
) -> None:
    # Variables the bodies use, declared (an undeclared one is mostly a parse error).
    pre = "{{$a := .A}}{{$b := 1}}{{$c := .L}}"
    files = {"main": pre + main + '{{define "t1"}}' + pre + t1 + '{{end}}{{define "t2"}}' + t2 + "{{end}}"}
    interpreted, compiled = both_tiers(
        files, "main", data, html=html, funcs="full", extra_funcs=EXTRA, options=option, **limits
    )
    assert interpreted == compiled
    KINDS[next(iter(interpreted))] += 1


@pytest.mark.fuzz
def test_random_corpus_mutations_in_both_tiers() -> None:
    from test_fuzz import sets_and_data

    @RANDOM
    @given(case=sets_and_data(), html=st.booleans(), limits=LIMITS)
    def check(case: tuple[dict[str, str], Any], html: bool, limits: dict[str, Any]) -> None:
        files, data = case
        for entry in sorted(files)[:2]:
            interpreted, compiled = both_tiers(files, entry, data, html=html, **limits)
            assert interpreted == compiled

    check()


# -- tiering ----------------------------------------------------------------------------------------


def test_an_entry_is_interpreted_first_then_compiled() -> None:
    tset = gotmpl.parse_files({"m": "{{range .}}{{.}},{{end}}"})
    tset.interpreted_runs, tset.interpreted_seconds = 2, 60.0
    assert tset.execute("m", [1, 2]) == "1,2,"
    assert tset.execute("m", [4]) == "4,"
    assert "m" not in tset._compiled and "m" in tset._interpreters
    assert tset.execute("m", [3]) == "3,"
    assert "m" in tset._compiled and "m" not in tset._interpreters  # the walked trees compiled
    assert tset.execute("m", []) == ""


def test_an_entry_whose_interpreted_runs_took_long_enough_is_compiled() -> None:
    tset = gotmpl.parse_files({"m": "{{range .}}{{.}}{{end}}"})
    tset.interpreted_runs, tset.interpreted_seconds = 1000, 1e-12
    assert tset.execute("m", [1]) == "1"  # the first is always interpreted
    assert "m" not in tset._compiled
    assert tset.execute("m", [2]) == "2"
    assert "m" in tset._compiled


def test_the_defaults_interpret_a_few_executions() -> None:
    # The class defaults (docs/performance.md says why these): unless MAILTEMPLATES_TIER forced them.
    if "MAILTEMPLATES_TIER" not in os.environ:
        assert gotmpl.TemplateSet.interpreted_runs == gotmpl.INTERPRETED_RUNS == 16
        assert gotmpl.TemplateSet.interpreted_seconds == gotmpl.INTERPRETED_SECONDS


def test_an_escape_error_is_the_same_in_both_tiers_and_remembered() -> None:
    files = {"m": "<a href={{.}}"}
    tset = gotmpl.parse_files(files, html=True)
    with pytest.raises(MailTemplateError) as first:
        tset.execute("m", "x")
    with pytest.raises(MailTemplateError) as second:
        tset.execute("m", "x")
    assert str(first.value) == str(second.value)


def _hammer(tset: gotmpl.TemplateSet, threads: int) -> list[str]:
    """Execute ``tset``'s "m" from several threads at once, five times each."""
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def run() -> None:
        try:
            barrier.wait()
            for k in range(5):
                results.append(tset.execute("m", list(range(k))))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert not errors
    return results


def test_threads_share_a_set_across_the_switch_of_tiers() -> None:
    files = {"m": '{{range $i, $e := .}}{{template "t" $e}}{{end}}{{define "t"}}<{{.}}>{{end}}'}
    expected = sorted("".join(f"<{i}>" for i in range(k)) for k in range(5) for _ in range(4))
    for _ in range(20):
        tset = gotmpl.parse_files(files)
        tset.interpreted_runs, tset.interpreted_seconds = 3, 60.0
        assert sorted(_hammer(tset, 4)) == expected
        assert "m" in tset._compiled


@pytest.fixture(scope="module", autouse=True)
def _report_kinds() -> Any:
    yield
    if KINDS:
        print(f"\nrandom templates in both tiers: {dict(KINDS)}")


def test_a_walk_out_of_python_stack_is_run_again_compiled() -> None:
    # max_depth far above what the walk's frames hold: the compiled code decides (here it runs
    # out of stack too, and says so as it always did).
    files = {"m": '{{define "r"}}x{{template "r" .}}{{end}}{{template "r" .}}'}
    tset = gotmpl.parse_files(files, max_depth=100_000)
    tset.interpreted_runs, tset.interpreted_seconds = TIERS["interpret"]
    with pytest.raises(MailTemplateError, match="nested too deeply for the Python stack"):
        tset.execute("m", 1)
    assert "m" in tset._compiled


#: Shapes that make the compiler move code into functions of their own (past Python's nesting
#: limits: 10 loops or 40 indentation levels), around a random body.
DEEP = [
    ("{{range $e := .L}}" * 10, "{{.Foo}}{{$e.Foo}}{{$e.A}}", "{{end}}" * 10),
    ("{{if true}}" * 38 + "{{range $i, $e := .L}}", "{{.Foo}}{{$e.Foo}}{{$i}}", "{{end}}" + "{{end}}" * 38),
    ("{{with .}}" * 20 + "{{range .L}}" + "{{if .}}" * 20, "{{.Foo}}{{.A}}", "{{end}}" * 41),
]


@pytest.mark.fuzz
@settings(RANDOM, max_examples=max(RANDOM.max_examples // 5, 20))
@given(
    inner=body(2, True),
    shape=st.sampled_from(DEEP),
    data=st.dictionaries(st.sampled_from(FIELDS), DATA, max_size=6),
    leaf=DATA,
)
def test_deeply_nested_bodies_in_both_tiers(
    inner: str, shape: tuple[str, str, str], data: Any, leaf: Any
) -> None:
    # .L nested as deep as the ranges, so that the innermost body runs on real elements.
    for _ in range(11):
        leaf = [leaf, {"A": leaf, "L": [leaf]}]
    data = {**data, "L": leaf}
    pre = "{{$a := .A}}{{$b := 1}}{{$c := .L}}"
    files = {"main": pre + shape[0] + inner + shape[1] + shape[2]}
    interpreted, compiled = both_tiers(files, "main", data, funcs="full", extra_funcs=EXTRA)
    assert interpreted == compiled
    KINDS["deep " + next(iter(interpreted))] += 1


@st.composite
def jumps(draw: st.DrawFn, depth: int, in_range: bool) -> str:
    """Ranges over short lists, nested, with ``break``/``continue`` in bodies, ifs and
    else-lists (where a break ends the inner range and a continue reaches the outer loop)."""
    out = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.integers(0, 5))
        if kind == 0:
            out.append(draw(st.sampled_from(["a", "{{.}}", "{{$x := 1}}{{$x}}"])))
        elif kind in (1, 2) and in_range:
            out.append(draw(st.sampled_from(["{{break}}", "{{continue}}", "{{if .}}{{break}}{{end}}"])))
        elif kind == 3 and depth < 3:
            out.append(
                "{{if .}}"
                + draw(jumps(depth + 1, in_range))
                + "{{else}}"
                + draw(jumps(depth + 1, in_range))
                + "{{end}}"
            )
        elif depth < 3:
            ranged = draw(st.sampled_from(["(list)", "(list 1)", "(list 0 2 3)", "."]))
            s = "{{range " + ranged + "}}" + draw(jumps(depth + 1, True))
            if draw(st.booleans()):
                s += "{{else}}" + draw(jumps(depth + 1, in_range))
            out.append(s + "{{end}}")
    return "(" + "".join(out) + ")"


@pytest.mark.fuzz
@RANDOM
@given(src=jumps(0, False), data=st.sampled_from([[], [1], [0, [], [1, 2]], 3]))
def test_break_and_continue_in_both_tiers(src: str, data: Any) -> None:
    interpreted, compiled = both_tiers({"main": src}, "main", data, funcs="full")
    assert interpreted == compiled

"""First renders: compiling a template set and executing it once, against Go's parse + first Execute.

    python benchmarks/bench_compile.py [--rounds N] [--stages] [--breakdown]

Issue 17 item 3. For every case of the engine benchmark (the parts of the branded Kratos override
in ``kratos_override/`` and every ``kratos*`` conformance vector) and for a 125 KB almost static
HTML body (``cases.huge_static_case``), one call is what a process pays the first time it renders
the set: ``gotmpl.parse_files`` on the sources (a new set each call), then ``execute`` of the entry
(which for HTML runs the escaper and compiles the entry's templates to Python first). Go's figure is
``parse_ns + first_exec_ns`` recorded in go_baseline.json (``record_go_baseline.py``: parsing and the
first Execute, html/template's escaper included, in a fresh Go process). Reported: the median and
the worst ratios, over the kratos vectors and the override parts, and the huge case on its own.

Not equal footing, on purpose of the target: Go's figure is the first parse in its process (cold
code paths and caches), ours is repeated in a warm process (the imports, function maps and regular
expressions already loaded: ``bench_startup.py`` measures those).

``--breakdown`` splits every case's first render into parse, escape, generating the Python
module, Python's own ``compile()`` of it, and the first execute, each as a ratio to Go's whole
figure (medians over the cases; the stages are timed apart, so they need not add up exactly), plus
the least any tree interpreter would pay: visiting each reachable node once (the budget question of
docs/performance.md, "First renders, third pass").

``--stages`` splits the override body and the huge case into parse, escape and compile (by
difference of cumulative runs), and adds the Renderer's first render of the override folder
(three parts, load-time CSS inlining, HTML to text) against the sum of Go's three parts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from _roundrobin import round_robin, table, write_results
from cases import HERE, OVERRIDE, SAMPLE_DATA, huge_static_case, kratos_vectors, override_cases
from conformance_support import go_data

from mailtemplates import gotmpl


def _parse(case: dict[str, Any]) -> gotmpl.TemplateSet:
    return gotmpl.parse_files(
        case["files"],
        html=case["engine"] == "html",
        funcs=case.get("funcs", "hermetic"),
        delims=tuple(case["delims"]) if case.get("delims") else None,
        options=case.get("options") or (),
    )


def first_render(case: dict[str, Any]) -> Callable[[], object]:
    data = go_data(case)
    entry = case["entry"]
    return lambda: _parse(case).execute(entry, data)


def stages(case: dict[str, Any]) -> dict[str, Callable[[], object]]:
    entry = case["entry"]
    data = go_data(case)

    def escape() -> None:
        _parse(case).escape(entry, compile_code=False)

    def compiled() -> None:
        _parse(case).python_source(entry)

    return {
        f"{case['id']}: parse": lambda: _parse(case),
        f"{case['id']}: + escape": escape,
        f"{case['id']}: + compile": compiled,
        f"{case['id']}: + first execute": lambda: _parse(case).execute(entry, data),
    }


def _walk(node: object, seen: list[type]) -> None:
    seen.append(type(node))
    for value in vars(node).values():
        if isinstance(value, gotmpl.nodes.Node):
            _walk(value, seen)
        elif type(value) is list:
            for item in value:
                if isinstance(item, gotmpl.nodes.Node):
                    _walk(item, seen)


def breakdown_stages(case: dict[str, Any]) -> dict[str, Callable[[], object]]:
    """Each stage of ``case``'s first render timed on its own (inputs prepared outside)."""
    from mailtemplates.gotmpl.compiler import compile_trees

    entry = case["entry"]
    data = go_data(case)
    ready = _parse(case)
    trees, funcs = ready._escaped(entry)
    source = ready.python_source(entry)
    reachable = list(ready._reachable(entry).values())

    def generate_and_compile() -> object:
        return compile_trees(trees, funcs, ready.mode, ready.max_depth, None, ready.max_iterations)

    def walk() -> object:
        seen: list[type] = []
        for tree in reachable:
            _walk(tree.root, seen)
        return seen

    return {
        "parse": lambda: _parse(case),
        "parse + escape": lambda: _parse(case)._escaped(entry),
        "generate + compile()": generate_and_compile,
        "compile()": lambda: compile(source, "<bench>", "exec"),
        "execute (compiled, warm)": lambda: ready.execute(entry, data),
        "first render": first_render(case),
        "tree walk": walk,
    }


def breakdown(
    rounds: int, go_first: dict[str, int], echo: Callable[[str], object] = print
) -> dict[str, float]:
    cases = [c for c in [*override_cases(), *kratos_vectors()] if c["id"] in go_first]
    per_stage: dict[str, list[float]] = {}
    for case in cases:
        timed = round_robin(breakdown_stages(case), rounds=rounds, slice_s=0.004)  # type: ignore[arg-type]
        us = {k: v["median_us"] for k, v in timed.items()}
        go_us = go_first[case["id"]] / 1000
        derived = {
            "parse": us["parse"],
            "escape": max(0.0, us["parse + escape"] - us["parse"]),
            "generate the module": max(0.0, us["generate + compile()"] - us["compile()"]),
            "compile() of the module": us["compile()"],
            "first execute (the rest)": max(
                0.0, us["first render"] - us["parse + escape"] - us["generate + compile()"]
            ),
            "first render": us["first render"],
            "a warm execute (compiled)": us["execute (compiled, warm)"],
            "visit every node once": us["tree walk"],
        }
        for k, v in derived.items():
            per_stage.setdefault(k, []).append(v / go_us)
    medians = {k: statistics.median(v) for k, v in per_stage.items()}
    echo(
        table(
            [(k, f"{v:.2f}x") for k, v in medians.items()],
            (f"stage, / Go's whole figure ({len(cases)} cases)", "median"),
        )
    )
    return medians


def renderer_first() -> Callable[[], object]:
    from mailtemplates.render import Renderer

    ctx = dict(SAMPLE_DATA)

    def run() -> object:
        return Renderer([OVERRIDE], check_interval=3600).render("recovery_code/valid", ctx)

    return run


def measure(
    rounds: int = 5, with_stages: bool = False, echo: Callable[[str], object] = print
) -> dict[str, Any]:
    base = json.loads((HERE / "go_baseline.json").read_text(encoding="utf-8"))
    go_first: dict[str, int] = base.get("first_ns", {})
    if not go_first:
        raise SystemExit("go_baseline.json has no first_ns: run record_go_baseline.py --first-only")
    cases = [c for c in [*override_cases(), *kratos_vectors()] if c["id"] in go_first]
    huge = huge_static_case()
    runs = {c["id"]: first_render(c) for c in [*cases, huge]}
    timed = round_robin(runs, rounds=rounds, slice_s=0.01)  # type: ignore[arg-type]
    ratios = {cid: v["median_us"] * 1000 / go_first[cid] for cid, v in timed.items() if cid != huge["id"]}
    med = statistics.median(ratios.values())
    worst = sorted(ratios.items(), key=lambda kv: -kv[1])[:8]
    rows = [
        (cid, f"{timed[cid]['median_us']:.0f}", f"{go_first[cid] / 1000:.0f}", f"{ratios[cid]:.1f}x")
        for cid in [c["id"] for c in override_cases()]
        + [w[0] for w in worst if not w[0].startswith("bench-")]
    ]
    hu = timed[huge["id"]]["median_us"]
    hu_go = go_first.get(huge["id"])
    rows.append(
        (
            huge["id"],
            f"{hu:.0f}",
            f"{hu_go / 1000:.0f}" if hu_go else "",
            f"{hu * 1000 / hu_go:.1f}x" if hu_go else "",
        )
    )
    echo(table(rows, ("case (override parts, worst vectors, huge)", "ours µs", "Go µs", "ours/Go")))
    echo(
        f"first render / Go's parse + first execute over {len(ratios)} cases: median {med:.2f}x "
        f"(min {min(ratios.values()):.2f}x, max {max(ratios.values()):.2f}x); "
        f"huge static HTML ({len(huge['files']['email.body.gotmpl']) // 1000} KB) {hu / 1000:.1f} ms"
    )
    out: dict[str, Any] = {
        "timed": timed,
        "ratios_vs_go": ratios,
        "median_ratio_vs_go": med,
        "huge_ms": hu / 1000,
    }
    if with_stages:
        body = next(c for c in override_cases() if c["id"].endswith("email-body"))
        st = round_robin(
            {**stages(body), **stages(huge), "Renderer first render (override)": renderer_first()},
            rounds=rounds,
            slice_s=0.02,
        )  # type: ignore[arg-type]
        go_three = sum(go_first[c["id"]] for c in override_cases()) / 1000
        srows = []
        prev = 0.0
        for name, v in st.items():
            step = v["median_us"] - prev if "+" in name else v["median_us"]
            prev = v["median_us"]
            srows.append((name, f"{v['median_us']:.0f}", f"{step:.0f}"))
        echo(table(srows, ("stage (cumulative)", "µs", "step µs")))
        r = st["Renderer first render (override)"]["median_us"]
        echo(
            f"Renderer's first render of the override (3 parts): {r / 1000:.2f} ms; Go's 3 parts "
            f"parse + first execute {go_three / 1000:.2f} ms: {r / go_three:.1f}x"
        )
        out["stages"] = st
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--stages", action="store_true")
    ap.add_argument("--breakdown", action="store_true", help="only the per-stage medians over all cases")
    args = ap.parse_args()
    import os

    load0 = os.getloadavg()[0]
    if args.breakdown:
        base = json.loads((HERE / "go_baseline.json").read_text(encoding="utf-8"))
        result = breakdown(args.rounds, base["first_ns"])
        print(f"load average {load0:.2f} at start, {os.getloadavg()[0]:.2f} at end")
        print(f"wrote {write_results('compile_breakdown', result)}")
        return 0
    result = measure(args.rounds, args.stages)
    print(f"load average {load0:.2f} at start, {os.getloadavg()[0]:.2f} at end")
    print(f"wrote {write_results('compile', result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

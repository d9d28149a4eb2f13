"""The Go-template engine: parse and execute times, against Go's own and against Jinja2.

    python benchmarks/bench_engine.py [--rounds N] [--live-go]

Three questions, one run (contenders interleaved round-robin, see _roundrobin.py):

1. Parse and execute time of a realistic Kratos override template (recovery code, i18n
   ``define`` blocks, html/template escaping) and of every ``kratos*`` conformance vector,
   as a ratio to Go's execute time recorded in go_baseline.json (record_go_baseline.py); with
   ``--live-go``, also against Go timed in the same run (the oracle interleaved, same load).
   Executions are timed warm: in the compiled tier (a set interprets an entry's first few
   executions, then compiles it; ``bench_compile.py`` times first renders).
2. The design choice (docs/architecture.md): Go trees compiled to Python functions, against the
   same runtime helpers driven through Jinja2's compiled-template machinery (what translating the
   Go tree into ``jinja2.nodes`` gives), against the bare Jinja2 floor of an equivalent template.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import jinja2
from _roundrobin import round_robin, table, write_results
from cases import HERE, kratos_vectors, override_cases
from conformance_support import go_data

from mailtemplates import gotmpl
from mailtemplates.gotmpl import compiler, runtime
from mailtemplates.gotmpl.funcs import funcmap

JINJA_FLOOR = """\
{%- set lang = (Identity.traits.language or "en")|lower -%}
{%- set name = Identity.traits.name.first or "" -%}
{%- if lang == "de" -%}
Hallo{% if name %} {{ name }}{% endif %},

dein Wiederherstellungscode lautet: {{ RecoveryCode }}
Er läuft in {{ ExpiresInMinutes }} Minuten ab.
{%- else -%}
Hi{% if name %} {{ name }}{% endif %},

your recovery code is: {{ RecoveryCode }}
It expires in {{ ExpiresInMinutes }} minutes.
{%- endif %}
"""

# The same template with Go's semantics as runtime-helper calls inside Jinja2: what a translation
# of the Go tree into jinja2.nodes (Call nodes to helpers) compiles to.
JINJA_HELPERS = """\
{%- set lang = call(F.lower, [any(call(F.default, ["en", any(chain(dot, ("Identity", "traits", "language"), 0, 0))], 0))], 0) -%}
{%- set name = call(F.default, ["", any(chain(dot, ("Identity", "traits", "name", "first"), 0, 0))], 0) -%}
{%- if truth(call(F.eq, [lang, "de"], 0)) -%}
Hallo{% if truth(name) %} {{ p(name) }}{% endif %},

dein Wiederherstellungscode lautet: {{ p(chain(dot, ("RecoveryCode",), 0, 0)) }}
Er läuft in {{ p(chain(dot, ("ExpiresInMinutes",), 0, 0)) }} Minuten ab.
{%- else -%}
Hi{% if truth(name) %} {{ p(name) }}{% endif %},

your recovery code is: {{ p(chain(dot, ("RecoveryCode",), 0, 0)) }}
It expires in {{ p(chain(dot, ("ExpiresInMinutes",), 0, 0)) }} minutes.
{%- endif %}
"""


class _F:
    def __init__(self) -> None:
        for name, f in funcmap("hermetic").items():
            setattr(self, name, f)


def design_contenders() -> dict[str, object]:
    plaintext = next(c for c in override_cases() if c["id"].endswith("plaintext"))
    tset = gotmpl.parse_files(plaintext["files"], funcs="hermetic")
    data = go_data(plaintext)
    entry = plaintext["entry"]
    floor = jinja2.Environment(keep_trailing_newline=True).from_string(JINJA_FLOOR)
    helpers = jinja2.Environment(keep_trailing_newline=True).from_string(JINJA_HELPERS)
    ns = {
        "F": _F(),
        "call": runtime.call,
        "any": compiler._any,
        "chain": runtime.chain,
        "truth": runtime.truth,
        "p": lambda v: v if type(v) is str else runtime.print_value(v),
        "dot": data,
    }
    expected = tset.execute(entry, data)
    tset.python_source(entry)  # warm: compiled now (tiered execution would wait a few runs)
    assert helpers.render(ns) == expected, (helpers.render(ns), expected)
    assert floor.render(**data) == expected
    return {
        "compiled to Python (ours)": lambda: tset.execute(entry, data),
        "helpers via jinja2 nodes": lambda: helpers.render(ns),
        "bare Jinja2 floor": lambda: floor.render(**data),
    }


def measure(rounds: int = 11, echo: Callable[[str], object] = print, live_go: bool = False) -> dict[str, Any]:
    """Run the three measurements; return the figures (what main() writes to results/engine.json).

    ``live_go``: also time Go in this run (the oracle, interleaved with our executions), when
    the oracle is there (``$MT_GO_ORACLE``, by default /tmp/oracle/oracle): on a loaded machine
    the recorded baseline (go_baseline.json, a quiet machine) makes every ratio look worse."""
    go = json.loads((HERE / "go_baseline.json").read_text(encoding="utf-8"))["ns_per_exec"]

    echo("== design: how to run Go templates (same template, same output) ==")
    design = round_robin(design_contenders(), rounds=rounds)  # type: ignore[arg-type]
    base = design["bare Jinja2 floor"]["median_us"]
    echo(table([(k, f"{v['median_us']:.2f}", f"{v['median_us'] / base:.2f}x") for k, v in design.items()], ("contender", "µs", "vs floor")))

    echo("\n== the branded Kratos override (recovery_code/valid): parse once, execute many ==")
    rows = []
    contenders: dict[str, object] = {}
    parse: dict[str, object] = {}
    for case in override_cases():
        html = case["engine"] == "html"
        data = go_data(case)
        tset = gotmpl.parse_files(case["files"], html=html, funcs="hermetic")
        tset.execute(case["entry"], data)
        tset.python_source(case["entry"])  # warm: the compiled tier (see design_contenders)
        contenders[case["id"]] = (lambda t=tset, e=case["entry"], d=data: t.execute(e, d))

        def parse_only(c: dict[str, Any] = case, h: bool = html) -> object:
            t = gotmpl.parse_files(c["files"], html=h, funcs="hermetic")
            t.escape(c["entry"]) if h else t._compiled_for(c["entry"])
            return t

        parse[case["id"] + " (parse+compile)"] = parse_only
    timed = round_robin({**contenders, **parse}, rounds=rounds)  # type: ignore[arg-type]
    for cid, v in timed.items():
        go_ns = go.get(cid)
        ratio = f"{v['median_us'] * 1000 / go_ns:.2f}x" if go_ns and "parse" not in cid else ""
        rows.append((cid, f"{v['median_us']:.2f}", f"{go_ns / 1000:.2f}" if go_ns and ratio != "" else "", ratio))
    echo(table(rows, ("case", "ours µs", "Go µs", "ours/Go")))

    echo("\n== every kratos* conformance vector: execute time vs Go ==")
    vec = {}
    for case in kratos_vectors():
        data = go_data(case)
        tset = gotmpl.parse_files(case["files"], html=case["engine"] == "html", funcs=case.get("funcs", "hermetic"),
                                  delims=tuple(case["delims"]) if case.get("delims") else None,
                                  options=case.get("options") or ())
        try:
            tset.execute(case["entry"], data)
        except Exception:
            continue
        tset.python_source(case["entry"])  # warm: the compiled tier (see design_contenders)
        vec[case["id"]] = (lambda t=tset, e=case["entry"], d=data: t.execute(e, d))
    # As many rounds as the override parts: with a third of them the median of a 1-2 µs template
    # moved by 10-15 % from run to run on a quiet machine.
    vt = round_robin(vec, rounds=max(5, rounds), slice_s=0.005)  # type: ignore[arg-type]
    ratios = {cid: v["median_us"] * 1000 / go[cid] for cid, v in vt.items() if cid in go}
    for case in override_cases():
        ratios[case["id"]] = timed[case["id"]]["median_us"] * 1000 / go[case["id"]]
    med = statistics.median(ratios.values())
    worst = sorted(ratios.items(), key=lambda kv: -kv[1])[:5]
    echo(f"vectors timed: {len(vt)}; median ours/Go over them and the override parts: {med:.2f}x "
         f"(min {min(ratios.values()):.2f}x, max {max(ratios.values()):.2f}x)")
    echo("slowest vs Go: " + ", ".join(f"{cid} {r:.1f}x" for cid, r in worst))
    result = {"design": design, "override": timed, "vectors": vt, "ratios_vs_go": ratios, "median_ratio_vs_go": med}
    oracle = os.environ.get("MT_GO_ORACLE", "/tmp/oracle/oracle")
    if live_go and os.access(oracle, os.X_OK):
        fns = {**vec, **contenders}
        live = live_ratios(fns, [*kratos_vectors(), *override_cases()], oracle, go, max(3, rounds // 3))
        lmed = statistics.median(live.values())
        lworst = sorted(live.items(), key=lambda kv: -kv[1])[:5]
        echo(f"\n== the same, against Go timed in this run (the oracle interleaved, load {os.getloadavg()[0]:.2f}) ==")
        echo(f"median ours/Go: {lmed:.2f}x (min {min(live.values()):.2f}x, max {max(live.values()):.2f}x)")
        echo("slowest vs Go: " + ", ".join(f"{cid} {r:.1f}x" for cid, r in lworst))
        result |= {"ratios_vs_go_live": live, "median_ratio_vs_go_live": lmed}
    return result


def live_ratios(
    fns: dict[str, Callable[[], object]], cases: list[dict[str, Any]], oracle: str, go: dict[str, float], rounds: int
) -> dict[str, float]:
    """Ours / Go per case, Go measured now: each round times every case here (about 10 ms) and
    then has the Go oracle time the same case (20000 executions in its own process, ``-bench``,
    as go_baseline.json was recorded), so both see the same load. Medians over the rounds."""
    by_id = {c["id"]: c for c in cases if c["id"] in fns and c["id"] in go}
    paths: dict[str, str] = {}
    ours: dict[str, list[float]] = {cid: [] for cid in by_id}
    theirs: dict[str, list[float]] = {cid: [] for cid in by_id}
    try:
        for cid, case in by_id.items():
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                json.dump(case, f)
            paths[cid] = f.name
        for _ in range(rounds):
            for cid in by_id:
                fn = fns[cid]
                n = max(1, int(0.02 / (go[cid] * 1e-9 * 2)))
                t0 = time.perf_counter()
                for _ in range(n):
                    fn()
                ours[cid].append((time.perf_counter() - t0) / n * 1e9)
                # 20000 executions, as record_go_baseline.py runs them (the first ones are slower).
                out = subprocess.run([oracle, "-bench", "20000", paths[cid]], capture_output=True, text=True, check=True)
                theirs[cid].append(json.loads(out.stdout)["ns_per_exec"])
    finally:
        for path in paths.values():
            Path(path).unlink()
    return {cid: statistics.median(ours[cid]) / statistics.median(theirs[cid]) for cid in by_id}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--live-go", action="store_true", help="also time the Go oracle in this run (see measure)")
    args = ap.parse_args()
    path = write_results("engine", measure(args.rounds, live_go=args.live_go))
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The e2e figures of two or more source trees, measured in alternating fresh processes.

    git -C . archive main | tar -x -C /tmp/main-tree
    .venv/bin/python benchmarks/compare_trees.py /tmp/main-tree . [--alternations 3] [--rounds 12]
    .venv/bin/python benchmarks/compare_trees.py /tmp/main-tree . --engine [--only ID,ID]

Each child imports ``mailtemplates`` from its tree and times, round-robin like run_all.py's e2e
section (the same 4,096 contexts, the same Jinja2 floor from this checkout): E2E en/de/override,
``render()`` en/de, ``to_message().as_bytes()`` of emails rendered beforehand, and the floor. The
figure of a child is the **best** round's CPU time per call (``time.process_time``): on a shared,
loaded machine the best round is the one least disturbed, and CPU time leaves out the time the
process waited for a core. The trees' children alternate, and each figure is reported as the
median over the alternations, in µs and as a ratio to the floor of the same child.

``--engine``: instead, the engine section's cases (every ``kratos*`` conformance vector and the
override's three parts, or those of ``--only``), each executed round-robin in slices of about
4 ms (``time.perf_counter``, best of ``--rounds`` slices), as ns per execution and as a ratio to
Go's ``ns_per_exec`` in go_baseline.json: the median and the slowest of each tree, and the
median over the cases of each tree's time as a fraction of the first tree's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def child(tree: str, rounds: int) -> None:
    import gc
    import itertools
    import time

    sys.path.insert(0, str(HERE))
    from _workers import FROM_ADDRESS, FROM_NAME, context
    from cases import OVERRIDE, SAMPLE_DATA

    sys.path.insert(0, tree)
    import jinja2

    from mailtemplates import Renderer

    assert sys.modules["mailtemplates"].__file__.startswith(tree), "imported the wrong tree"
    r = Renderer(check_interval=3600)
    branded = Renderer([OVERRIDE], check_interval=3600)
    contexts = [context(i) for i in range(4096)]
    branded_contexts = [{**SAMPLE_DATA, "To": c["To"], "RecoveryCode": f"{i:06d}"} for i, c in enumerate(contexts)]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "jinja_floor")), autoescape=True, keep_trailing_newline=True
    )
    subject = env.get_template("recovery_valid.en.subject.jinja")
    body = env.get_template("recovery_valid.en.body.inlined.html.jinja")

    def cycling(items: list) -> object:
        return itertools.cycle(items).__next__

    def e2e(renderer: Renderer, name: str, items: list, locale: str | None) -> object:
        nxt = cycling(items)

        def run() -> bytes:
            c = nxt()
            email = renderer.render(name, c, locale=locale)
            return email.to_message(to=c["To"], from_address=FROM_ADDRESS, from_name=FROM_NAME).as_bytes()

        return run

    def render_only(locale: str) -> object:
        nxt = cycling(contexts)
        return lambda: r.render("recovery/valid", nxt(), locale=locale)

    rendered = cycling([r.render("recovery/valid", c, locale="en") for c in contexts])
    floor_ctx = cycling(contexts)

    def floor() -> object:
        c = floor_ctx()
        return subject.render(c).strip(), body.render(c)

    benches = {
        "e2e en": e2e(r, "recovery/valid", contexts, "en"),
        "e2e de": e2e(r, "recovery/valid", contexts, "de"),
        "e2e override": e2e(branded, "recovery_code/valid", branded_contexts, None),
        "render() en": render_only("en"),
        "render() de": render_only("de"),
        "to_message().as_bytes() en": lambda: rendered()
        .to_message(to="ada@example.com", from_address=FROM_ADDRESS, from_name=FROM_NAME)
        .as_bytes(),
        "floor": floor,
    }
    for fn in benches.values():  # warm-up: compiles, caches, skeletons
        for _ in range(300):
            fn()
    samples: dict[str, list[float]] = {k: [] for k in benches}
    n = 200
    for _ in range(rounds):
        for name, fn in benches.items():
            gc.collect()
            t0 = time.process_time()
            for _ in range(n):
                fn()
            samples[name].append((time.process_time() - t0) / n * 1e6)
    print(json.dumps({k: min(v) for k, v in samples.items()}))


def engine_child(tree: str, rounds: int, only: str) -> None:

    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(HERE.parent / "tests"))
    sys.path.insert(0, tree)  # first: conformance_support imports mailtemplates
    from cases import kratos_vectors, override_cases
    from conformance_support import go_data

    from mailtemplates import gotmpl

    assert sys.modules["mailtemplates"].__file__.startswith(tree), "imported the wrong tree"
    wanted = set(only.split(",")) if only else None
    fns = {}
    for case in [*kratos_vectors(), *override_cases()]:
        if wanted is not None and case["id"] not in wanted:
            continue
        data = go_data(case)
        tset = gotmpl.parse_files(
            case["files"],
            html=case["engine"] == "html",
            funcs=case.get("funcs", "hermetic"),
            delims=tuple(case["delims"]) if case.get("delims") else None,
            options=case.get("options") or (),
        )
        try:
            tset.execute(case["entry"], data)
        except Exception:
            continue  # a vector that expects an error
        # Warm: the compiled tier, which serves every execution after the first few (the
        # calibration below would otherwise time the compile as one slow call).
        tset.python_source(case["entry"])
        fns[case["id"]] = lambda t=tset, e=case["entry"], d=data: t.execute(e, d)
    # Imported now, after mailtemplates came from the tree: _roundrobin puts this checkout first
    # on sys.path. Slices of about 4 ms, the best one of each case (in ns per execution).
    from _roundrobin import run

    best = {cid: min(samples) * 1000 for cid, samples in run(fns, rounds, 0.004).items()}
    print(json.dumps(best))


def engine_report(trees: list[str], runs: dict[str, list[dict[str, float]]]) -> None:
    go = json.loads((HERE / "go_baseline.json").read_text(encoding="utf-8"))["ns_per_exec"]
    first = trees[0]
    ids = [cid for cid in runs[first][0] if cid in go]
    for tree in trees:
        ns = {cid: statistics.median(r[cid] for r in runs[tree]) for cid in ids}
        ratios = {cid: v / go[cid] for cid, v in ns.items()}
        worst = sorted(ratios, key=lambda c: -ratios[c])[:8]
        med = statistics.median(ratios.values())
        print(f"\n{tree}: {len(ids)} cases, median ours/Go {med:.3f}x, max {ratios[worst[0]]:.2f}x")
        for cid in worst:
            print(f"  {cid:<34} {ns[cid]:8.0f} ns  {ratios[cid]:5.2f}x")
        if tree != first:
            base = {cid: statistics.median(r[cid] for r in runs[first]) for cid in ids}
            frac = statistics.median(ns[cid] / base[cid] for cid in ids)
            print(f"  time of the set as a fraction of {first}'s (median over the cases): {frac:.3f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("trees", nargs="+")
    ap.add_argument("--alternations", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=12)
    ap.add_argument("--engine", action="store_true", help="the engine's cases against Go (see above)")
    ap.add_argument("--only", default="", help="with --engine: these case ids only (comma-separated)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        if args.engine:
            engine_child(args.child, args.rounds, args.only)
        else:
            child(args.child, args.rounds)
        return 0
    trees = [str(Path(t).resolve()) for t in args.trees]
    runs: dict[str, list[dict[str, float]]] = {t: [] for t in trees}
    print(f"load average at the start: {os.getloadavg()[0]:.2f}")
    extra = ["--engine", "--only", args.only] if args.engine else []
    for _ in range(args.alternations):
        for tree in trees:
            out = subprocess.run(
                [sys.executable, __file__, "--child", tree, "--rounds", str(args.rounds), *extra, tree],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            runs[tree].append(json.loads(out))
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    if args.engine:
        engine_report(trees, runs)
        return 0
    names = list(runs[trees[0]][0])
    width = max(map(len, names))
    for tree in trees:
        print(f"\n{tree}")
        for name in names:
            us = statistics.median(r[name] for r in runs[tree])
            ratio = statistics.median(r[name] / r["floor"] for r in runs[tree])
            print(f"  {name:<{width}}  {us:8.1f} µs  {ratio:5.2f}x the floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Print conformance pass/total per category and engine (the figures in docs/conformance.md).

    python tools/conformance_report.py [--failures] [--markdown]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conformance_support import GOLDEN, LOCAL, SHARED, load_cases, matches, run_case


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--failures", action="store_true", help="list every failing vector")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("--category", default=None)
    args = ap.parse_args()
    stats: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    failures = []
    for case in load_cases(SHARED, LOCAL, GOLDEN):
        if args.category and case.category != args.category:
            continue
        origin = "local" if case.path.is_relative_to(LOCAL) else "golden" if case.path.is_relative_to(GOLDEN) else "shared"
        try:
            got = run_case(case.raw)
        except Exception as e:
            got = {"crash": f"{type(e).__name__}: {e}"}
        ok = matches(case.raw["expect"], got)
        key = (f"{case.category}" + (f" ({origin})" if origin != "shared" else ""), case.engine)
        stats[key][1] += 1
        stats[key][0] += ok
        if not ok:
            failures.append((case.id, case.raw["expect"], got))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_origin: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    if args.markdown:
        print("| category | engine | pass | total |\n|---|---|---:|---:|")
    for (cat, engine), (p, t) in sorted(stats.items()):
        origin = cat.split(" (")[1].rstrip(")") if " (" in cat else "shared"
        totals[engine][0] += p
        totals[engine][1] += t
        by_origin[f"{origin} {engine}"][0] += p
        by_origin[f"{origin} {engine}"][1] += t
        print(f"| {cat} | {engine} | {p} | {t} |" if args.markdown else f"{cat:28} {engine:5} {p:4}/{t:<4}")
    for engine, (p, t) in sorted(totals.items()):
        pct = 100.0 * p / t if t else 0.0
        line = f"**all** | {engine} | {p} | {t} ({pct:.1f}%)"
        print(f"| {line} |" if args.markdown else f"TOTAL {engine}: {p}/{t} = {pct:.1f}%")
    for key, (p, t) in sorted(by_origin.items()):
        pct = 100.0 * p / t if t else 0.0
        print(f"| {key} | {p} | {t} ({pct:.1f}%) |" if args.markdown else f"{key:16} {p}/{t} = {pct:.1f}%")
    if args.failures:
        for cid, exp, got in failures:
            print(f"\n{cid}\n  expected: {exp!r}\n  got:      {got!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

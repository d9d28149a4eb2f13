"""Interleaved round-robin timing shared by the benchmark scripts (not part of the package).

Every round runs every benchmark once for about ``slice_s`` seconds, so slow drifts of a shared,
noisy machine hit all benchmarks alike and the ratios within one run stay comparable. Reported:
median and inter-quartile range of the per-round means, in microseconds per call.
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "emails" / "recovery.html"
sys.path.insert(0, str(ROOT))


def options(description: str) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--rounds", type=int, default=15, help="round-robin rounds (default 15)")
    p.add_argument("--slice", type=float, default=0.04, help="seconds per benchmark per round (default 0.04)")
    return p.parse_args()


def _calibrate(fn: Callable[[], object], slice_s: float) -> int:
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= slice_s / 4:
            return max(1, int(n * slice_s / dt))
        n *= 2


def run(benchmarks: dict[str, Callable[[], object]], rounds: int, slice_s: float) -> dict[str, list[float]]:
    for fn in benchmarks.values():
        # Warm-up: imports, caches, first-call costs, and the engine's tiers (a template is
        # walked for its first 16 executions, then compiled): 32 calls, or 1 s of them.
        # One call was enough before tiering; after it, the calibration timed interpreted
        # executions and gave a slice of a few calls (docs/performance.md, first renders).
        t0 = time.perf_counter()
        for _ in range(32):
            fn()
            if time.perf_counter() - t0 > 1.0:
                break
    counts = {name: _calibrate(fn, slice_s) for name, fn in benchmarks.items()}
    samples: dict[str, list[float]] = {name: [] for name in benchmarks}
    for _ in range(rounds):
        for name, fn in benchmarks.items():
            n = counts[name]
            gc.collect()
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            samples[name].append((time.perf_counter() - t0) / n * 1e6)
    return samples


def report(samples: dict[str, list[float]], baseline: str) -> None:
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {len(next(iter(samples.values())))} rounds"
    )
    base = statistics.median(samples[baseline])
    width = max(len(n) for n in samples)
    print(f"{'benchmark':<{width}}  {'median µs':>10}  {'IQR µs':>14}  {'ops/s':>8}  {'vs ' + baseline:>12}")
    for name, xs in samples.items():
        q = statistics.quantiles(xs, n=4)
        med = statistics.median(xs)
        print(
            f"{name:<{width}}  {med:>10,.1f}  {q[0]:>6,.1f}–{q[2]:<7,.1f}  {1e6 / med:>8,.0f}  {med / base:>11.2f}x"
        )


def round_robin(
    benchmarks: dict[str, Callable[[], object]], rounds: int = 15, slice_s: float = 0.02
) -> dict[str, dict[str, float]]:
    """``run`` summarised: median and quartiles of µs per call for each benchmark."""
    out = {}
    for name, xs in run(benchmarks, rounds, slice_s).items():
        q = statistics.quantiles(xs, n=4) if len(xs) > 1 else [xs[0]] * 3
        out[name] = {"median_us": statistics.median(xs), "q1_us": q[0], "q3_us": q[2]}
    return out


RESULTS = Path(__file__).parent / "results"


def write_results(name: str, payload: dict[str, object]) -> Path:
    """Write a run's figures to benchmarks/results/<name>.json (gitignored)."""
    import json

    RESULTS.mkdir(exist_ok=True)
    doc = {
        "benchmark": name,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **payload,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return path


def table(rows: Sequence[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    return "\n".join(lines)

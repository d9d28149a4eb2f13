"""Round-robin timing: every contender runs a slice in turn, so machine noise hits all alike.

Ratios between contenders of one run are the portable figures; absolute times are this machine's.
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


def calibrate(fn: Callable[[], object], target_s: float = 0.02) -> int:
    """How many calls of ``fn`` take about ``target_s``."""
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= target_s / 4 or n > 1_000_000:
            return max(1, int(n * target_s / max(dt, 1e-9)))
        n *= 4


def round_robin(
    contenders: dict[str, Callable[[], object]], rounds: int = 15, slice_s: float = 0.02
) -> dict[str, dict[str, float]]:
    """Median and IQR of µs per call for each contender, interleaved round by round."""
    counts = {name: calibrate(fn, slice_s) for name, fn in contenders.items()}
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            n = counts[name]
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            samples[name].append((time.perf_counter() - t0) / n * 1e6)
    out = {}
    for name, xs in samples.items():
        q = statistics.quantiles(xs, n=4)
        out[name] = {"median_us": statistics.median(xs), "q1_us": q[0], "q3_us": q[2], "calls_per_round": counts[name]}
    return out


def write_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    payload = {
        "benchmark": name,
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **payload,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths))]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(lines)

"""``lint`` on the built-in templates, with and without the email-client compatibility check.

The compatibility check (MT401/MT402, caniemail data) must not slow lint on the built-ins by
more than 20%: ``with-compat`` against ``no-compat`` (``clients="none"``), run back to back in
each round, alternating which goes first; reported is the median of the per-round ratios of CPU
time (``time.process_time``, less disturbed than wall time by other processes on a shared
machine) and of wall time. Every with-compat call starts cold, as a ``mailtemplates lint``
process does: the data file is read again and the check's caches are emptied.
Run: ``.venv/bin/python benchmarks/bench_lint.py --rounds 9``.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from collections.abc import Callable

import _roundrobin  # noqa: F401  (puts the repository on sys.path)

from mailtemplates.lint import compat, lint_paths
from mailtemplates.loader import BUILTIN_ROOT


def cold() -> None:
    for cache in (compat._data, compat._index, compat._verdict, compat._tag_features, compat._sheet_features):
        cache.cache_clear()


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    gc.collect()
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c0, time.perf_counter() - w0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--rounds", type=int, default=9)
    p.add_argument("--clients", default=None, help="--clients for the with-compat runs (default: lint's)")
    args = p.parse_args()
    root = [str(BUILTIN_ROOT)]
    runs = {
        "no-compat": lambda: lint_paths(root, clients="none"),
        "with-compat": lambda: (cold(), lint_paths(root, clients=args.clients)),
    }
    for fn in runs.values():
        fn()  # warm-up: imports, the engine's own caches
    cpu: dict[str, list[float]] = {k: [] for k in runs}
    wall: dict[str, list[float]] = {k: [] for k in runs}
    for r in range(args.rounds):
        for name in list(runs)[:: 1 if r % 2 == 0 else -1]:
            c, w = timed(runs[name])
            cpu[name].append(c)
            wall[name].append(w)
    print(f"load average before/after: {os.getloadavg()[0]:.2f} (1 min), {args.rounds} rounds")
    for what, xs in (("cpu", cpu), ("wall", wall)):
        ratios = [a / b for a, b in zip(xs["with-compat"], xs["no-compat"], strict=True)]
        print(
            f"{what:>4}: no-compat {statistics.median(xs['no-compat']):.3f} s, with-compat "
            f"{statistics.median(xs['with-compat']):.3f} s; ratio median {statistics.median(ratios):.3f} "
            f"(min {min(ratios):.3f}, max {max(ratios):.3f})"
        )


if __name__ == "__main__":
    main()

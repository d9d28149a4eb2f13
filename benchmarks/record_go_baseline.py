"""Record Go's own times for the benchmark cases (needs the Go oracle; CI does not).

    python benchmarks/record_go_baseline.py [ORACLE] [--first-only]

Writes benchmarks/go_baseline.json, per case id:

* ``ns_per_exec``: ns per execution (parse once, execute N times), median of 5 runs of 20000;
* ``first_ns``: ``parse_ns + first_exec_ns`` of the oracle's ``-bench``: parsing every file of
  the set, then the first Execute (for html/template that includes the contextual escaper, which
  Go runs lazily), in a fresh process each time; median of 9 runs. ``parse_ns`` and
  ``first_exec_ns`` are kept apart as well. What ``bench_compile.py`` divides a first render by.

``--first-only`` records only the first-render figures and keeps ``ns_per_exec`` as recorded.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from cases import HERE, huge_static_case, kratos_vectors, override_cases

BASELINE = HERE / "go_baseline.json"


def bench(oracle: str, case: dict[str, Any], n: int, runs: int) -> list[dict[str, Any]]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(case, f)
    try:
        return [
            json.loads(subprocess.run([oracle, "-bench", str(n), f.name], capture_output=True, text=True, check=True).stdout)
            for _ in range(runs)
        ]
    finally:
        Path(f.name).unlink()


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    first_only = "--first-only" in sys.argv
    oracle = args[0] if args else "/tmp/oracle/oracle"
    version = subprocess.run([oracle, "-"], input='{"files":{"m":"x"},"entry":"m"}', capture_output=True, text=True)
    old = json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.exists() else {}
    per_exec: dict[str, float] = dict(old.get("ns_per_exec", {})) if first_only else {}
    parse: dict[str, int] = {}
    first_exec: dict[str, int] = {}
    first: dict[str, int] = {}
    for case in [*override_cases(), *kratos_vectors(), huge_static_case()]:
        cid = case["id"]
        if not first_only and not cid.startswith("bench-huge"):
            runs = bench(oracle, case, 20000, 5)  # median of five runs of 20000 executions
            per_exec[cid] = statistics.median(r["ns_per_exec"] for r in runs)
        # Fresh processes: the first parse and Execute of a set, as a starting program pays them.
        runs = [r for r in bench(oracle, case, 1, 9) if r["result"] == "output"]
        if not runs:
            continue
        parse[cid] = int(statistics.median(r["parse_ns"] for r in runs))
        first_exec[cid] = int(statistics.median(r["first_exec_ns"] for r in runs))
        first[cid] = int(statistics.median(r["parse_ns"] + r["first_exec_ns"] for r in runs))
        print(f"{cid:40} {per_exec.get(cid, 0):10.1f} ns/exec  parse+first exec {first[cid] / 1000:8.1f} µs")
    payload = {
        "what": "Go 1.26 text/template + html/template + sprig 3.2.3, ns per Execute (parse once), median of 5x20000",
        "what_first": (
            "parse_ns + first_exec_ns of `oracle -bench 1` (parse every file, then the first Execute, "
            "html/template's escaper included), fresh process each, median of 9 runs"
        ),
        "oracle_check": version.returncode == 0,
        "ns_per_exec": per_exec,
        "parse_ns": parse,
        "first_exec_ns": first_exec,
        "first_ns": first,
    }
    BASELINE.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Record Go's own execution time for the benchmark cases (needs the Go oracle; CI does not).

    python benchmarks/record_go_baseline.py /tmp/oracle/oracle

Writes benchmarks/go_baseline.json: ns per execution (parse once, execute N times) per case id.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from cases import HERE, kratos_vectors, override_cases


def main() -> int:
    oracle = sys.argv[1] if len(sys.argv) > 1 else "/tmp/oracle/oracle"
    version = subprocess.run([oracle, "-"], input='{"files":{"m":"x"},"entry":"m"}', capture_output=True, text=True)
    results: dict[str, float] = {}
    for case in [*override_cases(), *kratos_vectors()]:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(case, f)
        runs = []
        for _ in range(5):  # median of five runs of 20000 executions
            out = subprocess.run([oracle, "-bench", "20000", f.name], capture_output=True, text=True, check=True)
            runs.append(json.loads(out.stdout)["ns_per_exec"])
        Path(f.name).unlink()
        results[case["id"]] = sorted(runs)[2]
        print(f"{case['id']:40} {results[case['id']]:10.1f} ns")
    payload = {
        "what": "Go 1.26 text/template + html/template + sprig 3.2.3, ns per Execute (parse once), median of 5x20000",
        "oracle_check": version.returncode == 0,
        "ns_per_exec": results,
    }
    (HERE / "go_baseline.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

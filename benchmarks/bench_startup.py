"""Start-up costs a user feels: fresh processes, against one that only imports jinja2 (issue 17).

Cases: ``import mailtemplates``; one email cold (import, render ``recovery/valid``, MIME bytes);
``mailtemplates --version`` and ``--help``; ``mailtemplates lint`` over a copy of the built-in
templates. Every process is started ``--rounds`` times, all cases interleaved round-robin;
reported is the median **CPU time** of the child (user + system, from ``getrusage``) and its
wall time, each also as a ratio to the ``import jinja2`` process of the same run. CPU time is much
less disturbed than wall time when other jobs share the machine; quote the load average with it.

``--tree DIR`` (repeatable) runs the same cases with ``PYTHONPATH=DIR`` as well, e.g. an exported
older commit (``git archive main | tar -x -C /tmp/main``), so before and after share one run.
Run: ``.venv/bin/python benchmarks/bench_startup.py --rounds 9 [--tree /tmp/main]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COLD_EMAIL = """\
import mailtemplates
email = mailtemplates.render("recovery/valid", {"To": "a@example.com", "RecoveryURL": "https://x.example/r?t=1"})
email.to_message(to="a@example.com", from_address="n@acme.example", from_name="Acme").as_bytes()
"""
CLI = "import sys\nfrom mailtemplates.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--tree", action="append", default=[], metavar="DIR", help="another source tree to compare")
    ap.add_argument("--no-lint", action="store_true", help="leave out the (slow) lint case")
    ap.add_argument("--only", action="append", default=[], metavar="CASE",
                    help="run only the cases whose name contains CASE (repeatable; import jinja2 always runs)")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    shutil.copytree(ROOT / "template_root", work / "templates")
    cases = {
        "import jinja2": "import jinja2",
        "bare python": "pass",
        "import mailtemplates": "import mailtemplates",
        "cold email": COLD_EMAIL,
        "--version": CLI.format(argv=["--version"]),
        "--help": CLI.format(argv=["--help"]),
    }
    if not args.no_lint:
        cases["lint (built-ins copy)"] = CLI.format(argv=["lint", str(work / "templates")])
    if args.only:
        cases = {k: v for k, v in cases.items() if k == "import jinja2" or any(o in k for o in args.only)}
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode caches, as an installed package has them
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    trees = {"this tree": str(ROOT), **{t: str(Path(t).resolve()) for t in args.tree}}
    runs = [(c, t) for c in cases for t in (trees if not c.startswith(("import jinja2", "bare")) else ["this tree"])]

    def one(case: str, tree: str) -> tuple[float, float]:
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", cases[case]], env=dict(env, PYTHONPATH=trees[tree]), cwd=work,
                       capture_output=True, check=True)
        wall = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime, wall

    for run in runs:  # fill the bytecode caches, unmeasured
        one(*run)
    load0 = os.getloadavg()
    cpu: dict[tuple[str, str], list[float]] = {r: [] for r in runs}
    wall: dict[tuple[str, str], list[float]] = {r: [] for r in runs}
    for _ in range(args.rounds):
        for run in runs:
            c, w = one(*run)
            cpu[run].append(c)
            wall[run].append(w)
    j_cpu = statistics.median(cpu[("import jinja2", "this tree")])
    j_wall = statistics.median(wall[("import jinja2", "this tree")])
    print(f"{'process':24s} {'tree':18s} {'CPU ms':>7s} {'/jinja2':>7s} {'wall ms':>8s} {'/jinja2':>7s}")
    for run in runs:
        c, w = statistics.median(cpu[run]), statistics.median(wall[run])
        print(f"{run[0]:24s} {run[1][-18:]:18s} {c * 1000:7.0f} {c / j_cpu:7.2f} {w * 1000:8.0f} {w / j_wall:7.2f}")
    print(f"median of {args.rounds} rounds; load average {load0[0]:.1f} at start, {os.getloadavg()[0]:.1f} at end")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Hostile templates run in capped subprocesses: what each one costs in time and memory.

Each probe is a template an attacker could write (issue 13, "Memory and time are not bounded")
run through the Go engine (``go``, ``go-html``), a native Jinja template (``jinja``) or ``lint``
on a folder holding it (``lint-go``, ``lint-jinja``). A probe runs in a child process whose
address space is capped with ``RLIMIT_AS`` and whose wall time is capped by the parent, so a
runaway probe can neither take the machine's memory nor hang the run; the child reports its
outcome (the exception's class and message), its time and its peak resident memory.

Used by ``tests/test_resource_probes.py`` and, to measure before/after figures, as a script::

    python tests/resource_probes.py [--cap-mb 1024] [--timeout 30] [probe-id ...]

(``MAILTEMPLATES_PROBE_CHECKOUT=<another checkout>`` measures that checkout's code instead: the
child then starts without ``site``, so an editable install of this one does not come first).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: A 4 M-character string (just under the default output limit of 4 Mi characters).
S4M = '{{ $s := repeat 4000000 "x" }}'
#: A list holding that string 1000 times (4 G characters once printed), built by reference.
L1000 = S4M + "{{ $l := list }}{{ range 1000 }}{{ $l = append $l $s }}{{ end }}"


def _nested_ranges(depth: int) -> str:
    return "{{range .}}" * depth + "<a href='{{.}}'>{{.}}</a>" + "{{end}}" * depth


@dataclass(frozen=True)
class Probe:
    id: str
    engine: str  # go, go-html, jinja, jinja-html, lint-go, lint-jinja
    source: str
    data: Any = None
    #: In the fast subset of the normal test suite.
    fast: bool = False


PROBES: tuple[Probe, ...] = (
    # 1. Sizes refused before the value is built.
    Probe("replace-quadratic", "go", '{{ $s := repeat 40000 "x" }}{{ $x := replace "x" $s $s }}', fast=True),
    Probe("indent-4e9", "go", '{{ indent 4000000000 "x" }}', fast=True),
    Probe("indent-4M-lines", "go", '{{ $s := repeat 4000000 "\\n" }}{{ $x := indent 1000 $s }}'),
    Probe("nindent-4M-lines", "go", '{{ $s := repeat 4000000 "\\n" }}{{ $x := nindent 1000 $s }}'),
    Probe("join-4M-sep", "go", S4M + "{{ $x := join $s (until 1000) }}", fast=True),
    Probe("replace-empty-4M", "go", S4M + '{{ $x := replace "" $s $s }}'),
    Probe("regexReplaceAll-4M", "go", S4M + '{{ $x := regexReplaceAll "" $s $s }}', fast=True),
    Probe("regexReplaceAllLiteral-4M", "go", S4M + '{{ $x := regexReplaceAllLiteral "" $s $s }}'),
    Probe("wrapWith-4M", "go", '{{ $s := repeat 2000000 "x " }}{{ $x := wrapWith 1 $s $s }}'),
    Probe("cat-shared-4G", "go", L1000 + "{{ $x := cat $l }}"),
    Probe("printf-width", "go", '{{ printf (repeat 4000 "%1000000[1]d") 1 }}', fast=True),
    Probe("toJson-shared-4G", "go", L1000 + "{{ $x := toJson $l }}"),
    Probe("repeat-1e9", "go", '{{ $x := repeat 1000000000 "x" }}'),
    Probe(
        "concat-1G",
        "go",
        "{{ $u := until 1000000 }}{{ $l := list }}{{ range 1000 }}{{ $l = concat $l $u }}{{ end }}",
    ),
    # 2. Values built up across an execution.
    Probe(
        "append-printf-2G",
        "go",
        S4M + '{{ $l := list }}{{ range 500 }}{{ $l = append $l (printf "%s%d" $s .) }}{{ end }}',
        fast=True,
    ),
    # 3. Complexity of sprig's list functions.
    Probe("uniq-8000", "go", "{{ uniq (until 8000) | len }}", fast=True),
    Probe(
        "without-8000",
        "go",
        "{{ $u := until 8000 }}{{ range $u }}{{ $u = without $u . }}{{ end }}{{ len $u }}",
    ),
    Probe("sortAlpha-1M", "go", "{{ sortAlpha (until 1000000) | len }}"),
    Probe("has-1M", "go", "{{ $u := until 1000000 }}{{ range 1000 }}{{ has -1 $u }}{{ end }}"),
    Probe("snakecase-500K", "go", '{{ repeat 250000 "aB" | snakecase | len }}'),
    # 4. CPU time.
    Probe("upper-50M", "go", '{{ range until 50 }}{{ repeat 1000000 "ß" | upper | len }}{{ end }}'),
    Probe(
        "regex-slow-loop",
        "go",
        '{{ $s := repeat 26 "a" }}{{ range 1000 }}{{ regexMatch "^(a+)+$" (print $s "!") }}{{ end }}',
    ),
    # 5. Printing shared values; escaping nested ranges.
    Probe(
        "print-shared-24",
        "go",
        "{{ $l := list 1 }}{{ range 24 }}{{ $l = list $l $l }}{{ end }}{{ $l }}",
        fast=True,
    ),
    Probe("escape-ranges-18", "go-html", _nested_ranges(18), data=[]),
    Probe("escape-ranges-20", "go-html", _nested_ranges(20), data=[], fast=True),
    Probe("lint-ranges-20", "lint-go", _nested_ranges(20)),
    # 6. The regexp deadline.
    Probe("regexFindAll-empty-4M", "go", S4M + '{{ regexFindAll "" $s -1 | len }}', fast=True),
    # 7. Native Jinja templates.
    Probe("jinja-pow-10-5000", "jinja", "{{ 10 ** 5000 }}", fast=True),
    Probe("jinja-pow-9-1e9", "jinja", "{{ 9 ** 999999999 }}", fast=True),
    Probe("lint-jinja-pow-9-1e9", "lint-jinja", "{{ 9 ** 999999999 }}"),
    Probe("jinja-mul-2e9", "jinja", "{{ 'x' * 2000000000 }}", fast=True),
    Probe(
        "jinja-nested-ranges",
        "jinja",
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
        fast=True,
    ),
    Probe("jinja-center", "jinja", "{{ 'x' | center(2000000000) }}"),
    Probe("jinja-join-shared", "jinja", "{% set l = ['x' * 4000000] * 1000 %}{{ l | join }}"),
)

BY_ID = {p.id: p for p in PROBES}


# -- the child ------------------------------------------------------------------------------------


def _run_probe(p: Probe) -> str:
    """Run ``p`` in this process; its output (or lint's diagnostics), for the report."""
    if p.engine in ("go", "go-html"):
        from mailtemplates import gotmpl

        return gotmpl.parse_files({"m": p.source}, html=p.engine == "go-html").execute("m", p.data)
    if p.engine in ("jinja", "jinja-html"):
        from mailtemplates.jinja import compile_jinja

        return compile_jinja(p.source, "t/email.body.jinja", html=p.engine == "jinja-html")({})
    import tempfile

    from mailtemplates.lint import lint_paths

    ext = "gotmpl" if p.engine == "lint-go" else "jinja"
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root, "recovery", "valid")
        folder.mkdir(parents=True)
        (folder / f"email.body.{ext}").write_text(p.source, encoding="utf-8")
        diags = lint_paths([root])
    return "\n".join(f"{d.severity} {d.code}: {d.message}" for d in diags)


def child_main(probe_id: str, cap_mb: int) -> None:
    import resource

    p = BY_ID[probe_id]
    # Imports first: the cap measures the probe, not the interpreter starting up.
    import mailtemplates.gotmpl
    import mailtemplates.jinja
    import mailtemplates.lint  # noqa: F401

    if cap_mb:
        cap = cap_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    t0 = time.perf_counter()
    result: dict[str, Any]
    try:
        out = _run_probe(p)
        result = {"outcome": "ok", "type": "", "message": out[:300]}
    except BaseException as e:  # reported, judged by the parent
        result = {
            "outcome": "error",
            "type": f"{type(e).__module__}.{type(e).__qualname__}",
            "message": str(e).split("\n")[0][:300],
        }
    result["seconds"] = time.perf_counter() - t0
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stdout.write("\n" + json.dumps(result) + "\n")


# -- the parent -----------------------------------------------------------------------------------


def _vm_hwm_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run(probe_id: str, *, cap_mb: int = 1024, timeout: float = 30.0) -> dict[str, Any]:
    """Run one probe in a child capped at ``cap_mb`` MiB of address space and ``timeout``
    seconds: ``outcome`` is ok, error (with ``type`` and ``message``), timeout or crash."""
    env = dict(os.environ)
    # The child imports the same mailtemplates as this process (or the checkout asked for).
    checkout = env.get("MAILTEMPLATES_PROBE_CHECKOUT")
    env["PYTHONPATH"] = os.pathsep.join([*([checkout] if checkout else []), *(p for p in sys.path if p)])
    proc = subprocess.Popen(
        [sys.executable, *(["-S"] if checkout else []), __file__, "--child", probe_id, str(cap_mb)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    t0 = time.perf_counter()
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, _vm_hwm_mb(proc.pid))
        if time.perf_counter() - t0 > timeout:
            proc.kill()
            proc.communicate()
            return {"outcome": "timeout", "type": "", "message": "", "seconds": timeout, "peak_mb": peak}
        time.sleep(0.05)
    out, err = proc.communicate()
    lines = out.strip().splitlines()
    try:
        return dict(json.loads(lines[-1]))
    except (IndexError, ValueError):
        tail = err.strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
        return {
            "outcome": "crash",
            "type": "",
            "message": tail[0][:300],
            "seconds": time.perf_counter() - t0,
            "peak_mb": peak,
        }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        child_main(argv[1], int(argv[2]))
        return
    cap_mb, timeout = 1024, 30.0
    ids: list[str] = []
    it = iter(argv)
    for a in it:
        if a == "--cap-mb":
            cap_mb = int(next(it))
        elif a == "--timeout":
            timeout = float(next(it))
        else:
            ids.append(a)
    print(f"load average {os.getloadavg()[0]:.1f}; cap {cap_mb} MiB, {timeout:g} s")
    for pid in ids or list(BY_ID):
        r = run(pid, cap_mb=cap_mb, timeout=timeout)
        what = r["type"].rsplit(".", 1)[-1] if r["outcome"] == "error" else r["outcome"]
        print(
            f"{pid:28} {r['seconds']:7.2f} s {r['peak_mb']:7.0f} MB  {what}: {r['message'][:110]}",
            flush=True,
        )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main(sys.argv[1:])

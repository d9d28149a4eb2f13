"""Courier throughput to a local SMTP sink, as ratios within one run (docs/performance.md).

    .venv/bin/python benchmarks/bench_courier.py [--messages 300] [--rounds 3]
    .venv/bin/python benchmarks/bench_courier.py --compare /tmp/main-export   # before/after

Contenders, interleaved round by round (each round a fresh batch of N login-code emails):

bare         render + to_message + send over one reused SMTP connection; no queue (the baseline)
sqlite-1     Courier on SQLite: queue_email N times, then one worker delivers them (end to end)
pg-1         the same on PostgreSQL (a durable server started for the run: fsync on)
sqlite-batch, pg-batch   the same, queueing inside ``courier.batch()`` blocks of BATCH messages
             (one commit per block)
pg-dispatch-1 / pg-dispatch-2   dispatch only: max(N, 2,000) messages already queued, delivered by
             one or by two worker processes (forked before the round, started together); the time
             is scaled to N messages
sqlite-pipe, pg-pipe   the deployment's shape: the application queues (``queue_email``, one commit
             each) while a ``courier watch``-like worker process delivers at the same time; the
             clock runs from the first enqueue to the last delivery recorded. Two processes, so up
             to two cores, against the bare loop's one: say so when quoting it.

``--no-disk`` takes the disk out: SQLite files on /dev/shm (tmpfs, where fsync returns at once) and
PostgreSQL with fsync off. Not a deployment: it shows what the queue costs besides waiting for the
disk, which on a shared virtual disk varies tenfold from minute to minute (the fsync floor each
round prints).

``--compare TREE`` runs each round twice, in subprocesses, alternating: every contender against
the mailtemplates of TREE (e.g. ``git archive main | tar -x -C /tmp/main-export``), then against
this checkout, and prints both columns; ``--tree TREE`` alone measures TREE.

Each contender also reports its CPU time per message: this process's, plus the worker processes'
(only theirs for pg-dispatch-*), not PostgreSQL's or the sink's. Waiting (for the disk, for the
sink, for a core the other jobs hold) is not CPU time, so this ratio moves less than the
wall-clock one on a loaded machine; not free of the disk, though: on the reference VM a process
that sleeps on a 4 ms flush at every enqueue then runs its Python slower (1.3 ms of CPU per
one-by-one enqueue on the disk against 0.56 ms on tmpfs, the same code).

The "all CPU" column adds every process's CPU: this one, the worker processes and the sink's
per-connection processes (reaped children), and PostgreSQL's (the postmaster, its live
processes and its reaped backends, from /proc); divided by the wall clock it gives the cores the
contender kept busy. For the dispatch-only contenders it is split per process, next to the whole
machine's busy cores meanwhile (/proc/stat: every job's, and what the hypervisor stole): two
workers cannot beat 2 x the one-worker wall time over the two-worker CPU per message, nor use
the cores other jobs hold. ``--only pg-dispatch-1,pg-dispatch-2`` runs just those (and bare).

The sink is a minimal SMTP responder that forks per connection, so it is not the bottleneck and
can use both cores; the PostgreSQL server comes from tests/pg_server.py (Debian's packages).
Targets (issue 12): the queue at most 1.5x bare, read off sqlite-1 / pg-1 (one process, queue
then deliver: the strict reading), with sqlite-pipe / pg-pipe (the deployment's shape) and the
batch contenders reported alongside; pg-dispatch-2 at least 1.7x the throughput of
pg-dispatch-1. Record the load average with the figures: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# --tree TREE: measure the mailtemplates of another checkout (read before the imports below).
TREE = Path(sys.argv[sys.argv.index("--tree") + 1]).resolve() if "--tree" in sys.argv[:-1] else ROOT
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(TREE))

from courier_sink import forking_sink  # noqa: E402

from mailtemplates import render  # noqa: E402
from mailtemplates.courier import Courier  # noqa: E402
from mailtemplates.smtp import SMTPConnection, parse_connection_uri  # noqa: E402

FROM = "accounts@example.org"


@contextmanager
def start_sink() -> Iterator[str]:
    with forking_sink() as (_, port):
        yield f"smtp://127.0.0.1:{port}/?disable_starttls=true"


def ctx(i: int) -> dict[str, Any]:
    return {"LoginCode": f"{i:06d}", "To": f"u{i}@example.org"}


def bare(uri: str, n: int) -> float:
    session = SMTPConnection(parse_connection_uri(uri))
    t0 = time.perf_counter()
    for i in range(n):
        email = render("login_code/valid", ctx(i))
        session.send(email.to_message(from_address=FROM, to=f"u{i}@example.org"))
    dt = time.perf_counter() - t0
    session.close()
    return dt


BATCH = 100


def end_to_end(store: str, uri: str, n: int, batch: int = 0) -> tuple[float, float]:
    """(seconds to queue n, seconds to deliver them), one process, one worker; ``batch``: queue
    in ``courier.batch()`` blocks of that many messages."""
    with Courier(store, smtp_uri=uri, from_address=FROM) as c:
        t0 = time.perf_counter()
        if batch:
            for start in range(0, n, batch):
                with c.batch():
                    for i in range(start, min(n, start + batch)):
                        c.queue_email("login_code/valid", ctx(i), to=f"u{i}@example.org")
        else:
            for i in range(n):
                c.queue_email("login_code/valid", ctx(i), to=f"u{i}@example.org")
        t1 = time.perf_counter()
        sent = c.work(until_idle=True)
        t2 = time.perf_counter()
        assert sent == n, (sent, n)
    return t1 - t0, t2 - t1


def _cpu() -> float:
    """CPU seconds of this process so far (user + system; waiting for the disk is not counted)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


#: CPU seconds the worker processes of the contender being measured reported.
CHILD_CPU: list[float] = []


def _children_cpu() -> float:
    """CPU seconds of this process's reaped children: worker processes once joined, and the
    sink's per-connection processes once the sink has collected them (ForkingMixIn does so
    every 0.5 s: wait SETTLE first)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


#: Seconds to wait before reading the children's and PostgreSQL's CPU: the sink reaps its
#: finished connections every 0.5 s, the postmaster its exited backends at once.
SETTLE = 0.7


def pg_cpu(datadir: str | None) -> float:
    """CPU seconds PostgreSQL has used so far: the postmaster, its live processes (backends,
    WAL writer, checkpointer...) and those that exited (reaped: the postmaster's cutime)."""
    if datadir is None:
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    with open(os.path.join(datadir, "postmaster.pid")) as f:
        master = int(f.readline())
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # exited meanwhile: counted in the postmaster's cutime
            continue
        pid, ppid = int(entry), int(fields[1])
        if pid == master:
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        elif ppid == master:
            total += int(fields[11]) + int(fields[12])
    return total / tick


#: Messages the dispatch-only contenders deliver at least: each worker must run long enough
#: (hundreds of ms) that starting together and the last short batches do not set the ratio.
DISPATCH_MIN = 2000


#: (busy, stolen) cores of the whole machine while the last dispatch-only contender ran.
MACHINE: list[tuple[float, float]] = []
#: (this process, its children, PostgreSQL) CPU seconds of the last dispatch-only round.
DISPATCH_CPU: list[tuple[float, float, float]] = []


def _worker(store: str, uri: str, go: Any, out: Any) -> None:
    with Courier(store, smtp_uri=uri, from_address=FROM) as c:
        go.wait()
        c0 = _cpu()
        sent = c.work(until_idle=True)
        c1 = _cpu()
    out.put((sent, c1 - c0))


def dispatch(store: str, uri: str, n: int, workers: int, pgdir: str) -> float:
    """Seconds for ``workers`` processes to deliver max(n, DISPATCH_MIN) queued messages,
    scaled to n messages (so that the table's per-message column reads the same)."""
    total = max(n, DISPATCH_MIN)
    with Courier(store, smtp_uri=uri, from_address=FROM) as c:
        for start in range(0, total, BATCH):  # not timed: queued in blocks, quickly
            with c.batch():
                for i in range(start, min(total, start + BATCH)):
                    c.queue_email("login_code/valid", ctx(i), to=f"u{i}@example.org")
    fork = mp.get_context("fork")
    go, out = fork.Event(), fork.Queue()
    procs = [fork.Process(target=_worker, args=(store, uri, go, out)) for _ in range(workers)]
    for p in procs:
        p.start()
    time.sleep(0.5)  # let each child connect before the clock starts
    c0, k0, p0 = _cpu(), _children_cpu(), pg_cpu(pgdir)
    m0 = machine_cpu()
    t0 = time.perf_counter()
    go.set()
    done = [out.get(timeout=600) for _ in procs]
    dt = time.perf_counter() - t0
    m1 = machine_cpu()
    MACHINE.append(((m1[0] - m0[0]) / dt, (m1[1] - m0[1]) / dt))
    for p in procs:
        p.join()
    time.sleep(SETTLE)
    # The workers' whole lives (connecting included, a few ms) and the sink's connections.
    scale = n / total
    DISPATCH_CPU.append(((_cpu() - c0) * scale, (_children_cpu() - k0) * scale, (pg_cpu(pgdir) - p0) * scale))
    assert sum(k for k, _ in done) == total, (done, total)
    CHILD_CPU.extend(cpu * n / total for _, cpu in done)
    return dt * n / total


#: The pipelined worker's pull_wait: when it has caught up with the producer it polls this often
#: (``courier watch`` waits 1 s by default, which adds latency when idle, not throughput cost).
PIPE_WAIT = 0.005


def _pipe_worker(store: str, uri: str, n: int, ready: Any, out: Any) -> None:
    sent = 0

    def count(record: dict[str, Any]) -> None:
        nonlocal sent
        sent += record["outcome"] == "sent"
        if sent >= n:
            c.stop()  # the worker records the batch's outcomes, then work() returns

    c = Courier(store, smtp_uri=uri, from_address=FROM, pull_wait=PIPE_WAIT, log=count)
    ready.set()
    c0 = _cpu()
    out.put((c.work(until_idle=False), _cpu() - c0))
    c.close()


def pipelined(store: str, uri: str, n: int) -> float:
    """Seconds from the first enqueue to the last delivery recorded, a worker process delivering
    while this process queues."""
    Courier(store, from_address=FROM).close()  # migrate before the worker starts
    fork = mp.get_context("fork")
    ready, out = fork.Event(), fork.Queue()
    worker = fork.Process(target=_pipe_worker, args=(store, uri, n, ready, out))
    worker.start()
    ready.wait(60)
    with Courier(store, from_address=FROM) as app:
        time.sleep(0.2)  # the worker is polling the empty queue
        t0 = time.perf_counter()
        for i in range(n):
            app.queue_email("login_code/valid", ctx(i), to=f"u{i}@example.org")
        done, cpu = out.get(timeout=600)
        dt = time.perf_counter() - t0
    worker.join()
    assert done == n, (done, n)
    CHILD_CPU.append(cpu)
    return dt


def fsync_floor(folder: str, k: int = 50) -> float:
    """Median seconds of a 4 KB write + fdatasync in ``folder``: what one durable SQLite commit
    waits for at least (an enqueue outside ``courier.batch()`` makes one)."""
    fd = os.open(os.path.join(folder, "fsync-probe"), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        times = []
        for _ in range(k):
            t0 = time.perf_counter()
            os.write(fd, b"x" * 4096)
            os.fdatasync(fd)
            times.append(time.perf_counter() - t0)
    finally:
        os.close(fd)
    return statistics.median(times)


def machine_cpu() -> tuple[float, float]:
    """(busy, stolen) CPU seconds of the whole machine so far, every process of every job
    (/proc/stat: user, nice, system, irq, softirq; steal is what the hypervisor took)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq) / tick, steal / tick


#: The contenders to run (--only); empty: all.
ONLY: set[str] = set()


def measure(n: int, rounds: int, disk: bool = True) -> dict[str, list[Any]]:
    """Every contender, ``rounds`` times, interleaved: name -> one result per round."""
    from pg_server import find_bindir, pg_server

    results: dict[str, list[Any]] = {}
    render("login_code/valid", ctx(0))  # warm the template cache
    tmp = tempfile.mkdtemp(prefix="mt-bench-courier-", dir=None if disk else "/dev/shm")
    try:
        with start_sink() as uri, pg_server(durable=disk) if find_bindir() else _none() as pg:
            for r in range(rounds):
                runs: list[tuple[str, Any]] = [
                    ("bare", lambda: bare(uri, n)),
                    ("sqlite-1", lambda r=r: end_to_end(f"sqlite:///{tmp}/r{r}.db", uri, n)),
                    ("sqlite-batch", lambda r=r: end_to_end(f"sqlite:///{tmp}/b{r}.db", uri, n, BATCH)),
                    ("sqlite-pipe", lambda r=r: pipelined(f"sqlite:///{tmp}/p{r}.db", uri, n)),
                ]
                if pg is not None:
                    # Databases made before the round: CREATE DATABASE (a copy and a checkpoint)
                    # is not the contender's, and would count in PostgreSQL's CPU.
                    db = {k: pg.create_database(f"{k}{r}") for k in ("e", "eb", "p", "d1_", "d2_")}
                    runs += [
                        ("pg-1", lambda db=db: end_to_end(db["e"], uri, n)),
                        ("pg-batch", lambda db=db: end_to_end(db["eb"], uri, n, BATCH)),
                        ("pg-pipe", lambda db=db: pipelined(db["p"], uri, n)),
                        ("pg-dispatch-1", lambda db=db: dispatch(db["d1_"], uri, n, 1, pg.datadir)),
                        ("pg-dispatch-2", lambda db=db: dispatch(db["d2_"], uri, n, 2, pg.datadir)),
                    ]
                results.setdefault("_fsync", []).append(fsync_floor(tmp))
                datadir = None if pg is None else pg.datadir
                runs = [(k, fn) for k, fn in runs if not ONLY or k in ONLY or k == "bare"]
                for name, fn in runs:
                    CHILD_CPU.clear()
                    time.sleep(SETTLE)
                    c0, k0, p0 = _cpu(), _children_cpu(), pg_cpu(datadir)
                    results.setdefault(name, []).append(fn())
                    c1 = _cpu()
                    # dispatch-only contenders: the workers' CPU (queueing them is not timed)
                    own = 0.0 if name.startswith("pg-dispatch") else c1 - c0
                    results.setdefault(f"_cpu {name}", []).append(own + sum(CHILD_CPU))
                    if not name.startswith("pg-dispatch"):
                        # Every process's CPU: this one, the workers and sink connections it
                        # forked (reaped), PostgreSQL's. Seconds, for the whole contender.
                        time.sleep(SETTLE)
                        results.setdefault(f"_all {name}", []).append(
                            (c1 - c0, _children_cpu() - k0, pg_cpu(datadir) - p0)
                        )
                    else:
                        results.setdefault(f"_all {name}", []).append(DISPATCH_CPU.pop())
                        results.setdefault(f"_machine {name}", []).append(MACHINE.pop())
                print(f"round {r + 1}/{rounds} done ({TREE})", file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def compare(
    tree: str, n: int, rounds: int, disk: bool = True
) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """Each round in two subprocesses, TREE's mailtemplates then this checkout's."""
    before: dict[str, list[Any]] = {}
    after: dict[str, list[Any]] = {}
    for _ in range(rounds):
        for target, into in ((tree, before), (str(ROOT), after)):
            cmd = [
                sys.executable,
                __file__,
                "--tree",
                target,
                "--messages",
                str(n),
                "--rounds",
                "1",
                "--json",
            ]
            cmd += [] if disk else ["--no-disk"]
            cmd += ["--only", ",".join(ONLY)] if ONLY else []
            out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
            for k, v in json.loads(out).items():
                into.setdefault(k, []).extend(tuple(x) if isinstance(x, list) else x for x in v)
    return before, after


def medians(results: dict[str, list[Any]], n: int) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """ms per message: the median total, and (queueing, delivering) where split."""
    med: dict[str, float] = {}
    split: dict[str, tuple[float, float]] = {}
    for k, v in results.items():
        if k.startswith("_"):
            continue
        if isinstance(v[0], tuple):
            split[k] = (
                statistics.median(x[0] for x in v) / n * 1000,
                statistics.median(x[1] for x in v) / n * 1000,
            )
            med[k] = statistics.median(x[0] + x[1] for x in v) / n * 1000
        else:
            med[k] = statistics.median(v) / n * 1000
    return med, split


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tree", help="measure the mailtemplates of this checkout instead of this one")
    ap.add_argument("--compare", metavar="TREE", help="before (TREE) / after (this checkout), alternating")
    ap.add_argument("--json", action="store_true", help="print the raw results as JSON (for --compare)")
    ap.add_argument("--no-disk", action="store_true", help="SQLite on tmpfs, PostgreSQL with fsync off")
    ap.add_argument("--only", help="comma-separated contenders to run (bare always runs)")
    args = ap.parse_args()
    n = args.messages
    ONLY.update(x.strip() for x in (args.only or "").split(",") if x.strip())
    load0 = os.getloadavg()
    if args.json:
        print(json.dumps(measure(n, args.rounds, not args.no_disk)))
        return
    if args.compare:
        before, after = compare(args.compare, n, args.rounds, not args.no_disk)
    else:
        before, after = {}, measure(n, args.rounds, not args.no_disk)
    load1 = os.getloadavg()
    print(
        f"\n{n} messages per run, median of {args.rounds} rounds; load average {load0[0]:.1f} -> {load1[0]:.1f} "
        f"({os.cpu_count()} cores){'; no disk (tmpfs, fsync off)' if args.no_disk else ''}\n"
    )
    columns = [("before", before), ("after", after)] if before else [("", after)]
    print(
        "| contender | "
        + " | ".join(
            f"{c} ms/msg (queue + deliver) | {c} vs bare | {c} CPU ms/msg | {c} all CPU ms/msg (cores busy)".strip()
            for c, _ in columns
        )
        + " |"
    )
    print("|---|" + "---:|---:|---:|---:|" * len(columns))
    tables = [medians(r, n) for _, r in columns]
    for k in (k for k in after if not k.startswith("_")):
        cells = []
        for (_, r), (med, split) in zip(columns, tables, strict=True):
            if k not in med:
                cells += ["", "", "", ""]
                continue
            q = f" ({split[k][0]:.2f} + {split[k][1]:.2f})" if k in split else ""
            cpu = statistics.median(r[f"_cpu {k}"]) if f"_cpu {k}" in r else None
            bare_cpu = statistics.median(r["_cpu bare"]) if "_cpu bare" in r else None
            cpu_cell = f"{cpu / n * 1000:.2f} ({cpu / bare_cpu:.2f}x)" if cpu and bare_cpu else ""
            alls = r.get(f"_all {k}")
            all_cell = ""
            if alls:
                every = statistics.median(sum(x) for x in alls) / n * 1000
                all_cell = f"{every:.2f} ({every / med[k]:.2f})"
            cells += [f"{med[k]:.2f}{q}", f"{med[k] / med['bare']:.2f}x", cpu_cell, all_cell]
        print(f"| {k} | " + " | ".join(cells) + " |")
    for c, r in columns:
        if "_fsync" in r:
            print(
                f"\n{c + ': ' if c else ''}one 4 KB write + fdatasync in the temp folder (the floor of a "
                f"durable commit): median {statistics.median(r['_fsync']) * 1000:.2f} ms "
                f"(per round: {', '.join(f'{x * 1000:.2f}' for x in r['_fsync'])})"
            )
    for (c, r), (med, _) in zip(columns, tables, strict=True):
        if "pg-dispatch-2" in med:
            print(
                f"\n{c + ': ' if c else ''}two PostgreSQL workers vs one (dispatch only, "
                f"{max(n, DISPATCH_MIN)} messages): {med['pg-dispatch-1'] / med['pg-dispatch-2']:.2f}x the throughput"
            )
            for k in ("pg-dispatch-1", "pg-dispatch-2"):
                parts = [statistics.median(x[i] for x in r[f"_all {k}"]) / n * 1000 for i in range(3)]
                workers = statistics.median(r[f"_cpu {k}"]) / n * 1000
                every = sum(parts)
                busy, steal = (statistics.median(x[i] for x in r[f"_machine {k}"]) for i in range(2))
                print(
                    f"  {k}: CPU ms/msg: workers {workers:.3f}, sink {parts[1] - workers:.3f}, "
                    f"PostgreSQL {parts[2]:.3f}, this process {parts[0]:.3f}; all {every:.3f} over "
                    f"{med[k]:.3f} ms of wall clock = {every / med[k]:.2f} cores busy; "
                    f"{os.cpu_count()} idle cores would cap it at {every / (os.cpu_count() or 1):.3f} ms/msg; "
                    f"the whole machine meanwhile: {busy:.2f} cores busy (other jobs: {busy - every / med[k]:.2f}), "
                    f"{steal:.2f} stolen"
                )


class _none:
    def __enter__(self) -> None:
        print("PostgreSQL is not installed: PostgreSQL contenders skipped", file=sys.stderr)

    def __exit__(self, *exc: object) -> None:
        pass


if __name__ == "__main__":
    main()

"""Code that run_all.py runs in fresh processes (cold start, batch, scaling). Not part of the package.

    python benchmarks/_workers.py cold-mailtemplates | cold-jinja2 | cold-jinja2-render
    python benchmarks/_workers.py batch N
    python benchmarks/_workers.py threads THREADS N
    python benchmarks/_workers.py pool WORKERS N

Each prints one JSON object on stdout.
"""

from __future__ import annotations

import time

T_START = time.perf_counter()  # before any other import: the cold figures start here

import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

FROM_ADDRESS = "no-reply@acme.example"
FROM_NAME = "Acme"


def context(i: int) -> dict[str, Any]:
    """A recovery/valid context that differs per email, as a courier's queue does."""
    return {
        "To": f"user{i}@example.com",
        "RecoveryURL": f"https://auth.acme.example/self-service/recovery?flow=9b7c&token=t{i:08d}",
        "ExpiresInMinutes": 15,
        "Identity": {"id": f"7f1b2c3d-4e5f-4a6b-8c7d-{i:012d}", "traits": {"email": f"user{i}@example.com"}},
    }


def email_bytes(renderer: Any, i: int) -> bytes:
    """One email end to end: render, MIME message, wire bytes."""
    ctx = context(i)
    msg = renderer.render("recovery/valid", ctx, locale="de" if i % 2 else "en").to_message(to=ctx["To"], from_address=FROM_ADDRESS, from_name=FROM_NAME)
    data: bytes = msg.as_bytes()
    return data


# -- cold start ------------------------------------------------------------------------------------


def cold_mailtemplates() -> dict[str, float]:
    import mailtemplates

    t_import = time.perf_counter()
    email = mailtemplates.render("recovery/valid", context(0))
    t_render = time.perf_counter()
    data = email.to_message(to="user0@example.com", from_address=FROM_ADDRESS, from_name=FROM_NAME).as_bytes()
    t_mime = time.perf_counter()
    assert data
    return {
        "import_s": t_import - T_START,
        "first_render_s": t_render - t_import,
        "first_message_s": t_mime - t_render,
        "total_s": t_mime - T_START,
    }


def cold_jinja2(render: bool) -> dict[str, float]:
    import jinja2

    t_import = time.perf_counter()
    out = {"import_s": t_import - T_START}
    if render:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(HERE / "jinja_floor")), autoescape=True, keep_trailing_newline=True
        )
        ctx = context(0)
        env.get_template("recovery_valid.en.subject.jinja").render(ctx)
        env.get_template("recovery_valid.en.body.inlined.html.jinja").render(ctx)
        out["first_render_s"] = time.perf_counter() - t_import
    out["total_s"] = time.perf_counter() - T_START
    return out


# -- batch: throughput and memory --------------------------------------------------------------------


def _status_kb(field: str) -> int:
    """A VmRSS/VmHWM line of /proc/self/status, in KiB (0 where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def batch(n: int) -> dict[str, Any]:
    import gc
    import resource

    from mailtemplates import Renderer

    r = Renderer(check_interval=3600)
    for i in range(2000):  # warm: compiled templates, caches, allocator pools
        email_bytes(r, i)
    gc.collect()
    rss_start = _status_kb("VmRSS")
    maxrss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Reset the high-water mark so VmHWM is this loop's peak (Linux >= 4.0; else sampling below).
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        hwm_reset = True
    except OSError:
        hwm_reset = False
    sampled_max = rss_start
    t0 = time.perf_counter()
    for i in range(n):
        email_bytes(r, 10_000 + i)
        if i % 5000 == 4999:
            sampled_max = max(sampled_max, _status_kb("VmRSS"))
    elapsed = time.perf_counter() - t0
    rss_end = _status_kb("VmRSS")
    hwm = _status_kb("VmHWM") if hwm_reset else 0
    peak = max(sampled_max, rss_end, hwm)
    return {
        "emails": n,
        "seconds": elapsed,
        "emails_per_s": n / elapsed,
        "rss_start_kib": rss_start,
        "rss_end_kib": rss_end,
        "rss_peak_kib": peak,
        "rss_peak_growth_kib": peak - rss_start,
        "rss_end_growth_kib": rss_end - rss_start,
        "hwm_reset": hwm_reset,
        "ru_maxrss_start_kib": maxrss_start,
        "ru_maxrss_end_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


REPEATS = 3  # single and parallel runs alternate; medians reported (the box is shared and noisy)


def threads(workers: int, n: int) -> dict[str, Any]:
    """The same Renderer from ``workers`` threads, n emails in all; against one thread doing n."""
    import statistics
    import threading

    from mailtemplates import Renderer

    r = Renderer(check_interval=3600)
    for i in range(500):
        email_bytes(r, i)

    def work(start: int) -> None:
        for i in range(start, n, workers):
            email_bytes(r, i)

    ones, manys = [], []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        for i in range(n):
            email_bytes(r, i)
        ones.append(time.perf_counter() - t0)
        ts = [threading.Thread(target=work, args=(k,)) for k in range(workers)]
        t0 = time.perf_counter()
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        manys.append(time.perf_counter() - t0)
    one, many = statistics.median(ones), statistics.median(manys)
    return {"emails": n, "one_thread_per_s": n / one, "threads": workers, "threads_per_s": n / many, "speedup": one / many}


_POOL_RENDERER: Any = None


def _pool_init() -> None:
    global _POOL_RENDERER
    from mailtemplates import Renderer

    _POOL_RENDERER = Renderer(check_interval=3600)
    for i in range(500):
        email_bytes(_POOL_RENDERER, i)


def _pool_chunk(bounds: tuple[int, int]) -> int:
    for i in range(*bounds):
        email_bytes(_POOL_RENDERER, i)
    return bounds[1] - bounds[0]


def pool(workers: int, n: int) -> dict[str, Any]:
    """n emails over a process pool (each worker warm, its own Renderer); against this process alone."""
    import statistics
    from concurrent.futures import ProcessPoolExecutor

    _pool_init()
    chunk = 500
    ones, manys = [], []
    with ProcessPoolExecutor(workers, initializer=_pool_init) as ex:
        list(ex.map(_pool_chunk, [(0, 1)] * workers * 2))  # workers started and warm
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            _pool_chunk((0, n))
            ones.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            done = sum(ex.map(_pool_chunk, [(i, min(i + chunk, n)) for i in range(0, n, chunk)]))
            manys.append(time.perf_counter() - t0)
    one, many = statistics.median(ones), statistics.median(manys)
    return {"emails": done, "one_process_per_s": n / one, "workers": workers, "pool_per_s": done / many, "speedup": one / many}


def main(argv: list[str]) -> int:
    mode, *rest = argv
    nums = [int(x) for x in rest]
    result: dict[str, Any]
    if mode == "cold-mailtemplates":
        result = cold_mailtemplates()
    elif mode == "cold-jinja2":
        result = cold_jinja2(render=False)
    elif mode == "cold-jinja2-render":
        result = cold_jinja2(render=True)
    elif mode == "batch":
        result = batch(*nums)
    elif mode == "threads":
        result = threads(*nums)
    elif mode == "pool":
        result = pool(*nums)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

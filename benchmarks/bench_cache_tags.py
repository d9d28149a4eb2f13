"""Cache growth under many distinct locale tags (issue 13): entries, memory, ms per render.

2,000 valid tags with a variant (``de-AT-x00001``, ...) that all resolve to the built-in German
files, rendered once each through one Renderer. Run: ``python benchmarks/bench_cache_tags.py``.
"""

from __future__ import annotations

import os
import resource
import sys
import time
import tracemalloc

from mailtemplates import Renderer

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
CTX = {"RecoveryCode": "1234", "To": "ada@example.com"}


def main() -> None:
    r = Renderer()
    r.render("recovery_code/valid", CTX, locale="de")  # warm: imports, Babel data
    t0 = time.perf_counter()
    for i in range(N):
        r.render("recovery_code/valid", CTX, locale=f"de-AT-x{i:05d}")
    elapsed = time.perf_counter() - t0
    # The memory the cache holds: the same renders again, traced, with new tags.
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for i in range(N, 2 * N):
        r.render("recovery_code/valid", CTX, locale=f"de-AT-x{i:05d}")
    grown = (tracemalloc.get_traced_memory()[0] - base) / 1e6
    tracemalloc.stop()
    entries = getattr(r, "cache_info", lambda: {"compiled": len(r._cache)})()  # type: ignore[attr-defined]
    print(f"{N} more tags: cache {entries}, +{grown:.1f} MB traced, {1000 * elapsed / N:.2f} ms per render")
    print(
        f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, load {os.getloadavg()}"
    )


if __name__ == "__main__":
    main()

"""Courier metrics in the Prometheus text exposition format (version 0.0.4), served on a port.

Written here rather than with prometheus-client: four metric families, no dependency, and the
queue depth is read from the store at scrape time (so it is right whichever worker sent what).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["Metrics", "serve_metrics"]

#: Upper bounds (seconds) of the dispatch latency histogram.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Counters of one process's attempts; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sent = 0
        self.failed = 0
        self.abandoned = 0
        self._buckets = [0] * len(BUCKETS)
        self._count = 0
        self._sum = 0.0

    def observe(self, outcome: str, seconds: float | None) -> None:
        """Count one attempt: ``outcome`` sent, retry (failed, queued again) or abandoned."""
        with self._lock:
            if outcome == "sent":
                self.sent += 1
            else:
                self.failed += 1
                if outcome == "abandoned":
                    self.abandoned += 1
            if seconds is not None:
                self._count += 1
                self._sum += seconds
                for i, bound in enumerate(BUCKETS):
                    if seconds <= bound:
                        self._buckets[i] += 1

    def render(self, depth: Mapping[str, int] | None = None) -> str:
        lines: list[str] = []
        if depth is not None:
            lines += [
                "# HELP mailtemplates_courier_messages Messages in the store by status.",
                "# TYPE mailtemplates_courier_messages gauge",
            ]
            lines += [f'mailtemplates_courier_messages{{status="{s}"}} {n}' for s, n in sorted(depth.items())]
        with self._lock:
            for name, value, what in (
                ("sent", self.sent, "Messages delivered"),
                ("failed", self.failed, "Failed delivery attempts (retried or abandoned)"),
                ("abandoned", self.abandoned, "Messages abandoned"),
            ):
                lines += [
                    f"# HELP mailtemplates_courier_{name}_total {what} by this process.",
                    f"# TYPE mailtemplates_courier_{name}_total counter",
                    f"mailtemplates_courier_{name}_total {value}",
                ]
            lines += [
                "# HELP mailtemplates_courier_dispatch_seconds Time of one delivery attempt.",
                "# TYPE mailtemplates_courier_dispatch_seconds histogram",
            ]
            lines += [
                f'mailtemplates_courier_dispatch_seconds_bucket{{le="{b:g}"}} {n}'
                for b, n in zip(BUCKETS, self._buckets, strict=True)
            ]
            lines += [
                f'mailtemplates_courier_dispatch_seconds_bucket{{le="+Inf"}} {self._count}',
                f"mailtemplates_courier_dispatch_seconds_sum {self._sum:.6f}",
                f"mailtemplates_courier_dispatch_seconds_count {self._count}",
            ]
        return "\n".join(lines) + "\n"


def serve_metrics(
    metrics: Metrics, depth: Callable[[], Mapping[str, int]], port: int, host: str = "127.0.0.1"
) -> ThreadingHTTPServer:
    """Serve ``/metrics`` on ``host:port`` in a daemon thread; call ``shutdown()`` to stop."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?", 1)[0] not in ("/metrics", "/"):
                self.send_error(404)
                return
            try:
                counts: Mapping[str, int] | None = depth()
            except Exception:  # the store is down: still serve the counters
                counts = None
            body = metrics.render(counts).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="courier-metrics", daemon=True).start()
    return server

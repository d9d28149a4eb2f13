"""The preview web app: stdlib ``http.server``, one JSON render API, Server-Sent Events for reloads.

Routes::

    GET  /                        index: every template type x locale, and the file of each part
    GET  /email/<name>?locale=L   one email (the page renders itself from /api/render)
    GET  /api/render/<name>       the render as JSON: subject, html, text, MIME, files, context
    POST /api/render/<name>       the same with {"context": {...}} edited in the page
    GET  /eml/<name>              the message as a .eml download (?ctx=JSON for an edited context)
    POST /api/send                {"name", "locale", "context", "to"}: send it (with --smtp-uri)
    GET  /events                  Server-Sent Events: "hello" on connect, "reload" on every save
    GET  /__timing                save-to-browser latency of the recent reloads (benchmarks)
    POST /__timing                a page reports when it got a reload and when it had re-rendered

This module starts and stops the parts: ``app.py`` (what the pages show), ``pages.py`` with
``templates/*.html`` (how they look), ``handler.py`` (HTTP: routing and the security checks) and
``reload.py`` (file watching).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable

from .app import DEFAULT_FROM_ADDRESS, DEFAULT_PORT, PreviewApp, PreviewConfig, PreviewError, is_loopback
from .handler import _Handler, _HTTPServer, _HTTPServer6
from .reload import Watcher, make_watcher

__all__ = [
    "DEFAULT_FROM_ADDRESS",
    "DEFAULT_PORT",
    "PreviewApp",
    "PreviewConfig",
    "PreviewError",
    "PreviewServer",
    "is_loopback",
    "serve",
]


class PreviewServer:
    """The HTTP server, the app and the file watcher, started and stopped together."""

    def __init__(self, config: PreviewConfig, *, log: Callable[[str], None] | None = None) -> None:
        if not config.allow_remote and not is_loopback(config.host):
            raise PreviewError(
                f"refusing to listen on {config.host}: the preview has no authentication (and can send "
                "mail with --smtp-uri); use a loopback address such as 127.0.0.1, or pass --allow-remote"
            )
        self.app = PreviewApp(config, log=log)
        host = config.host.strip("[]")
        server_cls: type[_HTTPServer] = _HTTPServer6 if ":" in host else _HTTPServer
        try:
            self.httpd = server_cls((host, config.port), _Handler)
        except OSError as e:
            hint = " (is another preview running? pick another port with --port, 0 for any free one)"
            raise PreviewError(
                f"cannot listen on {config.host}:{config.port}: {e.strerror or e}"
                + (hint if config.port else "")
            ) from None
        self.httpd.app = self.app
        self.app.port = int(self.httpd.server_address[1])
        try:
            self.watcher: Watcher = make_watcher(
                self.app.watch_roots(), self.app.watch_files(), self.app.on_change, warn=log, poll=config.poll
            )
        except BaseException:
            self.httpd.server_close()
            raise
        self.app.hub.backend = self.watcher.backend
        self._thread: threading.Thread | None = None
        self._serving = False
        self._watching = False

    @property
    def url(self) -> str:
        host = self.app.config.host
        if ":" in host.strip("[]"):
            host = f"[{host.strip('[]')}]"
        elif host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        return f"http://{host}:{self.app.port}/"

    def _start_watching(self) -> None:
        if not self._watching:
            self.watcher.start()
            self._watching = True

    def start(self) -> None:
        """Serve in a background thread (tests, embedding)."""
        self._start_watching()
        self._serving = True
        self._thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="mailtemplates-preview",
            daemon=True,
        )
        self._thread.start()

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (the command line)."""
        self._start_watching()
        self._serving = True
        try:
            self.httpd.serve_forever(poll_interval=0.2)
        finally:
            self._serving = False

    def close(self) -> None:
        if self._watching:
            self.watcher.stop()
            self._watching = False
        self.app.hub.close()
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._serving = False
        self.httpd.server_close()

    def __enter__(self) -> PreviewServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(
    config: PreviewConfig, *, open_browser: bool = False, log: Callable[[str], None] | None = None
) -> None:
    """Run the preview until Ctrl-C (what ``mailtemplates preview`` does)."""
    say = log or (lambda m: print(f"preview: {m}", file=sys.stderr, flush=True))
    server = PreviewServer(config, log=say)
    if threading.current_thread() is threading.main_thread():
        # `docker stop`, systemd and CI runners send SIGTERM: stop as cleanly as on Ctrl-C.
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        roots = ", ".join(shown for _, _, shown in server.app.roots) or "none"
        say(f"serving {server.url}  (templates: {roots}; reload: {server.watcher.backend}; Ctrl-C stops)")
        if config.allow_remote or config.allowed_hosts:
            names = ", ".join(["localhost", "IP addresses", *server.app.allowed_hosts])
            say(f"answering to Host: {names} (others: --allowed-host NAME)")
        if open_browser:
            import webbrowser

            threading.Timer(0.3, webbrowser.open, args=(server.url,)).start()
        server.serve_forever()
    except KeyboardInterrupt:
        say("stopped")
    finally:
        server.close()

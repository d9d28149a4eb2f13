"""The preview's HTTP side: routing, the security checks, body limits, Server-Sent Events.

Safety, whatever ``--allow-remote`` says: the handler answers only to a ``Host`` that is localhost,
an IP address or a name on the allow-list (DNS rebinding), takes POST bodies only as JSON from its
own origin, the mail-sending one only with the page's token (CSRF), reads at most 1 MiB of body
however it is framed, and serves every page under a Content-Security-Policy.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import json
import queue
import socket
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import MailTemplateError
from ..models import get_template_type
from .app import PreviewApp, dumps

STATIC = Path(__file__).resolve().parent / "static"
_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
_MAX_BODY = 1 << 20

# Emails may load remote images and use inline styles; nothing may run scripts but our own file.
# An srcdoc iframe inherits this policy, so it covers the email too.
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src * data: blob:; "
    "font-src * data:; connect-src 'self'; frame-src 'self' about:; form-action 'self'; "
    "frame-ancestors 'self'; base-uri 'self'"
)


TOKEN_HEADER = "X-Preview-Token"


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as e:
        raise _BadRequest(400, f"invalid JSON: {e}") from None


def read_chunked(rfile: Any, limit: int) -> bytes:
    """A ``Transfer-Encoding: chunked`` body (RFC 9112, section 7.1), refused past ``limit`` bytes
    before they are read."""
    out = bytearray()
    while True:
        line = rfile.readline(1026)  # a size line is hex digits and optional extensions
        if not line.endswith(b"\n"):
            raise _BadRequest(400, "bad chunk size line")
        size_text = line.split(b";", 1)[0].strip()
        if not size_text or any(c not in b"0123456789abcdefABCDEF" for c in size_text):
            raise _BadRequest(400, "bad chunk size")
        size = int(size_text, 16)
        if size == 0:
            break
        if len(out) + size > limit:
            raise _BadRequest(413, f"request body too large (limit {limit} bytes)")
        chunk = rfile.read(size)
        if len(chunk) != size or rfile.readline(3) not in (b"\r\n", b"\n"):
            raise _BadRequest(400, "truncated chunk")
        out += chunk
    for _ in range(100):  # trailer fields, up to the empty line
        if rfile.readline(8192) in (b"\r\n", b"\n", b""):
            break
    else:
        raise _BadRequest(400, "too many trailer fields")
    return bytes(out)


def host_name(host_header: str) -> str:
    """The name or address of a ``Host`` header, lowercased, without the port or brackets."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else ""
    return host.rsplit(":", 1)[0] if ":" in host else host


def host_allowed(host_header: str, allowed: Sequence[str]) -> bool:
    """Whether a request's ``Host`` is one the preview answers to: ``localhost`` (and
    ``*.localhost``), any IP address, and the names in ``allowed`` (``.example.com`` also matches
    its subdomains). Names are never resolved: DNS rebinding is precisely a foreign name that
    resolves to this machine, and an IP address cannot be rebound."""
    name = host_name(host_header).rstrip(".")
    if not name:
        return False
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    for entry in allowed:
        entry = entry.strip().lower().rstrip(".")
        if name == entry or (entry.startswith(".") and (name.endswith(entry) or name == entry[1:])):
            return True
    return False


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # open event streams must not keep the process alive
    app: PreviewApp


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "mailtemplates-preview"
    sys_version = ""

    @property
    def app(self) -> PreviewApp:
        return self.server.app

    def log_message(self, format: str, *args: Any) -> None:
        if self.app.config.verbose:
            sys.stderr.write("preview: " + (format % args) + "\n")

    # -- plumbing ---------------------------------------------------------------------------------
    def _host_ok(self) -> bool:
        return host_allowed(self.headers.get("Host") or "", self.app.allowed_hosts)

    def _send(
        self,
        status: int,
        body: bytes,
        ctype: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", _CSP)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _html(self, status: int, text: str) -> None:
        self._send(status, text.encode("utf-8"), "text/html; charset=utf-8")

    def _json(self, status: int, value: object) -> None:
        self._send(status, dumps(value).encode("utf-8"), "application/json; charset=utf-8")

    def _text(self, status: int, text: str) -> None:
        self._send(status, text.encode("utf-8"), "text/plain; charset=utf-8")

    def _read_json(self, *, token: bool = False) -> Any:
        """A POST body: JSON (a cross-site form cannot send it without a CORS preflight we never
        grant), from a page of this server (Origin, Sec-Fetch-Site), of bounded size."""
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise _BadRequest(415, "send JSON (Content-Type: application/json)")
        origin = self.headers.get("Origin")
        if origin is not None and origin != f"http://{self.headers.get('Host') or ''}":
            raise _BadRequest(403, "cross-origin request refused")
        if (self.headers.get("Sec-Fetch-Site") or "same-origin") not in ("same-origin", "none"):
            raise _BadRequest(403, "cross-site request refused")
        if token and not hmac.compare_digest(
            (self.headers.get(TOKEN_HEADER) or "").encode(), self.app.token.encode()
        ):
            raise _BadRequest(403, f"missing or wrong {TOKEN_HEADER} (the email page sends it)")
        return _parse_json(self._read_body())

    def _read_body(self) -> bytes:
        """At most ``_MAX_BODY`` bytes, whatever the headers claim (a negative or huge length, chunks)."""
        self.close_connection = True  # an unread rest of a refused body must not be parsed as a request
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return read_chunked(self.rfile, _MAX_BODY)
        raw = (self.headers.get("Content-Length") or "0").strip()
        if not (raw.isascii() and raw.isdigit()):  # int() would take "-1", "+5", "1_0", "١"
            raise _BadRequest(400, f"bad Content-Length: {raw[:40]!r}")
        length = int(raw)
        if length > _MAX_BODY:
            raise _BadRequest(413, f"request body too large (limit {_MAX_BODY} bytes)")
        data: bytes = self.rfile.read(length)
        if len(data) != length:
            raise _BadRequest(400, "request body shorter than its Content-Length")
        return data

    def _guard(self, fn: Callable[[], None]) -> None:
        if not self._host_ok():
            self._text(
                421,
                "unexpected Host header: the preview answers to loopback names and addresses, IP "
                "addresses and the names given with --allowed-host (a foreign name is how DNS "
                "rebinding reaches a local server)",
            )
            return
        try:
            fn()
        except _BadRequest as e:
            self._json(e.status, {"ok": False, "error": {"kind": "BadRequest", "message": e.message}})
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception:  # keep serving whatever one request did
            traceback.print_exc(file=sys.stderr)
            with contextlib.suppress(OSError):
                self._text(500, "internal error (details on the server's stderr)")

    # -- methods ----------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._guard(self._get)

    def do_HEAD(self) -> None:
        self._guard(self._get)

    def do_POST(self) -> None:
        self._guard(self._post)

    def _get(self) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if path == "/":
            if query.get("partial") == "main":
                self._html(200, self.app.index_main())
            else:
                self._html(200, self.app.index_page())
        elif path.startswith("/email/"):
            self._email(path[len("/email/") :], query)
        elif path.startswith("/api/render/"):
            self._render(path[len("/api/render/") :], query, None)
        elif path.startswith("/eml/"):
            self._eml(path[len("/eml/") :], query)
        elif path == "/events":
            self._events()
        elif path == "/__timing":
            self._json(200, self.app.hub.timings())
        elif path.startswith("/static/"):
            self._static(path[len("/static/") :])
        elif path == "/favicon.ico":
            self._send(204, b"", "image/x-icon")
        else:
            self._html(404, self.app.not_found_page())

    def _post(self) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if path.startswith("/api/render/"):
            body = self._read_json()
            ctx = body.get("context") if isinstance(body, dict) else None
            if ctx is not None and not isinstance(ctx, dict):
                raise _BadRequest(400, "context must be a JSON object")
            self._render(path[len("/api/render/") :], query, ctx)
        elif path == "/api/send":
            # Without --smtp-uri there is nothing to protect: say why nothing is sent.
            self._send_test(self._read_json(token=self.app.smtp_config is not None))
        elif path == "/__timing":
            body = self._read_json()
            if not isinstance(body, dict) or not isinstance(body.get("seq"), int):
                raise _BadRequest(400, "want {seq, received, updated}")

            def secs(v: object) -> float | None:
                return float(v) / 1000 if isinstance(v, (int, float)) and not isinstance(v, bool) else None

            self.app.hub.report(body["seq"], secs(body.get("received")), secs(body.get("updated")))
            self._json(200, {"ok": True})
        else:
            self._json(404, {"ok": False, "error": {"kind": "NotFound", "message": "no such endpoint"}})

    # -- routes -----------------------------------------------------------------------------------
    def _name_locale(self, name: str, query: Mapping[str, str]) -> tuple[str, str | None]:
        try:
            tt = get_template_type(name.strip("/"))
            if not tt.templated:
                raise _BadRequest(404, f"{tt.name} is not templated (Kratos sends it verbatim)")
            return tt.name, self.app.parse_locale(query.get("locale"))
        except MailTemplateError as e:
            raise _BadRequest(404 if "unknown template" in str(e) else 400, str(e)) from None

    def _email(self, name: str, query: Mapping[str, str]) -> None:
        try:
            tname, locale = self._name_locale(name, query)
        except _BadRequest as e:
            self._html(e.status, self.app.not_found_page(e.message))
            return
        self._html(200, self.app.email_page(tname, locale))

    def _render(self, name: str, query: Mapping[str, str], ctx: Mapping[str, Any] | None) -> None:
        tname, locale = self._name_locale(name, query)
        self._json(200, self.app.render_data(tname, locale, ctx))

    def _eml(self, name: str, query: Mapping[str, str]) -> None:
        tname, locale = self._name_locale(name.removesuffix(".eml"), query)
        ctx = None
        if query.get("ctx"):
            try:
                ctx = json.loads(query["ctx"])
            except json.JSONDecodeError as e:
                raise _BadRequest(400, f"ctx: invalid JSON: {e}") from None
            if not isinstance(ctx, dict):
                raise _BadRequest(400, "ctx must be a JSON object")
        try:
            data, filename = self.app.eml(tname, locale, ctx)
        except MailTemplateError as e:
            self._text(422, f"cannot build the message:\n{e}\n")
            return
        self._send(
            200,
            data,
            "message/rfc822",
            {"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    def _send_test(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise _BadRequest(400, "want {name, locale, context, to}")
        to = body.get("to")
        if not isinstance(to, str) or not to.strip():
            raise _BadRequest(400, "give a recipient address")
        tname, locale = self._name_locale(
            str(body.get("name") or ""), {"locale": str(body.get("locale") or "")}
        )
        ctx = body.get("context")
        if ctx is not None and not isinstance(ctx, dict):
            raise _BadRequest(400, "context must be a JSON object")
        local_name = body.get("local_name")
        if local_name is not None and not isinstance(local_name, str):
            raise _BadRequest(400, "local_name must be a string")
        headers = body.get("headers")
        if headers is not None and not (
            isinstance(headers, dict) and all(isinstance(v, str) for v in headers.values())
        ):
            raise _BadRequest(400, 'headers must be an object of strings, {"Name": "value"}')
        try:
            result = self.app.send_test(
                tname, locale, ctx, to.strip(), local_name=local_name or None, headers=headers
            )
        except MailTemplateError as e:
            self._json(200, {"ok": False, "error": self.app.error_data(e)})
            return
        if self.app.log is not None:
            self.app.log(f"sent {tname} to {to.strip()}: {result['answer']}")
        self._json(200, result)

    def _static(self, name: str) -> None:
        path = STATIC / name
        if "/" in name or name.startswith(".") or path.suffix not in _STATIC_TYPES or not path.is_file():
            self._text(404, "not found")
            return
        self._send(200, path.read_bytes(), _STATIC_TYPES[path.suffix])

    def _events(self) -> None:
        hub = self.app.hub
        q = hub.subscribe()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Accel-Buffering", "no")
            self.end_headers()
            hello = {"seq": hub.seq, "backend": hub.backend}
            self.wfile.write(f"retry: 1000\nevent: hello\ndata: {dumps(hello)}\n\n".encode())
            self.wfile.flush()
            while True:
                try:
                    ev = q.get(timeout=15)
                except queue.Empty:  # a comment keeps proxies and the socket alive
                    self.wfile.write(b": ping\n\n")
                    self.wfile.flush()
                    continue
                if ev is None:
                    break
                data = {"seq": ev.seq, "kind": ev.kind, "path": self.app.display(ev.path), "saved": ev.saved}
                self.wfile.write(f"id: {ev.seq}\nevent: reload\ndata: {dumps(data)}\n\n".encode())
                self.wfile.flush()
                hub.mark_sent(ev.seq, time.time())
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            hub.unsubscribe(q)
            self.close_connection = True


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

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

Safety: the server listens on loopback unless told otherwise, answers only to a loopback ``Host``
(DNS rebinding), takes POST bodies only as JSON from its own origin (CSRF), and shows emails in an
iframe that may not run scripts, under a Content-Security-Policy.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import queue
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from .. import i18n
from ..errors import MailTemplateError, TemplateError
from ..loader import BUILTIN_ROOT, PART_STEMS
from ..models import TEMPLATE_TYPES, TemplateType, get_template_type, sample_context
from ..render import Renderer
from .context import ContextFile, effective_context, load_context_file
from .reload import Change, Hub, Watcher, make_watcher

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

DEFAULT_PORT = 8025
DEFAULT_FROM_ADDRESS = "no-reply@example.com"
STATIC = Path(__file__).resolve().parent / "static"
_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
_PART_LABELS = {"subject": "Subject", "body": "HTML", "plaintext": "Text", "sms": "SMS"}
_MAX_BODY = 1 << 20

# Emails may load remote images and use inline styles; nothing may run scripts but our own file.
# An srcdoc iframe inherits this policy, so it covers the email too.
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src * data: blob:; "
    "font-src * data:; connect-src 'self'; frame-src 'self' about:; form-action 'self'; "
    "frame-ancestors 'self'; base-uri 'self'"
)


class PreviewError(MailTemplateError):
    """The preview server cannot start as configured (host, port, context file, SMTP URI)."""


@dataclass
class PreviewConfig:
    """What ``mailtemplates preview`` was asked for."""

    templates: Sequence[str] = ()
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    context_file: str | None = None
    smtp_uri: str | None = None
    from_address: str = DEFAULT_FROM_ADDRESS
    from_name: str | None = None
    default_locale: str = "en"
    allow_remote: bool = False
    use_builtins: bool = True
    #: Log every HTTP request (stderr).
    verbose: bool = False
    #: Stat the files instead of waiting for file system events (network shares, some mounts).
    poll: bool = False


def is_loopback(host: str) -> bool:
    """Whether ``host`` only reaches this machine (``127.0.0.0/8``, ``::1``, ``localhost``)."""
    name = host.strip("[]")
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(str(i[4][0]).split("%")[0]).is_loopback for i in infos)


def _loopback_literal(name: str) -> bool:
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _is_locale_file_tag(tag: str) -> bool:
    """Whether ``tag`` (from ``email.body.<tag>.gotmpl``) is a locale the loader would look for."""
    try:
        return "." not in tag and i18n.normalize_locale(tag) == tag
    except MailTemplateError:
        return False


def _file_label(part: str, file: str | None) -> str:
    """Short name of a part's file for the index: its locale (``de``) or ``generic``, plus the
    engine when it is not Go (``de jinja``); the full path is in the cell's title."""
    if file is None:
        return "missing"
    stem, ext = os.path.splitext(file)
    rest = stem[len(PART_STEMS[part]) :].lstrip(".")
    label = rest or "generic"
    return label if ext == ".gotmpl" else f"{label} {ext.lstrip('.')}"


def _json_default(value: object) -> object:
    return str(value)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _script_json(value: object) -> str:
    """JSON safe inside <script type="application/json"> (no "</script>" can end it early)."""
    return _dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class PreviewApp:
    """Everything the pages show, independent of HTTP (the handler only routes)."""

    def __init__(self, config: PreviewConfig, *, log: Callable[[str], None] | None = None) -> None:
        self.config = config
        self.log = log
        self.default_locale = i18n.normalize_locale(config.default_locale)
        self.renderer = self._new_renderer()
        self.roots: list[tuple[str, str, str]] = [
            ("override", os.path.realpath(t), str(t)) for t in config.templates
        ]
        if config.use_builtins:
            self.roots.append(("builtin", os.path.realpath(BUILTIN_ROOT), "built-in"))
        self.hub = Hub(log=log)
        self.context_file: ContextFile | None = None
        self.context_error: str | None = None
        if config.context_file is not None:
            # At start a broken file is an error (exit 1); later, the pages show it until fixed.
            self.context_file = load_context_file(config.context_file)
        self.smtp_config: Any = None
        if config.smtp_uri:
            from ..smtp import parse_connection_uri

            self.smtp_config = parse_connection_uri(config.smtp_uri)
        self.port = config.port

    def _new_renderer(self) -> Renderer:
        return Renderer(
            self.config.templates,
            default_locale=self.default_locale,
            use_builtins=self.config.use_builtins,
            check_interval=0,  # a preview must show every save at once
        )

    # -- watching ---------------------------------------------------------------------------------
    def watch_roots(self) -> list[str]:
        return [real for _, real, _ in self.roots]

    def watch_files(self) -> list[str]:
        return [self.config.context_file] if self.config.context_file is not None else []

    def on_change(self, changes: list[Change]) -> None:
        """A save under the roots (or of the context file): drop compiled templates, tell the pages."""
        given = self.config.context_file
        kind = "template"
        if given is not None and any(os.path.realpath(c.path) == os.path.realpath(given) for c in changes):
            kind = "context"
            try:
                self.context_file = load_context_file(given)
                self.context_error = None
            except MailTemplateError as e:
                self.context_error = str(e)
        # A fresh renderer rather than clear_cache(): clearing waits for the cache lock, which a
        # render in progress holds while it compiles; requests already running finish on the old one.
        self.renderer = self._new_renderer()
        self.hub.publish(changes, kind)

    # -- what the roots provide -------------------------------------------------------------------
    def template_types(self) -> list[TemplateType]:
        return [t for t in TEMPLATE_TYPES.values() if t.templated]

    def locales(self, tt: TemplateType) -> list[str]:
        """The default locale, then every locale some root has a file for, sorted."""
        found: set[str] = set()
        stems = sorted(PART_STEMS.values(), key=len, reverse=True)
        for _, real, _ in self.roots:
            folder = os.path.join(real, *tt.path_parts)
            try:
                names = os.listdir(folder)
            except OSError:
                continue
            for name in names:
                base, ext = os.path.splitext(name)
                if ext not in (".gotmpl", ".jinja"):
                    continue
                for stem in stems:
                    if base == stem:
                        break  # the generic file
                    if base.startswith(stem + "."):
                        tag = base[len(stem) + 1 :]
                        if _is_locale_file_tag(tag):
                            found.add(tag)
                        break
        found.discard(self.default_locale)
        return [self.default_locale, *sorted(found)]

    def resolution(
        self, tt: TemplateType, locale: str | None, ctx: Mapping[str, Any] | None = None
    ) -> dict[str, dict[str, Any]]:
        """Which file each part comes from for ``locale`` (and the context's locale, as a render
        looks at it too): the loader's first existing candidate."""
        chain = self.renderer.locale_chain(locale, ctx or {})
        out: dict[str, dict[str, Any]] = {}
        for part in tt.parts:
            out[part] = {"origin": None, "path": None, "display": "missing", "file": None, "fallback": False}
            for origin, _root, path, loc in self.renderer.loader.candidates(tt.path_parts, part, chain):
                if os.path.isfile(path):
                    out[part] = {
                        "origin": origin,
                        "path": path,
                        "display": self.display(path),
                        "file": os.path.basename(path),
                        # A locale was asked for but the generic (default-locale) file answers.
                        "fallback": bool(chain) and loc is None,
                    }
                    break
        return out

    def display(self, path: str | None) -> str:
        """A path as the user knows it: ``templates/recovery/valid/email.body.gotmpl`` or
        ``built-in: recovery/valid/...``."""
        if not path:
            return ""
        real = os.path.realpath(path)
        for origin, root, shown in self.roots:
            if real.startswith(root + os.sep):
                rel = os.path.relpath(real, root)
                return f"built-in: {rel}" if origin == "builtin" else os.path.join(shown, rel)
        return path

    def _within_roots(self, path: str) -> bool:
        real = os.path.realpath(path)
        return any(real.startswith(root + os.sep) for _, root, _ in self.roots)

    # -- rendering --------------------------------------------------------------------------------
    def parse_locale(self, raw: str | None) -> str | None:
        if raw is None or raw == "":
            return None
        return i18n.normalize_locale(raw)

    def context(
        self, tt: TemplateType, locale: str | None, edited: Mapping[str, Any] | None
    ) -> tuple[dict[str, Any], str]:
        if edited is not None:
            return dict(edited), "edited in the page"
        return effective_context(tt.name, locale or self.default_locale, self.context_file)

    def render_data(
        self, name: str, locale: str | None, edited: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Everything the email page shows, as JSON-able data. Template errors are data too."""
        tt = get_template_type(name)
        ctx, source = self.context(tt, locale, edited)
        out: dict[str, Any] = {
            "name": tt.name,
            "kratos_type": tt.kratos_type,
            "locale": locale or self.default_locale,
            "locales": self.locales(tt),
            "seq": self.hub.seq,
            "context": ctx,
            "context_source": source,
            "context_error": self.context_error if edited is None else None,
            "files": self.resolution(tt, locale, ctx),
            "smtp": self.smtp_config is not None,
        }
        renderer = self.renderer  # one renderer per request, even if a save swaps it meanwhile
        started = time.perf_counter()
        try:
            email = renderer.render(tt.name, ctx, locale=locale)
        except MailTemplateError as e:
            out["ok"] = False
            out["error"] = self.error_data(e)
            out["render_ms"] = round((time.perf_counter() - started) * 1000, 2)
            return out
        out["render_ms"] = round((time.perf_counter() - started) * 1000, 2)
        out.update(
            ok=True,
            subject=email.subject,
            html=email.html,
            text=email.text,
            rendered_locale=email.locale,
        )
        used = dict(email.files)
        for part, info in out["files"].items():
            info["used"] = part in used or part == "sms"
            if part == "plaintext" and part not in used:
                info["note"] = "derived from the HTML"
        to = str(ctx.get("To") or "") or "recipient@example.com"
        out["to"] = to
        out["from"] = self.config.from_address
        try:
            out["mime"] = self.message_bytes(email, to).decode("utf-8", "replace")
        except MailTemplateError as e:
            out["mime"] = None
            out["mime_error"] = str(e)
        if "sms" in tt.parts:
            try:
                sms_ctx = sample_context(tt.name, channel="sms", locale=locale or self.default_locale)
                out["sms"] = renderer.render_sms(tt.name, sms_ctx, locale=locale)
            except MailTemplateError as e:
                out["sms"] = None
                out["sms_error"] = str(e)
        return out

    def message_bytes(self, email: Any, to: str) -> bytes:
        msg = email.to_message(from_address=self.config.from_address, from_name=self.config.from_name, to=to)
        data: bytes = msg.as_bytes()
        return data

    def eml(self, name: str, locale: str | None, edited: Mapping[str, Any] | None) -> tuple[bytes, str]:
        tt = get_template_type(name)
        ctx, _ = self.context(tt, locale, edited)
        email = self.renderer.render(tt.name, ctx, locale=locale)
        to = str(ctx.get("To") or "") or "recipient@example.com"
        filename = f"{tt.kratos_type}.{email.locale}.eml"
        return self.message_bytes(email, to), filename

    def send_test(
        self, name: str, locale: str | None, edited: Mapping[str, Any] | None, to: str
    ) -> dict[str, Any]:
        if self.smtp_config is None:
            raise PreviewError("sending is off: start the preview with --smtp-uri")
        from ..smtp import send

        tt = get_template_type(name)
        ctx, _ = self.context(tt, locale, edited)
        email = self.renderer.render(tt.name, ctx, locale=locale)
        msg = email.to_message(from_address=self.config.from_address, from_name=self.config.from_name, to=to)
        result = send(msg, self.smtp_config)
        return {
            "ok": True,
            "answer": f"{result.code} {result.text}",
            "code": result.code,
            "text": result.text,
            "recipients": list(result.recipients),
            "tls": result.tls_version,
            "auth": result.auth_mechanism,
            "server": f"{self.smtp_config.host}:{self.smtp_config.port}",
        }

    def error_data(self, e: MailTemplateError) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": type(e).__name__, "message": str(e), "short": str(e)}
        if isinstance(e, TemplateError):
            filename = e.filename or e.name or ""
            data.update(
                short=e.message,
                filename=filename,
                display=self.display(filename) if filename else "",
                line=e.line,
                col=e.col,
                source_line=e.source_line,
                snippet=self._snippet(filename, e.line),
            )
        return data

    def _snippet(self, filename: str, line: int, around: int = 2) -> list[dict[str, Any]]:
        """The offending line with a few lines either side, read from the template file."""
        if not filename or line <= 0 or not os.path.isfile(filename) or not self._within_roots(filename):
            return []
        try:
            with open(filename, encoding="utf-8", errors="replace") as f:
                lines = f.read().split("\n")
        except OSError:
            return []
        lo, hi = max(1, line - around), min(len(lines), line + around)
        return [{"n": n, "text": lines[n - 1], "here": n == line} for n in range(lo, hi + 1)]

    # -- pages ------------------------------------------------------------------------------------
    def index_main(self) -> str:
        """The index's <main> content (also fetched alone on reload)."""
        roots = "".join(
            f'<li><span class="badge {origin}">{"built-in" if origin == "builtin" else "override"}</span> '
            f'<code title="{escape(real)}">{escape(shown if origin != "builtin" else real)}</code></li>'
            for origin, real, shown in self.roots
        )
        ctx = ""
        if self.config.context_file:
            ctx = f'<p class="ctxfile">Context file: <code>{escape(self.config.context_file)}</code></p>'
        if self.context_error:
            ctx += f'<p class="error-inline">{escape(self.context_error)}</p>'
        cards = "".join(self._card(tt) for tt in self.template_types())
        legend = (
            '<p class="legend">Each cell is the file a part comes from: <code>de</code> is '
            "<code>email.body.de.gotmpl</code>, <code>generic</code> is <code>email.body.gotmpl</code> "
            "(hover for the path). "
            '<span class="file override">override</span> from your folder '
            '<span class="file builtin">built-in</span> shipped with mailtemplates '
            '<span class="file builtin fallback">generic</span> no file for that locale: the '
            "generic (default-locale) file answers</p>"
        )
        return (
            f'<section class="roots"><h1>Templates</h1><p>Resolution order, first match wins:</p>'
            f"<ol>{roots}</ol>{ctx}{legend}</section>"
            f'<div class="cards">{cards}</div>'
        )

    def _card(self, tt: TemplateType) -> str:
        head = "".join(f"<th>{_PART_LABELS[p]}</th>" for p in tt.parts)
        rows = []
        for loc in self.locales(tt):
            res = self.resolution(tt, loc if loc != self.default_locale else None)
            cells = []
            for part in tt.parts:
                info = res[part]
                cls = f"file {info['origin'] or 'missing'}" + (" fallback" if info["fallback"] else "")
                cells.append(
                    f'<td><span class="{cls}" title="{escape(info["display"])}">'
                    f"{escape(_file_label(part, info['file']))}</span></td>"
                )
            href = f"/email/{tt.name}?locale={quote(loc)}"
            rows.append(f'<tr><th><a href="{escape(href)}">{escape(loc)}</a></th>{"".join(cells)}</tr>')
        flow = escape(tt.flow)
        status = f' <span class="status">/ {escape(tt.status)}</span>' if tt.status else ""
        return (
            f'<article class="card" id="t-{escape(tt.kratos_type)}"><h2><a href="/email/{escape(tt.name)}">'
            f'{flow}{status}</a></h2><p class="ktype">{escape(tt.kratos_type)}</p>'
            f"<table><thead><tr><th>Locale</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></article>"
        )

    def page(self, title: str, body: str, attrs: Mapping[str, str], header_extra: str = "") -> str:
        data = "".join(f' data-{k}="{escape(v)}"' for k, v in attrs.items())
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)} · mailtemplates preview</title>"
            '<link rel="stylesheet" href="/static/preview.css"></head>'
            f"<body{data}>"
            '<header class="top"><a class="brand" href="/">mailtemplates <span>preview</span></a>'
            f'{header_extra}<span class="live" id="live" title="live reload">live</span></header>'
            f"{body}"
            '<script src="/static/preview.js"></script></body></html>'
        )

    def index_page(self) -> str:
        main = f'<main class="index" id="main">{self.index_main()}</main>'
        return self.page("Templates", main, {"page": "index", "seq": str(self.hub.seq)})

    def email_page(self, name: str, locale: str | None) -> str:
        tt = get_template_type(name)
        initial = self.render_data(tt.name, locale)
        loc = initial["locale"]
        options = "".join(
            f'<option value="{escape(lo)}"{" selected" if lo == loc else ""}>{escape(lo)}</option>'
            for lo in initial["locales"]
        )
        if loc not in initial["locales"]:
            options += f'<option value="{escape(loc)}" selected>{escape(loc)}</option>'
        crumb = (
            f'<nav class="crumb"><a href="/">Templates</a> / <b>{escape(tt.name)}</b> '
            f'<span class="ktype">{escape(tt.kratos_type)}</span></nav>'
            f'<label class="locale">Locale <select id="locale">{options}</select></label>'
            '<div class="seg" role="group" aria-label="Width">'
            '<button type="button" data-width="desktop" aria-pressed="true">Desktop</button>'
            '<button type="button" data-width="mobile" aria-pressed="false">Mobile</button></div>'
            '<label class="toggle"><input type="checkbox" id="dark"> Dark</label>'
        )
        tabs = [("html", "HTML"), ("text", "Plaintext"), ("source", "HTML source"), ("mime", "Raw MIME")]
        if "sms" in tt.parts:
            tabs.append(("sms", "SMS"))
        tab_buttons = "".join(
            f'<button type="button" role="tab" data-tab="{t}" aria-selected="{"true" if i == 0 else "false"}">'
            f"{label}</button>"
            for i, (t, label) in enumerate(tabs)
        )
        send = ""
        if self.smtp_config is not None:
            send = (
                '<section class="box" id="send"><h2>Send test</h2>'
                f'<p class="hint">via <code>{escape(self.smtp_config.host)}:{self.smtp_config.port}</code> '
                f"from <code>{escape(self.config.from_address)}</code></p>"
                '<form id="send-form"><input type="email" id="send-to" required placeholder="you@example.com" '
                'autocomplete="email"><button type="submit">Send</button></form>'
                '<pre id="send-result" class="result" hidden></pre></section>'
            )
        body = (
            '<main class="email" id="main">'
            '<section class="viewer">'
            '<div class="error" id="error" hidden></div>'
            '<div class="meta"><div class="subject" id="subject"></div>'
            '<div class="addr"><span id="addr-from"></span> → <span id="addr-to"></span>'
            ' <span class="rendered" id="rendered"></span></div></div>'
            f'<nav class="tabs" role="tablist">{tab_buttons}</nav>'
            '<div class="panel" data-panel="html"><div class="stage" id="stage">'
            '<div class="device" id="device"><iframe id="frame" title="Rendered email" '
            'sandbox="allow-same-origin"></iframe></div>'
            '<p class="hint warn" id="overflow" hidden></p></div></div>'
            '<div class="panel" data-panel="text" hidden><pre id="text"></pre></div>'
            '<div class="panel" data-panel="source" hidden><pre id="source"></pre></div>'
            '<div class="panel" data-panel="mime" hidden><p><a id="download" class="button" href="#" '
            'download>Download .eml</a></p><pre id="mime"></pre></div>'
            '<div class="panel" data-panel="sms" hidden><pre id="sms"></pre></div>'
            "</section>"
            '<aside class="side">'
            '<section class="box"><h2>Files</h2><table class="files" id="files"></table></section>'
            '<section class="box"><h2>Context</h2><p class="hint" id="ctx-source"></p>'
            '<textarea id="ctx" spellcheck="false" wrap="off" aria-label="Context (JSON)"></textarea>'
            '<div class="row"><button type="button" id="ctx-reset">Reset</button>'
            '<span id="ctx-status" class="hint"></span></div></section>'
            f"{send}</aside></main>"
            f'<script type="application/json" id="initial">{_script_json(initial)}</script>'
        )
        return self.page(
            tt.name,
            body,
            {"page": "email", "name": tt.name, "locale": loc, "seq": str(self.hub.seq)},
            crumb,
        )


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
        if self.app.config.allow_remote:
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        if host.startswith("["):
            name = host[1 : host.find("]")] if "]" in host else host
        else:
            name = host.rsplit(":", 1)[0] if ":" in host else host
        if not name:
            return False
        # Never resolve the name: DNS rebinding is precisely a foreign name resolving to 127.0.0.1.
        return name in ("localhost", self.app.config.host.strip("[]").lower()) or _loopback_literal(name)

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
        self._send(status, _dumps(value).encode("utf-8"), "application/json; charset=utf-8")

    def _text(self, status: int, text: str) -> None:
        self._send(status, text.encode("utf-8"), "text/plain; charset=utf-8")

    def _read_json(self) -> Any:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise _BadRequest(415, "send JSON (Content-Type: application/json)")
        origin = self.headers.get("Origin")
        if origin is not None and not self.app.config.allow_remote:
            host = self.headers.get("Host") or ""
            if origin != f"http://{host}":
                raise _BadRequest(403, "cross-origin request refused")
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            raise _BadRequest(400, "bad Content-Length") from None
        if length > _MAX_BODY:
            raise _BadRequest(413, "request body too large")
        raw = self.rfile.read(length)
        try:
            return json.loads(raw or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise _BadRequest(400, f"invalid JSON: {e}") from None

    def _guard(self, fn: Callable[[], None]) -> None:
        if not self._host_ok():
            self._text(421, "unexpected Host header: the preview answers on its loopback address only")
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
            self._html(404, self.app.page("Not found", '<main class="index"><h1>Not found</h1></main>', {}))

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
            self._send_test(self._read_json())
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
            msg = f'<main class="index"><h1>Not found</h1><p class="error-inline">{escape(e.message)}</p></main>'
            self._html(e.status, self.app.page("Not found", msg, {"page": "missing"}))
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
        try:
            result = self.app.send_test(tname, locale, ctx, to.strip())
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
            self.wfile.write(f"retry: 1000\nevent: hello\ndata: {_dumps(hello)}\n\n".encode())
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
                self.wfile.write(f"id: {ev.seq}\nevent: reload\ndata: {_dumps(data)}\n\n".encode())
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
        if open_browser:
            import webbrowser

            threading.Timer(0.3, webbrowser.open, args=(server.url,)).start()
        server.serve_forever()
    except KeyboardInterrupt:
        say("stopped")
    finally:
        server.close()

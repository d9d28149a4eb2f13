"""What the preview shows, independent of HTTP: the index, one email's render, the .eml, a send.

``handler.py`` routes requests here; ``pages.py`` lays the pages out from ``templates/*.html``.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from .. import i18n
from ..errors import MailTemplateError, PreviewError, TemplateError
from ..loader import BUILTIN_ROOT, PART_STEMS, locale_file_tags
from ..models import TEMPLATE_TYPES, TemplateType, get_template_type, sample_context
from ..render import Renderer
from ..resolution import mixed
from . import pages
from .context import ContextFile, effective_context, load_context_file
from .reload import Change, Hub

__all__ = [
    "DEFAULT_FROM_ADDRESS",
    "DEFAULT_PORT",
    "PreviewApp",
    "PreviewConfig",
    "PreviewError",
    "is_loopback",
]

DEFAULT_PORT = 8025
DEFAULT_FROM_ADDRESS = "no-reply@example.com"
_MAX_SOURCE = 512 * 1024  # characters of a template file shown in the page
_PART_LABELS = {"subject": "Subject", "body": "HTML", "plaintext": "Text", "sms": "SMS"}


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
    #: Listen on an address other machines can reach (``--host 0.0.0.0`` in a container).
    allow_remote: bool = False
    #: Names (``Host`` headers) the preview answers to besides ``localhost`` and IP addresses
    #: (``--allowed-host``; ``.example.com`` includes its subdomains). Never switched off.
    allowed_hosts: Sequence[str] = ()
    use_builtins: bool = True
    #: Log every HTTP request (stderr).
    verbose: bool = False
    #: Stat the files instead of waiting for file system events (network shares, some mounts).
    poll: bool = False
    #: Send test, as ``send-test`` takes them (``courier.smtp.*``): EHLO name, TLS client
    #: certificate and key, a private CA, extra headers. The page can change the EHLO name and
    #: the headers per send; the files only come from here.
    local_name: str = "localhost"
    client_cert_path: str | None = None
    client_key_path: str | None = None
    ca_file: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


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


#: The Files entry of a plaintext derived from the HTML (no file is used for it).
_DERIVED_TEXT: dict[str, Any] = {
    "origin": "derived",
    "path": None,
    "display": "derived from the HTML body",
    "file": None,
    "fallback": False,
    "note": "no plaintext template is used: the text is made from the HTML",
}


def _is_generic(part: str, path: str) -> bool:
    """Whether ``path`` is a part's generic file (``email.body.gotmpl``), not a locale's."""
    return os.path.splitext(os.path.basename(path))[0] == PART_STEMS[part]


def _other_engine(path: str | None) -> str | None:
    """The same part's file for the other engine beside ``path``, if there is one."""
    if not path or "://" in path:
        return None
    base, ext = os.path.splitext(path)
    other = base + (".jinja" if ext == ".gotmpl" else ".gotmpl")
    return other if os.path.isfile(other) else None


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _is_locale_file_tag(tag: str) -> bool:
    """Whether ``tag`` (from ``email.body.<tag>.gotmpl``) is a locale the loader would look for."""
    try:
        return "." not in tag and i18n.normalize_locale(tag) == tag
    except MailTemplateError:
        return False


def _file_label(part: str, file: str | None, origin: str | None = None) -> str:
    """Short name of a part's file for the index: its locale (``de``) or ``generic``, plus the
    engine when it is not Go (``de jinja``); the full path is in the cell's title."""
    if origin == "derived":
        return "derived"
    if file is None:
        return "missing"
    stem, ext = os.path.splitext(file)
    rest = stem[len(PART_STEMS[part]) :].lstrip(".")
    label = rest or "generic"
    return label if ext == ".gotmpl" else f"{label} {ext.lstrip('.')}"


def json_default(value: object) -> object:
    return str(value)


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=json_default)


def script_json(value: object) -> str:
    """JSON safe inside <script type="application/json"> (no "</script>" can end it early)."""
    return dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


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
            self.smtp_config = self._smtp(config.local_name)
        self.port = config.port
        #: Names the Host check accepts (the listen name, if it is one, and --allowed-host).
        self.allowed_hosts = [
            h for h in (config.host, *config.allowed_hosts) if h and not _is_ip(h.strip("[]"))
        ]
        #: Sending mail needs this per-process secret (the email page has it), on top of the
        #: Origin check: a request from anywhere else cannot know it.
        self.token = secrets.token_urlsafe(24)

    def _smtp(self, local_name: str) -> Any:
        """The SMTP settings for a send (checked: a bad URI, EHLO name or certificate is an error)."""
        from ..smtp import parse_connection_uri

        assert self.config.smtp_uri is not None
        return parse_connection_uri(
            self.config.smtp_uri,
            local_name=local_name,
            client_cert_path=self.config.client_cert_path,
            client_key_path=self.config.client_key_path,
            ca_file=self.config.ca_file,
        )

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
        dirs = (os.path.join(real, *tt.path_parts) for _, real, _ in self.roots)
        found = {tag for tag in locale_file_tags(dirs) if _is_locale_file_tag(tag)}
        found.discard(self.default_locale)
        return [self.default_locale, *sorted(found)]

    def resolution(
        self, tt: TemplateType, locale: str | None, ctx: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Which file each part comes from for ``locale`` (and the context's locale, as a render
        looks at it too), from :meth:`Renderer.resolve`, as the pages show it: ``files`` (part ->
        path, origin, language...; a plaintext derived from the HTML shows as derived, not as a
        file it does not use), ``mixed`` (the parts come in different languages) and
        ``warnings`` (that, and a part with both a ``.gotmpl`` and a ``.jinja`` file)."""
        res = self.renderer.resolve(tt.name, locale, ctx or {}, parts=tt.parts)
        files: dict[str, dict[str, Any]] = {}
        warnings: list[str] = []
        for part, pr in res.parts.items():
            if pr.derived_from is not None:
                files[part] = _DERIVED_TEXT | {"language": pr.language}
                continue
            info: dict[str, Any] = {
                "origin": pr.origin,
                "path": pr.path,
                "display": self.display(pr.path) if pr.path else (pr.problem or "missing"),
                "file": os.path.basename(pr.path) if pr.path else None,
                # A locale was asked for but the generic (default-locale) file answers.
                "fallback": bool(res.chain) and pr.path is not None and _is_generic(part, pr.path),
                "language": pr.language,
                "engine": pr.engine,
            }
            twin = _other_engine(pr.path)
            if twin is not None:
                info["twin"] = self.display(twin)
                warnings.append(
                    f"{_PART_LABELS[part]}: both {info['file']} and {os.path.basename(twin)} exist; "
                    f"{info['file']} is used (a .gotmpl file wins over a .jinja one). Delete the one you "
                    "do not mean."
                )
            files[part] = info
        # Emails only: the SMS is a message of its own.
        email_parts = {k: v for k, v in res.parts.items() if k != "sms"}
        is_mixed = mixed(email_parts)
        if is_mixed:
            langs = ", ".join(
                f"{_PART_LABELS[k].lower()} in {v.language}" for k, v in email_parts.items() if v.language
            )
            warnings.insert(
                0,
                f"Mixed languages: {langs}. Each part is resolved on its own (Kratos's rule): add the "
                "missing locale files to the override folder so that readers get one language.",
            )
        return {"files": files, "mixed": is_mixed, "warnings": warnings}

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
            "smtp": self.smtp_config is not None,
        }
        resolved = self.resolution(tt, locale, ctx)
        out.update(resolved)  # files, mixed, warnings
        out["sources"] = self.sources(out["files"])  # shown with a template error too
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
        if "plaintext" in out["files"] and "plaintext" not in used and email.html is not None:
            out["files"]["plaintext"] = _DERIVED_TEXT | {"used": True}  # what the render did
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
        self,
        name: str,
        locale: str | None,
        edited: Mapping[str, Any] | None,
        to: str,
        *,
        local_name: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Send the email on screen. ``local_name`` and ``headers`` (the form's) replace the
        configured EHLO name and extra headers for this send."""
        if self.smtp_config is None:
            raise PreviewError("sending is off: start the preview with --smtp-uri")
        from ..smtp import send

        smtp = self.smtp_config if local_name is None else self._smtp(local_name)
        tt = get_template_type(name)
        ctx, _ = self.context(tt, locale, edited)
        email = self.renderer.render(tt.name, ctx, locale=locale)
        msg = email.to_message(
            from_address=self.config.from_address,
            from_name=self.config.from_name,
            to=to,
            headers=dict(self.config.headers if headers is None else headers) or None,
        )
        result = send(msg, smtp)
        return {
            "ok": True,
            "answer": f"{result.code} {result.text}",
            "code": result.code,
            "text": result.text,
            "recipients": list(result.recipients),
            "tls": result.tls_version,
            "auth": result.auth_mechanism,
            "server": f"{smtp.host}:{smtp.port}",
            "ehlo": smtp.local_name,
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

    def sources(self, files: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
        """The template files of an email, for the page's Template tab (confined to the roots)."""
        out = []
        for part, info in files.items():
            path = info.get("path")
            if not path or not self._within_roots(path):
                continue
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    text = f.read(_MAX_SOURCE + 1)
            except OSError:
                continue
            if len(text) > _MAX_SOURCE:
                text = text[:_MAX_SOURCE] + "\n… (cut at 512 KiB)"
            out.append({"part": part, "label": _PART_LABELS[part], "display": info["display"], "text": text})
        return out

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

    # -- pages (laid out by templates/*.html) ---------------------------------------------------
    def index_main(self) -> str:
        """The index's <main> content (also fetched alone on reload)."""
        return pages.render("index_main.html", **self.index_data())

    def index_data(self) -> dict[str, Any]:
        roots = [
            {"origin": origin, "real": real, "shown": real if origin == "builtin" else shown}
            for origin, real, shown in self.roots
        ]
        return {
            "roots": roots,
            "context_file": self.config.context_file,
            "context_error": self.context_error,
            "cards": [self._card(tt) for tt in self.template_types()],
        }

    def _card(self, tt: TemplateType) -> dict[str, Any]:
        rows = []
        for loc in self.locales(tt):
            res = self.resolution(tt, loc if loc != self.default_locale else None)
            cells = []
            for part in tt.parts:
                info = res["files"][part]
                cls = f"file {info['origin'] or 'missing'}" + (" fallback" if info["fallback"] else "")
                if "twin" in info:
                    cls += " twin"
                title = info["display"] + (f" (also {info['twin']}, not used)" if "twin" in info else "")
                cells.append(
                    {"cls": cls, "title": title, "label": _file_label(part, info["file"], info["origin"])}
                )
            rows.append(
                {
                    "locale": loc,
                    "href": f"/email/{tt.name}?locale={quote(loc)}",
                    "cells": cells,
                    "mixed": res["mixed"],
                    "warnings": res["warnings"],
                }
            )
        return {
            "name": tt.name,
            "kratos_type": tt.kratos_type,
            "flow": tt.flow,
            "status": tt.status,
            "parts": [_PART_LABELS[p] for p in tt.parts],
            "rows": rows,
        }

    def index_page(self) -> str:
        attrs = {"page": "index", "seq": str(self.hub.seq)}
        return pages.render("index.html", title="Templates", attrs=attrs, **self.index_data())

    def nav(self, current: str) -> list[dict[str, Any]]:
        """The email page's sidebar: every template type with its locales."""
        return [
            {
                "name": tt.name,
                "flow": tt.flow,
                "status": tt.status,
                "current": tt.name == current,
                "locales": self.locales(tt),
            }
            for tt in self.template_types()
        ]

    def not_found_page(self, message: str = "") -> str:
        return pages.render("not_found.html", title="Not found", attrs={"page": "missing"}, message=message)

    def email_page(self, name: str, locale: str | None) -> str:
        tt = get_template_type(name)
        initial = self.render_data(tt.name, locale)
        loc = initial["locale"]
        locales = list(initial["locales"])
        if loc not in locales:
            locales.append(loc)
        tabs = [
            ("html", "HTML"),
            ("text", "Plaintext"),
            ("source", "HTML source"),
            ("template", "Template"),
            ("mime", "Raw MIME"),
        ]
        if "sms" in tt.parts:
            tabs.append(("sms", "SMS"))
        send = None
        if self.smtp_config is not None:
            send = {
                "server": f"{self.smtp_config.host}:{self.smtp_config.port}",
                "from_address": self.config.from_address,
                "local_name": self.config.local_name,
                "headers": "\n".join(f"{k}: {v}" for k, v in self.config.headers.items()),
                "client_cert": self.config.client_cert_path,
                "ca_file": self.config.ca_file,
            }
        return pages.render(
            "email.html",
            title=tt.name,
            attrs={
                "page": "email",
                "name": tt.name,
                "locale": loc,
                "seq": str(self.hub.seq),
                "token": self.token if send else "",
            },
            name=tt.name,
            kratos_type=tt.kratos_type,
            locale=loc,
            locales=locales,
            tabs=tabs,
            send=send,
            nav=self.nav(tt.name),
            initial_json=Markup(script_json(initial)),
        )

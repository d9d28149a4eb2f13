"""Paths and template sources, at the level of ``render()``: no name, locale, symlink or URI
leads outside the configured template roots.

Names (flow, status, part, locale) with ``..``, absolute paths, NUL bytes or backslashes are
refused before any file is looked at; symlinks that leave a root are refused; ``file://`` URIs
must stay inside a root; ``http(s)://`` URIs are off by default and, when on, are bounded in size
and time and never follow a redirect to another scheme (tested against a local server).
"""

from __future__ import annotations

import base64
import builtins
import ipaddress
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from helpers import write

from mailtemplates import Renderer
from mailtemplates.errors import InvalidName, LocaleError, MailTemplateError, TemplateSourceError
from mailtemplates.loader import Loader, read_uri

CTX = {"RecoveryURL": "https://auth.example.com/r?token=abc", "To": "ada@example.com"}


@pytest.fixture
def override(tmp_path: Path) -> Path:
    root = tmp_path / "override"
    write(root, "recovery/valid/email.subject.gotmpl", "Recover {{ .To }}")
    write(root, "recovery/valid/email.body.gotmpl", "<p>{{ .RecoveryURL }}</p>")
    write(root, "recovery/valid/email.body.plaintext.gotmpl", "{{ .RecoveryURL }}")
    return root


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    return write(tmp_path / "outside", "secret.gotmpl", "TOP SECRET {{ .To }}")


@pytest.fixture
def disk_log(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path the code under test stats, lists or opens (installed by calling ``arm()``)."""
    log: list[str] = []
    real_stat, real_open, real_listdir = os.stat, builtins.open, os.listdir

    def stat(path: Any, *a: Any, **k: Any) -> Any:
        log.append(f"stat {path}")
        return real_stat(path, *a, **k)

    def opened(path: Any, *a: Any, **k: Any) -> Any:
        log.append(f"open {path}")
        return real_open(path, *a, **k)

    def listdir(path: Any = ".") -> Any:
        log.append(f"listdir {path}")
        return real_listdir(path)

    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(builtins, "open", opened)
    monkeypatch.setattr(os, "listdir", listdir)
    return log


# -- names --------------------------------------------------------------------------------------

BAD_NAMES = [
    "../etc/passwd",
    "/etc/passwd",
    "recovery/../../etc",
    "recovery/valid/../../..",
    "recovery\\valid",
    "..\\..\\windows",
    "recovery/valid\x00",
    "recovery\x00/valid",
    "recovery//valid",
    "recovery/valid/",
    "./recovery/valid",
    "C:/recovery/valid",
    "~/recovery/valid",
    "recovery/valid\n",
    "",
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_template_names_that_could_leave_a_root_are_refused_before_the_disk(
    name: str, override: Path, disk_log: list[str]
) -> None:
    r = Renderer([override], check_interval=0)
    disk_log.clear()
    with pytest.raises(InvalidName) as info:
        r.render(name, CTX)
    assert str(info.value).startswith(f"unknown template type {name!r}")
    with pytest.raises(InvalidName):
        r.render_sms(name, CTX)
    assert disk_log == []


BAD_LOCALES = [
    "../de",
    "/etc",
    "de/../../x",
    "de\\x",
    "C:\\x",
    "de\x00",
    "de\n",
    "de_..",
    "de_DE.UTF-8",
    "de:x",
]


@pytest.mark.parametrize("locale", BAD_LOCALES)
def test_locales_that_could_leave_a_root_are_refused_before_the_disk(
    locale: str, override: Path, disk_log: list[str]
) -> None:
    r = Renderer([override], check_interval=0)
    disk_log.clear()
    with pytest.raises(InvalidName) as info:
        r.render("recovery/valid", CTX, locale=locale)
    assert str(info.value).startswith(
        f"locale {locale!r} is not allowed: locale tags may not contain path characters"
    )
    assert disk_log == []


def test_an_overlong_locale_is_refused(override: Path) -> None:
    with pytest.raises(LocaleError, match=r"is too long \(100 characters, at most 35\)"):
        Renderer([override]).render("recovery/valid", CTX, locale="x" * 100)


@pytest.mark.parametrize(
    "part", ["../email.subject", "/etc/passwd", "subject\x00", "email.subject", "SUBJECT"]
)
def test_unknown_parts_are_refused(part: str, override: Path) -> None:
    with pytest.raises(InvalidName) as info:
        Loader([override], builtin_root=None).find(("recovery", "valid"), part, ())
    assert str(info.value) == f"unknown template part {part!r}; use one of subject, body, plaintext, sms"


# -- symlinks -----------------------------------------------------------------------------------


def test_a_symlinked_file_leading_out_of_the_root_is_refused(override: Path, secret: Path) -> None:
    target = override / "recovery" / "valid" / "email.subject.gotmpl"
    target.unlink()
    os.symlink(secret, target)
    with pytest.raises(InvalidName) as info:
        Renderer([override]).render("recovery/valid", CTX)
    assert str(info.value) == f"{target} resolves outside its template root {override}"


def test_a_symlinked_folder_leading_out_of_the_root_is_refused(override: Path, secret: Path) -> None:
    folder = override / "recovery" / "invalid"
    os.symlink(secret.parent, folder)
    write(secret.parent, "email.subject.gotmpl", "TOP SECRET")
    with pytest.raises(InvalidName, match="resolves outside its template root"):
        Renderer([override]).render("recovery/invalid", {"To": "ada@example.com"})


def test_a_symlinked_sibling_leading_out_of_the_root_is_not_read(override: Path, secret: Path) -> None:
    os.symlink(secret, override / "recovery" / "valid" / "email.subject.de.gotmpl")
    write(override, "recovery/valid/email.subject.gotmpl", '{{ template "email.subject.de.gotmpl" . }}')
    with pytest.raises(MailTemplateError) as info:
        Renderer([override], use_builtins=False).render("recovery/valid", CTX)
    # The sibling is left out of the set, as if it were not there.
    assert info.value.message == (
        'executing "email.subject.gotmpl" at <{{template "email.subject.de.gotmpl" .}}>: '
        'template "email.subject.de.gotmpl" not defined'
    )


def test_a_symlink_inside_the_root_is_followed(override: Path) -> None:
    shared = write(override, "shared/subject.gotmpl", "Shared {{ .To }}")
    target = override / "recovery" / "valid" / "email.subject.gotmpl"
    target.unlink()
    os.symlink(shared, target)
    assert Renderer([override]).render("recovery/valid", CTX).subject == "Shared ada@example.com"


# -- file:// URIs ----------------------------------------------------------------------------------


#: The test server listens on loopback, which template URIs may not reach unless allowed.
LOOPBACK = "127.0.0.0/8"


def uri_renderer(uri: str, override: Path, **kw: Any) -> Renderer:
    return Renderer([override], template_uris={"recovery/valid": {"subject": uri}}, **kw)


def test_file_uris_inside_a_root_are_read(override: Path) -> None:
    p = write(override, "uris/subject.gotmpl", "From a file URI")
    assert uri_renderer(f"file://{p}", override).render("recovery/valid", CTX).subject == "From a file URI"


@pytest.mark.parametrize(
    "rel", ["/etc/passwd", "{root}/../outside/secret.gotmpl", "{root}/uris/../../outside/secret.gotmpl"]
)
def test_file_uris_outside_the_roots_are_refused(rel: str, override: Path, secret: Path) -> None:
    uri = "file://" + rel.format(root=override)
    with pytest.raises(TemplateSourceError) as info:
        uri_renderer(uri, override).render("recovery/valid", CTX)
    assert str(info.value) == f"{uri}: file URIs must point inside a configured template root"


def test_file_uri_symlink_out_of_the_root_is_refused(override: Path, secret: Path) -> None:
    link = override / "uris" / "link.gotmpl"
    link.parent.mkdir()
    os.symlink(secret, link)
    with pytest.raises(TemplateSourceError, match="must point inside a configured template root"):
        uri_renderer(f"file://{link}", override).render("recovery/valid", CTX)


def test_file_uri_with_a_nul_byte_is_refused(override: Path) -> None:
    uri = f"file://{override}/recovery/valid/email.subject.gotmpl\x00.txt"
    with pytest.raises(TemplateSourceError) as info:
        uri_renderer(uri, override).render("recovery/valid", CTX)
    assert str(info.value) == f"{uri!r}: a file URI cannot contain a NUL byte"


def test_uri_scheme_allowlist(override: Path) -> None:
    p = write(override, "uris/subject.gotmpl", "x")
    b64 = "base64://" + base64.b64encode(b"from base64").decode()
    loader = Loader(
        [override],
        builtin_root=None,
        uris={"recovery/valid": {"subject": f"file://{p}"}},
        uri_schemes=["base64"],
    )
    with pytest.raises(TemplateSourceError) as info:
        loader.find(("recovery", "valid"), "subject", ())
    assert str(info.value) == f"file://{p}: the file scheme is not allowed here (allowed: base64)"
    assert read_uri(b64, schemes=["base64"]) == "from base64"
    with pytest.raises(TemplateSourceError) as info:
        read_uri(b64, schemes=["file"])
    assert str(info.value) == "base64://[redacted]: the base64 scheme is not allowed here (allowed: file)"
    with pytest.raises(TemplateSourceError) as info:
        read_uri("gopher://example.com/t")
    assert (
        str(info.value)
        == "unknown scheme 'gopher' in template URI: allowed schemes: http, https, file, base64"
    )


# -- http(s):// URIs against a local server ------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, Any]] = {}

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        route = self.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_response(404)
            self.end_headers()
            return
        route(self)


def body(text: bytes, length: bool = True) -> Any:
    def send(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        if length:
            h.send_header("Content-Length", str(len(text)))
        h.end_headers()
        h.wfile.write(text)

    return send


def redirect(to: str) -> Any:
    def send(h: BaseHTTPRequestHandler) -> None:
        h.send_response(302)
        h.send_header("Location", to)
        h.end_headers()

    return send


def stream(chunks: int, size: int, pause: float = 0.0) -> Any:
    def send(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.end_headers()
        try:
            for _ in range(chunks):
                h.wfile.write(b"x" * size)
                h.wfile.flush()
                if pause:
                    time.sleep(pause)
        except OSError:
            pass  # the client gave up: that is the point

    return send


def trickle_headers(pause: float) -> Any:
    """A server that sends its status line and headers one byte at a time: each read returns
    within any per-read timeout, so only a deadline for the whole fetch stops it."""

    def send(h: BaseHTTPRequestHandler) -> None:
        try:
            for byte in b"HTTP/1.0 200 OK\r\nX-Slow: " + b"y" * 200:
                h.wfile.write(bytes((byte,)))
                h.wfile.flush()
                time.sleep(pause)
        except OSError:
            pass  # the client gave up: that is the point

    return send


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    Handler.routes = {
        "/ok": body(b"Hello from HTTP {{ .To }}"),
        "/to-ok": redirect("/ok"),
        "/to-file": redirect("file:///etc/passwd"),
        "/to-ftp": redirect("ftp://127.0.0.1/x"),
        "/huge": body(b"x" * (3 << 20)),
        "/huge-no-length": stream(64, 1 << 16),
        "/lying-length": body(b"x" * 10),
        "/slow": stream(100, 1, pause=0.3),
        "/trickle-headers": trickle_headers(0.1),
        "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/"),
    }
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield base
    srv.shutdown()
    srv.server_close()


def test_http_uris_are_off_by_default(server: str, override: Path) -> None:
    with pytest.raises(TemplateSourceError) as info:
        uri_renderer(f"{server}/ok", override).render("recovery/valid", CTX)
    assert str(info.value) == f"{server}/ok: http(s) template URIs are disabled (Renderer(allow_http=True))"


def test_http_uri_when_allowed(server: str, override: Path) -> None:
    r = uri_renderer(f"{server}/ok", override, allow_http=True, http_allowed_networks=LOOPBACK)
    assert r.render("recovery/valid", CTX).subject == "Hello from HTTP ada@example.com"
    assert (
        read_uri(f"{server}/to-ok", allow_http=True, http_allowed_networks=LOOPBACK)
        == "Hello from HTTP {{ .To }}"
    )


@pytest.mark.parametrize(
    ("path", "target"), [("/to-file", "file:///etc/passwd"), ("/to-ftp", "ftp://127.0.0.1/x")]
)
def test_http_redirects_to_other_schemes_are_refused(
    server: str, override: Path, path: str, target: str
) -> None:
    with pytest.raises(TemplateSourceError) as info:
        uri_renderer(f"{server}{path}", override, allow_http=True, http_allowed_networks=LOOPBACK).render(
            "recovery/valid", CTX
        )
    assert str(info.value) == f"{server}{path}: refusing redirect to {target} (another scheme)"


@pytest.mark.parametrize("path", ["/huge", "/huge-no-length"])
def test_http_bodies_over_the_size_limit_are_refused(server: str, path: str) -> None:
    t0 = time.perf_counter()
    with pytest.raises(TemplateSourceError) as info:
        read_uri(f"{server}{path}", allow_http=True, max_bytes=1 << 20, http_allowed_networks=LOOPBACK)
    assert str(info.value) == f"{server}{path}: template exceeds the size limit of 1048576 bytes"
    assert time.perf_counter() - t0 < 5


def test_http_slow_body_gives_up_after_the_timeout(server: str) -> None:
    t0 = time.perf_counter()
    with pytest.raises(TemplateSourceError) as info:
        read_uri(f"{server}/slow", allow_http=True, timeout=1.0, http_allowed_networks=LOOPBACK)
    assert str(info.value) == f"{server}/slow: took longer than 1.0 seconds"
    assert time.perf_counter() - t0 < 3


def test_http_error_status_is_refused(server: str) -> None:
    with pytest.raises(TemplateSourceError) as info:
        read_uri(f"{server}/missing", allow_http=True, http_allowed_networks=LOOPBACK)
    assert str(info.value) == f"{server}/missing: expected http response status code 200 but got 404"


def test_http_trickled_headers_give_up_at_the_total_deadline(server: str) -> None:
    """Before: urllib's timeout is per read, and a byte every 0.3 s held a render 26 s."""
    t0 = time.perf_counter()
    with pytest.raises(TemplateSourceError) as info:
        read_uri(f"{server}/trickle-headers", allow_http=True, timeout=1.0, http_allowed_networks=LOOPBACK)
    assert str(info.value) == f"{server}/trickle-headers: took longer than 1.0 seconds"
    assert time.perf_counter() - t0 < 2.5


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_http_to_loopback_is_refused_unless_allowed(server: str, override: Path, host: str) -> None:
    url = server.replace("127.0.0.1", host) + "/ok"
    with pytest.raises(TemplateSourceError) as info:
        uri_renderer(url, override, allow_http=True).render("recovery/valid", CTX)
    assert str(info.value).startswith(f"{url}: refusing to fetch from {host}: ")
    assert "is a loopback address (allow it with Renderer(http_allowed_networks=...))" in str(info.value)
    allowed = uri_renderer(url, override, allow_http=True, http_allowed_networks="10.0.0.0/8, 127.0.0.1")
    assert allowed.render("recovery/valid", CTX).subject == "Hello from HTTP ada@example.com"


def test_http_redirect_to_the_metadata_service_is_refused(server: str) -> None:
    # The first hop is allowed (loopback is listed); the redirect's destination is checked again.
    with pytest.raises(TemplateSourceError) as info:
        read_uri(f"{server}/to-metadata", allow_http=True, http_allowed_networks=LOOPBACK)
    assert str(info.value) == (
        f"{server}/to-metadata: refusing to fetch from 169.254.169.254: 169.254.169.254 is a "
        "link-local address (allow it with Renderer(http_allowed_networks=...))"
    )


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("127.0.0.53", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("100.64.0.1", "non-public"),
        ("0.0.0.0", "private"),
        ("224.0.0.1", "non-public"),
        ("93.184.215.14", None),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", None),
    ],
)
def test_http_destination_policy(address: str, refused: str | None) -> None:
    from mailtemplates._http import _refused, parse_networks

    ip = ipaddress.ip_address(address)
    problem = _refused(ip, ())
    assert (problem is None) == (refused is None)
    if refused is not None:
        shown = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip
        assert problem == f"{shown} is a {refused} address"
        assert _refused(ip, parse_networks([address])) is None


def test_http_allowed_networks_must_be_networks() -> None:
    from mailtemplates._http import parse_networks

    assert [str(n) for n in parse_networks("10.0.0.0/8, ::1,")] == ["10.0.0.0/8", "::1/128"]
    with pytest.raises(TemplateSourceError, match="'intranet' is not an IP network"):
        parse_networks("intranet")

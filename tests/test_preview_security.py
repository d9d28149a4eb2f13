"""The preview under attack: DNS rebinding (with and without ``--allow-remote``), cross-site posts,
hostile request bodies, and email content that tries to run script in the browser."""

from __future__ import annotations

import contextlib
import io
import json
import socket
import time
from collections.abc import Callable
from typing import Any

import pytest

from mailtemplates.models import sample_context
from mailtemplates.preview.handler import _BadRequest, host_allowed, read_chunked

pytest.register_assert_rewrite("preview_support")  # before it is imported, as a plugin
pytest_plugins = ["preview_support"]  # its fixtures: start, live, browser, page
from preview_support import WAIT, Live, needs_chromium, replace_in, wait_live  # noqa: E402


def raw(port: int, head: str, body: bytes = b"") -> tuple[int, bytes, float]:
    """Send a hand-made request (``head`` ends with its empty line); return the status, the
    answer's body and how long the answer took."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as s:
        t0 = time.perf_counter()
        s.sendall(head.replace("\n", "\r\n").encode("latin-1"))  # as http.server decodes it
        with contextlib.suppress(OSError):  # the server may answer (and close) before the body
            s.sendall(body)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
        took = time.perf_counter() - t0
        return int(data.split(b" ", 2)[1]), data.partition(b"\r\n\r\n")[2], took


def post_head(port: int, extra: str) -> str:
    return (
        f"POST /api/render/login_code/valid HTTP/1.1\nHost: 127.0.0.1:{port}\n"
        f"Content-Type: application/json\n{extra}\n"
    )


# -- Host and Origin --------------------------------------------------------------------------------


def test_host_allow_list() -> None:
    allowed = ["preview.internal", ".corp.example"]
    for host in (
        "localhost:8025",
        "app.localhost",
        "127.0.0.1:1",
        "[::1]:8025",
        "10.0.0.7:8025",
        "[fe80::1]",
    ):
        assert host_allowed(host, []), host
    for host in ("preview.internal:8025", "PREVIEW.INTERNAL.", "corp.example", "a.b.corp.example:80"):
        assert host_allowed(host, allowed), host
    for host in (
        "",
        ":8025",
        "rebind.example:8025",
        "preview.internal.evil",
        "xcorp.example",
        "localhost.evil",
    ):
        assert not host_allowed(host, allowed), host


@pytest.mark.parametrize("remote", [False, True])
def test_dns_rebinding_is_refused_with_and_without_allow_remote(
    start: Callable[..., Live], remote: bool
) -> None:
    # --allow-remote used to switch the Host and Origin checks off: a page on rebind.example,
    # rebound to the preview's address, could read every template and send mail.
    config: dict[str, Any] = {"host": "0.0.0.0", "allow_remote": True} if remote else {}
    live = start(allowed_hosts=["preview.internal"], **config)
    foreign = {"Host": f"rebind.example:{live.port}"}
    assert live.get("/", headers=foreign).status == 421
    assert live.get("/api/render/recovery/valid", headers=foreign).status == 421
    rebound = live.post(
        "/api/render/recovery/valid",
        {"context": None},
        headers=foreign | {"Origin": f"http://rebind.example:{live.port}"},
    )
    assert rebound.status == 421
    # Reachable by address, by localhost, and by the names given with --allowed-host.
    for host in ("127.0.0.1", "localhost", "preview.internal", "192.0.2.10"):
        assert live.get("/", headers={"Host": f"{host}:{live.port}"}).status == 200, host
    # Cross-origin and cross-site posts stay refused whatever --allow-remote says.
    cross = live.post("/api/render/recovery/valid", {}, headers={"Origin": "http://evil.example"})
    assert cross.status == 403
    site = live.post("/api/render/recovery/valid", {}, headers={"Sec-Fetch-Site": "cross-site"})
    assert site.status == 403
    same = live.post(
        "/api/render/recovery/valid",
        {},
        headers={"Origin": f"http://preview.internal:{live.port}", "Host": f"preview.internal:{live.port}"},
    )
    assert same.status == 200


# -- request bodies ---------------------------------------------------------------------------------


def test_negative_or_malformed_content_length_is_refused(live: Live) -> None:
    big = b"x" * (3 << 20)
    for value in ("-1", "+5", "1_0", "0x10", "abc", "1 1", "²"):
        status, answer, _ = raw(live.port, post_head(live.port, f"Content-Length: {value}\n"), big)
        assert status == 400 and b"bad Content-Length" in answer, value
    # Over the limit: refused from the header, before a byte of the body is read.
    status, _, took = raw(live.port, post_head(live.port, f"Content-Length: {300 << 20}\n"))
    assert status == 413 and took < WAIT / 2
    # The same request with an honest length is answered.
    ctx = json.dumps({"context": sample_context("login_code/valid") | {"LoginCode": "424242"}}).encode()
    status, answer, _ = raw(live.port, post_head(live.port, f"Content-Length: {len(ctx)}\n"), ctx)
    assert status == 200 and "424242" in json.loads(answer)["subject"]


def chunked(*parts: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def test_chunked_bodies_are_decoded_and_bounded(live: Live) -> None:
    ctx = {"context": sample_context("login_code/valid") | {"LoginCode": "424242"}}
    body = json.dumps(ctx).encode()
    head = post_head(live.port, "Transfer-Encoding: chunked\n")
    status, answer, _ = raw(live.port, head, chunked(body[:10], body[10:]))
    assert status == 200 and "424242" in json.loads(answer)["subject"]
    piece = b" " * (256 << 10)
    status, _, _ = raw(live.port, head, chunked(*[piece] * 5))  # 1.25 MiB in 256 KiB chunks
    assert status == 413
    status, _, _ = raw(live.port, head, b"zz\r\n")
    assert status == 400


def test_read_chunked_refuses_before_reading_an_oversized_chunk() -> None:
    class Counting(io.BytesIO):
        def __init__(self, data: bytes) -> None:
            super().__init__(data)
            self.read_sizes: list[int] = []

        def read(self, n: int | None = -1) -> bytes:
            self.read_sizes.append(n if n is not None else -1)
            return super().read(n)

    stream = Counting(b"%x\r\n" % (300 << 20) + b"x" * 16)
    with pytest.raises(_BadRequest) as e:
        read_chunked(stream, 1 << 20)
    assert e.value.status == 413 and stream.read_sizes == []
    assert read_chunked(io.BytesIO(chunked(b"ab", b"c") + b""), 10) == b"abc"
    with pytest.raises(_BadRequest):
        read_chunked(io.BytesIO(b"3\r\nabcXX"), 10)


# -- email content in the browser -------------------------------------------------------------------

PAYLOAD = (
    "<script>window.parent.__pwned = 'script'</script>"
    "<iframe srcdoc=\"<script>window.top.__pwned = 'srcdoc'</script>\"></iframe>"
    '<img src="data:," onerror="window.parent.__pwned = \'onerror\'">'
    '<a id="js" href="javascript:window.parent.__pwned = \'href\'">x</a>'
)


@pytest.mark.browser
@needs_chromium
def test_script_in_an_email_never_runs(live: Live, page: Any) -> None:
    body = live.path("recovery/valid/email.body.gotmpl")
    replace_in(body, "</body>", PAYLOAD + "</body>")
    # Control: the same markup in a plain page runs (so the payload is a real one).
    page.set_content("<iframe id='f'></iframe>")
    page.evaluate("(html) => { document.getElementById('f').srcdoc = html }", PAYLOAD)
    page.wait_for_function("() => window.__pwned !== undefined", timeout=WAIT * 1000)

    page.goto(live.url + "email/recovery/valid")
    wait_live(page)
    page.wait_for_function("document.body.dataset.state === 'ok'")
    frame = page.frame_locator("#frame")
    assert frame.locator("script").count() == 1  # the email has it, as Go renders it
    assert frame.locator("iframe").count() == 1
    frame.locator("#js").click()
    page.wait_for_timeout(300)  # give anything that could run a chance to
    assert page.evaluate("window.__pwned") is None
    assert page.get_attribute("#frame", "sandbox") == "allow-same-origin"
    csp = frame.locator("meta[http-equiv=Content-Security-Policy]").get_attribute("content")
    assert csp is not None and "script-src 'none'" in csp

"""Local delivery endpoints for the courier tests and benchmark: an SMTP sink with scripted faults
(aiosmtpd) and an HTTP endpoint with scripted statuses. Both count what they accepted."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import socketserver
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

_MESSAGE_ID = re.compile(rb"^Message-ID: *(<[^>\r\n]+>)", re.MULTILINE | re.IGNORECASE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sink:
    """aiosmtpd handler. ``plan`` holds actions for the next DATA commands, in order:
    an SMTP reply such as ``"451 4.3.0 try later"``, ``"disconnect"`` (drop the connection
    before answering), or ``("slow", seconds)`` (answer 250 after a delay). No action: 250.
    Messages the sink keeps (250, or slow) are counted in ``ids``; ``attempts`` has the data of
    every DATA command, refused ones included."""

    def __init__(self) -> None:
        self.plan: deque[Any] = deque()
        self.ids: Counter[str] = Counter()
        self.messages: list[bytes] = []
        self.attempts: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.connections = 0
        self.lock = threading.Lock()

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]) -> list[str]:
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            action = self.plan.popleft() if self.plan else None
            self.attempts.append(envelope.original_content)
        if action == "disconnect":
            server.transport.close()
            return "421 4.3.0 gone"  # never reaches the client: the connection is closed
        if isinstance(action, str):
            return action
        data: bytes = envelope.original_content
        m = _MESSAGE_ID.search(data)
        with self.lock:
            self.ids[m.group(1).decode() if m else "?"] += 1
            self.messages.append(data)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        if isinstance(action, tuple) and action[0] == "slow":
            # Stored, then slow to say so: a client that gives up first will send it again.
            await asyncio.sleep(action[1])
        return "250 2.0.0 Ok: queued"

    @property
    def total(self) -> int:
        with self.lock:
            return sum(self.ids.values())


@contextmanager
def smtp_sink(sink: Sink | None = None) -> Iterator[tuple[Sink, int]]:
    sink = sink or Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, server_hostname="sink.test")
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


class _ForkingSMTP(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: every command succeeds; each message's Message-ID is
    appended to the server's ``log`` file (one short O_APPEND write, atomic across processes)."""

    def handle(self) -> None:
        write, readline = self.wfile.write, self.rfile.readline
        log_fd: int = self.server.log_fd  # type: ignore[attr-defined]
        write(b"220 sink ESMTP\r\n")
        while True:
            line = readline()
            if not line:
                return
            cmd = line[:4].upper()
            if cmd == b"EHLO":
                write(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
            elif cmd == b"DATA":
                write(b"354 go ahead\r\n")
                mid = b"?"
                while (chunk := readline()) not in (b".\r\n", b""):
                    if chunk[:11].lower() == b"message-id:":
                        mid = chunk[11:].strip()
                if not chunk:
                    return  # the client died in the middle of DATA: nothing was delivered
                write(b"250 2.0.0 queued\r\n")
                if log_fd >= 0:
                    os.write(log_fd, mid + b"\n")
            elif cmd == b"QUIT":
                write(b"221 bye\r\n")
                return
            else:
                write(b"250 ok\r\n")


class _ForkingServer(socketserver.ForkingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    log_fd = -1


@contextmanager
def forking_sink(log: str | None = None) -> Iterator[tuple[Callable[[], Counter[str]], int]]:
    """A fast SMTP sink that forks per connection (no shared GIL with the test or the workers).
    Yields (a function returning the Message-ID counts so far, port)."""
    server = _ForkingServer(("127.0.0.1", 0), _ForkingSMTP)
    if log is not None:
        server.log_fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()

    def received() -> Counter[str]:
        if log is None:
            return Counter()
        with open(log, "rb") as f:
            return Counter(x.decode() for x in f.read().splitlines())

    try:
        yield received, int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        t.join()
        if server.log_fd >= 0:
            os.close(server.log_fd)


class HTTPEndpoint:
    """Records every request; answers with the next status in ``plan`` (default 200)."""

    def __init__(self) -> None:
        self.plan: deque[int] = deque()
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()


@contextmanager
def http_endpoint() -> Iterator[tuple[HTTPEndpoint, str]]:
    ep = HTTPEndpoint()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with ep.lock:
                status = ep.plan.popleft() if ep.plan else 200
                ep.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers.items()),
                        "json": json.loads(body) if body else None,
                        "status": status,
                    }
                )
            payload = b'{"error":"nope"}' if status >= 400 else b"{}"
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_POST = do_PUT = _handle

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield ep, f"http://127.0.0.1:{server.server_address[1]}/send"
    finally:
        server.shutdown()
        server.server_close()
        t.join()

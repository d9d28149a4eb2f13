"""Fetching ``http(s)://`` template URIs (the loader imports this only when one is configured).

Two guards that urllib cannot give:

- **One deadline for the whole fetch.** A socket timeout bounds each read, so a server that
  trickles a byte at a time (headers included) could hold a render for ever. Here name
  resolution, connecting, the TLS handshake, the headers and the body all share one deadline:
  a timer shuts the socket down when it passes.
- **Where a template may come from.** A template URI is configuration, but it is fetched from
  inside the courier's network, so addresses that are not public (loopback, link-local such as
  the cloud metadata service at 169.254.169.254, private ranges, unique-local IPv6, ...) are
  refused unless a network is allowed explicitly. The host is resolved once, *every* address is
  checked (so a name that resolves to one public and one private address is refused), and the
  connection goes to a checked address, so a DNS answer that changes between check and connect
  (rebinding) cannot redirect it. Each redirect is checked the same way.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Iterable, Sequence

from .errors import TemplateSourceError

__all__ = ["Network", "parse_networks", "read_http"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Redirects followed at most (Go's http.Client stops after 10 too).
MAX_REDIRECTS = 10
_REDIRECTS = (301, 302, 303, 307, 308)


def parse_networks(networks: str | Iterable[str] | None) -> tuple[Network, ...]:
    """Networks from ``"127.0.0.1/32,10.0.0.0/8"`` or a list of such strings (a bare address is
    a one-address network). Raises :class:`TemplateSourceError` for anything else."""
    if networks is None:
        return ()
    items = networks.split(",") if isinstance(networks, str) else list(networks)
    out: list[Network] = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        try:
            out.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise TemplateSourceError(f"{text!r} is not an IP network (like 10.0.0.0/8 or ::1)") from None
    return tuple(out)


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # is_global is False for loopback, link-local, private, shared (100.64/10), reserved and
    # unspecified addresses; multicast is never a web server.
    return ip.is_global and not ip.is_multicast


def _refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, allowed: Sequence[Network]) -> str | None:
    if any(ip in net for net in allowed):
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        if any(ip in net for net in allowed):
            return None
    if _public(ip):
        return None
    kind = (
        "loopback"
        if ip.is_loopback
        else "link-local"
        if ip.is_link_local
        else "private"
        if ip.is_private
        else "non-public"
    )
    return f"{ip} is a {kind} address"


class _Deadline:
    """The time left, and a timer that shuts a socket down when it runs out."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            self.expired = True
            raise TimeoutError("deadline")
        return left

    def guard(self, sock: socket.socket) -> threading.Timer:
        def stop() -> None:
            self.expired = True
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(self.left(), stop)
        timer.daemon = True
        timer.start()
        return timer


def _resolve(host: str, port: int, deadline: _Deadline) -> list[tuple[int, tuple[object, ...]]]:
    """getaddrinfo within the deadline (it cannot be interrupted: it runs in a thread that is
    abandoned if it does not answer in time)."""
    result: list[object] = []

    def lookup() -> None:
        try:
            result.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as e:
            result.append(e)

    thread = threading.Thread(target=lookup, daemon=True)
    thread.start()
    thread.join(deadline.left())
    if not result:
        deadline.expired = True
        raise TimeoutError("name resolution")
    if isinstance(result[0], OSError):
        raise result[0]
    infos: list[tuple[int, tuple[object, ...]]] = [(fam, addr) for fam, _, _, _, addr in result[0]]  # type: ignore[attr-defined]
    return infos


def _connect(
    uri: str, url: str, deadline: _Deadline, allowed: Sequence[Network]
) -> tuple[socket.socket, str, int, str]:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname
    if not host:
        raise TemplateSourceError(f"{uri}: no host in {url}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    infos = _resolve(host, port, deadline)
    for _, addr in infos:
        ip = ipaddress.ip_address(str(addr[0]).split("%", 1)[0])
        problem = _refused(ip, allowed)
        if problem is not None:
            raise TemplateSourceError(
                f"{uri}: refusing to fetch from {host}: {problem} "
                "(allow it with Renderer(http_allowed_networks=...))"
            )
    last: OSError | None = None
    for family, addr in infos:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(deadline.left())
            sock.connect(addr)
        except OSError as e:
            sock.close()
            last = e
            continue
        if parts.scheme == "https":
            context = ssl.create_default_context()
            try:
                sock.settimeout(deadline.left())
                sock = context.wrap_socket(sock, server_hostname=host)
            except BaseException:
                sock.close()
                raise
        return sock, host, port, parts.scheme
    raise last or OSError(f"cannot connect to {host}")


def _get(
    uri: str, url: str, deadline: _Deadline, max_bytes: int, allowed: Sequence[Network]
) -> tuple[int, str | None, bytes]:
    """One GET: (status, Location, body). The body is read only for a 200."""
    sock, host, port, scheme = _connect(uri, url, deadline, allowed)
    timer = deadline.guard(sock)
    conn = (
        http.client.HTTPConnection(host, port)
        if scheme == "http"
        else http.client.HTTPSConnection(host, port)
    )
    resp: http.client.HTTPResponse | None = None
    try:
        conn.sock = sock  # connected (and checked) above: http.client does not connect again
        parts = urllib.parse.urlsplit(url)
        target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        conn.request("GET", target, headers={"Accept-Encoding": "identity", "User-Agent": "mailtemplates"})
        resp = conn.getresponse()
        if resp.status in _REDIRECTS:
            return resp.status, resp.getheader("Location") or "", b""
        if resp.status != 200:
            return resp.status, None, b""
        length = resp.getheader("Content-Length")
        if length is not None and length.isdigit() and int(length) > max_bytes:
            raise TemplateSourceError(f"{uri}: template exceeds the size limit of {max_bytes} bytes")
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            chunk = resp.read1(min(65536, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            raise TemplateSourceError(f"{uri}: template exceeds the size limit of {max_bytes} bytes")
        if deadline.expired:
            raise TimeoutError("deadline")
        return 200, None, b"".join(chunks)
    finally:
        timer.cancel()
        if resp is not None:
            resp.close()
        conn.close()
        sock.close()


def read_http(uri: str, timeout: float, max_bytes: int, allowed_networks: Sequence[Network] = ()) -> bytes:
    """The body of ``uri`` (200 only), within ``timeout`` seconds in all and ``max_bytes``.

    Redirects stay on the same scheme (or go from http to https) and every hop's addresses are
    checked against the destination policy; ``allowed_networks`` are let through it.
    """
    deadline = _Deadline(timeout)
    url = uri
    try:
        for _ in range(MAX_REDIRECTS + 1):
            status, location, data = _get(uri, url, deadline, max_bytes, allowed_networks)
            if location is not None:
                target = urllib.parse.urljoin(url, location)
                old = urllib.parse.urlsplit(url).scheme.lower()
                new = urllib.parse.urlsplit(target).scheme.lower()
                if new not in ("http", "https") or (new != old and not (old == "http" and new == "https")):
                    raise TemplateSourceError(f"{uri}: refusing redirect to {location} (another scheme)")
                url = target
                continue
            if status != 200:
                raise TemplateSourceError(f"{uri}: expected http response status code 200 but got {status}")
            return data
        raise TemplateSourceError(f"{uri}: stopped after {MAX_REDIRECTS} redirects")
    except TemplateSourceError:
        raise
    except (OSError, http.client.HTTPException, ValueError) as e:
        if deadline.expired:
            raise TemplateSourceError(f"{uri}: took longer than {timeout} seconds") from None
        raise TemplateSourceError(f"{uri}: {e}") from None

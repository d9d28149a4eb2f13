"""Go's ``net/url`` (Parse and URL.String), ``path`` and ``os.Expand``, for sprig.

``urlParse`` and ``urlJoin`` go through Go's URL model (scheme, opaque, userinfo, host, path,
raw query, fragment), with Go's escaping rules per component and Go's error messages
(``parse "http://a b": invalid character " " in host name``). ``base``, ``dir``, ``clean``,
``ext`` and ``isAbs`` are Go's ``path`` functions (``filepath`` is the same on Unix).

Follows Go 1.26 ``src/net/url/url.go``, ``src/path/path.go`` and ``src/os/env.go`` (``Expand``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from ..gostrconv import go_bytes, go_str, quote

__all__ = ["URL", "URLError", "base", "clean", "dir_", "expand", "ext", "is_abs", "parse_url"]


class URLError(ValueError):
    """A net/url error; ``str(e)`` is Go's message."""


# encoding modes
PATH, PATH_SEGMENT, HOST, ZONE, USER_PASSWORD, QUERY_COMPONENT, FRAGMENT = range(7)
_UPPERHEX: Final = "0123456789ABCDEF"


def _should_escape(c: int, mode: int) -> bool:
    """net/url.shouldEscape (RFC 3986 rules per URL component)."""
    ch = chr(c)
    if ch.isascii() and ch.isalnum():
        return False
    if mode in (HOST, ZONE) and ch in "!$&'()*+,;=:[]<>\"":
        return False
    if ch in "-_.~":
        return False
    if ch in "$&+,/:;=?@":
        if mode == PATH:
            return ch == "?"
        if mode == PATH_SEGMENT:
            return ch in "/;,?"
        if mode == USER_PASSWORD:
            return ch in "@/?:"
        if mode == QUERY_COMPONENT:
            return True
        if mode == FRAGMENT:
            return False
    return not (mode == FRAGMENT and ch in "!()*")


def _ishex(c: int) -> bool:
    return 48 <= c <= 57 or 97 <= c <= 102 or 65 <= c <= 70


def _unhex(c: int) -> int:
    return int(chr(c), 16)


def escape(s: str, mode: int) -> str:
    """net/url.escape."""
    out = bytearray()
    for c in go_bytes(s):
        if c == 0x20 and mode == QUERY_COMPONENT:
            out.append(0x2B)
        elif _should_escape(c, mode):
            out += b"%" + _UPPERHEX[c >> 4].encode() + _UPPERHEX[c & 15].encode()
        else:
            out.append(c)
    return go_str(bytes(out))


def unescape(s: str, mode: int) -> str:
    """net/url.unescape; raises URLError (Go's EscapeError / InvalidHostError texts)."""
    b = go_bytes(s)
    i = 0
    n = 0
    has_plus = False
    while i < len(b):
        c = b[i]
        if c == 0x25:  # %
            n += 1
            if i + 2 >= len(b) or not _ishex(b[i + 1]) or not _ishex(b[i + 2]):
                bad = b[i:]
                if len(bad) > 3:
                    bad = bad[:3]
                raise URLError("invalid URL escape " + quote(go_str(bad)))
            if mode == HOST and _unhex(b[i + 1]) < 8 and b[i : i + 3] != b"%25":
                raise URLError("invalid URL escape " + quote(go_str(b[i : i + 3])))
            if mode == ZONE:
                v = _unhex(b[i + 1]) << 4 | _unhex(b[i + 2])
                if b[i : i + 3] != b"%25" and v != 0x20 and _should_escape(v, HOST):
                    raise URLError("invalid URL escape " + quote(go_str(b[i : i + 3])))
            i += 3
        elif c == 0x2B:
            has_plus = mode == QUERY_COMPONENT
            i += 1
        else:
            if mode in (HOST, ZONE) and c < 0x80 and _should_escape(c, mode):
                raise URLError("invalid character " + quote(chr(c)) + " in host name")
            i += 1
    if n == 0 and not has_plus:
        return s
    out = bytearray()
    i = 0
    while i < len(b):
        c = b[i]
        if c == 0x25:
            out.append(_unhex(b[i + 1]) << 4 | _unhex(b[i + 2]))
            i += 3
            continue
        if c == 0x2B:
            out.append(0x20 if mode == QUERY_COMPONENT else 0x2B)
        else:
            out.append(c)
        i += 1
    return go_str(bytes(out))


@dataclass
class Userinfo:
    username: str
    password: str = ""
    password_set: bool = False

    def string(self) -> str:
        s = escape(self.username, USER_PASSWORD)
        if self.password_set:
            s += ":" + escape(self.password, USER_PASSWORD)
        return s


@dataclass
class URL:
    scheme: str = ""
    opaque: str = ""
    user: Userinfo | None = None
    host: str = ""
    path: str = ""
    raw_path: str = ""
    omit_host: bool = False
    force_query: bool = False
    raw_query: str = ""
    fragment: str = ""
    raw_fragment: str = ""

    def hostname(self) -> str:
        host, _ = _split_host_port(self.host)
        return host

    def escaped_path(self) -> str:
        if self.raw_path and _valid_encoded(self.raw_path, PATH):
            try:
                p = unescape(self.raw_path, PATH)
            except URLError:
                p = None
            if p == self.path:
                return self.raw_path
        if self.path == "*":
            return "*"
        return escape(self.path, PATH)

    def escaped_fragment(self) -> str:
        if self.raw_fragment and _valid_encoded(self.raw_fragment, FRAGMENT):
            try:
                f = unescape(self.raw_fragment, FRAGMENT)
            except URLError:
                f = None
            if f == self.fragment:
                return self.raw_fragment
        return escape(self.fragment, FRAGMENT)

    def string(self) -> str:
        """URL.String."""
        buf: list[str] = []
        if self.scheme:
            buf.append(self.scheme + ":")
        if self.opaque:
            buf.append(self.opaque)
        else:
            if (self.scheme or self.host or self.user is not None) and not (
                self.omit_host and not self.host and self.user is None
            ):
                if self.host or self.path or self.user is not None:
                    buf.append("//")
                if self.user is not None:
                    buf.append(self.user.string() + "@")
                if self.host:
                    buf.append(escape(self.host, HOST))
            path = self.escaped_path()
            if path and path[0] != "/" and self.host:
                buf.append("/")
            if not "".join(buf):
                segment = path.split("/", 1)[0]
                if ":" in segment:
                    buf.append("./")
            buf.append(path)
        if self.force_query or self.raw_query:
            buf.append("?" + self.raw_query)
        if self.fragment:
            buf.append("#" + self.escaped_fragment())
        return "".join(buf)


def _valid_encoded(s: str, mode: int) -> bool:
    for c in go_bytes(s):
        if chr(c) in "!$&'()*+,;=:@[]%":
            continue
        if _should_escape(c, mode):
            return False
    return True


def _valid_optional_port(port: str) -> bool:
    if port == "":
        return True
    if port[0] != ":":
        return False
    return all("0" <= c <= "9" for c in port[1:])


def _split_host_port(host_port: str) -> tuple[str, str]:
    host, port = host_port, ""
    colon = host.rfind(":")
    if colon != -1 and _valid_optional_port(host[colon:]):
        host, port = host[:colon], host[colon + 1 :]
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, port


def _get_scheme(raw: str) -> tuple[str, str]:
    for i, c in enumerate(raw):
        if c.isascii() and c.isalpha():
            continue
        if c.isascii() and (c.isdigit() or c in "+-."):
            if i == 0:
                return "", raw
            continue
        if c == ":":
            if i == 0:
                raise URLError("missing protocol scheme")
            return raw[:i], raw[i + 1 :]
        return "", raw
    return "", raw


def _valid_userinfo(s: str) -> bool:
    return all((c.isascii() and c.isalnum()) or c in "-._:~!$&'()*+,;=%@" for c in s)


def _parse_host(scheme: str, host: str) -> str:
    open_idx = host.rfind("[")
    if open_idx > 0:
        raise URLError("invalid IP-literal")
    if open_idx == 0:
        close_idx = host.rfind("]")
        if close_idx < 0:
            raise URLError("missing ']' in host")
        colon_port = host[close_idx + 1 :]
        if not _valid_optional_port(colon_port):
            raise URLError(f"invalid port {quote(colon_port)} after host")
        unescaped_port = unescape(colon_port, HOST)
        hostname = host[1:close_idx]
        zone_idx = hostname.find("%25")
        if zone_idx >= 0:
            unescaped = unescape(hostname[:zone_idx], HOST) + unescape(hostname[zone_idx:], ZONE)
        else:
            unescaped = unescape(hostname, HOST)
        addr_text = unescaped.split("%", 1)[0]
        try:
            addr = ipaddress.ip_address(addr_text)
        except ValueError:
            raise URLError(f"invalid host: ParseAddr({quote(unescaped)}): unable to parse IP") from None
        if addr.version == 4:
            raise URLError("invalid IP-literal")
        return "[" + unescaped + "]" + unescaped_port
    i = host.find(":")
    if i != -1:
        # The port follows the last colon. (Go 1.26 made http and https stricter, but only for
        # modules that declare go 1.26; Kratos and the oracle get this older behaviour.)
        i = host.rfind(":")
        colon_port = host[i:]
        if not _valid_optional_port(colon_port):
            raise URLError(f"invalid port {quote(colon_port)} after host")
    return unescape(host, HOST)


def _parse_authority(scheme: str, authority: str) -> tuple[Userinfo | None, str]:
    i = authority.rfind("@")
    host = _parse_host(scheme, authority if i < 0 else authority[i + 1 :])
    if i < 0:
        return None, host
    userinfo = authority[:i]
    if not _valid_userinfo(userinfo):
        raise URLError("net/url: invalid userinfo")
    if ":" not in userinfo:
        return Userinfo(unescape(userinfo, USER_PASSWORD)), host
    username, password = userinfo.split(":", 1)
    return Userinfo(unescape(username, USER_PASSWORD), unescape(password, USER_PASSWORD), True), host


def _parse(raw: str) -> URL:
    if any(ord(c) < 0x20 or c == "\x7f" for c in raw):
        raise URLError("net/url: invalid control character in URL")
    u = URL()
    if raw == "*":
        u.path = "*"
        return u
    scheme, rest = _get_scheme(raw)
    u.scheme = scheme.lower()
    if rest.endswith("?") and rest.count("?") == 1:
        u.force_query = True
        rest = rest[:-1]
    else:
        rest, _, u.raw_query = rest.partition("?")
    if not rest.startswith("/"):
        if u.scheme:
            u.opaque = rest
            return u
        segment = rest.split("/", 1)[0]
        if ":" in segment:
            raise URLError("first path segment in URL cannot contain colon")
    if (u.scheme or not rest.startswith("///")) and rest.startswith("//"):
        authority, rest = rest[2:], ""
        j = authority.find("/")
        if j >= 0:
            authority, rest = authority[:j], authority[j:]
        u.user, u.host = _parse_authority(u.scheme, authority)
    elif u.scheme and rest.startswith("/"):
        u.omit_host = True
    u.path = unescape(rest, PATH)
    u.raw_path = "" if escape(u.path, PATH) == rest else rest
    return u


def parse_url(raw: str) -> URL:
    """url.Parse; raises URLError with Go's ``parse "...": ...`` message."""
    u_str, _, frag = raw.partition("#")
    try:
        u = _parse(u_str)
    except URLError as e:
        raise URLError(f"parse {quote(u_str)}: {e}") from None
    if frag == "":
        return u
    try:
        u.fragment = unescape(frag, FRAGMENT)
    except URLError as e:
        raise URLError(f"parse {quote(raw)}: {e}") from None
    u.raw_fragment = "" if escape(u.fragment, FRAGMENT) == frag else frag
    return u


# -- path ----------------------------------------------------------------------------------------


def clean(path: str) -> str:
    """path.Clean: the shortest equivalent path (lexically)."""
    if path == "":
        return "."
    rooted = path[0] == "/"
    n = len(path)
    out: list[str] = []
    r = dotdot = 0
    if rooted:
        out.append("/")
        r = dotdot = 1
    while r < n:
        if path[r] == "/" or (path[r] == "." and (r + 1 == n or path[r + 1] == "/")):
            r += 1
        elif path[r] == "." and path[r + 1] == "." and (r + 2 == n or path[r + 2] == "/"):
            r += 2
            if len(out) > dotdot:
                # Back up over the last element and the slash before it.
                last = out.pop()
                while len(out) > dotdot and last != "/":
                    last = out.pop()
            elif not rooted:
                if out:
                    out.append("/")
                out.extend("..")
                dotdot = len(out)
        else:
            if (rooted and len(out) != 1) or (not rooted and len(out) != 0):
                out.append("/")
            while r < n and path[r] != "/":
                out.append(path[r])
                r += 1
    if not out:
        return "."
    return "".join(out)


def base(path: str) -> str:
    """path.Base."""
    if path == "":
        return "."
    path = path.rstrip("/")
    i = path.rfind("/")
    if i >= 0:
        path = path[i + 1 :]
    return path or "/"


def dir_(path: str) -> str:
    """path.Dir."""
    i = path.rfind("/")
    return clean(path[: i + 1])


def ext(path: str) -> str:
    """path.Ext."""
    for i in range(len(path) - 1, -1, -1):
        if path[i] == "/":
            break
        if path[i] == ".":
            return path[i:]
    return ""


def is_abs(path: str) -> bool:
    """path.IsAbs."""
    return path.startswith("/")


# -- os.Expand -----------------------------------------------------------------------------------

_SHELL_SPECIAL: Final = frozenset("*#$@!?-0123456789")


def _is_alnum(c: str) -> bool:
    return c == "_" or (c.isascii() and c.isalnum())


def _shell_name(s: str) -> tuple[str, int]:
    if s[0] == "{":
        if len(s) > 2 and s[1] in _SHELL_SPECIAL and s[2] == "}":
            return s[1:2], 3
        for i in range(1, len(s)):
            if s[i] == "}":
                if i == 1:
                    return "", 2
                return s[1:i], i + 1
        return "", 1
    if s[0] in _SHELL_SPECIAL:
        return s[0:1], 1
    i = 0
    while i < len(s) and _is_alnum(s[i]):
        i += 1
    return s[:i], i


def expand(s: str, mapping: Callable[[str], str]) -> str:
    """os.Expand: replace $var and ${var} through mapping."""
    buf: list[str] | None = None
    i = 0
    j = 0
    while j < len(s):
        if s[j] == "$" and j + 1 < len(s):
            if buf is None:
                buf = []
            buf.append(s[i:j])
            name, w = _shell_name(s[j + 1 :])
            if name == "" and w > 0:
                pass
            elif name == "":
                buf.append(s[j])
            else:
                buf.append(mapping(name))
            j += w
            i = j + 1
        j += 1
    if buf is None:
        return s
    return "".join(buf) + s[i:]

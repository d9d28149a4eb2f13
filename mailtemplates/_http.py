"""Fetching ``http(s)://`` template URIs (the loader imports this only when one is configured)."""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request

from .errors import TemplateSourceError


class _SameScheme(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to the same scheme, or from http to https (never to file:// and
    friends, never from https down to http)."""

    def http_error_302(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        # Checked before urllib's own check, which would only say "HTTP Error 302".
        location = headers.get("location") or headers.get("uri")
        if location:
            target = urllib.parse.urljoin(req.full_url, location)
            old = urllib.parse.urlsplit(req.full_url).scheme.lower()
            new = urllib.parse.urlsplit(target).scheme.lower()
            if new not in ("http", "https") or (new != old and not (old == "http" and new == "https")):
                fp.close()
                raise TemplateSourceError(f"{req.full_url}: refusing redirect to {location} (another scheme)")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def read_http(uri: str, timeout: float, max_bytes: int) -> bytes:
    """The body of ``uri`` (200 only), within ``timeout`` seconds in all and ``max_bytes``."""
    opener = urllib.request.build_opener(_SameScheme)
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    try:
        with opener.open(uri, timeout=timeout) as resp:
            if resp.status != 200:
                raise TemplateSourceError(
                    f"{uri}: expected http response status code 200 but got {resp.status}"
                )
            length = resp.headers.get("Content-Length")
            if length is not None and length.isdigit() and int(length) > max_bytes:
                raise TemplateSourceError(f"{uri}: template exceeds the size limit of {max_bytes} bytes")
            while size <= max_bytes:
                if time.monotonic() > deadline:
                    raise TemplateSourceError(f"{uri}: took longer than {timeout} seconds")
                chunk = resp.read1(min(65536, max_bytes + 1 - size))  # what has arrived
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
    except urllib.error.HTTPError as e:
        e.close()
        raise TemplateSourceError(f"{uri}: expected http response status code 200 but got {e.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as e:
        raise TemplateSourceError(f"{uri}: {e}") from None
    if size > max_bytes:
        raise TemplateSourceError(f"{uri}: template exceeds the size limit of {max_bytes} bytes")
    return b"".join(chunks)

"""Finding template sources: override roots, built-ins, sibling files and template URIs.

The layout is Kratos's: ``<root>/<flow>/<status>/email.subject.gotmpl``, ``email.body.gotmpl``
(HTML), ``email.body.plaintext.gotmpl`` and ``sms.body.gotmpl``; the two notification types have
no status folder. A locale-specific file sits beside the generic one (``email.body.de.gotmpl``).

Resolution is per part, first match wins (``docs/locales.md`` shows examples):

1. each override root in order: the locale chain (``de_AT``, ``de``), then the generic file;
2. the built-in root: the locale chain, then the generic file.

A missing file falls back; a broken one is an error, never a silent fallback. Like Kratos, a file
from a root is parsed together with its siblings matching ``<part>*`` (so ``{{ template
"email.body.de.gotmpl" . }}`` works); built-ins are parsed alone. A file ending in ``.jinja``
instead of ``.gotmpl`` is a native Jinja2 template.

Safety: names are checked against the known template types, parts against the fixed list and
locales against a strict pattern before any path is built, and every file found must resolve
(after symlinks) inside its root. ``file://`` URIs must resolve inside a configured root;
``http(s)://`` URIs are off unless allowed, limited in size and total time, and may only be
redirected to the same scheme (or from http to https).

Files that change while we look: a file that disappears between being found and being read is
treated as absent; a file modified in the last :data:`RACY_SECONDS` has no stable fingerprint
(its modification time may not have ticked since the previous write, as with git's "racily
clean" entries), so a cache re-reads it at every check until it settles; an empty file that was
just modified is most likely being rewritten in place, so it is read again for up to
:data:`SETTLE_SECONDS` before it is taken as empty.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import os
import re
import stat
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .errors import InvalidName, TemplateNotFound, TemplateSourceError

__all__ = [
    "BUILTIN_ROOT",
    "PART_STEMS",
    "RACY_SECONDS",
    "SETTLE_SECONDS",
    "URI_SCHEMES",
    "Loader",
    "PartSource",
    "read_uri",
]

#: Built-in templates: inside the installed package, or ``template_root/`` of a source checkout.
_PKG = Path(__file__).resolve().parent
#: The language of the built-in generic files (``email.body.gotmpl``); translations sit beside
#: them as ``email.body.de.gotmpl`` and so on.
BUILTIN_LOCALE = "en"
BUILTIN_ROOT = _PKG / "template_root" if (_PKG / "template_root").is_dir() else _PKG.parent / "template_root"

#: File stem of each part.
PART_STEMS: Mapping[str, str] = {
    "subject": "email.subject",
    "body": "email.body",
    "plaintext": "email.body.plaintext",
    "sms": "sms.body",
}

Engine = Literal["gotmpl", "jinja"]
Origin = Literal["override", "builtin", "uri"]

_LOCALE_RE = re.compile(r"^[A-Za-z]{2,3}(?:_[A-Za-z0-9]{2,8})*$")
_SEGMENT_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class PartSource:
    """Where one part of one template type comes from, with the sources to parse together."""

    part: str
    engine: Engine
    #: Base file name -> source, every file of the sibling set (one file for built-ins and URIs).
    files: Mapping[str, str]
    #: The base name to execute.
    entry: str
    #: File path or URI of the entry (a base64 URI is shown redacted).
    path: str
    origin: Origin
    #: Locale of the matched file; None for the generic file.
    locale: str | None
    #: What changes invalidate a compiled version of this source.
    stamp: tuple[object, ...] = field(default=(), compare=False)

    @property
    def funcs(self) -> Literal["hermetic", "full"]:
        # Kratos: built-ins get sprig's full map, override folders and URIs the hermetic one.
        return "full" if self.origin == "builtin" else "hermetic"


def _check_segments(folder: Sequence[str]) -> None:
    for seg in folder:
        if not _SEGMENT_RE.fullmatch(seg):
            raise InvalidName(f"invalid template folder component {seg!r}")


def _check_locale(locale: str) -> None:
    if not _LOCALE_RE.fullmatch(locale):
        raise InvalidName(f"invalid locale tag {locale!r}")


#: A file modified less than this long ago has no trustworthy fingerprint (file systems record
#: modification times in ticks of a few milliseconds, some in whole seconds).
RACY_SECONDS = 2.0
#: How long an empty, just-modified file is given to receive its content.
SETTLE_SECONDS = 0.5
_racy_serial = itertools.count()


def _stat_key(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _is_recent(key: tuple[int, int, int] | None) -> bool:
    return key is not None and abs(time.time_ns() - key[0]) < RACY_SECONDS * 1e9


def _fingerprint(path: str) -> tuple[int, ...] | None:
    """``_stat_key`` for cache checks: unique (never equal to another) while the file is racy."""
    key = _stat_key(path)
    if key is not None and _is_recent(key):
        return (*key, next(_racy_serial))
    return key


def _within(root_real: str, path: str) -> bool:
    real = os.path.realpath(path)
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def _read_text(path: str) -> str:
    """Read a template file; a file rewritten while we read it is read again (no torn sources),
    and an empty file modified a moment ago is given :data:`SETTLE_SECONDS` to be filled."""
    deadline = time.monotonic() + SETTLE_SECONDS
    pause = 0.001
    while True:
        before = _stat_key(path)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        after = _stat_key(path)
        stable = after == before
        if stable and (text or not _is_recent(after)):
            return text
        if time.monotonic() > deadline:
            return text
        if not stable:
            continue
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


class Loader:
    """Looks template parts up in override roots, then the built-in root.

    ``uris`` maps a template type to per-part URIs (``{"recovery/valid": {"subject":
    "base64://..."}}``), as Kratos's ``courier.templates.<flow>.<status>.email.*`` settings do;
    a URI for a part bypasses the roots for that part only.
    """

    def __init__(
        self,
        override_paths: Iterable[str | os.PathLike[str]] = (),
        *,
        builtin_root: str | os.PathLike[str] | None = BUILTIN_ROOT,
        uris: Mapping[str, Mapping[str, str]] | None = None,
        allow_http: bool = False,
        http_timeout: float = 5.0,
        max_template_bytes: int = 1 << 20,
        file_uri_roots: Iterable[str | os.PathLike[str]] = (),
        uri_schemes: Iterable[str] | None = None,
    ) -> None:
        self.override_roots = [os.path.realpath(p) for p in override_paths]
        self.builtin_root = os.path.realpath(builtin_root) if builtin_root is not None else None
        self.uris = {k: dict(v) for k, v in (uris or {}).items()}
        self.allow_http = allow_http
        self.http_timeout = http_timeout
        self.max_template_bytes = max_template_bytes
        self.file_uri_roots = [os.path.realpath(p) for p in (*file_uri_roots, *self.override_roots)]
        #: Schemes template URIs may use (None: all of URI_SCHEMES; http(s) also need allow_http).
        self.uri_schemes = None if uri_schemes is None else tuple(uri_schemes)

    @property
    def roots(self) -> list[tuple[Origin, str]]:
        out: list[tuple[Origin, str]] = [("override", r) for r in self.override_roots]
        if self.builtin_root is not None:
            out.append(("builtin", self.builtin_root))
        return out

    def candidates(
        self,
        folder: Sequence[str],
        part: str,
        chain: Sequence[str],
        builtin_chain: Sequence[str] | None = None,
    ) -> list[tuple[Origin, str, str, str | None]]:
        """Every file that could provide ``part``, in resolution order:
        (origin, root, path, locale).

        ``chain`` is tried in the override folders, ``builtin_chain`` (default: the same) in the
        built-ins: their generic files are written in :data:`BUILTIN_LOCALE`, an override
        folder's in the Renderer's default locale, so the two chains can end differently.
        """
        _check_segments(folder)
        if part not in PART_STEMS:
            raise InvalidName(f"unknown template part {part!r}; use one of {', '.join(PART_STEMS)}")
        if builtin_chain is None:
            builtin_chain = chain
        for loc in (*chain, *builtin_chain):
            _check_locale(loc)
        stem = PART_STEMS[part]
        out: list[tuple[Origin, str, str, str | None]] = []
        for origin, root in self.roots:
            d = os.path.join(root, *folder)
            for tag in (*(builtin_chain if origin == "builtin" else chain), None):
                base = stem if tag is None else f"{stem}.{tag}"
                for ext in (".gotmpl", ".jinja"):
                    out.append((origin, root, os.path.join(d, base + ext), tag))
        return out

    def find(
        self,
        folder: Sequence[str],
        part: str,
        chain: Sequence[str],
        builtin_chain: Sequence[str] | None = None,
    ) -> PartSource | None:
        """The source of ``part`` for the template in ``folder`` and the locale ``chain``."""
        key = "/".join(folder)
        uri = self.uris.get(key, {}).get(part)
        if uri:
            text = read_uri(
                uri,
                allow_http=self.allow_http,
                timeout=self.http_timeout,
                max_bytes=self.max_template_bytes,
                file_roots=self.file_uri_roots,
                schemes=self.uri_schemes,
            )
            name = PART_STEMS[part] + ".gotmpl"
            return PartSource(part, "gotmpl", {name: text}, name, _redact(uri), "uri", None, (uri,))
        for origin, root, path, loc in self.candidates(folder, part, chain, builtin_chain):
            problem = _not_a_file(path)
            if problem is not None:
                if problem:
                    # Kratos's glob matches the name and its ParseFS then fails to read it:
                    # broken, not missing, so no fallback.
                    raise TemplateSourceError(problem)
                continue
            if not _within(root, path):
                raise InvalidName(f"{path} resolves outside its template root {root}")
            try:
                return self._load(origin, root, path, part, loc)
            except FileNotFoundError:
                continue  # deleted since isfile(): it is not there
        return None

    def stamp(
        self,
        folder: Sequence[str],
        part: str,
        chain: Sequence[str],
        builtin_chain: Sequence[str] | None = None,
    ) -> tuple[object, ...]:
        """Cheap fingerprint of everything resolution depends on: the candidate folders' and
        files' modification times. Equal stamps mean ``find`` would return the same source."""
        key = "/".join(folder)
        if self.uris.get(key, {}).get(part):
            return ("uri", self.uris[key][part])
        out: list[object] = []
        for _, root in self.roots:
            d = os.path.join(root, *folder)
            out.append(_fingerprint(d))
        for _, _, path, _ in self.candidates(folder, part, chain, builtin_chain):
            out.append(_fingerprint(path))
        return tuple(out)

    def _load(self, origin: Origin, root: str, path: str, part: str, loc: str | None) -> PartSource:
        entry = os.path.basename(path)
        engine: Engine = "jinja" if entry.endswith(".jinja") else "gotmpl"
        files: dict[str, str] = {}
        if origin == "builtin" or engine == "jinja":
            files[entry] = self._read(path)
        else:
            # Kratos: ParseFS(<dir>/<part>*): every sibling starting with the part's stem.
            d = os.path.dirname(path)
            stem = PART_STEMS[part]
            for name in sorted(os.listdir(d)):
                if not name.startswith(stem) or name.endswith(".jinja"):
                    continue
                p = os.path.join(d, name)
                if p == path:
                    continue
                problem = _not_a_file(p)
                if problem:
                    raise TemplateSourceError(
                        f"{problem} (it matches {stem}* and would be parsed with {entry})"
                    )
                if problem is None and _within(root, p):
                    try:
                        files[name] = self._read(p)
                    except FileNotFoundError:
                        continue  # a sibling deleted meanwhile is not part of the set
            files[entry] = self._read(path)
        return PartSource(part, engine, files, entry, path, origin, loc)

    def _read(self, path: str) -> str:
        """The text of a template file; FileNotFoundError if it vanished (the caller skips it)."""
        try:
            size = os.path.getsize(path)
            if size > self.max_template_bytes:
                raise TemplateSourceError(
                    f"{path}: {size} bytes exceeds the template size limit {self.max_template_bytes}"
                )
            return _read_text(path)
        except UnicodeDecodeError as e:
            raise TemplateSourceError(f"{path}: not valid UTF-8 ({e.reason} at byte {e.start})") from None
        except FileNotFoundError:
            raise
        except OSError as e:
            raise TemplateSourceError(f"{path}: {e.strerror or e}") from None

    def read_file(self, root: str, path: str) -> str:
        """One file of ``root`` read with the checks a render applies to it: a regular file,
        inside ``root`` after symlinks, at most ``max_template_bytes`` (checked before reading),
        UTF-8. Raises TemplateSourceError or InvalidName. ``lint`` reads every file through this."""
        problem = _not_a_file(path)
        if problem is not None:
            raise TemplateSourceError(problem or f"{path}: no such file")
        real_root = os.path.realpath(root)
        if not _within(real_root, path):
            raise InvalidName(f"{path} resolves outside its template root {real_root}")
        try:
            return self._read(path)
        except FileNotFoundError:
            raise TemplateSourceError(f"{path}: no such file") from None

    def not_found(
        self,
        folder: Sequence[str],
        part: str,
        chain: Sequence[str],
        builtin_chain: Sequence[str] | None = None,
    ) -> TemplateNotFound:
        searched = [
            p for _, _, p, _ in self.candidates(folder, part, chain, builtin_chain) if p.endswith(".gotmpl")
        ]
        return TemplateNotFound(
            f"no {PART_STEMS[part]} template for {'/'.join(folder)}; searched:\n  " + "\n  ".join(searched)
        )


def _not_a_file(path: str) -> str | None:
    """None for a regular file (through symlinks), "" for nothing there, else what is wrong.

    One ``stat`` decides, so a file replaced while we look is either there or missing (the
    writer's rename is atomic), never mistaken for something else.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        try:
            target = os.readlink(path)
        except OSError:
            return ""  # nothing there (or it vanished meanwhile)
        return f"{path}: is a broken symbolic link (its target {target!r} does not exist)"
    except NotADirectoryError:
        return ""
    except OSError as e:
        return f"{path}: {e.strerror or e}"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return f"{path}: is a directory, not a template file"
    return f"{path}: is not a regular file"


def _redact(uri: str) -> str:
    return "base64://[redacted]" if uri.startswith("base64://") else uri


#: URI schemes a template may come from; http and https only when allowed.
URI_SCHEMES = ("base64", "file", "http", "https")


def read_uri(
    uri: str,
    *,
    allow_http: bool = False,
    timeout: float = 5.0,
    max_bytes: int = 1 << 20,
    file_roots: Sequence[str] = (),
    schemes: Iterable[str] | None = None,
) -> str:
    """Read a Kratos template URI: ``file://``, ``base64://`` or (when allowed) ``http(s)://``.

    ``schemes`` narrows the schemes accepted (default: all of :data:`URI_SCHEMES`, http and https
    only with ``allow_http``). An http(s) read gives up after about ``timeout`` seconds in all
    and after ``max_bytes``; redirects stay on the same scheme (http may go to https).
    """
    scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
    allowed = set(URI_SCHEMES if schemes is None else schemes)
    if not allow_http:
        allowed -= {"http", "https"}
    if scheme not in URI_SCHEMES:
        shown = _redact(uri) if scheme == "base64" else (scheme or uri)
        raise TemplateSourceError(
            f"unknown scheme {shown!r} in template URI: allowed schemes: http, https, file, base64"
        )
    if scheme not in allowed:
        if scheme in ("http", "https") and not allow_http:
            raise TemplateSourceError(
                f"{uri}: http(s) template URIs are disabled (Renderer(allow_http=True))"
            )
        raise TemplateSourceError(
            f"{_redact(uri)}: the {scheme} scheme is not allowed here (allowed: {', '.join(sorted(allowed))})"
        )
    if scheme == "base64":
        payload = uri[len("base64://") :]
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise TemplateSourceError("base64://[redacted]: not valid standard (padded) base64") from None
        if len(data) > max_bytes:
            raise TemplateSourceError("base64://[redacted]: template exceeds the size limit")
        return _decode(data, "base64://[redacted]")
    if scheme == "file":
        path = uri[len("file://") :]
        if "\x00" in path:
            raise TemplateSourceError(f"{uri!r}: a file URI cannot contain a NUL byte")
        real = os.path.realpath(path)
        if not any(_within(r, real) for r in file_roots):
            raise TemplateSourceError(f"{uri}: file URIs must point inside a configured template root")
        try:
            if not os.path.isfile(real):
                raise TemplateSourceError(f"{uri}: no such file")
            if os.path.getsize(real) > max_bytes:
                raise TemplateSourceError(f"{uri}: template exceeds the size limit of {max_bytes} bytes")
            with open(real, "rb") as f:
                data = f.read(max_bytes + 1)
        except OSError as e:
            raise TemplateSourceError(f"{uri}: {e.strerror or e}") from None
        if len(data) > max_bytes:
            raise TemplateSourceError(f"{uri}: template exceeds the size limit of {max_bytes} bytes")
        return _decode(data, uri)
    # urllib.request costs ~25 ms of import: loaded only when a template really comes over HTTP.
    from ._http import read_http

    return _decode(read_http(uri, timeout, max_bytes), uri)


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise TemplateSourceError(f"{where}: not valid UTF-8 ({e.reason} at byte {e.start})") from None

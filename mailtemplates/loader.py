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
from typing import Literal, NamedTuple

from .errors import InvalidName, TemplateNotFound, TemplateSourceError

__all__ = [
    "BUILTIN_ROOT",
    "PART_STEMS",
    "RACY_SECONDS",
    "SETTLE_SECONDS",
    "URI_SCHEMES",
    "Loader",
    "Located",
    "PartSource",
    "locale_file_tags",
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
#: A segment of a name a Jinja template extends or includes: no "..", no hidden files.
_INCLUDE_SEGMENT_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


class Located(NamedTuple):
    """Where a part was found: the file (or URI) that :meth:`Loader.load` will read."""

    origin: Origin
    #: The root the file is in ("" for a URI).
    root: str
    #: File path, or the URI itself.
    path: str
    #: The file's locale tag; None for the generic file (and URIs).
    locale: str | None


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
    stamp: tuple[tuple[str, object], ...] = field(default=(), compare=False)

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
#: A file modified less than this long ago is only taken once it stays the same for
#: SAVE_GAP_SECONDS after being read (a save in several write() calls is not taken half-done).
QUIET_SECONDS = 0.05
SAVE_GAP_SECONDS = 0.005
#: Markers in a PartSource's stamp (see Loader.changed): a time to live, a source that never changes.
_EXPIRES = "\x00expires"
_FOREVER = "\x00forever"
_racy_serial = itertools.count()
#: How often find() looks again for a file that disappears between being found and being read.
_RELOCATE_TRIES = 5


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
    return _inside(root_real, os.path.realpath(path))


def _inside(root_real: str, real: str) -> bool:
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def _read_text(path: str) -> tuple[str, tuple[int, int, int] | None]:
    """Read a template file: (text, the stat key of the version read).

    A file that changes while we read it is read again (size, modification time and inode
    before and after). So is one modified less than :data:`QUIET_SECONDS` ago that changes
    within :data:`SAVE_GAP_SECONDS` after the read: an editor that saves with two ``write()``
    calls leaves a half-written file in between that no before-and-after check can see, so a
    just-written file is only taken once it has stayed the same for a moment. An empty file
    modified a moment ago is given :data:`SETTLE_SECONDS` to be filled; after that (or for a
    file that never stops changing) the last read is taken.
    """
    deadline = time.monotonic() + SETTLE_SECONDS
    pause = 0.001
    while True:
        before = _stat_key(path)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        after = _stat_key(path)
        if time.monotonic() > deadline:
            return text, after
        if after != before:
            continue
        if after is not None and 0 <= time.time_ns() - after[0] < QUIET_SECONDS * 1e9:
            time.sleep(SAVE_GAP_SECONDS)
            if _stat_key(path) != after:
                continue  # a second write() came: read the finished file
        if text or not _is_recent(after):
            return text, after
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
        remote_ttl: float = 300.0,
        http_allowed_networks: str | Iterable[str] | None = None,
        max_template_bytes: int = 1 << 20,
        file_uri_roots: Iterable[str | os.PathLike[str]] = (),
        uri_schemes: Iterable[str] | None = None,
    ) -> None:
        self.override_roots = [os.path.realpath(p) for p in override_paths]
        self.builtin_root = os.path.realpath(builtin_root) if builtin_root is not None else None
        self.uris = {k: dict(v) for k, v in (uris or {}).items()}
        self.allow_http = allow_http
        self.http_timeout = http_timeout
        #: Seconds an http(s):// template is used before it is fetched again.
        self.remote_ttl = remote_ttl
        #: Non-public networks http(s):// templates may still come from ("10.0.0.0/8,::1").
        self.http_allowed_networks = http_allowed_networks
        self.max_template_bytes = max_template_bytes
        self.file_uri_roots = [os.path.realpath(p) for p in (*file_uri_roots, *self.override_roots)]
        #: Schemes template URIs may use (None: all of URI_SCHEMES; http(s) also need allow_http).
        self.uri_schemes = None if uri_schemes is None else tuple(uri_schemes)
        self._real_dirs: dict[str, str] = {}  # read_file's roots and folders, after symlinks

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
            # os.path.join(d, name) for names that are plain file names: concatenated, as a
            # resolution asks for a dozen of them (lint: ~5000 joins over the built-ins).
            d = d if d.endswith(os.sep) else d + os.sep
            for tag in (*(builtin_chain if origin == "builtin" else chain), None):
                base = d + stem if tag is None else f"{d}{stem}.{tag}"
                out.append((origin, root, base + ".gotmpl", tag))
                out.append((origin, root, base + ".jinja", tag))
        return out

    def locate(
        self,
        folder: Sequence[str],
        part: str,
        chain: Sequence[str],
        builtin_chain: Sequence[str] | None = None,
    ) -> Located | None:
        """Which file (or URI) provides ``part``, without reading it: the first candidate that
        exists. A broken candidate (a directory, a dangling link, a file outside its root)
        raises, as Kratos's glob would match it and then fail."""
        uri = self.uris.get("/".join(folder), {}).get(part)
        if uri:
            return Located("uri", "", uri, None)
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
            return Located(origin, root, path, loc)
        return None

    def find(
        self,
        folder: Sequence[str],
        part: str,
        chain: Sequence[str],
        builtin_chain: Sequence[str] | None = None,
    ) -> PartSource | None:
        """The source of ``part`` for the template in ``folder`` and the locale ``chain``."""
        for _ in range(_RELOCATE_TRIES):
            located = self.locate(folder, part, chain, builtin_chain)
            if located is None:
                return None
            try:
                return self.load(located, part)
            except FileNotFoundError:
                continue  # deleted since it was located: look again
        return None  # found and gone again each time: as good as missing

    def load(self, located: Located, part: str) -> PartSource:
        """Read what :meth:`locate` found (FileNotFoundError if it vanished meanwhile)."""
        if located.origin == "uri":
            uri = located.path
            scheme = uri.split("://", 1)[0].lower()
            # The same freshness rule as files for file://; a time to live for http(s)://; a
            # base64:// template is its own content.
            stamp: tuple[tuple[str, object], ...]
            if scheme == "file":
                real = os.path.realpath(uri[len("file://") :].replace("\x00", ""))
                stamp = ((real, _stat_key(real)),)
            elif scheme in ("http", "https"):
                stamp = ((_EXPIRES, time.monotonic() + self.remote_ttl),)
            else:
                stamp = ((_FOREVER, None),)
            text = read_uri(
                uri,
                allow_http=self.allow_http,
                timeout=self.http_timeout,
                max_bytes=self.max_template_bytes,
                file_roots=self.file_uri_roots,
                schemes=self.uri_schemes,
                http_allowed_networks=self.http_allowed_networks,
            )
            name = PART_STEMS[part] + ".gotmpl"
            return PartSource(part, "gotmpl", {name: text}, name, _redact(uri), "uri", None, stamp)
        return self._load(located.origin, located.root, located.path, part, located.locale)

    def folder_stamp(self, folder: Sequence[str]) -> tuple[object, ...]:
        """Fingerprint of the template's folder in every root (what :meth:`available_locales`
        depends on)."""
        return tuple(_fingerprint(os.path.join(root, *folder)) for _, root in self.roots)

    def available_locales(self, folder: Sequence[str]) -> frozenset[str]:
        """The locale tags that have a file of any part for the template in ``folder``, in any
        root (``email.body.en_US.gotmpl`` -> ``en_US``): what a chain may fall back to."""
        _check_segments(folder)
        return frozenset(locale_file_tags(os.path.join(root, *folder) for _, root in self.roots))

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
        # (path, stat key as read) of every file and folder the set depends on: see changed().
        seen: list[tuple[str, object]] = []
        if origin == "builtin" or engine == "jinja":
            files[entry] = self._read(path, seen)
        else:
            # Kratos: ParseFS(<dir>/<part>*): every sibling starting with the part's stem. The
            # folder's stamp is taken before listing it, so a sibling added meanwhile shows.
            d = os.path.dirname(path)
            seen.append((d, _stat_key(d)))
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
                        files[name] = self._read(p, seen)
                    except FileNotFoundError:
                        continue  # a sibling deleted meanwhile is not part of the set
            files[entry] = self._read(path, seen)
        return PartSource(part, engine, files, entry, path, origin, loc, tuple(seen))

    def changed(self, source: PartSource) -> bool:
        """Whether a file or folder ``source`` was read from has changed since (or is too recent
        to tell), or a remote template's time to live is over. Every file of a sibling set
        counts, so a partial edited in place is noticed."""
        for what, key in source.stamp:
            if what == _EXPIRES:
                if time.monotonic() >= key:  # type: ignore[operator]
                    return True
            elif what == _FOREVER:
                continue
            elif key is None or _is_recent(key) or _stat_key(what) != key:  # type: ignore[arg-type]
                return True
        return False

    def _read(self, path: str, seen: list[tuple[str, object]] | None = None) -> str:
        """The text of a template file; FileNotFoundError if it vanished (the caller skips it).
        ``seen`` collects (path, stat key of the version read)."""
        try:
            size = os.path.getsize(path)
            if size > self.max_template_bytes:
                raise TemplateSourceError(
                    f"{path}: {size} bytes exceeds the template size limit {self.max_template_bytes}"
                )
            text, key = _read_text(path)
        except UnicodeDecodeError as e:
            raise TemplateSourceError(f"{path}: not valid UTF-8 ({e.reason} at byte {e.start})") from None
        except FileNotFoundError:
            raise
        except OSError as e:
            raise TemplateSourceError(f"{path}: {e.strerror or e}") from None
        if seen is not None:
            seen.append((path, key))
        return text

    def read_file(self, root: str, path: str) -> str:
        """One file of ``root`` read with the checks a render applies to it: a regular file,
        inside ``root`` after symlinks, at most ``max_template_bytes`` (checked before reading),
        UTF-8. Raises TemplateSourceError or InvalidName. ``lint`` reads every file through this."""
        problem = _not_a_file(path)
        if problem is not None:
            raise TemplateSourceError(problem or f"{path}: no such file")
        # Folders are resolved once each: lint reads all of a root's files in one pass, and
        # realpath's lstat of every component of every path was half of reading them.
        real_root = self._real_dirs.get(root)
        if real_root is None:
            real_root = self._real_dirs[root] = os.path.realpath(root)
        folder, name = os.path.split(path)
        real_folder = self._real_dirs.get(folder)
        if real_folder is None:
            real_folder = self._real_dirs[folder] = os.path.realpath(folder)
        real = os.path.realpath(path) if os.path.islink(path) else os.path.join(real_folder, name)
        if not _inside(real_root, real):
            raise InvalidName(f"{path} resolves outside its template root {real_root}")
        try:
            return self._read(path)
        except FileNotFoundError:
            raise TemplateSourceError(f"{path}: no such file") from None

    def jinja_template(
        self,
        name: str,
        chain: Sequence[str],
        builtin_chain: Sequence[str] | None = None,
    ) -> tuple[str, str, tuple[int, int, int] | None]:
        """A template a ``.jinja`` template extends, includes or imports: (path, text, stat key).

        ``name`` is a path relative to a template root (``"layouts/base.jinja"``), looked up in the
        same order as the parts: each override root, then the built-ins; in each, the locale
        chain first (``layouts/base.de.jinja``), then the name itself. Confined like every other
        path: only ``.jinja`` names made of plain segments (no ``..``, no absolute path, no
        backslash), and the file must resolve inside its root (symbolic links included).
        """
        segments = name.split("/") if isinstance(name, str) else []
        if not segments or not all(_INCLUDE_SEGMENT_RE.fullmatch(seg) for seg in segments):
            raise InvalidName(
                f"template name {name!r} is not allowed: use a path relative to a template root "
                "made of letters, digits, '_', '-' and '.' (no '..', no absolute path)"
            )
        stem, ext = os.path.splitext(segments[-1])
        if ext != ".jinja":
            raise InvalidName(f"template name {name!r}: only .jinja templates can be extended or included")
        if builtin_chain is None:
            builtin_chain = chain
        for loc in (*chain, *builtin_chain):
            _check_locale(loc)
        for origin, root in self.roots:
            folder = os.path.join(root, *segments[:-1])
            for tag in (*(builtin_chain if origin == "builtin" else chain), None):
                path = os.path.join(folder, segments[-1] if tag is None else f"{stem}.{tag}{ext}")
                problem = _not_a_file(path)
                if problem is None:
                    if not _within(root, path):
                        raise InvalidName(f"{path} resolves outside its template root {root}")
                    seen: list[tuple[str, object]] = []
                    text = self._read(path, seen)
                    key = seen[-1][1]
                    return path, text, key  # type: ignore[return-value]
                if problem:
                    raise TemplateSourceError(problem)
        raise TemplateNotFound(
            f"no template {name!r} in the template roots ({', '.join(r for _, r in self.roots)})"
        )

    @staticmethod
    def unchanged(path: str, key: object) -> bool:
        """Whether ``path`` still has the stat key it had when read (for Jinja's auto-reload)."""
        return key is not None and _stat_key(path) == key and not _is_recent(_stat_key(path))

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


def locale_file_tags(dirs: Iterable[str]) -> set[str]:
    """The locale tags of the template files in ``dirs`` (``email.body.en_US.gotmpl`` ->
    ``en_US``; generic files have none); a missing or unreadable folder has none. The one scan
    of a template folder for its locales: the loader's fallbacks and the preview's locale list."""
    found: set[str] = set()
    stems = sorted(PART_STEMS.values(), key=len, reverse=True)  # email.body.plaintext first
    for folder in dirs:
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
                    if _LOCALE_RE.fullmatch(tag):
                        found.add(tag)
                    break
    return found


def read_uri(
    uri: str,
    *,
    allow_http: bool = False,
    timeout: float = 5.0,
    max_bytes: int = 1 << 20,
    file_roots: Sequence[str] = (),
    schemes: Iterable[str] | None = None,
    http_allowed_networks: str | Iterable[str] | None = None,
) -> str:
    """Read a Kratos template URI: ``file://``, ``base64://`` or (when allowed) ``http(s)://``.

    ``schemes`` narrows the schemes accepted (default: all of :data:`URI_SCHEMES`, http and https
    only with ``allow_http``). An http(s) read gives up after ``timeout`` seconds in all (name
    resolution, connection, headers and body) and after ``max_bytes``; redirects stay on the
    same scheme (http may go to https). Hosts that resolve to a non-public address (loopback,
    link-local, private ranges) are refused unless ``http_allowed_networks``
    (``"10.0.0.0/8,127.0.0.1"`` or a list) contains it.
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
    from ._http import parse_networks, read_http

    return _decode(read_http(uri, timeout, max_bytes, parse_networks(http_allowed_networks)), uri)


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise TemplateSourceError(f"{where}: not valid UTF-8 ({e.reason} at byte {e.start})") from None

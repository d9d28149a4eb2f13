"""Rendering: the one place where loading, locales, the template engine and the email stages meet.

``Renderer.render("recovery/valid", ctx, locale="de")`` does, per part (subject, HTML body,
plaintext body):

1. turn ``ctx`` into the Go-named data the templates see (:mod:`.models`);
2. pick the locale chain: explicit ``locale=``, then a locale in the context, then none
   (the generic file, which is the default locale's);
3. find the part's source (:mod:`.loader`), compile it (cached, invalidated when files change)
   and execute it: subject and plaintext with text/template semantics, the HTML body with
   html/template's escaping, as Kratos does; the subject is trimmed;
4. inline CSS into the HTML (:mod:`.inline`) and, when no plaintext template exists, derive the
   text from the rendered HTML (:mod:`.plaintext`).
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Generic, Literal, TypeVar

from . import gotmpl, i18n
from .errors import MailTemplateError, TemplateError
from .gotmpl import GoFunc, GoFuncError, nodes
from .loader import BUILTIN_LOCALE, BUILTIN_ROOT, PART_STEMS, Loader, Located, PartSource
from .models import Model, TemplateType, get_template_type, to_template_data
from .rendered import RenderedEmail
from .resolution import PartResolution, Resolution

__all__ = ["PartResolution", "Renderer", "Resolution", "render", "render_sms"]

#: At most this many locale chains are remembered per Renderer (least recently used dropped).
_CHAIN_MEMO_SIZE = 256
#: Default sizes of a Renderer's caches (docs/limits.md).
DEFAULT_CACHE_SIZE = 256
DEFAULT_RESOLUTION_CACHE_SIZE = 4096
#: How often a part whose file vanishes between being found and being read is looked up again.
_RELOCATE_TRIES = 5

_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


class _LRU(Generic[_K, _V]):
    """A dict that keeps its ``size`` most recently used entries (0: keeps none).

    Reads take no lock (each OrderedDict operation is atomic under the GIL; an entry evicted by
    another thread between two of them is simply a miss); writers hold the Renderer's lock.
    """

    def __init__(self, size: int) -> None:
        if size < 0:
            raise ValueError(f"cache size must be >= 0, not {size}")
        self.size = size
        self._d: OrderedDict[_K, _V] = OrderedDict()

    def get(self, key: _K) -> _V | None:
        d = self._d
        value = d.get(key)
        if value is not None:
            try:  # noqa: SIM105 (a try is free; contextlib.suppress costs a context manager per hit)
                d.move_to_end(key)
            except KeyError:  # evicted meanwhile
                pass
        return value

    def put(self, key: _K, value: _V) -> None:
        self._d[key] = value
        self._d.move_to_end(key)
        while len(self._d) > self.size:
            try:
                self._d.popitem(last=False)
            except KeyError:
                break

    def pop(self, key: _K) -> None:
        self._d.pop(key, None)

    def values(self) -> list[_V]:
        """The entries now cached (a copy: for inspection and tests)."""
        return list(self._d.values())

    def clear(self) -> None:
        self._d.clear()

    def __len__(self) -> int:
        return len(self._d)


def _calls(tset: gotmpl.TemplateSet, start: str, target: str) -> bool:
    """Whether template ``start`` reaches ``{{ template "target" }}`` (directly or through others)."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in tset.trees:
            continue
        seen.add(name)
        stack: list[nodes.Node] = [tset.trees[name].root]
        while stack:
            node = stack.pop()
            if isinstance(node, nodes.TemplateNode):
                if node.name == target:
                    return True
                todo.append(node.name)
            elif isinstance(node, nodes.ListNode):
                stack.extend(node.nodes)
            elif isinstance(node, nodes.BranchNode):
                stack.append(node.list)
                if node.else_list is not None:
                    stack.append(node.else_list)
    return False


def _locale_funcs(locale: str, default: str) -> dict[str, GoFunc]:
    """Babel-backed formatting functions for Go templates (``formatDate``, ``formatRelative``, ...),
    bound to the locale of the file being compiled."""
    out: dict[str, GoFunc] = {}
    for name, fn in i18n.i18n_funcs(locale, default=default).items():
        params, variadic, result = i18n.I18N_FUNC_SIGNATURES[name]
        out[name] = GoFunc(name, _as_go_errors(fn), params, variadic, result)
    return out


def _as_go_errors(fn: Callable[..., str]) -> Callable[..., str]:
    def call(*args: object) -> str:
        try:
            return fn(*args)
        except (ValueError, MailTemplateError) as e:
            raise GoFuncError(str(e)) from None

    return call


def _shown_uri(located: Located) -> str:
    """A located file's path, or its URI with a base64 payload redacted."""
    if located.origin == "uri" and located.path.startswith("base64://"):
        return "base64://[redacted]"
    return located.path


def _locate(err: TemplateError, source: PartSource) -> TemplateError:
    """Name the file on disk (or the URI) a template error comes from."""
    if err.filename is None:
        if source.origin == "uri":
            err.filename = source.path
        elif err.name:
            err.filename = os.path.join(os.path.dirname(source.path), err.name)
    return err


@dataclass
class CompiledPart:
    """A part ready to execute, with where it came from."""

    source: PartSource
    run: Callable[[Any], str]
    #: When the source's files were last found unchanged (time.monotonic()).
    checked: float
    #: For HTML bodies: CSS already inlined into the template at load time (or nothing to inline),
    #: so a render does no CSS work. False: inline each rendered email.
    css_done: bool = False
    #: Why load-time inlining was not possible (shown by the preview and the linter).
    css_note: str = ""
    #: Priority of the root the source came from (``Renderer._rank``), fixed once compiled.
    rank: int = 0
    #: Where it came from and in which language (``RenderedEmail.sources``).
    info: PartResolution | None = None


@dataclass(frozen=True)
class _Parts:
    """The compiled parts of one (type, locale chain) and what every email of them carries."""

    subject: CompiledPart
    body: CompiledPart | None
    #: None also when the text is derived from the HTML (a plaintext from a lower root).
    text: CompiledPart | None
    files: MappingProxyType[str, str]
    sources: MappingProxyType[str, PartResolution]
    locale: str
    #: The oldest check behind it (time.monotonic()): valid while within check_interval of it.
    since: float


class Renderer:
    """Holds configuration and the compiled-template cache for courier code rendering many emails.

    Thread-safe: compiled templates are immutable and the caches are guarded by a lock.
    ``check_interval`` is how often (seconds) a cached template's files are checked for changes;
    0 checks on every render (the preview server's choice).

    Two bounded caches (least recently used entries go first; docs/limits.md): which file each
    (type, part, locale chain) resolves to (``resolution_cache_size`` entries, each a few hundred
    bytes), and the compiled templates, keyed by the file they were compiled from, so every
    locale tag that resolves to the same files shares one entry (``cache_size`` entries).
    ``remote_ttl`` is how long an ``http(s)://`` template is used before it is fetched again.
    """

    def __init__(
        self,
        override_paths: Iterable[str | os.PathLike[str]] = (),
        *,
        default_locale: str = "en",
        inline_css: bool = True,
        css_inliner: str = "css-inline",
        html_to_text: str = "builtin",
        use_builtins: bool = True,
        template_uris: Mapping[str, Mapping[str, str]] | None = None,
        allow_http: bool = False,
        remote_ttl: float = 300.0,
        http_allowed_networks: str | Iterable[str] | None = None,
        file_uri_roots: Iterable[str | os.PathLike[str]] = (),
        check_interval: float = 1.0,
        cache_size: int = DEFAULT_CACHE_SIZE,
        resolution_cache_size: int = DEFAULT_RESOLUTION_CACHE_SIZE,
        jinja_strict: bool = True,
        delims: tuple[str, str] | None = None,
        max_depth: int = gotmpl.DEFAULT_MAX_DEPTH,
        max_output: int | None = gotmpl.DEFAULT_MAX_OUTPUT,
        max_iterations: int | None = gotmpl.DEFAULT_MAX_ITERATIONS,
        max_nesting: int = gotmpl.DEFAULT_MAX_NESTING,
        max_template_size: int = gotmpl.DEFAULT_MAX_TEMPLATE_SIZE,
        max_values: int | None = gotmpl.DEFAULT_MAX_VALUES,
        max_seconds: float | None = gotmpl.DEFAULT_MAX_SECONDS,
    ) -> None:
        self.default_locale = i18n.normalize_locale(default_locale)
        self.loader = Loader(
            override_paths,
            builtin_root=BUILTIN_ROOT if use_builtins else None,
            uris=template_uris,
            allow_http=allow_http,
            remote_ttl=remote_ttl,
            http_allowed_networks=http_allowed_networks,
            file_uri_roots=file_uri_roots,
            max_template_bytes=max_template_size,
        )
        self.inline_css = inline_css
        self.css_inliner_name = css_inliner
        self.html_to_text_name = html_to_text
        self.check_interval = check_interval
        #: .jinja templates: an undefined name is an error (StrictUndefined) unless False.
        self.jinja_strict = jinja_strict
        self.delims = delims
        #: Safety limits (docs/limits.md), passed to every gotmpl.parse_files of this Renderer.
        self.limits: dict[str, Any] = {
            "max_depth": max_depth,
            "max_output": max_output,
            "max_iterations": max_iterations,
            "max_nesting": max_nesting,
            "max_template_size": max_template_size,
            "max_values": max_values,
            "max_seconds": max_seconds,
        }
        # (part, file path or URI) -> compiled part: tags resolving to the same files share it.
        self._cache: _LRU[tuple[str, str], CompiledPart] = _LRU(cache_size)
        # (type, part, chain) -> (where the part is, the loader's stamp of the candidates, checked).
        self._resolved: _LRU[
            tuple[str, str, tuple[str, ...]], tuple[Located | None, tuple[object, ...], float]
        ]
        self._resolved = _LRU(resolution_cache_size)
        # type -> (locale tags that have files, the folders' stamp, checked): the chain's siblings.
        self._available: dict[str, tuple[frozenset[str], tuple[object, ...], float]] = {}
        self._lock = threading.Lock()
        # The default locale's own chain: the generic files are written in it. Fixed per Renderer.
        self._generic = frozenset(i18n.fallback_chain(None, self.default_locale))
        # The built-ins' generic files are English whatever the default: with default_locale
        # "de", the built-in chain goes on to the German files where the override chain stops.
        self._builtin_generic = frozenset(i18n.fallback_chain(None, BUILTIN_LOCALE))
        self._default_tail = tuple(
            t for t in i18n.fallback_chain(None, self.default_locale) if t not in self._builtin_generic
        )
        # locale_chain memo: (explicit locale, locale found in the context) -> chain. Bounded: the
        # context's locale comes from end users.
        # (explicit locale, context locale, type) -> (available locales, chain).
        self._chains: _LRU[tuple[str | None, str | None, str | None], tuple[frozenset[str], tuple[str, ...]]]
        self._chains = _LRU(_CHAIN_MEMO_SIZE)
        # (type, chain) -> its compiled parts, while every check behind them is fresh: a render
        # then does one lookup instead of three resolutions and three cache checks. Emptied
        # whenever a template is compiled (so it never holds one the compiled cache dropped);
        # off with cache_size=0.
        self._parts: _LRU[tuple[str, tuple[str, ...]], _Parts] = _LRU(_CHAIN_MEMO_SIZE if cache_size else 0)
        self._inliner: Any = None
        self._converter: Any = None

    # -- public API ---------------------------------------------------------------------------------
    def render(
        self,
        name: str,
        ctx: Mapping[str, Any] | Model | None = None,
        *,
        locale: str | None = None,
    ) -> RenderedEmail:
        """Render the email of template type ``name`` (``"recovery/valid"``) for ``ctx``."""
        tt = get_template_type(name)
        fields = to_template_data(tt.name, ctx)
        if not tt.templated:
            return self._stub(tt, fields)
        chain = self.locale_chain(locale, fields, tt.name)
        # Kratos executes on a struct: an unknown field is an error, not <no value>.
        data = tt.model("email")(**fields)
        parts = self._parts.get((tt.name, chain))
        if parts is None or time.monotonic() - parts.since >= self.check_interval:
            parts = self._email_parts(tt, chain)
        body_part, text_part = parts.body, parts.text
        subject = parts.subject.run(data).strip()
        html: str | None = None
        if body_part is not None:
            html = body_part.run(data)
            if self.inline_css and not body_part.css_done:
                html = self._get_inliner().inline(html)
        if text_part is not None:
            text = text_part.run(data)
        elif html is not None:
            text = self._get_converter().convert(html)
        else:
            raise self.loader.not_found(tt.path_parts, "plaintext", chain, self.builtin_chain(chain))
        return RenderedEmail._made(subject, html, text, parts.locale, tt.name, parts.files, parts.sources)

    def _email_parts(self, tt: TemplateType, chain: tuple[str, ...]) -> _Parts:
        """The compiled parts of an email for ``chain`` (checked as configured), remembered."""
        subject_part = self.compiled(tt, "subject", chain)
        body_part = self.compiled(tt, "body", chain, required=False)
        text_part = self.compiled(tt, "plaintext", chain, required=False)
        if text_part is not None and body_part is not None and text_part.rank > body_part.rank:
            # The HTML was overridden but the plaintext would come from a lower root (say, the
            # built-in English): derive the text from the HTML the operator wrote instead.
            text_part = None
        chosen = body_part or text_part or subject_part
        compiled = {"subject": subject_part, "body": body_part, "plaintext": text_part}
        sources = {part: p.info for part, p in compiled.items() if p is not None and p.info is not None}
        if text_part is None and body_part is not None:
            sources["plaintext"] = self._derived(sources["body"])
        files = {p.source.part: p.source.path for p in compiled.values() if p is not None}
        # Valid while the oldest of the checks behind it is: each part's resolution (also of a
        # part found missing) and each compiled part.
        times = [p.checked for p in (subject_part, body_part, text_part) if p is not None]
        for part in ("subject", "body", "plaintext"):
            resolved = self._resolved._d.get((tt.name, part, chain))
            times.append(resolved[2] if resolved is not None else -float("inf"))
        parts = _Parts(
            subject_part,
            body_part,
            text_part,
            MappingProxyType(files),
            MappingProxyType(sources),
            self._file_locale(chosen.source),
            min(times),
        )
        with self._lock:
            self._parts.put((tt.name, chain), parts)
        return parts

    def render_sms(
        self,
        name: str,
        ctx: Mapping[str, Any] | Model | None = None,
        *,
        locale: str | None = None,
    ) -> str:
        """Render the SMS body of template type ``name`` (text/template semantics)."""
        tt = get_template_type(name)
        fields = to_template_data(tt.name, ctx, channel="sms")
        chain = self.locale_chain(locale, fields, tt.name)
        part: CompiledPart = self.compiled(tt, "sms", chain)
        return part.run(tt.model("sms")(**fields))

    def resolve(
        self,
        name: str,
        locale: str | None = None,
        ctx: Mapping[str, Any] | Model | None = None,
        *,
        parts: Iterable[str] | None = None,
    ) -> Resolution:
        """Which file each part of template type ``name`` comes from for ``locale`` (and the
        locale in ``ctx``, as a render looks at it too), and in which language, without
        compiling or rendering anything: what ``render()`` would use. A part that cannot be used
        (a directory in place of the file, a file outside its root) has ``problem`` set instead
        of raising. ``parts`` defaults to the email parts of the type (``"sms"`` may be asked).
        """
        tt = get_template_type(name)
        chain = self.locale_chain(locale, ctx if ctx is not None else {}, tt.name)
        wanted = tuple(parts) if parts is not None else tuple(p for p in tt.parts if p != "sms")
        out: dict[str, PartResolution] = {}
        ranks: dict[str, int] = {}
        for part in wanted:
            try:
                located = self.located(tt, part, chain)
            except MailTemplateError as e:
                out[part] = PartResolution(part, None, None, None, None, problem=str(e))
                continue
            if located is None:
                out[part] = PartResolution(part, None, None, None, None)
                continue
            ranks[part] = self._rank(located.origin, located.path)
            out[part] = self._part_info(part, located)
        body, text = out.get("body"), out.get("plaintext")
        # The same rule as render(): no plaintext template, or one from a lower root than the
        # HTML body's, means the text is derived from the HTML.
        if (
            body is not None
            and body.path is not None
            and text is not None
            and text.problem is None
            and (text.path is None or ranks["plaintext"] > ranks["body"])
        ):
            out["plaintext"] = self._derived(body)
        return Resolution(tt.name, chain, out)

    def locale_chain(
        self, locale: str | None, data: Mapping[str, Any] | Model, template: str | None = None
    ) -> tuple[str, ...]:
        """Locale-specific files to look for, most specific first (``de_AT``, ``de``).

        Explicit ``locale`` first, then a locale found in the context. The default locale is
        what the generic files are written in, so it needs no entry of its own, and the chain
        ends where it is reached. With ``template`` (a type name), each locale is also followed
        by the locales of the same language that have files for that type
        (:func:`i18n.fallback_chain`'s ``available``): with ``en_US`` files and no ``en_GB``
        ones, a British reader gets the American files rather than the default locale's.
        """
        key: tuple[str | None, str | None, str | None] | None = None
        hit: tuple[frozenset[str], tuple[str, ...]] | None = None
        if locale is None or type(locale) is str:
            # The chain depends on nothing else (i18n.locale_chain) than the available locales:
            # memoised, as the Babel lookups behind it cost more than the rest of the render's
            # bookkeeping.
            key = (locale, i18n.locale_from_context(data), template)
            hit = self._chains.get(key)
        if hit is None and template is not None and locale:
            # A tag becomes part of a file name: refused before the folders are listed (a
            # memoised one was checked when it was first seen).
            for tag in [locale] if isinstance(locale, str) else locale:
                if tag:
                    i18n.normalize_locale(tag)
        available = self.available_locales(template) if template is not None else frozenset()
        if hit is not None and hit[0] == available:
            return hit[1]
        generic = self._generic
        full = i18n.locale_chain(locale, data, default=self.default_locale, available=available or None)
        # The chain stops where it reaches the default locale: an explicit locale="en" (the
        # generic files' language) must not be overridden by a German trait further down.
        cut = next((i for i, t in enumerate(full) if t in generic), len(full))
        chain = tuple(full[:cut])
        if key is not None:
            self._chains.put(key, (available, chain))
        return chain

    def available_locales(self, template: str) -> frozenset[str]:
        """The locale tags that have a file of some part of template type ``template`` in any
        root (checked like the template files, every ``check_interval``)."""
        tt = get_template_type(template)
        now = time.monotonic()
        hit = self._available.get(tt.name)
        if hit is not None and now - hit[2] < self.check_interval:
            return hit[0]
        stamp = self.loader.folder_stamp(tt.path_parts)
        if hit is not None and hit[1] == stamp:
            tags = hit[0]
        else:
            tags = self.loader.available_locales(tt.path_parts)
        self._available[tt.name] = (tags, stamp, now)  # one entry per template type: bounded
        return tags

    def _file_locale(self, source: PartSource | Located) -> str:
        """The language a template file is written in: its tag, else its root's generic one."""
        if source.locale is not None:
            return source.locale
        return BUILTIN_LOCALE if source.origin == "builtin" else self.default_locale

    def _part_info(self, part: str, source: PartSource | Located) -> PartResolution:
        shown = source.path if isinstance(source, PartSource) else _shown_uri(source)
        locale = self._file_locale(source)
        engine: Literal["gotmpl", "jinja"] = "jinja" if source.path.endswith(".jinja") else "gotmpl"
        return PartResolution(part, shown, source.origin, locale, i18n.language_of(locale), engine)

    @staticmethod
    def _derived(body: PartResolution) -> PartResolution:
        return PartResolution("plaintext", None, None, body.locale, body.language, derived_from="body")

    def builtin_chain(self, chain: tuple[str, ...]) -> tuple[str, ...]:
        """The chain tried in the built-ins for ``chain`` (one of :meth:`locale_chain`'s).

        ``chain`` ends where the default locale was reached (or is empty when it was the first
        choice); the built-ins go on along the default locale's tags until English, the language
        of their generic files. An English tag in ``chain`` (an explicit ``locale="en"``) ends
        it there, for the built-ins too.
        """
        if not self._default_tail:
            return chain
        for i, tag in enumerate(chain):
            if tag in self._builtin_generic:
                return chain[:i]
        return chain + tuple(t for t in self._default_tail if t not in chain)

    def _rank(self, origin: str, path: str) -> int:
        """Priority of the root a file came from: URIs 0, override roots 1.., built-ins last."""
        if origin == "uri":
            return 0
        for i, (_, root) in enumerate(self.loader.roots):
            if path.startswith(root.rstrip(os.sep) + os.sep):
                return i + 1
        return len(self.loader.roots) + 1

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()
            self._resolved.clear()
            self._available.clear()
            self._parts.clear()

    def cache_info(self) -> dict[str, int]:
        """How many entries each cache holds (compiled templates, resolutions, locale chains)."""
        return {
            "compiled": len(self._cache),
            "resolutions": len(self._resolved),
            "chains": len(self._chains),
        }

    # -- compiled templates -------------------------------------------------------------------------
    def located(self, tt: TemplateType, part: str, chain: tuple[str, ...]) -> Located | None:
        """Where ``part`` of ``tt`` is for ``chain`` (cached; checked every ``check_interval``)."""
        key = (tt.name, part, chain)
        now = time.monotonic()
        hit = self._resolved.get(key)
        if hit is not None and now - hit[2] < self.check_interval:
            return hit[0]
        builtin = self.builtin_chain(chain)
        stamp = self.loader.stamp(tt.path_parts, part, chain, builtin)
        if hit is not None and hit[1] == stamp:
            found = hit[0]
        else:
            found = self.loader.locate(tt.path_parts, part, chain, builtin)
        with self._lock:
            self._resolved.put(key, (found, stamp, now))
        return found

    def compiled(self, tt: TemplateType, part: str, chain: tuple[str, ...], *, required: bool = True) -> Any:
        """The compiled ``part`` of ``tt`` for ``chain``; None if there is none and not
        ``required`` (else :class:`TemplateNotFound`)."""
        for _ in range(_RELOCATE_TRIES):
            located = self.located(tt, part, chain)
            if located is None:
                break
            try:
                return self._compiled_at(located, part)
            except FileNotFoundError:
                # Deleted between being found and being read: find it (or the next one) again.
                with self._lock:
                    self._resolved.pop((tt.name, part, chain))
        if required:
            raise self.loader.not_found(tt.path_parts, part, chain, self.builtin_chain(chain))
        return None

    def _compiled_at(self, located: Located, part: str) -> CompiledPart:
        key = (part, located.path)
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None:
            if now - hit.checked < self.check_interval:
                return hit
            if not self.loader.changed(hit.source):
                hit.checked = now
                return hit
        # Read and compiled outside the lock: a slow read (a file being saved, a remote
        # template) must not hold up renders of other templates. Two threads missing the same
        # entry at once both compile it; the last one stays.
        source = self.loader.load(located, part)
        run, css_done, note = self._build(source)
        compiled = CompiledPart(source, run, now, css_done, note)
        compiled.rank = self._rank(source.origin, located.path)
        compiled.info = self._part_info(part, source)
        with self._lock:
            self._cache.put(key, compiled)
            self._parts.clear()  # may hold the entry put() just dropped
        return compiled

    def _jinja_finder(self, source: PartSource) -> Callable[[str], tuple[str, str, Callable[[], bool]]]:
        """How a ``.jinja`` template finds what it extends or includes: the template roots in
        resolution order, along the chain of the including file's own locale (so a compiled
        template depends on its file alone, as the cache key does)."""
        own: tuple[str, ...] = ()
        if source.locale is not None:
            full = i18n.fallback_chain(source.locale, self.default_locale)
            own = tuple(t for t in full if t not in self._generic)
        builtin = self.builtin_chain(own)
        loader = self.loader

        def find(name: str) -> tuple[str, str, Callable[[], bool]]:
            path, text, key = loader.jinja_template(name, own, builtin)
            return text, path, lambda: loader.unchanged(path, key)

        return find

    def _build(self, source: PartSource) -> tuple[Callable[[Any], str], bool, str]:
        """Compile a part: (run, CSS already handled, note on CSS)."""
        html = source.part == "body"
        if source.engine == "jinja":
            from .jinja import compile_jinja

            jinja_run = compile_jinja(
                source.files[source.entry],
                source.path,
                html=html,
                functions=i18n.i18n_funcs(self._file_locale(source), default=self.default_locale),
                find=self._jinja_finder(source),
                strict=self.jinja_strict,
                max_output=self.limits["max_output"],
                max_iterations=self.limits["max_iterations"],
                max_seconds=self.limits["max_seconds"],
            )
            return jinja_run, False, "Jinja template"
        files = dict(source.files)
        try:
            tset = gotmpl.parse_files(
                files,
                html=html,
                funcs=source.funcs,
                extra_funcs=_locale_funcs(self._file_locale(source), self.default_locale),
                delims=self.delims,
                origin=source.path,
                **self.limits,
            )
            entry = source.entry
            # Kratos's dispatch pattern: when the generic file calls this locale file as a
            # partial, the generic file is the email and the locale file only a piece of it.
            generic = PART_STEMS[source.part] + ".gotmpl"
            if source.locale is not None and generic in tset.trees and _calls(tset, generic, entry):
                entry = generic
            css_done, note = False, ""
            if html and self.inline_css:
                tset, css_done, note = self._inline_at_load_time(tset, files, entry)
            if html:
                tset.escape(entry)
        except TemplateError as e:
            raise _locate(e, source) from None

        def run(data: Any, _tset: gotmpl.TemplateSet = tset, _entry: str = entry) -> str:
            try:
                return _tset.execute(_entry, data)
            except TemplateError as e:
                raise _locate(e, source) from None

        return run, css_done, note

    def _inline_at_load_time(
        self, tset: gotmpl.TemplateSet, files: dict[str, str], entry: str
    ) -> tuple[gotmpl.TemplateSet, bool, str]:
        """Inline the entry file's CSS into the template once (see :mod:`.loadtime`)."""
        if not any("<style" in text.lower() for text in files.values()):
            return tset, True, "no <style>: nothing to inline"
        from . import loadtime  # only a template with <style> needs it (and html.parser, ~5 ms)

        inlined, reason = loadtime.inline_files(files, entry, self._get_inliner().inline, self.delims)
        if inlined is None:
            return tset, False, f"CSS is inlined per email: {reason}"
        files.update(inlined)
        try:
            new = gotmpl.parse_files(
                files,
                html=True,
                funcs=tset.funcs,
                delims=self.delims,
                origin=tset.origin,
                **self.limits,
            )
        except TemplateError:
            return tset, False, "CSS is inlined per email: the inlined template did not parse"
        return new, True, "CSS inlined into the template at load time"

    # -- email stages -------------------------------------------------------------------------------
    def _get_inliner(self) -> Any:
        if self._inliner is None:
            from .inline import get_inliner

            self._inliner = get_inliner(self.css_inliner_name)
        return self._inliner

    def _get_converter(self) -> Any:
        if self._converter is None:
            from .plaintext import get_converter

            self._converter = get_converter(self.html_to_text_name)
        return self._converter

    def _stub(self, tt: TemplateType, data: Mapping[str, Any]) -> RenderedEmail:
        # Kratos never templates the test stub: subject and body verbatim, HTML = HTMLBody or Body.
        body = str(data.get("Body", ""))
        html_body = str(data.get("HTMLBody", "") or body)
        return RenderedEmail(
            subject=str(data.get("Subject", "")),
            html=html_body,
            text=body,
            locale=self.default_locale,
            template=tt.name,
            files={},
        )


_DEFAULT: Renderer | None = None
_DEFAULT_LOCK = threading.Lock()


def _default() -> Renderer:
    global _DEFAULT
    if _DEFAULT is None:
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                _DEFAULT = Renderer()
    return _DEFAULT


def render(
    name: str, ctx: Mapping[str, Any] | Model | None = None, *, locale: str | None = None
) -> RenderedEmail:
    """Render with the built-in templates and default settings (a shared :class:`Renderer`)."""
    return _default().render(name, ctx, locale=locale)


def render_sms(name: str, ctx: Mapping[str, Any] | Model | None = None, *, locale: str | None = None) -> str:
    """Render an SMS body with the built-in templates (a shared :class:`Renderer`)."""
    return _default().render_sms(name, ctx, locale=locale)

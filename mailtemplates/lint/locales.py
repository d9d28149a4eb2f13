"""Checks over a whole template folder's locales: emails whose parts come in different languages
(``MT106``) and a part written for both engines (``MT107``).

Which file a part comes from, and in which language, is :meth:`mailtemplates.Renderer.resolve`'s
answer (what a render uses); which of two files for the same part and locale wins is the order of
:meth:`mailtemplates.loader.Loader.candidates`. Nothing of either is re-derived here.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence

from .. import i18n
from ..errors import MailTemplateError
from ..loader import BUILTIN_LOCALE, PART_STEMS
from ..models import TemplateType
from ..render import Renderer
from ..resolution import PartResolution
from .codes import Diagnostic, diag
from .files import PART_OF_STEM, TemplateFile

__all__ = ["check_engines", "check_languages", "locales_to_check"]


def locales_to_check(renderer: Renderer, tt: TemplateType) -> list[str]:
    """The default locale, the built-ins' generic language and every locale that has a file for
    ``tt`` in the renderer's roots: the locales a recipient can get this email in."""
    out = {renderer.default_locale}
    if renderer.loader.builtin_root is not None:
        out.add(BUILTIN_LOCALE)
    for tag in renderer.loader.available_locales(tt.path_parts):
        try:
            norm = i18n.normalize_locale(tag)
        except MailTemplateError:
            continue  # MT103 names the file
        if i18n.is_known_locale(norm):
            out.add(norm)
    return sorted(out)


def _describe(p: PartResolution) -> str:
    if p.derived_from:
        return f"{p.part} (derived from the HTML {p.derived_from})"
    name = os.path.basename(p.path or "")
    if p.origin == "builtin":
        return f"{p.part} (built-in {name})"
    return f"{p.part} ({name if p.origin == 'override' else p.path})"


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def check_languages(folder: str, tt: TemplateType, renderer: Renderer) -> Iterator[Diagnostic]:
    """MT106: for each locale, whether the email's parts resolve to more than one language.

    Locales whose odd parts are the same files are reported together (an override's generic
    body shadowing every built-in translation is one finding, not one per language).
    """
    groups: dict[tuple[tuple[str, str | None, str | None], ...], list[tuple[str, list[PartResolution]]]] = {}
    others: dict[tuple[tuple[str, str | None, str | None], ...], list[PartResolution]] = {}
    for loc in locales_to_check(renderer, tt):
        try:
            res = renderer.resolve(tt.name, loc)
        except MailTemplateError:
            continue
        parts = list(res.parts.values())
        if any(p.problem for p in parts) or not res.mixed_languages:
            continue  # MT008/MT001 say why a part cannot be used
        want = i18n.language_of(loc)
        langs = [p.language for p in parts if p.language is not None]
        if want not in langs:  # none in the asked language: the odd ones are the minority
            want = max(langs, key=langs.count)
        odd = [p for p in parts if p.language not in (None, want)]
        key = tuple((p.part, p.path, p.language) for p in odd)
        groups.setdefault(key, []).append((loc, odd))
        others.setdefault(key, [p for p in parts if p.language == want])
    for key, found in groups.items():
        locs = [loc for loc, _ in found]
        odd = found[0][1]
        rest = others[key]
        odd_langs = sorted({p.language or "" for p in odd})
        if len(locs) == 1:
            rest_text = f"the {_join([_describe(p) for p in rest])} in {rest[0].language if rest else '?'}"
        else:  # each locale's own files: name the parts, not one locale's files
            whose = " built-in" if all(p.origin == "builtin" for p in rest) else ""
            rest_text = f"the {_join([p.part for p in rest])} in each locale's own{whose} translation"
        # Shown as the user spelled the folder (the resolution has real paths).
        target = next(
            (
                os.path.join(folder, os.path.basename(p.path))
                for p in odd
                if p.origin == "override" and p.path
            ),
            folder,
        )
        missing = [PART_STEMS[p.part] for p in odd if not p.derived_from]
        tag = locs[0] if len(locs) == 1 else "<locale>"
        adds = _join([f"{stem}.{tag}.gotmpl" for stem in missing]) if missing else ""
        yield diag(
            "MT106",
            target,
            0,
            0,
            f"for {_join(locs)}: the {_join([_describe(p) for p in odd])} "
            f"{'comes' if len(odd) == 1 else 'come'} in {_join(odd_langs)}, {rest_text}: recipients get "
            "an email in two languages",
            f"add {adds} to {folder}" + (f" for {_join(locs)}" if len(locs) > 1 else "") if adds else None,
        )


def check_engines(
    files: Iterable[TemplateFile], tt: TemplateType, renderer: Renderer
) -> Iterator[Diagnostic]:
    """MT107: a ``.gotmpl`` and a ``.jinja`` file for the same part and locale; one is never read."""
    same: dict[tuple[str, str | None], list[TemplateFile]] = {}
    for f in files:
        if f.stem is not None and f.role in ("generic", "locale"):
            same.setdefault((f.stem, f.locale), []).append(f)
    for (stem, loc), group in sorted(same.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        if len({f.engine for f in group}) < 2:
            continue
        try:
            order = [
                os.path.basename(path)
                for origin, _, path, tag in renderer.loader.candidates(
                    tt.path_parts, PART_OF_STEM[stem], [loc] if loc else []
                )
                if origin == "override" and tag == loc
            ]
        except MailTemplateError:
            continue  # a tag the loader never asks for: MT103
        ranked = sorted(group, key=lambda f: order.index(f.name) if f.name in order else len(order))
        winner = ranked[0]
        for f in ranked[1:]:
            yield diag(
                "MT107",
                f.path,
                0,
                0,
                f"{winner.name} and {f.name} are the same part{f' for {loc!r}' if loc else ''}: "
                f"{winner.name} is used and this file is never read",
                f"remove {winner.name} to use this {f.engine} template, or remove this one",
            )

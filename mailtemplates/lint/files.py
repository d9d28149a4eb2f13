"""The files of a template folder, classified as Kratos's globs see them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..gotmpl import nodes
from ..loader import PART_STEMS
from ..models import TEMPLATE_TYPES, TemplateType

__all__ = ["FLOWS", "LOCALE_SHAPE", "PART_OF_STEM", "STEMS", "TEMPLATE_EXTS", "TemplateFile"]

#: Template types by flow folder (``recovery`` -> recovery/valid, recovery/invalid).
FLOWS: dict[str, list[TemplateType]] = {}
for _tt in TEMPLATE_TYPES.values():
    if _tt.templated:  # Kratos never renders the test stub from files
        FLOWS.setdefault(_tt.flow, []).append(_tt)

#: Stems longest first, so that ``email.body.plaintext.de.gotmpl`` is a plaintext file.
STEMS = sorted(PART_STEMS.values(), key=len, reverse=True)
PART_OF_STEM = {stem: part for part, stem in PART_STEMS.items()}
TEMPLATE_EXTS = (".gotmpl", ".jinja")
# A file suffix shaped like a locale tag (``de``, ``pt_BR``, ``de-DE``); anything else after the
# stem (``footer``, ``html.en_US``) is a partial, as Kratos's own test_stub templates use them.
LOCALE_SHAPE = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")


@dataclass
class TemplateFile:
    """One file of a template folder, classified as Kratos's globs see it."""

    name: str
    path: str
    #: The part stem the name starts with (``email.body.plaintext``), None for unknown files.
    stem: str | None
    engine: Literal["gotmpl", "jinja"] = "gotmpl"
    #: ``generic`` (``email.body.gotmpl``), ``locale`` (``email.body.de.gotmpl``) or ``partial``.
    role: Literal["generic", "locale", "partial"] = "partial"
    locale: str | None = None
    text: str | None = None
    trees: dict[str, nodes.Tree] | None = None
    failed: bool = False

"""Which file each part of an email comes from, and in which language: a plain value.

:meth:`mailtemplates.Renderer.resolve` answers it for a template type and locale without
rendering (the linter and the preview use it); every :class:`~mailtemplates.RenderedEmail`
carries the same facts for the parts it was rendered from (``email.sources``), so a courier can
log them. Resolution is per part, Kratos's rule, so an override folder with a German body but no
German subject gives an English subject over a German body: :attr:`Resolution.mixed_languages`
says so.

This module sits at the bottom of the package (it imports nothing of it), so the rendered email
can carry these values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

__all__ = ["PartResolution", "Resolution"]


@dataclass(frozen=True)
class PartResolution:
    """Where one part (``"subject"``, ``"body"``, ``"plaintext"``, ``"sms"``) comes from."""

    part: str
    #: The file path or template URI (a ``base64://`` one redacted); None when the part has no
    #: file: missing, or a plaintext derived from the HTML body.
    path: str | None
    #: ``"override"``, ``"builtin"``, ``"uri"``; None when there is no file.
    origin: Literal["override", "builtin", "uri"] | None
    #: The locale the file is written in: the tag in its name (``de`` for
    #: ``email.body.de.gotmpl``), else its root's generic language (the Renderer's
    #: ``default_locale`` for override folders, English for the built-ins). For a derived
    #: plaintext, the HTML body's.
    locale: str | None
    #: The written language of ``locale``, what "mixing languages" compares: the language subtag,
    #: with the script when it is not the language's usual one (``de_AT`` -> ``de``,
    #: ``zh_TW`` -> ``zh_Hant``).
    language: str | None
    #: ``"gotmpl"`` or ``"jinja"``; None when there is no file.
    engine: Literal["gotmpl", "jinja"] | None = None
    #: ``"body"`` when the plaintext is derived from the HTML body instead of a template.
    derived_from: str | None = None
    #: Why the part cannot be used (a directory in place of a file, a file outside its root...).
    problem: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """JSON-ready form (for logs and the preview)."""
        return {
            "part": self.part,
            "path": self.path,
            "origin": self.origin,
            "locale": self.locale,
            "language": self.language,
            "engine": self.engine,
            "derived_from": self.derived_from,
            "problem": self.problem,
        }


def mixed(parts: Mapping[str, PartResolution]) -> bool:
    """Whether the parts that have a language do not all have the same one."""
    return len({p.language for p in parts.values() if p.language is not None}) > 1


@dataclass(frozen=True)
class Resolution:
    """The parts of one email of template type ``template`` for a requested locale."""

    template: str
    #: The locale chain tried in the override folders, most specific first (the built-ins may
    #: go on to the default locale's files, see docs/locales.md).
    chain: tuple[str, ...]
    #: Part name -> where it comes from, in the order the type has them.
    parts: Mapping[str, PartResolution] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", MappingProxyType(dict(self.parts)))

    def __reduce__(self) -> tuple[type[Resolution], tuple[object, ...]]:
        return (Resolution, (self.template, self.chain, dict(self.parts)))

    @property
    def languages(self) -> dict[str, str]:
        """Part -> written language, for the parts that have one."""
        return {name: p.language for name, p in self.parts.items() if p.language is not None}

    @property
    def mixed_languages(self) -> bool:
        """True when the email's parts come in different languages (say, an English subject
        over a German body because the override folder has no German subject)."""
        return mixed(self.parts)

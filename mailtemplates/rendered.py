"""The finished email: what a render produces, before any transport sees it.

:class:`RenderedEmail` is a plain value (frozen, comparable, picklable) so that API transports
(SES, SendGrid, Postmark... take subject/html/text) can use it directly; MIME is built only when
:meth:`RenderedEmail.to_message` is called. This module depends on :mod:`mailtemplates.mime` and
nothing else in the package but the plain values of :mod:`mailtemplates.resolution`; ``mime``
does not import it back. ``mime`` (and the :mod:`email` package under it, ~40 ms) is imported
by ``to_message`` only: rendering and ``mailtemplates lint`` build no message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from mailtemplates.resolution import PartResolution, mixed

if TYPE_CHECKING:
    from mailtemplates.mime import Attachment, InlineImage, OutgoingMessage

__all__ = ["RenderedEmail"]


@dataclass(frozen=True)
class RenderedEmail:
    """One rendered email.

    ``html`` is ``None`` when there is no HTML part (Kratos sends plaintext-only mail when the HTML
    template fails at dispatch). ``template`` names the template directory, e.g. ``"recovery/valid"``;
    ``files`` maps each part (``"subject"``, ``"body"``, ``"plaintext"``) to the file or URI it
    came from; ``sources`` says the same with the language of each part
    (:class:`~mailtemplates.resolution.PartResolution`; a plaintext derived from the HTML has
    ``derived_from="body"``), so a courier can log it, and :attr:`mixed_languages` whether they
    differ.
    """

    subject: str
    html: str | None
    text: str
    locale: str
    template: str
    files: Mapping[str, str] = field(default_factory=dict, hash=False)
    sources: Mapping[str, PartResolution] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        # A read-only copy, so a frozen RenderedEmail cannot change through the caller's dict.
        object.__setattr__(self, "files", MappingProxyType(dict(self.files)))
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))

    def __reduce__(self) -> tuple[type[RenderedEmail], tuple[object, ...]]:
        # mappingproxy does not pickle; rebuild from a dict.
        return (
            RenderedEmail,
            (
                self.subject,
                self.html,
                self.text,
                self.locale,
                self.template,
                dict(self.files),
                dict(self.sources),
            ),
        )

    @classmethod
    def _made(
        cls,
        subject: str,
        html: str | None,
        text: str,
        locale: str,
        template: str,
        files: MappingProxyType[str, str],
        sources: MappingProxyType[str, PartResolution],
    ) -> RenderedEmail:
        """For the renderer, which hands over read-only mappings of dicts it keeps to itself (and
        shares between the emails of one template): no copies, as ``__post_init__`` makes."""
        email = object.__new__(cls)
        email.__dict__.update(
            subject=subject,
            html=html,
            text=text,
            locale=locale,
            template=template,
            files=files,
            sources=sources,
        )
        return email

    @property
    def mixed_languages(self) -> bool:
        """True when the parts were rendered from files in different languages."""
        return mixed(self.sources)

    def to_message(
        self,
        *,
        from_address: str,
        to: str | Sequence[str],
        from_name: str | None = None,
        headers: Mapping[str, str] | None = None,
        reply_to: str | None = None,
        attachments: Sequence[Attachment] = (),
        inline_images: Sequence[InlineImage] = (),
        message_id_domain: str | None = None,
        message_id: str | None = None,
    ) -> OutgoingMessage:
        """Build the MIME message (an :class:`email.message.EmailMessage`); see :mod:`mailtemplates.mime`.

        The keyword names follow Kratos' ``courier.smtp`` settings (``from_address``, ``from_name``,
        ``headers``). Raises :class:`~mailtemplates.errors.MessageError` for unsafe headers or
        invalid addresses. ``message_id`` fixes the ``Message-ID`` (see
        :func:`~mailtemplates.mime.build_message`).
        """
        from mailtemplates.mime import build_message

        return build_message(
            subject=self.subject,
            text=self.text,
            html=self.html,
            from_address=from_address,
            to=to,
            from_name=from_name,
            headers=headers,
            reply_to=reply_to,
            attachments=attachments,
            inline_images=inline_images,
            message_id_domain=message_id_domain,
            message_id=message_id,
        )

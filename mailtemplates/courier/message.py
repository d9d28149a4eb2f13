"""What the courier stores: a message, its dispatch log, and per-message transport overrides.

The model follows Kratos's ``courier_messages`` / ``courier_message_dispatches``
(``courier/message.go``, ``courier/message_dispatch.go``): statuses queued, processing, sent,
abandoned; a ``send_count``; one dispatch row per attempt, success or failed with the error. A
message holds everything needed to send it without the templates (subject, text, HTML are rendered
at enqueue), plus its Message-ID, fixed at enqueue so that a receiver can drop a duplicate.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mailtemplates.errors import CourierError

__all__ = [
    "STATUSES",
    "CourierError",
    "Dispatch",
    "Message",
    "MessageExtras",
    "Status",
    "TransportOverride",
]

Status = Literal["queued", "processing", "sent", "abandoned"]
STATUSES: tuple[Status, ...] = ("queued", "processing", "sent", "abandoned")
MessageType = Literal["email", "sms"]


@dataclass(frozen=True)
class TransportOverride:
    """Per-message SMTP transport settings (the Courier SMTP integration's override).

    Anything left ``None`` comes from the courier's own connection URI. ``security`` is
    ``"tls"`` (implicit TLS, smtps) or ``"starttls"`` (STARTTLS required).
    """

    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    security: Literal["tls", "starttls"] | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TransportOverride:
        return cls(**{k: data[k] for k in ("host", "port", "user", "password", "security") if k in data})


@dataclass(frozen=True)
class MessageExtras:
    """What a message carries besides its content: a transport override, the names of its
    attachments (their bytes are in the stored MIME), and the SMTP envelope fixed at enqueue.
    """

    transport: TransportOverride | None = None
    attachments: tuple[str, ...] = ()
    envelope_from: str | None = None
    envelope_to: tuple[str, ...] = ()

    def to_json(self) -> str:
        out: dict[str, Any] = {}
        if self.transport is not None:
            out["transport"] = self.transport.to_json()
        if self.attachments:
            out["attachments"] = list(self.attachments)
        if self.envelope_from is not None:
            out["envelope_from"] = self.envelope_from
            out["envelope_to"] = list(self.envelope_to)
        return json.dumps(out)

    @classmethod
    def from_json(cls, raw: str | None) -> MessageExtras:
        data = json.loads(raw) if raw else {}
        transport = TransportOverride.from_json(data["transport"]) if "transport" in data else None
        return cls(
            transport=transport,
            attachments=tuple(data.get("attachments", ())),
            envelope_from=data.get("envelope_from"),
            envelope_to=tuple(data.get("envelope_to", ())),
        )


@dataclass(frozen=True)
class Dispatch:
    """One delivery attempt: ``status`` is ``"success"`` or ``"failed"`` (Kratos's values)."""

    status: Literal["success", "failed"]
    error: str | None
    created_at: float
    worker: str | None = None


@dataclass(frozen=True)
class Message:
    """A stored message. Times are Unix seconds (UTC)."""

    id: str
    type: MessageType
    channel: str
    status: Status
    recipient: str
    subject: str
    body: str = field(repr=False)
    html: str | None = field(repr=False)
    template_type: str
    template_data: Mapping[str, Any] = field(repr=False)
    locale: str | None
    headers: Mapping[str, str]
    message_id: str
    idempotency_key: str | None
    extras: MessageExtras
    send_count: int
    due_at: float
    created_at: float
    updated_at: float
    lease_until: float | None = None
    #: The MIME message as sent (emails; built at enqueue), ``None`` for SMS.
    raw: bytes | None = field(default=None, repr=False)
    #: Filled by :meth:`Store.get` (not by list queries).
    dispatches: tuple[Dispatch, ...] = ()
    #: The claim this copy was taken under (only set on claimed messages).
    claim: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary (no password, attachments as names)."""
        return {
            "id": self.id,
            "type": self.type,
            "channel": self.channel,
            "status": self.status,
            "recipient": self.recipient,
            "subject": self.subject,
            "template_type": self.template_type,
            "locale": self.locale,
            "message_id": self.message_id,
            "idempotency_key": self.idempotency_key,
            "send_count": self.send_count,
            "due_at": self.due_at,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "attachments": list(self.extras.attachments),
            "dispatches": [
                {"status": d.status, "error": d.error, "created_at": d.created_at, "worker": d.worker}
                for d in self.dispatches
            ],
        }

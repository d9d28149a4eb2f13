"""mailtemplates.courier: durable delivery (an outbox), following Kratos's courier.

    from mailtemplates.courier import Courier
    courier = Courier(store="sqlite:///courier.db", smtp_uri="smtp://127.0.0.1:2525/?disable_starttls=true",
                      from_address="accounts@example.org")
    mid = courier.queue_email("recovery/valid", ctx, to="ann@example.org", locale="de")
    courier.work(until_idle=True)
    courier.message(mid).status     # "queued" | "processing" | "sent" | "abandoned"

Enqueueing renders at once (a template or context error raises then, and nothing is stored) and
builds the MIME message, so the stored message is sent without the templates and its Message-ID
is fixed. Workers (:meth:`Courier.work`, ``mailtemplates courier watch``) claim due messages,
send them and record every attempt; see ``docs/courier.md`` for the guarantees.

This package is the only part of mailtemplates that uses psycopg (imported when a
``postgresql://`` store is opened); ``import mailtemplates`` does not import it.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from mailtemplates.errors import HTTPSendError

from .message import STATUSES, CourierError, Dispatch, Message, MessageExtras, Status, TransportOverride

# SMTP, HTTP, the stores and the worker load when a Courier is built: ``mailtemplates --help``
# imports this package (for the courier's command line) and should not pay for them.
if TYPE_CHECKING:
    from mailtemplates.mime import Attachment
    from mailtemplates.smtp import SMTPConfig, SMTPConnection

    from .channels import HTTPChannelConfig
    from .metrics import Metrics
    from .store import Store, open_store
    from .worker import JSONLog

__all__ = [
    "STATUSES",
    "Courier",
    "CourierError",
    "Dispatch",
    "HTTPChannelConfig",
    "HTTPSendError",
    "JSONLog",
    "Message",
    "Metrics",
    "Status",
    "Store",
    "TransportOverride",
    "open_store",
]

#: Kratos's default ``courier.smtp.from_address``.
DEFAULT_FROM_ADDRESS = "no-reply@ory.kratos.sh"


class Courier:
    """A queue of emails and SMS in ``store``, and the worker that delivers them.

    ``store``: a URL (``sqlite:///courier.db``, ``postgresql://...``) or an open :class:`Store`.
    SMTP settings are Kratos's ``courier.smtp.*``: ``smtp_uri`` (or a parsed ``smtp``
    :class:`~mailtemplates.smtp.SMTPConfig`), ``from_address``, ``from_name``, ``headers``.
    ``channels``: HTTP channels (Kratos's ``courier.channels``); a channel with id ``email``
    delivers emails over HTTP instead of SMTP, ``sms`` delivers text messages.
    ``renderer`` (or ``templates``, override folders) renders at enqueue.

    Worker settings: ``message_retries`` (5), ``pull_count`` (10), ``pull_wait`` (1 s), ``lease``
    (300 s: how long a claimed message stays processing before another worker may take it; keep
    it above ``pull_count`` times the SMTP timeout), ``retry_backoff`` (5 s; 0 retries at once),
    ``max_backoff`` (900 s).
    """

    def __init__(
        self,
        store: str | Store = "sqlite:///courier.db",
        *,
        smtp_uri: str | None = None,
        smtp: SMTPConfig | None = None,
        from_address: str = DEFAULT_FROM_ADDRESS,
        from_name: str | None = None,
        headers: Mapping[str, str] | None = None,
        channels: Sequence[HTTPChannelConfig | Mapping[str, Any]] = (),
        renderer: Any = None,
        templates: Sequence[str] = (),
        message_retries: int = 5,
        pull_count: int = 10,
        pull_wait: float = 1.0,
        lease: float = 300.0,
        retry_backoff: float = 5.0,
        max_backoff: float = 900.0,
        log: Any = None,
        metrics: Metrics | None = None,
    ) -> None:
        for name, value in (("message_retries", message_retries), ("pull_count", pull_count)):
            if not isinstance(value, int) or value < (0 if name == "message_retries" else 1):
                raise CourierError(
                    f"{name} must be a whole number{' ≥ 1' if name == 'pull_count' else ' ≥ 0'}"
                )
        for name, seconds in (("pull_wait", pull_wait), ("lease", lease), ("retry_backoff", retry_backoff)):
            if not seconds >= 0 or (name == "lease" and not seconds > 0):
                raise CourierError(f"{name} must be a positive number of seconds, got {seconds!r}")
        from mailtemplates.smtp import parse_connection_uri

        from .channels import HTTPChannel, HTTPChannelConfig
        from .store import open_store
        from .worker import WorkerSettings

        self.store = open_store(store) if isinstance(store, str) else store
        self.smtp = smtp if smtp is not None else (parse_connection_uri(smtp_uri) if smtp_uri else None)
        self.from_address = from_address
        self.from_name = from_name
        self.headers = dict(headers or {})
        # Built now, so that a mistake in a channel's configuration fails here, not per message.
        configs = [
            x if isinstance(x, HTTPChannelConfig) else HTTPChannelConfig.from_kratos(x) for x in channels
        ]
        self.channels = {cfg.id: HTTPChannel(cfg) for cfg in configs}
        self._renderer = renderer
        self._templates = list(templates)
        self.settings = WorkerSettings(
            pull_count=pull_count,
            pull_wait=pull_wait,
            lease=lease,
            message_retries=message_retries,
            retry_backoff=retry_backoff,
            max_backoff=max_backoff,
        )
        self.log = log
        self.metrics = metrics
        self._stopping = threading.Event()
        self._local = threading.local()  # this thread's open batch(), if any

    @classmethod
    def from_kratos_config(
        cls,
        path: str,
        store: str | Store = "sqlite:///courier.db",
        *,
        renderer_options: Mapping[str, Any] | None = None,
        **overrides: Any,
    ) -> Courier:
        """A courier configured from a Kratos configuration file (``courier.*``, with Kratos's
        environment variables applied); ``overrides`` win over the file.

        ``renderer_options`` go to the :class:`~mailtemplates.render.Renderer` built from the
        file's templates, for what a Kratos file cannot say, e.g.
        ``{"http_allowed_networks": "10.0.0.0/8"}`` when ``courier.templates.*`` URIs point at
        an internal host.
        """
        from mailtemplates.kratos_config import load_kratos_config

        from .config import courier_kwargs

        kw = courier_kwargs(load_kratos_config(path), renderer_options=renderer_options)
        kw.update(overrides)
        return cls(store, **kw)

    # -- enqueueing ---------------------------------------------------------------------------
    @property
    def renderer(self) -> Any:
        if self._renderer is None:
            from mailtemplates.render import Renderer

            self._renderer = Renderer(self._templates)
        return self._renderer

    def _known(self, idempotency_key: str | None) -> str | None:
        if idempotency_key is None:
            return None
        pending: _Batch | None = getattr(self._local, "batch", None)
        if pending is not None and idempotency_key in pending.keys:
            return pending.keys[idempotency_key]
        return self.store.find_key(idempotency_key)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Queue many messages with one commit::

            with courier.batch():
                for user in users:
                    courier.queue_email("login_code/valid", ctx(user), to=user.email)

        ``queue_email``/``queue_sms`` in the block (in this thread) render, check and return the
        id at once, as outside; the messages are stored together, in one transaction, when the
        block ends without an exception (one durable commit instead of one per message: on
        PostgreSQL that is one WAL flush for the batch). An exception in the block stores none
        of them; so does an idempotency key that another process queued meanwhile
        (:class:`CourierError`). Until the block ends, nothing of it is acknowledged: a crash
        inside loses the batch, never part of it. Batches do not nest.
        """
        if getattr(self._local, "batch", None) is not None:
            raise CourierError("courier.batch() blocks do not nest")
        pending = self._local.batch = _Batch()
        try:
            yield
        finally:
            self._local.batch = None
        self.store.insert_many(pending.rows)

    def queue_email(
        self,
        name: str,
        ctx: Any = None,
        *,
        to: str,
        locale: str | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        transport: TransportOverride | None = None,
        attachments: Sequence[Attachment] = (),
        channel: str = "email",
    ) -> str:
        """Render template type ``name`` for ``ctx`` and queue it for ``to``; return its id.

        Raises the rendering error (nothing is stored) for a template, context or header mistake.
        With ``idempotency_key``, a key already queued returns the first message's id.
        """
        from mailtemplates.mime import build_message
        from mailtemplates.models import to_payload

        known = self._known(idempotency_key)
        if known is not None:
            return known
        email = self.renderer.render(name, ctx, locale=locale)
        mid = uuid.uuid4().hex
        all_headers = {**self.headers, **(headers or {})}
        # Fixed here and stored, so that every attempt sends the same one (a receiver can drop a
        # duplicate); a Message-ID among the configured headers wins, as in build_message.
        configured = any(k.lower() == "message-id" for k in all_headers)
        message_id = f"<{mid}@{self.from_address.rpartition('@')[2]}>"
        msg = build_message(
            subject=email.subject,
            text=email.text,
            html=email.html,
            from_address=self.from_address,
            from_name=self.from_name,
            to=to,
            headers=all_headers,
            attachments=attachments,
            message_id=None if configured else message_id,
        )
        if configured:
            message_id = str(msg["Message-ID"])
        extras = MessageExtras(
            transport=transport,
            attachments=tuple(a.filename for a in attachments),
            **_envelope(msg, self.from_address, to, all_headers),
        )
        return self._insert(
            mid,
            "email",
            channel,
            to,
            email.subject,
            email.text,
            email.html,
            email.template,
            to_payload(email.template, ctx),
            email.locale,
            headers,
            message_id,
            idempotency_key,
            extras,
            msg.as_bytes(),
        )

    def queue_sms(
        self,
        name: str,
        ctx: Any = None,
        *,
        to: str,
        locale: str | None = None,
        idempotency_key: str | None = None,
        channel: str = "sms",
    ) -> str:
        """Render the SMS body of ``name`` and queue it for phone number ``to`` on ``channel``."""
        from mailtemplates.models import get_template_type, to_payload

        known = self._known(idempotency_key)
        if known is not None:
            return known
        tt = get_template_type(name)
        body = self.renderer.render_sms(tt.name, ctx, locale=locale)
        mid = uuid.uuid4().hex
        return self._insert(
            mid,
            "sms",
            channel,
            to,
            "",
            body,
            None,
            tt.name,
            to_payload(tt.name, ctx, channel="sms"),
            locale,
            None,
            f"<{mid}@{self.from_address.rpartition('@')[2]}>",
            idempotency_key,
            MessageExtras(),
            None,
        )

    def _insert(
        self,
        mid: str,
        type_: str,
        channel: str,
        to: str,
        subject: str,
        body: str,
        html: str | None,
        template: str,
        data: Any,
        locale: str | None,
        headers: Mapping[str, str] | None,
        message_id: str,
        key: str | None,
        extras: MessageExtras,
        raw: bytes | None,
    ) -> str:
        now = time.time()
        row = {
            "id": mid,
            "type": type_,
            "channel": channel,
            "status": "queued",
            "recipient": to,
            "subject": subject,
            "body": body,
            "html": html,
            "template_type": template,
            "template_data": json.dumps(data, ensure_ascii=False),
            "locale": locale,
            "headers": json.dumps(dict(headers or {})),
            "message_id": message_id,
            "idempotency_key": key,
            "extras": extras.to_json(),
            "send_count": 0,
            "due_at": now,
            "created_at": now,
            "updated_at": now,
            "raw": raw,
        }
        pending: _Batch | None = getattr(self._local, "batch", None)
        if pending is not None:
            pending.rows.append(row)
            if key is not None:
                pending.keys[key] = mid
            return mid
        return self.store.insert(row)[0]

    # -- inspecting ---------------------------------------------------------------------------
    def message(self, mid: str) -> Message:
        """The message ``mid`` with its dispatch log."""
        return self.store.get(mid)

    def messages(
        self, status: str | None = None, *, recipient: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[Message]:
        """Messages, oldest first (without dispatch logs)."""
        return self.store.list(status=status, recipient=recipient, limit=limit, offset=offset)

    def counts(self) -> dict[str, int]:
        return self.store.counts()

    def retry(self, mid: str) -> None:
        """Queue an abandoned message again (``send_count`` back to 0)."""
        self.store.retry(mid, time.time())

    def purge(self, older_than: float) -> int:
        """Delete sent messages last updated more than ``older_than`` seconds ago."""
        return self.store.purge(time.time() - older_than)

    # -- dispatching --------------------------------------------------------------------------
    def work(self, until_idle: bool = True) -> int:
        """Run a worker in this thread: until nothing is due (``until_idle``) or :meth:`stop`.

        Returns the number of delivery attempts made.
        """
        if self.smtp is None and not self.channels:
            raise CourierError(
                "nothing to deliver with: give an SMTP server (smtp_uri, courier.smtp.connection_uri) "
                "or HTTP channels (courier.channels)"
            )
        from .worker import Worker

        worker = Worker(
            self.store,
            _Dispatcher(self),
            self.settings,
            log=self.log,
            metrics=self.metrics,
            stop_event=self._stopping,
        )
        try:
            return worker.run(until_idle=until_idle)
        finally:
            self._stopping.clear()

    def stop(self) -> None:
        """Ask a running :meth:`work` to finish the message in flight, release the rest, return."""
        self._stopping.set()

    def close(self) -> None:
        """Close the store's connection."""
        self.store.close()

    def __enter__(self) -> Courier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Batch:
    """Rows queued inside :meth:`Courier.batch`, and their idempotency keys."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.keys: dict[str, str] = {}


_ENVELOPE_HEADERS = frozenset({"sender", "from", "to", "cc", "bcc"})


def _envelope(msg: Any, from_address: str, to: str, headers: Mapping[str, str]) -> dict[str, Any]:
    """The SMTP envelope, as ``smtp.send`` derives it from the headers; without configured
    address headers it is known without parsing any (header parsing costs ~1 ms a message)."""
    from mailtemplates import smtp as _smtp

    if any(h.lower() in _ENVELOPE_HEADERS for h in headers):
        sender, rcpts = _smtp.envelope(msg)
        return {"envelope_from": sender, "envelope_to": tuple(rcpts)}
    # A bare address (what build_message accepted without "<" or a comment) is its own addr-spec.
    from email.utils import parseaddr

    rcpt = to if "<" not in to and "(" not in to and '"' not in to else parseaddr(to)[1]
    return {"envelope_from": from_address, "envelope_to": (rcpt.strip(), *msg.envelope_bcc)}


class _Dispatcher:
    """Routes a message to its channel; one SMTP session per worker, reused across messages."""

    def __init__(self, courier: Courier) -> None:
        self.courier = courier
        self.session: SMTPConnection | None = None

    def send(self, m: Message) -> None:
        from mailtemplates.smtp import SMTPConnection

        from .channels import override_config

        c = self.courier
        http = c.channels.get(m.channel)
        if http is not None:
            http.send(m)
            return
        if m.type != "email" or m.channel != "email":
            raise CourierError(f"no courier channel {m.channel!r} is configured (courier.channels)")
        if c.smtp is None:
            raise CourierError("no SMTP server is configured (courier.smtp.connection_uri / smtp_uri)")
        if m.raw is None or m.extras.envelope_from is None:  # pragma: no cover - emails always have both
            raise CourierError(f"message {m.id} has no MIME content")
        if m.extras.transport is not None:
            with SMTPConnection(override_config(c.smtp, m.extras.transport)) as one:
                one.send_raw(m.raw, m.extras.envelope_from, m.extras.envelope_to)
            return
        if self.session is None:
            self.session = SMTPConnection(c.smtp)
        self.session.send_raw(m.raw, m.extras.envelope_from, m.extras.envelope_to)

    def idle(self) -> None:
        if self.session is not None:
            self.session.close()


_LAZY = {
    "HTTPChannelConfig": ".channels",
    "JSONLog": ".worker",
    "Metrics": ".metrics",
    "Store": ".store",
    "open_store": ".store",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value

"""Delivery channels: SMTP over a reused connection, and Kratos's HTTP channel.

Both raise a :class:`~mailtemplates.errors.SendError` whose ``permanent`` attribute tells the worker
whether to retry: SMTP 5xx replies and HTTP 4xx statuses other than 408 (timeout) and 429 (too many
requests) are permanent; everything else (4xx SMTP replies, network errors, timeouts, HTTP 5xx) is
retried.

SMTP: :class:`SMTPSession` keeps one connection open across messages (the worker closes it when the
queue runs dry) and re-dials after any failure. The session setup follows
:func:`mailtemplates.smtp.send` (same TLS policy, same authentication rules, same errors), using
its building blocks; ``smtp.send`` itself dials once per message.

HTTP: ``courier.channels[].request_config`` (``kratos/request/config.go``): ``url``, ``method``
(default POST), ``headers``, ``auth`` of type ``basic_auth`` (``user``, ``password``) or
``api_key`` (``name``, ``value``, ``in``: ``header`` or ``cookie``). The body is Kratos's HTTP data
model as JSON (``recipient``, ``subject``, ``body``, ``html_body``, ``template_type``,
``template_data``, ``message_type``) plus our ``message_id``; Kratos would pass it through a
Jsonnet ``body`` template first, which we do not run (a ``body`` key is refused, not ignored).
"""

from __future__ import annotations

import base64
import json
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from typing import Any

from mailtemplates import smtp as _smtp
from mailtemplates.errors import HTTPSendError, SendError
from mailtemplates.mime import OutgoingMessage
from mailtemplates.smtp import SendResult, SMTPConfig, SMTPSendError, build_ssl_context

from .message import CourierError, Message, TransportOverride

__all__ = ["HTTPChannel", "HTTPChannelConfig", "HTTPSendError", "SMTPSession", "override_config"]


# -- SMTP --------------------------------------------------------------------------------------


def override_config(base: SMTPConfig, o: TransportOverride) -> SMTPConfig:
    """The courier's SMTP settings with one message's transport override laid over them."""
    kw: dict[str, Any] = {}
    if o.host is not None:
        kw["host"] = o.host
    if o.port is not None:
        kw["port"] = int(o.port)
    if o.user is not None:
        kw["username"] = o.user
        kw["password"] = o.password
    if o.security is not None:
        kw["security"] = o.security
    return replace(base, **kw)


class SMTPSession:
    """One SMTP connection, dialed on first use and reused until :meth:`close` or a failure."""

    def __init__(self, config: SMTPConfig) -> None:
        self.config = config
        self._client: Any = None
        self._tls_version: str | None = None
        self._mechanism: str | None = None
        self.dials = 0

    def _open(self) -> None:
        cfg = self.config
        tls_name = cfg.host if cfg.security == "opportunistic" else (cfg.server_name or cfg.host)
        implicit = build_ssl_context(cfg) if cfg.security == "tls" else None
        client = _smtp._Client(cfg, implicit, tls_name)
        self.dials += 1
        stage = "connect"
        try:
            client.connect(cfg.host, cfg.port)
            stage = "ehlo"
            client.ehlo_or_helo_if_needed()
            if cfg.security != "tls":
                offered = client.has_extn("starttls")
                if cfg.security == "starttls" and not offered:
                    raise SMTPSendError(
                        f"{cfg.host}:{cfg.port} does not offer STARTTLS, which is required", stage="tls"
                    )
                if offered:
                    stage = "tls"
                    client.starttls(
                        context=build_ssl_context(cfg, verify_only=cfg.security == "opportunistic")
                    )
                    stage = "ehlo"
                    client.ehlo_or_helo_if_needed()
            self._tls_version = client.sock.version() if isinstance(client.sock, ssl.SSLSocket) else None
            self._mechanism = None
            if cfg.username is not None and client.esmtp_features.get("auth", "").strip():
                stage = "auth"
                self._mechanism = _smtp._login(client, cfg, encrypted=self._tls_version is not None)
        except BaseException as e:
            client.close()
            raise _as_send_error(e, stage, cfg) from None
        self._client = client

    def send_message(self, message: EmailMessage) -> SendResult:
        """Send an :class:`~email.message.EmailMessage` (envelope from its headers, as ``smtp.send``)."""
        sender = _smtp._envelope_sender(message)
        rcpts = _smtp._envelope_recipients(message)
        if isinstance(message, OutgoingMessage) and "Bcc" not in message:
            data = message.as_bytes()  # the wire form mime.build_message wrote (CRLF)
        else:
            data = _smtp._flatten(message)
        return self.send(data, sender, rcpts)

    def send(self, data: bytes, sender: str, rcpts: Sequence[str]) -> SendResult:
        """Send wire-format ``data`` on the open connection (dialing first if needed); close the
        connection on any failure, so the next message re-dials."""
        cfg = self.config
        if not rcpts:
            raise SMTPSendError("the message has no recipients (To, Cc, Bcc)", stage="mail")
        if self._client is None:
            self._open()
        client = self._client
        stage = "mail"
        try:
            options = ["SMTPUTF8"] if any(not a.isascii() for a in [sender, *rcpts]) else []
            if not data.isascii():
                options.append("BODY=8BITMIME")
            code, reply = client.mail(sender, options)
            if code != 250:
                raise _smtp._refused("sender", sender, code, reply, "mail")
            stage = "rcpt"
            for rcpt in rcpts:
                code, reply = client.rcpt(rcpt)
                if code not in (250, 251):
                    raise _smtp._refused("recipient", rcpt, code, reply, "rcpt")
            stage = "data"
            code, reply = client.data(data)
            if code != 250:
                raise _smtp._refused("message", None, code, reply, "data")
        except BaseException as e:
            self.close(polite=False)
            raise _as_send_error(e, stage, cfg) from None
        return SendResult(
            code=code,
            text=reply.decode("utf-8", "replace"),
            envelope_from=sender,
            recipients=tuple(rcpts),
            tls_version=self._tls_version,
            auth_mechanism=self._mechanism,
        )

    def close(self, *, polite: bool = True) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        if polite:
            try:
                client.quit()
                return
            except (smtplib.SMTPException, OSError):
                pass
        client.close()


def _as_send_error(e: BaseException, stage: str, cfg: SMTPConfig) -> BaseException:
    """The :class:`SMTPSendError` for an exception at ``stage`` (as ``smtp.send`` words it)."""
    where = f"{cfg.host}:{cfg.port}"
    if isinstance(e, SMTPSendError) or not isinstance(e, Exception):
        return e  # ours already, or KeyboardInterrupt/SystemExit: let it through
    if isinstance(e, smtplib.SMTPResponseException):
        text = _smtp._text(e.smtp_error)
        return SMTPSendError(
            f"{where} refused at {stage}: {e.smtp_code} {text}", stage=stage, code=e.smtp_code, text=text
        )
    if isinstance(e, smtplib.SMTPServerDisconnected):
        if isinstance(e.__context__, TimeoutError):
            return SMTPSendError(f"{where} did not answer within {cfg.timeout:g} s ({stage})", stage=stage)
        return SMTPSendError(f"{where} closed the connection during {stage}", stage=stage)
    if isinstance(e, ssl.SSLCertVerificationError):
        return SMTPSendError(
            f"TLS certificate of {where} failed verification: {e.verify_message}", stage="tls"
        )
    if isinstance(e, ssl.SSLError):
        return SMTPSendError(f"TLS with {where} failed: {e.reason or e}", stage="tls")
    if isinstance(e, TimeoutError):
        return SMTPSendError(f"{where} did not answer in time ({stage})", stage=stage)
    if isinstance(e, OSError):
        return SMTPSendError(f"cannot talk to {where} ({stage}): {e.strerror or e}", stage=stage)
    if isinstance(e, (smtplib.SMTPException, SendError)):
        return SMTPSendError(f"{where} {stage} failed: {e}", stage=stage)
    return e


# -- HTTP --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HTTPChannelConfig:
    """A Kratos ``courier.channels[]`` entry of type ``http`` (its ``request_config``)."""

    id: str
    url: str
    method: str = "POST"
    headers: Mapping[str, str] = field(default_factory=dict)
    auth: Mapping[str, Any] | None = None
    timeout: float = 10.0

    @classmethod
    def from_kratos(cls, entry: Mapping[str, Any]) -> HTTPChannelConfig:
        """Build from a ``courier.channels`` item (``{id, type: http, request_config: {...}}``)."""
        if entry.get("type", "http") != "http":
            raise CourierError(f"courier channel {entry.get('id')!r}: only type http is supported here")
        rc = entry.get("request_config") or {}
        if "body" in rc:
            raise CourierError(
                f"courier channel {entry.get('id')!r}: request_config.body (a Jsonnet template) is not "
                "supported; the message is posted as Kratos's JSON data model"
            )
        if not rc.get("url"):
            raise CourierError(f"courier channel {entry.get('id')!r}: request_config.url is required")
        return cls(
            id=str(entry.get("id") or "sms"),
            url=str(rc["url"]),
            method=str(rc.get("method") or "POST").upper(),
            headers={str(k): str(v) for k, v in (rc.get("headers") or {}).items()},
            auth=rc.get("auth"),
        )


class HTTPChannel:
    """Posts each message as JSON to ``config.url``; a 2xx answer means delivered."""

    def __init__(self, config: HTTPChannelConfig) -> None:
        self.config = config
        self._headers = {"Content-Type": "application/json", **dict(config.headers)}
        auth = config.auth
        if auth:
            kind = auth.get("type")
            conf = auth.get("config") or {}
            if kind == "basic_auth":
                token = f"{conf.get('user', '')}:{conf.get('password', '')}".encode()
                self._headers["Authorization"] = "Basic " + base64.b64encode(token).decode("ascii")
            elif kind == "api_key":
                name, value, where = conf.get("name"), conf.get("value"), conf.get("in", "header")
                if not name or value is None:
                    raise CourierError(f"courier channel {config.id!r}: api_key auth needs name and value")
                if where == "cookie":
                    self._headers["Cookie"] = f"{name}={value}"
                elif where == "header":
                    self._headers[str(name)] = str(value)
                else:
                    raise CourierError(
                        f"courier channel {config.id!r}: api_key 'in' must be header or cookie"
                    )
            else:
                raise CourierError(
                    f"courier channel {config.id!r}: auth type {kind!r} is not basic_auth or api_key"
                )

    @staticmethod
    def payload(m: Message) -> dict[str, Any]:
        """Kratos's ``httpDataModel`` for the message, plus its Message-ID."""
        out: dict[str, Any] = {
            "recipient": m.recipient,
            "subject": m.subject,
            "body": m.body,
            "template_type": m.template_type.replace("/", "_"),
            "template_data": m.template_data,
            "message_type": m.type,
            "message_id": m.message_id,
        }
        if m.html:
            out["html_body"] = m.html
        return out

    def send(self, m: Message) -> int:
        data = json.dumps(self.payload(m)).encode("utf-8")
        req = urllib.request.Request(
            self.config.url, data=data, method=self.config.method, headers=self._headers
        )
        try:
            with urllib.request.urlopen(req, timeout=self.config.timeout) as res:
                res.read(1024)
                return int(res.status)
        except urllib.error.HTTPError as e:
            body = e.read(512).decode("utf-8", "replace").strip()
            e.close()
            raise HTTPSendError(
                f"{self.config.url} answered {e.code} {e.reason}" + (f": {body}" if body else ""),
                status=e.code,
            ) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise HTTPSendError(f"cannot reach {self.config.url}: {reason}") from None

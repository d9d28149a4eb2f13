"""Delivery channels: SMTP over a reused connection, and Kratos's HTTP channel.

Both raise a :class:`~mailtemplates.errors.SendError` whose ``permanent`` attribute tells the worker
whether to retry: SMTP 5xx replies and HTTP 4xx statuses other than 408 (timeout) and 429 (too many
requests) are permanent; everything else (4xx SMTP replies, network errors, timeouts, HTTP 5xx) is
retried.

SMTP: the worker keeps one :class:`mailtemplates.smtp.SMTPConnection` open across messages (it
closes it when the queue runs dry); the connection re-dials after any failure. Its session setup
and error mapping are the ones :func:`mailtemplates.smtp.send` uses.

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
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from mailtemplates.errors import HTTPSendError
from mailtemplates.smtp import SMTPConfig

from .message import CourierError, Message, TransportOverride

__all__ = ["HTTPChannel", "HTTPChannelConfig", "HTTPSendError", "override_config"]


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

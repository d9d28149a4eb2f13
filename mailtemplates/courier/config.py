"""Courier settings from a Kratos configuration (:mod:`mailtemplates.kratos_config`).

Maps ``courier.smtp.*`` (connection, from address and name, headers, local_name, client
certificate), ``courier.message_retries``, ``courier.worker.pull_count`` / ``pull_wait`` and the
HTTP channels (``courier.channels``, and the legacy ``courier.http`` / ``courier.sms`` that
the loader turns into channels ``email`` / ``sms``) onto :class:`~mailtemplates.courier.Courier`
keyword arguments. Templates (``template_override_path``, ``templates.*``) go to the renderer,
which the courier uses at enqueue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["courier_kwargs"]


def _channel(ch: Any) -> dict[str, Any]:
    rc: dict[str, Any] = {"url": ch.url, "method": ch.method, "headers": dict(ch.headers)}
    if ch.body:
        rc["body"] = ch.body  # refused by HTTPChannelConfig.from_kratos, with the reason
    a = ch.auth
    if a is not None:
        if a.type == "basic_auth":
            rc["auth"] = {
                "type": "basic_auth",
                "config": {"user": a.user or "", "password": a.password or ""},
            }
        else:
            rc["auth"] = {
                "type": "api_key",
                "config": {"name": a.name, "value": a.value, "in": a.in_ or "header"},
            }
    return {"id": ch.id, "type": ch.type, "request_config": rc}


def courier_kwargs(
    cfg: Any,
    *,
    smtp_uri: str | None = None,
    with_renderer: bool = True,
    renderer_options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Keyword arguments for :class:`Courier` from a loaded ``KratosConfig``.

    ``smtp_uri`` replaces ``courier.smtp.connection_uri``. Without any connection URI the
    courier has no SMTP server (HTTP channels only). ``renderer_options`` go to the Renderer.
    """
    from mailtemplates.kratos_config import renderer_from_config, smtp_connection

    c = cfg.courier
    kw: dict[str, Any] = {
        "message_retries": c.message_retries,
        "pull_count": c.worker_pull_count,
        "pull_wait": c.worker_pull_wait,
        "channels": [_channel(ch) for ch in c.channels],
    }
    if smtp_uri or c.smtp.connection_uri:
        kw["smtp"] = smtp_connection(cfg, connection_uri=smtp_uri)
    if c.smtp.from_address:
        kw["from_address"] = c.smtp.from_address
    if c.smtp.from_name:
        kw["from_name"] = c.smtp.from_name
    if c.smtp.headers:
        kw["headers"] = dict(c.smtp.headers)
    if with_renderer:
        kw["renderer"] = renderer_from_config(cfg, **(renderer_options or {}))
    return kw

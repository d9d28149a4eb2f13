"""``mailtemplates courier ...``: run the worker and look after the queue.

    mailtemplates courier watch   [--store URL] [--smtp-uri URI] [--config kratos.yml] [--lease S] ...
    mailtemplates courier list    [--status S] [--recipient ADDR] [--limit N] [--offset N] [--json]
    mailtemplates courier show    ID [--json]
    mailtemplates courier retry   ID
    mailtemplates courier purge   --older-than 30d
    mailtemplates courier migrate

``mailtemplates.cli`` registers the group with :func:`add_parser`; everything else is here.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import time
from datetime import datetime, timezone
from typing import Any

from .message import STATUSES, CourierError, Message

__all__ = ["ENV_STORE", "add_parser", "parse_duration"]

#: Default for --store.
ENV_STORE = "MAILTEMPLATES_COURIER_STORE"
DEFAULT_STORE = "sqlite:///courier.db"

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(text: str) -> float:
    """Seconds in ``text``: a number of seconds, or Go-style units (``1s``, ``500ms``, ``1h30m``, ``30d``)."""
    t = text.strip()
    try:
        value = float(t)
    except ValueError:
        pos, value = 0, 0.0
        for m in _DURATION.finditer(t):
            if m.start() != pos:
                break
            value += float(m.group(1)) * _UNITS[m.group(2)]
            pos = m.end()
        if pos != len(t) or not t:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a duration (e.g. 30s, 1m30s, 12h, 30d)"
            ) from None
    if value < 0 or value != value:
        raise argparse.ArgumentTypeError(f"{text!r}: a duration cannot be negative")
    return value


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must not be negative")
    return n


def _store_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--store",
        metavar="URL",
        default=os.environ.get(ENV_STORE) or DEFAULT_STORE,
        help=f"sqlite:///courier.db or postgresql://user@host/db (default: ${ENV_STORE} or {DEFAULT_STORE})",
    )


def add_parser(sub: Any) -> None:
    """Add the ``courier`` command group to the main parser's subparsers."""
    from mailtemplates.cli import _config_option, _smtp_uri_option

    group = sub.add_parser(
        "courier",
        help="durable delivery: a queue with retries (watch, list, show, retry, purge, migrate)",
        description="Queue emails and SMS in a database and deliver them with retries, like Kratos's "
        "courier (docs/courier.md).",
    )
    csub = group.add_subparsers(
        dest="courier_command",
        metavar="COMMAND",
        required=True,
        help="one of these commands:",
    )

    p = csub.add_parser(
        "watch",
        help="run the worker: deliver queued messages until SIGTERM/SIGINT",
        description="Deliver queued messages. SIGTERM or SIGINT finishes the message being sent, "
        "gives the rest of the batch back to the queue and exits 0. One JSON log line per attempt "
        "goes to stderr.",
    )
    _store_option(p)
    _config_option(p)
    _smtp_uri_option(p, "the SMTP server")
    p.add_argument("--lease", type=parse_duration, metavar="DURATION", help="claim lease (default 5m)")
    p.add_argument("--pull-count", type=_positive_int, metavar="N", help="messages per claim (default 10)")
    p.add_argument("--pull-wait", type=parse_duration, metavar="DURATION", help="wait when idle (default 1s)")
    p.add_argument(
        "--message-retries", type=_positive_int, metavar="N", help="retries before abandoning (default 5)"
    )
    p.add_argument(
        "--retry-backoff",
        type=parse_duration,
        metavar="DURATION",
        help="first retry delay (default 5s; 0: at once)",
    )
    p.add_argument(
        "--metrics-port", type=int, metavar="PORT", help="serve Prometheus metrics on 127.0.0.1:PORT"
    )
    p.add_argument("--metrics-host", default="127.0.0.1", metavar="HOST", help="address for --metrics-port")
    p.add_argument("--until-idle", action="store_true", help="exit 0 once nothing is due (cron-style runs)")
    p.set_defaults(func=cmd_watch)

    p = csub.add_parser("list", help="list messages", description="List messages, oldest first.")
    _store_option(p)
    p.add_argument("--status", choices=STATUSES, help="only messages with this status")
    p.add_argument("--recipient", metavar="ADDR", help="only messages to this exact recipient")
    p.add_argument("--limit", type=_positive_int, default=50, metavar="N", help="page size (default 50)")
    p.add_argument("--offset", type=_positive_int, default=0, metavar="N", help="skip N messages")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=cmd_list)

    p = csub.add_parser("show", help="one message with its dispatch log")
    _store_option(p)
    p.add_argument("id", metavar="ID", help="the message id (as courier list prints it)")
    p.add_argument("--json", action="store_true", help="print the message as one JSON document")
    p.set_defaults(func=cmd_show)

    p = csub.add_parser("retry", help="queue an abandoned message again")
    _store_option(p)
    p.add_argument("id", metavar="ID", help="the id of an abandoned message")
    p.set_defaults(func=cmd_retry)

    p = csub.add_parser("purge", help="delete sent messages older than a given age")
    _store_option(p)
    p.add_argument(
        "--older-than", type=parse_duration, required=True, metavar="DURATION", help="e.g. 30d, 12h"
    )
    p.set_defaults(func=cmd_purge)

    p = csub.add_parser("migrate", help="create or upgrade the store's schema")
    _store_option(p)
    p.set_defaults(func=cmd_migrate)


def _open(args: argparse.Namespace) -> Any:
    from .store import open_store

    return open_store(args.store)


def _when(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _line(m: Message) -> str:
    return f"{m.id}  {m.status:<10} {m.send_count:>2}  {_when(m.created_at)}  {m.type:<5} {m.template_type:<24} {m.recipient}"


def cmd_list(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        found = store.list(status=args.status, recipient=args.recipient, limit=args.limit, offset=args.offset)
    finally:
        store.close()
    for m in found:
        print(json.dumps(m.to_json(), ensure_ascii=False) if args.json else _line(m))
    if not args.json and len(found) == args.limit:
        print(f"-- more: --offset {args.offset + args.limit}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        m = store.get(args.id)
    finally:
        store.close()
    if args.json:
        print(json.dumps(m.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(f"id:            {m.id}")
    print(f"status:        {m.status} (send_count {m.send_count})")
    print(f"type:          {m.type} via {m.channel}, template {m.template_type} ({m.locale or '-'})")
    print(f"recipient:     {m.recipient}")
    print(f"subject:       {m.subject}")
    print(f"message-id:    {m.message_id}")
    print(f"created:       {_when(m.created_at)} UTC; updated {_when(m.updated_at)} UTC")
    if m.status == "queued":
        print(f"due:           {_when(m.due_at)} UTC")
    if m.extras.attachments:
        print(f"attachments:   {', '.join(m.extras.attachments)}")
    print(f"dispatches:    {len(m.dispatches)}")
    for d in m.dispatches:
        print(f"  {_when(d.created_at)}  {d.status:<7}  {d.error or ''}".rstrip())
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        store.retry(args.id, time.time())
    finally:
        store.close()
    print(f"{args.id}: queued again")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        n = store.purge(time.time() - args.older_than)
    finally:
        store.close()
    print(f"purged {n} sent message(s)")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from .store import open_store

    scheme = args.store.split("://", 1)[0]
    store = open_store(args.store)  # migrates
    version = store.schema_version()
    store.close()
    print(f"{scheme} store at schema version {version}")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from mailtemplates.cli import ENV_SMTP_URI, _kratos, _setting

    from . import Courier
    from .metrics import Metrics, serve_metrics
    from .worker import JSONLog

    # Precedence as for the other commands: options, then --config (with Kratos's COURIER_*
    # variables applied), then the environment variables alone.
    cfg = _kratos(args)
    uri = _setting(args, "smtp_uri", "connection_uri", ENV_SMTP_URI)
    kw: dict[str, Any] = {}
    if cfg is not None:
        from .config import courier_kwargs

        kw = courier_kwargs(cfg, smtp_uri=uri, with_renderer=False)
    elif uri:
        from mailtemplates.smtp import parse_connection_uri

        kw["smtp"] = parse_connection_uri(uri)
    for opt, key in (
        ("lease", "lease"),
        ("pull_count", "pull_count"),
        ("pull_wait", "pull_wait"),
        ("message_retries", "message_retries"),
        ("retry_backoff", "retry_backoff"),
    ):
        value = getattr(args, opt)
        if value is not None:
            kw[key] = value
    if "smtp" not in kw and not kw.get("channels"):
        raise CourierError("give the SMTP server with --smtp-uri URI (or --config kratos.yml)")
    metrics = Metrics() if args.metrics_port is not None else None
    courier = Courier(args.store, log=JSONLog(), metrics=metrics, **kw)
    server = None
    if metrics is not None:
        try:
            server = serve_metrics(metrics, courier.counts, args.metrics_port, args.metrics_host)
        except OSError as e:
            raise CourierError(f"--metrics-port {args.metrics_port}: {e.strerror or e}") from None

    def stop(signum: int, frame: Any) -> None:
        courier.stop()

    old = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        courier.work(until_idle=args.until_idle)
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        if server is not None:
            server.shutdown()
            server.server_close()
        courier.close()
    return 0

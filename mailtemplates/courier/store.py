"""The message store interface and the SQL both backends share.

A store is opened from a URL (:func:`open_store`): ``sqlite:///courier.db`` (relative path),
``sqlite:////var/lib/courier.db`` (absolute), or ``postgresql://user:pass@host:5432/db``.
The schema is migrated on first use (and by ``mailtemplates courier migrate``).

A message is two rows: ``mt_courier_messages`` holds what changes (status, ``send_count``, due
time, lease, claim) and what lists filter on, ``mt_courier_contents`` what is sent (subject,
text, HTML, data, MIME), written once. A claim or an outcome rewrites only the small row.

Each backend supplies a transaction (``_tx``), its parameter style and its claim statement, and
may replace the insert and the outcome recording with fewer round trips; everything else is the
SQL below. Times are Unix seconds taken from the caller's clock (with
several machines on PostgreSQL, keep their clocks in sync: leases are minutes, skew is seconds).
"""

from __future__ import annotations

import json
import uuid
from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from .message import STATUSES, CourierError, Dispatch, Message, MessageExtras
from .migrations import MIGRATIONS, statements

__all__ = [
    "CLAIM_SET",
    "CONTENT",
    "DUE_LAPSED",
    "DUE_ORDER",
    "DUE_QUEUED",
    "SLIM",
    "NewMessage",
    "Outcome",
    "Store",
    "open_store",
]

#: The columns of ``mt_courier_messages`` (the mutable row), in the order ``_message`` reads them.
SLIM = (
    "id",
    "type",
    "channel",
    "status",
    "recipient",
    "template_type",
    "locale",
    "message_id",
    "idempotency_key",
    "send_count",
    "due_at",
    "lease_until",
    "claim",
    "created_at",
    "updated_at",
)
#: The columns of ``mt_courier_contents`` besides ``id`` (written once, at enqueue).
CONTENT = ("subject", "body", "html", "template_data", "headers", "extras", "raw")

#: The two kinds of due message, each read off the (status, due_at, created_at) index in due
#: order, so that a claim reads ``limit`` rows, not the whole backlog: queued and due (parameter
#: now), and processing with a lapsed lease (parameter now; a few per worker at most).
DUE_QUEUED = "status = 'queued' AND due_at <= ?"
DUE_LAPSED = "status = 'processing' AND lease_until <= ?"
DUE_ORDER = "ORDER BY due_at, created_at"

#: What a claim sets; parameters (lease_until, claim, updated_at).
CLAIM_SET = "status = 'processing', send_count = send_count + 1, lease_until = ?, claim = ?, updated_at = ?"

#: Both rows of a message, joined (``m`` and ``c``), in ``_message``'s order.
_JOINED = (
    ", ".join(f"m.{c}" for c in SLIM)
    + ", "
    + ", ".join(f"c.{c}" for c in CONTENT)
    + " FROM mt_courier_messages m JOIN mt_courier_contents c ON c.id = m.id"
)

#: A row to insert: the Message fields as stored (JSON text for mappings).
NewMessage = dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """An attempt's result, to record: ``status`` sent, queued (due at ``due_at``) or abandoned."""

    message: Message
    status: str
    error: str | None
    now: float
    due_at: float | None = None
    worker: str | None = None

    @property
    def dispatch(self) -> str:
        return "success" if self.status == "sent" else "failed"

    @property
    def due(self) -> float:
        return self.message.due_at if self.due_at is None else self.due_at


class Store(ABC):
    """A courier message store. Thread-safe; one instance per process is enough."""

    dialect: str
    url: str

    # -- backend hooks ------------------------------------------------------------------------
    @abstractmethod
    def _tx(
        self, *, write: bool = True, durable: bool = True, single: bool = False
    ) -> AbstractContextManager[Any]:
        """A transaction; yields a cursor whose ``execute`` takes ``?`` placeholders.

        ``single=True``: the block's writes are one statement, which a backend may run without a
        transaction block (one round trip instead of three).

        ``durable=False`` marks the worker's bookkeeping (claims, outcomes, releases): a backend
        may commit it without waiting for the disk, since losing it in a database crash only
        makes a message due again (sent twice at worst, never lost). Enqueues are always durable.
        """

    @abstractmethod
    def _claim(self, cur: Any, lease_until: float, token: str, now: float, limit: int) -> list[Any]:
        """Run the claim (an UPDATE of the oldest due rows, DUE_QUEUED or DUE_LAPSED, in
        DUE_ORDER) and return the claimed messages' rows:
        the SLIM columns then the CONTENT ones."""

    def _maybe_due(self, now: float) -> bool:
        """Whether a claim may find something (SQLite: a read, so an empty poll takes no lock)."""
        return True

    def _lock_schema(self, cur: Any) -> None:
        """Serialise concurrent migrations (PostgreSQL: an advisory lock)."""
        return None

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def worker_lock(self) -> AbstractContextManager[None]:
        """Held while a worker runs; SQLite refuses a second one."""
        from contextlib import nullcontext

        return nullcontext()

    # -- schema -------------------------------------------------------------------------------
    def schema_version(self) -> int:
        with self._tx(write=False) as cur:
            return self._version(cur)

    def _version(self, cur: Any) -> int:
        cur.execute(self._has_table_sql(), ("mt_courier_schema",))
        if cur.fetchone() is None:
            return 0
        cur.execute("SELECT MAX(version) FROM mt_courier_schema")
        row = cur.fetchone()
        return int(row[0] or 0)

    @abstractmethod
    def _has_table_sql(self) -> str: ...

    def migrate(self) -> tuple[int, int]:
        """Apply missing schema versions; return (version before, version after)."""
        latest = len(MIGRATIONS)
        with self._tx() as cur:
            self._lock_schema(cur)
            before = self._version(cur)
            if before > latest:
                raise CourierError(
                    f"{self.url}: the courier schema is version {before}, newer than this "
                    f"mailtemplates knows ({latest}); upgrade mailtemplates"
                )
            if before == 0:
                cur.execute("CREATE TABLE mt_courier_schema (version INTEGER NOT NULL, applied_at REAL)")
            for version in range(before + 1, latest + 1):
                for sql in statements(version, self.dialect):
                    cur.execute(sql)
                cur.execute("INSERT INTO mt_courier_schema (version) VALUES (?)", (version,))
        return before, latest

    # -- queueing -----------------------------------------------------------------------------
    def _insert_rows(self, cur: Any, rows: Sequence[NewMessage]) -> int:
        """Insert ``rows`` (both tables), skipping a known idempotency key; return how many
        messages were stored. A row whose key is known stores nothing at all."""
        slim = [c for c in SLIM if c in rows[0]]
        cur.executemany(
            f"INSERT INTO mt_courier_messages ({', '.join(slim)}) VALUES ({', '.join('?' * len(slim))}) "
            "ON CONFLICT (idempotency_key) DO NOTHING",
            [tuple(r[c] for c in slim) for r in rows],
        )
        stored = int(cur.rowcount)
        if stored == len(rows):
            cur.executemany(
                f"INSERT INTO mt_courier_contents (id, {', '.join(CONTENT)}) VALUES "
                f"({', '.join('?' * (len(CONTENT) + 1))})",
                [(r["id"], *(r[c] for c in CONTENT)) for r in rows],
            )
        return stored

    def insert(self, row: NewMessage) -> tuple[str, bool]:
        """Store a new message; return (id, True), or (first id, False) for a known idempotency key."""
        with self._tx(single=True) as cur:
            if self._insert_rows(cur, [row]) == 1:
                return row["id"], True
            cur.execute(
                "SELECT id FROM mt_courier_messages WHERE idempotency_key = ?", (row["idempotency_key"],)
            )
            found = cur.fetchone()
        if found is None:  # pragma: no cover - the conflicting row was purged in between
            raise CourierError("the message could not be stored; try again")
        return str(found[0]), False

    def insert_many(self, rows: Sequence[NewMessage]) -> None:
        """Store new messages in one transaction (one durable commit for all of them).

        All or nothing: if an idempotency key of the batch is already stored (another process
        queued it since it was checked), nothing is stored and :class:`CourierError` says which.
        """
        if not rows:
            return
        with self._tx() as cur:
            stored = self._insert_rows(cur, rows)
            if stored != len(rows):
                keys = [r["idempotency_key"] for r in rows if r["idempotency_key"] is not None]
                raise CourierError(
                    f"{len(rows) - stored} message(s) of the batch have an idempotency key that was queued "
                    f"meanwhile (one of {', '.join(map(repr, keys[:5]))}{', ...' if len(keys) > 5 else ''}); "
                    "nothing of the batch was stored"
                )

    def find_key(self, key: str) -> str | None:
        """The id of the message queued with idempotency key ``key``, if any."""
        with self._tx(write=False) as cur:
            cur.execute("SELECT id FROM mt_courier_messages WHERE idempotency_key = ?", (key,))
            row = cur.fetchone()
        return None if row is None else str(row[0])

    # -- dispatching --------------------------------------------------------------------------
    def claim(self, limit: int, lease: float, now: float) -> list[Message]:
        """Take up to ``limit`` due messages (queued and due, or processing with a lapsed lease):
        processing, ``send_count`` + 1, leased until ``now + lease``, under one new claim token.
        """
        if not self._maybe_due(now):
            return []
        token = uuid.uuid4().hex
        with self._tx(durable=False, single=True) as cur:
            rows = self._claim(cur, now + lease, token, now, limit)
        messages = [_message(r) for r in rows]
        messages.sort(key=lambda m: (m.due_at, m.created_at))
        return messages

    def record(self, outcomes: Sequence[Outcome]) -> list[bool]:
        """Record the outcomes of attempts (a claimed batch's), all in one transaction.

        For each: True, or False when its claim was lost (the lease ran out and another worker
        took the message): the dispatch is still logged, the message row is left to its new owner.
        """
        if not outcomes:
            return []
        with self._tx(durable=False, single=self.record_is_one_statement) as cur:
            return self._record(cur, outcomes)

    #: Whether :meth:`_record` is a single statement (PostgreSQL: a data-modifying CTE).
    record_is_one_statement = False

    def _record(self, cur: Any, outcomes: Sequence[Outcome]) -> list[bool]:
        cur.executemany(
            "INSERT INTO mt_courier_dispatches (message_id, status, error, worker, created_at) VALUES (?, ?, ?, ?, ?)",
            [(o.message.id, o.dispatch, o.error, o.worker, o.now) for o in outcomes],
        )
        kept = []
        for o in outcomes:
            cur.execute(
                "UPDATE mt_courier_messages SET status = ?, due_at = ?, lease_until = NULL, claim = NULL, "
                "updated_at = ? WHERE id = ? AND claim = ?",
                (o.status, o.due, o.now, o.message.id, o.message.claim),
            )
            kept.append(cur.rowcount == 1)
        return kept

    def release(self, messages: Sequence[Message], now: float) -> int:
        """Give claimed, unattempted messages back to the queue (their claim undone)."""
        if not messages:
            return 0
        with self._tx(durable=False) as cur:
            cur.executemany(
                "UPDATE mt_courier_messages SET status = 'queued', send_count = send_count - 1, "
                "lease_until = NULL, claim = NULL, updated_at = ? WHERE id = ? AND claim = ?",
                [(now, m.id, m.claim) for m in messages],
            )
            return int(cur.rowcount)

    # -- inspecting ---------------------------------------------------------------------------
    def get(self, mid: str) -> Message:
        with self._tx(write=False) as cur:
            cur.execute(f"SELECT {_JOINED} WHERE m.id = ?", (mid,))
            row = cur.fetchone()
            if row is None:
                raise CourierError(f"no courier message with id {mid!r}")
            cur.execute(
                "SELECT status, error, created_at, worker FROM mt_courier_dispatches WHERE message_id = ? "
                "ORDER BY id",
                (mid,),
            )
            dispatches = tuple(Dispatch(r[0], r[1], float(r[2]), r[3]) for r in cur.fetchall())
        m = _message(row)
        return _replace(m, dispatches=dispatches)

    def list(
        self,
        *,
        status: str | None = None,
        recipient: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Message]:
        """Messages, oldest first, filtered by status and/or exact recipient."""
        where, args = _filters(status, recipient)
        with self._tx(write=False) as cur:
            cur.execute(
                f"SELECT {_JOINED}{where} ORDER BY m.created_at, m.id LIMIT ? OFFSET ?",
                (*args, limit, offset),
            )
            return [_message(r) for r in cur.fetchall()]

    def counts(self) -> dict[str, int]:
        """Number of messages per status (every status present, zero if none)."""
        out: dict[str, int] = dict.fromkeys(STATUSES, 0)
        with self._tx(write=False) as cur:
            cur.execute("SELECT status, COUNT(*) FROM mt_courier_messages GROUP BY status")
            for status, n in cur.fetchall():
                out[str(status)] = int(n)
        return out

    # -- operating ----------------------------------------------------------------------------
    def retry(self, mid: str, now: float) -> None:
        """Put an abandoned message back in the queue with a fresh ``send_count``."""
        with self._tx() as cur:
            cur.execute("SELECT status FROM mt_courier_messages WHERE id = ?", (mid,))
            row = cur.fetchone()
            if row is None:
                raise CourierError(f"no courier message with id {mid!r}")
            if row[0] != "abandoned":
                raise CourierError(f"message {mid} is {row[0]}; only an abandoned message can be retried")
            cur.execute(
                "UPDATE mt_courier_messages SET status = 'queued', send_count = 0, due_at = ?, "
                "updated_at = ? WHERE id = ?",
                (now, now, mid),
            )

    def purge(self, before: float) -> int:
        """Delete sent messages (their contents and dispatch logs too) last updated before ``before``."""
        with self._tx() as cur:
            for table, key in (("mt_courier_dispatches", "message_id"), ("mt_courier_contents", "id")):
                cur.execute(
                    f"DELETE FROM {table} WHERE {key} IN (SELECT id FROM mt_courier_messages "
                    "WHERE status = 'sent' AND updated_at < ?)",
                    (before,),
                )
            cur.execute("DELETE FROM mt_courier_messages WHERE status = 'sent' AND updated_at < ?", (before,))
            return int(cur.rowcount)


def _filters(status: str | None, recipient: str | None) -> tuple[str, tuple[Any, ...]]:
    conds: list[str] = []
    args: list[Any] = []
    if status is not None:
        if status not in STATUSES:
            raise CourierError(f"unknown status {status!r}; one of {', '.join(STATUSES)}")
        conds.append("m.status = ?")
        args.append(status)
    if recipient is not None:
        conds.append("m.recipient = ?")
        args.append(recipient)
    return (" WHERE " + " AND ".join(conds) if conds else ""), tuple(args)


def _message(r: Sequence[Any]) -> Message:
    """A Message from a row of SLIM then CONTENT columns."""
    id_, type_, channel, status, recipient, template_type, locale, message_id, key = r[:9]
    send_count, due_at, lease_until, claim, created_at, updated_at = r[9:15]
    subject, body, html, template_data, headers, extras, raw = r[15:22]
    return Message(
        id=id_,
        type=type_,
        channel=channel,
        status=status,
        recipient=recipient,
        subject=subject,
        body=body,
        html=html,
        template_type=template_type,
        template_data=json.loads(template_data),
        locale=locale,
        headers=json.loads(headers),
        message_id=message_id,
        idempotency_key=key,
        extras=MessageExtras.from_json(extras),
        send_count=int(send_count),
        due_at=float(due_at),
        lease_until=None if lease_until is None else float(lease_until),
        claim=claim,
        created_at=float(created_at),
        updated_at=float(updated_at),
        raw=None if raw is None else bytes(raw),
    )


def _replace(m: Message, **kw: Any) -> Message:
    from dataclasses import replace

    return replace(m, **kw)


def open_store(url: str) -> Store:
    """Open (and migrate) the store at ``url``; see the module docstring for the URL forms."""
    if not isinstance(url, str) or "://" not in url:
        raise CourierError(
            f"store URL {url!r}: want sqlite:///path/to/courier.db or postgresql://user@host/db"
        )
    scheme = url.split("://", 1)[0].lower()
    store: Store
    if scheme == "sqlite":
        from .sqlite import SQLiteStore

        store = SQLiteStore(url)
    elif scheme in ("postgresql", "postgres"):
        from .postgres import PostgresStore

        store = PostgresStore(url)
    else:
        raise CourierError(f"store URL scheme {scheme!r} is not supported; use sqlite:// or postgresql://")
    store.migrate()
    return store

"""PostgreSQL backend (psycopg 3, the ``courier`` extra): any number of workers on any machines.

A claim is one statement: the due rows are selected ``FOR UPDATE SKIP LOCKED`` (rows another
worker is claiming at that instant are skipped, not waited for) and updated to processing in the
same statement (which also returns the messages' contents), so two workers never take the same
message while its lease runs. The outcomes of a claimed batch are recorded by one statement too
(arrays unnested into the dispatch log and the message rows), and an enqueue is one statement
(both rows of the message): a worker makes two round trips per batch, an enqueue one. Claims and
outcomes are committed with ``synchronous_commit = off`` (enqueues are not): if the PostgreSQL
server itself crashes, up to ``wal_writer_delay`` x 3 (0.6 s by default) of them can be forgotten,
which makes those messages due again, i.e. sent twice, never lost. Migrations take
a transaction-scoped advisory lock, so instances starting together migrate once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .message import CourierError
from .store import CLAIM_SET, CONTENT, DUE_LAPSED, DUE_ORDER, DUE_QUEUED, SLIM, NewMessage, Outcome, Store

__all__ = ["PostgresStore"]

# An arbitrary constant naming the migration lock (pg_advisory_xact_lock takes a bigint).
_MIGRATION_LOCK = 0x6D74_636F_7572


class _Cursor:
    """psycopg's cursor with the ``?`` placeholders the shared SQL uses."""

    def __init__(self, cur: Any) -> None:
        self._cur = cur

    def execute(self, sql: str, params: tuple[Any, ...] = (), *, binary: bool = False) -> None:
        self._cur.execute(sql.replace("?", "%s"), params, binary=binary)

    def executemany(self, sql: str, params: list[tuple[Any, ...]]) -> None:
        # psycopg sends the rows in pipeline mode: one round trip for the batch, not one per row.
        self._cur.executemany(sql.replace("?", "%s"), params)

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cur.fetchall())

    @property
    def rowcount(self) -> int:
        return int(self._cur.rowcount)


class PostgresStore(Store):
    dialect = "postgres"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise CourierError(
                "a postgresql:// store needs psycopg 3: pip install 'mailtemplates[courier]'"
            ) from None
        self.url = url
        self._psycopg = psycopg
        self._db = self._connect()
        # The worker's bookkeeping connection (synchronous_commit off), opened on first use.
        self._fast: Any = None
        self._lock = threading.RLock()

    def _connect(self) -> Any:
        try:
            return self._psycopg.connect(self.url, autocommit=True)
        except self._psycopg.Error as e:
            raise CourierError(f"cannot connect to the PostgreSQL store: {_first_line(e)}") from None

    @contextmanager
    def _tx(self, *, write: bool = True, durable: bool = True, single: bool = False) -> Iterator[Any]:
        with self._lock:
            try:
                if durable:
                    conn = self._db
                else:
                    if self._fast is None:
                        self._fast = self._connect()
                        self._fast.execute("SET synchronous_commit = off")
                    conn = self._fast
                if single:  # autocommit: the one statement is its own transaction
                    with conn.cursor() as cur:
                        yield _Cursor(cur)
                else:
                    with conn.transaction(), conn.cursor() as cur:
                        yield _Cursor(cur)
            except self._psycopg.Error as e:
                raise CourierError(f"PostgreSQL store: {_first_line(e)}") from None

    def _has_table_sql(self) -> str:
        return (
            "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
        )

    def _lock_schema(self, cur: Any) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))

    def _claim(self, cur: Any, lease_until: float, token: str, now: float, limit: int) -> list[Any]:
        # One statement (one round trip): lock the oldest due rows of each kind (SKIP LOCKED
        # cannot apply to a UNION), keep the oldest of both, claim them, join their contents.
        # Rows locked and not kept are unlocked when the statement commits.
        pick = (
            "SELECT id, due_at, created_at FROM mt_courier_messages WHERE {} "
            f"{DUE_ORDER} LIMIT ? FOR UPDATE SKIP LOCKED"
        )
        cur.execute(
            f"WITH q AS ({pick.format(DUE_QUEUED)}), l AS ({pick.format(DUE_LAPSED)}), "
            f"due AS (SELECT id FROM (SELECT * FROM q UNION ALL SELECT * FROM l) x {DUE_ORDER} LIMIT ?), "
            f"claimed AS (UPDATE mt_courier_messages m SET {CLAIM_SET} FROM due WHERE m.id = due.id "
            f"RETURNING {', '.join('m.' + c for c in SLIM)}) "
            f"SELECT {', '.join('claimed.' + c for c in SLIM)}, {', '.join('c.' + c for c in CONTENT)} "
            "FROM claimed JOIN mt_courier_contents c ON c.id = claimed.id",
            (now, limit, now, limit, limit, lease_until, token, now),
            # Binary results: the MIME bytes come as they are, not hex-encoded by the server
            # and decoded here (twice their size on the wire), and the times as doubles.
            binary=True,
        )
        rows: list[Any] = cur.fetchall()
        return rows

    def _insert_rows(self, cur: Any, rows: Sequence[NewMessage]) -> int:
        # Both rows of a message in one statement; a batch's statements go in one pipeline.
        slim = [c for c in SLIM if c in rows[0]]
        sql = (
            f"WITH m AS (INSERT INTO mt_courier_messages ({', '.join(slim)}) VALUES ({', '.join('?' * len(slim))}) "
            "ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id) "
            f"INSERT INTO mt_courier_contents (id, {', '.join(CONTENT)}) SELECT m.id, "
            f"{', '.join('?' * len(CONTENT))} FROM m"
        )
        params = [(*(r[c] for c in slim), *(r[c] for c in CONTENT)) for r in rows]
        if len(params) == 1:
            # One message: a plain execute. executemany enters pipeline mode, which for one row
            # costs three waits on the socket instead of one (~0.05 ms of CPU per enqueue).
            cur.execute(sql, params[0])
        else:
            cur.executemany(sql, params)
        return int(cur.rowcount)

    record_is_one_statement = True

    def _record(self, cur: Any, outcomes: Sequence[Outcome]) -> list[bool]:
        # A batch's outcomes in one statement: the dispatch rows, and each message row updated
        # under its claim token; the ids returned are the claims still held.
        cur.execute(
            "WITH o AS (SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], "
            "?::float8[], ?::float8[]) WITH ORDINALITY AS o (id, claim, status, dispatch, error, worker, due, at, n)), "
            "d AS (INSERT INTO mt_courier_dispatches (message_id, status, error, worker, created_at) "
            "SELECT id, dispatch, error, worker, at FROM o ORDER BY n) "
            "UPDATE mt_courier_messages m SET status = o.status, due_at = o.due, lease_until = NULL, claim = NULL, "
            "updated_at = o.at FROM o WHERE m.id = o.id AND m.claim = o.claim RETURNING m.id",
            (
                [o.message.id for o in outcomes],
                [o.message.claim for o in outcomes],
                [o.status for o in outcomes],
                [o.dispatch for o in outcomes],
                [o.error for o in outcomes],
                [o.worker for o in outcomes],
                [o.due for o in outcomes],
                [o.now for o in outcomes],
            ),
        )
        kept = {r[0] for r in cur.fetchall()}
        return [o.message.id in kept for o in outcomes]

    def close(self) -> None:
        with self._lock:
            self._db.close()
            if self._fast is not None:
                self._fast.close()


def _first_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]

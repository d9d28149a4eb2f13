"""SQLite backend (standard library): WAL, one writer, one worker at a time.

The database is opened in WAL mode. Enqueues (and every other durable change) commit with
``synchronous=FULL``: the WAL is on disk before ``queue_email`` returns, so an acknowledged
message survives a power loss too. The worker's bookkeeping (claims, outcomes, releases) commits
with ``synchronous=NORMAL``, which survives a crash of the process (kill -9) at any moment; a
power loss may forget the last of those, and the courier then re-sends what it had not recorded,
never less. Writers are
serialised by ``BEGIN IMMEDIATE``, so a claim is atomic. A writer that finds the lock taken polls
for it every 50 µs to 2 ms (SQLite's own busy handler sleeps 1, 2, 5, 10... ms, much longer than
the transactions here hold it: an application queueing while the worker records would stall for
milliseconds). A worker looks for due messages with a read (which never waits) before it claims,
so polling an empty queue takes no lock from the application. A worker holds an exclusive lock on
``<database>-courier.lock`` (``flock``, released by the kernel if the process dies), which is how
a second worker on the same file is refused.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .message import CourierError
from .store import CLAIM_SET, CONTENT, DUE_LAPSED, DUE_ORDER, DUE_QUEUED, SLIM, Store

__all__ = ["SQLiteStore"]

#: Seconds a statement waits for another connection's lock before it fails.
_BUSY_TIMEOUT = 30
_SQLITE_BUSY = 5  # sqlite3.SQLITE_BUSY, missing from typeshed


def _path(url: str) -> str:
    # sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy spells them.
    rest = url.split("://", 1)[1]
    if not rest.startswith("/") or rest == "/":
        raise CourierError(f"store URL {url!r}: want sqlite:///relative.db or sqlite:////absolute/path.db")
    path = rest[1:]
    if path in ("", ":memory:") or "?" in path:
        raise CourierError(f"store URL {url!r}: the courier needs a database file (no :memory:, no options)")
    return path


class SQLiteStore(Store):
    dialect = "sqlite"

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = _path(url)
        parent = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(parent):
            raise CourierError(f"store URL {url!r}: the folder {parent} does not exist")
        try:
            # Autocommit mode: transactions are begun explicitly below.
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=_BUSY_TIMEOUT
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._synchronous = "FULL"
            self._db.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as e:
            raise CourierError(f"cannot open the SQLite store {self.path}: {e}") from None
        self._lock = threading.RLock()

    @contextmanager
    def _tx(self, *, write: bool = True, durable: bool = True, single: bool = False) -> Iterator[Any]:
        # Durable commits wait for the WAL's fsync; bookkeeping survives a process crash only.
        with self._lock:
            try:
                mode = "FULL" if durable else "NORMAL"
                if write and mode != self._synchronous:  # (a read commits nothing)
                    self._db.execute(f"PRAGMA synchronous={mode}")
                    self._synchronous = mode
                cur = self._db.cursor()
                if write:
                    self._begin_immediate(cur)
                else:
                    cur.execute("BEGIN")
            except sqlite3.Error as e:
                raise CourierError(f"SQLite store {self.path}: {e}") from None
            try:
                yield cur
            except sqlite3.Error as e:
                self._db.rollback()
                raise CourierError(f"SQLite store {self.path}: {e}") from None
            except BaseException:
                self._db.rollback()
                raise
            else:
                try:
                    self._db.commit()
                except sqlite3.Error as e:
                    raise CourierError(f"SQLite store {self.path}: {e}") from None
            finally:
                cur.close()

    def _begin_immediate(self, cur: Any) -> None:
        # SQLite's handler is off while we poll (busy_timeout 0), on again for everything else.
        self._db.execute("PRAGMA busy_timeout = 0")
        try:
            delay, deadline = 50e-6, time.monotonic() + _BUSY_TIMEOUT
            while True:
                try:
                    cur.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as e:
                    busy = getattr(e, "sqlite_errorcode", 0) & 0xFF == _SQLITE_BUSY
                    if not busy or time.monotonic() > deadline:
                        raise
                time.sleep(delay)
                delay = min(delay * 2, 0.002)
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT * 1000}")

    def _maybe_due(self, now: float) -> bool:
        with self._tx(write=False) as cur:
            cur.execute(
                f"SELECT EXISTS (SELECT 1 FROM mt_courier_messages WHERE {DUE_QUEUED}) "
                f"OR EXISTS (SELECT 1 FROM mt_courier_messages WHERE {DUE_LAPSED})",
                (now, now),
            )
            return bool(cur.fetchone()[0])

    def _has_table_sql(self) -> str:
        return "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?"

    def _claim(self, cur: Any, lease_until: float, token: str, now: float, limit: int) -> list[Any]:
        pick = f"SELECT id, due_at, created_at FROM mt_courier_messages WHERE {{}} {DUE_ORDER} LIMIT ?"
        cur.execute(
            f"UPDATE mt_courier_messages SET {CLAIM_SET} WHERE id IN (SELECT id FROM ("
            f"SELECT * FROM ({pick.format(DUE_QUEUED)}) UNION ALL SELECT * FROM ({pick.format(DUE_LAPSED)})"
            f") {DUE_ORDER} LIMIT ?) RETURNING {', '.join(SLIM)}",
            (lease_until, token, now, now, limit, now, limit, limit),
        )
        claimed = cur.fetchall()
        if not claimed:
            return []
        cur.execute(
            f"SELECT id, {', '.join(CONTENT)} FROM mt_courier_contents WHERE id IN ({', '.join('?' * len(claimed))})",
            tuple(r[0] for r in claimed),
        )
        content = {r[0]: r[1:] for r in cur.fetchall()}
        return [(*r, *content[r[0]]) for r in claimed]

    @contextmanager
    def worker_lock(self) -> Iterator[None]:
        import fcntl

        lock_path = self.path + "-courier.lock"
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise CourierError(
                f"another courier worker is already running on {self.path} (it holds {lock_path}); "
                "SQLite allows one worker at a time: stop it first, or use a PostgreSQL store to run several"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def close(self) -> None:
        with self._lock:
            self._db.close()

"""The courier's PostgreSQL store against a real server started for these tests (tests/pg_server.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from courier_sink import forking_sink, smtp_sink
from pg_server import PGServer, find_bindir, pg_server

from mailtemplates.courier import Courier, CourierError, open_store

pytest.importorskip("psycopg", reason="the courier extra (psycopg) is not installed")
pytestmark = [
    pytest.mark.smtp,
    pytest.mark.skipif(find_bindir() is None, reason="PostgreSQL is not installed (./run test installs it)"),
]


@pytest.fixture(scope="session")
def pg() -> Iterator[PGServer]:
    with pg_server() as server:
        yield server


@pytest.fixture
def pg_url(pg: PGServer) -> str:
    return pg.create_database("t_" + uuid.uuid4().hex[:12])


def uri(port: int) -> str:
    return f"smtp://127.0.0.1:{port}/?disable_starttls=true"


def test_schema_migrates_once_and_reports_its_version(pg_url: str) -> None:
    a = open_store(pg_url)
    b = open_store(pg_url)  # a second instance finds the schema in place
    assert a.schema_version() == b.schema_version() == 3
    assert b.migrate() == (3, 3)
    a.close()
    b.close()


def test_version_1_store_is_upgraded_to_lz4_contents(pg_url: str) -> None:
    import psycopg

    from mailtemplates.courier.migrations import statements

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE mt_courier_schema (version INTEGER NOT NULL, applied_at REAL)")
        for sql in statements(1, "postgres"):
            conn.execute(sql)
        conn.execute("INSERT INTO mt_courier_schema (version) VALUES (1)")
        store = open_store(pg_url)  # migrates 1 -> 3
        assert store.schema_version() == 3
        compression = dict(
            conn.execute(
                "SELECT attname, attcompression FROM pg_attribute "
                "WHERE attrelid = 'mt_courier_contents'::regclass AND attnum > 0"
            ).fetchall()
        )
    store.close()
    # Debian's PostgreSQL is built with lz4; the large columns use it, the small ones the default.
    assert {k for k, v in compression.items() if v == "l"} == {"body", "html", "template_data", "raw"}


def test_version_2_store_is_upgraded_to_inline_contents_and_a_partial_key_index(pg_url: str) -> None:
    import psycopg

    from mailtemplates.courier.migrations import statements
    from mailtemplates.courier.postgres import PostgresStore

    def toast_pages(conn: psycopg.Connection[Any]) -> int:
        row = conn.execute(
            "SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE relname = 'mt_courier_contents'"
        ).fetchone()
        assert row is not None
        return int(row[0])

    with psycopg.connect(pg_url, autocommit=True) as conn, smtp_sink() as (sink, port):
        conn.execute("CREATE TABLE mt_courier_schema (version INTEGER NOT NULL, applied_at REAL)")
        for version in (1, 2):
            for sql in statements(version, "postgres"):
                conn.execute(sql)
            conn.execute("INSERT INTO mt_courier_schema (version) VALUES (%s)", (version,))
        # Messages stored by a version 2 store (not migrated: PostgresStore alone does not).
        v2 = Courier(PostgresStore(pg_url), from_address="accounts@example.org")
        keyed = v2.queue_email("login_code/valid", {"LoginCode": "1"}, to="a@example.org", idempotency_key="k")
        v2.queue_email("login_code/valid", {"LoginCode": "2"}, to="b@example.org")
        v2.close()
        assert toast_pages(conn) > 0  # version 2 moved the large values out of the row

        store = PostgresStore(pg_url)
        assert store.migrate() == (2, 3)
        (options,) = conn.execute(
            "SELECT reloptions FROM pg_class WHERE relname = 'mt_courier_contents'"
        ).fetchone() or (None,)
        assert options == ["toast_tuple_target=8160"]
        constraints = conn.execute(
            "SELECT contype FROM pg_constraint WHERE conrelid = 'mt_courier_messages'::regclass"
        ).fetchall()
        assert constraints == [("p",)]  # the key's unique constraint became the partial index
        (index,) = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'mt_courier_messages_key'"
        ).fetchone() or (None,)
        assert "UNIQUE" in index and "WHERE (idempotency_key IS NOT NULL)" in index

        before = toast_pages(conn)
        c = Courier(store, smtp_uri=uri(port), from_address="accounts@example.org")
        # The key queued before the upgrade is still known; a new one is unique too.
        assert c.queue_email("login_code/valid", {"LoginCode": "3"}, to="a@example.org", idempotency_key="k") == keyed
        fresh = c.queue_email("login_code/valid", {"LoginCode": "4"}, to="c@example.org", idempotency_key="k2")
        assert c.queue_email("login_code/valid", {"LoginCode": "5"}, to="c@example.org", idempotency_key="k2") == fresh
        for i in range(20):
            c.queue_email("login_code/valid", {"LoginCode": f"{i:06d}"}, to=f"u{i}@example.org")
        # Inline: the new contents, compressed, went to the heap row, not to the TOAST table.
        assert toast_pages(conn) == before
        (stored, plain) = conn.execute(
            "SELECT pg_column_size(raw), octet_length(raw) FROM mt_courier_contents WHERE id = %s", (fresh,)
        ).fetchone() or (0, 0)
        assert 0 < stored < plain
        # Old (TOASTed) and new (inline) messages read back whole and are delivered as stored.
        stored_raw = {mid: c.message(mid).raw for mid in (keyed, fresh)}
        assert c.work(until_idle=True) == 23
        assert sink.total == 23 and c.counts()["sent"] == 23
        for raw in stored_raw.values():
            assert raw is not None and any(raw.replace(b"\r\n", b"\n") in m.replace(b"\r\n", b"\n") for m in sink.messages)
        c.close()


def test_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(CourierError, match="cannot connect to the PostgreSQL store"):
        open_store("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2")


def test_faults_retries_and_idempotency_on_postgres(pg_url: str) -> None:
    with smtp_sink() as (sink, port):
        sink.plan.extend(["451 4.3.0 later", "451 4.3.0 later"])
        c = Courier(pg_url, smtp_uri=uri(port), from_address="accounts@example.org", retry_backoff=0)
        a = c.queue_email("login_code/valid", {"LoginCode": "1"}, to="a@example.org", idempotency_key="k")
        assert c.queue_email("login_code/valid", {"LoginCode": "2"}, to="b@example.org", idempotency_key="k") == a
        c.work(until_idle=True)
        m = c.message(a)
        assert (m.status, m.send_count, [d.status for d in m.dispatches]) == ("sent", 3, ["failed", "failed", "success"])
        b = c.queue_email("login_code/valid", {"LoginCode": "3"}, to="b@example.org")
        sink.plan.append("550 5.1.1 unknown")
        c.work(until_idle=True)
        assert (c.message(b).status, c.message(b).send_count) == ("abandoned", 1)
        c.retry(b)
        c.work(until_idle=True)
        assert c.message(b).status == "sent"
        assert c.counts() == {"queued": 0, "processing": 0, "sent": 2, "abandoned": 0}
        assert c.purge(0) == 2
        c.close()


def test_two_workers_share_2000_messages_each_delivered_exactly_once(pg_url: str, tmp_path: Path) -> None:
    n = 2000
    with forking_sink(str(tmp_path / "received")) as (received, port):
        producer = Courier(pg_url, smtp_uri=uri(port), from_address="accounts@example.org")
        producers = [Courier(pg_url, from_address="accounts@example.org") for _ in range(4)]

        def enqueue(k: int) -> None:  # four producers, as several app instances would
            for i in range(k, n, 4):
                producers[k].queue_email("login_code/valid", {"LoginCode": f"{i:06d}"}, to=f"u{i}@example.org")

        feeders = [threading.Thread(target=enqueue, args=(k,)) for k in range(4)]
        for t in feeders:
            t.start()
        for t in feeders:
            t.join()
        assert producer.counts()["queued"] == n
        workers = [
            Courier(pg_url, smtp_uri=uri(port), from_address="accounts@example.org", retry_backoff=0)
            for _ in range(2)
        ]
        done: list[int] = [0, 0]

        def run(k: int) -> None:
            done[k] = workers[k].work(until_idle=True)

        threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
        t0 = time.time()
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        elapsed = time.time() - t0
        ids = received()
    total = sum(ids.values())
    print(f"\nPostgreSQL, two workers: {n} messages in {elapsed:.1f} s; worker attempts {done[0]} + {done[1]}; "
          f"sink received {total} ({len(ids)} distinct)")
    assert producer.counts() == {"queued": 0, "processing": 0, "sent": n, "abandoned": 0}
    assert total == len(ids) == n  # each message exactly once
    assert set(ids) == {m.message_id for m in producer.messages(limit=n)}
    assert done[0] + done[1] == n and min(done) > 0  # both took part
    for c in (producer, *producers, *workers):
        c.close()


def test_crash_kill_9_half_way_on_postgres(pg_url: str, tmp_path: Path) -> None:
    """As the SQLite crash test, on PostgreSQL, with a smaller queue (the SQLite test has 2,000)."""
    n = 200
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    with forking_sink(str(tmp_path / "received")) as (received, port), Courier(
        pg_url, from_address="accounts@example.org"
    ) as c:
        for i in range(n):
            c.queue_email("login_code/valid", {"LoginCode": f"{i:06d}"}, to=f"u{i}@example.org")
        cmd = [sys.executable, "-m", "mailtemplates.cli", "courier", "watch", "--store", pg_url,
               "--smtp-uri", uri(port), "--lease", "1s", "--pull-wait", "50ms"]
        with logs[0].open("wb") as err:
            first = subprocess.Popen(cmd, stderr=err)
        deadline = time.time() + 120
        while sum(received().values()) < n // 2 + 3 and time.time() < deadline:
            time.sleep(0.002)
        first.kill()
        first.wait(10)
        in_flight = c.counts()["processing"]
        with logs[1].open("wb") as err:
            second = subprocess.Popen(cmd, stderr=err)
        while c.counts()["sent"] < n and time.time() < deadline:
            time.sleep(0.1)
        second.send_signal(signal.SIGTERM)
        try:
            # The worker finishes the message it is sending, then exits; generous for a loaded box.
            code = second.wait(60)
        except subprocess.TimeoutExpired:
            second.kill()
            code = None
        tail = logs[1].read_text(errors="replace")[-2000:]
        assert code == 0, f"the worker did not stop cleanly on SIGTERM ({code}); its log ends:\n{tail}"
        ids = received()
        dups = sum(ids.values()) - len(ids)
        print(f"\nPostgreSQL crash test: {n} queued, {in_flight} in flight at the kill, {dups} duplicates")
        assert c.counts() == {"queued": 0, "processing": 0, "sent": n, "abandoned": 0}
        assert len(ids) == n and dups <= in_flight <= 10


def test_batch_commits_once_all_or_nothing_on_postgres(pg_url: str) -> None:
    from test_courier import check_batch

    with smtp_sink() as (sink, port):
        check_batch(pg_url, port)
        assert sink.total == 8


def test_lapsed_lease_and_a_batch_recorded_with_one_claim_lost_on_postgres(pg_url: str) -> None:
    from test_courier import check_lapsed_lease

    with smtp_sink() as (sink, port):
        check_lapsed_lease(pg_url, port)
        assert sink.total == 1

"""mailtemplates.courier with the SQLite store against real local servers (aiosmtpd, http.server)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from courier_sink import Sink, forking_sink, free_port, http_endpoint, smtp_sink

from mailtemplates.cli import main
from mailtemplates.courier import Courier, CourierError, Metrics, TransportOverride, open_store
from mailtemplates.courier.cli import parse_duration
from mailtemplates.courier.store import Outcome
from mailtemplates.errors import ContextError, InvalidName, MessageError, TemplateError
from mailtemplates.mime import Attachment
from mailtemplates.smtp import parse_connection_uri

pytestmark = pytest.mark.smtp

CTX = {"RecoveryURL": "https://auth.example.com/r?token=abc", "To": "ann@example.org"}


def uri(port: int) -> str:
    return f"smtp://127.0.0.1:{port}/?disable_starttls=true"


def make(tmp_path: Path, port: int | None, **kw: Any) -> Courier:
    kw.setdefault("from_address", "accounts@example.org")
    kw.setdefault("retry_backoff", 0)
    smtp = parse_connection_uri(uri(port), timeout=kw.pop("timeout", 5.0)) if port else None
    return Courier(f"sqlite:///{tmp_path}/courier.db", smtp=smtp, **kw)


# -- the queue ------------------------------------------------------------------------------------


def test_queue_then_work_sends_once_with_the_message_id_fixed_at_enqueue(tmp_path: Path) -> None:
    with smtp_sink() as (sink, port):
        c = make(tmp_path, port)
        mid = c.queue_email("recovery/valid", CTX, to="ann@example.org", locale="de")
        m = c.message(mid)
        assert (m.status, m.send_count, m.locale, m.type, m.channel) == ("queued", 0, "de", "email", "email")
        assert m.subject == "Zugriff auf Ihr Konto wiederherstellen"
        assert m.template_data["recovery_url"] == CTX["RecoveryURL"]  # Kratos's JSON names
        assert c.work(until_idle=True) == 1
        m = c.message(mid)
        assert (m.status, m.send_count) == ("sent", 1)
        assert [(d.status, d.error) for d in m.dispatches] == [("success", None)]
        assert list(sink.ids) == [m.message_id]
        parsed = message_from_bytes(sink.messages[0], policy=default_policy)
        assert parsed["Message-ID"] == m.message_id == f"<{mid}@example.org>"
        assert parsed["Subject"] == m.subject and parsed["To"] == "ann@example.org"
        assert sink.envelopes == [("accounts@example.org", ["ann@example.org"])]
        assert c.work(until_idle=True) == 0  # nothing due: no second send


def test_sqlite_enqueues_wait_for_the_disk_and_bookkeeping_does_not(tmp_path: Path) -> None:
    # An acknowledged enqueue must survive a power loss (synchronous=FULL: the WAL is fsynced);
    # claims and outcomes only need to survive a crash of the process (NORMAL).
    def synchronous(c: Courier) -> int:
        return int(c.store._db.execute("PRAGMA synchronous").fetchone()[0])  # type: ignore[attr-defined]

    with smtp_sink() as (_, port):
        c = make(tmp_path, port)
        c.queue_email("recovery/valid", CTX, to="ann@example.org")
        assert synchronous(c) == 2  # FULL
        c.work(until_idle=True)
        assert synchronous(c) == 1  # NORMAL
        c.queue_email("recovery/valid", CTX, to="bob@example.org")
        assert synchronous(c) == 2
        c.close()


def test_a_configured_message_id_header_is_the_stored_one(tmp_path: Path) -> None:
    with smtp_sink() as (sink, port):
        c = make(tmp_path, port)
        mid = c.queue_email("recovery/valid", CTX, to="ann@example.org", headers={"message-id": "<fixed.1@example.net>"})
        assert c.message(mid).message_id == "<fixed.1@example.net>"
        c.work(until_idle=True)
        assert list(sink.ids) == ["<fixed.1@example.net>"]


def test_render_errors_raise_at_enqueue_and_store_nothing(tmp_path: Path) -> None:
    c = make(tmp_path, None)
    with pytest.raises(InvalidName):
        c.queue_email("recovery/nope", {}, to="a@example.org")
    with pytest.raises(ContextError, match="RecoveryUrl"):
        c.queue_email("recovery/valid", {"RecoveryUrl": "x"}, to="a@example.org")
    with pytest.raises(MessageError):
        c.queue_email("recovery/valid", CTX, to="not an address\r\nBcc: x@evil.example")
    tpl = tmp_path / "t" / "recovery" / "valid"
    tpl.mkdir(parents=True)
    (tpl / "email.subject.gotmpl").write_text("Hi {{ .Nope }}")
    broken = Courier(f"sqlite:///{tmp_path}/courier.db", templates=[str(tmp_path / "t")])
    with pytest.raises(TemplateError, match="Nope") as err:
        broken.queue_email("recovery/valid", CTX, to="a@example.org")
    assert "email.subject.gotmpl:1" in str(err.value)
    assert c.counts() == {"queued": 0, "processing": 0, "sent": 0, "abandoned": 0}


def test_idempotency_key_returns_the_first_message(tmp_path: Path) -> None:
    c = make(tmp_path, None)
    a = c.queue_email("recovery/valid", CTX, to="ann@example.org", idempotency_key="flow-1")
    b = c.queue_email("recovery/valid", CTX, to="bob@example.org", idempotency_key="flow-1")
    d = c.queue_email("recovery/valid", CTX, to="ann@example.org", idempotency_key="flow-2")
    assert a == b != d
    assert c.message(a).recipient == "ann@example.org"
    assert len(c.messages()) == 2


def check_batch(store: str, port: int) -> None:
    """courier.batch() on ``store`` (also run on PostgreSQL by test_courier_pg.py)."""

    def courier() -> Courier:
        return Courier(store, smtp_uri=uri(port), from_address="accounts@example.org", retry_backoff=0)

    c, other = courier(), courier()
    known = c.queue_email("login_code/valid", {"LoginCode": "0"}, to="k@example.org", idempotency_key="known")
    with c.batch():
        ids = [c.queue_email("login_code/valid", {"LoginCode": f"{i}"}, to=f"u{i}@example.org") for i in range(5)]
        again = c.queue_email("login_code/valid", {"LoginCode": "9"}, to="x@example.org", idempotency_key="b")
        assert c.queue_email("login_code/valid", {"LoginCode": "9"}, to="x@example.org", idempotency_key="b") == again
        assert c.queue_email("login_code/valid", {}, to="k@example.org", idempotency_key="known") == known
        assert other.counts()["queued"] == 1  # nothing of the batch is stored before the block ends
    assert other.counts()["queued"] == 7
    assert [other.message(i).recipient for i in ids] == [f"u{i}@example.org" for i in range(5)]

    # An exception in the block stores nothing; so does a key another process queued meanwhile.
    with pytest.raises(ContextError), c.batch():
        c.queue_email("login_code/valid", {"LoginCode": "1"}, to="v@example.org")
        c.queue_email("login_code/valid", {"LoginCode": {"not": "text"}}, to="w@example.org")
    with pytest.raises(CourierError, match="nothing of the batch was stored"), c.batch():
        c.queue_email("login_code/valid", {"LoginCode": "1"}, to="v@example.org")
        c.queue_email("login_code/valid", {"LoginCode": "2"}, to="w@example.org", idempotency_key="race")
        other.queue_email("login_code/valid", {"LoginCode": "3"}, to="z@example.org", idempotency_key="race")
    with pytest.raises(CourierError, match="do not nest"), c.batch(), c.batch():
        pass
    assert other.counts()["queued"] == 8
    assert c.work(until_idle=True) == 8
    other.close()
    c.close()


def test_batch_stores_everything_at_once_or_nothing(tmp_path: Path) -> None:
    with smtp_sink() as (sink, port):
        check_batch(f"sqlite:///{tmp_path}/courier.db", port)
        assert sink.total == 8 and {m.count(b"Message-ID:") for m in sink.messages} == {1}


def test_schema_is_versioned_and_migrate_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/m.db"
    store = open_store(url)
    assert store.schema_version() == 3
    assert store.migrate() == (3, 3)
    store.close()
    assert main(["courier", "migrate", "--store", url]) == 0


@pytest.mark.parametrize(
    "url", ["courier.db", "sqlite://courier.db", "sqlite:///:memory:", "mysql://x/y", "sqlite:///no/such/dir/c.db"]
)
def test_bad_store_urls_are_refused_clearly(url: str) -> None:
    with pytest.raises(CourierError, match="store URL"):
        open_store(url)


# -- SMTP faults ----------------------------------------------------------------------------------


def test_451_twice_then_250_is_sent_with_send_count_3(tmp_path: Path) -> None:
    with smtp_sink() as (sink, port):
        sink.plan.extend(["451 4.3.0 try later", "451 4.3.0 try later"])
        c = make(tmp_path, port)
        mid = c.queue_email("recovery/valid", CTX, to="ann@example.org")
        c.work(until_idle=True)
        m = c.message(mid)
        assert (m.status, m.send_count) == ("sent", 3)
        assert [d.status for d in m.dispatches] == ["failed", "failed", "success"]
        assert "451 4.3.0 try later" in (m.dispatches[0].error or "")
        assert sink.ids[m.message_id] == 1
        # Every attempt sends the same bytes, with the Message-ID stored at enqueue.
        assert len(sink.attempts) == 3 and len(set(sink.attempts)) == 1
        assert message_from_bytes(sink.attempts[0], policy=default_policy)["Message-ID"] == m.message_id
        # A failure closes the connection; the next attempt dials again.
        assert sink.connections == 3


def test_550_abandons_at_once(tmp_path: Path) -> None:
    with smtp_sink() as (sink, port):
        sink.plan.append("550 5.1.1 no such user")
        c = make(tmp_path, port)
        mid = c.queue_email("recovery/valid", CTX, to="ann@example.org")
        c.work(until_idle=True)
        m = c.message(mid)
        assert (m.status, m.send_count) == ("abandoned", 1)
        assert "550 5.1.1 no such user" in (m.dispatches[0].error or "")
        assert sink.total == 0
        assert [x.id for x in c.messages(status="abandoned")] == [mid]


def test_server_down_is_retried_then_abandoned_after_message_retries(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    c = make(tmp_path, port, message_retries=2)
    mid = c.queue_email("recovery/valid", CTX, to="ann@example.org")
    assert c.work(until_idle=True) == 3
    m = c.message(mid)
    assert (m.status, m.send_count) == ("abandoned", 3)  # Kratos: abandoned once send_count > retries
    assert [d.status for d in m.dispatches] == ["failed"] * 3
    assert all("cannot talk to" in (d.error or "") for d in m.dispatches)


def test_disconnect_in_the_middle_of_data_is_retried(tmp_path: Path) -> None:
    with smtp_sink() as (sink, port):
        sink.plan.append("disconnect")
        c = make(tmp_path, port)
        mid = c.queue_email("recovery/valid", CTX, to="ann@example.org")
        c.work(until_idle=True)
        m = c.message(mid)
        assert (m.status, m.send_count) == ("sent", 2)
        assert "closed the connection during data" in (m.dispatches[0].error or "")
        assert sink.ids[m.message_id] == 1


def test_server_slower_than_the_timeout_is_retried_and_the_duplicate_keeps_its_message_id(tmp_path: Path) -> None:
    with smtp_sink() as (sink, port):
        sink.plan.append(("slow", 2.5))
        c = make(tmp_path, port, timeout=1.0)
        mid = c.queue_email("recovery/valid", CTX, to="ann@example.org")
        c.work(until_idle=True)
        m = c.message(mid)
        assert (m.status, m.send_count) == ("sent", 2)
        assert "did not answer within 1 s (data)" in (m.dispatches[0].error or "")
        # The slow server had stored the first copy when the client gave up: the case where a
        # receiver sees a duplicate, with the same Message-ID to drop it by.
        assert sink.ids == {m.message_id: 2}


def test_backoff_leaves_a_failed_message_queued_until_due(tmp_path: Path) -> None:
    with smtp_sink() as (sink, port):
        sink.plan.append("421 4.7.0 slow down")
        c = make(tmp_path, port, retry_backoff=30)
        mid = c.queue_email("recovery/valid", CTX, to="ann@example.org")
        t0 = time.time()
        c.work(until_idle=True)
        m = c.message(mid)
        assert (m.status, m.send_count) == ("queued", 1)
        assert t0 + 15 <= m.due_at <= time.time() + 30  # 30 s times a jitter factor in [0.5, 1)
        assert sink.total == 0


def test_batch_reuses_one_connection(tmp_path: Path) -> None:
    with smtp_sink() as (sink, port):
        c = make(tmp_path, port, pull_count=5)
        ids = [c.queue_email("login_code/valid", {"LoginCode": f"{i:06d}"}, to=f"u{i}@example.org") for i in range(12)]
        assert c.work(until_idle=True) == 12
        assert all(c.message(i).status == "sent" for i in ids)
        assert sink.connections == 1
        assert len(sink.ids) == 12


# -- per-message overrides ------------------------------------------------------------------------


def test_transport_override_and_attachments_apply_to_one_message(tmp_path: Path) -> None:
    with smtp_sink() as (main_sink, main_port), smtp_sink() as (other, other_port):
        c = make(tmp_path, main_port)
        plain = c.queue_email("recovery/valid", CTX, to="ann@example.org")
        special = c.queue_email(
            "recovery/valid",
            CTX,
            to="bob@example.org",
            transport=TransportOverride(host="127.0.0.1", port=other_port),
            attachments=[Attachment("terms.txt", b"the terms", "text/plain")],
        )
        assert c.message(special).extras.attachments == ("terms.txt",)
        c.work(until_idle=True)
        assert list(main_sink.ids) == [c.message(plain).message_id]
        assert list(other.ids) == [c.message(special).message_id]
        parsed = message_from_bytes(other.messages[0], policy=default_policy)
        names = [p.get_filename() for p in parsed.iter_attachments()]
        assert names == ["terms.txt"]
        assert "password" not in repr(TransportOverride(user="u", password="secret"))


def test_override_requiring_starttls_fails_against_a_server_without_it(tmp_path: Path) -> None:
    with smtp_sink() as (sink, port):
        c = make(tmp_path, port)
        mid = c.queue_email(
            "recovery/valid", CTX, to="ann@example.org", transport=TransportOverride(security="starttls")
        )
        c.work(until_idle=True)
        m = c.message(mid)
        assert m.status == "abandoned" and sink.total == 0
        assert "does not offer STARTTLS" in (m.dispatches[0].error or "")


# -- HTTP channel ---------------------------------------------------------------------------------


def _http_courier(tmp_path: Path, url: str, **auth: Any) -> Courier:
    channel = {"id": "email", "type": "http", "request_config": {"url": url, "headers": {"X-Tenant": "t1"}, **auth}}
    sms = {"id": "sms", "type": "http", "request_config": {"url": url}}
    return make(tmp_path, None, channels=[channel, sms])


def test_http_channel_posts_kratos_json_with_basic_auth(tmp_path: Path) -> None:
    with http_endpoint() as (ep, url):
        c = _http_courier(tmp_path, url, auth={"type": "basic_auth", "config": {"user": "u", "password": "p"}})
        mid = c.queue_email("recovery/valid", CTX, to="ann@example.org")
        c.work(until_idle=True)
        assert c.message(mid).status == "sent"
        (req,) = ep.requests
        assert req["method"] == "POST" and req["headers"]["Authorization"] == "Basic dTpw"
        assert req["headers"]["X-Tenant"] == "t1"
        body = req["json"]
        assert body["recipient"] == "ann@example.org" and body["template_type"] == "recovery_valid"
        assert body["message_type"] == "email" and body["template_data"]["recovery_url"] == CTX["RecoveryURL"]
        assert body["subject"] == c.message(mid).subject and "<html" in body["html_body"]


@pytest.mark.parametrize("where", ["header", "cookie"])
def test_http_channel_api_key(tmp_path: Path, where: str) -> None:
    with http_endpoint() as (ep, url):
        auth = {"type": "api_key", "config": {"name": "X-Key", "value": "k1", "in": where}}
        c = _http_courier(tmp_path, url, auth=auth)
        c.queue_email("recovery/valid", CTX, to="ann@example.org")
        c.work(until_idle=True)
        headers = ep.requests[0]["headers"]
        assert (headers.get("X-Key") if where == "header" else headers.get("Cookie")) == (
            "k1" if where == "header" else "X-Key=k1"
        )


def test_http_500_then_success_and_400_abandons(tmp_path: Path) -> None:
    with http_endpoint() as (ep, url):
        ep.plan.extend([500, 200, 400])
        c = _http_courier(tmp_path, url)
        first = c.queue_email("recovery/valid", CTX, to="ann@example.org")
        c.work(until_idle=True)
        second = c.queue_email("recovery/valid", CTX, to="bob@example.org")
        c.work(until_idle=True)
        a, b = c.message(first), c.message(second)
        assert (a.status, a.send_count) == ("sent", 2)
        assert "answered 500" in (a.dispatches[0].error or "")
        assert (b.status, b.send_count) == ("abandoned", 1)
        assert "answered 400" in (b.dispatches[0].error or "")


def test_http_429_is_retried(tmp_path: Path) -> None:
    with http_endpoint() as (ep, url):
        ep.plan.extend([429, 408])
        c = _http_courier(tmp_path, url)
        mid = c.queue_email("recovery/valid", CTX, to="ann@example.org")
        c.work(until_idle=True)
        assert (c.message(mid).status, c.message(mid).send_count) == ("sent", 3)


def test_sms_goes_through_the_sms_http_channel(tmp_path: Path) -> None:
    with http_endpoint() as (ep, url):
        c = _http_courier(tmp_path, url)
        mid = c.queue_sms("login_code/valid", {"LoginCode": "123456"}, to="+15555550123")
        c.work(until_idle=True)
        m = c.message(mid)
        assert (m.type, m.channel, m.status) == ("sms", "sms", "sent")
        body = ep.requests[0]["json"]
        assert body["message_type"] == "sms" and body["recipient"] == "+15555550123"
        assert "123456" in body["body"]


def test_http_channel_config_mistakes_are_refused(tmp_path: Path) -> None:
    for rc, match in (
        ({"url": "http://x/", "body": "file:///b.jsonnet"}, "Jsonnet"),
        ({}, "url is required"),
        ({"url": "http://x/", "auth": {"type": "oauth"}}, "basic_auth or api_key"),
    ):
        with pytest.raises(CourierError, match=match):
            c = make(tmp_path, None, channels=[{"id": "sms", "type": "http", "request_config": rc}])
            c.queue_sms("login_code/valid", {"LoginCode": "1"}, to="+1555")
            c.work(until_idle=True)


# -- workers --------------------------------------------------------------------------------------


def test_a_second_sqlite_worker_is_refused(tmp_path: Path) -> None:
    with smtp_sink() as (_, port):
        first = make(tmp_path, port)
        second = make(tmp_path, port)
        with first.store.worker_lock(), pytest.raises(CourierError, match="another courier worker is already running"):
            second.work(until_idle=True)
        assert second.work(until_idle=True) == 0  # free again


def check_lapsed_lease(store: str, port: int) -> None:
    """A lapsed claim on ``store`` (also run on PostgreSQL by test_courier_pg.py)."""
    c = Courier(store, smtp_uri=uri(port), from_address="accounts@example.org", retry_backoff=0,
                lease=0.2, message_retries=1)
    mid = c.queue_email("recovery/valid", CTX, to="ann@example.org")
    # A worker claims and dies (nothing recorded): after the lease, the message is due again.
    (claimed,) = c.store.claim(10, 0.2, time.time())
    assert c.message(mid).status == "processing"
    assert c.work(until_idle=True) == 0  # still leased
    time.sleep(0.3)
    c.work(until_idle=True)
    assert (c.message(mid).status, c.message(mid).send_count) == ("sent", 2)
    # The dead worker's late outcome does not overwrite the new owner's record; it is logged.
    assert c.store.record([Outcome(claimed, "queued", "late", time.time())]) == [False]
    m = c.message(mid)
    assert m.status == "sent" and [d.error for d in m.dispatches] == [None, "late"]
    # A batch's outcomes are recorded together, each under its own claim: one lost, one held.
    a = c.queue_email("recovery/valid", CTX, to="a@example.org")
    b = c.queue_email("recovery/valid", CTX, to="b@example.org")
    old = {m.id: m for m in c.store.claim(10, 0.01, time.time())}
    time.sleep(0.05)
    new = {m.id: m for m in c.store.claim(10, 60, time.time())}
    now = time.time()
    assert c.store.record([Outcome(old[a], "sent", None, now), Outcome(new[b], "sent", None, now)]) == [False, True]
    assert (c.message(a).status, c.message(b).status) == ("processing", "sent")
    assert [len(c.message(x).dispatches) for x in (a, b)] == [1, 1]
    assert c.store.record([Outcome(new[a], "abandoned", "550", now)]) == [True]
    assert c.message(a).status == "abandoned"
    # Two lapsed claims with message_retries=1 use up both attempts: abandoned, not sent.
    other = c.queue_email("recovery/valid", CTX, to="bob@example.org")
    for _ in range(2):
        c.store.claim(10, 0.01, time.time())
        time.sleep(0.05)
    c.work(until_idle=True)
    m = c.message(other)
    assert m.status == "abandoned" and "whose worker stopped" in (m.dispatches[-1].error or "")
    assert c.counts() == {"queued": 0, "processing": 0, "sent": 2, "abandoned": 2}
    c.close()


def test_a_lapsed_lease_is_taken_again_and_exhausted_attempts_abandon(tmp_path: Path) -> None:
    with smtp_sink() as (sink, port):
        check_lapsed_lease(f"sqlite:///{tmp_path}/courier.db", port)
        assert sink.total == 1


class Gate:
    """A dispatcher that holds the second send until the test opens the gate (or raises there),
    so that a test can look at the store while a batch is half sent. The store is real."""

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[str] = []
        self.second = threading.Event()
        self.go = threading.Event()
        self.fail = fail

    def send(self, m: Any) -> None:
        self.sent.append(m.id)
        if len(self.sent) == 2:
            self.second.set()
            if self.fail:
                raise RuntimeError("a bug in a channel")
            assert self.go.wait(30)

    def idle(self) -> None:
        pass


def test_a_batch_is_recorded_together_and_sent_messages_stay_in_flight_until_then(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mailtemplates.courier import worker as worker_module

    c = make(tmp_path, None)
    ids = [c.queue_email("login_code/valid", {"LoginCode": str(i)}, to=f"u{i}@example.org") for i in range(3)]
    for record_within, first_while_sending in ((60.0, "processing"), (0.0, "sent")):
        monkeypatch.setattr(worker_module, "RECORD_WITHIN", record_within)
        gate = Gate()
        w = worker_module.Worker(c.store, gate, c.settings)
        t = threading.Thread(target=w.run, kwargs={"until_idle": True})
        t.start()
        assert gate.second.wait(30)
        # The first message is sent; with the batch still going, it is in flight (claimed, not
        # recorded), unless outcomes are recorded as soon as they wait (RECORD_WITHIN 0).
        assert c.message(ids[0]).status == first_while_sending
        gate.go.set()
        t.join(30)
        assert [c.message(i).status for i in ids] == ["sent"] * 3
        assert [len(c.message(i).dispatches) for i in ids] == [1, 1, 1]
        c.store.purge(time.time() + 1)
        ids = [c.queue_email("login_code/valid", {"LoginCode": str(i)}, to=f"u{i}@example.org") for i in range(3)]


def test_an_unexpected_error_records_what_was_sent_and_gives_back_the_untried(tmp_path: Path) -> None:
    from mailtemplates.courier.worker import Worker

    c = make(tmp_path, None)
    ids = [c.queue_email("login_code/valid", {"LoginCode": str(i)}, to=f"u{i}@example.org") for i in range(3)]
    with pytest.raises(RuntimeError, match="a bug"):
        Worker(c.store, Gate(fail=True), c.settings).run(until_idle=True)
    first, failed, untried = (c.message(i) for i in ids)
    assert (first.status, [d.status for d in first.dispatches]) == ("sent", ["success"])
    assert (failed.status, failed.dispatches) == ("processing", ())  # in flight: its lease decides
    assert (untried.status, untried.send_count) == ("queued", 0)


def test_an_idle_worker_keeps_its_smtp_session(tmp_path: Path) -> None:
    with smtp_sink() as (sink, port):
        c = make(tmp_path, port, pull_wait=0.01)
        t = threading.Thread(target=c.work, kwargs={"until_idle": False})
        t.start()
        deadline = time.time() + 30
        for i in range(3):  # the queue runs dry between the messages
            c.queue_email("login_code/valid", {"LoginCode": str(i)}, to=f"u{i}@example.org")
            while sink.total <= i and time.time() < deadline:
                time.sleep(0.01)
            time.sleep(0.05)
        c.stop()
        t.join(30)
        assert sink.total == 3 and sink.connections == 1


def test_an_enqueue_waits_for_another_writers_lock_and_succeeds(tmp_path: Path) -> None:
    import sqlite3

    c = make(tmp_path, None)
    other = sqlite3.connect(tmp_path / "courier.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    errors: list[BaseException] = []

    def enqueue() -> None:
        try:
            c.queue_email("login_code/valid", {"LoginCode": "1"}, to="u@example.org")
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    t = threading.Thread(target=enqueue)
    t.start()
    t.join(0.3)
    assert t.is_alive() and not errors  # waiting for the lock, not failed
    other.rollback()
    t.join(30)
    assert not errors and c.counts()["queued"] == 1
    other.close()


def test_stop_releases_the_rest_of_the_batch(tmp_path: Path) -> None:
    with smtp_sink() as (sink, port):
        sink.plan.extend([("slow", 0.3)] * 10)
        c = make(tmp_path, port, pull_count=10)
        for i in range(10):
            c.queue_email("login_code/valid", {"LoginCode": str(i)}, to=f"u{i}@example.org")
        t = threading.Thread(target=c.work, kwargs={"until_idle": False})
        t.start()
        deadline = time.time() + 30
        while sink.total < 1 and time.time() < deadline:
            time.sleep(0.02)
        c.stop()
        t.join(5)
        assert not t.is_alive()
        counts = c.counts()
        assert counts["processing"] == 0
        assert counts["sent"] == sink.total and 1 <= counts["sent"] < 10
        assert counts["queued"] == 10 - counts["sent"]
        assert all(m.send_count == 0 for m in c.messages(status="queued"))  # released, not attempted


def test_metrics_text_format_and_json_log(tmp_path: Path) -> None:
    from mailtemplates.courier.metrics import serve_metrics

    records: list[dict[str, Any]] = []
    metrics = Metrics()
    with smtp_sink() as (sink, port):
        sink.plan.extend(["451 4.3.0 later", "550 5.0.0 no"])
        c = make(tmp_path, port, log=records.append, metrics=metrics)
        a = c.queue_email("recovery/valid", CTX, to="ann@example.org")
        b = c.queue_email("recovery/valid", CTX, to="bob@example.org")
        c.work(until_idle=True)
        server = serve_metrics(metrics, c.counts, 0)
        try:
            text = urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/metrics").read().decode()
        finally:
            server.shutdown()
            server.server_close()
    assert 'mailtemplates_courier_messages{status="sent"} 1' in text
    assert 'mailtemplates_courier_messages{status="abandoned"} 1' in text
    assert "mailtemplates_courier_sent_total 1" in text
    assert "mailtemplates_courier_failed_total 2" in text
    assert "mailtemplates_courier_abandoned_total 1" in text
    assert "mailtemplates_courier_dispatch_seconds_count 3" in text
    outcomes = {(r["id"], r["outcome"]) for r in records}
    assert outcomes == {(a, "retry"), (a, "sent"), (b, "abandoned")} or outcomes == {(b, "retry"), (b, "sent"), (a, "abandoned")}
    assert all(json.dumps(r) and r["event"] == "courier.dispatch" for r in records)


# -- command line ---------------------------------------------------------------------------------


def test_cli_list_show_retry_purge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with smtp_sink() as (sink, port):
        sink.plan.append("550 5.1.1 unknown user")
        c = make(tmp_path, port)
        bad = c.queue_email("recovery/valid", CTX, to="ann@example.org")
        good = c.queue_email("recovery/valid", CTX, to="bob@example.org")
        c.work(until_idle=True)
        store = ["--store", f"sqlite:///{tmp_path}/courier.db"]
        capsys.readouterr()
        assert main(["courier", "list", *store, "--status", "abandoned"]) == 0
        out = capsys.readouterr().out
        assert bad in out and good not in out
        assert main(["courier", "list", *store, "--recipient", "bob@example.org", "--json"]) == 0
        (line,) = capsys.readouterr().out.splitlines()
        assert json.loads(line)["id"] == good
        assert main(["courier", "list", *store, "--limit", "1"]) == 0
        assert "--offset 1" in capsys.readouterr().out
        assert main(["courier", "show", bad, *store]) == 0
        out = capsys.readouterr().out
        assert "abandoned (send_count 1)" in out and "550 5.1.1 unknown user" in out
        assert main(["courier", "retry", good, *store]) == 1
        assert "only an abandoned message can be retried" in capsys.readouterr().err
        assert main(["courier", "retry", bad, *store]) == 0
        c.work(until_idle=True)
        assert c.message(bad).status == "sent" and len(c.message(bad).dispatches) == 2
        assert main(["courier", "purge", "--older-than", "1h", *store]) == 0
        assert "purged 0" in capsys.readouterr().out
        assert main(["courier", "purge", "--older-than", "0s", *store]) == 0
        assert "purged 2" in capsys.readouterr().out
        assert main(["courier", "show", "nope", *store]) == 1
        assert "no courier message with id 'nope'" in capsys.readouterr().err


def test_parse_duration() -> None:
    assert parse_duration("1h30m") == 5400 and parse_duration("500ms") == 0.5 and parse_duration("2.5") == 2.5
    assert parse_duration("30d") == 30 * 86400
    for bad in ("", "1x", "h", "-1s", "1h 2m"):
        with pytest.raises(Exception, match="duration"):
            parse_duration(bad)


def _watch(store: str, port: int, *extra: str, stderr: Any = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "mailtemplates.cli", "courier", "watch", "--store", store, "--smtp-uri", uri(port),
         "--pull-wait", "50ms", *extra],
        stderr=stderr, stdout=subprocess.DEVNULL,
    )


def test_watch_exits_0_on_sigterm_after_finishing_the_message_in_flight(tmp_path: Path) -> None:
    with smtp_sink() as (sink, port):
        sink.plan.extend([("slow", 0.2)] * 20)
        c = make(tmp_path, port)
        for i in range(20):
            c.queue_email("login_code/valid", {"LoginCode": str(i)}, to=f"u{i}@example.org")
        with open(tmp_path / "log", "wb") as log:
            proc = _watch(f"sqlite:///{tmp_path}/courier.db", port, stderr=log)
            deadline = time.time() + 30
            while sink.total < 2 and time.time() < deadline:
                time.sleep(0.02)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(10) == 0
        counts = c.counts()
        assert counts["processing"] == 0 and counts["sent"] == sink.total
        assert counts["sent"] + counts["queued"] == 20 and counts["queued"] > 0
        lines = (tmp_path / "log").read_text().splitlines()
        assert len(lines) == counts["sent"]
        assert all(json.loads(x)["outcome"] == "sent" for x in lines)


def test_watch_refuses_a_second_worker_and_needs_a_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with smtp_sink() as (_, port):
        store = f"sqlite:///{tmp_path}/courier.db"
        open_store(store).close()
        proc = _watch(store, port)
        try:
            time.sleep(1.5)
            second = subprocess.run(
                [sys.executable, "-m", "mailtemplates.cli", "courier", "watch", "--store", store, "--smtp-uri", uri(port)],
                capture_output=True, text=True, timeout=30,
            )
            assert second.returncode == 1
            assert "another courier worker is already running" in second.stderr
        finally:
            proc.send_signal(signal.SIGINT)
            assert proc.wait(10) == 0
    env = {k: v for k, v in os.environ.items() if k != "COURIER_SMTP_CONNECTION_URI"}
    r = subprocess.run(
        [sys.executable, "-m", "mailtemplates.cli", "courier", "watch", "--store", f"sqlite:///{tmp_path}/c2.db"],
        capture_output=True, text=True, env=env, timeout=30,
    )
    assert r.returncode == 1 and "--smtp-uri" in r.stderr


def test_crash_kill_9_half_way_loses_nothing(tmp_path: Path) -> None:
    """2,000 messages, the worker SIGKILLed half-way and restarted: every message arrives, and the
    only duplicates are messages that were in flight (claimed, not yet recorded) at the kill."""
    n = 2000
    store = f"sqlite:///{tmp_path}/courier.db"
    with forking_sink(str(tmp_path / "received")) as (received, port):
        c = make(tmp_path, port)
        t0 = time.time()
        for i in range(n):
            c.queue_email("login_code/valid", {"LoginCode": f"{i:06d}"}, to=f"u{i}@example.org")
        t1 = time.time()
        first = _watch(store, port, "--lease", "1s")
        deadline = time.time() + 120
        # Not a multiple of the batch size, so that the kill is likely to land inside a batch.
        while sum(received().values()) < n // 2 + 3 and time.time() < deadline:
            time.sleep(0.002)
        first.kill()
        first.wait(10)
        at_kill = c.counts()
        in_flight = at_kill["processing"]
        second = _watch(store, port, "--lease", "1s")
        while c.counts()["sent"] < n and time.time() < deadline:
            time.sleep(0.1)
        second.send_signal(signal.SIGTERM)
        assert second.wait(10) == 0
        ids = received()
    total, unique = sum(ids.values()), len(ids)
    dups = total - unique
    print(
        f"\ncrash test: {n} queued in {t1 - t0:.1f} s, sent in {time.time() - t1:.1f} s; killed at "
        f"{at_kill['sent']} sent / {in_flight} in flight; sink received {total} ({unique} distinct, {dups} duplicates)"
    )
    assert c.counts() == {"queued": 0, "processing": 0, "sent": n, "abandoned": 0}
    assert unique == n and set(ids) == {m.message_id for m in c.messages(limit=n)}
    assert dups <= in_flight <= 10  # at most the claimed batch (pull_count 10)

def test_kratos_config_templates_on_an_internal_host_need_renderer_options(tmp_path: Path) -> None:
    """A ``courier.templates`` URI on a private address is refused by the destination policy
    unless the caller lets that network through (Kratos's file has no setting for it)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from mailtemplates.errors import TemplateSourceError

    class Subject(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"Internal subject for {{ .To }}"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Subject)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        cfg = tmp_path / "kratos.json"
        cfg.write_text(json.dumps({"courier": {
            "smtp": {"connection_uri": "smtp://127.0.0.1:1/?disable_starttls=true", "from_address": "team@example.net"},
            "templates": {"recovery": {"valid": {"email": {"subject": f"http://127.0.0.1:{srv.server_address[1]}/s"}}}},
        }}))
        refused = Courier.from_kratos_config(str(cfg), store=f"sqlite:///{tmp_path}/a.db")
        with pytest.raises(TemplateSourceError, match="refusing to fetch"):
            refused.queue_email("recovery/valid", CTX, to="ann@example.org")
        assert refused.counts()["queued"] == 0
        refused.close()
        allowed = Courier.from_kratos_config(
            str(cfg), store=f"sqlite:///{tmp_path}/b.db", renderer_options={"http_allowed_networks": "127.0.0.1"}
        )
        mid = allowed.queue_email("recovery/valid", CTX, to="ann@example.org")
        assert allowed.message(mid).subject == "Internal subject for ann@example.org"
        allowed.close()
    finally:
        srv.shutdown()
        srv.server_close()


def test_watch_reads_a_kratos_config_file(tmp_path: Path) -> None:
    pytest.importorskip("yaml", reason="the config extra (pyyaml) reads kratos.yml")
    with smtp_sink() as (sink, port), http_endpoint() as (ep, url):
        ep.plan.append(400)
        cfg = tmp_path / "kratos.yml"
        cfg.write_text(
            "courier:\n"
            "  message_retries: 1\n"
            "  worker: {pull_count: 3, pull_wait: 100ms}\n"
            f"  smtp:\n    connection_uri: {uri(port)}\n    from_address: team@example.net\n"
            "    from_name: The Team\n    headers: {X-Campaign: c1}\n"
            f"  channels:\n    - id: sms\n      type: http\n      request_config: {{url: '{url}', method: PUT}}\n"
            "  frobnicate: true\n"
        )
        c = Courier.from_kratos_config(str(cfg), store=f"sqlite:///{tmp_path}/courier.db", retry_backoff=0)
        assert (c.settings.message_retries, c.settings.pull_count, c.settings.pull_wait) == (1, 3, 0.1)
        mail = c.queue_email("recovery/valid", CTX, to="ann@example.org")
        text = c.queue_sms("login_code/valid", {"LoginCode": "424242"}, to="+15555550123")
        sink.plan.extend(["451 4.3.0 later", "451 4.3.0 later"])
        env = {k: v for k, v in os.environ.items() if not k.startswith("COURIER_")}
        r = subprocess.run(
            [sys.executable, "-m", "mailtemplates.cli", "courier", "watch", "--store", f"sqlite:///{tmp_path}/courier.db",
             "--config", str(cfg), "--until-idle", "--retry-backoff", "0"],
            capture_output=True, text=True, env=env, timeout=60,
        )
        assert r.returncode == 0, r.stderr
        assert "courier.frobnicate is not a setting Kratos knows" in r.stderr
        m = c.message(mail)
        # message_retries 1 from the file: two attempts, both 451, then abandoned.
        assert (m.status, m.send_count) == ("abandoned", 2)
        s = c.message(text)
        assert (s.status, s.send_count) == ("abandoned", 1)  # HTTP 400 is permanent
        assert ep.requests[0]["method"] == "PUT" and ep.requests[0]["json"]["message_type"] == "sms"
        c.retry(mail)
        c.work(until_idle=True)
    parsed = message_from_bytes(sink.messages[0], policy=default_policy)
    assert parsed["From"].addresses[0].display_name == "The Team" and parsed["X-Campaign"] == "c1"
    assert sink.envelopes[0][0] == "team@example.net"


def _tls_sink(sink: Sink, ca: Any, **kw: Any) -> Any:
    import ssl

    from aiosmtpd.controller import Controller

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(ctx)
    port = free_port()
    if kw.pop("implicit", False):
        kw["ssl_context"] = ctx
    else:
        kw["tls_context"] = ctx
    return Controller(sink, hostname="127.0.0.1", port=port, server_hostname="tls.test", **kw), port


def test_transport_override_with_starttls_and_login_and_with_implicit_tls(
    tmp_path: Path, ca: Any, ca_file: str
) -> None:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    logins: list[tuple[str, str]] = []

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=data.password == b"s3cret", handled=False)  # aiosmtpd replies 535

    starttls, tls = Sink(), Sink()
    c1, p1 = _tls_sink(starttls, ca, authenticator=check, require_starttls=True)
    c2, p2 = _tls_sink(tls, ca, implicit=True)
    c1.start()
    c2.start()
    try:
        with smtp_sink() as (plain, port):
            base = parse_connection_uri(uri(port), ca_file=ca_file)
            c = Courier(f"sqlite:///{tmp_path}/courier.db", smtp=base, from_address="a@example.org", retry_backoff=0)
            ok = c.queue_email("recovery/valid", CTX, to="ann@example.org", transport=TransportOverride(
                host="127.0.0.1", port=p1, user="ann", password="s3cret", security="starttls"))
            bad = c.queue_email("recovery/valid", CTX, to="ann@example.org", transport=TransportOverride(
                host="127.0.0.1", port=p1, user="ann", password="wrong", security="starttls"))
            implicit = c.queue_email("recovery/valid", CTX, to="bob@example.org", transport=TransportOverride(
                host="127.0.0.1", port=p2, security="tls"))
            c.work(until_idle=True)
            assert plain.total == 0
    finally:
        c1.stop()
        c2.stop()
    assert c.message(ok).status == "sent" and list(starttls.ids) == [c.message(ok).message_id]
    assert ("ann", "s3cret") in logins
    m = c.message(bad)
    assert m.status == "abandoned" and "535" in (m.dispatches[0].error or "")  # 5xx to AUTH: permanent
    assert c.message(implicit).status == "sent" and list(tls.ids) == [c.message(implicit).message_id]

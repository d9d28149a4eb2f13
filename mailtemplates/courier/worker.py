"""The dispatch loop: claim a batch, send each message, record the batch's outcomes.

Outcomes are recorded together, in one transaction, when the batch is done, or sooner once the
oldest unrecorded one has waited ``RECORD_WITHIN`` seconds (a slow server), and always before
the worker stops or raises. Until then the sent messages of the batch are still ``processing``
under this worker's claim: they are in flight, and a worker killed then has them sent again
after the lease (at-least-once, as for the message being sent). One transaction per batch
instead of one per message is most of what a worker spends on the store (docs/performance.md).

Retries differ from Kratos on purpose. Kratos re-queues a failed message for the next pull
(``courier.worker.pull_wait``, 1 s), so its ``message_retries`` (5) attempts are spent within a
few seconds: a mail server that restarts or rate-limits for a minute gets every message in the
queue abandoned, and the retries hit it at the moment it is weakest. Here the n-th failed attempt
makes the message due again after ``retry_backoff * 2**(n-1)`` seconds (capped at
``max_backoff``), times a random factor in [0.5, 1) so that a backlog that failed together does
not retry together. With the defaults (5 s, 5 retries) a message is retried for about 2.5
minutes before it is abandoned. ``retry_backoff=0`` retries at once (tests).

The abandon rule is Kratos's: when ``send_count`` (attempts made, counted when a message is
claimed) exceeds ``message_retries``, the message is abandoned, i.e. at most
``message_retries + 1`` attempts. A permanent refusal (SMTP 5xx, HTTP 4xx other than 408/429)
abandons at once. A message whose claims keep lapsing (a worker killed while sending it) also uses
up attempts, so a message that crashes workers cannot loop forever.
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

from mailtemplates.errors import MailTemplateError

from .message import Message
from .metrics import Metrics
from .store import Outcome, Store

__all__ = ["RECORD_WITHIN", "Dispatcher", "JSONLog", "Worker", "WorkerSettings"]

#: Seconds an outcome may wait for the rest of its batch before the outcomes so far are recorded.
RECORD_WITHIN = 1.0
#: Seconds the queue stays empty before the worker closes its connections. An application that
#: queues a message every few milliseconds leaves the queue empty between most of them, and a
#: new SMTP session per message would cost more than the send; a server that drops the idle
#: session meanwhile is dialed again before the next message (mailtemplates.smtp).
IDLE_CLOSE = 10.0


@dataclass(frozen=True)
class WorkerSettings:
    pull_count: int = 10
    pull_wait: float = 1.0
    lease: float = 300.0
    message_retries: int = 5
    retry_backoff: float = 5.0
    max_backoff: float = 900.0

    def backoff(self, attempts: int) -> float:
        if self.retry_backoff <= 0:
            return 0.0
        delay = min(self.max_backoff, self.retry_backoff * 2 ** max(0, attempts - 1))
        return float(delay * random.uniform(0.5, 1.0))


class Dispatcher(Protocol):
    def send(self, m: Message) -> None:
        """Deliver ``m``; raise a MailTemplateError (``permanent`` attribute for no retry)."""

    def idle(self) -> None:
        """The queue has been empty for IDLE_CLOSE seconds, or the worker stops: close connections."""


class JSONLog:
    """One JSON object per line (``courier watch`` writes them to stderr)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self._lock = threading.Lock()

    def __call__(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            stream = self.stream or sys.stderr
            stream.write(line + "\n")
            stream.flush()


class Worker:
    """Runs the loop for one store and one dispatcher; :meth:`stop` may be called from any thread."""

    def __init__(
        self,
        store: Store,
        dispatcher: Dispatcher,
        settings: WorkerSettings,
        *,
        log: Callable[[dict[str, Any]], None] | None = None,
        metrics: Metrics | None = None,
        name: str | None = None,
        stop_event: threading.Event | None = None,
    ) -> None:
        self.store = store
        self.dispatcher = dispatcher
        self.settings = settings
        self.log = log
        self.metrics = metrics
        self.name = name or f"worker-{uuid.uuid4().hex[:8]}"
        self._stop = stop_event if stop_event is not None else threading.Event()

    def stop(self) -> None:
        """Finish the message being sent, give the rest of the batch back, and return."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self, *, until_idle: bool = False) -> int:
        """Dispatch until stopped (or, with ``until_idle``, until nothing is due); return the
        number of attempts made."""
        s = self.settings
        attempts = 0
        idle_since: float | None = None
        with self.store.worker_lock():
            try:
                while not self._stop.is_set():
                    batch = self.store.claim(s.pull_count, s.lease, time.time())
                    if not batch:
                        if until_idle:
                            break
                        if idle_since is None:
                            idle_since = time.monotonic()
                        elif time.monotonic() - idle_since >= IDLE_CLOSE:
                            self.dispatcher.idle()
                        self._stop.wait(s.pull_wait)
                        continue
                    idle_since = None
                    attempts += self._deliver(batch)
            finally:
                self.dispatcher.idle()
        return attempts

    def _deliver(self, batch: list[Message]) -> int:
        """Attempt the messages of a claimed batch; return the number of attempts made."""
        attempts = 0
        pending: list[Outcome] = []
        oldest = 0.0
        started = 0  # batch[started:] were not attempted: given back at the end
        try:
            for m in batch:
                if self._stop.is_set():
                    break
                started += 1
                outcome, attempted = self._one(m)
                attempts += attempted
                if not pending:
                    oldest = time.monotonic()
                pending.append(outcome)
                if time.monotonic() - oldest >= RECORD_WITHIN:
                    self.store.record(pending)
                    pending = []
        finally:
            # Also when a send raised something unexpected: what was sent is recorded as sent,
            # the message that raised stays in flight (its lease), the untried ones go back.
            try:
                self.store.record(pending)
            finally:
                self.store.release(batch[started:], time.time())
        return attempts

    def _one(self, m: Message) -> tuple[Outcome, int]:
        """Attempt ``m`` (or abandon it, its attempts used up); the outcome to record, and 1 if
        an attempt was made."""
        s = self.settings
        if m.send_count > s.message_retries + 1:
            # Its earlier claims lapsed (workers died while sending it): attempts are used up.
            lapsed = f"abandoned after {m.send_count - 1} attempts whose worker stopped before recording them"
            self._report(m, "abandoned", lapsed, None, None)
            return Outcome(m, "abandoned", lapsed, time.time(), worker=self.name), 0
        t0 = time.perf_counter()
        error: str | None = None
        try:
            self.dispatcher.send(m)
            outcome = "sent"
        except MailTemplateError as e:
            error = str(e)
            permanent = bool(getattr(e, "permanent", False))
            outcome = "abandoned" if permanent or m.send_count > s.message_retries else "retry"
        elapsed = time.perf_counter() - t0
        now = time.time()
        due = None
        if outcome == "retry":
            due = now + s.backoff(m.send_count)
        status = "queued" if outcome == "retry" else outcome
        self._report(m, outcome, error, elapsed, due)
        return Outcome(m, status, error, now, due, self.name), 1

    def _report(
        self, m: Message, outcome: str, error: str | None, elapsed: float | None, due: float | None
    ) -> None:
        if self.metrics is not None:
            self.metrics.observe(outcome, elapsed)
        if self.log is not None:
            record: dict[str, Any] = {
                "time": round(time.time(), 3),
                "level": "info" if outcome == "sent" else "warning",
                "event": "courier.dispatch",
                "outcome": outcome,
                "id": m.id,
                "message_id": m.message_id,
                "type": m.type,
                "channel": m.channel,
                "template_type": m.template_type,
                "recipient": m.recipient,
                "send_count": m.send_count,
                "worker": self.name,
            }
            if elapsed is not None:
                record["duration_ms"] = round(elapsed * 1000, 2)
            if error is not None:
                record["error"] = error
            if due is not None:
                record["retry_in_s"] = round(max(0.0, due - time.time()), 2)
            self.log(record)

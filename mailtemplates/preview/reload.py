"""Hot reload for the preview: watch the template roots, fan changes out to the open pages, time it.

The path of one save::

    editor writes the file
      -> watchdog (inotify/FSEvents/...) event in the observer thread      ``detected``
      -> debounce: a finished write (close, rename) flushes at once; other events wait
         ``debounce`` seconds for the rest of the save
      -> :meth:`Hub.publish`: one queue per open page (Server-Sent Events stream)
      -> the stream's thread writes ``event: reload``                       ``sent``
      -> the page's EventSource fires, the page re-fetches the render      ``received``/``updated``
         and posts both times back to ``/__timing``

``saved`` is the file's modification time, so ``received - saved`` is save-to-browser latency
(the clock is the same machine's). :meth:`Hub.timings` is what ``GET /__timing`` returns.

Without watchdog (it is a dependency, but a stripped install may lack it) :class:`PollingWatcher`
stats the roots four times a second instead.
"""

from __future__ import annotations

import os
import queue
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

__all__ = [
    "TEMPLATE_SUFFIXES",
    "Change",
    "Hub",
    "PollingWatcher",
    "ReloadEvent",
    "WatchdogWatcher",
    "Watcher",
    "make_watcher",
]

#: Files whose change reloads the pages (plus the context file, watched by exact path).
TEMPLATE_SUFFIXES = (".gotmpl", ".jinja")


@dataclass(frozen=True)
class Change:
    """One changed path: when it was saved (mtime, epoch seconds) and when we noticed."""

    path: str
    saved: float
    detected: float


@dataclass
class ReloadEvent:
    """One reload sent to the pages, with the times of each stage (epoch seconds)."""

    seq: int
    path: str
    kind: str  # "template" or "context"
    saved: float
    detected: float
    published: float
    sent: float | None = None
    clients: int = 0
    received: float | None = None
    updated: float | None = None
    paths: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)

        def ms(t: float | None) -> float | None:
            return None if t is None else round((t - self.saved) * 1000, 2)

        out["event_ms"] = ms(self.detected)
        out["sent_ms"] = ms(self.sent)
        out["browser_ms"] = ms(self.received)
        out["updated_ms"] = ms(self.updated)
        return out


class Hub:
    """Fan-out of reload events to every open Server-Sent Events stream, and their timing log."""

    def __init__(self, *, history: int = 200, log: Callable[[str], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._clients: set[queue.Queue[ReloadEvent | None]] = set()
        self._events: deque[ReloadEvent] = deque(maxlen=history)
        self._seq = 0
        self._closed = False
        self._log = log
        self.backend = ""

    @property
    def seq(self) -> int:
        return self._seq

    @property
    def clients(self) -> int:
        with self._lock:
            return len(self._clients)

    def subscribe(self) -> queue.Queue[ReloadEvent | None]:
        q: queue.Queue[ReloadEvent | None] = queue.Queue()
        with self._lock:
            if self._closed:
                q.put(None)
            else:
                self._clients.add(q)
        return q

    def unsubscribe(self, q: queue.Queue[ReloadEvent | None]) -> None:
        with self._lock:
            self._clients.discard(q)

    def publish(self, changes: Sequence[Change], kind: str) -> ReloadEvent:
        # The save that completed the content is the last one of the batch.
        last = max(changes, key=lambda c: c.saved)
        with self._lock:
            self._seq += 1
            ev = ReloadEvent(
                seq=self._seq,
                path=last.path,
                kind=kind,
                saved=last.saved,
                detected=min(c.detected for c in changes),
                published=time.time(),
                clients=len(self._clients),
                paths=sorted({c.path for c in changes}),
            )
            self._events.append(ev)
            for q in self._clients:
                q.put(ev)
        return ev

    def mark_sent(self, seq: int, when: float) -> None:
        with self._lock:
            ev = self._find(seq)
            if ev is not None and ev.sent is None:
                ev.sent = when

    def report(self, seq: int, received: float | None, updated: float | None) -> ReloadEvent | None:
        """A page says when it got event ``seq`` and when it had re-rendered (epoch seconds).

        The first report of each stage wins (several pages may be open)."""
        with self._lock:
            ev = self._find(seq)
            if ev is None:
                return None
            first = ev.received is None
            if received is not None and ev.received is None:
                ev.received = received
            if updated is not None and ev.updated is None:
                ev.updated = updated
        if first and ev.received is not None and self._log is not None:
            self._log(_describe(ev))
        return ev

    def _find(self, seq: int) -> ReloadEvent | None:
        for ev in reversed(self._events):
            if ev.seq == seq:
                return ev
        return None

    def timings(self) -> dict[str, Any]:
        with self._lock:
            events = [ev.as_json() for ev in self._events]
            clients = len(self._clients)

        def summary(key: str) -> dict[str, float] | None:
            values = [e[key] for e in events if e[key] is not None]
            if not values:
                return None
            return {
                "n": len(values),
                "median": round(statistics.median(values), 2),
                "min": min(values),
                "max": max(values),
            }

        return {
            "backend": self.backend,
            "clients": clients,
            "seq": self._seq,
            "reloads": events,
            "summary": {k: summary(k) for k in ("event_ms", "sent_ms", "browser_ms", "updated_ms")},
        }

    def close(self) -> None:
        """End every stream (server shutdown)."""
        with self._lock:
            self._closed = True
            for q in self._clients:
                q.put(None)
            self._clients.clear()


def _describe(ev: ReloadEvent) -> str:
    parts = [
        f"reload #{ev.seq} {os.path.basename(ev.path)}: saved -> event {(ev.detected - ev.saved) * 1000:.1f} ms"
    ]
    if ev.received is not None:
        parts.append(f"-> browser {(ev.received - ev.saved) * 1000:.1f} ms")
    if ev.updated is not None:
        parts.append(f"-> page updated {(ev.updated - ev.saved) * 1000:.1f} ms")
    return " ".join(parts)


# -- watchers ---------------------------------------------------------------------------------------


class Watcher(Protocol):
    backend: str

    def start(self) -> None: ...

    def stop(self) -> None: ...


def _relevant(path: str, files: frozenset[str]) -> bool:
    return path.endswith(TEMPLATE_SUFFIXES) or path in files


def _saved_at(path: str, fallback: float) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return fallback  # deleted: the deletion is the save


class _Debouncer:
    """Collects changes; flushes after ``delay`` seconds of quiet, or at once when asked."""

    def __init__(self, delay: float, flush: Callable[[list[Change]], None]) -> None:
        self._delay = delay
        self._flush = flush
        self._lock = threading.Lock()
        self._pending: dict[str, Change] = {}
        self._timer: threading.Timer | None = None

    def add(self, change: Change, *, now: bool) -> None:
        with self._lock:
            old = self._pending.get(change.path)
            # Keep the first detection time: latency is measured from the first sign of the save.
            self._pending[change.path] = (
                change if old is None else Change(change.path, change.saved, old.detected)
            )
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if not now:
                self._timer = threading.Timer(self._delay, self.flush)
                self._timer.daemon = True
                self._timer.start()
                return
        self.flush()

    def flush(self) -> None:
        with self._lock:
            batch = list(self._pending.values())
            self._pending.clear()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if batch:
            self._flush(batch)

    def cancel(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._pending.clear()


class WatchdogWatcher:
    """Native file events through watchdog (inotify on Linux, FSEvents on macOS...)."""

    backend = "watchdog"

    def __init__(
        self,
        roots: Iterable[str],
        files: Iterable[str],
        on_change: Callable[[list[Change]], None],
        *,
        debounce: float = 0.05,
    ) -> None:
        from watchdog import events as ev
        from watchdog.observers import Observer

        self._ev = ev
        self.roots = [r for r in dict.fromkeys(os.path.realpath(r) for r in roots) if os.path.isdir(r)]
        self.files = frozenset(os.path.realpath(f) for f in files)
        self._debouncer = _Debouncer(debounce, on_change)
        self._observer = Observer()
        handler = ev.FileSystemEventHandler()
        handler.dispatch = self._dispatch  # type: ignore[method-assign]
        # Opened / closed-without-writing events are left out: rendering reads the templates, and
        # those reads must not look like edits.
        wanted: list[type[ev.FileSystemEvent]] = [
            ev.FileModifiedEvent,
            ev.FileCreatedEvent,
            ev.FileDeletedEvent,
            ev.FileMovedEvent,
            ev.FileClosedEvent,
            ev.DirCreatedEvent,
            ev.DirDeletedEvent,
            ev.DirMovedEvent,
        ]
        watched: set[str] = set()
        for root in self.roots:
            self._observer.schedule(handler, root, recursive=True, event_filter=wanted)
            watched.add(root)
        for f in self.files:
            d = os.path.dirname(f)
            if os.path.isdir(d) and not any(d == r or d.startswith(r + os.sep) for r in watched):
                self._observer.schedule(handler, d, recursive=False, event_filter=wanted)
                watched.add(d)

    def _dispatch(self, event: Any) -> None:
        now = time.time()
        ev = self._ev
        src = os.fsdecode(event.src_path)
        dest = os.fsdecode(event.dest_path) if event.dest_path else ""
        if event.is_directory:
            # A folder appeared, went or was renamed: the index changes (debounced, as a tree
            # copy brings many events).
            self._debouncer.add(Change(dest or src, now, now), now=False)
            return
        if isinstance(event, ev.FileMovedEvent):
            # Atomic save (write a temporary file, rename it over the template): complete now.
            if _relevant(dest, self.files):
                self._debouncer.add(Change(dest, _saved_at(dest, now), now), now=True)
            elif _relevant(src, self.files):
                self._debouncer.add(Change(src, now, now), now=False)
            return
        if not _relevant(src, self.files):
            return
        # A close after writing means the new content is complete; a bare modification may be the
        # truncation before the write, so wait a moment for the rest.
        complete = isinstance(event, ev.FileClosedEvent)
        self._debouncer.add(Change(src, _saved_at(src, now), now), now=complete)

    def start(self) -> None:
        self._observer.start()

    def stop(self) -> None:
        self._debouncer.cancel()
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join(timeout=5)


class PollingWatcher:
    """Stat every template file of the roots every ``interval`` seconds (no watchdog needed)."""

    backend = "polling"

    def __init__(
        self,
        roots: Iterable[str],
        files: Iterable[str],
        on_change: Callable[[list[Change]], None],
        *,
        interval: float = 0.25,
    ) -> None:
        self.roots = [r for r in dict.fromkeys(os.path.realpath(r) for r in roots) if os.path.isdir(r)]
        self.files = frozenset(os.path.realpath(f) for f in files)
        self._on_change = on_change
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mailtemplates-preview-poll", daemon=True)
        self._state = self._scan()

    def _scan(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for root in self.roots:
            for dirpath, _dirs, names in os.walk(root):
                for name in names:
                    if name.endswith(TEMPLATE_SUFFIXES):
                        self._stat(os.path.join(dirpath, name), out)
        for f in self.files:
            self._stat(f, out)
        return out

    @staticmethod
    def _stat(path: str, out: dict[str, tuple[int, int]]) -> None:
        try:
            st = os.stat(path)
        except OSError:
            return
        out[path] = (st.st_mtime_ns, st.st_size)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            now = time.time()
            state = self._scan()
            changed = [p for p in state.keys() | self._state.keys() if state.get(p) != self._state.get(p)]
            self._state = state
            if changed:
                self._on_change([Change(p, _saved_at(p, now), now) for p in sorted(changed)])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


def make_watcher(
    roots: Iterable[str],
    files: Iterable[str],
    on_change: Callable[[list[Change]], None],
    *,
    warn: Callable[[str], None] | None = None,
    poll: bool = False,
) -> Watcher:
    """A :class:`WatchdogWatcher` when watchdog imports, else a :class:`PollingWatcher` (with a hint).

    ``poll`` forces polling: for file systems that deliver no change events (network shares,
    some container bind mounts)."""
    from . import watchdog_available

    roots, files = list(roots), list(files)
    if poll:
        return PollingWatcher(roots, files, on_change)
    if watchdog_available():
        return WatchdogWatcher(roots, files, on_change)
    if warn is not None:
        from . import WATCHDOG_HINT

        warn(WATCHDOG_HINT)
    return PollingWatcher(roots, files, on_change)

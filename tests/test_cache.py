"""The Renderer's caches: keyed by the files a part resolves to, bounded, and fresh.

Issue 13: the compiled-template cache was keyed by the requested locale chain, so 2,000 valid
private-use tags made 6,000 compiled entries (+366 MB); a sibling partial edited in place was
never noticed; file:// and http(s):// templates were cached for ever; a file saved with two
write() calls could be read half-written.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from helpers import write

from mailtemplates import Renderer
from mailtemplates.loader import _read_text

CTX = {"RecoveryCode": "1234", "To": "ada@example.com"}


def age(*paths: Path, seconds: float = 30) -> None:
    """Make files look long settled (no racy re-reads), as files edited a while ago are."""
    past = time.time() - seconds
    for p in paths:
        os.utime(p, (past, past))


def test_tags_that_resolve_to_the_same_files_share_one_compiled_entry() -> None:
    r = Renderer(resolution_cache_size=50)
    for i in range(200):
        email = r.render("recovery_code/valid", CTX, locale=f"de-AT-x-{i:05d}")
        assert email.locale == "de"
    info = r.cache_info()
    assert info["compiled"] == 3  # subject, body, plaintext of the German files
    assert info["resolutions"] <= 50
    assert info["chains"] <= 256


def test_the_compiled_cache_is_a_bounded_lru() -> None:
    r = Renderer(cache_size=4)
    for locale in ("en", "de", "fr", "es", "ja", "pt-BR"):
        r.render("login_code/valid", {"LoginCode": "1"}, locale=locale)
    assert r.cache_info()["compiled"] == 4
    with pytest.raises(ValueError, match="cache size must be >= 0"):
        Renderer(cache_size=-1)


def test_a_sibling_partial_edited_in_place_is_noticed(tmp_path: Path) -> None:
    folder = "recovery_code/valid"
    main = write(tmp_path, f"{folder}/email.subject.gotmpl", '{{ template "email.subject.part.gotmpl" . }}')
    part = write(tmp_path, f"{folder}/email.subject.part.gotmpl", "Version one")
    age(main, part, tmp_path / folder)
    r = Renderer([tmp_path], check_interval=0)
    assert r.render(folder, CTX).subject == "Version one"
    with open(part, "r+", encoding="utf-8") as f:  # in place: same inode, folder unchanged
        f.write("Version two")
    assert r.render(folder, CTX).subject == "Version two"


def test_the_email_parts_memo_follows_check_interval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # render() keeps the compiled parts of a (type, locale chain): a changed file is seen once
    # check_interval has passed since the oldest check behind them, as without the memo.
    import sys
    from types import SimpleNamespace

    render_module = sys.modules["mailtemplates.render"]  # (mailtemplates.render is the function)
    now = [1000.0]
    monkeypatch.setattr(render_module, "time", SimpleNamespace(monotonic=lambda: now[0]))
    folder = "recovery_code/valid"
    subject = write(tmp_path, f"{folder}/email.subject.gotmpl", "Version one")
    age(subject, tmp_path / folder, seconds=60)
    r = Renderer([tmp_path], check_interval=10)
    assert r.render(folder, CTX).subject == "Version one"
    subject.write_text("Version two, longer", encoding="utf-8")
    age(subject, seconds=30)
    now[0] += 9
    assert r.render(folder, CTX).subject == "Version one"  # within check_interval: not looked at
    now[0] += 2
    assert r.render(folder, CTX).subject == "Version two, longer"
    subject.write_text("Version three", encoding="utf-8")
    age(subject, seconds=20)
    r.clear_cache()
    assert r.render(folder, CTX).subject == "Version three"
    assert len(Renderer([tmp_path], cache_size=0)._parts) == 0
    uncached = Renderer([tmp_path], cache_size=0, check_interval=10)
    uncached.render(folder, CTX)
    assert len(uncached._parts) == 0  # cache_size=0 keeps no compiled template, in the memo neither


def test_file_uris_follow_the_files_freshness_rule(tmp_path: Path) -> None:
    p = write(tmp_path, "uris/subject.gotmpl", "File one")
    age(p)
    r = Renderer(
        [tmp_path], template_uris={"recovery_code/valid": {"subject": f"file://{p}"}}, check_interval=0
    )
    assert r.render("recovery_code/valid", CTX).subject == "File one"
    p.write_text("File two", encoding="utf-8")
    assert r.render("recovery_code/valid", CTX).subject == "File two"


class _Versioned(BaseHTTPRequestHandler):
    body = b"Remote one"
    hits = 0

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


@pytest.fixture()
def remote() -> Iterator[str]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Versioned)
    srv.daemon_threads = True
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/subject"
    srv.shutdown()
    srv.server_close()


@pytest.mark.parametrize("ttl", [0.0, 3600.0])
def test_remote_templates_are_fetched_again_after_their_ttl(remote: str, ttl: float) -> None:
    _Versioned.body, _Versioned.hits = b"Remote one", 0
    r = Renderer(
        template_uris={"recovery_code/valid": {"subject": remote}},
        allow_http=True,
        http_allowed_networks="127.0.0.1",
        remote_ttl=ttl,
        check_interval=0,
    )
    assert r.render("recovery_code/valid", CTX).subject == "Remote one"
    _Versioned.body = b"Remote two"
    expected = "Remote two" if ttl == 0 else "Remote one"
    assert r.render("recovery_code/valid", CTX).subject == expected
    assert _Versioned.hits == (2 if ttl == 0 else 1)


def test_a_file_saved_in_two_writes_is_not_read_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader lands between the two write() calls: nothing changes during its read, so only
    waiting a moment on a just-written file can tell. The second write lands while it waits
    (deterministically: in its sleep)."""
    p = tmp_path / "email.subject.gotmpl"
    whole = "Subject " + "x" * 100
    real_sleep = time.sleep
    with open(p, "w", encoding="utf-8") as f:
        f.write(whole[:50])
        f.flush()

        def sleep_while_the_editor_finishes(seconds: float) -> None:
            if not f.closed:
                f.write(whole[50:])
                f.close()
            real_sleep(seconds)

        monkeypatch.setattr(time, "sleep", sleep_while_the_editor_finishes)
        text, _ = _read_text(str(p))
    assert text == whole

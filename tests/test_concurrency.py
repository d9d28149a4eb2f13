"""Rendering from many threads while the template files change underneath.

Eight threads render continuously through one ``Renderer(check_interval=0)`` over an override
folder while a writer, for a few seconds, rewrites the templates atomically (temporary file +
``os.replace``) and in place (truncating ``write_text`` and same-length overwrites), deletes and
recreates a file, and writes a broken version now and then. Every version writes its number into
its output, so a torn template (half of one version, half of another, or a file read while being
written) cannot go unnoticed: each part of each rendered email must be exactly the output of one
version that was written. The only errors allowed are the documented ones for the moment a file
is missing (``TemplateNotFound``) or broken (``TemplateSyntaxError``). Once the writer stops, the
cache must serve the last version.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter
from pathlib import Path

from mailtemplates import Renderer
from mailtemplates.errors import TemplateNotFound, TemplateSyntaxError

SECONDS = 4.0
READERS = 8
# The writer goes on past SECONDS until the readers have rendered this many emails (a slow or
# loaded machine renders fewer per second; CI once saw exactly 100 in 4 s), but never past
# MAX_SECONDS.
MIN_RENDERED = 300
MAX_SECONDS = 60.0
URL = "https://auth.example.com/r?token=abc"
CTX = {"RecoveryURL": URL, "To": "ada@example.com"}

# Every version has the same length, so that a same-length overwrite is a real in-place rewrite.
SOURCES = {
    "email.subject.gotmpl": "Subject {k:06d} {{{{ .To }}}}",
    "email.body.gotmpl": "<p>Body {k:06d} {{{{ .RecoveryURL }}}}</p>",
    "email.body.plaintext.gotmpl": "Text {k:06d} {{{{ .RecoveryURL }}}}",
}
BROKEN = "Subject {k:06d} {{{{ .To "  # unclosed action


def expected(k: int) -> tuple[str, str, str]:
    return (f"Subject {k:06d} ada@example.com", f"<p>Body {k:06d} {URL}</p>", f"Text {k:06d} {URL}")


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{threading.get_ident()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def overwrite_same_length(path: Path, text: str) -> None:
    try:
        with open(path, "r+", encoding="utf-8") as f:
            f.write(text)
            f.truncate()
    except FileNotFoundError:
        path.write_text(text, encoding="utf-8")


def test_renders_stay_consistent_while_files_change(tmp_path: Path) -> None:
    folder = tmp_path / "recovery" / "valid"
    folder.mkdir(parents=True)
    for name, src in SOURCES.items():
        (folder / name).write_text(src.format(k=0), encoding="utf-8")
    renderer = Renderer([tmp_path], check_interval=0, use_builtins=False)
    first = renderer.render("recovery/valid", CTX)
    assert (first.subject, first.html, first.text) == expected(0)

    written: set[int] = {0}  # versions of each part ever on disk (a reader may see any of them)
    stop = threading.Event()
    renders = Counter[str]()
    problems: list[str] = []
    lock = threading.Lock()

    def reader() -> None:
        valid = {
            part: {expected(k)[i] for k in written} for i, part in enumerate(("subject", "html", "text"))
        }
        seen = len(written)
        while not stop.is_set():
            with lock:
                if len(written) != seen:
                    valid = {
                        part: {expected(k)[i] for k in written}
                        for i, part in enumerate(("subject", "html", "text"))
                    }
                    seen = len(written)
            try:
                email = renderer.render("recovery/valid", CTX)
            except TemplateNotFound:
                renders["not found (file deleted)"] += 1
                continue
            except TemplateSyntaxError as e:
                if "unclosed action" not in e.message:
                    problems.append(f"unexpected syntax error: {e}")
                renders["syntax error (file broken)"] += 1
                continue
            except Exception as e:
                problems.append(f"{type(e).__name__}: {e}")
                continue
            renders["rendered"] += 1
            for part, value in (("subject", email.subject), ("html", email.html), ("text", email.text)):
                if value not in valid[part]:
                    with lock:  # maybe written after our snapshot: look again
                        ok = value in {expected(k)[("subject", "html", "text").index(part)] for k in written}
                    if not ok:
                        problems.append(f"torn {part}: {value!r}")

    def writer() -> None:
        rng = random.Random(20240611)
        k = 0
        start = time.monotonic()
        ops = Counter[str]()
        while (elapsed := time.monotonic() - start) < SECONDS or (
            renders["rendered"] < MIN_RENDERED and elapsed < MAX_SECONDS
        ):
            k += 1
            with lock:
                written.add(k)
            op = rng.choice(["replace", "replace", "truncate", "overwrite", "delete", "broken"])
            ops[op] += 1
            for name, src in SOURCES.items():
                path = folder / name
                text = src.format(k=k)
                if op == "replace":
                    write_atomically(path, text)
                elif op == "truncate":
                    path.write_text(text, encoding="utf-8")
                elif op == "overwrite":
                    overwrite_same_length(path, text)
                elif op == "delete" and name == "email.subject.gotmpl":
                    path.unlink()
                    time.sleep(0.005)
                    path.write_text(text, encoding="utf-8")
                elif op == "broken" and name == "email.subject.gotmpl":
                    write_atomically(path, BROKEN.format(k=k))
                    time.sleep(0.005)
                    write_atomically(path, text)
                else:
                    write_atomically(path, text)
            time.sleep(rng.uniform(0, 0.004))
        # The last version, written atomically: what the cache must converge to.
        k += 1
        with lock:
            written.add(k)
        for name, src in SOURCES.items():
            write_atomically(folder / name, src.format(k=k))
        final.append(k)
        print(f"\nwriter: {k} versions, {dict(ops)}")

    final: list[int] = []
    threads = [threading.Thread(target=reader) for _ in range(READERS)]
    w = threading.Thread(target=writer)
    for t in threads:
        t.start()
    w.start()
    w.join()
    stop.set()
    for t in threads:
        t.join()

    total = sum(renders.values())
    print(f"concurrency renders: {total} ({dict(renders)})")
    assert not problems, problems[:10]
    assert renders["rendered"] >= MIN_RENDERED, f"the readers rendered too little in {MAX_SECONDS} s"
    # Converged: the next render serves the last version, and keeps doing so.
    for _ in range(3):
        email = renderer.render("recovery/valid", CTX)
        assert (email.subject, email.html, email.text) == expected(final[0])

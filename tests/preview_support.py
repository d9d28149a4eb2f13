"""The preview tests' harness: a server on a free port over a temporary override folder, an HTTP
client, an event-stream client, and Debian's Chromium through Playwright (never a downloaded
browser). Test modules load the fixtures with ``pytest_plugins = ["preview_support"]``."""

from __future__ import annotations

import http.client
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from mailtemplates import Renderer
from mailtemplates.loader import BUILTIN_ROOT
from mailtemplates.models import sample_context
from mailtemplates.preview import PreviewConfig, PreviewServer

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
DOCS_IMG = HERE.parent / "docs" / "img"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT = 10.0  # seconds any single reload may take before a test fails


# -- harness ----------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass
class Live:
    server: PreviewServer
    root: Path
    logs: list[str]

    @property
    def port(self) -> int:
        return self.server.app.port

    @property
    def url(self) -> str:
        return self.server.url

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        try:
            data = None
            hdrs = dict(headers or {})
            if body is not None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                hdrs.setdefault("Content-Type", "application/json")
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
        finally:
            conn.close()

    def get(self, path: str, **kw: Any) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any, **kw: Any) -> Response:
        return self.request("POST", path, body, **kw)

    def render(self, name: str, locale: str = "") -> Any:
        resp = self.get(f"/api/render/{name}?locale={locale}")
        assert resp.status == 200, resp.body
        return resp.json()

    def path(self, rel: str) -> Path:
        return self.root / rel


class EventStream:
    """A Server-Sent Events client on a raw socket (what an EventSource does)."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        self.conn.request("GET", "/events")
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200
        assert self.resp.getheader("Content-Type", "").startswith("text/event-stream")

    def next(self) -> dict[str, str]:
        event: dict[str, str] = {}
        while True:
            line = self.resp.fp.readline().decode("utf-8")
            if line == "":
                raise EOFError("event stream closed")
            line = line.rstrip("\n")
            if line == "":
                if "event" in event:
                    return event
                continue
            if line.startswith(":"):
                continue
            key, _, value = line.partition(":")
            event[key] = value.removeprefix(" ")

    def close(self) -> None:
        self.resp.close()
        self.conn.close()


def copy_builtin(root: Path, *names: str) -> None:
    for name in names:
        shutil.copytree(Path(BUILTIN_ROOT) / name, root / name)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def expected(name: str, locale: str = "en", roots: tuple[Path, ...] = (), **ctx: Any) -> Any:
    context = sample_context(name, locale=locale) | ctx
    return Renderer(list(roots)).render(name, context, locale=locale)


@pytest.fixture
def start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Live]]:
    """Start a preview of ``templates/`` (given relative, as a user would) in a fresh folder."""
    servers: list[PreviewServer] = []
    monkeypatch.chdir(tmp_path)

    def _start(**config: Any) -> Live:
        root = tmp_path / "templates"
        if not root.exists():
            root.mkdir()
            copy_builtin(root, "recovery/valid", "login_code/valid")
        logs: list[str] = []
        cfg = PreviewConfig(templates=["templates"], port=0, **config)
        server = PreviewServer(cfg, log=logs.append)
        servers.append(server)
        server.start()
        return Live(server, root, logs)

    yield _start
    for s in servers:
        s.close()


@pytest.fixture
def live(start: Callable[..., Live]) -> Live:
    return start()


# -- a real browser ---------------------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed (./run test installs it with apt)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (./run test installs it with apt)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 960}, device_scale_factor=1)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield pg
    finally:
        context.close()
    assert errors == [], errors  # no JavaScript error on any page


def screenshot(pg: Any, name: str, **kw: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    pg.screenshot(path=str(target), **kw)
    if os.environ.get("MAILTEMPLATES_DOCS_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, DOCS_IMG / name)


def wait_live(pg: Any) -> None:
    pg.wait_for_selector("#live.on", timeout=WAIT * 1000)


def frame_text(pg: Any, selector: str) -> str:
    return str(pg.frame_locator("#frame").locator(selector).first.inner_text(timeout=WAIT * 1000))


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]

"""The email page as a front-end developer uses it, in a real Chromium: dark mode as mail clients
show it, the sidebar, copy buttons, highlighted sources, and the Files panel's derived text."""

from __future__ import annotations

import json
import socket
import struct
import zlib
from collections.abc import Callable, Iterator
from email import policy
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from mailtemplates import Renderer
from mailtemplates.errors import SMTPConfigError
from mailtemplates.models import TEMPLATE_TYPES, sample_context
from mailtemplates.preview import PreviewConfig, PreviewServer

pytest.register_assert_rewrite("preview_support")  # before it is imported, as a plugin
pytest_plugins = ["preview_support"]  # its fixtures: start, live, browser, page
from preview_support import Live, expected, needs_chromium, screenshot, wait_live  # noqa: E402

# An email with an explicit white card and no dark styles: forcing color-scheme: dark on it made
# its text white on the white card.
NO_DARK = """<!doctype html><html><head><meta charset="utf-8"><title>t</title></head>
<body style="margin:0;background:#eef0f3"><div id="card" style="background:#ffffff;margin:24px;padding:24px">
<h1 id="h">Your code</h1><p id="p">Use {{ .LoginCode }} to sign in.</p></div></body></html>"""

# The same card with the reader's-setting dark styles, with and without declaring dark support.
WITH_DARK = """<!doctype html><html><head><meta charset="utf-8">{meta}<style>
#card {{ background: #ffffff; color: #111111 }}
@media (prefers-color-scheme: dark) {{ #card {{ background: #1e1e24 !important; color: #f0f0f0 !important }} }}
</style></head><body style="margin:0"><div id="card" style="margin:24px;padding:24px">
<h1 id="h">Your code</h1><p id="p">Use {{{{ .LoginCode }}}} to sign in.</p>
<img id="logo" alt="logo" width="40" height="20" src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='40' height='20'%3E%3Crect width='40' height='20' fill='%23ff0000'/%3E%3C/svg%3E">
</div></body></html>"""
META = '<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">'


def pixel(pg: Any, x: float, y: float) -> tuple[int, int, int]:
    """The colour of one screen pixel: a 1x1 PNG screenshot, decoded by hand (for one pixel every
    PNG row filter is the identity)."""
    png = pg.screenshot(clip={"x": int(x), "y": int(y), "width": 1, "height": 1})
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, color_type = 8, b"", 0
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            color_type = data[9]
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    raw = zlib.decompress(idat)
    assert color_type in (2, 6), color_type  # RGB or RGBA
    return raw[1], raw[2], raw[3]


def body_file(live: Live) -> Any:
    return live.path("login_code/valid/email.body.gotmpl")


def styles(pg: Any, selector: str) -> dict[str, str]:
    return dict(
        pg.frame_locator("#frame")
        .locator(selector)
        .evaluate(
            "e => { const s = getComputedStyle(e); return {bg: s.backgroundColor, color: s.color,"
            " scheme: getComputedStyle(e.ownerDocument.documentElement).colorScheme, filter: s.filter} }"
        )
    )


def open_email(pg: Any, live: Live, name: str = "login_code/valid", locale: str = "en") -> None:
    pg.goto(f"{live.url}email/{name}?locale={locale}")
    wait_live(pg)
    pg.wait_for_function("() => document.body.dataset.state === 'ok'")


def set_scheme(pg: Any, scheme: str) -> None:
    pg.click(f"[data-scheme={scheme}]")
    pg.wait_for_function(
        "(s) => document.body.dataset.scheme === s && document.querySelector('#frame').contentDocument"
        ".querySelector('#card')",
        arg=scheme,
    )
    pg.wait_for_timeout(100)  # the new srcdoc has loaded and laid out


@pytest.mark.browser
@needs_chromium
def test_dark_leaves_an_email_without_dark_support_alone(live: Live, page: Any) -> None:
    body_file(live).write_text(NO_DARK, encoding="utf-8")
    open_email(page, live)
    light = styles(page, "#card"), styles(page, "#p")
    set_scheme(page, "dark")
    assert (styles(page, "#card"), styles(page, "#p")) == light  # not white on white
    assert light[1]["color"] == "rgb(0, 0, 0)" and light[0]["bg"] == "rgb(255, 255, 255)"
    note = page.inner_text("#scheme-note")
    assert note.startswith("This email declares no dark mode") and "Forced dark" in note
    screenshot(page, "preview-dark-no-support.png")
    # Forced dark recolours it: the white card dark, the black text white.
    set_scheme(page, "forced")
    card, text = styles(page, "#card"), styles(page, "#p")
    assert (card["bg"], text["color"]) == ("rgb(0, 0, 0)", "rgb(255, 255, 255)")
    # The page's #eef0f3 (238, 240, 243): lightness mirrored, the blue tint kept.
    assert styles(page, "body")["bg"] == "rgb(12, 14, 17)"
    assert page.inner_text("#scheme-note").startswith("Forced dark")
    screenshot(page, "preview-dark-forced.png")


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("declared", [False, True])
def test_dark_applies_the_emails_own_dark_styles(live: Live, page: Any, declared: bool) -> None:
    body_file(live).write_text(WITH_DARK.format(meta=META if declared else ""), encoding="utf-8")
    open_email(page, live)
    light = styles(page, "#card")
    assert (light["bg"], light["color"]) == ("rgb(255, 255, 255)", "rgb(17, 17, 17)")
    set_scheme(page, "dark")
    dark = styles(page, "#card")
    assert (dark["bg"], dark["color"]) == ("rgb(30, 30, 36)", "rgb(240, 240, 240)")
    # The default canvas turns dark only for an email that declares it supports dark.
    assert dark["scheme"] == ("dark" if declared else "normal")
    assert ("declares dark support" in page.inner_text("#scheme-note")) is declared
    if declared:
        screenshot(page, "preview-dark-own-styles.png")
    # Forced dark ignores the email's dark styles (Gmail's apps do) and recolours the light ones.
    set_scheme(page, "forced")
    forced = styles(page, "#card")
    assert (forced["bg"], forced["color"]) == ("rgb(0, 0, 0)", "rgb(238, 238, 238)")
    # What a reader sees: the card is dark, the red logo stays exactly red (images are not touched).
    page.locator("#frame").scroll_into_view_if_needed()
    box = page.locator("#frame").bounding_box()
    card = page.frame_locator("#frame").locator("#p").bounding_box()
    logo = page.frame_locator("#frame").locator("#logo").bounding_box()
    assert box and card and logo
    bg = pixel(page, box["x"] + box["width"] - 40, card["y"] + 2)
    red = pixel(page, logo["x"] + logo["width"] / 2, logo["y"] + logo["height"] / 2)
    assert sum(bg) < 3 * 64, bg
    assert red == (255, 0, 0), red


@pytest.mark.browser
@needs_chromium
def test_sidebar_moves_between_templates_and_locales(live: Live, page: Any) -> None:
    open_email(page, live, "recovery/valid", "en")
    page.evaluate("window.__sameDocument = true")
    items = page.locator("#sidebar li > a")
    assert items.count() == sum(1 for t in TEMPLATE_TYPES.values() if t.templated)
    # Another locale of this email: in place.
    page.click("#sidebar li.current .locs a[data-locale=de]")
    german = expected("recovery/valid", "de", (live.root,)).subject
    page.wait_for_function("(s) => document.querySelector('#subject').textContent === s", arg=german)
    assert page.evaluate("window.__sameDocument") is True and page.url.endswith("?locale=de")
    assert page.get_attribute("#sidebar li.current .locs a[aria-current]", "data-locale") == "de"
    assert page.input_value("#locale") == "de"
    # Another email: opens in the locale on screen.
    page.click("#sidebar a[href^='/email/login_code/valid']")
    page.wait_for_url("**/email/login_code/valid?locale=de")
    page.wait_for_function("document.body.dataset.state === 'ok'")
    assert page.inner_text("#subject") == expected("login_code/valid", "de", (live.root,)).subject
    screenshot(page, "preview-sidebar.png")


@pytest.mark.browser
@needs_chromium
def test_copy_buttons_and_highlighted_sources(live: Live, page: Any) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_email(page, live, "recovery/valid")
    data = live.render("recovery/valid")

    def clipboard() -> str:
        return str(page.evaluate("navigator.clipboard.readText()"))

    page.click("[data-tab=source]")
    page.click("button.copy[data-copy=source]")
    assert clipboard() == data["html"]
    assert page.inner_text("button.copy[data-copy=source]") == "Copied"
    # Highlighting wraps the text; it never changes it.
    assert page.locator("#source").evaluate("e => e.textContent") == data["html"]
    tags = page.locator("#source .tok-tag").all_inner_texts()
    assert "<table" in tags and "</html" in tags
    assert "href" in page.locator("#source .tok-attr").all_inner_texts()

    page.click("[data-tab=mime]")
    page.click("button.copy[data-copy=mime]")
    mime = clipboard()
    assert mime == page.locator("#mime").evaluate("e => e.textContent")
    # The message on screen (its Date and Message-ID are its own, not the API call's).
    assert mime.split("\r\n\r\n", 1)[1].count("Content-Type") == data["mime"].split("\r\n\r\n", 1)[1].count(
        "Content-Type"
    )
    assert f"Subject: {data['subject']}" in mime

    page.click("[data-tab=template]")
    src = live.path("recovery/valid/email.body.gotmpl").read_text(encoding="utf-8")
    pre = page.locator("#template pre[data-part=body]")
    assert pre.evaluate("e => e.textContent") == src
    assert {"with", "end"} <= set(pre.locator(".tok-kw").all_inner_texts())
    assert ".RecoveryURL" in pre.locator(".tok-field").all_inner_texts()
    assert "{{" in pre.locator(".tok-delim").all_inner_texts()
    # An action inside an attribute value (href="{{ . }}"): the value's quotes on either side.
    around = pre.evaluate(
        "e => Array.from(e.querySelectorAll('.tok-action')).filter(a => a.textContent === '{{ . }}'"
        " && a.previousSibling && a.previousSibling.className === 'tok-val')"
        ".map(a => [a.previousSibling.textContent, a.nextSibling.className, a.nextSibling.textContent])"
    )
    assert around and all(a == ['"', "tok-val", '"'] for a in around), around
    page.locator("#template .tools").first.locator("button.copy").click()
    assert clipboard() == live.path("recovery/valid/email.subject.gotmpl").read_text(encoding="utf-8")
    screenshot(page, "preview-template-tab.png")


def test_files_panel_shows_a_derived_plaintext_as_derived(live: Live) -> None:
    # The override folder has the HTML but no plaintext: the render derives the text rather than
    # take the built-in English plaintext; the Files panel and the index must say so.
    for f in live.path("recovery/valid").glob("email.body.plaintext*.gotmpl"):
        f.unlink()
    data = live.render("recovery/valid", "de")
    text = data["files"]["plaintext"]
    assert text["origin"] == "derived" and text["path"] is None and text["used"] is True
    assert "built-in" not in json.dumps(text)
    email = Renderer([live.root]).render("recovery/valid", sample_context("recovery/valid"), locale="de")
    assert "plaintext" not in email.files and data["text"] == email.text
    assert [s["part"] for s in data["sources"]] == ["subject", "body"]
    card = live.get("/").text.split('id="t-recovery_valid"')[1].split("</article>")[0]
    assert card.count('<span class="file derived" title="derived from the HTML body">derived</span>') == 6
    # A built-in type keeps its plaintext files.
    other = live.render("verification/valid", "de")["files"]["plaintext"]
    assert other["origin"] == "builtin" and other["path"].endswith("email.body.plaintext.de.gotmpl")


# -- resolution warnings ----------------------------------------------------------------------------


def test_mixed_languages_and_two_engines_for_one_part_are_flagged(live: Live) -> None:
    # No German subject in the override folder: its generic (English) subject answers over the
    # German body and text.
    live.path("recovery/valid/email.subject.de.gotmpl").unlink()
    data = live.render("recovery/valid", "de")
    assert data["mixed"] is True
    assert data["warnings"][0].startswith("Mixed languages: subject in en, html in de, text in de.")
    assert (data["files"]["subject"]["language"], data["files"]["body"]["language"]) == ("en", "de")
    assert live.render("recovery/valid", "fr")["mixed"] is False
    card = live.get("/").text.split('id="t-recovery_valid"')[1].split("</article>")[0]
    rows = {r.split("?locale=")[1].split('"')[0]: r for r in card.split("<tr")[2:]}
    assert '<span class="flag mixed"' in rows["de"]
    assert all("flag" not in rows[loc] for loc in ("en", "fr", "es", "ja", "pt_BR"))

    # A .jinja beside the .gotmpl of the same part: the .gotmpl is used, and both pages say so.
    live.path("recovery/valid/email.body.fr.jinja").write_text("<p>{{ RecoveryURL }}</p>", encoding="utf-8")
    data = live.render("recovery/valid", "fr")
    assert data["files"]["body"]["file"] == "email.body.fr.gotmpl"
    assert data["files"]["body"]["twin"] == "templates/recovery/valid/email.body.fr.jinja"
    assert data["warnings"] == [
        "HTML: both email.body.fr.gotmpl and email.body.fr.jinja exist; email.body.fr.gotmpl is used "
        "(a .gotmpl file wins over a .jinja one). Delete the one you do not mean."
    ]
    assert data["html"] == expected("recovery/valid", "fr", (live.root,)).html
    card = live.get("/").text.split('id="t-recovery_valid"')[1].split("</article>")[0]
    fr_row = card.split('?locale=fr"')[1].split("</tr>")[0]
    assert 'class="file override twin"' in fr_row and 'class="flag"' in fr_row


# -- send options -----------------------------------------------------------------------------------


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((session.host_name, envelope.original_content))
        return "250 2.0.0 Ok: queued"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box = Inbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def parse(raw: bytes) -> Any:
    return BytesParser(policy=policy.default).parsebytes(raw)


@pytest.mark.smtp
def test_send_uses_the_configured_and_the_forms_smtp_options(
    start: Callable[..., Live], inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    live = start(
        smtp_uri=f"smtp://127.0.0.1:{port}/?disable_starttls=true",
        local_name="preview.test",
        headers={"X-Team": "identity"},
    )
    page = live.get("/email/login_code/valid").text
    token = {"X-Preview-Token": page.split('data-token="')[1].split('"')[0]}
    assert 'value="preview.test"' in page and "X-Team: identity</textarea>" in page
    send = {"name": "login_code/valid", "to": "ada@example.com"}
    assert live.post("/api/send", send, headers=token).json()["ehlo"] == "preview.test"
    form = send | {"local_name": "ehlo.example", "headers": {"X-Campaign": "qa"}}
    assert live.post("/api/send", form, headers=token).json()["ok"] is True
    (ehlo1, raw1), (ehlo2, raw2) = box.messages
    assert ehlo1 == "preview.test" and parse(raw1)["X-Team"] == "identity"
    # The form's values replace the configured ones for that send.
    assert ehlo2 == "ehlo.example" and parse(raw2)["X-Campaign"] == "qa" and parse(raw2)["X-Team"] is None
    bad_ehlo = live.post("/api/send", send | {"local_name": "two words"}, headers=token).json()
    assert bad_ehlo["ok"] is False and bad_ehlo["error"]["kind"] == "SMTPConfigError"
    injected = live.post("/api/send", send | {"headers": {"X-A": "1\r\nBcc: eve@example.com"}}, headers=token)
    assert injected.json()["ok"] is False and len(box.messages) == 2
    assert live.post("/api/send", send | {"headers": ["X-A: 1"]}, headers=token).status == 400


def test_a_client_certificate_without_its_key_is_refused_at_start() -> None:
    with pytest.raises(SMTPConfigError, match="needs both client_cert_path and client_key_path"):
        PreviewServer(PreviewConfig(port=0, smtp_uri="smtp://127.0.0.1:25/", client_cert_path="c.pem"))


@pytest.mark.browser
@pytest.mark.smtp
@needs_chromium
def test_browser_send_form_with_options_and_the_mixed_language_banner(
    start: Callable[..., Live], inbox: tuple[Inbox, int], page: Any
) -> None:
    box, port = inbox
    live = start(smtp_uri=f"smtp://127.0.0.1:{port}/?disable_starttls=true")
    live.path("recovery/valid/email.subject.de.gotmpl").unlink()
    open_email(page, live, "recovery/valid", "de")
    assert page.get_attribute("body", "data-mixed") == "1"
    assert page.inner_text("#warnings").startswith("Mixed languages: subject in en, html in de")
    screenshot(page, "preview-mixed-languages.png")
    page.click("#send-options summary")
    page.fill("#send-ehlo", "browser.example")
    page.fill("#send-headers", "X-Campaign: qa\nX-Ticket: 42")
    page.fill("#send-to", "ada@example.com")
    screenshot(page, "preview-send-options.png")
    page.click("#send-form button[type=submit]")
    page.wait_for_selector("#send-result.good")
    assert "EHLO browser.example" in page.inner_text("#send-result")
    [(ehlo, raw)] = box.messages
    msg = parse(raw)
    assert ehlo == "browser.example" and (msg["X-Campaign"], msg["X-Ticket"]) == ("qa", "42")
    assert msg["Subject"] == expected("recovery/valid", "de", (live.root,)).subject
    page.select_option("#locale", "fr")
    page.wait_for_function("() => document.body.dataset.mixed === '0'")
    assert page.locator("#warnings").is_hidden()


TRICKY = (
    '<!doctype html><p title=\'{{ .RecoveryURL }}\' data-x="a{{ "}}" }}b">{{/* a\n comment */}}'
    "<!-- {{ .To }} --><a href={{ .RecoveryURL }}>x</a>{{- range $i, $v := list 1 2.5 0x1F -}}"
    "{{ $v | printf `%v` }}{{ end }}<b>unclosed"
)


@pytest.mark.browser
@needs_chromium
def test_highlighting_keeps_every_character_and_shows_a_broken_template(live: Live, page: Any) -> None:
    body = live.path("recovery/valid/email.body.gotmpl")
    body.write_text(TRICKY, encoding="utf-8")
    open_email(page, live, "recovery/valid")
    page.click("[data-tab=template]")
    pre = page.locator("#template pre[data-part=body]")
    assert pre.evaluate("e => e.textContent") == TRICKY
    # An action inside an HTML comment is still an action (Go parses it): the comment goes round it.
    comments = pre.locator(".tok-comment").evaluate_all("es => es.map(e => e.textContent).join('|')")
    assert comments == "/* a\n comment */|<!--| | -->"
    assert {"range", "end"} <= set(pre.locator(".tok-kw").all_inner_texts())
    assert {"$i", "$v"} <= set(pre.locator(".tok-var").all_inner_texts())
    assert {"1", "2.5", "0x1F"} <= set(pre.locator(".tok-num").all_inner_texts())
    assert {"list", "printf"} <= set(pre.locator(".tok-fn").all_inner_texts())
    # A template that does not parse: the error, and its source still on the Template tab.
    body.write_text("<p>{{ if .To }}open", encoding="utf-8")
    page.wait_for_selector("#error:not([hidden])", timeout=10_000)
    page.wait_for_function(
        "() => document.querySelector('#template pre[data-part=body]').textContent === '<p>{{ if .To }}open'"
    )

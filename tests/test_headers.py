"""Header injection: no subject, name, address or configured header carrying a line break or
another control character reaches a message.

The payloads use real control characters (an URL-encoded ``%0d%0a`` is plain text to a header
and stays so): CR, LF and their pairs, NUL, the other C0 and C1 controls, DEL, and the characters
Python's ``str.splitlines`` (and so the ``email`` package) treats as line breaks (VT, FF, the
file/group/record separators, NEL U+0085, U+2028, U+2029). Each payload is tried in every place
a header value comes from; the count is printed by ``test_corpus_size``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mailtemplates import Renderer
from mailtemplates.errors import MessageError
from mailtemplates.rendered import RenderedEmail

BREAKS = [
    "\r\n",
    "\r",
    "\n",
    "\n\r",
    "\r\r\n",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x1d",
    "\x1e",
    "\x85",
    "\u2028",
    "\u2029",
]
CONTROLS = ["\x00", "\x01", "\x07", "\x08", "\x1b", "\x1f", "\x7f", "\x80", "\x8d", "\x9b", "\x9f"]
INJECTED = ["Bcc: evil@example.com", "Content-Type: text/html", "\r\nX-Evil: 1", " continued"]

PAYLOADS: list[str] = [f"x{sep}{what}" for sep in BREAKS for what in INJECTED[:2]]
PAYLOADS += [f"x{c}y" for c in CONTROLS]
PAYLOADS += [
    "\r\nBcc: evil@example.com",  # leading break
    "x\r\n",  # trailing break
    "x\r\n\r\n<html>body injection",  # a blank line would start the body
    "x\nSubject: second subject",
    "=?utf-8?q?x?=\r\nBcc: evil@example.com",  # inside an encoded-word lookalike
    "Zoë\r\nBcc: evil@example.com",  # non-ASCII (encoded-word path) with a break
    "日本\u2028Bcc: evil@example.com",
    "x\x00\r\nBcc: evil@example.com",
]

# Where header values come from: each one gets the payload, the rest stay valid.
PLACES = [
    "subject",
    "from_name",
    "to",
    "to (list)",
    "from_address",
    "reply_to",
    "header value",
    "header name",
]


def build(place: str, payload: str) -> Any:
    subject = "Recover your account"
    kw: dict[str, Any] = {"from_address": "accounts@example.com", "to": "ada@example.com"}
    if place == "subject":
        subject = payload
    elif place == "from_name":
        kw["from_name"] = f"Acme {payload}"
    elif place == "to":
        kw["to"] = f"ada{payload}@example.com"
    elif place == "to (list)":
        kw["to"] = ["grace@example.com", f"Ada {payload} <ada@example.com>"]
    elif place == "from_address":
        kw["from_address"] = f"accounts{payload}@example.com"
    elif place == "reply_to":
        kw["reply_to"] = f"help{payload}@example.com"
    elif place == "header value":
        kw["headers"] = {"X-Campaign": f"recovery {payload}"}
    else:
        kw["headers"] = {f"X-Camp{payload}aign": "recovery"}
    email = RenderedEmail(
        subject=subject, html="<p>hi</p>", text="hi", locale="en", template="recovery/valid"
    )
    return email.to_message(**kw)


def test_corpus_size() -> None:
    assert len(PAYLOADS) >= 40
    print(f"\nheader payloads: {len(PAYLOADS)} x {len(PLACES)} places = {len(PAYLOADS) * len(PLACES)} cases")


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("payload", PAYLOADS, ids=[repr(p)[1:-1][:40] for p in PAYLOADS])
def test_control_characters_are_refused_everywhere(payload: str, place: str) -> None:
    with pytest.raises(MessageError) as info:
        build(place, payload)
    # The error names the header (and never builds a message).
    header = {"subject": "Subject", "from_name": "From", "to": "To", "to (list)": "To", "from_address": "From",
              "reply_to": "Reply-To", "header value": "X-Campaign", "header name": "header name"}[place]  # fmt: skip
    assert str(info.value).startswith(header)


@pytest.mark.parametrize("place", ["to", "from_address", "reply_to"])
def test_a_tab_inside_an_address_is_refused(place: str) -> None:
    with pytest.raises(MessageError):
        build(place, "\t")


def test_a_tab_in_a_subject_is_text() -> None:
    # HTAB is allowed in unstructured header text (RFC 5322 §3.2.5); it starts no new line.
    msg = build("subject", "a\tb")
    assert "\n" not in msg["Subject"] and msg["Subject"] == "a\tb"


def test_url_encoded_line_breaks_are_plain_text() -> None:
    msg = build("subject", "x%0d%0aBcc: evil@example.com")
    assert msg["Subject"] == "x%0d%0aBcc: evil@example.com"
    assert msg["Bcc"] is None and b"\r\nBcc:" not in msg.as_bytes()


# -- rendered subjects: data from identity traits ------------------------------------------------


@pytest.fixture
def renderer(tmp_path: Path) -> Renderer:
    folder = tmp_path / "recovery" / "valid"
    folder.mkdir(parents=True)
    (folder / "email.subject.gotmpl").write_text("Hello {{ .Identity.traits.name }}!", encoding="utf-8")
    (folder / "email.body.gotmpl").write_text("<p>{{ .Identity.traits.name }}</p>", encoding="utf-8")
    (folder / "email.body.plaintext.gotmpl").write_text("{{ .Identity.traits.name }}", encoding="utf-8")
    return Renderer([tmp_path])


def ctx(name: str) -> dict[str, Any]:
    return {
        "RecoveryURL": "https://auth.example.com/r?token=abc",
        "To": "ada@example.com",
        "Identity": {"id": "7f1b", "traits": {"name": name, "email": "ada@example.com"}},
    }


@pytest.mark.parametrize("sep", [*BREAKS, "\x00"])
def test_traits_with_line_breaks_cannot_inject_headers(renderer: Renderer, sep: str) -> None:
    email = renderer.render("recovery/valid", ctx(f"Ada{sep}Bcc: evil@example.com"))
    # text/template does not escape: the subject holds the break, and the message refuses it.
    assert email.subject == f"Hello Ada{sep}Bcc: evil@example.com!"
    with pytest.raises(MessageError) as info:
        email.to_message(from_address="accounts@example.com", to="ada@example.com")
    assert str(info.value).startswith(
        f"Subject: header value contains the control character U+{ord(sep[0]):04X}"
    )


def test_a_clean_trait_renders_and_sends(renderer: Renderer) -> None:
    email = renderer.render("recovery/valid", ctx("Ada Lovelace"))
    msg = email.to_message(from_address="accounts@example.com", to="ada@example.com")
    assert msg["Subject"] == "Hello Ada Lovelace!"
    assert msg["Bcc"] is None


def test_breaks_in_bodies_are_fine(renderer: Renderer) -> None:
    email = renderer.render("recovery/valid", ctx("Ada"))
    body = RenderedEmail(
        subject=email.subject, html="<p>a\r\nBcc: b</p>", text="a\r\nBcc: b", locale="en", template="t"
    )
    msg = body.to_message(from_address="accounts@example.com", to="ada@example.com")
    assert msg["Bcc"] is None

"""A finished .eml for every built-in flow opens correctly: parse it back and check its parts."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from mailtemplates import render
from mailtemplates.models import TEMPLATE_TYPES, sample_context

ARTIFACTS = Path(__file__).parent / "artifacts" / "eml"


@pytest.mark.parametrize("name", [n for n, t in TEMPLATE_TYPES.items() if t.templated])
@pytest.mark.parametrize("locale", ["en", "ja"])
def test_builtin_flow_eml_parses_back(name: str, locale: str) -> None:
    email = render(name, sample_context(name), locale=locale)
    msg = email.to_message(from_address="accounts@example.com", from_name="Example Accounts", to="ada@example.com")
    raw = msg.as_bytes()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name.replace('/', '-')}-{locale}.eml").write_bytes(raw)

    back = BytesParser(policy=policy.default).parsebytes(raw)
    assert back.get_content_type() == "multipart/alternative"
    assert back["Subject"] == email.subject
    assert back["To"] == "ada@example.com"
    assert back["From"].addresses[0].display_name == "Example Accounts"
    assert back["Message-ID"].endswith("@example.com>")
    assert back["MIME-Version"] == "1.0" and back["Date"]
    parts = list(back.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    # On the wire every line ends in CRLF (RFC 5322) and a text part ends with a line break (as the
    # stdlib content manager writes it); the content is otherwise unchanged.
    for part, content in zip(parts, (email.text, email.html), strict=True):
        got = part.get_content().replace("\r\n", "\n")
        assert got in (content, content + "\n")
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))

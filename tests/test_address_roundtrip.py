"""Every address header we write parses back, with the stdlib's parser, to the mailboxes we were given.

Issue 13 ("Headers and data"): CPython's folder drops the quotes of a long display name holding
``,`` ``"`` or ``()`` (the wire then says two addresses), and a display name that looks like an
RFC 2047 encoded word was decoded (``=?utf-8?q?evil=40attacker.example?= <alice@...>`` went out
as ``evil@attacker.example <alice@...>``). Names of every length (1..200) and character class
go through ``From`` (``from_name``), ``To`` (several recipients), ``Reply-To`` and configured
``Reply-To``/``Cc`` headers, are parsed back with ``BytesParser(policy=default)``, and must give
the same display names and addresses, with no header line over 78 characters.

One known difference of CPython's parser is allowed for: it keeps the white space between two
adjacent encoded words in a display name, which RFC 2047 §6.2 says to drop. A name too long for
one encoded word is split into several; for those, the phrase is decoded as RFC 2047 says
(``email.header.decode_header``) and compared.
"""

from __future__ import annotations

import os
import re
from email import policy
from email.header import decode_header, make_header
from email.parser import BytesParser

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mailtemplates.errors import MessageError
from mailtemplates.mime import build_message

EXAMPLES = int(os.environ.get("MAILTEMPLATES_FUZZ_EXAMPLES") or 200)

# Character classes, as fragments: letters, digits, white space, every RFC 5322 special, quoting,
# things that look like encoded words, Latin, CJK and astral characters.
FRAGMENTS = [
    "a", "Z", "7", "Team", " ", "  ", "(", ")", "<", ">", "[", "]", ":", ";", "@", "\\", ",",
    ".", '"', "'", "=?", "?=", "=?utf-8?q?evil=40attacker.example?=", "=?utf-8?b?ZXZpbA==?=", "_",
    "=", "?", "é", "ß", "Ω", "中文", "😀", "\u00a0", "-", "!", "#", "~", "\ud800",
]  # fmt: skip

names = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=120).map(lambda parts: "".join(parts)[:200])


def quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rfc2047_phrase(raw_value: str, addr: str) -> str | None:
    """The display name as RFC 2047 decodes it, when the phrase is only encoded words."""
    phrase = raw_value.rsplit("<" + addr + ">", 1)[0].strip()
    if not re.fullmatch(r"(=\?utf-8\?b\?[A-Za-z0-9+/=]*\?=\s*)+", phrase):
        return None
    return str(make_header(decode_header(phrase)))


def check(name: str) -> None:
    to = ["first@example.org", f"{quoted(name)} <second@example.org>"]
    msg = build_message(
        subject="s",
        text="t",
        html=None,
        from_address="sender@example.org",
        from_name=name,
        to=to,
        reply_to=f"{quoted(name)} <reply@example.org>",
        headers={"Cc": f"{quoted(name)} <cc@example.org>, plain@example.org"},
    )
    wire = msg.as_bytes()
    head = wire.split(b"\r\n\r\n", 1)[0].decode("ascii")
    for line in head.split("\r\n"):
        assert len(line) <= 78, f"line of {len(line)} characters: {line!r}"
    parsed = BytesParser(policy=policy.default).parsebytes(wire)
    raw_values = {}
    for field in re.split(r"\r\n(?![ \t])", head):
        k, _, v = field.partition(":")
        raw_values[k] = re.sub(r"\r\n", "", v)
    expected = {
        "From": [(name, "sender@example.org")],
        "To": [("", "first@example.org"), (name, "second@example.org")],
        "Reply-To": [(name, "reply@example.org")],
        "Cc": [(name, "cc@example.org"), ("", "plain@example.org")],
    }
    for header, want in expected.items():
        h = parsed[header]
        assert h is not None and not h.defects, f"{header}: {h and h.defects}\n{head}"
        got = [(a.display_name, a.addr_spec) for a in h.addresses]
        assert len(got) == len(want), f"{header}: {got}\n{head}"
        for (gname, gaddr), (wname, waddr) in zip(got, want, strict=True):
            assert gaddr == waddr, f"{header}: {got}\n{head}"
            if gname != wname:
                # CPython keeps the space between adjacent encoded words (RFC 2047 §6.2 drops it).
                one = raw_values[header].split(",")  # only used when the phrase is encoded words
                decoded = next((rfc2047_phrase(part, waddr) for part in one if f"<{waddr}>" in part), None)
                assert decoded == wname, f"{header}: {gname!r} != {wname!r}\n{head}"


@pytest.mark.fuzz
@settings(max_examples=EXAMPLES, deadline=None)
@given(names)
@example("=?utf-8?q?evil=40attacker.example?=")
@example('Example Accounts Team, EMEA Region (Customer Identity) "Support" Desk for all users')
@example("x" * 200)
@example("é" * 200)
@example(" ")
def test_address_headers_round_trip(name: str) -> None:
    if re.search("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]", name):
        with pytest.raises(MessageError):
            check(name)
        return
    check(name)


def test_an_encoded_word_as_a_recipient_name_is_not_decoded() -> None:
    evil = "=?utf-8?q?evil=40attacker.example?= <alice@victim.example>"
    msg = build_message(subject="s", text="t", html=None, from_address="a@example.org", to=evil)
    wire = msg.as_bytes()
    assert b"evil@attacker.example" not in wire
    [addr] = BytesParser(policy=policy.default).parsebytes(wire)["To"].addresses
    assert (addr.display_name, addr.addr_spec) == (
        "=?utf-8?q?evil=40attacker.example?=",
        "alice@victim.example",
    )


def test_the_long_from_name_of_the_issue_keeps_its_quotes() -> None:
    name = "Example Accounts and Identity Team, EMEA Region"
    msg = build_message(
        subject="s",
        text="t",
        html=None,
        from_address="accounts@example.org",
        from_name=name,
        to="a@example.org",
    )
    [addr] = BytesParser(policy=policy.default).parsebytes(msg.as_bytes())["From"].addresses
    assert (addr.display_name, addr.addr_spec) == (name, "accounts@example.org")

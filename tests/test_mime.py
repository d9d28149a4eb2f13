"""mailtemplates.mime and RenderedEmail.to_message.

Expected values come from the Kratos message rules (kratos-spec.md §3.3, checklist 29-31) and from
the stdlib itself: the transfer encoding must be the one ``EmailMessage.set_content`` picks under the
same policy, and every message must parse back with ``BytesParser(policy=default)``.
"""

from __future__ import annotations

import base64
import binascii
import copy
import io
import itertools
import pickle
import re
from collections.abc import Callable
from datetime import datetime, timezone
from email import policy
from email.generator import BytesGenerator, Generator
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailtemplates import mime
from mailtemplates.errors import MessageError
from mailtemplates.mime import MESSAGE_POLICY, Attachment, InlineImage, OutgoingMessage, build_message
from mailtemplates.rendered import RenderedEmail

FIXTURE = Path(__file__).parent / "fixtures" / "emails" / "recovery.html"

TEXT = "Hi Jane,\n\nuse this link to recover your account:\nhttps://auth.example.com/recovery?token=abc\n"
HTML = '<p>Hi Jane,</p><p><a href="https://auth.example.com/recovery?token=abc">Recover</a></p>'


def build(**kw: Any) -> OutgoingMessage:
    args: dict[str, Any] = {
        "subject": "Recover access to your account",
        "text": TEXT,
        "html": HTML,
        "from_address": "no-reply@example.com",
        "to": "jane.doe@example.org",
    }
    args.update(kw)
    return build_message(**args)


def parse(msg: EmailMessage) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(msg.as_bytes())
    assert isinstance(parsed, EmailMessage)
    return parsed


def shape(msg: EmailMessage) -> list[tuple[str, str | None, str | None]]:
    """(content type, charset, decoded content with LF line ends) for every part, depth first."""
    out: list[tuple[str, str | None, str | None]] = []
    for part in msg.walk():
        content = None
        if not part.is_multipart():
            raw = part.get_content()
            content = raw.replace("\r\n", "\n") if isinstance(raw, str) else raw.hex()
        out.append((part.get_content_type(), part.get_content_charset(), content))
    return out


def header_lines(msg: EmailMessage) -> list[str]:
    head = msg.as_bytes().split(b"\r\n\r\n", 1)[0].decode("ascii")
    return re.sub(r"\r\n[ \t]", " ", head).split("\r\n")


def reference(text: str, html: str | None) -> EmailMessage:
    """The stdlib content-manager path under the same policy: the oracle for structure and CTE."""
    ref = EmailMessage(policy=MESSAGE_POLICY)
    ref.set_content(text)
    if html is not None:
        ref.add_alternative(html, subtype="html")
    return ref


# -- structure ---------------------------------------------------------------------------------


def test_text_and_html_make_multipart_alternative_plain_first() -> None:
    msg = parse(build())
    assert shape(msg) == [
        ("multipart/alternative", None, None),
        ("text/plain", "utf-8", TEXT),
        ("text/html", "utf-8", HTML + "\n"),  # set_content ends a text body with a newline
    ]
    assert msg["MIME-Version"] == "1.0"


def test_without_html_the_message_is_single_part_text_plain() -> None:
    msg = parse(build(html=None))
    assert shape(msg) == [("text/plain", "utf-8", TEXT)]
    assert not msg.is_multipart()


@pytest.mark.parametrize(
    "text",
    [
        "short ASCII lines\nonly\n",  # 7bit
        "a line of ASCII longer than seventy-eight characters, " * 3 + "\n",  # quoted-printable
        "Hallo Jörg,\n\nbitte bestätigen Sie Ihre Adresse für Ihr Konto.\n",  # quoted-printable
        "こんにちは。アカウントを復旧するには次のリンクを開いてください。\n" * 4,  # base64
        "Здравствуйте! Используйте этот код для входа в систему.\n" * 3,  # base64
        "no final newline\r\nand CRLF\rand CR",
        "",
    ],
)
def test_transfer_encoding_and_content_match_the_stdlib_content_manager(text: str) -> None:
    for html in (None, "<p>" + text + "</p>"):
        ours, ref = parse(build(text=text, html=html)), parse(reference(text, html))
        assert shape(ours) == shape(ref)
        ours_cte = [p["Content-Transfer-Encoding"] for p in ours.walk()]
        ref_cte = [p["Content-Transfer-Encoding"] for p in ref.walk()]
        assert ours_cte == ref_cte


def test_realistic_email_round_trips_like_the_stdlib_message() -> None:
    html = FIXTURE.read_text(encoding="utf-8")
    ours = build(html=html, text=TEXT * 5)
    assert shape(parse(ours)) == shape(parse(reference(TEXT * 5, html)))
    raw = ours.as_bytes()
    assert raw.isascii()  # 7bit-clean: no 8BITMIME needed
    lines = raw.split(b"\r\n")
    assert b"\n" not in b"".join(lines)  # CRLF everywhere
    assert max(len(line) for line in lines) <= 78


def test_policy_and_header_objects_are_usable() -> None:
    msg = build(from_name="Example")
    assert all(part.policy is MESSAGE_POLICY for part in msg.walk())
    assert [a.addr_spec for a in msg["From"].addresses] == ["no-reply@example.com"]
    body = msg.get_body(("html",))
    assert body is not None and body.get_content() == HTML + "\n"


# -- headers -----------------------------------------------------------------------------------


def test_from_is_the_bare_address_without_a_name() -> None:
    assert "From: no-reply@example.com" in header_lines(build())


@pytest.mark.parametrize(
    "name,line,display",
    [
        ("Example", 'From: "Example" <no-reply@example.com>', "Example"),  # ory/mail always quotes
        ("Example, Inc.", 'From: "Example, Inc." <no-reply@example.com>', "Example, Inc."),
        ('Say "hi" \\ bye', 'From: "Say \\"hi\\" \\\\ bye" <no-reply@example.com>', 'Say "hi" \\ bye'),
    ],
)
def test_from_with_an_ascii_name_is_a_quoted_string(name: str, line: str, display: str) -> None:
    msg = build(from_name=name)
    assert line in header_lines(msg)
    assert parse(msg)["From"].addresses[0].display_name == display


def test_non_ascii_names_and_subject_are_rfc2047_encoded() -> None:
    msg = build(from_name="Exämple Süpport", subject="Grüße – Ihr Code", to="Jörg Müller <joerg@example.org>")
    head = "\n".join(header_lines(msg))
    assert head.isascii() and "=?utf-8?" in head
    back = parse(msg)
    assert back["Subject"] == "Grüße – Ihr Code"
    assert back["From"].addresses[0].display_name == "Exämple Süpport"
    assert back["To"].addresses[0].display_name == "Jörg Müller"


def test_header_order_and_configured_headers_override_on_collision() -> None:
    msg = build(
        headers={"X-Tenant": "acme", "subject": "Configured subject", "Reply-To": "help@example.com"},
        reply_to="ignored@example.com",
    )
    names = [line.split(":", 1)[0] for line in header_lines(msg)]
    assert names[:5] == ["From", "To", "Subject", "Reply-To", "X-Tenant"]
    back = parse(msg)
    assert back["Subject"] == "Configured subject"
    assert back.get_all("Subject") == ["Configured subject"]
    assert [a.addr_spec for a in back["Reply-To"].addresses] == ["help@example.com"]


def test_configured_from_replaces_ours_and_moves_the_message_id_domain() -> None:
    msg = build(headers={"From": "Other <sender@other.example>"})
    back = parse(msg)
    assert back.get_all("From") == ["Other <sender@other.example>"]
    assert back["Message-ID"].endswith("@other.example>")


def test_bcc_is_never_written_but_kept_for_the_envelope() -> None:
    msg = build(headers={"Bcc": "archive@example.com, Audit <audit@example.com>", "Cc": "cc@example.com"})
    assert b"archive@example.com" not in msg.as_bytes() and "Bcc" not in msg
    assert msg.envelope_bcc == ("archive@example.com", "audit@example.com")
    assert parse(msg)["Cc"] == "cc@example.com"


def test_several_recipients_and_reply_to() -> None:
    back = parse(build(to=["a@example.org", "B <b@example.org>"], reply_to="help@example.com"))
    assert [a.addr_spec for a in back["To"].addresses] == ["a@example.org", "b@example.org"]
    assert [a.addr_spec for a in back["Reply-To"].addresses] == ["help@example.com"]


def test_message_id_date_and_mime_version() -> None:
    a, b = build(), build(message_id_domain="mail.example.net")
    assert re.fullmatch(r"<[0-9a-f]{32}@example\.com>", a["Message-ID"])
    assert re.fullmatch(r"<[0-9a-f]{32}@mail\.example\.net>", b["Message-ID"])
    assert a["Message-ID"] != build()["Message-ID"]
    sent = parsedate_to_datetime(str(parse(a)["Date"]))
    assert abs((datetime.now(timezone.utc) - sent).total_seconds()) < 60
    assert parse(a)["MIME-Version"] == "1.0"


def test_configured_date_and_message_id_are_used_if_valid() -> None:
    headers = {"Date": "Tue, 01 Dec 2026 10:00:00 +0000", "Message-ID": "<fixed@example.com>"}
    back = parse(build(headers=headers))
    assert (back["Date"], back["Message-ID"]) == (headers["Date"], headers["Message-ID"])
    with pytest.raises(MessageError, match=r"^Date: 'yesterday' is not valid"):
        build(headers={"Date": "yesterday"})
    with pytest.raises(MessageError, match=r"^Message-ID: 'fixed' is not valid"):
        build(headers={"Message-ID": "fixed"})


def test_message_id_argument_fixes_the_message_id() -> None:
    for fixed in ("<0f3a.b9@example.com>", "<abc@[192.0.2.1]>"):
        msg = build(message_id=fixed)
        assert msg.as_bytes().count(f"Message-ID: {fixed}\r\n".encode()) == 1
        assert parse(msg)["Message-ID"] == fixed
    for bad, why in (
        ("fixed@example.com", "not valid"),
        ("<fixed>", "not valid"),
        ("", "not valid"),
        ("<a@b>\r\nBcc: victim@example.com", "control character"),
    ):
        with pytest.raises(MessageError, match=rf"^Message-ID: .*{why}"):
            build(message_id=bad)
    with pytest.raises(MessageError, match="given both as message_id and in headers"):
        build(message_id="<a@example.com>", headers={"message-id": "<b@example.com>"})


# -- unsafe input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad", ["a\r\nBcc: victim@example.com", "a\nb", "a\rb", "a\x00b", "a\x7fb", "a\u2028b", "a\x85b"]
)
def test_control_characters_in_header_values_are_refused(bad: str) -> None:
    cases: list[tuple[str, dict[str, Any]]] = [
        ("Subject", {"subject": bad}),
        ("From", {"from_name": bad}),
        ("X-Tenant", {"headers": {"X-Tenant": bad}}),
        ("To", {"to": "jane@example.org" + bad}),
        ("Reply-To", {"reply_to": bad + "@example.com"}),
    ]
    for header, kw in cases:
        with pytest.raises(MessageError, match=f"^{header}: header value contains the control character"):
            build(**kw)


def test_tab_is_allowed_in_header_values() -> None:
    assert parse(build(subject="a\tb"))["Subject"] == "a\tb"


@pytest.mark.parametrize(
    "field,value",
    [
        ("from_address", "not-an-address"),
        ("from_address", "no-reply@"),
        ("from_address", "@example.com"),
        ("from_address", "no reply@example.com"),
        ("from_address", "Example <no-reply@example.com>"),
        ("from_address", "jörg@example.com"),
        ("to", "jane"),
        ("to", "a@example.org, b@example.org"),
        ("to", "jörg@example.org"),
        ("reply_to", "help"),
    ],
)
def test_invalid_addresses_are_refused_naming_the_header(field: str, value: str) -> None:
    header = {"from_address": "From", "to": "To", "reply_to": "Reply-To"}[field]
    with pytest.raises(MessageError, match=f"^{header}: "):
        build(**{field: value})


def test_invalid_configured_headers_are_refused() -> None:
    with pytest.raises(MessageError, match=r"^header name 'X Bad' is not valid"):
        build(headers={"X Bad": "x"})
    with pytest.raises(MessageError, match=r"^header name 'X:Bad' is not valid"):
        build(headers={"X:Bad": "x"})
    with pytest.raises(MessageError, match=r"^Content-Type: set by the message builder"):
        build(headers={"Content-Type": "text/plain"})
    with pytest.raises(MessageError, match=r"^Cc: 'nobody' is not a valid address list"):
        build(headers={"Cc": "nobody"})
    with pytest.raises(MessageError, match=r"^Bcc: "):
        build(headers={"Bcc": "archive"})
    with pytest.raises(MessageError, match=r"^To: at least one recipient"):
        build(to=[])


# -- attachments and inline images ---------------------------------------------------------------


def test_attachments_make_multipart_mixed() -> None:
    pdf = Attachment("Rechnung März.pdf", b"%PDF-1.4\n...", "application/pdf")
    back = parse(build(attachments=[pdf]))
    assert [p[0] for p in shape(back)] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "application/pdf",
    ]
    [att] = list(back.iter_attachments())
    assert (att.get_filename(), att.get_content()) == ("Rechnung März.pdf", b"%PDF-1.4\n...")
    back = parse(build(html=None, attachments=[pdf]))
    assert [p[0] for p in shape(back)] == ["multipart/mixed", "text/plain", "application/pdf"]


def test_inline_images_make_multipart_related_inside_alternative() -> None:
    png = b"\x89PNG\r\n\x1a\n-not-really"
    html = '<p><img src="cid:logo@example.com" alt="Example"></p>'
    back = parse(build(html=html, inline_images=[InlineImage("logo@example.com", png, "image/png")]))
    assert [p[0] for p in shape(back)] == [
        "multipart/alternative",
        "text/plain",
        "multipart/related",
        "text/html",
        "image/png",
    ]
    img = list(back.walk())[-1]
    assert (img["Content-ID"], img.get_content_disposition(), img.get_content()) == (
        "<logo@example.com>",
        "inline",
        png,
    )


def test_inline_image_mistakes_are_refused() -> None:
    img = InlineImage("logo", b"x")
    with pytest.raises(MessageError, match="need an HTML part"):
        build(html=None, inline_images=[img])
    with pytest.raises(MessageError, match="not referenced as 'cid:logo'"):
        build(html="<p>no image</p>", inline_images=[img])
    with pytest.raises(MessageError, match="used by two inline images"):
        build(html='<img src="cid:logo">', inline_images=[img, img])
    with pytest.raises(MessageError, match="not image/\\*"):
        build(html='<img src="cid:logo">', inline_images=[InlineImage("logo", b"x", "text/plain")])
    with pytest.raises(MessageError, match="not a valid content id"):
        build(html='<img src="cid:a b">', inline_images=[InlineImage("a b", b"x")])


# -- RenderedEmail --------------------------------------------------------------------------------


def rendered(**kw: Any) -> RenderedEmail:
    args: dict[str, Any] = {
        "subject": "Recover access to your account",
        "html": HTML,
        "text": TEXT,
        "locale": "en",
        "template": "recovery/valid",
        "files": {"html": "recovery/valid/email.body.gotmpl"},
    }
    args.update(kw)
    return RenderedEmail(**args)


def test_rendered_email_to_message_uses_the_kratos_keyword_names() -> None:
    email = rendered()
    msg = email.to_message(
        from_address="no-reply@example.com",
        from_name="Example",
        to="jane.doe@example.org",
        headers={"X-Tenant": "acme"},
        reply_to="help@example.com",
        message_id_domain="example.net",
    )
    assert isinstance(msg, EmailMessage)
    back = parse(msg)
    assert shape(back) == shape(parse(build()))
    assert (back["From"], back["X-Tenant"], back["Reply-To"]) == (
        "Example <no-reply@example.com>",
        "acme",
        "help@example.com",
    )
    assert back["Message-ID"].endswith("@example.net>")
    assert shape(parse(rendered(html=None).to_message(from_address="a@example.com", to="b@example.org"))) == [
        ("text/plain", "utf-8", TEXT)
    ]


def test_rendered_email_is_an_immutable_value() -> None:
    files = {"html": "a.gotmpl"}
    email = rendered(files=files)
    files["text"] = "changed"
    assert dict(email.files) == {"html": "a.gotmpl"}
    with pytest.raises(TypeError):
        email.files["text"] = "x"  # type: ignore[index]
    with pytest.raises(AttributeError):
        email.subject = "x"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(email)) == email
    assert hash(email) == hash(rendered(files={"other": "file"}))  # files do not take part in hashing


def test_long_subject_is_folded_and_non_ascii_configured_values_are_encoded() -> None:
    subject = "Your recovery code is ready, please use it within the next sixty minutes " * 3
    msg = build(subject=subject.strip(), headers={"X-Org": "Bäckerei Müller GmbH"})
    raw = msg.as_bytes()
    assert raw.isascii()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    back = parse(msg)
    assert (back["Subject"], back["X-Org"]) == (subject.strip(), "Bäckerei Müller GmbH")


# -- the wire form written while building ----------------------------------------------------------
#
# OutgoingMessage.as_bytes()/as_string() return the bytes build_message wrote while it built the
# message. The oracle is the stdlib generator run on the same message object: BytesGenerator is what
# Message.as_bytes() runs, Generator what EmailMessage.as_string() runs.


def generator_bytes(msg: EmailMessage, policy_: Any = None) -> bytes:
    buf = io.BytesIO()
    BytesGenerator(buf, mangle_from_=False, policy=policy_ or msg.policy).flatten(msg)
    return buf.getvalue()


def generator_string(msg: EmailMessage) -> str:
    buf = io.StringIO()
    Generator(buf, mangle_from_=False, maxheaderlen=msg.policy.max_line_length, policy=msg.policy).flatten(
        msg
    )
    return buf.getvalue()


def assert_wire_is_the_generators(msg: OutgoingMessage) -> None:
    assert msg._wire is not None  # the fast path is what is compared
    assert msg.as_bytes() == generator_bytes(msg)
    assert msg.as_string() == generator_string(msg)
    assert bytes(msg) == generator_bytes(msg)


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 3

WIRE_CASES: dict[str, dict[str, Any]] = {
    "alternative": {},
    "text only": {"html": None},
    "named sender, reply-to, several recipients": {
        "from_name": "Example",
        "reply_to": "help@example.com",
        "to": ["a@example.org", "B <b@example.org>"],
    },
    "non-ASCII names and subject": {
        "from_name": "Exämple Süpport",
        "subject": "Grüße – Ihr Code",
        "to": "Jörg Müller <joerg@example.org>",
    },
    "long subject and configured headers": {
        "subject": "Your recovery code is ready, please use it within the next sixty minutes " * 3,
        "headers": {"X-Org": "Bäckerei Müller GmbH", "X-Tenant": "acme", "Cc": "Jane <jane@example.org>"},
    },
    "configured date and message-id": {
        "headers": {"Date": "Tue, 01 Dec 2026 10:00:00 +0000", "Message-ID": "<fixed@example.com>"},
    },
    "realistic html (quoted-printable)": {"html": FIXTURE.read_text(encoding="utf-8"), "text": TEXT * 5},
    "base64 text": {"text": "こんにちは。アカウントを復旧するには次のリンクを開いてください。\n" * 4},
    "empty text": {"text": ""},
    "CR and CRLF line ends, no final newline": {"text": "one\r\ntwo\rthree\n\nfour"},
    "trailing whitespace, dots, '=' and long lines": {
        "text": "tab\t\nspace \n.\n..\n" + "x=" * 60 + "\n" + "y" * 200 + " \n" + "z" * 75 + ".\n",
        "html": "<p>" + "a" * 77 + "</p>\n.\n" + "=\n" * 3,
    },
    "attachments": {"attachments": [Attachment("Rechnung März.pdf", b"%PDF-1.4\n" * 40, "application/pdf")]},
    "attachment without html": {"html": None, "attachments": [Attachment("a.bin", bytes(300))]},
    "inline images": {
        "html": '<p><img src="cid:logo@example.com" alt="Example"><img src="cid:icon"></p>',
        "inline_images": [
            InlineImage("logo@example.com", PNG),
            InlineImage("icon", b"GIF89a", "image/gif", "icon.gif"),
        ],
        "attachments": [Attachment("notes.txt", b"hello", "text/plain")],
    },
}


@pytest.mark.parametrize("case", list(WIRE_CASES))
def test_fast_bytes_are_the_stdlib_generators_bytes(case: str) -> None:
    msg = build(**WIRE_CASES[case])
    assert_wire_is_the_generators(msg)
    # ...and parse back to the same structure as the message object itself.
    assert shape(parse(msg)) == shape(msg)


@settings(max_examples=150, deadline=None)
@given(
    text=st.lists(
        st.sampled_from([*"ab .=\t\n\r-\x0b\x0c\x1c\x85", "ä", "€", "日", "\u2028", "x" * 40]), max_size=120
    ).map("".join),
    html=st.one_of(
        st.none(), st.lists(st.sampled_from([*"<p> =.\n", "é", "y" * 70]), max_size=120).map("".join)
    ),
)
def test_fast_bytes_match_the_generator_for_any_body(text: str, html: str | None) -> None:
    msg = build(text=text, html=html)
    assert_wire_is_the_generators(msg)
    # The line-by-line quoted-printable equals binascii's encoding of the whole body.
    for part, source in zip([p for p in msg.walk() if not p.is_multipart()], [text, html], strict=False):
        if part["Content-Transfer-Encoding"] == "quoted-printable":
            assert source is not None
            body = b"\n".join(source.encode("utf-8").splitlines()) + b"\n"
            assert part.get_payload() == binascii.b2a_qp(body, istext=True).decode("ascii")


def test_the_cte_choice_is_the_binascii_sniff_of_the_first_ten_lines() -> None:
    # base64 only when quoted-printable of the first ten lines (CRLF ends) comes out longer.
    texts = [
        "Hallo Jörg,\n\nbitte bestätigen Sie Ihre Adresse für Ihr Konto.\n" * 3,
        "こんにちは。アカウントを復旧するには次のリンクを開いてください。\n" * 4,
        "日本語\n" * 3 + "ascii only from here on\n" * 30,
        "ä" * 30 + "\n" + "plain ascii line\n" * 20,
    ]
    seen = set()
    for text in texts:
        lines = text.encode("utf-8").splitlines()
        sniff = b"\r\n".join(lines[:10]) + b"\r\n"
        qp_longer = len(binascii.b2a_qp(sniff, istext=True)) > len(binascii.b2a_base64(sniff))
        expected = "base64" if qp_longer else "quoted-printable"
        assert build(text=text, html=None)["Content-Transfer-Encoding"] == expected
        seen.add(expected)
    assert seen == {"base64", "quoted-printable"}


def _body_by_the_rule(text: str) -> tuple[str, str]:
    """(cte, payload) of a text body by the content manager's rule, from binascii on the whole
    body: the independent statement of what the line-by-line and skeleton paths must give."""
    lines = text.encode("utf-8").splitlines()
    if not lines or (text.isascii() and max(map(len, lines)) <= 78):
        return "7bit", b"".join(line + b"\n" for line in lines).decode("ascii") or "\n"
    sniff = b"\r\n".join(lines[:10]) + b"\r\n"
    if len(binascii.b2a_qp(sniff, istext=True)) > len(binascii.b2a_base64(sniff)):
        return "base64", base64.encodebytes(b"\r\n".join(lines) + b"\r\n").decode("ascii")
    return "quoted-printable", binascii.b2a_qp(b"\n".join(lines) + b"\n", istext=True).decode("ascii")


_LINE = st.lists(st.sampled_from([*"ab .=\t-", "é", "日", "x" * 40, "\r", "\n", "\u2028"]), max_size=12).map(
    "".join
)


@settings(max_examples=80, deadline=None)
@given(
    template=st.lists(_LINE, min_size=1, max_size=14),
    emails=st.lists(
        st.tuples(st.lists(st.tuples(st.integers(0, 13), _LINE), max_size=3), st.integers(-2, 2)),
        min_size=2,
        max_size=6,
    ),
    end=st.sampled_from(["\n", "", "\r\n"]),
)
def test_bodies_of_one_template_encode_as_the_whole_body_would(
    template: list[str], emails: list[tuple[list[tuple[int, str]], int]], end: str
) -> None:
    # Emails of one template share most lines; each replaces a few with lines of its own (which
    # may hold line breaks, so that the line count changes too) and may have lines more or fewer
    # at the end. Each body, encoded through whatever skeleton the bodies before it left, must
    # be what binascii gives for it alone.
    for changes, tail in [([], 0), *emails, ([], 0)]:
        lines = list(template)
        for i, line in changes:
            lines[i % len(lines)] = line
        lines = lines + ["more"] * tail if tail >= 0 else lines[:tail]
        text = "\n".join(lines) + end
        part = build(text=text, html=None)
        assert (part["Content-Transfer-Encoding"], part.get_payload()) == _body_by_the_rule(text)
        assert_wire_is_the_generators(part)


# Values of one length in a line of the email's own (a token in a link, a code): characters
# b2a_qp copies, writes as =XX (the "=", non-ASCII, NUL, DEL), or treats apart at a line's end.
_VALUE = st.lists(st.sampled_from([*"aZ9 .=\t\x00\x7f-", "é"]), min_size=1, max_size=6).map("".join)


@settings(max_examples=120, deadline=None)
@given(
    before=st.integers(0, 160),
    after=st.sampled_from(["", ".", " ", "\t", "=", '">', "x" * 90 + "=", "é"]),
    values=st.lists(_VALUE, min_size=4, max_size=12),
    width=st.integers(1, 6),
    twice=st.booleans(),
)
def test_lines_of_the_email_with_values_of_one_length_encode_as_binascii_would(
    before: int, after: str, values: list[str], width: int, twice: bool
) -> None:
    # The encoder learns, per own line of a skeleton and per length of the line, the span where
    # its lines differ and reuses the encoding around it: every email must still be what
    # binascii gives for its body alone, wherever the soft line breaks fall around the value.
    head = "Hello,\nyour link:\n"
    for value in values:
        value = (value * width)[:width]
        own = "=" * (before % 3) + "h" * before + value + (f" and {value}" if twice else "") + after
        text = f"{head}{own}\nThe same line for everyone.\n"
        part = build(text=text, html=None)
        assert (part["Content-Transfer-Encoding"], part.get_payload()) == _body_by_the_rule(text)
        assert_wire_is_the_generators(part)


def test_a_value_at_every_column_encodes_as_binascii_would(monkeypatch: pytest.MonkeyPatch) -> None:
    # The soft line breaks of quoted-printable fall before, inside and after the value (once, or
    # twice in a line: a link that is its own text), and "=" (written =3D) sits in it, at the
    # line's end, or at a line's start.
    tails = ["", '" class="x">', " .", '" target="_blank" style="c: d; e: f">{v}</a>']
    for tail, kind, before in itertools.product(tails, [0, 1, 2, 3], range(150)):
        # A template learnt afresh (a place that learnt often stops learning): two bodies for
        # the skeleton, two for the spans, then the spans are used.
        monkeypatch.setattr(mime, "_skeletons", ())
        for i in range(8):
            value = [f"{i}" * 6, f"t{i:02d}=z.{i}", f"v{i}" + "..xx. x "[i], ["=xxxxx", "xxxxx="][i % 2]][
                kind
            ]
            filler = ("a" if i < 7 else "b") * before  # the last differs outside the value too
            text = f"Hi\nyour link:\n{filler}{value}{tail.format(v=value)}\nbye\n"
            part = build(text=text, html=None)
            assert (part["Content-Transfer-Encoding"], part.get_payload()) == _body_by_the_rule(text)
            if i >= 6:
                assert_wire_is_the_generators(part)


def test_what_is_kept_of_the_lines_of_an_email_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mime, "_skeletons", ())
    # 20 lines of the email's own per body (among 200, so that the bodies refine one skeleton),
    # one of them longer than a kept line, in many lengths.
    for i in range(40):
        own = ["y" * 1100 + str(i)] + [f"{'x' * 80}{i:0{1 + i % 9}d}" for _ in range(19)]
        text = "\n".join(["Hello", *own, *[f"line {n}" for n in range(180)]]) + "\n"
        part = build(text=text, html=None)
        assert (part["Content-Transfer-Encoding"], part.get_payload()) == _body_by_the_rule(text)
    (sk,) = mime._skeletons
    assert len(sk.own_slots) == 20
    kept = [len(by_length) for by_length in sk.own]
    assert kept[0] == 0  # the long line
    # A place whose lines change length on every email stops learning (an address of any length).
    assert mime._OWN_LEARN_MAX in sk.learnt
    assert max(sk.learnt) == mime._OWN_LEARN_MAX
    assert all(0 < n <= mime._OWN_LENGTHS for n in kept[1 : mime._OWN_PLACES])
    assert kept[mime._OWN_PLACES :] == [0] * (20 - mime._OWN_PLACES)


def test_the_lines_of_the_email_decide_the_transfer_encoding_too() -> None:
    # The skeleton is learnt from quoted-printable bodies (long lines of their own); then an
    # email's own line makes its body 7bit, quoted-printable, base64 (the sniff) or
    # quoted-printable for a non-ASCII character.
    for own in ["x" * 100, "y" * 100, "ada", "z" * 100, "日本語のテキスト" * 4, "Zoë", "bob"]:
        text = f"Hello,\nyour code:\n{own}\nbye\n"
        part = build(text=text, html=None)
        assert (part["Content-Transfer-Encoding"], part.get_payload()) == _body_by_the_rule(text)


def test_rendered_emails_of_one_template_take_the_skeleton_path() -> None:
    lines = FIXTURE.read_text(encoding="utf-8").split("\n")
    taken = []
    original = mime._by_skeleton

    def spy(text: str, sk: Any) -> Any:
        done = original(text, sk)
        taken.append(done is not None)
        return done

    mime._by_skeleton = spy
    try:
        for i in range(5):
            lines[len(lines) // 2] = f"<p>Sent to user{i}@example.com – ✓</p>"
            body = "\n".join(lines) + f"<p>ref {i}</p>"
            part = build(text=body, html=None)
            assert (part["Content-Transfer-Encoding"], part.get_payload()) == _body_by_the_rule(body)
    finally:
        mime._by_skeleton = original
    assert taken[-3:] == [True, True, True]  # learnt from the first two


def test_skeletons_are_bounded_and_bodies_that_never_repeat_do_not_crowd_them_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mime, "_skeletons", ())
    for k in range(mime._SK_MAX + 8):  # templates of k + 3 lines, two emails each
        for name in ("Ada", "Bob"):
            build(text=f"Grüße {name}\n" + f"ä line {k} of a template, mostly ASCII\n" * (k + 2), html=None)
    assert len(mime._skeletons) == mime._SK_MAX
    assert all(sk.refined for sk in mime._skeletons)
    for i in range(100):  # bodies that share no line with any other
        build(text="".join(f"Zeile {i}.{j} ä\n" for j in range(12)), html=None)
    assert len(mime._skeletons) == mime._SK_MAX
    assert sum(not sk.refined for sk in mime._skeletons) == mime._SK_NEW


def test_a_boundary_found_in_a_nested_7bit_part_is_drawn_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # The HTML (7bit: short ASCII lines) sits inside multipart/related; the outer
    # multipart/alternative boundary must not occur in it either.
    taken = "0" * 32
    html = f'<p><img src="cid:logo"></p>\n--=_{taken}\n<p>end</p>\n'
    drawn = iter(["a" * 32, "1" * 32, taken, "2" * 32])  # Message-ID, related, alternative, again
    monkeypatch.setattr(mime.secrets, "token_hex", lambda n: next(drawn))
    msg = build(html=html, inline_images=[InlineImage("logo", PNG)])
    assert f'boundary="=_{taken}"' not in msg.as_string()
    assert [p.get_content_type() for p in parse(msg).walk()] == [
        "multipart/alternative",
        "text/plain",
        "multipart/related",
        "text/html",
        "image/png",
    ]
    assert_wire_is_the_generators(msg)


class _ClaimsAscii(str):
    def isascii(self) -> bool:
        return True


def test_a_str_subclass_cannot_take_the_ascii_paths() -> None:
    with pytest.raises(MessageError, match="lone surrogate"):
        build(subject=_ClaimsAscii("Grüße \udc80"))
    part = build(text=_ClaimsAscii("Grüße\n"), html=None)
    assert (part["Content-Transfer-Encoding"], part.get_payload()) == _body_by_the_rule("Grüße\n")


def _mutations() -> dict[str, Callable[[OutgoingMessage], object]]:
    def text_part(m: OutgoingMessage) -> EmailMessage:
        part = next(m.iter_parts())
        assert isinstance(part, EmailMessage)
        return part

    extra = EmailMessage()
    extra.set_content("an extra part\n")
    return {
        "__setitem__": lambda m: m.__setitem__("X-Added", "1"),
        "__delitem__": lambda m: m.__delitem__("Subject"),
        "replace_header": lambda m: m.replace_header("Subject", "Another subject"),
        "add_header": lambda m: m.add_header("X-Params", "v", p="q"),
        "set_param": lambda m: m.set_param("x-param", "1"),
        "del_param": lambda m: m.del_param("boundary"),
        "set_boundary": lambda m: m.set_boundary("another-boundary"),
        "set_type": lambda m: m.set_type("multipart/mixed"),
        "attach": lambda m: m.attach(extra),
        "payload list appended in place": lambda m: m.get_payload().append(extra),
        "set_payload": lambda m: m.set_payload("replaced\n"),
        "preamble": lambda m: setattr(m, "preamble", "This is a MIME message."),
        "epilogue": lambda m: setattr(m, "epilogue", "end"),
        "policy": lambda m: setattr(m, "policy", policy.default),
        "headers list changed in place": lambda m: m._headers.append(("X-Raw", "1")),
        "part __setitem__": lambda m: text_part(m).__setitem__("X-Part", "1"),
        "part set_payload": lambda m: text_part(m).set_payload("changed\n"),
        "part set_content": lambda m: text_part(m).set_content("changed content\n"),
        "part set_param": lambda m: text_part(m).set_param("format", "flowed"),
        "add_attachment": lambda m: m.add_attachment(b"data", maintype="application", subtype="octet-stream"),
        "clear_content": lambda m: m.clear_content(),
    }


@pytest.mark.parametrize("mutation", list(_mutations()))
def test_any_change_makes_as_bytes_fall_back_to_the_generator(mutation: str) -> None:
    msg = build()
    before = msg.as_bytes()
    _mutations()[mutation](msg)
    after = msg.as_bytes()
    assert after != before
    assert after == generator_bytes(msg)
    assert msg.as_string() == generator_string(msg)
    assert msg._wire is None  # dropped for good


def test_a_header_replaced_by_an_equal_string_is_a_change() -> None:
    # The registry's header object writes an encoded word; the same text stored raw is what the
    # generator then gets (and cannot write as ASCII): as_bytes must do what the generator does.
    msg = build(subject="Grüße – Ihr Code")
    msg.as_bytes()
    i = [n for n, _ in msg.raw_items()].index("Subject")
    msg._headers[i] = ("Subject", str(msg._headers[i][1]))  # type: ignore[attr-defined]
    with pytest.raises(UnicodeEncodeError):
        generator_bytes(msg)
    with pytest.raises(UnicodeEncodeError):
        msg.as_bytes()


def test_a_change_that_is_undone_serves_the_same_bytes() -> None:
    msg = build()
    before = msg.as_bytes()
    msg["X-Temp"] = "1"
    del msg["X-Temp"]
    assert msg.as_bytes() == before == generator_bytes(msg)


def test_other_arguments_and_copies_use_the_generator_or_equal_bytes() -> None:
    msg = build(from_name="Exämple", subject="Grüße")
    assert msg.as_bytes(policy=policy.default) == generator_bytes(msg, policy.default)
    assert b"\r\n" not in msg.as_bytes(policy=policy.default)
    assert msg.as_bytes(unixfrom=True).startswith(b"From ")
    assert str(msg) == msg.as_string(policy=MESSAGE_POLICY.clone(utf8=True))
    assert "Grüße" in str(msg)  # utf8 policy: the generator, not our ASCII bytes
    # Address headers are written (RFC 2047 encoded, folded) by mime.py itself, for every policy.
    assert "From: =?utf-8?b?RXjDpG1wbGU=?= <no-reply@example.com>" in str(msg)
    for other in (copy.copy(msg), copy.deepcopy(msg), pickle.loads(pickle.dumps(msg))):
        assert other.as_bytes() == generator_bytes(other) == msg.as_bytes()
        assert other.envelope_bcc == msg.envelope_bcc


def test_quoted_printable_line_caches_are_bounded() -> None:
    for i in range(3 * mime._QP_GENERATION):
        build(text=f"Grüße {i}\n", html=None)
    assert len(mime._qp_new) + len(mime._qp_old) <= 2 * mime._QP_GENERATION
    assert len(mime._sniff_cache) <= mime._QP_GENERATION


def test_date_header_is_the_current_second() -> None:
    msg = build()
    assert msg["Date"].datetime.tzinfo is not None
    assert abs((datetime.now(timezone.utc) - msg["Date"].datetime).total_seconds()) < 2

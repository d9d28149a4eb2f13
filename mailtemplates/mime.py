"""Build the MIME message for a rendered email: a pure stage, no transport, no templates.

Structure (RFC 2046)::

    text/plain                                   html is None
    multipart/alternative [text/plain, text/html]            text/plain first, HTML last:
                                                             §5.1.4 makes the last part the preferred one
    multipart/alternative [text/plain, multipart/related [text/html, image...]]   with inline images
    multipart/mixed [<one of the above>, attachment...]      with attachments

Headers follow Kratos (``courier/smtp.go`` + ory/mail ``Message``): ``From`` is the bare address when
there is no display name, else ``"Name" <address>`` (RFC 2047 encoded-word for non-ASCII names); then
``To`` and ``Subject``; then the configured headers, each overriding a header of the same name
(case-insensitive), except that ``Bcc`` is never written: its addresses are kept on
:attr:`OutgoingMessage.envelope_bcc` for the envelope, as gomail does. We add ``Message-ID`` on the
sender's domain (ory/mail adds none; many filters penalise its absence), ``Date`` and ``MIME-Version``.

Every header value is checked before it reaches the message: CR, LF, other control characters and
Unicode line separators raise :class:`~mailtemplates.errors.MessageError` naming the header, and
addresses must parse cleanly with :mod:`email.headerregistry`. Non-ASCII addresses are refused
(they need SMTPUTF8, which this builder does not produce).

Transfer encodings: the same rule as the stdlib content manager (``email.contentmanager._encode_text``)
under our policy (``cte_type="7bit"``, so the message is deliverable without 8BITMIME): ``7bit`` when
the body is ASCII with lines of at most 78 octets, otherwise quoted-printable or base64, whichever is
shorter on the first ten lines. The encoders are :mod:`binascii`'s C functions instead of
``quoprimime``'s pure-Python loop.

Performance, measured with ``benchmarks/bench_mime.py`` (interleaved round-robin, 15 rounds, 2-vCPU
dev box, CPython 3.11.7): the 7.1 KB recovery email of ``tests/fixtures/emails/recovery.html`` after
css-inline (8.5 KB HTML) plus its 1.6 KB derived text part, From with display name, To, Subject,
Date, Message-ID, ``as_bytes()`` included; median per message:

==========================================================  =========  ========
builder                                                     median µs  vs. ours
==========================================================  =========  ========
this module (the stdlib path's structure, CTEs, content)          515     1.00x
``EmailMessage`` + ``set_content``/``add_alternative``          1,716     3.33x
legacy ``email.mime`` (``MIMEMultipart`` + 2 ``MIMEText``;        597     1.16x
base64 bodies, compat32 headers: not the same output)
==========================================================  =========  ========

A second, noisier run gave 678 / 2,211 / 766 µs (3.26x and 1.13x): the ratios hold.

How: every header value this module writes itself is either a plain ASCII string stored unparsed
(validated first; the policy writes short plain strings verbatim) or a header object whose parse is
done once (the ``Content-Type``/``Content-Transfer-Encoding`` values of the text parts are module
constants); the parts are assembled with the compat32 policy (which stores values as given) and
switched to :data:`MESSAGE_POLICY` at the end, so the returned :class:`~email.message.EmailMessage`
parses any header lazily on access, like one read from the wire. The boundary is chosen here so the
generator does not search the whole body for it.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from email import errors as _email_errors
from email import policy as _policy
from email.headerregistry import Address, BaseHeader
from email.message import EmailMessage
from email.utils import format_datetime

from mailtemplates.errors import MessageError

__all__ = [
    "MESSAGE_POLICY",
    "Attachment",
    "InlineImage",
    "OutgoingMessage",
    "build_message",
]

#: Policy of every message and part we return: CRLF line endings, 78-column folding, and 7bit
#: transfer encodings (quoted-printable/base64) so no SMTP server needs 8BITMIME.
MESSAGE_POLICY = _policy.SMTP.clone(cte_type="7bit")

# RFC 5322 §2.2: a field name is printable US-ASCII except ":".
_FIELD_NAME = re.compile(r"[!-9;-~]+\Z")
# Anything a header value must not contain: C0 controls except HTAB, DEL, C1 controls, and the
# characters str.splitlines() treats as line breaks (the email package splits on them, so they would
# start a new header line).
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
# A dot-atom addr-spec (RFC 5322 §3.4.1) with an LDH domain: valid beyond doubt, so it is stored as
# given instead of going through the (70 µs) header parser.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_SIMPLE_ADDR = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@{_LABEL}(?:\.{_LABEL})*\Z")
# A display name that can go inside a quoted-string unencoded: printable ASCII and spaces.
_PLAIN_NAME = re.compile(r"[ -~]*\Z")
# "type/subtype" with RFC 2045 token characters.
_MIME_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+\Z")
# Content-ID left-hand side as used after "cid:" (RFC 2392): printable ASCII, no specials that would
# need quoting inside <...>.
_CID = re.compile(r"[A-Za-z0-9!#$%&'*+./=?^_`{|}~@-]+\Z")

# Headers whose value must be a list of mailboxes.
_ADDRESS_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "reply-to",
        "sender",
        "resent-from",
        "resent-to",
        "resent-cc",
        "resent-bcc",
        "resent-sender",
    }
)
# Headers the structure owns; letting configuration replace them would corrupt the message.
_STRUCTURAL = frozenset(
    {"mime-version", "content-type", "content-transfer-encoding", "content-disposition", "content-id"}
)
# Other structured headers whose parse defects mean "invalid".
_CHECKED = frozenset({"date", "message-id", "resent-date", "resent-message-id"})


def _header(name: str, value: str) -> BaseHeader:
    # One parse, done here; the policy keeps header objects as they are on fetch.
    h = MESSAGE_POLICY.header_factory(name, value)
    assert isinstance(h, BaseHeader)
    return h


# What the header parser raises on malformed input (besides recording defects).
_PARSE_ERRORS = (ValueError, IndexError, TypeError, _email_errors.HeaderParseError)
_MAX_LINE = 78  # MESSAGE_POLICY.max_line_length, the content manager's 7bit limit

_CT_PLAIN = _header("Content-Type", 'text/plain; charset="utf-8"')
_CT_HTML = _header("Content-Type", 'text/html; charset="utf-8"')
_CTE = {cte: _header("Content-Transfer-Encoding", cte) for cte in ("7bit", "quoted-printable", "base64")}


@dataclass(frozen=True)
class Attachment:
    """A file attached to the message (``Content-Disposition: attachment``)."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class InlineImage:
    """An image shown inside the HTML part, referenced there as ``src="cid:<cid>"``."""

    cid: str
    content: bytes
    content_type: str = "image/png"
    filename: str | None = None


class OutgoingMessage(EmailMessage):
    """An :class:`~email.message.EmailMessage` that also carries envelope-only recipients.

    ``envelope_bcc`` holds the addresses of a configured ``Bcc`` header: they receive the message
    but are never written into it (gomail's ``writeHeaders`` skips ``Bcc``). ``mailtemplates.smtp``
    adds them to ``RCPT TO``.
    """

    envelope_bcc: tuple[str, ...] = ()


def build_message(
    *,
    subject: str,
    text: str,
    html: str | None,
    from_address: str,
    to: str | Sequence[str],
    from_name: str | None = None,
    headers: Mapping[str, str] | None = None,
    reply_to: str | None = None,
    attachments: Sequence[Attachment] = (),
    inline_images: Sequence[InlineImage] = (),
    message_id_domain: str | None = None,
) -> OutgoingMessage:
    """Return the finished message; raise :class:`MessageError` for any unsafe or invalid input.

    ``from_address`` is a bare address and ``from_name`` its optional display name (Kratos'
    ``courier.smtp.from_address`` / ``from_name``). ``to`` is one recipient or a sequence of them,
    each a single mailbox (``jane@example.org`` or ``Jane <jane@example.org>``). ``headers`` are
    Kratos' ``courier.smtp.headers``. ``message_id_domain`` defaults to the sender's domain.
    ``html=None`` gives a single-part text/plain message.
    """
    hdrs: list[tuple[str, str | BaseHeader]] = []

    if isinstance(from_address, str) and ("<" in from_address or "(" in from_address):
        # The display name has its own argument, as in Kratos' config (from_address / from_name).
        raise MessageError(f"From: from_address must be a bare address, got {from_address!r}")
    sender = _mailbox("From", from_address)
    from_domain = sender.rpartition("@")[2]
    if from_name:
        _check_value("From", from_name)
        hdrs.append(("From", _named(from_name, sender)))
    else:
        hdrs.append(("From", sender))

    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        raise MessageError("To: at least one recipient is required")
    hdrs.append(("To", _address_list("To", recipients)))
    hdrs.append(("Subject", _unstructured("Subject", subject)))
    if reply_to is not None:
        hdrs.append(("Reply-To", _address_list("Reply-To", [reply_to])))

    bcc: list[str] = []
    for name, value in (headers or {}).items():
        if not _FIELD_NAME.match(name):
            raise MessageError(f"header name {name!r} is not valid (printable ASCII, no colon or space)")
        key = name.lower()
        if key in _STRUCTURAL:
            raise MessageError(f"{name}: set by the message builder and cannot be configured")
        _check_value(name, value)
        if key == "bcc":
            bcc.extend(a for a in _addresses_of(name, value))
            continue
        if key == "from":
            from_domain = _addresses_of(name, value)[0].rpartition("@")[2]
        # Kratos applies configured headers with SetHeader after From/To/Subject: a header of the
        # same name is replaced (we keep its position and spelling), anything else is appended.
        for i, (old, _) in enumerate(hdrs):
            if old.lower() == key:
                hdrs[i] = (old, _configured(old, value))
                break
        else:
            hdrs.append((name, _configured(name, value)))

    present = {n.lower() for n, _ in hdrs}
    if "date" not in present:
        hdrs.append(("Date", format_datetime(datetime.now(timezone.utc))))
    if "message-id" not in present:
        domain = message_id_domain or from_domain
        if _UNSAFE.search(domain) or not re.fullmatch(rf"{_LABEL}(?:\.{_LABEL})*", domain):
            raise MessageError(f"Message-ID: {domain!r} is not a valid domain")
        # 128 random bits; email.utils.make_msgid would also publish the pid and the clock.
        hdrs.append(("Message-ID", f"<{secrets.token_hex(16)}@{domain}>"))
    hdrs.append(("MIME-Version", "1.0"))

    body = _body(text, html, inline_images)
    if attachments:
        body = _multipart("mixed", [body, *(_attachment(a) for a in attachments)])

    msg = OutgoingMessage(policy=_policy.compat32)
    for name, value in hdrs:
        msg[name] = value
    # Move the body's own headers and payload onto the top-level message.
    for name, value in body.raw_items():
        msg[name] = value
    msg.set_payload(body.get_payload())
    msg.envelope_bcc = tuple(bcc)
    for part in msg.walk():
        part.policy = MESSAGE_POLICY
    return msg


# -- headers ---------------------------------------------------------------------------------


def _check_value(name: str, value: str) -> None:
    if not isinstance(value, str):
        raise MessageError(f"{name}: header value must be a string, got {type(value).__name__}")
    m = _UNSAFE.search(value)
    if m:
        raise MessageError(
            f"{name}: header value contains the control character U+{ord(m.group()):04X} "
            f"(CR/LF in a header would start a new header line): {value!r}"
        )


def _mailbox(name: str, value: str) -> str:
    """Validate one addr-spec (no display name) and return it."""
    _check_value(name, value)
    if _SIMPLE_ADDR.match(value):
        return value
    if not value.isascii():
        raise MessageError(f"{name}: {value!r} is not an ASCII address (SMTPUTF8 is not supported)")
    try:
        addr = Address(addr_spec=value)
    except _PARSE_ERRORS as e:  # the parser raises its defects
        raise MessageError(f"{name}: {value!r} is not a valid email address ({e})") from None
    if not addr.username or not addr.domain:
        raise MessageError(f"{name}: {value!r} is not a valid email address (needs local part and domain)")
    return value


def _named(display_name: str, addr_spec: str) -> str | BaseHeader:
    if _PLAIN_NAME.match(display_name):
        # Kratos (ory/mail FormatAddress) always quotes an ASCII name, escaping \ and ".
        quoted = display_name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{quoted}" <{addr_spec}>'
    # Non-ASCII: the header registry writes an RFC 2047 encoded-word.
    h = MESSAGE_POLICY.header_factory("From", [Address(display_name=display_name, addr_spec=addr_spec)])
    assert isinstance(h, BaseHeader)
    return h


def _addresses_of(name: str, value: str) -> list[str]:
    """Parse an address-list header value; return the addr-specs. Any defect is an error."""
    _check_value(name, value)
    if _SIMPLE_ADDR.match(value):
        return [value]
    try:
        h = MESSAGE_POLICY.header_factory(name, value)
    except _PARSE_ERRORS as e:
        raise MessageError(f"{name}: {value!r} is not a valid address list ({e})") from None
    addresses = getattr(h, "addresses", ())
    if h.defects or not addresses:
        why = h.defects[0] if h.defects else "no address found"
        raise MessageError(f"{name}: {value!r} is not a valid address list ({why})")
    out = []
    for a in addresses:
        if not a.username or not a.domain:
            raise MessageError(
                f"{name}: {str(a)!r} is not a valid email address (needs local part and domain)"
            )
        if not a.addr_spec.isascii():
            raise MessageError(f"{name}: {a.addr_spec!r} is not an ASCII address (SMTPUTF8 is not supported)")
        out.append(a.addr_spec)
    return out


def _address_list(name: str, items: list[str]) -> str | BaseHeader:
    for item in items:
        if not isinstance(item, str):
            raise MessageError(f"{name}: recipients must be strings, got {type(item).__name__}")
        if len(_addresses_of(name, item)) != 1:
            raise MessageError(f"{name}: {item!r} holds several addresses; pass one address per item")
    joined = ", ".join(items)
    if all(_SIMPLE_ADDR.match(i) for i in items):
        return joined
    return _header(name, joined)


def _unstructured(name: str, value: str) -> str | BaseHeader:
    _check_value(name, value)
    if value.isascii():
        return value  # the policy folds long ASCII values itself when writing
    return _header(name, value)  # RFC 2047 encoded-words when written


def _configured(name: str, value: str) -> str | BaseHeader:
    key = name.lower()
    if key in _ADDRESS_HEADERS:
        _addresses_of(name, value)
        return value if _SIMPLE_ADDR.match(value) else _header(name, value)
    if key in _CHECKED:
        try:
            h = _header(name, value)
        except _PARSE_ERRORS as e:
            raise MessageError(f"{name}: {value!r} is not valid ({e})") from None
        if h.defects:
            raise MessageError(f"{name}: {value!r} is not valid ({h.defects[0]})")
        return h
    return _unstructured(name, value)


# -- body ------------------------------------------------------------------------------------


def _part() -> EmailMessage:
    return EmailMessage(policy=_policy.compat32)


def _encode_text(text: str) -> tuple[str, str]:
    """Return (cte, payload) by the rule of ``email.contentmanager._encode_text`` (7bit policy)."""
    lines = text.encode("utf-8").splitlines()
    if max((len(x) for x in lines), default=0) <= _MAX_LINE and text.isascii():
        return "7bit", b"\n".join(lines).decode("ascii") + "\n"
    # Canonical text form has CRLF line ends (RFC 2046 §4.1.1); base64 encodes them literally.
    sniff = b"\r\n".join(lines[:10]) + b"\r\n"
    if len(binascii.b2a_qp(sniff, istext=True)) > len(binascii.b2a_base64(sniff)):
        return "base64", base64.encodebytes(b"\r\n".join(lines) + b"\r\n").decode("ascii")
    return "quoted-printable", binascii.b2a_qp(b"\n".join(lines) + b"\n", istext=True).decode("ascii")


def _text_part(text: str, html: bool) -> EmailMessage:
    part = _part()
    cte, payload = _encode_text(text)
    part["Content-Type"] = _CT_HTML if html else _CT_PLAIN
    part["Content-Transfer-Encoding"] = _CTE[cte]
    part.set_payload(payload)
    return part


def _multipart(subtype: str, parts: list[EmailMessage]) -> EmailMessage:
    mp = _part()
    # "=_" never occurs in quoted-printable (it writes "=" as "=3D") or base64 output, and 7bit text
    # parts are searched below, so the generator need not scan the body for a free boundary.
    boundary = "=_" + secrets.token_hex(16)
    for p in parts:
        payload = p.get_payload()
        if isinstance(payload, str) and boundary in payload:  # pragma: no cover - 2**-128
            return _multipart(subtype, parts)
    mp["Content-Type"] = _header("Content-Type", f'multipart/{subtype}; boundary="{boundary}"')
    mp.set_payload(list(parts))
    return mp


def _body(text: str, html: str | None, images: Sequence[InlineImage]) -> EmailMessage:
    if not isinstance(text, str):
        raise MessageError(f"text part must be a string, got {type(text).__name__}")
    plain = _text_part(text, html=False)
    if html is None:
        if images:
            raise MessageError("inline images need an HTML part to reference them")
        return plain
    html_part = _text_part(html, html=True)
    if images:
        seen: set[str] = set()
        related = [html_part]
        for img in images:
            if not _CID.match(img.cid):
                raise MessageError(
                    f"Content-ID: {img.cid!r} is not a valid content id (printable ASCII, no <>)"
                )
            if img.cid in seen:
                raise MessageError(f"Content-ID: {img.cid!r} is used by two inline images")
            if f"cid:{img.cid}" not in html:
                raise MessageError(
                    f"Content-ID: inline image {img.cid!r} is not referenced as 'cid:{img.cid}' in the HTML"
                )
            seen.add(img.cid)
            if not img.content_type.lower().startswith("image/"):
                raise MessageError(
                    f"Content-Type: inline image {img.cid!r} has type {img.content_type!r}, not image/*"
                )
            related.append(_binary_part(img.content, img.content_type, "inline", img.filename, cid=img.cid))
        html_part = _multipart("related", related)
    return _multipart("alternative", [plain, html_part])


def _attachment(att: Attachment) -> EmailMessage:
    return _binary_part(att.content, att.content_type, "attachment", att.filename)


def _binary_part(
    content: bytes, content_type: str, disposition: str, filename: str | None, cid: str | None = None
) -> EmailMessage:
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise MessageError(f"{disposition} content must be bytes, got {type(content).__name__}")
    _check_value("Content-Type", content_type)
    if not _MIME_TYPE.match(content_type):
        raise MessageError(f"Content-Type: {content_type!r} is not a MIME type (type/subtype)")
    part = _part()
    part["Content-Type"] = content_type.lower()
    part["Content-Transfer-Encoding"] = "base64"
    if filename is not None:
        _check_value("Content-Disposition", filename)
        if not filename:
            raise MessageError("Content-Disposition: the file name is empty")
        # add_header writes RFC 2231 (filename*=utf-8''...) for non-ASCII names.
        part.add_header("Content-Disposition", disposition, filename=filename)
    else:
        part["Content-Disposition"] = disposition
    if cid is not None:
        part["Content-ID"] = f"<{cid}>"
    part.set_payload(base64.encodebytes(bytes(content)).decode("ascii"))
    return part

"""Build the MIME message for a rendered email: a pure stage, no transport, no templates.

Fast path and reference: the wire bytes written while building (below) sit beside the stdlib's
:class:`email.generator.BytesGenerator`. The generator stays because it is the fallback for a
message changed after it was built, and the reference ``tests/test_mime.py`` compares the bytes
with; it is the stdlib's code, so no second copy of the writer lives here.

About 1,280 lines: the builder checks, folds and encodes every header and body itself in one
pass (that is the fast path), and those steps share its policy, caches and wire pieces.

Structure (RFC 2046)::

    text/plain                                   html is None
    multipart/alternative [text/plain, text/html]            text/plain first, HTML last:
                                                             §5.1.4 makes the last part the preferred one
    multipart/alternative [text/plain, multipart/related [text/html, image...]]   with inline images
    multipart/mixed [<one of the above>, attachment...]      with attachments

Headers follow Kratos (``courier/smtp.go`` + ory/mail ``Message``): ``From`` is the bare address when
there is no display name, else ``"Name" <address>`` (RFC 2047 B-encoded words for a name that is not
printable ASCII or that contains ``=?``, which CPython and other parsers decode even inside quotes); then
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

How it is fast (figures: ``docs/performance.md``):

* Headers the builder writes are plain ASCII strings stored unparsed (validated first) or header
  objects parsed once (module constants); every part is created with :data:`MESSAGE_POLICY` and
  its header list and payload set directly, so the header registry runs only for values that need
  it (non-ASCII subjects, configured structured headers). Address headers (``From``, ``To``,
  ``Reply-To``, configured ``Cc``...) are written and folded here into lines of at most 78
  characters, which the policy writes unchanged: CPython's folder drops the quotes of a display
  name it splits (a long ``"Team, EMEA"`` would read as two addresses). Every address header is
  parsed back in ``tests/test_address_roundtrip.py`` for names of 1-200 characters of every class. The returned
  :class:`~email.message.EmailMessage` parses any other header lazily on access, like one read
  from the wire.
* The builder knows every header and every body encoding, so it writes the wire form while it
  builds: :meth:`OutgoingMessage.as_bytes` / :meth:`~OutgoingMessage.as_string` return those bytes
  instead of running :class:`email.generator.BytesGenerator` (which writes the body line by line
  through Python calls and folds every header again). The bytes are the generator's output for the
  same message (``tests/test_mime.py`` compares them byte for byte) and are served only while the
  message is in the state they were written from: any change, through any method, on any part,
  falls back to the generator.
* Quoted-printable is encoded line by line: ``binascii.b2a_qp`` keeps no state across a line end,
  so the encoding of a body is the concatenation of its lines' encodings, and the lines that come
  from the template's own text (most of them) are taken from a small bounded cache.
* Bodies of one template are encoded along a *skeleton* of the lines they share (learnt from the
  bodies seen before): one ``str.startswith`` per run of constant lines, ``binascii`` for the
  lines of the email's own, or, for a line that differs from the one seen before at its place
  only in values of the same length and kind, that line's encoding with the values copied in
  (:class:`_OwnLine`).
* The boundary is chosen here, so the generator does not search the whole body for one.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import errors as _email_errors
from email import policy as _policy
from email.headerregistry import Address, BaseHeader
from email.message import EmailMessage, Message
from email.utils import format_datetime
from operator import itemgetter
from typing import Any, cast

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
# Lone surrogates (from JSON "\ud800" or surrogateescape): not characters, not encodable as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")
# A dot-atom addr-spec (RFC 5322 §3.4.1) with an LDH domain: valid beyond doubt, so it is stored as
# given instead of going through the (70 µs) header parser.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_SIMPLE_ADDR = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@{_LABEL}(?:\.{_LABEL})*\Z")
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\Z")
# RFC 5322 §3.6.4 msg-id with dot-atom-text on both sides (what generators write).
_SIMPLE_MSGID = re.compile(rf"<{_ATEXT}(?:\.{_ATEXT})*@{_ATEXT}(?:\.{_ATEXT})*>\Z")
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

# Wire form of the constant headers of a text part, folded once by the policy itself.
_CT_WIRE = {
    False: MESSAGE_POLICY.fold_binary("Content-Type", _CT_PLAIN),
    True: MESSAGE_POLICY.fold_binary("Content-Type", _CT_HTML),
}
_CTE_WIRE = {cte: MESSAGE_POLICY.fold_binary("Content-Transfer-Encoding", h) for cte, h in _CTE.items()}
# A multipart Content-Type folds the same way whatever the 32 hex digits of our boundary are (the
# folder looks at lengths and token kinds only), so each subtype is folded once with a placeholder.
_BOUNDARY_PLACEHOLDER = "=_" + "0" * 32
_MULTIPART_CT_WIRE: dict[str, bytes] = {}


def _fold(name: str, value: str | BaseHeader) -> bytes:
    """``MESSAGE_POLICY.fold_binary(name, value)``: what ``BytesGenerator`` writes for a header.

    A short ASCII string comes out verbatim (``EmailPolicy._fold`` refolds only values longer than
    the line or holding surrogates); it can hold no line break, every value having passed
    :func:`_check_value` or being built here.
    """
    if type(value) is str and len(name) + len(value) <= _MAX_LINE - 2 and value.isascii():
        return f"{name}: {value}\r\n".encode("ascii")
    return MESSAGE_POLICY.fold_binary(name, value)


def _multipart_ct_wire(subtype: str, boundary: str) -> bytes:
    folded = _MULTIPART_CT_WIRE.get(subtype)
    if folded is None:
        folded = _fold("Content-Type", f'multipart/{subtype}; boundary="{_BOUNDARY_PLACEHOLDER}"')
        _MULTIPART_CT_WIRE[subtype] = folded
    return folded.replace(_BOUNDARY_PLACEHOLDER.encode("ascii"), boundary.encode("ascii"))


# Date header: format_datetime costs ~4 µs and has a one-second resolution, so it is formatted once
# per second. A tuple is replaced atomically, so threads can share it.
_date_cache: tuple[int, str] = (-1, "")


def _date_now() -> str:
    global _date_cache
    now = int(time.time())
    cached = _date_cache
    if cached[0] != now:
        cached = (now, format_datetime(datetime.fromtimestamp(now, timezone.utc)))
        _date_cache = cached
    return cached[1]


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


def _snapshot(part: Any, keep: list[object] | None = None) -> tuple[object, ...]:
    """Everything ``BytesGenerator`` reads from a part (and, through the payload, its subparts).

    Headers count by identity: every header method stores a new ``(name, value)`` tuple, and a str
    equal to a header object can fold differently. ``keep`` collects the header tuples so that their
    ids stay theirs while the snapshot lives.
    """
    headers = part._headers
    if keep is not None:
        keep.append(tuple(headers))
    payload = part._payload
    if isinstance(payload, list):
        payload = tuple([_snapshot(p, keep) if isinstance(p, Message) else p for p in payload])
    return (tuple(map(id, headers)), payload, part.policy, part.preamble, part.epilogue, part._default_type)


class OutgoingMessage(EmailMessage):
    """An :class:`~email.message.EmailMessage` that also carries envelope-only recipients.

    ``envelope_bcc`` holds the addresses of a configured ``Bcc`` header: they receive the message
    but are never written into it (gomail's ``writeHeaders`` skips ``Bcc``). ``mailtemplates.smtp``
    adds them to ``RCPT TO``.

    :func:`build_message` also stores the message's wire form; :meth:`as_bytes` and
    :meth:`as_string` return it (with their default arguments) as long as the message is unchanged.
    """

    envelope_bcc: tuple[str, ...] = ()
    #: The bytes BytesGenerator would write, and the state (:func:`_snapshot`) they were written from.
    _wire: bytes | None = None
    _wire_state: tuple[object, ...] | None = None
    _wire_keep: list[object] | None = None

    def _fresh_wire(self) -> bytes | None:
        wire = self._wire
        if wire is None:
            return None
        # Comparing the snapshot is cheap and catches any change: header methods,
        # set_payload/attach/set_param/set_boundary/..., on any part, in-place edits of the header
        # or part lists, and assignments to policy, preamble or epilogue.
        if _snapshot(self) != self._wire_state:
            self._wire = self._wire_state = self._wire_keep = None
            return None
        return wire

    def as_bytes(self, unixfrom: bool = False, policy: Any = None) -> bytes:
        if not unixfrom and (policy is None or policy is self.policy):
            wire = self._fresh_wire()
            if wire is not None:
                return wire
        return super().as_bytes(unixfrom, policy)

    def as_string(self, unixfrom: bool = False, maxheaderlen: int | None = None, policy: Any = None) -> str:
        # Our messages are ASCII (7bit policy, encoded words), so Generator writes what
        # BytesGenerator writes, decoded.
        if (
            not unixfrom
            and (policy is None or policy is self.policy)
            and maxheaderlen in (None, self.policy.max_line_length)
        ):
            wire = self._fresh_wire()
            if wire is not None:
                return wire.decode("ascii")
        return super().as_string(unixfrom, maxheaderlen, policy)


# What Message.__init__ sets on a part of ours, taken from a real one; used as is only when every
# value but the two lists is immutable (else a new Python's additions are run through __init__).
_PART_STATE = vars(EmailMessage(MESSAGE_POLICY))
_PART_STATE_SHARED = {k: v for k, v in _PART_STATE.items() if k not in ("_headers", "defects")}
_PART_STATE_OK = set(_PART_STATE) == {*_PART_STATE_SHARED, "_headers", "defects"} and all(
    v is None or type(v) is str or v is MESSAGE_POLICY for v in _PART_STATE_SHARED.values()
)


def _new_part(headers: list[tuple[str, Any]], payload: object, cls: type[EmailMessage] = EmailMessage) -> Any:
    # Headers and payload set directly: msg[name] = value would parse every value with the header
    # registry, and set_payload() on a str only assigns it.
    if _PART_STATE_OK:
        part = cls.__new__(cls)
        state = part.__dict__
        state.update(_PART_STATE_SHARED)
        state["defects"] = []
    else:  # pragma: no cover - a Python whose Message.__init__ sets more
        part = cls(MESSAGE_POLICY)
    part._headers = headers  # type: ignore[attr-defined]
    part._payload = payload  # type: ignore[attr-defined]
    return part


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
    message_id: str | None = None,
) -> OutgoingMessage:
    """Return the finished message; raise :class:`MessageError` for any unsafe or invalid input.

    ``from_address`` is a bare address and ``from_name`` its optional display name (Kratos'
    ``courier.smtp.from_address`` / ``from_name``). ``to`` is one recipient or a sequence of them,
    each a single mailbox (``jane@example.org`` or ``Jane <jane@example.org>``). ``headers`` are
    Kratos' ``courier.smtp.headers``. ``html=None`` gives a single-part text/plain message.

    The ``Message-ID`` is ``message_id`` if given (``<left@right>``; a caller that stores or
    resends the message, such as the courier, fixes it this way and knows it without reading the
    header back), else a ``Message-ID`` in ``headers``, else 128 random bits at
    ``message_id_domain`` (default: the sender's domain). Giving both ``message_id`` and a
    ``Message-ID`` header is an error.
    """
    hdrs: list[tuple[str, str | BaseHeader]] = []

    sender_key = (from_address, from_name)
    known = (
        _senders.get(sender_key)
        if type(from_address) is str and type(from_name) in (str, type(None))
        else None
    )
    if known is None:
        known = _sender(from_address, from_name)
        if type(from_address) is str and type(from_name) in (str, type(None)):
            if len(_senders) >= _SENDERS_MAX:
                _senders.clear()
            _senders[sender_key] = known
    from_value, from_domain, domain_ok = known
    hdrs.append(("From", from_value))

    if type(to) is str and _SIMPLE_ADDR.match(to):
        hdrs.append(("To", to))  # what _address_list gives for it
    else:
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

    present = {n.lower() for n, _ in hdrs} if headers else ()
    if "date" not in present:
        hdrs.append(("Date", _date_now()))
    if message_id is not None:
        if "message-id" in present:
            raise MessageError("Message-ID: given both as message_id and in headers; give one")
        _check_value("Message-ID", message_id)
        # A plain <dot-atom@dot-atom> needs no parse (~0.3 ms); anything else is parsed and checked.
        hdrs.append(
            (
                "Message-ID",
                message_id if _SIMPLE_MSGID.match(message_id) else _configured("Message-ID", message_id),
            )
        )
    elif "message-id" not in present:
        domain = message_id_domain or from_domain
        if not (domain_ok and domain is known[1]) and (_UNSAFE.search(domain) or not _DOMAIN.match(domain)):
            raise MessageError(f"Message-ID: {domain!r} is not a valid domain")
        # 128 random bits; email.utils.make_msgid would also publish the pid and the clock.
        hdrs.append(("Message-ID", f"<{secrets.token_hex(16)}@{domain}>"))
    hdrs.append(("MIME-Version", "1.0"))

    body = _body(text, html, inline_images)
    if attachments:
        body = _multipart("mixed", [body, *(_attachment(a) for a in attachments)])

    # The body's own headers and payload go onto the top-level message.
    msg: OutgoingMessage = _new_part([*hdrs, *body.part._headers], body.part._payload, OutgoingMessage)
    msg.envelope_bcc = tuple(bcc)
    msg._wire = b"".join([*[_fold(n, v) for n, v in hdrs], body.head, b"\r\n", *body.body])
    msg._wire_keep = []
    msg._wire_state = _snapshot(msg, msg._wire_keep)
    return msg


# -- headers ---------------------------------------------------------------------------------

# The checked From value, sender domain and whether that domain may name a Message-ID, per
# (from_address, from_name): a sender is configured once and used for every email. Bounded.
_senders: dict[tuple[object, object], tuple[str, str, bool]] = {}
_SENDERS_MAX = 64


def _sender(from_address: str, from_name: str | None) -> tuple[str, str, bool]:
    if isinstance(from_address, str) and ("<" in from_address or "(" in from_address):
        # The display name has its own argument, as in Kratos' config (from_address / from_name).
        raise MessageError(f"From: from_address must be a bare address, got {from_address!r}")
    sender = _mailbox("From", from_address)
    domain = sender.rpartition("@")[2]
    domain_ok = not _UNSAFE.search(domain) and _DOMAIN.match(domain) is not None
    if from_name:
        _check_value("From", from_name)
        return _address_field("From", [(from_name, sender)]), domain, domain_ok
    return sender, domain, domain_ok


def _check_value(name: str, value: str) -> None:
    if not isinstance(value, str):
        raise MessageError(f"{name}: header value must be a string, got {type(value).__name__}")
    m = _UNSAFE.search(value)
    if m:
        raise MessageError(
            f"{name}: header value contains the control character U+{ord(m.group()):04X} "
            f"(CR/LF in a header would start a new header line): {value!r}"
        )
    m = None if str.isascii(value) else _SURROGATE.search(value)  # O(1); no surrogate in ASCII
    if m:
        raise MessageError(
            f"{name}: header value contains the lone surrogate U+{ord(m.group()):04X}, which is not a "
            f"character and cannot be encoded: {value!r}"
        )


def _check_address_value(name: str, value: str) -> None:
    _check_value(name, value)
    if "\t" in value:
        # Folding white space is legal around address tokens, so the parser would accept
        # "ada\t@example.com" as ada@example.com: refuse it rather than send somewhere else.
        raise MessageError(f"{name}: {value!r} contains a tab; an address header may not")


def _mailbox(name: str, value: str) -> str:
    """Validate one addr-spec (no display name) and return it."""
    _check_address_value(name, value)
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


# -- address headers: written and folded here ------------------------------------------------
#
# CPython's folder drops the quotes of a display name it has to split (a long name holding "," or
# "()" then reads as two addresses), and its parser decodes RFC 2047 encoded words even inside a
# quoted-string. So address headers are never handed to the header registry for writing: each
# mailbox is written here, as Kratos does (ory/mail FormatAddress: an ASCII name quoted, with \
# and " escaped), other names as B-encoded words, and folded at spaces into lines of at most 78
# characters, which the policy then writes unchanged.

# Tokens of a display name are at most 60 characters, so that the first one fits on the first line
# after the longest address header name ("Resent-Sender: ") with a "," behind it. For encoded words
# (RFC 2047 §2: at most 75 characters) that is 48 characters of base64: 36 bytes of UTF-8.
_MAX_TOKEN = 60
_EW_BYTES = 36
# A display name Kratos would quote: printable ASCII and spaces.
_QUOTABLE = re.compile(r"[ -~]*\Z")
# One mailbox as a caller writes it: `Name <addr>` or `"Quoted \"Name\"" <addr>`. An unquoted name
# may not hold RFC 5322 specials (`Doe, John <j@x>` is two addresses, as the parser reads it).
_NAME_ADDR = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([^"<>()\[\],;:@\\]*?))\s*<([^<>]*)>\s*\Z', re.S)


def _phrase(display: str) -> list[str]:
    """The wire tokens of a display name, to be joined by single spaces (each one a fold point)."""
    if _QUOTABLE.match(display) and "=?" not in display:
        tokens = ('"' + display.replace("\\", "\\\\").replace('"', '\\"') + '"').split(" ")
        if all(len(t) <= _MAX_TOKEN for t in tokens):
            return tokens
    words: list[bytes] = []
    chunk = b""
    for ch in display:
        b = ch.encode("utf-8")
        if len(chunk) + len(b) > _EW_BYTES:
            words.append(chunk)
            chunk = b""
        chunk += b
    words.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?=" for w in words]


def _address_field(name: str, mailboxes: Sequence[tuple[str, str]]) -> str:
    """``name``'s value for these (display name, addr-spec) pairs, folded at spaces."""
    tokens: list[str] = []
    for i, (display, addr) in enumerate(mailboxes):
        tokens.extend([*_phrase(display), f"<{addr}>"] if display else [addr])
        if i < len(mailboxes) - 1:
            tokens[-1] += ","
    lines: list[str] = []
    line = f"{name}:"
    for tok in tokens:
        # An empty token (two spaces in a quoted name) never starts a line: no blank lines.
        if tok and len(line) + 1 + len(tok) > _MAX_LINE and line != f"{name}:":
            lines.append(line)
            line = " " + tok
        else:
            line += " " + tok
    lines.append(line)
    return "\r\n".join(lines)[len(name) + 2 :]


def _split_list(value: str) -> list[str]:
    """Split an address list at the commas outside quotes, angle brackets and comments."""
    items: list[str] = []
    start, depth, quoted, escaped = 0, 0, False, False
    for i, ch in enumerate(value):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch in "<(":
            depth += 1
        elif ch in ">)":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(value[start:i])
            start = i + 1
    items.append(value[start:])
    return items


def _name_addr(name: str, item: str) -> tuple[str, str] | None:
    """(display name, addr-spec) of one mailbox written plainly, or None for anything else (a
    comment, a group), which is left to the header registry."""
    item = item.strip(" ")
    if _SIMPLE_ADDR.match(item):
        return ("", item)
    m = _NAME_ADDR.match(item)
    if m is None:
        return None
    quoted, plain, addr = m.groups()
    display = re.sub(r"\\(.)", r"\1", quoted, flags=re.S) if quoted is not None else plain.strip()
    return (display, _mailbox(name, addr))


def _mailboxes(name: str, items: Sequence[str]) -> list[tuple[str, str]] | None:
    out = []
    for item in items:
        _check_address_value(name, item)
        found = _name_addr(name, item)
        if found is None:
            if "=?" in item:
                # The registry would decode it: the receiver must see the text the caller wrote.
                raise MessageError(
                    f"{name}: {item!r}: put a display name that contains '=?' in quotes "
                    '("=?...?=" <addr>); encoded words are not decoded'
                )
            return None
        out.append(found)
    return out


def _addresses_of(name: str, value: str) -> list[str]:
    """Parse an address-list header value; return the addr-specs. Any defect is an error."""
    _check_address_value(name, value)
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
    if all(_SIMPLE_ADDR.match(i) for i in items):
        return ", ".join(items)
    boxes = _mailboxes(name, items)
    if boxes is not None:
        return _address_field(name, boxes)
    for item in items:
        if len(_addresses_of(name, item)) != 1:
            raise MessageError(f"{name}: {item!r} holds several addresses; pass one address per item")
    return _header(name, ", ".join(items))


def _unstructured(name: str, value: str) -> str | BaseHeader:
    _check_value(name, value)
    if value.isascii():
        return value  # the policy folds long ASCII values itself when writing
    return _header(name, value)  # RFC 2047 encoded-words when written


def _configured(name: str, value: str) -> str | BaseHeader:
    key = name.lower()
    if key in _ADDRESS_HEADERS:
        if _SIMPLE_ADDR.match(value):
            return value
        boxes = _mailboxes(name, _split_list(value))
        if boxes is not None:
            return _address_field(name, boxes)
        _addresses_of(name, value)
        return _header(name, value)
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


@dataclass
class _Built:
    """A part and its wire form: folded headers, and the pieces of the body after the blank line
    (joined once, for the whole message)."""

    part: Any
    head: bytes
    body: list[bytes]
    #: The payloads in it (its own or its parts') that are text as written (7bit), so they may
    #: hold a line like a boundary; quoted-printable writes "=" as "=3D" and base64 has no "_",
    #: so "=_" never occurs in theirs.
    verbatim: tuple[str, ...] = ()


# Quoted-printable by line. binascii.b2a_qp resets its state at every line end (line length, the
# end-of-line whitespace and "." rules look only inside the line), so a body's encoding is the
# concatenation of the encodings of "line\n". Entry per line: (LF payload text, CRLF wire bytes).
# Two generations bound the memory: lines used since the last turnover survive it. Lines that
# carry per-email data (a recipient, a link) miss; the template's own lines hit.
_QPEntry = tuple[str, bytes]
_QP_GENERATION = 2048
_QP_MAX_LINE = 1024  # longer lines are encoded, not cached
_qp_new: dict[str, _QPEntry] = {}
_qp_old: dict[str, _QPEntry] = {}
_FIRST = itemgetter(0)
_SECOND = itemgetter(1)
# The sniff's figures for a line: (length of its quoted-printable with CRLF line ends, UTF-8
# length). Only the first ten lines of a body are sniffed, mostly the template's head.
_sniff_cache: dict[str, tuple[int, int]] = {}


def _qp_encode(line: str) -> _QPEntry:
    lf = binascii.b2a_qp(line.encode("utf-8") + b"\n", istext=True)
    return (lf.decode("ascii"), lf.replace(b"\n", b"\r\n"))


def _qp_line(line: str) -> _QPEntry:
    global _qp_new, _qp_old
    hit = _qp_new.get(line)
    if hit is not None:
        return hit
    hit = _qp_old.get(line)
    if hit is None:
        hit = _qp_encode(line)
        if len(line) > _QP_MAX_LINE:
            return hit
    if len(_qp_new) >= _QP_GENERATION:
        _qp_old, _qp_new = _qp_new, {}
    _qp_new[line] = hit
    return hit


def _sniff_figures(line: str) -> tuple[int, int]:
    raw = line.encode("utf-8")
    # With CRLF in the data b2a_qp writes CRLF line ends and "=\r\n" soft breaks, and a
    # character before "\r\n" may need a soft break that it would not need before "\n".
    return (len(binascii.b2a_qp(raw + b"\r\n", istext=True)), len(raw))


def _sniff_line(line: str) -> tuple[int, int]:
    hit = _sniff_cache.get(line)
    if hit is None:
        hit = _sniff_figures(line)
        if len(line) <= _QP_MAX_LINE:
            if len(_sniff_cache) >= _QP_GENERATION:
                _sniff_cache.clear()
            _sniff_cache[line] = hit
    return hit


# Skeletons: the line structure of bodies seen before. Emails made from one template share most
# of their lines; the lines that carry a recipient or a link differ. A skeleton keeps the runs of
# lines that were equal in the bodies it was learnt from, each run as one string with its encoding,
# so a body of the same template is encoded with one str.startswith per run (a memcmp) and the
# quoted-printable of its few own lines, instead of splitting, hashing and joining every line.
# Correct whatever the skeleton holds: a run is taken only where the body has exactly its lines, a
# "var" entry takes exactly one line of the body and encodes it, and a body that does not end
# where the skeleton ends is encoded line by line (and teaches the skeletons).
_SK_MAX = 32  # skeletons kept, most recently used first (one per template part and language)
_SK_NEW = 8  # of which learnt from one body only
_SK_LEARN_MAX = 32_768  # longer bodies get no skeleton (memory: a skeleton is ~6x its body)
_SNIFF_LINES = 10  # the content manager sniffs the first ten lines


@dataclass(frozen=True)
class _Skeleton:
    #: The lines of the body it was learnt from, and which of them are constant.
    lines: tuple[str, ...]
    static: tuple[bool, ...]
    #: (text of a run of constant lines with their LF ends, its payload, its wire, its line count),
    #: or None for one line of the email's own.
    segments: tuple[tuple[str, str, bytes, int] | None, ...]
    #: What every matching body starts with (up to 16 characters of the first run): a cheap
    #: first test.
    prefix: str
    #: The sniff's figures summed over the constant lines among the first ten.
    sniff_qp: int
    sniff_len: int
    #: How many of the first ten lines the body has (the sniff adds 2 octets of CRLF per line).
    sniff_count: int
    #: The longest constant line (the 7bit rule looks at every line's length).
    static_max: int
    #: Learnt from more than one body.
    refined: bool
    #: The payload and wire pieces of the segments, None for the lines of an email's own, and
    #: where those are.
    payloads: tuple[str | None, ...] = ()
    wires: tuple[bytes | None, ...] = ()
    own_slots: tuple[int, ...] = ()
    #: Per line of the email's own: what was learnt about it (:class:`_OwnLine`) per length of
    #: the line (a recipient's address changes it), at most _OWN_LENGTHS of them. Entries are
    #: replaced whole (atomic), so threads share them.
    own: list[dict[int, _OwnLine]] = field(default_factory=list)
    #: How many times each place has learnt (a new reference line or wider spans).
    learnt: list[int] = field(default_factory=list)


# Replaced as a whole (a tuple), so threads share it without a lock; a lost update only costs a
# later body the line-by-line path.
_skeletons: tuple[_Skeleton, ...] = ()


def _skeleton(lines: list[str], static: list[bool], entries: list[_QPEntry], refined: bool) -> _Skeleton:
    segments: list[tuple[str, str, bytes, int] | None] = []
    start = 0
    n = len(lines)
    for i in range(n + 1):
        if i < n and static[i]:
            continue
        if i > start:
            run = entries[start:i]
            segments.append(
                (
                    "".join([line + "\n" for line in lines[start:i]]),
                    "".join(map(_FIRST, run)),
                    b"".join(map(_SECOND, run)),
                    i - start,
                )
            )
        if i < n:
            segments.append(None)
        start = i + 1
    first = segments[0] if segments else None
    head = [(_sniff_line(line), st) for line, st in zip(lines[:_SNIFF_LINES], static, strict=False)]
    return _Skeleton(
        tuple(lines),
        tuple(static),
        tuple(segments),
        first[0][:16] if first is not None else "",
        sum([q for (q, _), st in head if st]),
        sum([n for (_, n), st in head if st]),
        len(head),
        max([len(line) for line, st in zip(lines, static, strict=True) if st], default=0),
        refined,
        tuple([seg[1] if seg is not None else None for seg in segments]),
        tuple([seg[2] if seg is not None else None for seg in segments]),
        tuple([i for i, seg in enumerate(segments) if seg is None]),
        [{} for seg in segments if seg is None],
        [0 for seg in segments if seg is None],
    )


def _learn(lines: list[str], entries: list[_QPEntry]) -> None:
    """Refine the skeleton of the same template (as many lines, few of its constant ones
    different), or keep a new one."""
    global _skeletons
    if sum(map(len, lines)) > _SK_LEARN_MAX:
        return
    known = list(_skeletons)
    for i, sk in enumerate(known):
        if len(sk.lines) != len(lines):
            continue
        static = list(map(bool.__and__, sk.static, map(str.__eq__, sk.lines, lines)))
        # The same template for another recipient differs in a few lines; another language of
        # it, or another template on the same layout, in many (each one of the email's own
        # would cost a lookup on every use: they get a skeleton of their own).
        if sum(sk.static) - sum(static) <= max(4, len(lines) // 8):
            del known[i]
            _skeletons = (_skeleton(lines, static, entries, True), *known[: _SK_MAX - 1])
            return
    # A body never seen before, or one of a template whose every email differs more (its
    # skeletons never refine): new skeletons are kept on probation, at most _SK_NEW of them.
    fresh = [i for i, sk in enumerate(known) if not sk.refined]
    if len(fresh) >= _SK_NEW:
        del known[fresh[-1]]
    _skeletons = (_skeleton(lines, [True] * len(lines), entries, False), *known[: _SK_MAX - 1])


# An email's own line, quoted-printable encoded by way of the line seen before it at the same
# place. The lines of an email's own are mostly the template's text around values of a fixed
# length (a token in a link, twice when the link is also its text; a code): when a line has the
# length of the one before and differs from it only inside the spans learnt so far, and each
# span is printable ASCII in both with "=" at the same places, every character of the two lines
# is of the same kind (copied, or written as =XX) at the same place, so binascii.b2a_qp takes
# the same decisions for both (it looks at a character's kind, the column, and whether the line
# ends after it): the same soft line breaks, the same output around the spans, and the spans'
# characters copied. A span may end the line only with a character that b2a_qp copies there too
# (not whitespace or "."). Each character of a span is then a copy of the email's own, instead
# of running b2a_qp over all of its line.

# Bounds: per skeleton, the first _OWN_PLACES places of an email's own line, lines of at most
# _QP_MAX_LINE characters, _OWN_LENGTHS lengths per place (a recipient's address changes it);
# an entry holds ~4 copies of its line, so a skeleton ~256 KB at most.
_OWN_PLACES = 16
_OWN_LENGTHS = 4
# A place that has learnt this often holds values that change length or place (an address of
# any length): learning there costs more than it saves, so it stops (lines take b2a_qp).
_OWN_LEARN_MAX = 32
_SPAN_GAP = 8  # differing characters closer than this make one span
# Per span: (start, end, whether it ends the line, its pieces (from, to, what b2a_qp writes
# after them: "=3D" or a soft break; () when written as it is), the places of "=" in it,
# whether a soft break falls in it).
_Span = tuple[int, int, bool, tuple[tuple[int, int, str], ...], tuple[int, ...], bool]
# (the spans, the payload and the wire around them, the sniff's figures)
_Fast = tuple[tuple[_Span, ...], tuple[str, ...], tuple[bytes, ...], int, int]


class _OwnLine:
    """The reference line at one own-line place of a skeleton (per length), where the lines seen
    there differed from it, and (when the spans allow it) the reference's encoding around them."""

    __slots__ = ("checks", "diff", "fast", "line")

    def __init__(self, line: str, diff: tuple[int, ...]) -> None:
        self.line = line
        self.diff = diff  # the places (characters) where lines of this length differed
        self.fast: _Fast | None = None
        spans: list[list[int]] = []
        for i in diff:
            if spans and i - spans[-1][1] < _SPAN_GAP:
                spans[-1][1] = i + 1
            else:
                spans.append([i, i + 1])
        # The text outside the spans, and where it is: a line that has it differs from this one
        # only where lines seen before did.
        ends = [0, *[i for span in spans for i in span], len(line)]
        self.checks = tuple([(ends[i], line[ends[i] : ends[i + 1]]) for i in range(0, len(ends), 2)])
        if not diff or len(diff) > len(line) // 2:
            return
        n = len(line)
        raw = line.encode("utf-8")
        mapped = _qp_map(raw)
        if mapped is None:
            return
        out, at = mapped
        outs: list[str] = []
        done: list[_Span] = []
        prev_out = 0
        cost = 0
        for start, end in spans:
            span = line[start:end]
            if not _plain_span(span, end == n) or (end < n and line[end] == "\0"):
                return  # ("." before NUL is written =2E at the start of an output line)
            b_start = len(line[:start].encode("utf-8"))
            b_end = b_start + (end - start)
            o_start = at[b_start]
            o_end = at[b_end] if b_end < len(raw) else len(out) - 1
            pieces: list[tuple[int, int, str]] = []
            a = 0
            pos = o_start
            for i, ch in enumerate(span):
                o = at[b_start + i]
                if o != pos:  # a soft break before this character
                    pieces.append((a, i, out[pos:o]))
                    a = i
                if ch == "=":
                    pieces.append((a, i, "=3D"))
                    a = i + 1
                    pos = o + 3
                else:
                    pos = o + 1
            pieces.append((a, len(span), out[pos:o_end]))
            mid = "".join([span[x:y] + lit for x, y, lit in pieces])
            if mid != out[o_start:o_end]:  # pragma: no cover - the mapping is b2a_qp's output
                return
            if mid != span:
                cost += len(pieces)
            outs.append(out[prev_out:o_start])
            done.append(
                (
                    start,
                    end,
                    end == n,
                    tuple(pieces) if mid != span else (),
                    tuple([i for i, ch in enumerate(span) if ch == "="]),
                    "\n" in mid,
                )
            )
            prev_out = o_end
        if cost > 1 + n // 128:
            return  # so many pieces cost more than b2a_qp on the whole line
        outs.append(out[prev_out:])
        self.fast = (
            tuple(done),
            tuple(outs),
            tuple([piece.replace("\n", "\r\n").encode("ascii") for piece in outs]),
            *_sniff_figures(line),
        )


def _plain_span(span: str, ends_line: bool) -> bool:
    # Characters b2a_qp writes as they are wherever they are in a line, or "=" (always =3D):
    # printable ASCII. At the line's end it encodes whitespace, and a "." alone at the start of
    # an output line.
    return str.isascii(span) and str.isprintable(span) and not (ends_line and span[-1] in " .")


def _qp_map(raw: bytes) -> tuple[str, list[int]] | None:
    """binascii.b2a_qp(raw + b"\n", istext=True) as text, and where the output of each byte of
    ``raw`` (one line) starts; None when that does not come out as b2a_qp's own output."""
    out: list[str] = []
    at: list[int] = []
    size = 0
    col = 0
    n = len(raw)
    for i, c in enumerate(raw):
        last = i == n - 1
        if c > 126 or c == 61 or (c < 32 and c != 9) or (c == 46 and col == 0 and (last or raw[i + 1] == 0)):
            if col + 3 >= 76:
                out.append("=\n")
                size += 2
                col = 0
            at.append(size)
            out.append(f"={c:02X}")
            size += 3
            col += 3
        else:
            if not last and col + 1 >= 76:
                out.append("=\n")
                size += 2
                col = 0
            at.append(size)
            out.append(chr(c))
            size += 1
            col += 1
    if out and out[-1] in (" ", "\t"):
        out[-1] = "=20" if out[-1] == " " else "=09"
    text = "".join(out) + "\n"
    if text.encode("ascii") != binascii.b2a_qp(raw + b"\n", istext=True):
        return None
    return text, at


def _common_ends(a: str, b: str) -> tuple[int, int]:
    """For equal lengths: where ``a`` and ``b`` start to differ, and where they are equal again
    to the end (binary searches on ``startswith``/``endswith``: C comparisons)."""
    lo, hi = 0, len(a)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a.startswith(b[:mid]):
            lo = mid
        else:
            hi = mid - 1
    start = lo
    lo, hi = 0, len(a) - start
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a.endswith(b[len(b) - mid :]):
            lo = mid
        else:
            hi = mid - 1
    return start, len(a) - lo


def _own_line(sk: _Skeleton, k: int, line: str, sniffed: bool) -> tuple[str, bytes, int, int]:
    """(payload, wire, the sniff's figures if ``sniffed``) of the ``k``-th line of an email's own
    along ``sk``."""
    by_length = sk.own[k]
    known = by_length.get(len(line))
    outside = True  # the line differs from the reference outside the spans
    fast = None
    if known is not None:
        for at, same in known.checks:
            if not line.startswith(same, at):
                break
        else:
            outside = False
            fast = known.fast
    if fast is not None:
        spans, outs, wouts, q, n = fast
        payload = [outs[0]]
        wire = [wouts[0]]
        for j, (start, end, at_end, pieces, eqs, breaks) in enumerate(spans, 1):
            span = line[start:end]
            # The span's characters are of the same kind as the reference's (see above).
            if not (
                span.isascii()
                and span.isprintable()
                and (
                    span.count("=") == len(eqs) and all([span[i] == "=" for i in eqs])
                    if eqs
                    else "=" not in span
                )
                and not (at_end and span[-1] in " .")
            ):
                break
            if pieces:
                span = "".join([span[x:y] + lit for x, y, lit in pieces])
            data = span.encode("ascii")
            payload += (span, outs[j])
            wire += (data.replace(b"\n", b"\r\n") if breaks else data, wouts[j])
        else:
            return "".join(payload), b"".join(wire), q, n
    # An email's own lines are personal: encoded, and not cached (they would only push the
    # template's lines out); one that recurs may still be found among those.
    payload_text, wire_bytes = _qp_new.get(line) or _qp_encode(line)
    q, n = (_sniff_cache.get(line) or _sniff_figures(line)) if sniffed else (0, 0)
    if k >= _OWN_PLACES or len(line) > _QP_MAX_LINE or sk.learnt[k] >= _OWN_LEARN_MAX:
        return payload_text, wire_bytes, q, n
    if known is None:
        if len(by_length) >= _OWN_LENGTHS:
            by_length.clear()
        by_length[len(line)] = _OwnLine(line, ())
        sk.learnt[k] += 1
    elif outside and line != known.line:
        ref = known.line
        start, end = _common_ends(ref, line)
        diff = sorted({*known.diff, *[i for i in range(start, end) if ref[i] != line[i]]})
        if len(diff) != len(known.diff):
            by_length[len(line)] = _OwnLine(ref, tuple(diff))
            sk.learnt[k] += 1
    return payload_text, wire_bytes, q, n


def _by_skeleton(text: str, sk: _Skeleton) -> tuple[int, int, int, list[str], list[bytes]] | None:
    """(the sniff's figures, the longest line, payload pieces, wire pieces) of ``text`` (LF line
    ends, ending in LF) along ``sk``; None when the body is not made of the skeleton's constant
    lines."""
    # First the constant runs (cheap, and most non-matching skeletons fail on the first one),
    # then the body's own lines are encoded.
    own: list[int] = []  # (start, end, line number) of each
    pos = 0
    index = 0
    for seg in sk.segments:
        if seg is not None:
            if not text.startswith(seg[0], pos):
                return None
            pos += len(seg[0])
            index += seg[3]
        else:
            end = text.find("\n", pos)
            if end < 0:
                return None
            own += (pos, end, index)
            pos = end + 1
            index += 1
    if pos != len(text):
        return None
    payload = list(sk.payloads)
    wire = list(sk.wires)
    qp, raw = sk.sniff_qp, sk.sniff_len
    longest = sk.static_max
    for k, slot in enumerate(sk.own_slots):
        start, end, index = own[3 * k : 3 * k + 3]
        sniffed = index < _SNIFF_LINES
        payload[slot], wire[slot], q, n = _own_line(sk, k, text[start:end], sniffed)
        if end - start > longest:
            longest = end - start
        if sniffed:
            qp += q
            raw += n
    return qp, raw, longest, cast("list[str]", payload), cast("list[bytes]", wire)


def _qp_or_base64(qp_len: int, raw_len: int, count: int) -> bool:
    """The content manager's choice on the sniffed lines: True for base64 (quoted-printable of
    the lines with CRLF ends would be longer than their base64)."""
    sniff_len = raw_len + 2 * count
    return qp_len > 4 * -(-sniff_len // 3) + 1  # binascii.b2a_base64 adds a newline


def _base64_body(lines: list[str]) -> tuple[str, str, list[bytes]]:
    payload = base64.encodebytes("\r\n".join(lines).encode("utf-8") + b"\r\n").decode("ascii")
    return "base64", payload, [payload.replace("\n", "\r\n").encode("ascii")]


def _encode_text(text: str) -> tuple[str, str, list[bytes]]:
    """(cte, payload, wire body) by the rule of ``email.contentmanager._encode_text`` (7bit policy).

    The payload ends lines with LF, as ``set_content`` stores it; the wire body is what the
    generator writes for it (CRLF line ends), in pieces: they are joined once, for the whole
    message.
    """
    global _skeletons
    text = str.__str__(text)  # a subclass's methods are not asked (isascii() must not lie)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n") and text:
        text += "\n"  # the same lines (a last line without its end is encoded with one)
    if text:
        # The skeletons of bodies seen before, most recently used first.
        known = _skeletons
        for i, sk in enumerate(known):
            if not text.startswith(sk.prefix):
                continue
            done = _by_skeleton(text, sk)
            if done is None:
                continue
            if i:
                _skeletons = (sk, *known[:i], *known[i + 1 :])
            qp, raw, longest, payload, wire = done
            if text.isascii() and longest <= _MAX_LINE:
                return "7bit", text, [text.replace("\n", "\r\n").encode("ascii")]
            if _qp_or_base64(qp, raw, sk.sniff_count):
                return _base64_body(text[:-1].split("\n"))
            return "quoted-printable", "".join(payload), wire
    lines = text.split("\n")
    if not lines[-1]:
        lines.pop()
    if text.isascii() and max(map(len, lines), default=0) <= _MAX_LINE:
        return "7bit", "\n".join(lines) + "\n", ["\r\n".join(lines).encode("ascii") + b"\r\n"]
    # The sniff: the first ten lines in canonical form (CRLF line ends, RFC 2046 §4.1.1), encoded
    # both ways; the content manager picks base64 when quoted-printable comes out longer.
    head = [_sniff_line(line) for line in lines[:_SNIFF_LINES]]
    if _qp_or_base64(sum([q for q, _ in head]), sum([n for _, n in head]), len(head)):
        return _base64_body(lines)
    # Cache hits looked up in one C loop; the misses then one by one.
    found: list[_QPEntry | None] = list(map(_qp_new.get, lines))
    if None in found:
        found = [e if e is not None else _qp_line(line) for e, line in zip(found, lines, strict=True)]
    done_lines = cast("list[_QPEntry]", found)
    _learn(lines, done_lines)
    return "quoted-printable", "".join(map(_FIRST, done_lines)), list(map(_SECOND, done_lines))


def _text_part(text: str, html: bool) -> _Built:
    cte, payload, wire = _encode_text(text)
    part = _new_part(
        [("Content-Type", _CT_HTML if html else _CT_PLAIN), ("Content-Transfer-Encoding", _CTE[cte])], payload
    )
    return _Built(part, _CT_WIRE[html] + _CTE_WIRE[cte], wire, (payload,) if cte == "7bit" else ())


def _multipart(subtype: str, parts: list[_Built]) -> _Built:
    # "=_" never occurs in quoted-printable (it writes "=" as "=3D") or base64 output, and 7bit text
    # parts, nested ones too, are searched below, so the generator need not scan the body for a
    # free boundary.
    boundary = "=_" + secrets.token_hex(16)
    verbatim = tuple([text for p in parts for text in p.verbatim])
    if any(boundary in text for text in verbatim):  # pragma: no cover - 2**-128
        return _multipart(subtype, parts)
    mp = _new_part([("Content-Type", f'multipart/{subtype}; boundary="{boundary}"')], [p.part for p in parts])
    # Generator._handle_multipart: no preamble, "--boundary", the parts separated by
    # "\r\n--boundary\r\n", then "\r\n--boundary--\r\n"; no epilogue.
    delim = b"--" + boundary.encode("ascii")
    body = [delim + b"\r\n"]
    between = b"\r\n" + delim + b"\r\n"
    for i, p in enumerate(parts):
        if i:
            body.append(between)
        body += [p.head, b"\r\n", *p.body]
    body.append(b"\r\n" + delim + b"--\r\n")
    return _Built(mp, _multipart_ct_wire(subtype, boundary), body, verbatim)


def _body(text: str, html: str | None, images: Sequence[InlineImage]) -> _Built:
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


def _attachment(att: Attachment) -> _Built:
    return _binary_part(att.content, att.content_type, "attachment", att.filename)


def _binary_part(
    content: bytes, content_type: str, disposition: str, filename: str | None, cid: str | None = None
) -> _Built:
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise MessageError(f"{disposition} content must be bytes, got {type(content).__name__}")
    _check_value("Content-Type", content_type)
    if not _MIME_TYPE.match(content_type):
        raise MessageError(f"Content-Type: {content_type!r} is not a MIME type (type/subtype)")
    # Built with compat32, which stores values as given (add_header writes RFC 2231
    # filename*=utf-8''... for non-ASCII names), then given our policy.
    part = EmailMessage(policy=_policy.compat32)
    part["Content-Type"] = content_type.lower()
    part["Content-Transfer-Encoding"] = "base64"
    if filename is not None:
        _check_value("Content-Disposition", filename)
        if not filename:
            raise MessageError("Content-Disposition: the file name is empty")
        part.add_header("Content-Disposition", disposition, filename=filename)
    else:
        part["Content-Disposition"] = disposition
    if cid is not None:
        part["Content-ID"] = f"<{cid}>"
    payload = base64.encodebytes(bytes(content)).decode("ascii")
    part.set_payload(payload)
    part.policy = MESSAGE_POLICY
    head = b"".join([_fold(n, v) for n, v in part.raw_items()])
    return _Built(part, head, [payload.replace("\n", "\r\n").encode("ascii")])

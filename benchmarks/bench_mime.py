"""MIME building + serialisation: the stdlib EmailMessage path, legacy email.mime, and ours (with the
bytes written while building, and with the stdlib generator writing the same message).

Same input for all: the recovery email of ``tests/fixtures/emails/recovery.html`` after
css-inline, and its plaintext from ``mailtemplates.plaintext``. Each benchmark builds the message
with From (display name), To, Subject, Date and Message-ID and calls ``as_bytes()``.
Run: ``.venv/bin/python benchmarks/bench_mime.py``.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid

import _roundrobin as rr

from mailtemplates.inline import get_inliner
from mailtemplates.mime import MESSAGE_POLICY, build_message
from mailtemplates.plaintext import html_to_text

SUBJECT = "Recover access to your account"


def main() -> None:
    args = rr.options(__doc__ or "")
    html = get_inliner().inline(rr.FIXTURE.read_text(encoding="utf-8"))
    text = html_to_text(html)

    def stdlib() -> bytes:
        m = EmailMessage(policy=MESSAGE_POLICY)
        m["From"] = Address("Example", addr_spec="no-reply@example.com")
        m["To"] = "jane.doe@example.org"
        m["Subject"] = SUBJECT
        m["Date"] = format_datetime(datetime.now(timezone.utc))
        m["Message-ID"] = make_msgid(domain="example.com")
        m.set_content(text)
        m.add_alternative(html, subtype="html")
        return m.as_bytes()

    def legacy() -> bytes:
        m = MIMEMultipart("alternative")
        m["From"] = "Example <no-reply@example.com>"
        m["To"] = "jane.doe@example.org"
        m["Subject"] = SUBJECT
        m["Date"] = format_datetime(datetime.now(timezone.utc))
        m["Message-ID"] = make_msgid(domain="example.com")
        m.attach(MIMEText(text, "plain", "utf-8"))
        m.attach(MIMEText(html, "html", "utf-8"))
        return m.as_bytes()

    def ours() -> bytes:
        return build_message(
            subject=SUBJECT,
            text=text,
            html=html,
            from_address="no-reply@example.com",
            from_name="Example",
            to="jane.doe@example.org",
        ).as_bytes()

    def ours_generator() -> bytes:
        # The same message written by the stdlib generator instead of the bytes built with it.
        msg = build_message(
            subject=SUBJECT,
            text=text,
            html=html,
            from_address="no-reply@example.com",
            from_name="Example",
            to="jane.doe@example.org",
        )
        buf = io.BytesIO()
        BytesGenerator(buf, mangle_from_=False, policy=msg.policy).flatten(msg)
        return buf.getvalue()

    print(
        f"html {len(html.encode()):,} B, text {len(text.encode()):,} B; message bytes: "
        f"stdlib {len(stdlib()):,}, legacy {len(legacy()):,}, ours {len(ours()):,}"
    )
    samples = rr.run(
        {
            "mailtemplates.mime.build_message": ours,
            "build_message, bytes from BytesGenerator": ours_generator,
            "EmailMessage + set_content (stdlib)": stdlib,
            "email.mime legacy (base64 bodies)": legacy,
        },
        args.rounds,
        args.slice,
    )
    rr.report(samples, baseline="mailtemplates.mime.build_message")


if __name__ == "__main__":
    main()

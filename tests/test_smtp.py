"""mailtemplates.smtp against a real aiosmtpd server on 127.0.0.1, with trustme certificates.

Expected behaviour comes from kratos-spec.md §3.2 (courier/smtp.go) and ory/mail's Dialer (smtp.go):
STARTTLS mandatory for smtp:// unless disable_starttls, implicit TLS for smtps://, skip_ssl_verify,
server_name as SNI and verification name, TLS >= 1.2, local_name as the EHLO name.
"""

from __future__ import annotations

import ipaddress
import pickle
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from mailtemplates.errors import SendError, SMTPConfigError
from mailtemplates.mime import build_message
from mailtemplates.smtp import (
    SMTPConfig,
    SMTPConnection,
    SMTPSendError,
    build_ssl_context,
    parse_connection_uri,
    send,
)

smtp = pytest.mark.smtp
PASSWORD = "s3cr3t-Pa55"  # must never show up in an error message


# -- server harness ----------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    helo: str | None
    tls_version: str | None
    peercert: dict[str, Any] | None


@dataclass
class Recorder:
    refuse_rcpt: set[str] = field(default_factory=set)
    data_reply: str = "250 2.0.0 Ok: queued as 7E57"
    received: list[Received] = field(default_factory=list)
    logins: list[tuple[str, bytes, bytes]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse_rcpt:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        sslobj = server.transport.get_extra_info("ssl_object")
        self.received.append(
            Received(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                data=envelope.original_content,
                helo=session.host_name,
                tls_version=sslobj.version() if sslobj else None,
                peercert=sslobj.getpeercert() if sslobj else None,
            )
        )
        return self.data_reply

    def authenticator(self, accept: bool) -> Any:
        def check(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
            assert isinstance(auth_data, LoginPassword)
            self.logins.append((mechanism, auth_data.login, auth_data.password))
            return AuthResult(success=accept, handled=False)  # handled=False: aiosmtpd replies 535

        return check


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextmanager
def server(
    recorder: Recorder | None = None,
    *,
    host: str = "127.0.0.1",
    implicit: ssl.SSLContext | None = None,
    **smtp_kwargs: Any,
) -> Iterator[tuple[Recorder, int]]:
    rec = recorder or Recorder()
    port = _free_port(host)
    controller = Controller(
        rec, hostname=host, port=port, ssl_context=implicit, server_hostname="mx.test", **smtp_kwargs
    )
    controller.start()
    try:
        yield rec, port
    finally:
        controller.stop()


# ca and ca_file: fixtures of conftest.py


def server_tls(ca: trustme.CA, *names: str, sni: list[str] | None = None) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(ctx)
    if sni is not None:
        ctx.sni_callback = lambda sslobj, name, context: sni.append(name)  # type: ignore[assignment,misc]
    return ctx


def message(**kw: Any) -> EmailMessage:
    args: dict[str, Any] = {
        "subject": "Recover access to your account",
        "text": "Hi Jane,\n\nuse code 482915.\n.\n.a line that starts with a dot\n",
        "html": "<p>Hi Jane,</p><p>use code <b>482915</b>.</p>",
        "from_address": "no-reply@example.com",
        "from_name": "Example",
        "to": "jane.doe@example.org",
    }
    args.update(kw)
    return build_message(**args)


def send_error(msg: EmailMessage, config: str | SMTPConfig) -> SMTPSendError:
    with pytest.raises(SMTPSendError) as err:
        send(msg, config)
    return err.value


# -- the six security modes --------------------------------------------------------------------


@smtp
def test_starttls_required_upgrades_and_verifies(ca: trustme.CA, ca_file: str) -> None:
    with server(tls_context=server_tls(ca, "127.0.0.1")) as (rec, port):
        result = send(message(), parse_connection_uri(f"smtp://127.0.0.1:{port}/", ca_file=ca_file))
    assert result.tls_version is not None and result.tls_version in ("TLSv1.2", "TLSv1.3")
    assert [r.tls_version for r in rec.received] == [result.tls_version]
    assert (result.code, result.text) == (250, "2.0.0 Ok: queued as 7E57")


@smtp
def test_starttls_required_but_not_offered_fails_before_auth(ca_file: str) -> None:
    with server() as (rec, port):  # no tls_context: the server does not offer STARTTLS
        uri = f"smtp://jane:{PASSWORD}@127.0.0.1:{port}/"
        e = send_error(message(), parse_connection_uri(uri, ca_file=ca_file))
    assert (e.stage, e.code) == ("tls", None)
    assert "does not offer STARTTLS" in str(e)
    assert "disable_starttls=true" in str(e)
    assert PASSWORD not in str(e)
    assert rec.received == [] and rec.logins == []


@smtp
def test_disable_starttls_sends_in_cleartext() -> None:
    with server() as (rec, port):
        result = send(message(), f"smtp://127.0.0.1:{port}/?disable_starttls=true")
    assert result.tls_version is None
    assert [r.tls_version for r in rec.received] == [None]


@smtp
def test_disable_starttls_still_upgrades_when_offered_like_ory_mail(ca: trustme.CA, ca_file: str) -> None:
    # No TLS config means ory/mail's default OpportunisticStartTLS policy (spec §3.2).
    with server(tls_context=server_tls(ca, "127.0.0.1")) as (rec, port):
        cfg = parse_connection_uri(f"smtp://127.0.0.1:{port}/?disable_starttls=true", ca_file=ca_file)
        result = send(message(), cfg)
    assert result.tls_version is not None
    assert rec.received[0].tls_version == result.tls_version


@smtp
def test_smtps_uses_implicit_tls(ca: trustme.CA, ca_file: str) -> None:
    with server(implicit=server_tls(ca, "127.0.0.1")) as (rec, port):
        result = send(message(), parse_connection_uri(f"smtps://127.0.0.1:{port}/", ca_file=ca_file))
    assert result.tls_version is not None
    assert rec.received[0].tls_version == result.tls_version


@smtp
def test_untrusted_certificate_fails_verification() -> None:
    untrusted = trustme.CA()  # not in the system store, no ca_file given
    with server(tls_context=server_tls(untrusted, "127.0.0.1")) as (rec, port):
        e = send_error(message(), f"smtp://127.0.0.1:{port}/")
    assert e.stage == "tls"
    assert "failed verification" in str(e)
    assert rec.received == []


@smtp
def test_skip_ssl_verify_accepts_an_untrusted_certificate() -> None:
    untrusted = trustme.CA()
    with server(tls_context=server_tls(untrusted, "127.0.0.1")) as (rec, port):
        result = send(message(), f"smtp://127.0.0.1:{port}/?skip_ssl_verify=true")
    assert result.tls_version is not None
    assert len(rec.received) == 1


@smtp
def test_server_name_is_sni_and_verification_name(ca: trustme.CA, ca_file: str) -> None:
    sni: list[str] = []
    ctx = server_tls(ca, "mail.example.test", sni=sni)  # the certificate does not name 127.0.0.1
    with server(tls_context=ctx) as (rec, port):
        e = send_error(message(), parse_connection_uri(f"smtp://127.0.0.1:{port}/", ca_file=ca_file))
        assert e.stage == "tls"
        assert "'127.0.0.1'" in str(e)
        uri = f"smtp://127.0.0.1:{port}/?server_name=mail.example.test"
        result = send(message(), parse_connection_uri(uri, ca_file=ca_file))
    assert result.tls_version is not None
    assert sni[-1] == "mail.example.test"
    assert len(rec.received) == 1


# -- authentication ------------------------------------------------------------------------------


@smtp
def test_auth_rejected_raises_send_error_with_server_reply(ca: trustme.CA, ca_file: str) -> None:
    rec = Recorder()
    with server(rec, tls_context=server_tls(ca, "127.0.0.1"), authenticator=rec.authenticator(False)) as (
        _,
        port,
    ):
        e = send_error(
            message(), parse_connection_uri(f"smtp://jane:{PASSWORD}@127.0.0.1:{port}/", ca_file=ca_file)
        )
    assert isinstance(e, SendError)  # the package's error tree
    assert (e.stage, e.code, e.permanent) == ("auth", 535, True)
    assert e.text == "5.7.8 Authentication credentials invalid"  # aiosmtpd's 535 reply
    assert PASSWORD not in str(e)
    assert rec.logins == [("PLAIN", b"jane", PASSWORD.encode())]
    assert rec.received == []
    clone = pickle.loads(pickle.dumps(e))
    assert (str(clone), clone.code, clone.text, clone.stage) == (str(e), e.code, e.text, e.stage)


@smtp
def test_auth_login_with_percent_encoded_user_and_password(ca: trustme.CA, ca_file: str) -> None:
    rec = Recorder()
    with server(rec, tls_context=server_tls(ca, "127.0.0.1"), authenticator=rec.authenticator(True)) as (
        _,
        port,
    ):
        uri = f"smtp://some-user%40mailgun.example.org:p%40ss%2Fw%3Ard%25@127.0.0.1:{port}/"
        result = send(message(), parse_connection_uri(uri, ca_file=ca_file))
    assert result.auth_mechanism == "PLAIN"
    assert rec.logins == [("PLAIN", b"some-user@mailgun.example.org", b"p@ss/w:rd%")]
    assert len(rec.received) == 1


@smtp
def test_cleartext_auth_is_allowed_to_a_loopback_address() -> None:
    rec = Recorder()
    with server(rec, auth_require_tls=False, authenticator=rec.authenticator(True)) as (_, port):
        result = send(message(), f"smtp://jane:{PASSWORD}@127.0.0.1:{port}/?disable_starttls=true")
    assert (result.tls_version, result.auth_mechanism) == (None, "PLAIN")
    assert rec.logins == [("PLAIN", b"jane", PASSWORD.encode())]


def _non_loopback_address() -> str | None:
    # The address this host would use towards TEST-NET-1; a UDP connect sends nothing.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
        except OSError:
            return None
        addr = str(s.getsockname()[0])
    return None if ipaddress.ip_address(addr).is_loopback else addr


@smtp
def test_cleartext_auth_to_a_remote_address_is_refused() -> None:
    host = _non_loopback_address()
    if host is None:
        pytest.skip("this machine has no non-loopback IPv4 address to listen on")
    rec = Recorder()
    with server(rec, host=host, auth_require_tls=False, authenticator=rec.authenticator(True)) as (_, port):
        e = send_error(message(), f"smtp://jane:{PASSWORD}@{host}:{port}/?disable_starttls=true")
    assert e.stage == "auth"
    assert "refusing to send the password in cleartext" in str(e)
    assert PASSWORD not in str(e)
    assert rec.logins == [] and rec.received == []


@smtp
def test_credentials_are_skipped_when_the_server_offers_no_auth(ca: trustme.CA, ca_file: str) -> None:
    # ory/mail Dial: `if ok, auths := c.Extension("AUTH"); ok { ... }`, otherwise no AUTH at all.
    # (aiosmtpd advertises AUTH only after STARTTLS, so over implicit TLS it offers none.)
    with server(implicit=server_tls(ca, "127.0.0.1")) as (rec, port):
        result = send(
            message(), parse_connection_uri(f"smtps://jane:{PASSWORD}@127.0.0.1:{port}/", ca_file=ca_file)
        )
    assert result.auth_mechanism is None
    assert len(rec.received) == 1


@smtp
def test_client_certificate_is_presented(ca: trustme.CA, ca_file: str, tmp_path: Path) -> None:
    client = ca.issue_cert("courier.example.test")
    cert, key = tmp_path / "client.pem", tmp_path / "client.key"
    client.cert_chain_pems[0].write_to_path(str(cert))
    client.private_key_pem.write_to_path(str(key))
    ctx = server_tls(ca, "127.0.0.1")
    ctx.verify_mode = ssl.CERT_OPTIONAL
    ca.configure_trust(ctx)
    with server(tls_context=ctx) as (rec, port):
        uri = f"smtp://127.0.0.1:{port}/"
        send(message(), parse_connection_uri(uri, ca_file=ca_file))
        cfg = parse_connection_uri(uri, ca_file=ca_file, client_cert_path=str(cert), client_key_path=str(key))
        send(message(), cfg)
    without, with_cert = (r.peercert for r in rec.received)
    assert not without
    assert with_cert and ("DNS", "courier.example.test") in with_cert["subjectAltName"]


# -- what arrives ------------------------------------------------------------------------------


def _shape(raw: bytes) -> list[tuple[str, str | None]]:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    out: list[tuple[str, str | None]] = []
    for part in msg.walk():
        content = None if part.is_multipart() else part.get_content().replace("\r\n", "\n")
        out.append((part.get_content_type(), content))
    return out


@smtp
def test_received_bytes_parse_back_to_the_same_message(ca: trustme.CA, ca_file: str) -> None:
    msg = message(headers={"Bcc": "archive@example.com", "X-Tenant": "acme"})
    with server(tls_context=server_tls(ca, "127.0.0.1")) as (rec, port):
        cfg = parse_connection_uri(
            f"smtp://127.0.0.1:{port}/", ca_file=ca_file, local_name="courier.example.test"
        )
        result = send(msg, cfg)
    [got] = rec.received
    assert got.helo == "courier.example.test"
    assert got.mail_from == result.envelope_from == "no-reply@example.com"
    assert got.rcpt_tos == ["jane.doe@example.org", "archive@example.com"]
    assert b"archive@example.com" not in got.data  # Bcc is envelope-only
    assert _shape(got.data) == _shape(msg.as_bytes())
    assert [p[0] for p in _shape(got.data)] == ["multipart/alternative", "text/plain", "text/html"]
    parsed = BytesParser(policy=policy.default).parsebytes(got.data)
    for name in ("From", "To", "Subject", "Date", "Message-ID", "X-Tenant"):
        assert parsed[name] == msg[name]
    # The lines starting with "." came through SMTP dot-stuffing intact.
    assert "\n.\n.a line that starts with a dot\n" in _shape(got.data)[1][1]  # type: ignore[operator]


@smtp
def test_refused_recipient_fails_the_send(ca: trustme.CA, ca_file: str) -> None:
    rec = Recorder(refuse_rcpt={"nobody@example.org"})
    with server(rec, tls_context=server_tls(ca, "127.0.0.1")) as (_, port):
        cfg = parse_connection_uri(f"smtp://127.0.0.1:{port}/", ca_file=ca_file)
        e = send_error(message(to=["jane.doe@example.org", "nobody@example.org"]), cfg)
    assert (e.stage, e.code, e.permanent) == ("rcpt", 550, True)
    assert "nobody@example.org" in str(e)
    assert rec.received == []


@smtp
def test_refused_data_reports_code_and_text(ca: trustme.CA, ca_file: str) -> None:
    rec = Recorder(data_reply="451 4.7.1 Try again later")
    with server(rec, tls_context=server_tls(ca, "127.0.0.1")) as (_, port):
        e = send_error(message(), parse_connection_uri(f"smtp://127.0.0.1:{port}/", ca_file=ca_file))
    assert (e.stage, e.code, e.text, e.permanent) == ("data", 451, "4.7.1 Try again later", False)


@smtp
def test_silent_server_times_out() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    accepted: list[socket.socket] = []
    t = threading.Thread(target=lambda: accepted.append(listener.accept()[0]))
    t.start()
    try:
        port = listener.getsockname()[1]
        cfg = parse_connection_uri(f"smtp://127.0.0.1:{port}/", timeout=0.3)
        with pytest.raises(SMTPSendError) as err:
            send(message(), cfg)
    finally:
        t.join()
        for s in accepted:
            s.close()
        listener.close()
    assert err.value.stage == "connect"
    assert "did not answer within 0.3 s" in str(err.value)


def test_connect_timeout_is_separate_from_the_socket_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []

    def unreachable(address: tuple[str, int], timeout: float, *args: object) -> socket.socket:
        seen.append((address, timeout))
        raise TimeoutError("timed out")

    monkeypatch.setattr(socket, "create_connection", unreachable)
    cfg = parse_connection_uri("smtp://mail.example.test:587/", connect_timeout=2.5, timeout=30)
    e = send_error(message(), cfg)
    assert seen == [(("mail.example.test", 587), 2.5)]
    assert (e.stage, str(e)) == ("connect", "mail.example.test:587 did not answer within 2.5 s (connect)")


@smtp
def test_connection_refused() -> None:
    port = _free_port()  # nothing listens there any more
    with pytest.raises(SMTPSendError) as err:
        send(message(), f"smtp://127.0.0.1:{port}/")
    assert err.value.stage == "connect"
    assert f"127.0.0.1:{port}" in str(err.value)


# -- connection URI parsing (no server) ------------------------------------------------------------


def test_uri_fields_and_kratos_defaults() -> None:
    cfg = parse_connection_uri(f"smtp://some-user%40mailgun.example.org:{PASSWORD}@smtp.example.org:587/")
    assert (cfg.host, cfg.port, cfg.security) == ("smtp.example.org", 587, "starttls")
    assert (cfg.username, cfg.password) == ("some-user@mailgun.example.org", PASSWORD)
    assert (cfg.local_name, cfg.skip_ssl_verify, cfg.server_name) == ("localhost", False, None)
    assert (cfg.connect_timeout, cfg.timeout) == (10.0, 10.0)  # ory/mail's 10 s
    assert PASSWORD not in repr(cfg)
    assert parse_connection_uri("smtps://smtp.example.org:465").security == "tls"
    assert parse_connection_uri("smtp://h:25/?disable_starttls=true").security == "opportunistic"
    cfg = parse_connection_uri("smtps://h:465/?skip_ssl_verify=True&server_name=mx.example.org")
    assert (cfg.skip_ssl_verify, cfg.server_name) == (True, "mx.example.org")


@pytest.mark.parametrize(
    "value,expected",
    [
        ("1", True),
        ("t", True),
        ("TRUE", True),
        ("True", True),
        ("0", False),
        ("f", False),
        ("FALSE", False),
        ("false", False),
    ],
)
def test_booleans_use_go_parsebool_spellings(value: str, expected: bool) -> None:
    assert parse_connection_uri(f"smtp://h:25/?skip_ssl_verify={value}").skip_ssl_verify is expected


@pytest.mark.parametrize(
    "uri,fragment",
    [
        ("", "is empty"),
        (f"http://u:{PASSWORD}@h:25/", "must start with smtp:// or smtps://"),
        (f"smtp://u:{PASSWORD}@:25/", "has no host"),
        (f"smtp://u:{PASSWORD}@h/", "has no port"),
        (f"smtp://u:{PASSWORD}@h:port/", "not a number"),
        (f"smtp://u:{PASSWORD}@h:99999/", "not a number"),
        (f"smtp://u:{PASSWORD}@h:25/?skip_ssl_verify=yes", "must be true or false, got 'yes'"),
        (f"smtp://u:{PASSWORD}@h:25/?disable_startls=true", "unknown query parameter 'disable_startls'"),
        (f"smtp://u:{PASSWORD}@h:25/?server_name=a&server_name=b", "given twice"),
        (f"smtp://u:{PASSWORD[:4]}/{PASSWORD[4:]}@h:25/", "percent-encode it"),
        (f"smtp://u:{PASSWORD[:4]}?{PASSWORD[4:]}@h:25/", "percent-encode it"),
        (f"smtp://u:{PASSWORD[:4]}#{PASSWORD[4:]}@h:25/", "percent-encode it"),
        (f"smtp://u:{PASSWORD}%zz@h:25/", "does not start a %XX escape"),
        (f"smtp://u:{PASSWORD}%ff@h:25/", "not UTF-8"),
        (f"smtp://u:{PASSWORD}@[::1/", "cannot be parsed"),
    ],
)
def test_bad_uris_fail_without_showing_the_password(uri: str, fragment: str) -> None:
    with pytest.raises(SMTPConfigError) as err:
        parse_connection_uri(uri)
    assert fragment in str(err.value)
    for piece in (PASSWORD, PASSWORD[:4], PASSWORD[4:]):
        assert piece not in str(err.value)


def test_client_certificate_needs_both_paths_and_must_load(tmp_path: Path) -> None:
    with pytest.raises(SMTPConfigError, match="both client_cert_path and client_key_path"):
        parse_connection_uri("smtp://h:25/", client_cert_path="/x.pem")
    with pytest.raises(SMTPConfigError, match="cannot load the TLS client certificate"):
        parse_connection_uri(
            "smtp://h:25/", client_cert_path=str(tmp_path / "a"), client_key_path=str(tmp_path / "b")
        )


def test_tls_settings() -> None:
    ctx = build_ssl_context(SMTPConfig(host="h", port=25))
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2
    assert (ctx.verify_mode, ctx.check_hostname) == (ssl.CERT_REQUIRED, True)
    ctx = build_ssl_context(SMTPConfig(host="h", port=25, skip_ssl_verify=True))
    assert (ctx.verify_mode, ctx.check_hostname) == (ssl.CERT_NONE, False)
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2


# -- one session for many messages (SMTPConnection) ---------------------------------------------


@dataclass
class PeerRecorder(Recorder):
    """Also records the client's port of each message's connection (one port per session)."""

    peers: list[int] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.peers.append(session.peer[1])
        return await super().handle_DATA(server, session, envelope)


@smtp
def test_connection_sends_many_messages_over_one_tls_session(ca: trustme.CA, ca_file: str) -> None:
    rec = PeerRecorder()
    with server(rec, tls_context=server_tls(ca, "127.0.0.1"), authenticator=rec.authenticator(True)) as (
        _,
        port,
    ):
        uri = parse_connection_uri(
            f"smtp://jane:{PASSWORD}@127.0.0.1:{port}/", ca_file=ca_file, local_name="mx1.test"
        )
        with SMTPConnection(uri) as conn:
            results = [conn.send(message(to=f"u{i}@example.org")) for i in range(3)]
            assert conn.is_open
        assert not conn.is_open
    assert conn.dials == 1 and len(set(rec.peers)) == 1 and len(rec.logins) == 1
    assert [r.rcpt_tos for r in rec.received] == [[f"u{i}@example.org"] for i in range(3)]
    assert {r.helo for r in rec.received} == {"mx1.test"}
    assert all(r.tls_version is not None and r.auth_mechanism == "PLAIN" for r in results)


@smtp
def test_connection_redials_after_a_refusal_and_maps_the_error() -> None:
    rec = PeerRecorder(refuse_rcpt={"gone@example.org"})
    with server(rec) as (_, port), SMTPConnection(f"smtp://127.0.0.1:{port}/?disable_starttls=true") as conn:
        conn.send(message(to="a@example.org"))
        with pytest.raises(SMTPSendError) as err:
            conn.send(message(to="gone@example.org"))
        assert (err.value.stage, err.value.code, err.value.permanent) == ("rcpt", 550, True)
        assert not conn.is_open  # a failure closes the session ...
        conn.send(message(to="b@example.org"))  # ... and the next message dials again
    assert conn.dials == 2
    assert [r.rcpt_tos for r in rec.received] == [["a@example.org"], ["b@example.org"]]
    assert len(set(rec.peers)) == 2


@smtp
def test_connection_redials_once_when_the_server_dropped_an_idle_session() -> None:
    # aiosmtpd's idle timeout answers "421 ... timeout exceeded" and closes the connection.
    rec = PeerRecorder()
    with (
        server(rec, timeout=0.3) as (_, port),
        SMTPConnection(f"smtp://127.0.0.1:{port}/?disable_starttls=true") as conn,
    ):
        conn.send(message(to="a@example.org"))
        threading.Event().wait(1.0)
        result = conn.send(message(to="b@example.org"))
    assert result.code == 250 and conn.dials == 2
    assert [r.rcpt_tos for r in rec.received] == [["a@example.org"], ["b@example.org"]]


@smtp
def test_connection_to_a_server_that_is_down_fails_at_connect() -> None:
    conn = SMTPConnection(f"smtp://127.0.0.1:{_free_port()}/?disable_starttls=true")
    with pytest.raises(SMTPSendError) as err:
        conn.send(message())
    assert (err.value.stage, err.value.code, err.value.permanent) == ("connect", None, False)
    assert not conn.is_open

"""Send an :class:`~email.message.EmailMessage` over SMTP, configured like Kratos' courier.

The connection is described by Kratos' ``courier.smtp.connection_uri`` (``courier/smtp.go``, which
builds an ory/mail ``Dialer``)::

    smtp://user:password@host:587/                      STARTTLS required (fails if not offered)
    smtp://host:1025/?disable_starttls=true             no TLS configuration (see below)
    smtps://user:password@host:465/                     implicit TLS
    ...?skip_ssl_verify=true                            do not verify the certificate
    ...?server_name=mail.example.com                    SNI and verification name (default: host)

and the separate Kratos settings ``courier.smtp.local_name`` (EHLO name, default ``localhost``),
``courier.smtp.client_cert_path`` / ``client_key_path`` (a TLS client certificate; keyword
arguments of :func:`parse_connection_uri`, not URI parameters, because Kratos has them as separate
keys). TLS is at least 1.2. User name and password are percent-decoded (``some-user%40mailgun.org``).

Behaviour that follows Kratos/ory/mail even where the name suggests otherwise:

* ``disable_starttls=true`` sets no TLS configuration and leaves ory/mail's default policy,
  *opportunistic* STARTTLS: if the server offers STARTTLS the connection is upgraded and the
  certificate verified against the trust store for the URI's host (``server_name`` and
  ``skip_ssl_verify`` do not apply; ``ca_file`` does); if it does not, mail goes in cleartext.
* Credentials are used only if the server offers AUTH (ory/mail skips authentication otherwise;
  :attr:`SendResult.auth_mechanism` is then ``None``). Mechanism preference CRAM-MD5, PLAIN, LOGIN.
* The message goes to ``To``, ``Cc`` and ``Bcc`` plus :attr:`~mailtemplates.mime.OutgoingMessage.envelope_bcc`
  (duplicates removed); the envelope sender is ``Sender`` or else ``From``. ``Bcc`` is never sent
  in the data. Any refused recipient fails the whole send, as in ory/mail.

Where we are stricter (each one fails with a message saying what to change):

* A missing port is an error (Kratos dials port 0 and fails at send time).
* Unknown query parameters, repeated ones, and boolean values other than Go ``strconv.ParseBool``'s
  are errors (Kratos ignores unknown parameters, takes the first value, and reads a bad boolean as
  ``false``).
* A client certificate needs both paths and must load (Kratos logs the failure and continues).
* Passwords are not sent in cleartext (PLAIN or LOGIN without TLS) except to a loopback address;
  Go's ``net/smtp`` refuses PLAIN the same way, ory/mail's LOGIN does not.

Additions: ``ca_file`` (trust a private CA instead of the system store), ``connect_timeout`` and
``timeout`` (per socket operation; ory/mail uses 10 s for both).

:func:`send` opens a session for one message; :class:`SMTPConnection` keeps one open for many
(the courier's workers use it) and re-dials after a failure. Both run the same session setup and
error mapping.

Errors: :class:`~mailtemplates.errors.SMTPConfigError` for a bad URI (its message never contains
the password or any text that could hold part of it), :class:`SMTPSendError` (a
:class:`~mailtemplates.errors.SendError`) for anything the network or the server refused, with the
server's reply ``code`` and ``text`` when there is one.
"""

from __future__ import annotations

import copy
import io
import ipaddress
import re
import smtplib
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from mailtemplates.errors import SMTPConfigError, SMTPSendError
from mailtemplates.mime import OutgoingMessage

__all__ = [
    "SMTPConfig",
    "SMTPConnection",
    "SMTPSendError",
    "SendResult",
    "build_ssl_context",
    "envelope",
    "parse_connection_uri",
    "send",
]

Security = Literal["starttls", "opportunistic", "tls"]

# Go strconv.ParseBool's spellings (internal/strconv/atob.go in Go 1.26); Kratos parses both flags with it.
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})
_PARAMS = ("disable_starttls", "skip_ssl_verify", "server_name")


@dataclass(frozen=True)
class SMTPConfig:
    """A parsed connection URI plus the settings Kratos keeps outside it.

    ``security``: ``"starttls"`` (``smtp://``, STARTTLS required), ``"opportunistic"`` (``smtp://``
    with ``disable_starttls=true``: STARTTLS if offered, default verification) or ``"tls"``
    (``smtps://``). ``password`` is left out of ``repr``.
    """

    host: str
    port: int
    security: Security = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    skip_ssl_verify: bool = False
    server_name: str | None = None
    client_cert_path: str | None = None
    client_key_path: str | None = None
    ca_file: str | None = None
    local_name: str = "localhost"
    connect_timeout: float = 10.0
    timeout: float = 10.0


@dataclass(frozen=True)
class SendResult:
    """What the server answered to the message data, and how the session went."""

    code: int
    text: str
    envelope_from: str
    recipients: tuple[str, ...]
    tls_version: str | None
    auth_mechanism: str | None


# -- configuration ---------------------------------------------------------------------------


def parse_connection_uri(
    uri: str,
    *,
    local_name: str = "localhost",
    client_cert_path: str | None = None,
    client_key_path: str | None = None,
    ca_file: str | None = None,
    connect_timeout: float = 10.0,
    timeout: float = 10.0,
) -> SMTPConfig:
    """Parse ``courier.smtp.connection_uri``; raise :class:`SMTPConfigError` (password-free) if bad."""
    if not isinstance(uri, str) or not uri.strip():
        raise SMTPConfigError("the SMTP connection URI is empty (courier.smtp.connection_uri is not set)")
    try:
        parts = urlsplit(uri.strip())
    except ValueError:
        # e.g. an unbalanced "[" in the host; the exception text could quote the netloc.
        raise SMTPConfigError("the SMTP connection URI cannot be parsed (check the host part)") from None
    scheme = parts.scheme.lower()
    if "://" not in uri:
        # "127.0.0.1:8026" or "localhost:1025": urlsplit reads "localhost" as the scheme. The text
        # is shown only when it cannot hold a password (no "@").
        shown = f" {uri.strip()!r}" if "@" not in uri and len(uri) < 200 else ""
        example = f"smtp://{uri.strip()}/" if shown else "smtp://host:587/"
        raise SMTPConfigError(
            f"the SMTP connection URI{shown} has no scheme; write {example} (STARTTLS; add "
            "?disable_starttls=true for a local test server without TLS) or smtps://host:465/ (TLS)"
        )
    if scheme not in ("smtp", "smtps"):
        shown = scheme if scheme.isalnum() else "?"
        raise SMTPConfigError(f"the SMTP connection URI must start with smtp:// or smtps://, not {shown}://")
    if "@" in parts.path + parts.query + parts.fragment:
        # urlsplit (like Go's url.Parse) ends the authority at the first "/", "?" or "#": an
        # unencoded one in the password leaves the rest of the password and "@host" behind.
        raise SMTPConfigError(
            "the user name or password in the SMTP connection URI contains a reserved character "
            "('/', '?', '#' or '@'); percent-encode it (%2F, %3F, %23, %40)"
        )
    userinfo = parts.netloc.rpartition("@")[0]
    user_raw, has_pw, pw_raw = userinfo.partition(":")
    username = _decode(user_raw, "user name") if user_raw else None
    password = _decode(pw_raw, "password") if has_pw else None

    host = parts.hostname or ""
    if not host:
        raise SMTPConfigError("the SMTP connection URI has no host (is courier.smtp.connection_uri set?)")
    try:
        port = parts.port
    except ValueError:
        raise SMTPConfigError(
            f"the SMTP connection URI for {host} has a port that is not a number from 0 to 65535"
        ) from None
    if not port:
        raise SMTPConfigError(
            f"the SMTP connection URI for {host} has no port; add one, usually :587 for smtp:// "
            "(STARTTLS) or :465 for smtps://"
        )

    query: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key not in _PARAMS:
            raise SMTPConfigError(
                f"unknown query parameter {key!r} in the SMTP connection URI; known: {', '.join(_PARAMS)}"
            )
        if key in query:
            raise SMTPConfigError(f"query parameter {key!r} is given twice in the SMTP connection URI")
        query[key] = value

    skip_verify = _bool(query, "skip_ssl_verify")
    server_name = query.get("server_name") or None
    if scheme == "smtps":
        security: Security = "tls"
    else:
        security = "opportunistic" if _bool(query, "disable_starttls") else "starttls"

    if (client_cert_path is None) != (client_key_path is None):
        raise SMTPConfigError("a TLS client certificate needs both client_cert_path and client_key_path")
    if not local_name or any(c.isspace() for c in local_name) or not local_name.isprintable():
        raise SMTPConfigError(f"local_name must be a host name without spaces, got {local_name!r}")
    for what, seconds in (("connect_timeout", connect_timeout), ("timeout", timeout)):
        if not seconds > 0:
            raise SMTPConfigError(f"{what} must be a positive number of seconds, got {seconds!r}")

    config = SMTPConfig(
        host=host,
        port=port,
        security=security,
        username=username,
        password=password,
        skip_ssl_verify=skip_verify,
        server_name=server_name,
        client_cert_path=client_cert_path,
        client_key_path=client_key_path,
        ca_file=ca_file,
        local_name=local_name,
        connect_timeout=float(connect_timeout),
        timeout=float(timeout),
    )
    if client_cert_path is not None or ca_file is not None:
        build_ssl_context(config)  # fail now, not at the first send, if the files do not load
    return config


def _decode(raw: str, what: str) -> str:
    # Go's url.Parse rejects a "%" that does not start a valid escape; unquote would keep it.
    if re.search(r"%(?![0-9A-Fa-f]{2})", raw):
        raise SMTPConfigError(
            f"the {what} in the SMTP connection URI has a '%' that does not start a %XX escape"
        )
    try:
        return unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise SMTPConfigError(
            f"the {what} in the SMTP connection URI is not UTF-8 once percent-decoded"
        ) from None


def _bool(query: dict[str, str], key: str) -> bool:
    value = query.get(key)
    if value is None:
        return False
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SMTPConfigError(f"query parameter {key} must be true or false, got {value!r}")


def build_ssl_context(config: SMTPConfig, *, verify_only: bool = False) -> ssl.SSLContext:
    """The TLS settings of ``courier/smtp.go``: TLS ≥ 1.2, optional client certificate, verification
    unless ``skip_ssl_verify``. ``verify_only`` gives ory/mail's default configuration (used for
    opportunistic STARTTLS): verification on, no client certificate.
    """
    ctx = ssl.create_default_context(cafile=config.ca_file)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if verify_only:
        return ctx
    if config.skip_ssl_verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if config.client_cert_path and config.client_key_path:
        try:
            ctx.load_cert_chain(config.client_cert_path, config.client_key_path)
        except (OSError, ssl.SSLError) as e:
            raise SMTPConfigError(
                f"cannot load the TLS client certificate {config.client_cert_path!r} / key "
                f"{config.client_key_path!r}: {getattr(e, 'strerror', None) or e}"
            ) from None
    return ctx


# -- sending ---------------------------------------------------------------------------------


class _Client(smtplib.SMTP):
    """smtplib.SMTP that dials the configured host with its own connect timeout, wraps the socket
    before the greeting for implicit TLS, and verifies STARTTLS against ``tls_name``.
    """

    def __init__(self, config: SMTPConfig, implicit_tls: ssl.SSLContext | None, tls_name: str) -> None:
        super().__init__(local_hostname=config.local_name, timeout=config.timeout)
        self._config = config
        self._implicit_tls = implicit_tls
        self._tls_name = tls_name
        # SMTP.starttls() passes self._host as server_hostname (SNI and the name checked against
        # the certificate); it is the constructor's host argument, which we leave empty so that
        # connecting happens inside send()'s error handling.
        self._host = tls_name

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = socket.create_connection((self._config.host, port), self._config.connect_timeout)
        sock.settimeout(self._config.timeout)
        if self._implicit_tls is not None:
            try:
                return self._implicit_tls.wrap_socket(sock, server_hostname=self._tls_name)
            except BaseException:
                sock.close()
                raise
        return sock


class SMTPConnection:
    """One SMTP session, opened with the connection URI's settings and used for many messages.

    ``open()`` dials, greets, upgrades (STARTTLS/implicit TLS as the URI says) and authenticates;
    ``send()`` sends a message on the open session (opening it first if needed); ``close()`` says
    QUIT. Any failure closes the session, so the next ``send()`` dials again; a session that the
    server dropped while idle is re-dialed once before the message, since nothing was sent yet.
    Every failure is an :class:`SMTPSendError` with ``stage``, ``code`` and ``permanent``.
    :func:`send` is ``open``, ``send``, ``close`` on one of these::

        with SMTPConnection("smtp://127.0.0.1:2525/?disable_starttls=true") as conn:
            for message in messages:
                conn.send(message)
    """

    def __init__(self, config: str | SMTPConfig) -> None:
        self.config = parse_connection_uri(config) if isinstance(config, str) else config
        cfg = self.config
        # ory/mail's default TLS config (opportunistic STARTTLS) has ServerName = host.
        self._tls_name = cfg.host if cfg.security == "opportunistic" else (cfg.server_name or cfg.host)
        self._client: _Client | None = None
        self._used = False  # a message went over this session (so the server may have dropped it)
        #: TLS version of the open session (``None`` for cleartext) and the AUTH mechanism used.
        self.tls_version: str | None = None
        self.auth_mechanism: str | None = None
        #: How many times a session was dialed (re-dials after failures included).
        self.dials = 0

    @property
    def is_open(self) -> bool:
        return self._client is not None

    def open(self) -> None:
        """Dial, greet, upgrade to TLS and authenticate, as the configuration says (no-op if open)."""
        if self._client is not None:
            return
        cfg = self.config
        where = f"{cfg.host}:{cfg.port}"
        implicit = build_ssl_context(cfg) if cfg.security == "tls" else None
        client = _Client(cfg, implicit, self._tls_name)
        self.dials += 1
        stage = "connect"
        upgraded = False
        try:
            client.connect(cfg.host, cfg.port)
            stage = "ehlo"
            client.ehlo_or_helo_if_needed()
            if cfg.security != "tls":
                offered = client.has_extn("starttls")
                if cfg.security == "starttls" and not offered:
                    raise SMTPSendError(
                        f"{where} does not offer STARTTLS, which is required; use smtps:// if the port "
                        "expects implicit TLS, or ?disable_starttls=true to allow cleartext",
                        stage="tls",
                    )
                if offered:
                    stage = "tls"
                    ctx = build_ssl_context(cfg, verify_only=cfg.security == "opportunistic")
                    client.starttls(context=ctx)
                    upgraded = True
                    stage = "ehlo"
                    client.ehlo_or_helo_if_needed()  # RFC 3207 §4.2: forget the pre-TLS EHLO answer
            tls_version = client.sock.version() if isinstance(client.sock, ssl.SSLSocket) else None
            mechanism = None
            if cfg.username is not None and client.esmtp_features.get("auth", "").strip():
                stage = "auth"
                mechanism = _login(client, cfg, encrypted=tls_version is not None)
        except BaseException as e:
            raise self._fail(client, e, stage, upgraded) from None
        self._client = client
        self._used = False
        self.tls_version = tls_version
        self.auth_mechanism = mechanism

    def send(
        self,
        message: EmailMessage,
        *,
        envelope_from: str | None = None,
        recipients: Sequence[str] | None = None,
    ) -> SendResult:
        """Send ``message`` (envelope from its headers unless given; ``Bcc`` never in the data)."""
        sender, rcpts = envelope(message, envelope_from=envelope_from, recipients=recipients)
        return self.send_raw(_flatten(message), sender, rcpts)

    def send_raw(self, data: bytes, envelope_from: str, recipients: Sequence[str]) -> SendResult:
        """Send wire-format ``data`` (CRLF line ends, as stored by the courier) to ``recipients``."""
        rcpts = list(recipients)
        if not rcpts:
            raise SMTPSendError("the message has no recipients (To, Cc, Bcc)", stage="mail")
        if self._client is not None and self._used:
            try:
                return self._transaction(self._client, data, envelope_from, rcpts)
            except _Dropped:
                self._drop()  # dropped while idle, before MAIL was answered: dial again, once
        self.open()
        assert self._client is not None
        return self._transaction(self._client, data, envelope_from, rcpts)

    def _transaction(self, client: _Client, data: bytes, sender: str, rcpts: list[str]) -> SendResult:
        cfg = self.config
        where = f"{cfg.host}:{cfg.port}"
        stage = "mail"
        reused, self._used = self._used, True
        try:
            options = []
            if any(not a.isascii() for a in [sender, *rcpts]):
                if not client.has_extn("smtputf8"):
                    raise SMTPSendError(
                        f"{where} does not support SMTPUTF8, needed for non-ASCII addresses", stage="mail"
                    )
                options.append("SMTPUTF8")
            if not data.isascii():
                if not client.has_extn("8bitmime"):
                    raise SMTPSendError(
                        f"{where} does not support 8BITMIME, needed for this 8-bit message", stage="mail"
                    )
                options.append("BODY=8BITMIME")
            try:
                code, reply = client.mail(sender, options)
            except (smtplib.SMTPServerDisconnected, ConnectionError) as e:
                if reused and not isinstance(e.__context__, TimeoutError):
                    raise _Dropped(self._fail(client, e, stage, False)) from None
                raise
            if code == 421 and reused:
                # "closing transmission channel": what servers say to a session left idle too long.
                raise _Dropped(
                    self._fail(client, _refused("sender", sender, code, reply, "mail"), stage, False)
                )
            if code != 250:
                raise _refused("sender", sender, code, reply, "mail")
            stage = "rcpt"
            for rcpt in rcpts:
                code, reply = client.rcpt(rcpt)
                if code not in (250, 251):
                    raise _refused("recipient", rcpt, code, reply, "rcpt")
            stage = "data"
            code, reply = client.data(data)
            if code != 250:
                raise _refused("message", None, code, reply, "data")
        except _Dropped:
            raise
        except BaseException as e:
            raise self._fail(client, e, stage, False) from None
        return SendResult(
            code=code,
            text=reply.decode("utf-8", "replace"),
            envelope_from=sender,
            recipients=tuple(rcpts),
            tls_version=self.tls_version,
            auth_mechanism=self.auth_mechanism,
        )

    def close(self) -> None:
        """Say QUIT and close (no-op if not open)."""
        client, self._client = self._client, None
        if client is not None:
            _close(client, polite=True)

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            _close(client, polite=False)

    def __enter__(self) -> SMTPConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fail(self, client: _Client, e: BaseException, stage: str, upgraded: bool) -> BaseException:
        """Close the session and return the :class:`SMTPSendError` for ``e`` at ``stage`` (the one
        error mapping of this module); QUIT when the server is still talking to us."""
        polite = isinstance(e, (SMTPSendError, smtplib.SMTPResponseException))
        if client is self._client:
            self._client = None
        _close(client, polite=polite)
        cfg = self.config
        where = f"{cfg.host}:{cfg.port}"
        if isinstance(e, SMTPSendError):
            return e
        if isinstance(e, smtplib.SMTPResponseException):
            text = _text(e.smtp_error)
            return SMTPSendError(
                f"{where} refused at {stage}: {e.smtp_code} {text}", stage=stage, code=e.smtp_code, text=text
            )
        if isinstance(e, smtplib.SMTPServerDisconnected):
            # smtplib turns a read timeout into SMTPServerDisconnected; the TimeoutError is its context.
            if isinstance(e.__context__, TimeoutError):
                return SMTPSendError(
                    f"{where} did not answer within {cfg.timeout:g} s ({stage})", stage=stage
                )
            hint = ""
            tls_up = cfg.security == "tls" or upgraded
            if tls_up and stage in ("connect", "ehlo") and cfg.client_cert_path is None:
                # A server that requires a client certificate often just closes the connection once
                # the handshake is done (TLS 1.3 checks the certificate after it).
                hint = "; if it requires a TLS client certificate, set client_cert_path and client_key_path"
            return SMTPSendError(f"{where} closed the connection during {stage}{hint}", stage=stage)
        if isinstance(e, ssl.SSLCertVerificationError):
            return SMTPSendError(
                f"TLS certificate of {where} failed verification for {self._tls_name!r}: {e.verify_message}; "
                "set ?server_name= to the name in the certificate, or ca_file for a private CA "
                "(?skip_ssl_verify=true disables the check: testing only)",
                stage="tls",
            )
        if isinstance(e, ssl.SSLError):
            return SMTPSendError(f"TLS with {where} failed: {e.reason or e}", stage="tls")
        if isinstance(e, TimeoutError):
            limit = cfg.connect_timeout if stage == "connect" and client.sock is None else cfg.timeout
            return SMTPSendError(f"{where} did not answer within {limit:g} s ({stage})", stage=stage)
        if isinstance(e, OSError):
            return SMTPSendError(f"cannot talk to {where} ({stage}): {e.strerror or e}", stage=stage)
        if isinstance(e, smtplib.SMTPException):  # SMTPNotSupportedError and friends
            return SMTPSendError(f"{where} {stage} failed: {e}", stage=stage)
        return e  # not a network or protocol failure (KeyboardInterrupt, a bug): let it through


class _Dropped(Exception):
    """A reused session turned out closed at MAIL: nothing of the message was sent."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def send(
    message: EmailMessage,
    config: str | SMTPConfig,
    *,
    envelope_from: str | None = None,
    recipients: Sequence[str] | None = None,
) -> SendResult:
    """Send ``message`` through the server described by ``config`` (a URI or an :class:`SMTPConfig`)
    on a session of its own (:class:`SMTPConnection` reuses one for many messages).

    Returns the server's answer to the message data. Raises :class:`SMTPSendError`.
    """
    sender, rcpts = envelope(message, envelope_from=envelope_from, recipients=recipients)  # before dialling
    data = _flatten(message)
    with SMTPConnection(config) as conn:
        return conn.send_raw(data, sender, rcpts)


def _login(client: _Client, cfg: SMTPConfig, *, encrypted: bool) -> str:
    offered = client.esmtp_features.get("auth", "").upper().split()
    loopback = _is_loopback(client)
    usable = [
        m
        for m in ("CRAM-MD5", "PLAIN", "LOGIN")
        if m in offered and (encrypted or loopback or m == "CRAM-MD5")
    ]
    if not usable:
        raise SMTPSendError(
            f"{cfg.host}:{cfg.port} offers AUTH {' '.join(offered) or '(none)'} without TLS; refusing to "
            "send the password in cleartext (use STARTTLS or smtps://)",
            stage="auth",
        )
    # SMTP.auth_* read the credentials from these attributes (documented in smtplib).
    client.user, client.password = cfg.username or "", cfg.password or ""
    mechanism = usable[0]
    if mechanism == "CRAM-MD5":
        client.auth(mechanism, client.auth_cram_md5)
    elif mechanism == "PLAIN":
        client.auth(mechanism, client.auth_plain)
    else:
        client.auth(mechanism, client.auth_login)
    return mechanism


def _is_loopback(client: _Client) -> bool:
    if client.sock is None:
        return False
    try:
        peer = client.sock.getpeername()[0]
        return ipaddress.ip_address(peer.split("%", 1)[0]).is_loopback
    except (OSError, ValueError, AttributeError):
        return False


def _refused(what: str, who: str | None, code: int, reply: bytes, stage: str) -> SMTPSendError:
    text = _text(reply)
    subject = f"the {what} {who}" if who else f"the {what}"
    return SMTPSendError(f"server refused {subject}: {code} {text}", stage=stage, code=code, text=text)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _close(client: _Client, *, polite: bool) -> None:
    if polite and client.sock is not None:
        try:
            client.quit()
            return
        except (smtplib.SMTPException, OSError):
            pass
    client.close()


def _addresses(message: EmailMessage, *names: str) -> list[str]:
    values = [str(v) for name in names for v in (message.get_all(name) or [])]
    return [addr for _, addr in getaddresses(values) if addr]


def _envelope_sender(message: EmailMessage) -> str:
    # ory/mail getFrom: the Sender header if set, else From.
    for name in ("Sender", "From"):
        found = _addresses(message, name)
        if found:
            return found[0]
    raise SMTPSendError("the message has no From address", stage="mail")


def _envelope_recipients(message: EmailMessage) -> list[str]:
    found = _addresses(message, "To", "Cc", "Bcc")
    found.extend(getattr(message, "envelope_bcc", ()))
    return list(dict.fromkeys(found))  # ory/mail getRecipients drops duplicates


def envelope(
    message: EmailMessage, *, envelope_from: str | None = None, recipients: Sequence[str] | None = None
) -> tuple[str, list[str]]:
    """The SMTP envelope of ``message``: the sender and recipients given, else those its headers
    name (Sender or From; To, Cc, Bcc and a configured Bcc), as ory/mail derives them."""
    sender = envelope_from or _envelope_sender(message)
    rcpts = list(recipients) if recipients is not None else _envelope_recipients(message)
    if not rcpts:
        raise SMTPSendError("the message has no recipients (To, Cc, Bcc)", stage="mail")
    return sender, rcpts


def _flatten(message: EmailMessage) -> bytes:
    # As smtplib.send_message: Bcc/Resent-Bcc never go into the data; CRLF line ends.
    if (
        isinstance(message, OutgoingMessage)
        and message.policy.linesep == "\r\n"
        and "Bcc" not in message
        and "Resent-Bcc" not in message
    ):
        return message.as_bytes()  # the wire form build_message wrote (kept while unchanged)
    msg = copy.copy(message)
    del msg["Bcc"]
    del msg["Resent-Bcc"]
    buf = io.BytesIO()
    BytesGenerator(buf, mangle_from_=False, policy=message.policy.clone(linesep="\r\n")).flatten(msg)
    return buf.getvalue()

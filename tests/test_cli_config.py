"""``--config kratos.yml`` and the SMTP options on the command line, against real aiosmtpd servers
(TLS with trustme certificates, a client certificate the server requires)."""

from __future__ import annotations

import base64
import json
import os
import ssl
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
import trustme
from helpers import write
from test_smtp import Recorder, server, server_tls

import mailtemplates.preview
from mailtemplates.cli import main

smtp = pytest.mark.smtp


@pytest.fixture(autouse=True)
def _no_courier_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in list(os.environ):
        if k.startswith("COURIER_"):
            monkeypatch.delenv(k)


# ca and ca_file: fixtures of conftest.py


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def sender(msg: Any) -> tuple[str, str]:
    [addr] = msg["From"].addresses
    return addr.display_name, addr.addr_spec


def kratos_yml(tmp_path: Path, smtp: dict[str, Any] | None = None, **courier: Any) -> Path:
    data = {"dsn": "memory", "serve": {"public": {"base_url": "http://x/"}}, "courier": {**courier}}
    if smtp is not None:
        data["courier"]["smtp"] = smtp
    return write(tmp_path, "kratos.json", json.dumps(data))


def test_render_uses_the_override_path_and_template_uris(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    override = tmp_path / "override"
    write(override, "login_code/valid/email.body.plaintext.gotmpl", "Your code: {{ .LoginCode }}")
    cfg = kratos_yml(
        tmp_path,
        template_override_path=str(override),
        templates={
            "login_code": {"valid": {"email": {"subject": "base64://" + b64("Code {{ .LoginCode }}")}}}
        },
    )
    assert (
        main(
            [
                "render",
                "login_code/valid",
                "--config",
                str(cfg),
                "-f",
                "json",
                "-c",
                str(write(tmp_path, "c.json", '{"LoginCode": "424242"}')),
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["subject"] == "Code 424242"
    assert out["text"] == "Your code: 424242"
    assert out["files"]["subject"] == "base64://[redacted]"
    assert out["files"]["plaintext"] == str(override / "login_code/valid/email.body.plaintext.gotmpl")

    # --templates given explicitly comes before the configured folder.
    first = tmp_path / "first"
    write(first, "login_code/valid/email.body.plaintext.gotmpl", "first {{ .LoginCode }}")
    assert main(["render", "login_code/valid", "--config", str(cfg), "-t", str(first), "-f", "text"]) == 0
    assert "first " in capsys.readouterr().out


def test_render_eml_takes_sender_and_headers_from_the_config(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    cfg = kratos_yml(
        tmp_path,
        smtp={
            "connection_uri": "smtp://h:25/",
            "from_address": "accounts@example.org",
            "from_name": "Example",
            "headers": {"X-Tenant": "acme", "X-Other": "1"},
        },
    )
    assert (
        main(["render", "recovery/valid", "--config", str(cfg), "-f", "eml", "-H", "x-tenant: override"]) == 0
    )
    msg = BytesParser(policy=policy.default).parsebytes(capsysbinary.readouterr().out)
    assert sender(msg) == ("Example", "accounts@example.org")
    assert msg.get_all("X-Tenant") == ["override"] and msg["X-Other"] == "1"
    # An explicit option wins over the file.
    assert (
        main(
            [
                "render",
                "recovery/valid",
                "--config",
                str(cfg),
                "-f",
                "eml",
                "--from-address",
                "cli@example.org",
            ]
        )
        == 0
    )
    msg = BytesParser(policy=policy.default).parsebytes(capsysbinary.readouterr().out)
    assert sender(msg) == ("Example", "cli@example.org")


def test_unknown_keys_are_warned_about(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write(
        tmp_path, "k.json", json.dumps({"courier": {"smtp": {"fromadress": "x@example.org"}}, "courrier": {}})
    )
    assert main(["render", "recovery/valid", "--config", str(cfg)]) == 0
    err = capsys.readouterr().err
    assert f"warning: {cfg}: courrier is not a setting Kratos knows" in err
    assert "courier.smtp.fromadress is not a setting Kratos knows" in err


def test_bad_config_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write(tmp_path, "k.json", json.dumps({"courier": {"message_retries": "five"}}))
    assert main(["render", "recovery/valid", "--config", str(cfg)]) == 1
    err = capsys.readouterr().err
    assert (
        err
        == f"mailtemplates: error: {cfg}: courier.message_retries: must be a whole number, got a string ('five')\n"
    )
    assert main(["render", "recovery/valid", "--config", str(tmp_path / "nope.yml")]) == 1
    assert "nope.yml: no such configuration file" in capsys.readouterr().err


@smtp
def test_send_test_reads_courier_smtp_and_kratos_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rec = Recorder()
    with server(rec) as (_, port):
        cfg = kratos_yml(
            tmp_path,
            smtp={
                "connection_uri": "smtp://127.0.0.1:1/?disable_starttls=true",  # the env var below wins
                "from_address": "accounts@example.org",
                "from_name": "Example Accounts",
                "headers": {"X-SES-SOURCE-ARN": "arn:aws:ses:us-west-2:1:identity/example.org"},
                "local_name": "courier.example.org",
            },
        )
        monkeypatch.setenv("COURIER_SMTP_CONNECTION_URI", f"smtp://127.0.0.1:{port}/?disable_starttls=true")
        assert (
            main(["send-test", "recovery_code/valid", "--to", "ann@example.com", "--config", str(cfg)]) == 0
        )
    assert f"via 127.0.0.1:{port}" in capsys.readouterr().out
    [got] = rec.received
    assert got.helo == "courier.example.org"
    assert got.mail_from == "accounts@example.org"
    msg = BytesParser(policy=policy.default).parsebytes(got.data)
    assert sender(msg) == ("Example Accounts", "accounts@example.org")
    assert msg["X-SES-SOURCE-ARN"] == "arn:aws:ses:us-west-2:1:identity/example.org"


@smtp
def test_send_test_tls_options_with_a_required_client_certificate(
    ca: trustme.CA, ca_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client = ca.issue_cert("courier.example.test")
    cert, key = tmp_path / "client.pem", tmp_path / "client.key"
    client.cert_chain_pems[0].write_to_path(str(cert))
    client.private_key_pem.write_to_path(str(key))
    ctx = server_tls(ca, "127.0.0.1")
    ctx.verify_mode = ssl.CERT_REQUIRED  # the server refuses a handshake without a client certificate
    ca.configure_trust(ctx)
    rec = Recorder()
    with server(rec, implicit=ctx) as (_, port):
        uri = f"smtps://127.0.0.1:{port}/"
        base = ["send-test", "verification_code/valid", "--to", "ann@example.com", "--smtp-uri", uri]
        # Without --ca-file the private CA is not trusted.
        assert main(base) == 1
        assert "failed verification" in capsys.readouterr().err
        # Trusted, but no client certificate: the server ends the handshake.
        assert main([*base, "--ca-file", ca_file]) == 1
        err = capsys.readouterr().err
        assert (
            "closed the connection during connect; if it requires a TLS client certificate, set client_cert_path"
            in err
        )
        # Both, from the command line, with the EHLO name and a header.
        args = [*base, "--ca-file", ca_file, "--client-cert", str(cert), "--client-key", str(key)]
        assert main([*args, "--local-name", "mx.example.test", "-H", "X-Tenant: acme"]) == 0
        assert "TLSv1." in capsys.readouterr().out
        # The certificate paths from the configuration file.
        cfg = kratos_yml(
            tmp_path, smtp={"connection_uri": uri, "client_cert_path": str(cert), "client_key_path": str(key)}
        )
        assert (
            main(
                [
                    "send-test",
                    "verification_code/valid",
                    "--to",
                    "bob@example.com",
                    "--config",
                    str(cfg),
                    "--ca-file",
                    ca_file,
                ]
            )
            == 0
        )
    assert [r.rcpt_tos for r in rec.received] == [["ann@example.com"], ["bob@example.com"]]
    first = rec.received[0]
    assert first.helo == "mx.example.test"
    assert first.peercert and ("DNS", "courier.example.test") in first.peercert["subjectAltName"]
    assert BytesParser(policy=policy.default).parsebytes(first.data)["X-Tenant"] == "acme"


def test_send_test_option_mistakes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["send-test", "recovery/valid", "--to", "a@example.com", "--smtp-uri", "smtp://127.0.0.1:9/"]
    assert main([*base, "--client-cert", str(tmp_path / "c.pem")]) == 1
    assert "needs both client_cert_path and client_key_path" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main([*base, "-H", "no colon here"])
    assert exit_.value.code == 2
    assert "want 'Name: value'" in capsys.readouterr().err
    assert (
        main(["send-test", "recovery/valid", "--to", "a@example.com", "--config", str(kratos_yml(tmp_path))])
        == 1
    )
    assert "courier.smtp.connection_uri in --config" in capsys.readouterr().err


def test_lint_defaults_to_the_configured_override_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    override = tmp_path / "override"
    (override / "recovery" / "valid").mkdir(parents=True)
    (override / "recovery" / "valid" / "email.subject.gotmpl").write_text("Hi {{ .Nope", encoding="utf-8")
    cfg = kratos_yml(
        tmp_path,
        smtp={"connection_uri": "smtp://h:25/", "from_address": "no-reply@example.org"},
        template_override_path=str(override),
        templates={"recovery": {"valid": {"email": {"subject": "base64://eA=="}}}},
    )
    # No folder given: the configured override path is linted, and the configured sender checked.
    assert main(["lint", "--config", str(cfg), "-f", "json"]) == 1
    out, err = capsys.readouterr()
    assert "email.subject.gotmpl" in out and "no-reply@example.org" in out
    assert "courier.templates URIs are not linted" in err
    # A folder and a sender on the command line win over the file.
    mine = tmp_path / "mine"
    mine.mkdir()
    assert (
        main(["lint", str(mine), "--config", str(cfg), "--from-address", "me@example.org", "-f", "json"]) == 0
    )
    out, _ = capsys.readouterr()
    assert "email.subject.gotmpl" not in out and "no-reply@example.org" not in out


def test_preview_gets_the_configured_folder_and_smtp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(
        mailtemplates.preview, "serve", lambda config, open_browser=False: seen.append(config)
    )
    override = tmp_path / "override"
    override.mkdir()
    cfg = kratos_yml(
        tmp_path,
        smtp={
            "connection_uri": "smtp://127.0.0.1:2525/",
            "from_address": "accounts@example.org",
            "from_name": "Ex",
            "headers": {"X-A": "1"},
        },
        template_override_path=str(override),
    )
    mine = tmp_path / "mine"
    mine.mkdir()
    assert main(["preview", "--config", str(cfg), "-t", str(mine), "--port", "0"]) == 0
    [pc] = seen
    assert list(pc.templates) == [str(mine), str(override)]
    assert (pc.smtp_uri, pc.from_address, pc.from_name) == (
        "smtp://127.0.0.1:2525/",
        "accounts@example.org",
        "Ex",
    )
    # The send form uses the headers (and EHLO name, client certificate, CA) as send-test does.
    assert dict(pc.headers) == {"X-A": "1"} and pc.local_name == "localhost"
    assert "does not use" not in capsys.readouterr().err

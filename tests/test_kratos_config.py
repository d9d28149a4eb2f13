"""mailtemplates.kratos_config: reading a Kratos configuration file (keys from Kratos's
embedx/config.schema.json and driver/config/config.go, v1.x) and its environment overrides."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import write

from mailtemplates.errors import ConfigError, MailTemplateError
from mailtemplates.kratos_config import (
    CourierConfig,
    HTTPAuthConfig,
    HTTPChannelConfig,
    KratosConfig,
    SMTPConfig,
    load_kratos_config,
    parse_duration,
    renderer_from_config,
    smtp_connection,
    template_uris,
)

FULL = """\
version: v1.3.0
dsn: memory
serve:
  public: {base_url: http://127.0.0.1:4433/}
selfservice:
  default_browser_return_url: http://127.0.0.1:4455/
identity:
  schemas: [{id: default, url: file:///etc/config/identity.schema.json}]
courier:
  template_override_path: {override}
  message_retries: 7
  delivery_strategy: smtp
  worker:
    pull_count: 25
    pull_wait: 1m30s
  smtp:
    connection_uri: smtps://user:pass@mail.example.org:465/
    from_address: accounts@example.org
    from_name: Example Accounts
    headers:
      X-SES-SOURCE-ARN: arn:aws:ses:us-west-2:123456789012:identity/example.org
    local_name: mx.example.org
    client_cert_path: /conf/client.pem
    client_key_path: /conf/client.key
  templates:
    recovery:
      valid:
        email:
          subject: base64://{subject}
          body:
            plaintext: ""
    login_code:
      valid:
        sms:
          body:
            plaintext: base64://{sms}
    verifiable_address_changed:
      email:
        body:
          html: file:///conf/address_changed.gotmpl
  channels:
    - id: sms
      type: http
      request_config:
        url: https://sms.example.org/send
        method: post
        headers:
          X-Tenant: acme
        body: base64://ZnVuY3Rpb24oY3R4KSB7fQ==
        auth:
          type: api_key
          config:
            name: X-API-Key
            value: k3y
            in: header
"""


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def full_config(tmp_path: Path, override: str = "/conf/templates") -> Path:
    text = FULL.replace("{override}", override).replace("{subject}", b64("Reset: {{ .To }}"))
    text = text.replace("{sms}", b64("Code {{ .LoginCode }}"))
    return write(tmp_path, "kratos.yml", text)


def test_every_courier_key_is_read(tmp_path: Path) -> None:
    cfg = load_kratos_config(full_config(tmp_path), environ={})
    assert isinstance(cfg, KratosConfig)
    assert cfg.source == tmp_path / "kratos.yml"
    assert cfg.unknown_keys == ()
    c = cfg.courier
    assert (c.message_retries, c.worker_pull_count, c.worker_pull_wait) == (7, 25, 90.0)
    assert c.delivery_strategy == "smtp"
    assert c.template_override_path == "/conf/templates"
    assert c.smtp == SMTPConfig(
        connection_uri="smtps://user:pass@mail.example.org:465/",
        from_address="accounts@example.org",
        from_name="Example Accounts",
        headers={"X-SES-SOURCE-ARN": "arn:aws:ses:us-west-2:123456789012:identity/example.org"},
        local_name="mx.example.org",
        client_cert_path="/conf/client.pem",
        client_key_path="/conf/client.key",
    )
    assert c.templates == {
        "recovery/valid": {"subject": "base64://" + b64("Reset: {{ .To }}")},  # empty plaintext: files
        "login_code/valid": {"sms.body": "base64://" + b64("Code {{ .LoginCode }}")},
        "verifiable_address_changed": {"body.html": "file:///conf/address_changed.gotmpl"},
    }
    assert c.channels == (
        HTTPChannelConfig(
            id="sms",
            type="http",
            url="https://sms.example.org/send",
            method="POST",
            headers={"X-Tenant": "acme"},
            body="base64://ZnVuY3Rpb24oY3R4KSB7fQ==",
            auth=HTTPAuthConfig("api_key", name="X-API-Key", value="k3y", in_="header"),
        ),
    )
    assert template_uris(cfg)["verifiable_address_changed"] == {"body": "file:///conf/address_changed.gotmpl"}
    assert template_uris(cfg)["login_code/valid"] == {"sms": "base64://" + b64("Code {{ .LoginCode }}")}


def test_defaults_are_kratoss(tmp_path: Path) -> None:
    cfg = load_kratos_config(write(tmp_path, "k.yml", "dsn: memory\n"), environ={})
    assert cfg.courier == CourierConfig()
    c = cfg.courier
    assert (c.message_retries, c.worker_pull_count, c.worker_pull_wait, c.delivery_strategy) == (
        5,
        10,
        1.0,
        "smtp",
    )
    assert (c.smtp.local_name, c.smtp.from_address, c.channels, c.templates) == ("localhost", None, (), {})


def test_json_is_read_without_yaml(tmp_path: Path) -> None:
    data = {"courier": {"smtp": {"connection_uri": "smtp://h:25/"}, "worker": {"pull_wait": "500ms"}}}
    cfg = load_kratos_config(write(tmp_path, "kratos.json", json.dumps(data)), environ={})
    assert cfg.courier.smtp.connection_uri == "smtp://h:25/"
    assert cfg.courier.worker_pull_wait == 0.5


def test_environment_variables_win_over_the_file(tmp_path: Path) -> None:
    env = {
        "COURIER_SMTP_CONNECTION_URI": "smtp://env-host:2525/?disable_starttls=true",
        "COURIER_SMTP_FROM_ADDRESS": "env@example.org",
        "COURIER_SMTP_FROM_NAME": "From Env",
        "COURIER_SMTP_LOCAL_NAME": "env.example.org",
        "COURIER_SMTP_HEADERS": '{"X-Env": "1"}',
        "COURIER_MESSAGE_RETRIES": "2",
        "COURIER_WORKER_PULL_COUNT": "3",
        "COURIER_WORKER_PULL_WAIT": "250ms",
        "COURIER_TEMPLATE_OVERRIDE_PATH": "/env/templates",
        "COURIER_TEMPLATES_RECOVERY_CODE_VALID_EMAIL_SUBJECT": "base64://" + b64("env subject"),
        "COURIER_CHANNELS": '[{"id": "sms", "type": "http", "request_config": {"url": "http://gw/", "method": "PUT"}}]',
        "UNRELATED": "x",
    }
    cfg = load_kratos_config(full_config(tmp_path), environ=env)
    c = cfg.courier
    assert c.smtp.connection_uri == "smtp://env-host:2525/?disable_starttls=true"
    assert (c.smtp.from_address, c.smtp.from_name, c.smtp.local_name) == (
        "env@example.org",
        "From Env",
        "env.example.org",
    )
    assert c.smtp.headers == {"X-Env": "1"}
    assert c.smtp.client_cert_path == "/conf/client.pem"  # not overridden: the file's
    assert (c.message_retries, c.worker_pull_count, c.worker_pull_wait) == (2, 3, 0.25)
    assert c.template_override_path == "/env/templates"
    assert c.templates["recovery_code/valid"] == {"subject": "base64://" + b64("env subject")}
    assert c.templates["recovery/valid"]  # the file's templates stay
    assert [(ch.id, ch.url, ch.method) for ch in c.channels] == [("sms", "http://gw/", "PUT")]


def test_environment_alone_works_with_an_empty_file(tmp_path: Path) -> None:
    cfg = load_kratos_config(
        write(tmp_path, "k.yml", ""), environ={"COURIER_SMTP_CONNECTION_URI": "smtp://h:1/"}
    )
    assert cfg.courier.smtp.connection_uri == "smtp://h:1/"


def test_unknown_keys_are_reported_not_ignored(tmp_path: Path) -> None:
    text = """\
dsn: memory
selfservice: {flows: {}}
courrier: {smtp: {}}
courier:
  smtp:
    connection_uri: smtp://h:25/
    fromaddress: typo@example.org
  worker: {pull_count: 2, pull_every: 1s}
  templates:
    recovery:
      valid:
        email: {subject: "base64://eA==", sender: x}
      maybe: {}
    login_code:
      invalid: {}
    nonsense: {}
  retries: 3
"""
    cfg = load_kratos_config(write(tmp_path, "k.yml", text), environ={})
    assert set(cfg.unknown_keys) == {
        "courrier",
        "courier.smtp.fromaddress",
        "courier.worker.pull_every",
        "courier.templates.recovery.valid.email.sender",
        "courier.templates.recovery.maybe",
        "courier.templates.login_code.invalid",  # Kratos has no login_code invalid template
        "courier.templates.nonsense",
        "courier.retries",
    }
    assert cfg.courier.smtp.connection_uri == "smtp://h:25/"  # the rest is still read


@pytest.mark.parametrize(
    ("text", "env", "fragment"),
    [
        (
            "courier: {message_retries: many}\n",
            {},
            "k.yml: courier.message_retries: must be a whole number, got a string ('many')",
        ),
        ("courier: {message_retries: -1}\n", {}, "courier.message_retries: must be at least 0"),
        ("courier: {worker: {pull_count: 0}}\n", {}, "courier.worker.pull_count: must be at least 1"),
        (
            "courier: {worker: {pull_wait: 5}}\n",
            {},
            "courier.worker.pull_wait: must be a duration such as 1s",
        ),
        (
            "courier: {worker: {pull_wait: 5 seconds}}\n",
            {},
            "courier.worker.pull_wait: invalid duration '5 seconds'",
        ),
        (
            "courier: {smtp: {connection_uri: [a]}}\n",
            {},
            "courier.smtp.connection_uri: must be a string, got a list",
        ),
        (
            "courier: {smtp: {headers: {X-A: 1}}}\n",
            {},
            "courier.smtp.headers.X-A: must be a string, got a number",
        ),
        ("courier: {smtp: 5}\n", {}, "courier.smtp: must be a mapping of keys, got a number"),
        (
            "courier: {delivery_strategy: carrier-pigeon}\n",
            {},
            "courier.delivery_strategy: must be smtp or http",
        ),
        ("courier: {delivery_strategy: http}\n", {}, "courier.http.request_config: is required"),
        ("courier: {channels: {id: sms}}\n", {}, "courier.channels: must be a list of channels"),
        (
            "courier: {channels: [{type: http, request_config: {url: 'http://x/'}}]}\n",
            {},
            "courier.channels[0].id: is required",
        ),
        (
            "courier: {channels: [{id: sms, request_config: {url: 'ftp://x/'}}]}\n",
            {},
            "courier.channels[0].request_config.url: must be an http",
        ),
        (
            "courier: {channels: [{id: a, type: smtp, request_config: {}}]}\n",
            {},
            "courier.channels[0].type: only http channels",
        ),
        (
            "courier: {channels: [{id: sms, request_config: {url: 'http://x/', auth: {type: api_key, config: {name: k, value: v, in: query}}}}]}\n",
            {},
            "courier.channels[0].request_config.auth.config.in: must be header or cookie, got 'query'",
        ),
        (
            "courier: {channels: [{id: sms, request_config: {url: 'http://x/', auth: {type: oauth}}}]}\n",
            {},
            "courier.channels[0].request_config.auth.type: must be basic_auth or api_key",
        ),
        (
            "courier: {channels: [{id: sms, request_config: {url: 'http://x/'}}, {id: sms, request_config: {url: 'http://y/'}}]}\n",
            {},
            "channel id 'sms' is configured twice",
        ),
        (
            "courier: {templates: {recovery: {valid: {email: {subject: /etc/x}}}}}\n",
            {},
            "courier.templates.recovery.valid.email.subject: must be a URI",
        ),
        ("- a\n- b\n", {}, "the top level must be a mapping of keys, got a list"),
        (
            "",
            {"COURIER_MESSAGE_RETRIES": "lots"},
            "environment variable COURIER_MESSAGE_RETRIES: courier.message_retries: must be a whole number",
        ),
        (
            "",
            {"COURIER_SMTP_HEADERS": "{not json"},
            "environment variable COURIER_SMTP_HEADERS: not valid JSON",
        ),
        (
            "",
            {"COURIER_CHANNELS": '[{"id": 1}]'},
            "environment variable COURIER_CHANNELS: courier.channels[0].id: must be a string",
        ),
    ],
)
def test_invalid_values_name_file_key_and_problem(
    tmp_path: Path, text: str, env: dict[str, str], fragment: str
) -> None:
    with pytest.raises(ConfigError) as err:
        load_kratos_config(write(tmp_path, "k.yml", text), environ=env)
    assert fragment in str(err.value)
    assert isinstance(err.value, MailTemplateError)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_kratos_config(tmp_path / "missing.yml", environ={})
    with pytest.raises(ConfigError, match="is a folder"):
        load_kratos_config(tmp_path, environ={})
    with pytest.raises(ConfigError, match=r"k\.yml:\d+:\d+: not valid YAML"):
        load_kratos_config(write(tmp_path, "k.yml", "courier:\n  smtp: {a: 1\n  b: ]\n"), environ={})
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_kratos_config(write(tmp_path, "k.json", "{"), environ={})
    with pytest.raises(ConfigError, match=r"unknown configuration format '\.toml'"):
        load_kratos_config(write(tmp_path, "k.toml", "x = 1"), environ={})
    (tmp_path / "bin.yml").write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_kratos_config(tmp_path / "bin.yml", environ={})


def test_legacy_http_and_sms_settings_become_channels(tmp_path: Path) -> None:
    text = """\
courier:
  delivery_strategy: http
  http:
    request_config:
      url: https://mailer.example.org/send
      auth: {type: basic_auth, config: {user: u, password: p}}
  sms:
    enabled: true
    from: Example
    request_config: {url: "https://sms.example.org/", method: POST}
"""
    cfg = load_kratos_config(write(tmp_path, "k.yml", text), environ={})
    assert [(c.id, c.url, c.method) for c in cfg.courier.channels] == [
        ("email", "https://mailer.example.org/send", "POST"),
        ("sms", "https://sms.example.org/", "POST"),
    ]
    assert cfg.courier.channels[0].auth == HTTPAuthConfig("basic_auth", user="u", password="p")
    assert "password='p'" not in repr(cfg.courier.channels[0].auth)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1s", 1.0),
        ("500ms", 0.5),
        ("1m30s", 90.0),
        ("1.5h", 5400.0),
        ("0", 0.0),
        ("250us", 0.00025),
        ("2µs", 2e-6),
        ("10ns", 1e-8),
    ],
)
def test_durations_follow_go(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "1", "s", "1 s", "1d", ".s", "1s2"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_renderer_from_config_honours_uris_and_override_path(tmp_path: Path) -> None:
    override = tmp_path / "override"
    write(override, "recovery/valid/email.body.plaintext.gotmpl", "override text for {{ .To }}")
    uri_file = write(tmp_path / "elsewhere", "changed.gotmpl", "<p>changed {{ .To }}</p>")
    text = f"""\
courier:
  template_override_path: {override}
  templates:
    recovery:
      valid:
        email:
          subject: base64://{b64("URI subject {{ .To }}")}
    verifiable_address_changed:
      email:
        body: {{html: "file://{uri_file}"}}
"""
    cfg = load_kratos_config(write(tmp_path, "k.yml", text), environ={})
    r = renderer_from_config(cfg)
    email = r.render("recovery/valid", {"To": "ann@example.org", "RecoveryURL": "https://x/"})
    assert email.subject == "URI subject ann@example.org"
    assert email.text == "override text for ann@example.org"
    assert email.html is not None and "ann@example.org" in email.html  # built-in HTML body
    changed = r.render("verifiable_address_changed", {"To": "ann@example.org"})
    assert changed.html is not None and "<p>changed ann@example.org</p>" in changed.html

    # An explicit folder (--templates) comes before the configured override path.
    first = tmp_path / "first"
    write(first, "recovery/valid/email.body.plaintext.gotmpl", "first {{ .To }}")
    r2 = renderer_from_config(cfg, templates=[first])
    assert r2.render("recovery/valid", {"To": "b@example.org"}).text == "first b@example.org"


def test_renderer_from_config_missing_override_folder(tmp_path: Path) -> None:
    cfg = load_kratos_config(
        write(tmp_path, "k.yml", f"courier: {{template_override_path: {tmp_path / 'nope'}}}\n"), environ={}
    )
    with pytest.raises(ConfigError, match=r"courier\.template_override_path: .*nope: no such folder"):
        renderer_from_config(cfg)


def test_smtp_connection_from_config(tmp_path: Path) -> None:
    cfg = load_kratos_config(full_config(tmp_path), environ={})
    with pytest.raises(MailTemplateError, match="client certificate"):
        smtp_connection(cfg)  # /conf/client.pem does not exist here: fails now, not at send time
    empty = load_kratos_config(write(tmp_path, "e.yml", "courier: {}\n"), environ={})
    with pytest.raises(ConfigError, match="connection_uri is not set"):
        smtp_connection(empty)
    conn = smtp_connection(empty, connection_uri="smtps://h:465/", local_name="me.example")
    assert (conn.host, conn.port, conn.security, conn.local_name) == ("h", 465, "tls", "me.example")
    env = {"COURIER_SMTP_LOCAL_NAME": "env.example", "COURIER_SMTP_CONNECTION_URI": "smtp://e:25/"}
    conn = smtp_connection(load_kratos_config(tmp_path / "e.yml", environ=env))
    assert (conn.host, conn.local_name, conn.security) == ("e", "env.example", "starttls")


def test_yaml_without_pyyaml_says_which_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)  # import yaml -> ImportError
    with pytest.raises(ConfigError, match=r"needs PyYAML: pip install 'mailtemplates\[config\]'"):
        load_kratos_config(write(tmp_path, "k.yml", "courier: {}\n"), environ={})
    # JSON still works.
    assert load_kratos_config(write(tmp_path, "k.json", "{}"), environ={}).courier == CourierConfig()


def test_rendering_and_loading_the_module_import_no_yaml() -> None:
    code = "import sys, mailtemplates, mailtemplates.kratos_config; assert 'yaml' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)

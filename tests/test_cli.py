"""The ``mailtemplates`` command line through its real entry points.

``main([...])`` with capsys for most cases; ``python -m mailtemplates.cli`` in a subprocess where
the process boundary matters (exit status, no traceback, the preview server). Expected emails come
from the library (:class:`~mailtemplates.Renderer`, itself checked against Go), expected template
errors from the Go oracle (quoted where used), SMTP answers from the server the test starts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from helpers import write

from mailtemplates import Renderer
from mailtemplates.cli import main
from mailtemplates.errors import TemplateError
from mailtemplates.loader import BUILTIN_ROOT
from mailtemplates.models import sample_context

ROOT = Path(__file__).resolve().parent.parent
BUILTIN_FILES = sorted(p.relative_to(BUILTIN_ROOT) for p in Path(BUILTIN_ROOT).rglob("*.gotmpl"))
# Kratos's SMTP variables would change the options' defaults: keep them out of the children.
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("COURIER_SMTP_")}


@pytest.fixture(autouse=True)
def _no_courier_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in list(os.environ):
        if k.startswith("COURIER_SMTP_"):
            monkeypatch.delenv(k)


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mailtemplates.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=CLEAN_ENV,
        timeout=timeout,
    )


def expected(name: str, locale: str = "en", roots: tuple[Path, ...] = ()) -> Any:
    return Renderer(list(roots)).render(name, sample_context(name, locale=locale), locale=locale)


def norm(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").rstrip("\n")


# -- general ----------------------------------------------------------------------------------------


def test_no_command_prints_help_and_succeeds() -> None:
    proc = run_cli()
    assert proc.returncode == 0
    for command in ("preview", "render", "init", "send-test", "lint"):
        assert command in proc.stdout


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from mailtemplates import __version__

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"mailtemplates {__version__}"


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["render"],  # NAME missing
        ["render", "recovery/valid", "--format", "pdf"],
        ["send-test", "recovery/valid", "--smtp-uri", "smtp://127.0.0.1:25/"],  # --to missing
        ["preview", "--port", "eighty"],
        ["init"],
    ],
)
def test_usage_mistakes_exit_2_with_usage(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(args)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "usage: mailtemplates" in err and "error:" in err


def test_usage_mistake_in_a_real_process_has_no_traceback() -> None:
    proc = run_cli("render", "recovery/valid", "--format", "pdf")
    assert proc.returncode == 2
    assert "invalid choice: 'pdf'" in proc.stderr
    assert "Traceback" not in proc.stderr


# -- render -----------------------------------------------------------------------------------------


def test_render_text_is_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "recovery_code/valid", "--locale", "de"]) == 0
    email = expected("recovery_code/valid", "de")
    out = capsys.readouterr().out
    assert out == f"Subject: {email.subject}\n\n" + email.text + ("" if email.text.endswith("\n") else "\n")
    assert sample_context("recovery_code/valid")["RecoveryCode"] in out


def test_render_html(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "login_code/valid", "--format", "html", "--locale", "ja"]) == 0
    email = expected("login_code/valid", "ja")
    assert email.html is not None
    assert capsys.readouterr().out.rstrip("\n") == email.html.rstrip("\n")


def test_render_json_has_subject_html_text_locale_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "verification_code/valid", "-f", "json", "-l", "pt-BR"]) == 0
    got = json.loads(capsys.readouterr().out)
    email = expected("verification_code/valid", "pt_BR")
    assert got == {
        "template": "verification_code/valid",
        "subject": email.subject,
        "html": email.html,
        "text": email.text,
        "locale": "pt_BR",
        "files": dict(email.files),
    }


def test_render_eml_is_a_multipart_message(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    args = ["render", "recovery/valid", "-f", "eml", "--from-address", "accounts@example.com"]
    assert main([*args, "--from-name", "Example", "--to", "ada@example.com"]) == 0
    raw = capsysbinary.readouterr().out
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    email = expected("recovery/valid")
    assert msg["Subject"] == email.subject
    assert b'\nFrom: "Example" <accounts@example.com>\r\n' in b"\n" + raw  # ory/mail quotes the name
    assert msg["To"] == "ada@example.com"
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    # MIME carries CRLF line endings and ends a part with one.
    assert norm(text.get_content()) == norm(email.text)
    assert norm(html.get_content()) == norm(email.html)


def test_render_uses_override_folders_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    write(first, "recovery/valid/email.subject.gotmpl", "First {{ .To }}")
    write(second, "recovery/valid/email.subject.gotmpl", "Second")
    write(second, "recovery/valid/email.body.plaintext.gotmpl", "Plain from b")
    assert main(["render", "recovery/valid", "-f", "json", "-t", str(first), "-t", str(second)]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["subject"] == "First " + sample_context("recovery/valid")["To"]
    assert got["files"]["subject"] == str(first / "recovery/valid/email.subject.gotmpl")
    assert got["files"]["body"] == str(Path(BUILTIN_ROOT) / "recovery/valid/email.body.gotmpl")
    # The HTML body is built-in, so the override root's plaintext wins over the built-in one.
    assert got["text"] == "Plain from b"


def test_render_context_file_plain_and_keyed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = write(tmp_path, "plain.json", json.dumps({"login_code": "777001"}))  # JSON name
    assert main(["render", "login_code/valid", "-f", "json", "--context", str(plain)]) == 0
    got = json.loads(capsys.readouterr().out)
    ctx = sample_context("login_code/valid") | {"LoginCode": "777001"}
    assert got["subject"] == Renderer().render("login_code/valid", ctx).subject
    assert "777001" in got["subject"]

    keyed = write(
        tmp_path,
        "keyed.json",
        json.dumps(
            {
                "*": {"To": "grace@example.com", "RecoveryCode": "skipped-where-unknown"},
                "login_code_valid": {"LoginCode": "777002"},
            }
        ),
    )
    assert main(["render", "login_code/valid", "-f", "json", "--context", str(keyed)]) == 0
    got = json.loads(capsys.readouterr().out)
    ctx = sample_context("login_code/valid") | {"LoginCode": "777002", "To": "grace@example.com"}
    email = Renderer().render("login_code/valid", ctx)
    assert (got["subject"], got["text"]) == (email.subject, email.text)
    assert "grace@example.com" in got["text"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["render", "recovery/vaild"], "unknown template type 'recovery/vaild'"),
        (["render", "recovery/valid", "--locale", "../etc"], "locale '../etc' is not allowed"),
        (
            ["render", "recovery/valid", "--templates", "/nonexistent/dir"],
            "--templates /nonexistent/dir: no such folder",
        ),
        (["render", "recovery/valid", "--context", "/nonexistent/ctx.json"], "no such file"),
        (["send-test", "recovery/valid", "--to", "a@example.com"], "--smtp-uri"),
        (
            ["send-test", "recovery/valid", "--to", "a@example.com", "--smtp-uri", "smtp://127.0.0.1/"],
            "has no port",
        ),
        (["preview", "--host", "0.0.0.0"], "refusing to listen on 0.0.0.0"),
        (["preview", "--port", "70000"], "--port 70000"),
        (["preview", "--templates", "/nonexistent/dir"], "no such folder"),
    ],
)
def test_user_mistakes_exit_1_with_a_message(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("mailtemplates: error: ")
    assert message in captured.err
    assert captured.out == ""


def test_context_file_mistakes_name_the_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad_json = write(tmp_path, "bad.json", '{\n  "To": "a@example.com",\n}\n')
    assert main(["render", "recovery/valid", "--context", str(bad_json)]) == 1
    # json.loads: "Expecting property name enclosed in double quotes: line 3 column 1"
    assert f"{bad_json}:3:1: invalid JSON" in capsys.readouterr().err

    bad_field = write(tmp_path, "field.json", json.dumps({"recovery/valid": {"RecoveryUrl": "x"}}))
    assert main(["render", "recovery/valid", "--context", str(bad_field)]) == 1
    err = capsys.readouterr().err
    assert "unknown field 'RecoveryUrl'" in err and "did you mean 'RecoveryURL'" in err


def test_broken_template_error_in_a_real_process(tmp_path: Path) -> None:
    subject = write(tmp_path, "recovery/valid/email.subject.gotmpl", "Reset {{ .To }")
    proc = run_cli("render", "recovery/valid", "--templates", str(tmp_path))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    # Go 1.26 (oracle): template: email.subject.gotmpl:1: unexpected "}" in operand
    assert f"{subject}:1:" in proc.stderr
    assert 'unexpected "}" in operand' in proc.stderr
    assert "Reset {{ .To }" in proc.stderr  # the offending line is quoted
    with pytest.raises(TemplateError) as e:
        Renderer([tmp_path]).render("recovery/valid", sample_context("recovery/valid"))
    assert str(e.value) in proc.stderr


# -- init -------------------------------------------------------------------------------------------


def test_init_writes_every_builtin_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "templates"
    assert main(["init", str(dest)]) == 0
    written = sorted(p.relative_to(dest) for p in dest.rglob("*") if p.is_file())
    assert written == BUILTIN_FILES
    for rel in written:
        assert (dest / rel).read_bytes() == (Path(BUILTIN_ROOT) / rel).read_bytes()
    assert f"wrote {len(BUILTIN_FILES)} files to {dest}" in capsys.readouterr().out


def test_init_output_renders_like_the_builtins(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path)]) == 0
    mine = Renderer([tmp_path], use_builtins=False)
    builtin = Renderer()
    for name in ("recovery_code/valid", "verification/valid", "authenticator_key_added"):
        for loc in ("en", "de", "ja"):
            ctx = sample_context(name, locale=loc)
            a, b = mine.render(name, ctx, locale=loc), builtin.render(name, ctx, locale=loc)
            assert (a.subject, a.html, a.text, a.locale) == (b.subject, b.html, b.text, b.locale)


def test_init_refuses_to_overwrite_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = write(tmp_path, "recovery/valid/email.subject.gotmpl", "My subject")
    assert main(["init", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "already exist" in err and "--force" in err and str(mine) in err
    assert mine.read_text() == "My subject"
    # Nothing at all was written: the refusal comes before the first copy.
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["email.subject.gotmpl"]

    assert main(["init", str(tmp_path), "--force"]) == 0
    assert mine.read_bytes() == (Path(BUILTIN_ROOT) / "recovery/valid/email.subject.gotmpl").read_bytes()


def test_init_refusal_in_a_real_process(tmp_path: Path) -> None:
    write(tmp_path, "login_code/valid/email.body.gotmpl", "mine")
    proc = run_cli("init", str(tmp_path))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "--force" in proc.stderr


def test_init_locale_selection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path), "--locale", "de", "--locale", "pt-BR"]) == 0
    names = {p.name for p in tmp_path.rglob("*.gotmpl")}
    assert "email.body.gotmpl" in names and "email.body.de.gotmpl" in names
    assert "email.subject.pt_BR.gotmpl" in names
    assert not any(".fr." in n or ".ja." in n or ".es." in n for n in names)
    assert "(locales: en, de, pt_BR)" in capsys.readouterr().out

    assert main(["init", str(tmp_path / "x"), "--locale", "tlh"]) == 1
    err = capsys.readouterr().err
    assert "no 'tlh' files" in err and "available: en, de, es, fr, ja, pt_BR" in err
    assert not (tmp_path / "x").exists()


def test_init_into_a_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path, "file", "")
    assert main(["init", str(f)]) == 1
    assert "is not a folder" in capsys.readouterr().err


# -- send-test --------------------------------------------------------------------------------------


@dataclass
class Inbox:
    reply: str = "250 2.0.0 Ok: queued as C11"
    refuse: set[str] = field(default_factory=set)
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return self.reply


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server(inbox: Inbox) -> Iterator[int]:
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.mark.smtp
def test_send_test_delivers_and_prints_the_answer(capsys: pytest.CaptureFixture[str]) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        code = main(
            [
                "send-test", "login_code/valid", "--to", "ada@example.com",
                "--smtp-uri", f"smtp://127.0.0.1:{port}/?disable_starttls=true",
                "--from-address", "accounts@example.com", "--from-name", "Example", "--locale", "de",
            ]
        )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "server answered: 250 2.0.0 Ok: queued as C11" in out
    assert f"via 127.0.0.1:{port}" in out
    [(mail_from, rcpts, data)] = inbox.messages
    assert (mail_from, rcpts) == ("accounts@example.com", ["ada@example.com"])
    msg = BytesParser(policy=policy.default).parsebytes(data)
    ctx = sample_context("login_code/valid", locale="de") | {"To": "ada@example.com"}
    email = Renderer().render("login_code/valid", ctx, locale="de")
    assert msg["Subject"] == email.subject
    assert msg["To"] == "ada@example.com"
    body = msg.get_body(("plain",))
    assert body is not None
    assert norm(body.get_content()) == norm(email.text)


@pytest.mark.smtp
def test_send_test_refusal_in_a_real_process() -> None:
    inbox = Inbox(refuse={"nobody@example.com"})
    with smtp_server(inbox) as port:
        proc = run_cli(
            "send-test", "recovery/valid", "--to", "nobody@example.com",
            "--smtp-uri", f"smtp://127.0.0.1:{port}/?disable_starttls=true",
        )  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("mailtemplates: error: ")
    assert "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown" in proc.stderr
    assert inbox.messages == []


@pytest.mark.smtp
def test_send_test_takes_the_uri_from_kratos_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        monkeypatch.setenv("COURIER_SMTP_CONNECTION_URI", f"smtp://127.0.0.1:{port}/?disable_starttls=true")
        monkeypatch.setenv("COURIER_SMTP_FROM_ADDRESS", "env-sender@example.com")
        assert main(["send-test", "recovery/invalid", "--to", "ada@example.com"]) == 0
    [(mail_from, _, _)] = inbox.messages
    assert mail_from == "env-sender@example.com"


# -- lint -------------------------------------------------------------------------------------------


def test_lint_is_the_linters_own_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    # One command line: `mailtemplates lint` and `python -m mailtemplates.lint` print the same and
    # exit the same, for errors, warnings, every format and a path that does not exist.
    from mailtemplates.lint import main as lint_main

    fix = Path(__file__).parent / "fixtures" / "lint"
    for argv in (
        [str(fix / "syntax_error"), "--format", "github"],
        [str(fix / "orphan_locale"), "-f", "json"],
        [str(fix / "missing_part"), "--no-builtins"],
        [str(fix / "clean"), "--from-address", "no-reply@example.com"],
        [str(fix / "does-not-exist")],
    ):
        code = main(["lint", *argv])
        out = capsys.readouterr()
        assert (lint_main(argv), capsys.readouterr()) == (code, out), argv
    assert [main(["lint", str(fix / c)]) for c in ("syntax_error", "orphan_locale", "nope")] == [1, 0, 2]


def test_lint_real_linter_on_an_init_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mailtemplates import lint

    assert main(["init", str(tmp_path), "--locale", "de"]) == 0
    capsys.readouterr()
    code = main(["lint", str(tmp_path), "--format", "json"])
    diags = lint.lint_paths([str(tmp_path)])
    assert code == lint.exit_code(diags)
    assert json.loads(capsys.readouterr().out) == json.loads(lint.format_diagnostics(diags, "json"))


def test_lint_missing_path_cannot_run() -> None:
    proc = run_cli("lint", "/nonexistent/templates")
    assert proc.returncode == 2  # lint's "could not run", distinct from 1 "errors found"
    assert "Traceback" not in proc.stderr and "/nonexistent/templates" in proc.stderr


# -- preview (the process; the app itself is tests/test_preview.py) ----------------------------------


def _sigint_as_from_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_preview_process_serves_and_stops_cleanly(tmp_path: Path, stop: signal.Signals) -> None:
    override = tmp_path / "templates"
    shutil.copytree(Path(BUILTIN_ROOT) / "recovery" / "valid", override / "recovery" / "valid")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mailtemplates.cli", "preview", "--port", "0", "--templates", str(override)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=CLEAN_ENV,
        # As from a terminal: a test run started in the background (``cmd &`` in a script)
        # ignores SIGINT, children inherit that, and Python then never turns Ctrl-C into
        # KeyboardInterrupt.
        preexec_fn=_sigint_as_from_a_terminal,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        m = re.search(r"serving (http://127\.0\.0\.1:\d+/)", line)
        assert m, line
        with urllib.request.urlopen(m.group(1) + "api/render/recovery/valid", timeout=10) as resp:
            data = json.load(resp)
        assert data["ok"] is True
        assert data["subject"] == expected("recovery/valid").subject
        assert data["files"]["subject"]["origin"] == "override"
        proc.send_signal(stop)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert "Traceback" not in err and "preview: stopped" in err

"""Issue 15, "Packaging and first contact": what a new user meets first (init with files present,
help texts, a URI without scheme, the test stub, the subject in text output) and what a package
index shows (long description, LICENSE, NOTICE, the data files in the wheel)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import write

from mailtemplates.cli import build_parser, main
from mailtemplates.errors import InvalidName, SMTPConfigError
from mailtemplates.loader import BUILTIN_ROOT
from mailtemplates.models import get_template_type
from mailtemplates.smtp import parse_connection_uri

ROOT = Path(__file__).resolve().parent.parent


def test_init_missing_only_adds_the_missing_files_and_keeps_yours(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = write(tmp_path, "recovery/valid/email.subject.gotmpl", "My subject")
    total = sum(1 for p in Path(BUILTIN_ROOT).rglob("*.gotmpl"))
    assert main(["init", str(tmp_path), "--missing-only"]) == 0
    out = capsys.readouterr().out
    assert f"wrote {total - 1} files to {tmp_path}, kept 1 existing" in out
    assert mine.read_text() == "My subject"
    assert sum(1 for p in tmp_path.rglob("*.gotmpl")) == total
    # Run again: nothing is missing any more, nothing changes.
    assert main(["init", str(tmp_path), "--missing-only"]) == 0
    assert f"wrote 0 files to {tmp_path}, kept {total} existing" in capsys.readouterr().out
    assert mine.read_text() == "My subject"
    # --force overwrites and says how many it overwrote.
    assert main(["init", str(tmp_path), "--force", "--locale", "de"]) == 0
    assert "of them overwritten" in capsys.readouterr().out
    assert mine.read_text() != "My subject"


def test_init_refusal_names_both_ways_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "recovery/valid/email.subject.gotmpl", "My subject")
    assert main(["init", str(tmp_path)]) == 1
    assert (
        "use --missing-only to add only the missing files, or --force to overwrite them"
        in capsys.readouterr().err
    )
    with pytest.raises(SystemExit) as exit_:
        main(["init", str(tmp_path), "--force", "--missing-only"])
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def _help(command: str) -> str:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return str(sub.choices[command].format_help())  # type: ignore[attr-defined]


def test_help_says_what_init_does_with_existing_files() -> None:
    text = " ".join(_help("init").split())
    assert "nothing is written and they are listed, unless --force" in text
    assert "--missing-only (write only the files that are missing; yours are left as they are)" in text
    assert "DIR folder to write into (created if missing)" in text


def test_every_option_and_argument_has_a_help_text() -> None:
    missing = []
    todo = [("mailtemplates", build_parser())]
    while todo:
        name, parser = todo.pop()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helped = {a.dest for a in action._choices_actions if a.help}
                for sub, subparser in action.choices.items():
                    if sub not in helped:
                        missing.append(f"{name} {sub}")
                    todo.append((f"{name} {sub}", subparser))
            elif not action.help:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert not missing, f"no help text: {missing}"


def test_render_text_shows_the_subject(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "login_code/valid", "-f", "text"]) == 0
    first, blank, *_ = capsys.readouterr().out.split("\n")
    assert re.fullmatch(r"Subject: .*\S", first) and blank == ""


@pytest.mark.parametrize("uri", ["127.0.0.1:8026", "localhost:1025", "mail.example.org:587"])
def test_a_uri_without_scheme_says_what_to_write(uri: str) -> None:
    with pytest.raises(SMTPConfigError) as err:
        parse_connection_uri(uri)
    assert str(err.value).startswith(f"the SMTP connection URI {uri!r} has no scheme; write smtp://{uri}/ ")


def test_a_uri_without_scheme_but_with_a_password_is_not_echoed() -> None:
    with pytest.raises(SMTPConfigError) as err:
        parse_connection_uri("user:s3cr3t@host:25")
    assert "s3cr3t" not in str(err.value) and "has no scheme" in str(err.value)


def test_the_test_stub_is_not_offered_as_a_template(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InvalidName) as err:
        get_template_type("recovery/nope")
    assert "test_stub" not in str(err.value) and "recovery/valid" in str(err.value)
    assert main(["render", "test_stub"]) == 1
    assert "test_stub is Kratos's test message" in capsys.readouterr().err
    assert main(["send-test", "test_stub", "--to", "a@example.com", "--smtp-uri", "smtp://127.0.0.1:9/"]) == 1
    assert "has no templates to render" in capsys.readouterr().err


# -- packaging ---------------------------------------------------------------------------------


def test_license_and_notice() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    notice = (ROOT / "NOTICE").read_text()
    # Every bundled third-party data file has its notice named in NOTICE and present beside it.
    for data in ROOT.glob("mailtemplates/**/data/*.json"):
        rel = data.relative_to(ROOT).as_posix()
        assert rel in notice, f"{rel} is not in NOTICE"
        assert list(data.parent.glob("LICENSE*")), f"no licence file next to {rel}"


def _pyproject() -> dict[str, Any]:
    # The standard library reads TOML from Python 3.11 on; the files checked are the same on
    # every version, so older Pythons skip these few checks and run the rest of the suite.
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    return dict(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8")))


def test_package_metadata_reads_well_on_an_index() -> None:
    project = _pyproject()["project"]
    description = (ROOT / project["readme"]).read_text()
    assert description.startswith("# mailtemplates\n")
    assert "./run" not in description  # the development commands belong to the README, not the index
    assert "pip install mailtemplates" in description
    for extra in project["optional-dependencies"]:
        if extra not in ("test", "dev"):
            assert extra in description, f"extra {extra!r} is not described"
    assert set(project["license-files"]) == {"LICENSE", "NOTICE"}


def test_package_data_covers_every_non_python_file() -> None:
    patterns = _pyproject()["tool"]["setuptools"]["package-data"]
    missing = []
    for path in (ROOT / "mailtemplates").rglob("*"):
        if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(ROOT / "mailtemplates")
        owners = [p for p in patterns if p.startswith("mailtemplates")]
        ok = False
        for pkg in owners:
            base = Path(*pkg.split(".")[1:])
            if rel.is_relative_to(base) and any(rel.relative_to(base).match(g) for g in patterns[pkg]):
                ok = True
        if not ok:
            missing.append(str(rel))
    assert not missing, f"files the wheel would leave out: {missing}"


def test_every_package_is_listed_in_pyproject() -> None:
    # pyproject lists the packages by hand: a split that makes a new package must add it.
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "mailtemplates").rglob("__init__.py")
    }
    assert found - listed == set(), "add these packages to [tool.setuptools] packages"

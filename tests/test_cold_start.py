"""Start-up stays cheap (issue 17): what a fresh process loads, not how long it takes.

Each case runs in a fresh interpreter and reads ``sys.modules``: timings belong in benchmarks/
(``run_all.py --only cold``), but which modules a command loads is exact and cannot be flaky.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: The engine, the transports and the heavy dependencies: none of them is needed to print a
#: version, a help text, or to make the error classes importable.
HEAVY = (
    "mailtemplates.gotmpl",
    "mailtemplates.render",
    "mailtemplates.loader",
    "mailtemplates.i18n",
    "mailtemplates.lint.linter",
    "mailtemplates.preview",
    "babel",
    "css_inline",
    "premailer",
    "regex",
    "watchdog",
    "jinja2",
    "mailtemplates.mime",
    "mailtemplates.smtp",
    "mailtemplates.courier.channels",
    "mailtemplates.courier.store",
    "mailtemplates.courier.worker",
    "email.message",
    "smtplib",
    "ssl",
    "sqlite3",
    "http.server",
)


def loaded_after(code: str) -> list[str]:
    """The HEAVY modules present once ``code`` ran in a fresh interpreter."""
    probe = (
        "import sys\n"
        "try:\n" + "".join(f"    {line}\n" for line in code.splitlines()) + "except SystemExit:\n    pass\n"
        f"print('\\n' + __import__('json').dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    loaded: list[str] = json.loads(out.splitlines()[-1])
    return loaded


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["lint", "--help"], ["courier", "--help"]])
def test_cli_version_and_help_do_not_load_the_engine(argv: list[str]) -> None:
    assert loaded_after(f"from mailtemplates.cli import main\nmain({argv!r})") == []


def test_import_mailtemplates_loads_only_the_error_tree() -> None:
    assert loaded_after("import mailtemplates\nfrom mailtemplates import MailTemplateError") == []


def test_public_names_load_on_first_use() -> None:
    """The lazy names are the real objects, and ``render`` stays the function whatever runs first."""
    code = (
        "import mailtemplates.render\n"  # binds the submodule on the package first
        "import mailtemplates\n"
        "from mailtemplates import Renderer, RenderedEmail, Resolution, PartResolution, gotmpl, render, render_sms\n"
        "assert callable(render) and render is mailtemplates.render and render.__module__ == 'mailtemplates.render'\n"
        "assert Renderer.__module__ == 'mailtemplates.render' and gotmpl.__name__ == 'mailtemplates.gotmpl'\n"
        "assert set(mailtemplates.__all__) <= set(dir(mailtemplates))\n"
        "assert all(getattr(mailtemplates, n) is not None for n in mailtemplates.__all__)\n"
        "print(render('login_code/valid', {'LoginCode': '123456'}).subject)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "Your sign-in code: 123456"


def test_unknown_attribute_is_an_attribute_error() -> None:
    import mailtemplates

    with pytest.raises(AttributeError, match="no_such_name"):
        mailtemplates.no_such_name  # noqa: B018


def test_rendering_loads_no_optional_formatter() -> None:
    """A plain render needs neither Babel's date/number formatting nor the regex module nor uuid."""
    code = (
        "import mailtemplates\n"
        "mailtemplates.render('recovery/valid', {'RecoveryURL': 'https://x.example/r', 'To': 'a@example.com'})"
        ".to_message(to='a@example.com', from_address='n@example.com').as_bytes()\n"
        "print([m for m in ('babel.dates', 'babel.numbers', 'regex', 'uuid', 'difflib') if m in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import sys\n" + code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_lint_loads_only_what_it_uses() -> None:
    """Lint builds no message and sends nothing (RenderedEmail imports MIME in ``to_message``),
    inlines no CSS, and calls no hashing or network template function."""
    probe = (
        "import sys, io, contextlib\n"
        "from mailtemplates.cli import main\n"
        "from mailtemplates.loader import BUILTIN_ROOT\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['lint', str(BUILTIN_ROOT / 'recovery')])\n"
        "unwanted = ('mailtemplates.mime', 'mailtemplates.courier', 'email.message', 'email.policy', 'email.utils',"
        " 'html.parser', 'hashlib', 'socket')\n"
        "print([m for m in unwanted if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "[]"

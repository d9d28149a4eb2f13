"""``mailtemplates lint``: one broken fixture folder per diagnostic code, formats, CLI, generated docs.

Each folder under tests/fixtures/lint/ is an override root broken on purpose in one way. Where a
diagnostic restates Go's behaviour (parse errors, escaper errors, a missing template, which
``define`` wins), the expected text and position were produced by the Go oracle from the same
fixture files (recorded in ``GO`` below, re-checked live by ``test_go_recorded`` where the oracle is
installed). Positions of the linter's own checks are computed from the fixture text with ``at()``.
Go's columns are 0-based byte offsets; the linter's are 1-based characters (the fixtures are ASCII).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conformance_support import ORACLE
from helpers import write

from mailtemplates import Renderer, gotmpl
from mailtemplates.errors import InvalidName, MailTemplateError
from mailtemplates.lint import CODES, Diagnostic, exit_code, format_diagnostics, main
from mailtemplates.lint import lint_paths as lint_all
from mailtemplates.loader import BUILTIN_ROOT

REPO = Path(__file__).resolve().parent.parent
FIX = REPO / "tests" / "fixtures" / "lint"
RV = "recovery/valid"
needs_oracle = pytest.mark.skipif(
    not ORACLE.is_file(),
    reason=f"needs the Go oracle (CONTRIBUTING.md), not found at {ORACLE}: these tests re-ask real Go what the recorded fixtures render; CI checks our engine against the recorded answers",
)
DATA = {"RecoveryURL": "https://x.example/r", "To": "a@example.com"}

# Go 1.26 (the oracle) on the fixture files, parsed as Kratos parses an override folder's part:
# (case, engine, folder, glob stem, entry) -> Go's result.
GO: dict[str, tuple[str, str, str, str, dict[str, Any]]] = {
    "syntax_error": (
        "text",
        RV,
        "email.subject",
        "email.subject.gotmpl",
        {
            "error": {
                "phase": "parse",
                "message": 'template: email.subject.gotmpl:2: unexpected "}" in operand',
            }
        },
    ),
    "escape_error": (
        "html",
        RV,
        "email.body",
        "email.body.gotmpl",
        {
            "error": {
                "phase": "exec",
                "message": "html/template:email.body.gotmpl:2:9: {{if}} branches end in different contexts: "
                "{stateURL delimDoubleQuote urlPartNone jsCtxRegexp [] attrURL elementNone <nil>}, "
                "{stateText delimNone urlPartNone jsCtxRegexp [] attrNone elementNone <nil>}",
            }
        },
    ),
    "non_hermetic": (
        "text",
        RV,
        "email.subject",
        "email.subject.gotmpl",
        {
            "error": {
                "phase": "parse",
                "message": 'template: email.subject.gotmpl:2: function "env" not defined',
            }
        },
    ),
    "undefined_template": (
        "text",
        RV,
        "email.body.plaintext",
        "email.body.plaintext.gotmpl",
        {
            "error": {
                "phase": "exec",
                "message": 'template: email.body.plaintext.gotmpl:2:12: executing "email.body.plaintext.gotmpl" '
                'at <{{template "email.body.footer.gotmpl" .}}>: template "email.body.footer.gotmpl" not defined',
            }
        },
    ),
    # The HTML set renders the plaintext file's {{define "en"}} ...
    "define_collision": (
        "html",
        RV,
        "email.body",
        "email.body.gotmpl",
        {"output": "\nRecover your account: https://x.example/r\n\n"},
    ),
    # ... and the German HTML email the English file's footer.
    "define_redefined": (
        "html",
        RV,
        "email.body",
        "email.body.de.gotmpl",
        {"output": '\n<p><a href="https://x.example/r">Wiederherstellen</a></p>\n<p>Thanks</p>\n'},
    ),
}


def family(case: str, folder: str, stem: str) -> dict[str, str]:
    """The files Kratos parses together for a part: ``<folder>/<stem>*``, sorted."""
    d = FIX / case / folder
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(d.iterdir()) if p.name.startswith(stem)}


def go_error(case: str) -> tuple[str, int, int | None, str]:
    """(file, line, Go's 0-based byte column or None, message) of a recorded Go error."""
    msg = GO[case][4]["error"]["message"]
    m = re.match(r"(?:template|html/template): ?([^:]+):(\d+):(?:(\d+):)? (.*)$", msg, re.S)
    assert m, msg
    rest = m.group(4)
    if rest.startswith("executing "):
        rest = rest.split(">: ", 1)[1]
    return m.group(1), int(m.group(2)), int(m.group(3)) if m.group(3) else None, rest


def at(case: str, rel: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the ``nth`` occurrence of ``needle`` in a fixture file."""
    text = (FIX / case / rel).read_text(encoding="utf-8")
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def lint_paths(paths: list[str], *, mixed: bool = False, **kw: Any) -> list[Diagnostic]:
    """``lint_paths`` without MT106 unless ``mixed``, and without the compatibility check unless
    ``clients`` is given: most folders here override one or two parts, so the built-in
    translations of the others mix languages, and any HTML is reported for some email client.
    Both have their own tests (below, and tests/test_lint_compat.py)."""
    kw.setdefault("clients", "none")
    return [d for d in lint_all(paths, **kw) if mixed or d.code != "MT106"]


def lint(case: str, **kw: Any) -> list[Diagnostic]:
    return lint_paths([str(FIX / case)], **kw)


def path(case: str, rel: str) -> str:
    return os.path.normpath(str(FIX / case / rel))


# --- one fixture per code ----------------------------------------------------------------------

_ESC = go_error("escape_error")
_UNDEF = go_error("undefined_template")

# case, lint keywords, expected diagnostics: (code, file, (line, col), message, suggestion)
CASES: list[tuple[str, dict[str, Any], list[tuple[str, str, tuple[int, int], str, str | None]]]] = [
    (
        "syntax_error",
        {},
        [("MT001", f"{RV}/email.subject.gotmpl", at("syntax_error", f"{RV}/email.subject.gotmpl", "}\n"),
          go_error("syntax_error")[3], None)],
    ),
    (
        "escape_error",
        {},
        [("MT002", f"{RV}/email.body.gotmpl", (_ESC[1], (_ESC[2] or 0) + 1), "ErrBranchEnd: " + _ESC[3], None)],
    ),
    (
        "unknown_field",
        {},
        [
            ("MT003", f"{RV}/email.subject.gotmpl", at("unknown_field", f"{RV}/email.subject.gotmpl", ".RecoveryUrl"),
             "*email.RecoveryValidModel has no field RecoveryUrl: executing this fails in Kratos "
             "(can't evaluate field RecoveryUrl)", "did you mean .RecoveryURL?"),
            ("MT003", "recovery_code/valid/email.subject.gotmpl",
             at("unknown_field", "recovery_code/valid/email.subject.gotmpl", ".RecoveryURL"),
             "*email.RecoveryCodeValidModel has no field RecoveryURL: executing this fails in Kratos "
             "(can't evaluate field RecoveryURL)", "did you mean .RecoveryCode?"),
        ],
    ),
    (
        "undefined_template",
        {},
        [("MT004", f"{RV}/email.body.plaintext.gotmpl", (_UNDEF[1], (_UNDEF[2] or 0) + 1),
          'template "email.body.footer.gotmpl" is not defined: email.body.plaintext.gotmpl is parsed with the '
          "files matching email.body.plaintext* only, so this call fails when it runs",
          "rename email.body.footer.gotmpl to email.body.plaintext.footer.gotmpl: both email.body* and "
          "email.body.plaintext* match that name")],
    ),
    (
        "non_hermetic",
        {},
        [("MT005", f"{RV}/email.subject.gotmpl", at("non_hermetic", f"{RV}/email.subject.gotmpl", "env"),
          'function "env" is not available in override templates: Kratos parses them with sprig\'s hermetic '
          'functions, so this is the parse error "function "env" not defined"', None)],
    ),
    (
        "define_collision",
        {},
        [("MT006", f"{RV}/email.body.gotmpl", at("define_collision", f"{RV}/email.body.gotmpl", "define"),
          'the HTML email renders email.body.plaintext.gotmpl\'s {{define "en"}}, not this one: email.body* '
          "also matches email.body.plaintext.gotmpl, which sorts later and replaces it",
          'rename the block, for example "html-en"')],
    ),
    (
        "missing_part",
        {"use_builtins": False},
        [("MT007", RV, (0, 0), "no email.subject.gotmpl for recovery/valid, and no built-in to fall back on", None)],
    ),
    (
        "unreadable_file",
        {},
        [("MT008", f"{RV}/email.body.gotmpl", (0, 0), f"resolves outside its template root {FIX / 'unreadable_file'}: "
          "mailtemplates does not read it (a render fails on it)", None)],
    ),
    (
        "mixed_languages",
        {},
        [("MT106", f"{RV}/email.subject.gotmpl", (0, 0), "for de: the subject (email.subject.gotmpl) comes in en, the "
          "body (email.body.de.gotmpl) and plaintext (email.body.plaintext.de.gotmpl) in de: recipients get an email "
          "in two languages", f"add email.subject.de.gotmpl to {path('mixed_languages', RV)}")],
    ),
    (
        "engine_shadowed",
        {},
        [("MT107", f"{RV}/email.body.jinja", (0, 0), "email.body.gotmpl and email.body.jinja are the same part: "
          "email.body.gotmpl is used and this file is never read",
          "remove email.body.gotmpl to use this jinja template, or remove this one")],
    ),
    (
        "define_redefined",
        {},
        [("MT101", f"{RV}/email.body.de.gotmpl", at("define_redefined", f"{RV}/email.body.de.gotmpl", "define"),
          '{{define "footer"}} is replaced by the one in email.body.gotmpl: files are parsed in name order and '
          "the later definition wins", "give each file's blocks their own names")],
    ),
    (
        "orphan_locale",
        {},
        [("MT102", f"{RV}/email.subject.de.gotmpl", (0, 0),
          "no email.subject.gotmpl beside it: Kratos never loads this file (it uses the built-in "
          "email.subject.gotmpl), and mailtemplates uses it for 'de' only", None)],
    ),
    (
        "unknown_locale",
        {},
        [("MT103", f"{RV}/email.subject.xx.gotmpl", (0, 0),
          "'xx' is not a locale Babel knows: this file is never chosen for a locale",
          'if it is a partial, call it with {{ template "email.subject.xx.gotmpl" . }}')],
    ),
    (
        "ignored_path",
        {},
        [("MT104", "recovery/vaild", (0, 0), "unknown folder recovery/vaild/: Kratos reads recovery/valid/, "
          "recovery/invalid/ only", "rename it valid/")],
    ),
    (
        "partial_override",
        {},
        [("MT105", f"{RV}/email.body.plaintext.gotmpl", (0, 0), "no email.body.gotmpl beside it: the HTML part is "
          "the built-in template, which mail clients show instead of this text", "override email.body.gotmpl as well")],
    ),
    (
        "html_only",
        {},
        [("MT201", f"{RV}/email.body.plaintext.gotmpl", at("html_only", f"{RV}/email.body.plaintext.gotmpl", "<p>"),
          "HTML markup (<p>) in the plaintext template: text clients show the tags and spam filters see an "
          "HTML-only message", "write the plaintext body as text")],
    ),
    (
        "link_shortener",
        {},
        [
            ("MT202", f"{RV}/email.body.gotmpl", at("link_shortener", f"{RV}/email.body.gotmpl", "bit.ly", n),
             "link through the URL shortener bit.ly", "link to your own domain")
            for n in (0, 1)
        ],
    ),
    (
        "too_many_links",
        {},
        [("MT203", f"{RV}/email.body.gotmpl", at("too_many_links", f"{RV}/email.body.gotmpl", "<a ", 10),
          "11 links (more than 10): this is link 11", None)],
    ),
    (
        "too_many_images",
        {},
        [("MT204", f"{RV}/email.body.gotmpl", at("too_many_images", f"{RV}/email.body.gotmpl", "<img", 5),
          "6 images (more than 5): this is image 6", None)],
    ),
    (
        "img_missing_alt",
        {},
        [("MT205", f"{RV}/email.body.gotmpl", at("img_missing_alt", f"{RV}/email.body.gotmpl", "<img"),
          "<img> without an alt attribute", 'add alt="..." (alt="" for a decorative image)')],
    ),
    (
        "insecure_link",
        {},
        [("MT206", f"{RV}/email.body.gotmpl", at("insecure_link", f"{RV}/email.body.gotmpl", "http://"),
          "link over http://", "use https://")],
    ),
    (
        "subject_all_caps",
        {},
        [("MT207", f"{RV}/email.subject.gotmpl", (1, 1), "the subject is all capital letters", "write it in sentence case")],
    ),
    (
        "subject_exclamations",
        {},
        [("MT208", f"{RV}/email.subject.gotmpl", at("subject_exclamations", f"{RV}/email.subject.gotmpl", "!!"),
          "'!!' in the subject", "use at most one '!'")],
    ),
    (
        "dynamic_srcdoc",
        {},
        [("MT210", f"{RV}/email.body.gotmpl", at("dynamic_srcdoc", f"{RV}/email.body.gotmpl", "srcdoc", 1),
          'template data in srcdoc (srcdoc="<p>Sent to {{ .To }}</p>"): the frame\'s document is built from it, '
          "so markup in the data runs there", "write the frame's document in the template, or link to the content")],
    ),
    (
        "clean",
        {"from_address": "Example <no-reply@example.com>"},
        [("MT209", "", (0, 0), "the sender no-reply@example.com is a no-reply address: replies bounce",
          "send from an address that is read, such as support@ or accounts@")],
    ),
    (
        "client_unsupported",
        {"clients": "outlook.windows"},
        [("MT401", f"{RV}/email.body.gotmpl", at("client_unsupported", f"{RV}/email.body.gotmpl", "display"),
          "display:flex is not supported in Outlook (Windows) [css-display-flex]",
          "see https://www.caniemail.com/features/css-display-flex/")],
    ),
    (
        "client_partial",
        {"clients": "outlook.windows"},
        [("MT402", f"{RV}/email.body.gotmpl", at("client_partial", f"{RV}/email.body.gotmpl", "padding"),
          "padding is partly supported in Outlook (Windows) [css-padding]",
          "see https://www.caniemail.com/features/css-padding/")],
    ),
    (
        "plaintext_derived",
        {},
        [("MT301", f"{RV}/email.body.gotmpl", (0, 0), "no email.body.plaintext.gotmpl beside it: mailtemplates "
          "derives the text part from the rendered HTML (Kratos would send its built-in plaintext)", None)],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("case", "kw", "expected"), CASES, ids=[c[0] for c in CASES])
def test_fixture(
    case: str, kw: dict[str, Any], expected: list[tuple[str, str, tuple[int, int], str, str | None]]
) -> None:
    # Most fixtures override one or two parts of recovery/valid, so their other parts come from
    # the built-in translations and MT106 flags them too (test_partial_overrides_mix_languages).
    got = lint(case, mixed="MT106" in {e[0] for e in expected}, **kw)
    want = [
        Diagnostic(code, CODES[code].severity, path(case, rel) if rel else "", line, col, message, suggestion)
        for code, rel, (line, col), message, suggestion in expected
    ]
    assert got == sorted(want, key=lambda d: (d.file, d.line, d.col, d.code, d.message))


def test_every_code_has_a_fixture() -> None:
    assert {d[0] for _, _, exp in CASES for d in exp} == set(CODES)
    assert sorted(p.name for p in FIX.iterdir()) == sorted(c for c, _, _ in CASES)


def test_clean_fixture_is_clean() -> None:
    assert lint("clean") == []
    assert lint("clean", from_address="accounts@example.com") == []


def test_builtin_templates_lint_clean() -> None:
    diags = lint_paths([str(BUILTIN_ROOT)])
    assert [d for d in diags if d.severity == "error"] == []
    assert exit_code(diags) == 0


@pytest.mark.parametrize("case", ["define_collision", "define_redefined"])
def test_define_fixtures_render_as_go_does(case: str) -> None:
    # The premise of MT006/MT101: our engine picks the same winning define as Go (recorded above).
    engine, folder, stem, entry, result = GO[case]
    out = gotmpl.render_files(family(case, folder, stem), entry, DATA, html=engine == "html")
    assert out == result["output"]


@needs_oracle
@pytest.mark.parametrize("case", sorted(GO))
def test_go_recorded(case: str) -> None:
    engine, folder, stem, entry, result = GO[case]
    spec = {
        "engine": engine,
        "funcs": "hermetic",
        "files": family(case, folder, stem),
        "entry": entry,
        "data": DATA,
    }
    proc = subprocess.run(
        [str(ORACLE), "-"], input=json.dumps(spec), capture_output=True, text=True, check=True
    )
    assert json.loads(proc.stdout) == result


# --- the checks in more detail ------------------------------------------------------------------


def codes(diags: list[Diagnostic]) -> list[tuple[str, str, int, int]]:
    return [(d.code, os.path.basename(d.file), d.line, d.col) for d in diags]


def test_fields_follow_dot_and_dollar(tmp_path: Path) -> None:
    src = (
        '{{ with .Identity }}{{ .InWith }}{{ $.Dollar }}{{ template "p" . }}{{ template "q" $ }}'
        "{{ else }}{{ .WithElse }}{{ end }}"
        "{{ range .Identity }}{{ .InRange }}{{ else }}{{ .RangeElse }}{{ end }}"
        '{{ if .IfCond }}{{ .InIf }}{{ end }}{{ template "r" . }}{{ (.Chained).Deeper }}{{ .Identity.nope }}'
        '{{ define "p" }}{{ .NotModel }}{{ end }}{{ define "q" }}{{ .ViaDollar }}{{ end }}'
        '{{ define "r" }}{{ .ViaDot }}{{ end }}'
    )
    f = write(tmp_path, f"{RV}/email.subject.gotmpl", src)
    got = [
        (d.code, d.col, d.message.split(" has no field ")[1].split(":")[0])
        for d in lint_paths([str(tmp_path)])
    ]
    flagged = ["Dollar", "WithElse", "RangeElse", "IfCond", "InIf", "ViaDollar", "ViaDot", "Chained"]
    text = f.read_text()
    # One line: the 1-based column of ".Name" is the 0-based offset of "Name".
    assert sorted(got) == sorted(("MT003", text.index("." + name) + 1, name) for name in flagged)


def test_field_positions_and_dollar(tmp_path: Path) -> None:
    write(tmp_path, f"{RV}/email.subject.gotmpl", "Hi\n  {{ $.Nope }}")
    (d,) = lint_paths([str(tmp_path)])
    # Go's VariableNode for ``$.Nope`` starts at the field, after the ``$``.
    assert (d.code, d.line, d.col) == ("MT003", 2, 7)
    assert (
        d.suggestion
        == "recovery/valid fields: To, RecoveryURL, Identity, RequestURL, TransientPayload, ExpiresInMinutes"
    )


def test_sms_uses_the_sms_model(tmp_path: Path) -> None:
    # The registration_code *email* model has Traits and no Identity; the SMS model has Identity.
    write(tmp_path, "registration_code/valid/sms.body.gotmpl", "{{ .Identity.id }} {{ .RequestURLDomain }}")
    write(tmp_path, "registration_code/valid/email.subject.gotmpl", "{{ .Identity.id }}")
    assert [(d.code, os.path.basename(d.file)) for d in lint_paths([str(tmp_path)])] == [
        ("MT003", "email.subject.gotmpl")
    ]


def test_locale_file_names(tmp_path: Path) -> None:
    write(tmp_path, f"{RV}/email.subject.gotmpl", 'Hi{{ template "email.subject.css.gotmpl" }}')
    write(tmp_path, f"{RV}/email.subject.css.gotmpl", "")  # called by name: a partial, not a locale
    write(tmp_path, f"{RV}/email.subject.pt_br.gotmpl", "Oi")
    write(tmp_path, f"{RV}/email.subject.de-DE.gotmpl", "Hallo")
    write(tmp_path, f"{RV}/email.subject.html.en_US.gotmpl", "")  # Kratos-style partial name
    got = [(d.code, os.path.basename(d.file), d.suggestion) for d in lint_paths([str(tmp_path)])]
    assert got == [
        ("MT103", "email.subject.de-DE.gotmpl", "rename it email.subject.de_DE.gotmpl"),
        ("MT103", "email.subject.pt_br.gotmpl", "rename it email.subject.pt_BR.gotmpl"),
    ]


def test_ignored_files(tmp_path: Path) -> None:
    write(tmp_path, f"{RV}/email.subject.gotmpl", "Hi")
    write(tmp_path, f"{RV}/email.sujbect.gotmpl", "Hi")
    write(tmp_path, f"{RV}/sms.body.gotmpl", "Hi")
    write(tmp_path, f"{RV}/sub/email.subject.gotmpl", "Hi")
    write(tmp_path, f"{RV}/.gitkeep", "")
    write(tmp_path, "recovery/email.subject.gotmpl", "Hi")
    write(tmp_path, "email.subject.gotmpl", "Hi")
    write(tmp_path, "README.md", "notes")
    got = [(d.code, os.path.relpath(d.file, tmp_path), d.suggestion) for d in lint_paths([str(tmp_path)])]
    assert got == [
        ("MT104", "email.subject.gotmpl", None),
        ("MT104", "recovery/email.subject.gotmpl", None),
        ("MT104", f"{RV}/email.sujbect.gotmpl", "rename it email.subject.gotmpl"),
        ("MT104", f"{RV}/sms.body.gotmpl", None),
        ("MT104", f"{RV}/sub", None),
    ]


def test_a_folder_named_like_a_part_is_an_error(tmp_path: Path) -> None:
    # Kratos globs email.body* and fails to read the folder: the part is broken, not missing.
    write(tmp_path, f"{RV}/email.subject.gotmpl", "Hi")
    write(tmp_path, f"{RV}/email.body.gotmpl/old.html", "<p>old</p>")
    write(tmp_path, f"{RV}/archive/email.body.gotmpl", "<p>old</p>")
    got = [(d.code, d.severity, os.path.relpath(d.file, tmp_path), d.message) for d in lint_paths([str(tmp_path)])]
    assert got == [
        ("MT104", "warning", f"{RV}/archive", "folder inside the recovery/valid template folder: Kratos "
         "does not look into subfolders"),
        ("MT001", "error", f"{RV}/email.body.gotmpl", "email.body.gotmpl is a directory, not a template "
         "file: its name matches email.body*, so Kratos (and mailtemplates) fail to load this part"),
    ]  # fmt: skip


def test_no_template_folders(tmp_path: Path) -> None:
    (d,) = lint_paths([str(tmp_path)])
    assert (d.code, d.file) == ("MT104", str(tmp_path))


def test_missing_bodies_without_builtins(tmp_path: Path) -> None:
    write(tmp_path, f"{RV}/email.subject.gotmpl", "Hi")
    (d,) = lint_paths([str(tmp_path)], use_builtins=False)
    assert (d.code, d.message) == (
        "MT007",
        "no email.body.gotmpl or email.body.plaintext.gotmpl for recovery/valid, and no built-in to fall back on",
    )
    assert lint_paths([str(tmp_path)]) == []


def test_empty_plaintext(tmp_path: Path) -> None:
    write(tmp_path, f"{RV}/email.body.gotmpl", "<p>Hi</p>")
    write(tmp_path, f"{RV}/email.body.plaintext.gotmpl", '{{ define "x" }}Hi{{ end }}\n')
    (d,) = lint_paths([str(tmp_path)])
    assert (d.code, d.line) == ("MT201", 0)
    # Go: a root template holding only a define renders nothing.
    assert gotmpl.render_files({"a.gotmpl": '{{ define "x" }}Hi{{ end }}\n'}, "a.gotmpl") == "\n"


def test_deliverability_in_plaintext(tmp_path: Path) -> None:
    write(tmp_path, f"{RV}/email.body.plaintext.gotmpl", "Help: http://example.com or bit.ly/abc\n")
    write(
        tmp_path,
        f"{RV}/email.body.gotmpl",
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">',
    )
    assert codes(lint_paths([str(tmp_path)])) == [
        ("MT206", "email.body.plaintext.gotmpl", 1, 7),
        ("MT202", "email.body.plaintext.gotmpl", 1, 29),
    ]


def test_partial_overrides_mix_languages() -> None:
    # Only a subject overridden: every built-in translation gets an English subject.
    (d,) = [d for d in lint("syntax_error", mixed=True) if d.code == "MT106"]
    assert (d.file, d.message, d.suggestion) == (
        path("syntax_error", f"{RV}/email.subject.gotmpl"),
        "for de, es, fr, ja and pt_BR: the subject (email.subject.gotmpl) comes in en, the body and plaintext "
        "in each locale's own built-in translation: recipients get an email in two languages",
        f"add email.subject.<locale>.gotmpl to {path('syntax_error', RV)} for de, es, fr, ja and pt_BR",
    )
    # Only an HTML body: its derived plaintext goes with it.
    (d,) = [d for d in lint("plaintext_derived", mixed=True) if d.code == "MT106"]
    assert d.message.startswith("for de, es, fr, ja and pt_BR: the body (email.body.gotmpl) and plaintext "
                                "(derived from the HTML body) come in en, the subject in each locale's own")
    # Every part overridden generically: English for everyone, nothing mixed.
    assert [d for d in lint("clean", mixed=True) if d.code == "MT106"] == []
    # Generic files written in German (--default-locale de) under English built-ins.
    de = [d for d in lint("plaintext_derived", mixed=True, default_locale="de") if d.code == "MT106"]
    assert [m.message.split(":")[0] for m in de] == ["for en, es, fr, ja and pt_BR"]


def test_mixed_languages_agrees_with_the_resolution(tmp_path: Path) -> None:
    # The check is Renderer.resolve's answer, the one a render uses and reports.
    root = FIX / "mixed_languages"
    res = Renderer([root]).resolve(RV, "de")
    assert res.mixed_languages and res.languages == {"subject": "en", "body": "de", "plaintext": "de"}
    assert not Renderer([root]).resolve(RV, "fr").mixed_languages
    email = Renderer([root]).render(RV, DATA, locale="de")
    assert email.sources["subject"].language == "en" and email.sources["body"].language == "de"
    # Adding the missing translation silences it.
    shutil.copytree(root, tmp_path / "t")
    write(tmp_path / "t", f"{RV}/email.subject.de.gotmpl", "Konto wiederherstellen")
    assert [d.code for d in lint_all([str(tmp_path / "t")])] == []


def test_engine_shadowed_per_locale(tmp_path: Path) -> None:
    write(tmp_path, f"{RV}/email.subject.gotmpl", "Recover")
    write(tmp_path, f"{RV}/email.subject.de.gotmpl", "Wiederherstellen")
    write(tmp_path, f"{RV}/email.subject.de.jinja", "Wiederherstellen {{ To }}")
    write(tmp_path, f"{RV}/email.subject.fr.jinja", "Récupérer")
    (d,) = [d for d in lint_paths([str(tmp_path)]) if d.code == "MT107"]
    assert (os.path.basename(d.file), d.message) == (
        "email.subject.de.jinja",
        "email.subject.de.gotmpl and email.subject.de.jinja are the same part for 'de': "
        "email.subject.de.gotmpl is used and this file is never read",
    )
    assert Renderer([tmp_path]).render(RV, DATA, locale="de").subject == "Wiederherstellen"


def test_symlink_out_of_the_root_is_refused_as_render_refuses_it() -> None:
    # The target's content (a field name here) never reaches a diagnostic, and render agrees.
    diags = lint("unreadable_file")
    assert [d.code for d in diags] == ["MT008"]
    assert "SecretOutsideTheRoot" not in format_diagnostics(diags, "json")
    with pytest.raises(InvalidName, match="outside its template root"):
        Renderer([FIX / "unreadable_file"]).render(RV, DATA)


def test_a_symlinked_partial_out_of_the_root(tmp_path: Path) -> None:
    write(tmp_path, "outside/footer.gotmpl", "{{ .SecretField }}")
    write(tmp_path, f"root/{RV}/email.body.gotmpl", '<p>Hi</p>{{ template "email.body.footer.gotmpl" . }}')
    (tmp_path / "root" / RV / "email.body.footer.gotmpl").symlink_to(tmp_path / "outside" / "footer.gotmpl")
    diags = lint_paths([str(tmp_path / "root")])
    assert ("MT008", f"{tmp_path}/root/{RV}/email.body.footer.gotmpl") in {(d.code, d.file) for d in diags}
    assert "a render leaves it out of the set" in format_diagnostics(diags)
    assert "SecretField" not in format_diagnostics(diags)


def test_a_template_folder_symlinked_out_of_the_root(tmp_path: Path) -> None:
    # Lint resolves each folder once (Loader.read_file): a linked folder still takes its files out.
    write(tmp_path, "outside/valid/email.subject.gotmpl", "{{ .SecretField }}")
    write(tmp_path, "outside/valid/email.body.gotmpl", "<p>{{ .SecretField }}</p>")
    (tmp_path / "root" / "recovery").mkdir(parents=True)
    (tmp_path / "root" / RV).symlink_to(tmp_path / "outside" / "valid")
    diags = lint_paths([str(tmp_path / "root")])
    refused = {d.file for d in diags if d.code == "MT008" and "resolves outside its template root" in d.message}
    assert refused == {f"{tmp_path}/root/{RV}/email.subject.gotmpl", f"{tmp_path}/root/{RV}/email.body.gotmpl"}
    assert "SecretField" not in format_diagnostics(diags)


def test_a_symlink_inside_the_root_is_read(tmp_path: Path) -> None:
    write(tmp_path, "root/shared/subject.gotmpl", "Recover {{ .Nope }}")
    write(tmp_path, f"root/{RV}/email.body.gotmpl", "<p>Hi</p>")
    (tmp_path / "root" / RV / "email.subject.gotmpl").symlink_to(tmp_path / "root" / "shared" / "subject.gotmpl")
    codes = {d.code for d in lint_paths([str(tmp_path / "root" / RV)])}
    assert "MT003" in codes and "MT008" not in codes


def test_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    # A sparse 64 MiB file: reading it would take time and memory; the size alone refuses it.
    write(tmp_path, f"{RV}/email.subject.gotmpl", "Hi")
    big = tmp_path / RV / "email.body.gotmpl"
    with open(big, "wb") as f:
        f.truncate(64 << 20)
    (d,) = [d for d in lint_paths([str(tmp_path)]) if d.code == "MT008"]
    assert d.message == (
        f"{64 << 20} bytes exceeds the template size limit {1 << 20}: mailtemplates does not read it "
        "(a render fails on it)"
    )
    small = lint_paths([str(tmp_path / RV)], max_template_size=1)
    assert {(d.code, os.path.basename(d.file)) for d in small if d.code == "MT008"} == {
        ("MT008", "email.body.gotmpl"),
        ("MT008", "email.subject.gotmpl"),
    }
    assert main([str(tmp_path / RV / "email.subject.gotmpl"), "--max-template-size", "1"]) == 1


def test_not_utf8_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, f"{RV}/email.subject.gotmpl", "Hi")
    (tmp_path / RV / "email.body.gotmpl").write_bytes(b"<p>caf\xe9</p>")
    (d,) = [d for d in lint_paths([str(tmp_path)]) if d.code == "MT008"]
    assert d.message.startswith("not valid UTF-8 (invalid continuation byte at byte 6)")


def test_srcdoc_forms(tmp_path: Path) -> None:
    body = (
        '<iframe srcdoc="<b>static</b>"></iframe>\n'
        "<iframe srcdoc={{ .To }}></iframe>\n"
        "<iframe SRCDOC = '{{ .To }}'></iframe>\n"
        '<p data-srcdoc="{{ .To }}">not srcdoc</p>\n'
    )
    write(tmp_path, f"{RV}/email.body.gotmpl", body)
    got = [(d.line, d.col) for d in lint_paths([str(tmp_path)]) if d.code == "MT210"]
    assert got == [(2, 9), (3, 9)]


def test_html_only_excerpt_shows_the_source(tmp_path: Path) -> None:
    # The excerpt is the template's text (actions as written, spaces collapsed), never the mask.
    write(tmp_path, f"{RV}/email.body.plaintext.gotmpl", 'Hello\n<a\n   href="{{ .RecoveryURL }}"   class="button">x</a>')
    (d,) = [d for d in lint_paths([str(tmp_path)]) if d.code == "MT201"]
    assert d.message.startswith('HTML markup (<a href="{{ .RecoveryURL }}" class="but…) in the plaintext')
    assert "\0" not in d.message


def test_img_tag_across_actions(tmp_path: Path) -> None:
    write(tmp_path, f"{RV}/email.body.plaintext.gotmpl", "Hi")
    write(
        tmp_path,
        f"{RV}/email.body.gotmpl",
        '<img src="{{ .RequestURL }}/a.png" {{ if .To }}alt="logo"{{ end }}>\n<img data-alt="x" src="{{ .RequestURL }}">',
    )
    assert codes(lint_paths([str(tmp_path)])) == [("MT205", "email.body.gotmpl", 2, 1)]


def test_jinja_syntax_error(tmp_path: Path) -> None:
    write(tmp_path, f"{RV}/email.subject.jinja", "Hi\n{% if %}")
    (d,) = lint_paths([str(tmp_path)])
    assert (d.code, d.line) == ("MT001", 2)


def test_paths_files_and_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(FIX / "unknown_field", tmp_path / "t")
    monkeypatch.chdir(tmp_path)
    expected = {(d.code, d.file) for d in lint_paths(["t"])}
    assert expected == {
        ("MT003", f"t/{RV}/email.subject.gotmpl"),
        ("MT003", "t/recovery_code/valid/email.subject.gotmpl"),
    }
    # pre-commit passes changed files: each file lints its template folder, once.
    by_files = lint_paths(
        [f"t/{RV}/email.subject.gotmpl", "t/recovery_code/valid/email.subject.gotmpl", "t/recovery/valid"]
    )
    assert {(d.code, d.file) for d in by_files} == expected and len(by_files) == 2
    assert {(d.code, d.file) for d in lint_paths(["t/recovery"])} == {
        ("MT003", f"t/{RV}/email.subject.gotmpl")
    }
    monkeypatch.chdir(tmp_path / "t" / "recovery")
    assert [(d.code, d.file) for d in lint_paths(["valid"])] == [("MT003", "valid/email.subject.gotmpl")]
    with pytest.raises(MailTemplateError, match="no such file or directory"):
        lint_paths(["nope"])


# --- formats and exit codes ---------------------------------------------------------------------


def test_text_format() -> None:
    diags = lint("escape_error")
    f = path("escape_error", f"{RV}/email.body.gotmpl")
    assert format_diagnostics(diags, "text") == f"{f}:2:10: error MT002 ErrBranchEnd: {_ESC[3]}\n1 error"
    diags = lint("unknown_locale") + lint("clean", from_address="noreply@example.com")
    lines = format_diagnostics(diags, "text").splitlines()
    assert (
        lines[0]
        == f"{path('unknown_locale', f'{RV}/email.subject.xx.gotmpl')}: warning MT103 {diags[0].message}"
    )
    assert lines[1] == f"    hint: {diags[0].suggestion}"
    assert lines[2].startswith("mailtemplates: warning MT209 the sender noreply@example.com")
    assert lines[-1] == "2 warnings"
    assert format_diagnostics([], "text") == "no problems found"


def test_json_format() -> None:
    diags = lint("unknown_field") + lint("plaintext_derived")
    doc = json.loads(format_diagnostics(diags, "json"))
    assert doc["version"] == 1
    assert doc["summary"] == {"error": 2, "warning": 0, "note": 1}
    assert [
        Diagnostic(**{k: v for k, v in item.items() if k not in ("name", "title")})
        for item in doc["diagnostics"]
    ] == diags
    assert doc["diagnostics"][0]["name"] == "unknown-field"


def test_github_format() -> None:
    diags = (
        lint("escape_error") + lint("plaintext_derived") + lint("clean", from_address="no-reply@x.example")
    )
    lines = format_diagnostics(diags, "github").splitlines()
    f = path("escape_error", f"{RV}/email.body.gotmpl")
    assert lines[0] == f"::error file={f},line=2,col=10,title=MT002::ErrBranchEnd: {_ESC[3]}"
    assert (
        lines[1]
        == f"::notice file={path('plaintext_derived', f'{RV}/email.body.gotmpl')},title=MT301::{diags[1].message}"
    )
    assert lines[2] == f"::warning title=MT209::{diags[2].message}%0A{diags[2].suggestion}"
    odd = Diagnostic("MT001", "error", "a,b:c.gotmpl", 1, 2, "50% off\r\nnow", None)
    assert (
        format_diagnostics([odd], "github")
        == "::error file=a%2Cb%3Ac.gotmpl,line=1,col=2,title=MT001::50%25 off%0D%0Anow"
    )


def test_exit_code() -> None:
    assert exit_code([]) == 0
    assert exit_code(lint("plaintext_derived") + lint("orphan_locale")) == 0
    assert exit_code(lint("syntax_error") + lint("orphan_locale")) == 1


def test_main(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(FIX / "syntax_error"), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["summary"]["error"] == 1
    assert main([str(FIX / "missing_part")]) == 0
    capsys.readouterr()
    assert main([str(FIX / "missing_part"), "--no-builtins"]) == 1
    assert "MT007" in capsys.readouterr().out
    assert main([str(FIX / "clean"), "--from-address", "no-reply@example.com", "--format", "github"]) == 0
    assert capsys.readouterr().out.startswith("::warning title=MT209::")
    assert main([str(FIX / "does-not-exist")]) == 2


# --- the code registry, its generated page, the pre-commit hook ---------------------------------


def test_codes_registry() -> None:
    severities = {"0": "error", "1": "warning", "2": "warning", "3": "note"}
    for code, info in CODES.items():
        assert re.fullmatch(r"MT\d{3}", code) and info.code == code
        assert info.severity == severities.get(code[2], {"MT401": "warning", "MT402": "note"}.get(code))
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", info.name)
        assert all([info.title, info.example, info.discussion, info.fix])
    assert len({i.name for i in CODES.values()}) == len(CODES)


def test_lint_codes_page_is_generated() -> None:
    spec = importlib.util.spec_from_file_location("gen_lint_docs", REPO / "tools" / "gen_lint_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (REPO / "docs" / "lint-codes.md").read_text(encoding="utf-8")
    assert module.render() == committed, "docs/lint-codes.md is stale: run python tools/gen_lint_docs.py"


def test_pre_commit_hook() -> None:
    text = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    fields = dict(re.findall(r"^\s*-?\s*(id|entry|language|files): (.+)$", text, re.M))
    assert fields["id"] == "mailtemplates-lint"
    assert fields["entry"] == "mailtemplates lint"
    assert fields["language"] == "python"
    files = re.compile(fields["files"].strip("'"))
    for p in FIX.rglob("*"):
        if p.is_file():
            rel = p.relative_to(REPO).as_posix()
            assert bool(files.search(rel)) == (p.name.startswith(("email.", "sms."))), rel
    assert not files.search("docs/recovery.md")


def test_diagnostic_is_frozen() -> None:
    d = lint("orphan_locale")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.line = 3  # type: ignore[misc]

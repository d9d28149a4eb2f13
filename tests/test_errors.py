"""Every error a user can cause, with its whole message: where (file, line, column, the source
line with a caret) and what (Go's own words, or ours for what Go does not have).

Template errors keep Go's exact message in ``go_message``; each expected one below is what the Go
oracle (Go 1.26 + sprig 3.2.3) printed for the same template and data. ``str(err)`` is the
friendly form: ``FILE:LINE:COL: message``, the offending line, a caret under the column.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from mailtemplates import Renderer, gotmpl, render, render_sms
from mailtemplates.errors import (
    ContextError,
    EscapeError,
    InvalidName,
    LimitExceeded,
    LocaleError,
    MailTemplateError,
    TemplateError,
    TemplateExecError,
    TemplateNotFound,
    TemplateSourceError,
    TemplateSyntaxError,
)

CTX = {"RecoveryURL": "https://auth.example.com/r?token=abc", "To": "ada@example.com"}


def error_of(
    src: str, data: Any = None, *, html: bool = False, options: tuple[str, ...] = ()
) -> TemplateError:
    with pytest.raises(TemplateError) as info:
        gotmpl.parse_files({"main.gotmpl": src}, html=html, options=options).execute("main.gotmpl", data)
    return info.value


# -- parse errors: Go's message, and where ----------------------------------------------------------

# (source, Go's message, our line, column, caret line)
PARSE = [
    ("{{ .X", "template: main.gotmpl:1: unclosed action", 1, 6),
    ("a\n{{ if .X }}\nb", "template: main.gotmpl:3: unexpected EOF", 3, 2),
    ("{{ nope }}", 'template: main.gotmpl:1: function "nope" not defined', 1, 4),
    ("{{ $x }}", 'template: main.gotmpl:1: undefined variable "$x"', 1, 7),
    ("{{ 0x1g }}", 'template: main.gotmpl:1: bad number syntax: "0x1g"', 1, 4),
    ("{{ .X }", 'template: main.gotmpl:1: unexpected "}" in operand', 1, 7),
    ("{{ if }}{{ end }}", "template: main.gotmpl:1: missing value for if", 1, 7),
    ("{{ end }}", "template: main.gotmpl:1: unexpected {{end}}", 1, 8),
    ("{{ break }}", "template: main.gotmpl:1: {{break}} outside {{range}}", 1, 10),
    ("{{ .X | 1 }}", "template: main.gotmpl:1: non executable command in pipeline stage 2", 1, 11),
    ('{{ "\\q" }}', "template: main.gotmpl:1: invalid syntax", 1, 4),
    (
        '{{ define "a" }}x{{ end }}{{ define "a" }}y{{ end }}',
        'template: main.gotmpl:1: template: multiple definition of template "a"',
        1,
        51,
    ),
    ("{{/* one\ntwo\nthree */}}\n{{ .X ) }}", "template: main.gotmpl:4: unexpected right paren", 4, 7),
]


@pytest.mark.parametrize(("src", "go", "line", "col"), PARSE, ids=[p[1].split(": ", 1)[1] for p in PARSE])
def test_parse_error_messages(src: str, go: str, line: int, col: int) -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        gotmpl.parse_files({"main.gotmpl": src})
    err = info.value
    assert err.go_message == go
    assert (err.name, err.line, err.col) == ("main.gotmpl", line, col)
    message = go.split(f"main.gotmpl:{line}: ", 1)[1]
    if message == "unexpected EOF":  # ours adds which action is unclosed
        message += ": the {{if}} at main.gotmpl:2:1 has no {{end}}"
    assert err.message == message
    source_line = src.split("\n")[line - 1]
    expected = f"main.gotmpl:{line}:{col}: {message}" if col else f"main.gotmpl:{line}: {message}"
    expected += f"\n    {source_line}"
    if col:
        expected += "\n    " + " " * (col - 1) + "^"
    assert str(err) == expected


# -- execution errors ---------------------------------------------------------------------------

# (source, data, options, Go's message)
EXEC = [
    (
        "{{ .A.B.C }}",
        {"A": {"B": "s"}},
        (),
        'template: main.gotmpl:1:5: executing "main.gotmpl" at <.A.B.C>: can\'t evaluate field C in type interface {}',
    ),
    (
        "{{ .A.B }}",
        {"A": None},
        (),
        'template: main.gotmpl:1:5: executing "main.gotmpl" at <.A.B>: nil pointer evaluating interface {}.B',
    ),
    (
        "{{ index .L 5 }}",
        {"L": [1.0]},
        (),
        'template: main.gotmpl:1:3: executing "main.gotmpl" at <index .L 5>: error calling index: index out of range: 5',
    ),
    (
        '{{ template "nope" }}',
        None,
        (),
        'template: main.gotmpl:1:12: executing "main.gotmpl" at <{{template "nope"}}>: template "nope" not defined',
    ),
    (
        "{{ len 3 }}",
        None,
        (),
        'template: main.gotmpl:1:3: executing "main.gotmpl" at <len 3>: error calling len: len of type int',
    ),
    (
        "{{ upper 3 }}",
        None,
        (),
        'template: main.gotmpl:1:9: executing "main.gotmpl" at <3>: expected string; found 3',
    ),
    (
        '{{ replace "a" "b" }}',
        None,
        (),
        'template: main.gotmpl:1:3: executing "main.gotmpl" at <replace>: wrong number of args for replace: want 3 got 2',
    ),
    (
        "{{ .Nope }}",
        {},
        ("missingkey=error",),
        'template: main.gotmpl:1:3: executing "main.gotmpl" at <.Nope>: map has no entry for key "Nope"',
    ),
    (
        "line1\n  {{ and 0 ($x := 1) }}{{ $x }}",
        None,
        (),
        'template: main.gotmpl:2:26: executing "main.gotmpl" at <$x>: undefined variable: $x',
    ),
    (
        "{{ and 0 ($y := 1) }}{{ $y = 2 }}",
        None,
        (),
        'template: main.gotmpl:1:29: executing "main.gotmpl" at <2>: undefined variable: $y',
    ),
    (
        "{{ call .F 2 }}",
        {"F": 1.0},
        (),
        'template: main.gotmpl:1:3: executing "main.gotmpl" at <call .F 2>: error calling call: non-function .F of type float64',
    ),
    (
        "{{ range .S }}{{ . }}{{ end }}",
        {"S": "abc"},
        (),
        'template: main.gotmpl:1:9: executing "main.gotmpl" at <.S>: range can\'t iterate over abc',
    ),
]


@pytest.mark.parametrize(
    ("src", "data", "options", "go"), EXEC, ids=[e[3].split(">: ", 1)[1][:50] for e in EXEC]
)
def test_exec_error_messages(src: str, data: Any, options: tuple[str, ...], go: str) -> None:
    err = error_of(src, data, options=options)
    assert type(err) is TemplateExecError
    assert err.go_message == go
    # Go's column is a 0-based byte offset; ours is the 1-based character column.
    where, rest = go.removeprefix("template: ").split(": ", 1)
    name, line, byte_col = where.split(":")
    assert (err.name, err.line, err.col) == (name, int(line), int(byte_col) + 1)
    source_line = src.split("\n")[err.line - 1]
    assert str(err) == f"{name}:{line}:{err.col}: {rest}\n    {source_line}\n    {' ' * (err.col - 1)}^"
    assert err.message == rest


# -- html/template escaper errors --------------------------------------------------------------

ESCAPE = [
    (
        '<a href="{{ .X }}',
        "ErrEndContext",
        "html/template:main.gotmpl: ends in a non-text context: "
        "{stateURL delimDoubleQuote urlPartNone jsCtxRegexp [] attrURL elementNone <nil>}",
        0,
    ),
    (
        "{{ if .X }}<a{{ end }}>",
        "ErrBranchEnd",
        "html/template:main.gotmpl:1:6: {{if}} branches end in different contexts: "
        "{stateTag delimNone urlPartNone jsCtxRegexp [] attrNone elementNone <nil>}, "
        "{stateText delimNone urlPartNone jsCtxRegexp [] attrNone elementNone <nil>}",
        1,
    ),
    (
        "<script>{{ .X }}",
        "ErrEndContext",
        "html/template:main.gotmpl: ends in a non-text context: "
        "{stateJS delimNone urlPartNone jsCtxDivOp [] attrNone elementScript <nil>}",
        0,
    ),
]


@pytest.mark.parametrize(
    ("src", "code", "go", "line"), ESCAPE, ids=[e[1] + str(i) for i, e in enumerate(ESCAPE)]
)
def test_escape_error_messages(src: str, code: str, go: str, line: int) -> None:
    err = error_of(src, {"X": 1.0}, html=True)
    assert isinstance(err, EscapeError) and err.code == code
    assert err.go_message == go
    message = go.split(": ", 1)[1]
    if line:
        assert (err.line, err.col) == (1, 7)
        assert str(err) == f"main.gotmpl:1:7: {message}\n    {src}\n          ^"
    else:
        assert str(err) == f"main.gotmpl: {message}"


# -- errors through the Renderer name the file on disk --------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    f = tmp_path / "recovery" / "valid"
    f.mkdir(parents=True)
    (f / "email.body.gotmpl").write_text("<p>{{ .RecoveryURL }}</p>", encoding="utf-8")
    return f


def render_with(folder: Path, subject: str) -> Any:
    (folder / "email.subject.gotmpl").write_text(subject, encoding="utf-8")
    return Renderer([folder.parent.parent], use_builtins=False, check_interval=0).render(
        "recovery/valid", CTX
    )


def test_renderer_syntax_error_names_the_file(folder: Path) -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        render_with(folder, "Hi\n{{ if .To }}")
    path = folder / "email.subject.gotmpl"
    assert info.value.filename == str(path)
    assert info.value.go_message == "template: email.subject.gotmpl:2: unexpected EOF"
    assert str(info.value) == (
        f"{path}:2:13: unexpected EOF: the {{{{if}}}} at email.subject.gotmpl:2:1 has no {{{{end}}}}\n"
        "    {{ if .To }}\n                ^"
    )


def test_renderer_exec_error_names_the_file_and_the_model(folder: Path) -> None:
    with pytest.raises(TemplateExecError) as info:
        render_with(folder, "Hi {{ .Nope }}")
    path = folder / "email.subject.gotmpl"
    assert str(info.value) == (
        f'{path}:1:7: executing "email.subject.gotmpl" at <.Nope>: '
        "can't evaluate field Nope in type *email.RecoveryValidModel\n    Hi {{ .Nope }}\n          ^"
    )


def test_renderer_escape_error_names_the_file(folder: Path) -> None:
    (folder / "email.body.gotmpl").write_text("<a href='{{ .RecoveryURL }}", encoding="utf-8")
    with pytest.raises(EscapeError) as info:
        render_with(folder, "Hi")
    assert str(info.value) == (
        f"{folder / 'email.body.gotmpl'}: ends in a non-text context: "
        "{stateURL delimSingleQuote urlPartNone jsCtxRegexp [] attrURL elementNone <nil>}"
    )


def test_renderer_limit_error_names_the_file(folder: Path) -> None:
    with pytest.raises(LimitExceeded) as info:
        render_with(folder, "{{ range 2000000 }}{{ end }}")
    assert str(info.value) == (
        f'{folder / "email.subject.gotmpl"}:1:10: executing "email.subject.gotmpl" at '
        "<{{range 2000000}}{{end}}>: range iterations exceed the limit of 1000000 per execution (max_iterations)\n"
        "    {{ range 2000000 }}{{ end }}\n             ^"
    )


def test_not_valid_utf8_is_a_source_error(folder: Path) -> None:
    (folder / "email.subject.gotmpl").write_bytes(b"Hi \xff\xfe")
    with pytest.raises(TemplateSourceError) as info:
        Renderer([folder.parent.parent], use_builtins=False).render("recovery/valid", CTX)
    assert (
        str(info.value)
        == f"{folder / 'email.subject.gotmpl'}: not valid UTF-8 (invalid start byte at byte 3)"
    )


def test_not_found_lists_every_path_searched(tmp_path: Path) -> None:
    with pytest.raises(TemplateNotFound) as info:
        Renderer([tmp_path], use_builtins=False).render("recovery/valid", CTX, locale="de")
    base = tmp_path / "recovery" / "valid"
    assert str(info.value) == (
        "no email.subject template for recovery/valid; searched:\n"
        f"  {base / 'email.subject.de.gotmpl'}\n  {base / 'email.subject.gotmpl'}"
    )


# -- errors of the context, names and locales -----------------------------------------------------

OTHER = [
    (
        lambda: render("recovery/valid", {"Nope": 1}),
        ContextError,
        "recovery/valid: unknown field 'Nope': *email.RecoveryValidModel has no such field. "
        "Fields: To, RecoveryURL, Identity, RequestURL, TransientPayload, ExpiresInMinutes",
    ),
    (
        lambda: render("recovery/valid", {"RecoveryURL": 5, "To": "a@b.c"}),
        ContextError,
        "recovery/valid: RecoveryURL must be a string (Go string), got int 5",
    ),
    (
        lambda: render("recovery/valid", {"recovery_url": "x", "RecoveryURL": "y"}),
        ContextError,
        "recovery/valid: RecoveryURL is given twice, as 'recovery_url' and as 'RecoveryURL'",
    ),
    (
        lambda: render("recovery/valid", [1, 2]),  # type: ignore[arg-type]
        ContextError,
        "recovery/valid: context must be a dict or a RecoveryValidModel, got list [1, 2]",
    ),
    (
        lambda: render("recovery/valid", {"Identity": "notamap"}),
        ContextError,
        "recovery/valid: Identity must be a dict (Go map[string]interface {}), got str 'notamap'",
    ),
    (
        lambda: render("recovery/valid", CTX, locale="i-klingon"),
        LocaleError,
        "locale 'i-klingon' must start with a 2 or 3 letter language code (like 'de')",
    ),
    (
        lambda: render("recovery/valid", CTX, locale="de-"),
        LocaleError,
        "locale 'de-' has an empty or over-long subtag",
    ),
    (
        lambda: render("recovery/valid", CTX, locale="de..x"),
        InvalidName,
        "locale 'de..x' is not allowed: locale tags may not contain path characters "
        "('/', '\\', '.', ':') or control characters",
    ),
    (
        lambda: render("recover/valid", CTX),
        InvalidName,
        "unknown template type 'recover/valid' (did you mean 'recovery/valid'?). Known types: "
        "authenticator_key_added, login_code/valid, recovery/invalid, recovery/valid, recovery_code/invalid, "
        "recovery_code/valid, registration_code/valid, verifiable_address_changed, "
        "verification/invalid, verification/valid, verification_code/invalid, verification_code/valid",
    ),
    (
        lambda: render_sms("recovery/valid", CTX),
        InvalidName,
        "template type 'recovery/valid' has no SMS model",
    ),
]


@pytest.mark.parametrize(("call", "cls", "message"), OTHER, ids=[o[2][:40] for o in OTHER])
def test_context_name_and_locale_error_messages(call: Any, cls: type[Exception], message: str) -> None:
    with pytest.raises(cls) as info:
        call()
    assert str(info.value) == message
    assert isinstance(info.value, MailTemplateError)


# -- limits (docs/limits.md) ------------------------------------------------------------------------


def test_limit_error_messages() -> None:
    err = error_of('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}')
    assert type(err) is LimitExceeded
    # Go: template: main.gotmpl:1:28: executing "r" at <{{template "r" .}}>: exceeded maximum template
    # depth (100000), its own limit.
    assert err.go_message == (
        'template: main.gotmpl:1:28: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (100)'
    )
    with pytest.raises(LimitExceeded) as info:
        gotmpl.parse_files({"main.gotmpl": "{{ range 100 }}{{ $.X }}{{ end }}"}, max_output=25).execute(
            "main.gotmpl", {"X": "0123456789"}
        )
    assert str(info.value) == (
        'main.gotmpl:1:10: executing "main.gotmpl" at <{{range 100}}{{$.X}}{{end}}>: '
        "output exceeds the limit of 25 characters (max_output)\n"
        "    {{ range 100 }}{{ $.X }}{{ end }}\n"
        "             ^"
    )
    # Output written outside loops and template calls is measured at the end.
    with pytest.raises(LimitExceeded) as info:
        gotmpl.parse_files({"main.gotmpl": "{{ .X }}{{ .X }}{{ .X }}"}, max_output=25).execute(
            "main.gotmpl", {"X": "0123456789"}
        )
    assert str(info.value) == "main.gotmpl: output of 30 characters exceeds the limit of 25 (max_output)"
    with pytest.raises(TemplateSyntaxError) as size:
        gotmpl.parse_files({"main.gotmpl": "x" * 30}, max_template_size=25)
    assert (
        str(size.value)
        == "main.gotmpl: template of 30 characters exceeds the limit of 25 (max_template_size)"
    )
    with pytest.raises(TemplateSyntaxError) as syn:
        gotmpl.parse_files({"main.gotmpl": "x\n" + "{{ with 1 }}" * 3}, max_nesting=2)
    assert str(syn.value) == (
        "main.gotmpl:2:28: {{with}} nested more than 2 levels deep (max_nesting)\n"
        "    {{ with 1 }}{{ with 1 }}{{ with 1 }}\n"
        "                               ^"
    )
    assert (
        syn.value.go_message
        == "template: main.gotmpl:2: {{with}} nested more than 2 levels deep (max_nesting)"
    )


@pytest.mark.parametrize(
    ("src", "html", "cls"),
    [
        ("{{ if .X }}<a{{ end }}>", True, EscapeError),
        ("{{ index .L 5 }}", False, TemplateExecError),
        ('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}', False, LimitExceeded),
    ],
)
def test_errors_survive_pickling(src: str, html: bool, cls: type[TemplateError]) -> None:
    err = error_of(src, {"X": 1.0, "L": []}, html=html)
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is cls and str(again) == str(err) and again.go_message == err.go_message
    assert (again.name, again.line, again.col) == (err.name, err.line, err.col)
    assert getattr(again, "code", None) == getattr(err, "code", None)


# -- native Jinja templates ---------------------------------------------------------------------------


def test_jinja_syntax_error_names_the_file_and_line(folder: Path) -> None:
    (folder / "email.body.gotmpl").unlink()
    (folder / "email.body.jinja").write_text("<p>\n{% if %}</p>", encoding="utf-8")
    with pytest.raises(TemplateSyntaxError) as info:
        render_with(folder, "Hi")
    path = folder / "email.body.jinja"
    assert (
        str(info.value)
        == f"{path}:2: Expected an expression, got 'end of statement block'\n    {{% if %}}</p>"
    )


def test_jinja_runtime_error_is_a_template_error(folder: Path) -> None:
    (folder / "email.body.gotmpl").unlink()
    (folder / "email.body.jinja").write_text("{{ 1 / 0 }}", encoding="utf-8")
    with pytest.raises(TemplateExecError):
        render_with(folder, "Hi")

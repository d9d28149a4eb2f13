"""The public surface is a contract: changing it must be deliberate."""

from __future__ import annotations

import mailtemplates
from mailtemplates import gotmpl


def test_exported_names() -> None:
    assert mailtemplates.__all__ == sorted(mailtemplates.__all__)
    assert set(mailtemplates.__all__) == {
        "CLIError",
        "ConfigError",
        "ContextError",
        "ContextFileError",
        "CourierError",
        "EscapeError",
        "HTTPSendError",
        "InvalidName",
        "LimitExceeded",
        "LocaleError",
        "MailTemplateError",
        "MessageError",
        "PartResolution",
        "PreviewError",
        "RenderedEmail",
        "Renderer",
        "Resolution",
        "SMTPConfigError",
        "SMTPSendError",
        "SendError",
        "TemplateError",
        "TemplateExecError",
        "TemplateNotFound",
        "TemplateSourceError",
        "TemplateSyntaxError",
        "__version__",
        "errors",
        "gotmpl",
        "render",
        "render_sms",
    }
    for name in mailtemplates.__all__:
        assert hasattr(mailtemplates, name)


def test_gotmpl_contract() -> None:
    out = gotmpl.render_files(
        {"main.gotmpl": "{{ .X }}"},
        "main.gotmpl",
        {"X": 1.0},
        html=False,
        funcs="hermetic",
        delims=None,
        options=(),
    )
    assert out == "1"
    tset = gotmpl.parse_files(
        {"m": "[[ .X ]]"}, html=True, funcs="none", delims=("[[", "]]"), options=("missingkey=zero",)
    )
    assert tset.execute("m", {"X": "<b>"}) == "&lt;b&gt;"


def test_every_error_is_a_mailtemplate_error() -> None:
    from mailtemplates import errors

    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, errors.MailTemplateError), name


def test_package_is_typed() -> None:
    from importlib.resources import files

    assert files("mailtemplates").joinpath("py.typed").is_file()

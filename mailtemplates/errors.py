"""Every error a user of mailtemplates can cause, in one tree.

::

    MailTemplateError                     catch this one to handle any user mistake
    ├── TemplateError                     something is wrong with a template (name, line, column)
    │   ├── TemplateSyntaxError           parse time: the source is not a valid template
    │   └── TemplateExecError             execution time: the template failed on this data
    │       ├── EscapeError               html/template's escaper refused the template (``code``)
    │       └── LimitExceeded             recursion depth, output size or loop length over a limit
    ├── TemplateNotFound                  no root provides that template part
    ├── ContextError                      the data does not fit the template type's model
    ├── ContextFileError                  a --context file is unreadable or not the expected JSON
    ├── LocaleError                       a locale tag is malformed or unknown
    ├── InvalidName                       a flow, status, part or locale name that could escape a root
    ├── TemplateSourceError               a template URI could not be read (scheme, size, timeout)
    ├── MessageError                      a header or address is unsafe or invalid
    ├── ConfigError                       a Kratos configuration file or variable is invalid
    ├── SMTPConfigError                   the SMTP connection URI or TLS files are bad
    ├── SendError                         the server refused, or the network failed
    │   ├── SMTPSendError                 over SMTP (``stage``, ``code``, ``text``, ``permanent``)
    │   └── HTTPSendError                 over an HTTP channel (``status``, ``permanent``)
    ├── CourierError                      the courier's store, a message id, a worker setting
    ├── PreviewError                      the preview server cannot start as configured
    └── CLIError                          a command line mistake found after parsing

All of them are importable from :mod:`mailtemplates` (``from mailtemplates import SendError``) and
from here; the modules that raise them also re-export the names they used to define
(``mailtemplates.smtp.SMTPSendError``, ``mailtemplates.cli.CLIError``, ...).
``tests/test_errors.py`` checks that every ``MailTemplateError`` subclass in the package is
defined here, exported, and drawn in this tree under its real parent.

``str(err)`` is the friendly message. Template errors also keep Go's exact wording in ``go_message``
so that the conformance tests can compare against real Go.
"""

from __future__ import annotations

from typing import Any

__all__ = [
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
    "PreviewError",
    "SMTPConfigError",
    "SMTPSendError",
    "SendError",
    "TemplateError",
    "TemplateExecError",
    "TemplateNotFound",
    "TemplateSourceError",
    "TemplateSyntaxError",
]


class MailTemplateError(Exception):
    """Base class of every error mailtemplates raises for a user's mistake."""


class TemplateError(MailTemplateError):
    """An error located in a template: ``name`` (file), ``line`` and ``col`` (1-based; 0 if unknown).

    ``go_message`` is the message as Go would print it (``template: NAME:LINE:COL: ...``);
    ``source_line`` is the offending line of the template, when the source is known.
    """

    def __init__(
        self,
        message: str,
        *,
        name: str = "",
        line: int = 0,
        col: int = 0,
        go_message: str | None = None,
        source_line: str | None = None,
        filename: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.name = name
        self.line = line
        self.col = col
        self.go_message = go_message if go_message is not None else message
        self.source_line = source_line
        self.filename = filename

    def __str__(self) -> str:
        where = self.filename or self.name
        loc = where
        if self.line:
            loc += f":{self.line}"
            if self.col:
                loc += f":{self.col}"
        text = f"{loc}: {self.message}" if loc else self.message
        if self.source_line is not None:
            text += f"\n    {self.source_line}"
            if self.col:
                text += "\n    " + " " * (self.col - 1) + "^"
        return text

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (
            _rebuild,
            (
                type(self),
                self.message,
                {
                    "name": self.name,
                    "line": self.line,
                    "col": self.col,
                    "go_message": self.go_message,
                    "source_line": self.source_line,
                    "filename": self.filename,
                },
            ),
        )


def _rebuild(cls: type[TemplateError], message: str, kw: dict[str, Any]) -> TemplateError:
    return cls(message, **kw)


class TemplateSyntaxError(TemplateError):
    """The template source could not be parsed."""


class TemplateExecError(TemplateError):
    """The template failed while executing on the given data."""


class EscapeError(TemplateExecError):
    """html/template's contextual escaper refused the template.

    ``code`` is the stable error code, named as Go's ``html/template.ErrorCode`` constants
    (``ErrBranchEnd``, ``ErrEndContext``, ...).
    """

    def __init__(self, message: str, *, code: str = "ErrOther", **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.code = code

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        _, args = super().__reduce__()
        return (_rebuild_escape, (self.code, args))


def _rebuild_escape(code: str, args: tuple[Any, ...]) -> EscapeError:
    err = _rebuild(*args)
    assert isinstance(err, EscapeError)
    err.code = code
    return err


class LimitExceeded(TemplateExecError):
    """A safety limit (recursion depth, output size, loop length) was exceeded."""


class TemplateNotFound(MailTemplateError):
    """No template root provides the requested template part."""


class ContextError(MailTemplateError):
    """The data passed to render does not fit the template type's model."""


class LocaleError(MailTemplateError):
    """A locale tag is malformed or not known to Babel."""


class InvalidName(MailTemplateError):
    """A flow, status, part or locale name that is not allowed (it could escape a template root)."""


class TemplateSourceError(MailTemplateError):
    """A template source URI could not be used (unknown scheme, disabled, too large, timed out)."""


class MessageError(MailTemplateError):
    """A header value or address is unsafe (CR/LF) or invalid."""


class ContextFileError(MailTemplateError):
    """The context file (``--context``) cannot be read or is not the expected JSON."""


class SMTPConfigError(MailTemplateError):
    """The SMTP connection URI is malformed or unsupported, or a TLS file does not load. Never
    contains the password."""


class SendError(MailTemplateError):
    """Delivery failed: the server refused the connection, the login or the message, or the
    network failed. ``permanent`` says whether retrying the same message can help."""

    @property
    def permanent(self) -> bool:
        return False


class SMTPSendError(SendError):
    """Sending over SMTP failed. ``code``/``text`` are the server's reply (``None`` for network/TLS
    failures); ``stage`` is one of connect, tls, ehlo, auth, mail, rcpt, data.

    ``permanent`` is true for 5xx replies (Kratos abandons such a message instead of retrying).
    """

    def __init__(self, message: str, *, stage: str, code: int | None = None, text: str | None = None) -> None:
        super().__init__(message)
        self.stage = stage
        self.code = code
        self.text = text

    @property
    def permanent(self) -> bool:
        return self.code is not None and self.code >= 500

    def __reduce__(self) -> Any:
        return (_rebuild_smtp_send_error, (str(self), self.stage, self.code, self.text))


def _rebuild_smtp_send_error(message: str, stage: str, code: int | None, text: str | None) -> SMTPSendError:
    return SMTPSendError(message, stage=stage, code=code, text=text)


class HTTPSendError(SendError):
    """An HTTP channel's endpoint failed or refused. ``status`` is ``None`` for network errors."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def permanent(self) -> bool:
        # A 4xx says the request itself is wrong, except 408 (timeout) and 429 (slow down).
        return self.status is not None and 400 <= self.status < 500 and self.status not in (408, 429)

    def __reduce__(self) -> Any:
        return (_rebuild_http_send_error, (str(self), self.status))


def _rebuild_http_send_error(message: str, status: int | None) -> HTTPSendError:
    return HTTPSendError(message, status=status)


class CourierError(MailTemplateError):
    """A courier mistake: bad store URL, unknown message, a second SQLite worker, bad settings."""


class PreviewError(MailTemplateError):
    """The preview server cannot start as configured (host, port, context file, SMTP URI)."""


class CLIError(MailTemplateError):
    """A command line mistake found after parsing (a file, a folder, a missing setting)."""


class ConfigError(MailTemplateError):
    """A configuration file (``--config kratos.yml``) or one of its environment variables is
    unreadable or has an invalid value; the message names the file, the key and what is wrong."""

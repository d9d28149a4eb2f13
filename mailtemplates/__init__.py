"""mailtemplates: identity-system emails from Kratos-compatible Go templates, rendered in Python.

    >>> from mailtemplates import render
    >>> email = render("login_code/valid", {"LoginCode": "123456", "To": "ada@example.com"})
    >>> email.subject
    'Your sign-in code: 123456'

The Go template language lives in :mod:`mailtemplates.gotmpl`; every error a user can cause is a
:class:`~mailtemplates.errors.MailTemplateError`.
"""

from __future__ import annotations

from . import errors, gotmpl
from .errors import (
    CLIError,
    ConfigError,
    ContextError,
    ContextFileError,
    CourierError,
    EscapeError,
    HTTPSendError,
    InvalidName,
    LimitExceeded,
    LocaleError,
    MailTemplateError,
    MessageError,
    PreviewError,
    SendError,
    SMTPConfigError,
    SMTPSendError,
    TemplateError,
    TemplateExecError,
    TemplateNotFound,
    TemplateSourceError,
    TemplateSyntaxError,
)
from .render import Renderer, render, render_sms
from .rendered import RenderedEmail
from .resolution import PartResolution, Resolution

__version__ = "0.1.0"

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
]

"""mailtemplates: identity-system emails from Kratos-compatible Go templates, rendered in Python.

The Go template language lives in :mod:`mailtemplates.gotmpl`; every error a user can cause is a
:class:`~mailtemplates.errors.MailTemplateError`.
"""

from __future__ import annotations

from . import errors, gotmpl
from .errors import (
    MailTemplateError,
    TemplateError,
    TemplateExecError,
    TemplateSyntaxError,
)

__version__ = "0.1.0"

__all__ = [
    "MailTemplateError",
    "TemplateError",
    "TemplateExecError",
    "TemplateSyntaxError",
    "__version__",
    "errors",
    "gotmpl",
]

"""mailtemplates: identity-system emails from Kratos-compatible Go templates, rendered in Python.

    >>> from mailtemplates import render
    >>> email = render("login_code/valid", {"LoginCode": "123456", "To": "ada@example.com"})
    >>> email.subject
    'Your sign-in code: 123456'

The Go template language lives in :mod:`mailtemplates.gotmpl`; every error a user can cause is a
:class:`~mailtemplates.errors.MailTemplateError`.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from . import errors
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

if TYPE_CHECKING:
    from . import gotmpl
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

# The engine (parser, escaper, sprig, Babel, MIME) loads on first use, not on ``import
# mailtemplates``: the CLI's --version/--help and a process that only needs the error classes
# start as fast as bare Python (issue 17, docs/performance.md "Cold start").
_LAZY = {
    "gotmpl": (".gotmpl", None),
    "Renderer": (".render", "Renderer"),
    "render_sms": (".render", "render_sms"),
    "RenderedEmail": (".rendered", "RenderedEmail"),
    "PartResolution": (".resolution", "PartResolution"),
    "Resolution": (".resolution", "Resolution"),
}


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    mod = importlib.import_module(module, __name__)
    value = mod if attr is None else getattr(mod, attr)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """``mailtemplates.render`` is the function, although a submodule of that name exists.

    Importing the submodule makes the import system bind it on the package; a data descriptor on
    the module's class wins over that binding (and ignores it), so the name keeps meaning the
    function whichever of ``import mailtemplates.render`` or ``mailtemplates.render(...)`` runs first.
    """

    @property
    def render(self) -> Any:
        return importlib.import_module(".render", __name__).render

    @render.setter
    def render(self, value: Any) -> None:
        pass


sys.modules[__name__].__class__ = _Package

"""``mailtemplates lint``: find template mistakes before Kratos (or a recipient's spam filter) does.

:func:`lint_paths` walks override roots laid out as Kratos expects them
(``<root>/<flow>/<status>/email.body.gotmpl``) and returns :class:`Diagnostic` records; every
code is documented in :data:`CODES` (``docs/lint-codes.md`` is generated from it). The checks:

* **correctness** (errors): every file parses; every HTML body passes html/template's escaper
  (Go's ``ErrorCode`` in the message); every field a template reads on the model exists; every
  ``{{ template "x" }}`` names a template of its set; no non-hermetic sprig function in override
  files; no ``define`` of the HTML set replaced by a plaintext file's; no part missing when there
  is no built-in to fall back on;
* **Kratos layout** (warnings): folders and files Kratos never reads, locale files without a
  generic sibling or with a tag Babel does not know, a ``define`` replaced by a later file, a
  plaintext override whose HTML still comes from the built-in;
* **deliverability** (warnings): link shorteners, more than 10 links or 5 images, ``<img>`` without
  ``alt``, ``http://`` links, an empty or HTML plaintext part, subjects in capitals or with ``!!``,
  a ``noreply`` sender;
* **notes**: the plaintext part will be derived from the HTML.

Positions come from the parse tree (:meth:`~mailtemplates.gotmpl.nodes.Tree.location`): ``line``
and ``col`` are 1-based and count characters; ``line == 0`` means the diagnostic is about a whole
file or folder, and an empty ``file`` means it is about the configuration (the sender address).

The package is laid out along those lines: :mod:`.codes` (the code table), :mod:`.linter` (walking
roots and folders), :mod:`.checks` and :mod:`.deliverability` (the checks), :mod:`.report` (output
formats and exit code) and :mod:`.command` (the command line, shared with ``mailtemplates lint``).
This module is the public face; the names below are the API.

    >>> from mailtemplates.lint import exit_code, lint_paths
    >>> from mailtemplates.loader import BUILTIN_ROOT
    >>> diags = lint_paths([str(BUILTIN_ROOT)])
    >>> exit_code(diags)
    0
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .codes import CODES, MAX_IMAGES, MAX_LINKS, CodeInfo, Diagnostic, Severity
from .command import add_arguments, main, run
from .report import Format, exit_code, format_diagnostics

if TYPE_CHECKING:
    from .linter import lint_paths

__all__ = [
    "CODES",
    "MAX_IMAGES",
    "MAX_LINKS",
    "CodeInfo",
    "Diagnostic",
    "Format",
    "Severity",
    "add_arguments",
    "exit_code",
    "format_diagnostics",
    "lint_paths",
    "main",
    "run",
]


def __getattr__(name: str) -> Any:
    # The linter (and with it the engine) loads on first use: the CLI imports this package to
    # build ``mailtemplates --help``.
    if name == "lint_paths":
        from .linter import lint_paths

        return lint_paths
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

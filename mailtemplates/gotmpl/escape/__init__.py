"""Go's ``html/template`` contextual autoescaping, for trees parsed by :mod:`..parser`.

:func:`escape_trees` rewrites a template set in place the way Go does at the first execution of
an HTML template: every action gets the escapers its context needs (``{{.X}}`` inside
``<a href="...">`` becomes ``{{.X | _html_template_urlfilter | _html_template_urlnormalizer |
_html_template_attrescaper}}``), HTML/JS/CSS comments are removed from the text, and templates
called from other contexts are copied as ``name$htmltemplate_<context>``. The escapers
themselves are :data:`ESCAPER_FUNCS`, which the compiler adds to the function map.

Module map (named after Go's files): :mod:`.context` (parser state), :mod:`.transition` (how
text moves the state), :mod:`.escape` (the pass over trees), :mod:`.escapers` (the sanitizers),
:mod:`.html`, :mod:`.js`, :mod:`.css`, :mod:`.url`, :mod:`.attr` (helpers), :mod:`.content`
(trusted string types), :mod:`.gojson` (``encoding/json`` for the JS value escaper).

Follows Go 1.26 ``src/html/template/escape.go`` (``escapeTemplate``) and ``template.go`` (escaping
at the first execution).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

from ..funcs import GoFunc
from ..nodes import Tree
from .content import CSS, HTML, JS, URL, HTMLAttr, JSStr, Srcset, TrustedContent
from .context import Context
from .escape import Namespace
from .escapers import ESCAPER_FUNCS

__all__ = [
    "CSS",
    "ESCAPER_FUNCS",
    "HTML",
    "JS",
    "URL",
    "Context",
    "HTMLAttr",
    "JSStr",
    "Namespace",
    "Srcset",
    "TrustedContent",
    "escape_trees",
]


def escape_trees(
    trees: MutableMapping[str, Tree],
    entry: str,
    funcs: Mapping[str, GoFunc] | None = None,
    *,
    verdict_only: bool = False,
) -> None:
    """Escape template ``entry`` of ``trees`` and everything it calls, in place, as Go's ``escapeTemplate``.

    On success, actions end with ``_html_template_*`` escaper commands, text nodes are rewritten
    and derived trees (``name$htmltemplate_...``) are added to ``trees``. On failure
    :class:`~mailtemplates.errors.EscapeError` is raised (``code`` is Go's ErrorCode name,
    ``go_message`` Go's text) and ``trees`` is unchanged. ``funcs`` is accepted for symmetry
    with the compiler: escaping depends only on the names ``html`` and ``urlquery``, as in Go.
    ``verdict_only``: raise or return as above, but change nothing (no copy of the trees needed).
    """
    Namespace(trees, commit=not verdict_only).escape(entry)

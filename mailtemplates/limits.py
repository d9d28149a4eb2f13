"""Limits shared by the engine and the command line, in a module that imports nothing.

The CLI shows them in ``--help`` without loading the engine (issue 17: a fast cold start); the
engine's own limits live with it in :mod:`mailtemplates.gotmpl`.
"""

from __future__ import annotations

__all__ = ["DEFAULT_MAX_TEMPLATE_SIZE"]

#: Characters of one template source (``max_template_size``).
DEFAULT_MAX_TEMPLATE_SIZE = 1024 * 1024

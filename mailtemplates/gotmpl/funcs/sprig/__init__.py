"""sprig v3.3.0's function map (``genericMap``), with Go's signatures and Go's results.

Every function is registered with the Go parameter types of its sprig implementation (read from
sprig's ``functions.go`` and friends), so the runtime converts and rejects arguments exactly as
Go's ``text/template`` does. A Go error return or a recovered panic is raised as
:class:`GoFuncError` carrying Go's message (``Cannot find first on type string``,
``runtime error: integer divide by zero``).

One module per sprig source file (``strings.go`` is :mod:`.strings`, ``list.go`` :mod:`.list`,
...; the inline one-liners of ``functions.go`` sit with the file their subject belongs to, the
OS and path ones in :mod:`.functions`). The ports of the libraries sprig calls live beside this
package in ``sprig_*`` modules: ``sprig_text`` (strings, goutils, xstrings), ``sprig_conv`` (cast
and strconv), ``sprig_json``, ``sprig_time``, ``sprig_regex`` (Go's RE2 syntax), ``sprig_url``
(net/url, path, os.Expand), ``sprig_semver`` and ``sprig_codec``.
"""

from __future__ import annotations

# Importing each module registers its functions.
from . import (  # noqa: F401
    crypto,
    date,
    defaults,
    dict,
    functions,
    list,
    network,
    numeric,
    reflect,
    regex,
    semver,
    strings,
    url,
)
from ._common import REGISTRY

__all__ = ["REGISTRY"]

"""The preview dev server: every email of the template roots in a browser, reloaded on save.

Start it with ``mailtemplates preview --templates ./templates`` (see ``docs/preview.md``) or::

    from mailtemplates.preview import PreviewConfig, PreviewServer

    with PreviewServer(PreviewConfig(templates=["./templates"], port=0)) as server:
        server.start()          # serves in a background thread
        print(server.url)

It is built on the standard library (``http.server``); file watching uses watchdog, imported only
when the server starts. Without watchdog the server polls the files instead and says how to get
native events (:data:`WATCHDOG_HINT`).
"""

from __future__ import annotations

import importlib
from typing import Any

from .server import DEFAULT_FROM_ADDRESS, DEFAULT_PORT, PreviewApp, PreviewConfig, PreviewServer, serve

__all__ = [
    "DEFAULT_FROM_ADDRESS",
    "DEFAULT_PORT",
    "WATCHDOG_HINT",
    "PreviewApp",
    "PreviewConfig",
    "PreviewServer",
    "import_watchdog",
    "serve",
    "watchdog_available",
]

WATCHDOG_HINT = (
    "watchdog is not installed, so the preview polls the template files (4 times a second) instead "
    "of getting file events; for instant reloads: pip install watchdog"
)


def import_watchdog() -> Any:
    """Import watchdog's observer module lazily (it starts threads and loads native code)."""
    return importlib.import_module("watchdog.observers")


def watchdog_available() -> bool:
    try:
        import_watchdog()
    except ImportError:
        return False
    return True

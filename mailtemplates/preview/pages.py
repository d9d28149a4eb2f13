"""The preview's HTML pages, rendered from ``templates/*.html`` with an autoescaping Jinja environment.

The app (``app.py``) decides what a page shows and passes plain data; the templates only lay it
out. Values that are already safe markup (the page's first render as JSON) are passed as
:class:`markupsafe.Markup`, so nothing reaches a page unescaped by accident.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,  # a misspelt variable is a bug in the preview, not a blank
    keep_trailing_newline=True,
)


def render(template: str, **values: Any) -> str:
    """One page (or page fragment) from ``templates/<template>``."""
    return _env.get_template(template).render(**values)

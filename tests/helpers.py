"""Small helpers shared by the tests (imported as ``helpers``; pytest puts tests/ on sys.path)."""

from __future__ import annotations

from pathlib import Path


def write(root: Path, rel: str, text: str) -> Path:
    """Write ``text`` to ``root/rel``, making the folders on the way."""
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


#: gotmpl.TemplateSet's (interpreted_runs, interpreted_seconds) that force one execution tier
#: (tests/test_interp.py): every execution walked by the interpreter, or every one compiled.
TIERS = {"interpret": (1 << 62, float("inf")), "compile": (0, 0.0)}

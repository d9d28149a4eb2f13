"""The examples of docs/escaping.md, rendered: the documented output (from Go) must be ours too.

An example is a ```gotmpl block, optionally followed by a ```json block with the data, then an
```html block with the exact output or an ```error block with Go's error message.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mailtemplates.errors import TemplateError
from mailtemplates.gotmpl import parse_files

DOC = Path(__file__).parent.parent / "docs" / "escaping.md"
_FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.M | re.S)


@dataclass
class Example:
    line: int
    template: str
    data: Any
    output: str | None
    error: str | None


def load_examples(text: str) -> list[Example]:
    examples: list[Example] = []
    current: dict[str, Any] | None = None
    for m in _FENCE.finditer(text):
        kind, body = m.group(1), m.group(2)[:-1]  # the block's last newline is not content
        line = text.count("\n", 0, m.start()) + 1
        if kind == "gotmpl":
            current = {"line": line, "template": body, "data": None}
        elif kind == "json" and current is not None:
            current["data"] = json.loads(body, parse_int=float)
        elif kind in ("html", "error") and current is not None:
            examples.append(
                Example(
                    current["line"],
                    current["template"],
                    current["data"],
                    body if kind == "html" else None,
                    body if kind == "error" else None,
                )
            )
            current = None
    return examples


EXAMPLES = load_examples(DOC.read_text(encoding="utf-8"))


def render(ex: Example) -> tuple[str | None, str | None]:
    # JSON numbers are float64, as in the oracle that produced the outputs.
    data = ex.data
    try:
        ts = parse_files({"main.gotmpl": ex.template}, html=True, funcs="hermetic")
        return ts.execute("main.gotmpl", data), None
    except TemplateError as e:
        return None, e.go_message


def test_doc_has_examples() -> None:
    assert len(EXAMPLES) >= 20
    assert any(ex.error for ex in EXAMPLES)


@pytest.mark.parametrize("ex", EXAMPLES, ids=[f"line{ex.line}" for ex in EXAMPLES])
def test_doc_example(ex: Example) -> None:
    assert render(ex) == (ex.output, ex.error)

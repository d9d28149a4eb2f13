"""Range elements as Go yields them (expectations from the Go oracle, in range_cases.json).

Go's ``range`` does not unwrap an element from its ``interface {}``: dot is the element even when
the element's variable is reassigned, and ``can't evaluate field`` names the slice's or map's
static element type. Both the output and the whole Go error message must match.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mailtemplates import gotmpl
from mailtemplates.errors import TemplateError

# Both execution tiers (tests/test_interp.py).
pytestmark = pytest.mark.usefixtures("each_tier")

DOC = json.loads((Path(__file__).parent / "range_cases.json").read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = DOC["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["template"] for c in CASES])
def test_range_element_matches_go(case: dict[str, Any]) -> None:
    expect = case["expect"]
    try:
        got: dict[str, Any] = {"output": gotmpl.render_files({"main.gotmpl": case["template"]}, "main.gotmpl", DOC["data"])}
    except TemplateError as e:
        got = {"error": {"phase": "exec", "message": e.go_message}}
    assert got == expect


def test_the_cases_cover_both_rules() -> None:
    messages = [c["expect"].get("error", {}).get("message", "") for c in CASES]
    assert any("in type interface {}" in m for m in messages)
    assert any("in type string" in m for m in messages)
    assert any("output" in c["expect"] and "$e = " in c["template"] for c in CASES)

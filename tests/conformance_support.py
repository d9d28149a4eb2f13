"""Loading and running Go-produced conformance vectors (format: tests/conformance/README.md)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mailtemplates import gotmpl

# The oracle ran the env cases with this variable set (conformance README).
os.environ.setdefault("GOTMPL_ORACLE_GREETING", "hello from env")
from mailtemplates.errors import TemplateExecError, TemplateSyntaxError

HERE = Path(__file__).parent
SHARED = HERE / "conformance" / "cases"
LOCAL = HERE / "conformance_local"
GOLDEN = HERE / "golden" / "builtin"
KNOWN_FAILURES = HERE / "conformance_known_failures.txt"
#: The Go oracle binary (CONTRIBUTING.md builds it); tests that re-ask real Go skip without it.
ORACLE = Path(os.environ.get("GOTMPL_ORACLE", "/tmp/oracle/oracle"))


@dataclass(frozen=True)
class Case:
    path: Path
    raw: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.raw["id"])

    @property
    def engine(self) -> str:
        return str(self.raw["engine"])

    @property
    def category(self) -> str:
        return str(self.raw["category"])


def load_cases(*roots: Path) -> list[Case]:
    cases = []
    for root in roots:
        if not root.is_dir():
            continue
        for p in sorted(root.rglob("*.json")):
            cases.append(Case(p, json.loads(p.read_text(encoding="utf-8"))))
    return cases


def _set_int(data: Any, parts: list[str]) -> Any:
    """Turn the JSON number(s) at ``parts`` into Go ints (Python int)."""
    if not parts:
        if isinstance(data, float) and data.is_integer():
            return int(data)
        if isinstance(data, int) and not isinstance(data, bool):
            return int(data)
        raise ValueError(f"int_paths value is not an integral number: {data!r}")
    head, rest = parts[0], parts[1:]
    if isinstance(data, dict):
        keys = list(data) if head == "*" else [head]
        for k in keys:
            if k in data:
                data[k] = _set_int(data[k], rest)
    elif isinstance(data, list):
        idxs = range(len(data)) if head == "*" else [int(head)]
        for i in idxs:
            if 0 <= i < len(data):
                data[i] = _set_int(data[i], rest)
    return data


def go_data(raw: dict[str, Any]) -> Any:
    """The case's data as Go sees it: every JSON number a float64 except ``int_paths``."""
    if "data" not in raw:
        return None
    data = json.loads(json.dumps(raw["data"]), parse_int=float)
    for path in raw.get("int_paths") or []:
        data = _set_int(data, path.split("."))
    return data


def run_case(raw: dict[str, Any]) -> dict[str, Any]:
    """Render a case; returns ``{"output": ...}`` or ``{"error": {"phase":..., "message":...}}``."""
    delims = tuple(raw["delims"]) if raw.get("delims") else None
    try:
        tset = gotmpl.parse_files(
            raw["files"],
            html=raw["engine"] == "html",
            funcs=raw.get("funcs", "hermetic"),
            delims=delims,  # type: ignore[arg-type]
            options=raw.get("options") or (),
        )
    except TemplateSyntaxError as e:
        return {"error": {"phase": "parse", "message": e.go_message}}
    try:
        return {"output": tset.execute(raw["entry"], go_data(raw))}
    except TemplateExecError as e:
        return {"error": {"phase": "exec", "message": e.go_message}}


def known_failures() -> dict[str, str]:
    out: dict[str, str] = {}
    if KNOWN_FAILURES.exists():
        for line in KNOWN_FAILURES.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            cid, _, reason = line.partition(" ")
            out[cid] = reason.strip()
    return out


def matches(expect: dict[str, Any], got: dict[str, Any]) -> bool:
    if "output" in expect:
        return got.get("output") == expect["output"]
    return "error" in got and got["error"]["phase"] == expect["error"]["phase"]

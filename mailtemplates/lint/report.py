"""What ``lint`` prints: text for a terminal, JSON for tools, workflow commands for GitHub Actions,
and the exit code."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Literal

from .codes import CODES, Diagnostic

__all__ = ["Format", "exit_code", "format_diagnostics"]

Format = Literal["text", "json", "github"]


def exit_code(diags: Sequence[Diagnostic]) -> int:
    """1 if any diagnostic is an error, else 0 (warnings and notes do not fail CI)."""
    return 1 if any(d.severity == "error" for d in diags) else 0


def _github_escape(text: str, *, prop: bool = False) -> str:
    # GitHub workflow commands: data escapes % CR LF; properties also ':' and ','.
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


_GITHUB_LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def format_diagnostics(diags: Sequence[Diagnostic], fmt: Format = "text") -> str:
    """Render diagnostics for a terminal (``text``), tools (``json``) or GitHub Actions (``github``).

    ``text``: one ``file:line:col: severity CODE message`` line each (``file: ...`` for a whole file,
    ``mailtemplates: ...`` for the configuration), the suggestion on an indented line below, and
    a summary line. ``github``: ``::error file=...,line=...,col=...,title=CODE::message`` workflow
    commands, which GitHub shows as annotations on the pull request.
    """
    if fmt == "json":
        counts = {s: sum(1 for d in diags if d.severity == s) for s in ("error", "warning", "note")}
        items = [{**asdict(d), "name": CODES[d.code].name, "title": CODES[d.code].title} for d in diags]
        return json.dumps(
            {"version": 1, "diagnostics": items, "summary": counts}, indent=2, ensure_ascii=False
        )
    lines: list[str] = []
    if fmt == "github":
        for d in diags:
            props = []
            if d.file:
                props.append(f"file={_github_escape(d.file, prop=True)}")
            if d.line:
                props.append(f"line={d.line}")
                if d.col:
                    props.append(f"col={d.col}")
            props.append(f"title={_github_escape(d.code, prop=True)}")
            msg = d.message + (f"\n{d.suggestion}" if d.suggestion else "")
            lines.append(f"::{_GITHUB_LEVEL[d.severity]} {','.join(props)}::{_github_escape(msg)}")
        return "\n".join(lines)
    if fmt != "text":
        raise ValueError(f"unknown format {fmt!r}: use text, json or github")
    for d in diags:
        where = d.file or "mailtemplates"
        if d.line:
            where += f":{d.line}:{d.col}"
        lines.append(f"{where}: {d.severity} {d.code} {d.message}")
        if d.suggestion:
            lines.append(f"    hint: {d.suggestion}")
    counts_text = ", ".join(
        f"{n} {s}{'s' if n != 1 else ''}"
        for s in ("error", "warning", "note")
        if (n := sum(1 for d in diags if d.severity == s))
    )
    lines.append(counts_text if counts_text else "no problems found")
    return "\n".join(lines)

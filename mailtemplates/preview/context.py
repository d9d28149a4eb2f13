"""Context files: sample data for previews and test sends, with the user's values laid over it.

A context file is JSON. Either keyed by template (folder or Kratos type name; ``"*"`` applies to
every template and skips fields a template's model does not have)::

    {"*": {"To": "me@example.com"},
     "recovery_code/valid": {"RecoveryCode": "000000", "ExpiresInMinutes": 60},
     "login_code_valid": {"login_code": "123456"}}

or one plain context (Go or JSON field names) used for whatever template is rendered. Fields left
out keep the value of :func:`mailtemplates.models.sample_context`; a field given replaces the
sample's value whole (no deep merge, so an ``Identity`` given is the whole identity).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ContextError, ContextFileError
from ..models import TEMPLATE_TYPES, get_template_type, go_names, json_names, sample_context

__all__ = ["ContextFile", "ContextFileError", "effective_context", "load_context_file"]

_KRATOS_NAMES = {t.kratos_type: t.name for t in TEMPLATE_TYPES.values()}


@dataclass(frozen=True)
class ContextFile:
    path: str | None = None
    #: Template folder name -> overlay; "*" for every template.
    keyed: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: A plain (not keyed) context, used for every template.
    plain: Mapping[str, Any] | None = None

    def overlay(self, name: str) -> tuple[dict[str, Any], bool]:
        """The values this file sets for template ``name`` (Go names), and whether it sets any."""
        tt = get_template_type(name)
        cls = tt.model("email")
        by_go, by_json = json_names(cls), go_names(cls)
        out: dict[str, Any] = {}
        used = False

        def put(values: Mapping[str, Any], *, lenient: bool) -> None:
            nonlocal used
            for key, value in values.items():
                go = key if key in by_go else by_json.get(key)
                if go is None:
                    if lenient:
                        continue
                    go = key  # unknown: to_template_data names it, with a did-you-mean
                out[go] = value
                used = True

        if self.plain is not None:
            put(self.plain, lenient=False)
        put(self.keyed.get("*", {}), lenient=True)
        put(self.keyed.get(tt.name, {}), lenient=False)
        return out, used


def load_context_file(path: str | os.PathLike[str]) -> ContextFile:
    """Read and check a context file; :class:`ContextFileError` says what is wrong and where."""
    shown = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise ContextFileError(f"context file {shown}: no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ContextFileError(f"context file {shown}: cannot read it ({e})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ContextFileError(f"context file {shown}:{e.lineno}:{e.colno}: invalid JSON: {e.msg}") from None
    if not isinstance(data, dict):
        raise ContextFileError(f"context file {shown}: want a JSON object, got {type(data).__name__}")
    names = set(TEMPLATE_TYPES) | set(_KRATOS_NAMES) | {"*"}
    if data and all(k in names for k in data):
        keyed: dict[str, Mapping[str, Any]] = {}
        for key, value in data.items():
            if not isinstance(value, dict):
                raise ContextFileError(
                    f"context file {shown}: the value of {key!r} must be an object of fields, "
                    f"got {type(value).__name__}"
                )
            folder = str(_KRATOS_NAMES.get(key, key))
            if folder in keyed:
                raise ContextFileError(f"context file {shown}: template {folder!r} is given twice")
            keyed[folder] = value
        return ContextFile(shown, keyed, None)
    if data and any(k in names for k in data):
        odd = sorted(k for k in data if k not in names)
        raise ContextFileError(
            f"context file {shown}: mixes template names and fields; unknown template name(s): "
            + ", ".join(repr(k) for k in odd)
        )
    return ContextFile(shown, {}, data)


def effective_context(
    name: str, locale: str, context_file: ContextFile | None, *, to: str | None = None
) -> tuple[dict[str, Any], str]:
    """Sample data for ``name`` in ``locale`` with the file's values over it (and ``To`` = ``to``
    unless the file sets it). Returns the context and a description of where it came from."""
    ctx = sample_context(name, locale=locale)
    source = "sample data"
    if to is not None:
        ctx["To"] = to
    if context_file is not None:
        overlay, used = context_file.overlay(name)
        if used:
            ctx.update(overlay)
            source = f"sample data + {os.path.basename(context_file.path or 'context file')}"
    if not isinstance(ctx, dict):  # pragma: no cover - sample_context always returns a dict
        raise ContextError("context must be an object")
    return ctx, source

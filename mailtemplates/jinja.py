"""Native Jinja2 templates (``email.body.jinja``): same loader, locales and context, Jinja syntax.

They run in Jinja's sandbox; HTML bodies are autoescaped. The context is the same Go-named data
the Go templates see (``{{ RecoveryURL }}``, ``{{ Identity.traits.email }}``). A syntax or runtime
error becomes the package's :class:`TemplateSyntaxError` / :class:`TemplateExecError` with the
template's line.
"""

from __future__ import annotations

import dataclasses
import traceback
from collections.abc import Callable, Mapping
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import TemplateExecError, TemplateSyntaxError

__all__ = ["compile_jinja"]

_ENVS: dict[bool, jinja2.Environment] = {}


def _env(html: bool) -> jinja2.Environment:
    env = _ENVS.get(html)
    if env is None:
        env = ImmutableSandboxedEnvironment(
            autoescape=html,
            undefined=jinja2.ChainableUndefined,
            keep_trailing_newline=True,
        )
        _ENVS[html] = env
    return env


def compile_jinja(
    source: str, path: str, *, html: bool, functions: Mapping[str, Callable[..., Any]] | None = None
) -> Callable[[Any], str]:
    """Compile a Jinja template; the result renders a context mapping to a string.

    ``functions`` become template globals (the locale's ``formatDate``, ``formatRelative``, ...).
    """
    name = path.rsplit("/", 1)[-1]
    try:
        template = _env(html).from_string(source, globals=dict(functions or {}))
    except jinja2.TemplateSyntaxError as e:
        raise TemplateSyntaxError(
            e.message or "syntax error",
            name=name,
            line=e.lineno,
            filename=path,
            source_line=source.splitlines()[e.lineno - 1]
            if 0 < e.lineno <= len(source.splitlines())
            else None,
        ) from None

    def run(data: Any) -> str:
        if dataclasses.is_dataclass(data) and not isinstance(data, type):
            data = {f.name: getattr(data, f.name) for f in dataclasses.fields(data)}
        try:
            return template.render(dict(data))
        except jinja2.TemplateError as e:
            raise TemplateExecError(str(e), name=name, filename=path, **_where(e, source)) from None
        except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError, RecursionError) as e:
            # Python's own errors from the template's expressions (1 / 0, a sandboxed range()
            # too large, int("x")) are the template's fault too: report them with their line.
            what = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
            raise TemplateExecError(what, name=name, filename=path, **_where(e, source)) from None

    return run


def _where(error: BaseException, source: str) -> dict[str, Any]:
    """The template line an exception came from: Jinja maps its frames to ``<template>`` lines."""
    line = 0
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == "<template>" and frame.lineno:
            line = frame.lineno
    lines = source.splitlines()
    if not 0 < line <= len(lines):
        return {}
    return {"line": line, "source_line": lines[line - 1]}

"""Native Jinja2 templates (``email.body.jinja``): same loader, locales and context, Jinja syntax.

They run in Jinja's sandbox; HTML bodies are autoescaped. The context is the same Go-named data
the Go templates see (``{{ RecoveryURL }}``, ``{{ Identity.traits.email }}``). A syntax or runtime
error becomes the package's :class:`TemplateSyntaxError` / :class:`TemplateExecError` with the
template's line.

``{% extends %}``, ``{% include %}`` and ``{% import %}`` load other ``.jinja`` files through a
``find`` function the caller gives (the Renderer's: the template roots in resolution order,
confined to them, see :meth:`mailtemplates.loader.Loader.jinja_template`); this module never
builds a path itself. Undefined names are errors (``StrictUndefined``) unless ``strict=False``.
"""

from __future__ import annotations

import dataclasses
import traceback
from collections.abc import Callable, Mapping
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import MailTemplateError, TemplateExecError, TemplateSyntaxError

__all__ = ["FindTemplate", "compile_jinja"]

#: name -> (source, path, uptodate): how an extended or included template is found.
FindTemplate = Callable[[str], tuple[str, str, Callable[[], bool]]]


class _RootsLoader(jinja2.BaseLoader):
    """Jinja's loader interface over the caller's ``find`` (which does the confinement)."""

    def __init__(self, find: FindTemplate) -> None:
        self.find = find

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        try:
            return self.find(template)
        except MailTemplateError as e:
            # Reported by run() as an error of the template that asked, with its line.
            raise jinja2.TemplateNotFound(template, message=str(e)) from None


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


def _configured(html: bool, find: FindTemplate | None, strict: bool) -> jinja2.Environment:
    """The shared sandboxed environment, with this template's loader and undefined policy."""
    env = _env(html)
    if find is None and not strict:
        return env
    return env.overlay(
        loader=_RootsLoader(find) if find is not None else None,
        undefined=jinja2.StrictUndefined if strict else jinja2.ChainableUndefined,
        auto_reload=True,  # an included file edited in place is read again (its uptodate check)
    )


def compile_jinja(
    source: str,
    path: str,
    *,
    html: bool,
    functions: Mapping[str, Callable[..., Any]] | None = None,
    find: FindTemplate | None = None,
    strict: bool = True,
) -> Callable[[Any], str]:
    """Compile a Jinja template; the result renders a context mapping to a string.

    ``functions`` become template globals (the locale's ``formatDate``, ``formatRelative``, ...).
    ``find`` resolves the names given to ``{% extends %}``/``{% include %}`` (without it they
    fail). ``strict`` (the default) makes a misspelt variable an error instead of empty text.
    """
    name = path.rsplit("/", 1)[-1]
    try:
        template = _configured(html, find, strict).from_string(source, globals=dict(functions or {}))
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

"""Go's template language (``text/template`` and ``html/template``) for Python data.

This package knows nothing about email, files or locales: it parses sources into a set of
templates, escapes them for HTML when asked, compiles them and executes them on data::

    >>> from mailtemplates import gotmpl
    >>> gotmpl.render_files({"main.gotmpl": "Hi {{ .Name | upper }}!"}, "main.gotmpl", {"Name": "ada"})
    'Hi ADA!'
    >>> tset = gotmpl.parse_files({"b.gotmpl": "<a href='{{ .U }}'>x</a>"}, html=True)
    >>> tset.execute("b.gotmpl", {"U": "javascript:alert(1)"})
    "<a href='#ZgotmplZ'>x</a>"

The pipeline is ``lexer`` -> ``parser`` -> (``escape`` for HTML) -> ``compiler`` -> ``runtime``.
A :class:`TemplateSet` is immutable once parsed and safe to execute from several threads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import EscapeError, LimitExceeded, TemplateError, TemplateExecError, TemplateSyntaxError
from . import nodes
from . import runtime as rt
from .compiler import DEFAULT_MAX_DEPTH, CompiledSet, compile_trees
from .funcs import FuncKind, FuncMap, GoFunc, funcmap
from .parser import parse_set
from .values import MISSING

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "MISSING",
    "TemplateSet",
    "parse_files",
    "render_files",
]

_MISSINGKEY_MODES = {
    "missingkey=default": rt.MODE_DEFAULT,
    "missingkey=invalid": rt.MODE_DEFAULT,
    "missingkey=zero": rt.MODE_ZERO,
    "missingkey=error": rt.MODE_ERROR,
}


def _resolve_funcs(funcs: FuncKind | Mapping[str, GoFunc], extra: Mapping[str, GoFunc] | None) -> FuncMap:
    base = dict(funcmap(funcs)) if isinstance(funcs, str) else dict(funcs)
    if extra:
        base.update(extra)
    return base


class TemplateSet:
    """Templates parsed together, as ``template.ParseFS`` parses files into one namespace."""

    def __init__(
        self,
        trees: dict[str, nodes.Tree],
        funcs: FuncMap,
        *,
        html: bool,
        mode: int,
        max_depth: int,
        max_output: int | None,
    ) -> None:
        self.trees = trees
        self.funcs = funcs
        self.html = html
        self.mode = mode
        self.max_depth = max_depth
        self.max_output = max_output
        self._compiled: dict[str | None, CompiledSet] = {}
        self._escape_errors: dict[str, EscapeError] = {}
        self._lock = threading.Lock()

    @property
    def names(self) -> list[str]:
        return sorted(self.trees)

    def _compiled_for(self, name: str) -> CompiledSet:
        key: str | None = name if self.html else None
        compiled = self._compiled.get(key)
        if compiled is not None:
            return compiled
        with self._lock:
            compiled = self._compiled.get(key)
            if compiled is not None:
                return compiled
            err = self._escape_errors.get(name)
            if err is not None:
                raise err
            trees = self.trees
            funcs = self.funcs
            if self.html:
                from .escape import ESCAPER_FUNCS, escape_trees

                trees = {k: t.copy() for k, t in self.trees.items()}
                funcs = {**self.funcs, **ESCAPER_FUNCS}
                try:
                    escape_trees(trees, name, funcs)
                except EscapeError as e:
                    self._escape_errors[name] = e
                    raise
            compiled = compile_trees(trees, funcs, self.mode, self.max_depth)
            self._compiled[key] = compiled
            return compiled

    def escape(self, name: str) -> None:
        """Run html/template's escaper on ``name`` now (Go does it at the first execution)."""
        if name not in self.trees:
            raise TemplateExecError(
                f"no template {nodes.go_quote(name)} associated with the set",
                name=name,
                go_message=f"template: no template {nodes.go_quote(name)} associated with template {nodes.go_quote(name)}",
            )
        self._compiled_for(name)

    def execute(self, name: str, data: Any = None) -> str:
        """Execute template ``name`` on ``data`` and return the output."""
        if name not in self.trees:
            raise TemplateExecError(
                f"no template {nodes.go_quote(name)} associated with the set",
                name=name,
                go_message=f"template: no template {nodes.go_quote(name)} associated with template {nodes.go_quote(name)}",
            )
        compiled = self._compiled_for(name)
        out: list[str] = []
        try:
            compiled.functions[name](data, out, 0)
        except rt.ExecFailure as e:
            raise self._exec_error(compiled, e) from None
        except RecursionError:
            raise LimitExceeded(
                "template calls nested too deeply for the Python stack",
                name=name,
                go_message=f"template: {name}: exceeded maximum template depth",
            ) from None
        except UnboundLocalError:
            raise TemplateExecError(
                "a variable was used in a branch where it was not declared",
                name=name,
                go_message=f"template: {name}: undefined variable",
            ) from None
        result = "".join(out)
        if self.max_output is not None and len(result) > self.max_output:
            raise LimitExceeded(
                f"output of {len(result)} characters exceeds the limit of {self.max_output}", name=name
            )
        return result

    @staticmethod
    def _exec_error(compiled: CompiledSet, e: rt.ExecFailure) -> TemplateError:
        info = compiled.nodes[e.nid]
        line, byte_col, char_col = info.tree.location(info.pos)
        parse_name = info.tree.parse_name
        go = (
            f"template: {parse_name}:{line}:{byte_col}: executing {nodes.go_quote(info.template)} "
            f"at <{info.context}>: {e.message}"
        )
        cls = LimitExceeded if e.message.startswith("exceeded maximum template depth") else TemplateExecError
        return cls(
            f"executing {nodes.go_quote(info.template)} at <{info.context}>: {e.message}",
            name=parse_name,
            line=line,
            col=char_col,
            go_message=go,
            source_line=info.tree.source_line(info.pos),
        )


def parse_files(
    files: Mapping[str, str],
    *,
    html: bool = False,
    funcs: FuncKind | Mapping[str, GoFunc] = "hermetic",
    delims: tuple[str, str] | None = None,
    options: Iterable[str] = (),
    extra_funcs: Mapping[str, GoFunc] | None = None,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_output: int | None = None,
) -> TemplateSet:
    """Parse ``files`` (name -> source) into one :class:`TemplateSet`.

    Raises :class:`~mailtemplates.errors.TemplateSyntaxError` with the file, line and Go's message.
    """
    mode = rt.MODE_DEFAULT
    for opt in options:
        if opt not in _MISSINGKEY_MODES:
            raise ValueError(f"unrecognized option: {opt!r}")
        mode = _MISSINGKEY_MODES[opt]
    fm = _resolve_funcs(funcs, extra_funcs)
    trees = parse_set(files, fm, delims)
    return TemplateSet(trees, fm, html=html, mode=mode, max_depth=max_depth, max_output=max_output)


def render_files(
    files: Mapping[str, str],
    entry: str,
    data: Any = None,
    *,
    html: bool = False,
    funcs: FuncKind | Mapping[str, GoFunc] = "hermetic",
    delims: tuple[str, str] | None = None,
    options: Iterable[str] = (),
) -> str:
    """Parse ``files`` together and execute ``entry`` on ``data``: one call, one output."""
    return parse_files(files, html=html, funcs=funcs, delims=delims, options=options).execute(entry, data)


# Re-exported so callers can catch them from here.
TemplateSyntaxError = TemplateSyntaxError
TemplateExecError = TemplateExecError

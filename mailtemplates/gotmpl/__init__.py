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
:class:`TemplateSet` and :func:`parse_files` play Go 1.26's ``template.Template`` with
``ParseFS`` (``src/text/template/template.go``, ``helper.go``; ``html/template``'s for HTML).
A :class:`TemplateSet` is immutable once parsed and safe to execute from several threads.

Safety limits (``docs/limits.md``), keyword arguments of :func:`parse_files`: ``max_template_size``
and ``max_nesting`` are checked while parsing (:class:`~mailtemplates.errors.TemplateSyntaxError`);
``max_depth``, ``max_output`` and ``max_iterations`` while executing
(:class:`~mailtemplates.errors.LimitExceeded`, with the template position where one is known).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from time import monotonic as _monotonic
from time import perf_counter as _perf_counter
from typing import Any, TypeVar

from ..errors import EscapeError, LimitExceeded, TemplateError, TemplateExecError, TemplateSyntaxError
from ..limits import DEFAULT_MAX_TEMPLATE_SIZE
from . import nodes
from . import runtime as rt
from .compiler import DEFAULT_MAX_DEPTH, CompiledSet, NodeInfo, compile_trees
from .funcs import HERMETIC_EXCLUDED, FuncKind, FuncMap, GoFunc, GoFuncError, funcmap
from .gostrconv import quote
from .interp import Interpreter
from .lexer import ItemType, Lexer
from .parser import DEFAULT_MAX_NESTING, TOO_DEEP, parse_file, parse_set
from .runtime import printed_size
from .values import MISSING, StrList

_Built = TypeVar("_Built")

# execute() runs once per execution: its indexes as module constants, not runtime attributes.
_DEADLINE = rt.DEADLINE
_LIMIT = rt.LIMIT

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_ITERATIONS",
    "DEFAULT_MAX_NESTING",
    "DEFAULT_MAX_OUTPUT",
    "DEFAULT_MAX_SECONDS",
    "DEFAULT_MAX_TEMPLATE_SIZE",
    "DEFAULT_MAX_VALUES",
    "HERMETIC_EXCLUDED",
    "MISSING",
    "FuncMap",
    "GoFunc",
    "GoFuncError",
    "ItemType",
    "Lexer",
    "StrList",
    "TemplateSet",
    "funcmap",
    "nodes",
    "parse_file",
    "parse_files",
    "printed_size",
    "quote",
    "render_files",
]

# The rest of the package reaches the engine through this module only (tests/test_layers.py).
# Besides TemplateSet it needs a few of the engine's parts, re-exported above: the parse tree
# (``nodes``, ``parse_file``: the linter walks trees), the lexer (``Lexer``, ``ItemType``:
# load-time CSS inlining finds actions without parsing), function maps (``GoFunc``,
# ``GoFuncError``, ``funcmap``, ``HERMETIC_EXCLUDED``: the Renderer adds the locale functions,
# the linter checks names), Go's ``strconv.Quote`` (``quote``: the linter's messages quote
# names as Go's do) and Go's ``[]string`` (``StrList``: the models' header values).

#: Characters one execution may write (``max_output``); also the largest string or list a
#: template function may return.
DEFAULT_MAX_OUTPUT = 4 * 1024 * 1024
#: ``range`` iterations and template calls of one execution, all together (``max_iterations``).
DEFAULT_MAX_ITERATIONS = 1_000_000
#: Characters and list elements of all the strings and lists the functions of one execution
#: return, together (``max_values``): sixteen outputs' worth.
DEFAULT_MAX_VALUES = 64 * 1024 * 1024
#: Seconds one execution may run (``max_seconds``), checked between steps.
DEFAULT_MAX_SECONDS = 10.0
#: Executions of an entry that walk its trees (:mod:`.interp`) before it is compiled to Python,
#: and the seconds those executions may take together before it is (docs/performance.md, "First
#: renders, fourth pass: tiered execution": compiling costs 24 to 150 interpreted executions
#: of the benchmark's templates, so up to 16 never cost more than compiling would have saved).
INTERPRETED_RUNS = 16
INTERPRETED_SECONDS = 0.002

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
    """Templates parsed together, as ``template.ParseFS`` parses files into one namespace.

    The first executions of an entry walk its (escaped) trees: :attr:`interpreted_runs` of
    them, or fewer if together they took :attr:`interpreted_seconds`; the next one compiles the
    trees to Python, which every later execution runs (``docs/architecture.md``). Both tiers
    give the same output and the same errors.
    """

    #: Executions of an entry interpreted before it is compiled (0: compile at once). Tests set
    #: these on the class to force one tier (tests/conftest.py).
    interpreted_runs: int = INTERPRETED_RUNS
    #: Seconds an entry's interpreted executions may take together before it is compiled.
    interpreted_seconds: float = INTERPRETED_SECONDS

    def __init__(
        self,
        trees: dict[str, nodes.Tree],
        funcs: FuncMap,
        *,
        html: bool,
        mode: int,
        max_depth: int,
        max_output: int | None,
        max_iterations: int | None = DEFAULT_MAX_ITERATIONS,
        max_values: int | None = DEFAULT_MAX_VALUES,
        max_seconds: float | None = DEFAULT_MAX_SECONDS,
        origin: str | None = None,
    ) -> None:
        self.trees = trees
        self.origin = origin
        self.funcs = funcs
        self.html = html
        self.mode = mode
        self.max_depth = max_depth
        self.max_output = max_output
        self.max_iterations = max_iterations
        self.max_values = max_values
        self.max_seconds = max_seconds
        self._state = rt.new_state(max_output, max_iterations, max_values, max_seconds)
        self._compiled: dict[str, CompiledSet] = {}
        self._escape_errors: dict[str, EscapeError] = {}
        self._lock = threading.Lock()
        #: name -> (its compiled function, the compiled set, whether it is stateful, the
        #: seconds of its deadline): execute()'s one lookup.
        self._entries: dict[str, tuple[Any, CompiledSet, bool, float | None]] = {}
        #: Entries not compiled yet: their escaped trees, walked, and how often they were run.
        self._interpreters: dict[str, Interpreter] = {}
        self._runs: dict[str, int] = {}
        self._spent: dict[str, float] = {}

    @property
    def names(self) -> list[str]:
        return sorted(self.trees)

    def _built_once(self, cache: dict[str, _Built], name: str, build: Callable[[], _Built]) -> _Built:
        """``cache[name]``, built by ``build`` once under the set's lock: the compiled code and
        the interpreter of an entry. An escape error found earlier is raised again."""
        value = cache.get(name)
        if value is not None:
            return value
        with self._lock:
            value = cache.get(name)
            if value is not None:
                return value
            err = self._escape_errors.get(name)
            if err is not None:
                raise err
            try:
                value = cache[name] = build()
            except RecursionError:
                # Every stage walks the trees recursively: a caller already deep in its own
                # stack can run out of it below max_nesting.
                raise LimitExceeded(TOO_DEEP, name=name) from None
            return value

    def _compiled_for(self, name: str) -> CompiledSet:
        return self._built_once(self._compiled, name, lambda: self._build(name))

    def _interpreter_for(self, name: str) -> Interpreter:
        return self._built_once(
            self._interpreters, name, lambda: Interpreter(*self._escaped(name), self.mode, self.max_depth)
        )

    def _build(self, name: str) -> CompiledSet:
        # The trees the interpreter walked, if it ran: escaped already.
        interp = self._interpreters.pop(name, None)
        trees, funcs = (interp.trees, interp.funcs) if interp is not None else self._escaped(name)
        # Named after the whole set, whatever part of it is compiled for this entry.
        origin = self.origin or next((t.parse_name for _, t in sorted(self.trees.items())), None)
        return compile_trees(trees, funcs, self.mode, self.max_depth, origin, self.max_iterations)

    def _reachable(self, name: str) -> dict[str, nodes.Tree]:
        """``name`` and the templates it calls, directly or not: all that executing it can run.
        Only these are escaped and compiled for it (issue 17: a Kratos set carries every
        language's partials and its sibling part, and one entry calls a few of them)."""
        out: dict[str, nodes.Tree] = {}
        todo = [name]
        while todo:
            tname = todo.pop()
            tree = self.trees.get(tname)
            if tree is None or tname in out:
                continue
            out[tname] = tree
            todo.extend(nodes.template_calls(tree.root))
        return out

    def _escaped(self, name: str) -> tuple[dict[str, nodes.Tree], FuncMap]:
        """The trees and functions to compile for ``name`` (those it can reach): escaped
        copies for an HTML set."""
        reachable = self._reachable(name)
        if not self.html:
            return reachable, self.funcs
        from .escape import ESCAPER_FUNCS, escape_trees

        trees = {k: t.copy() for k, t in reachable.items()}
        funcs = {**self.funcs, **ESCAPER_FUNCS}
        try:
            escape_trees(trees, name, funcs)
        except EscapeError as e:
            self._escape_errors[name] = e
            raise
        return trees, funcs

    def escape(self, name: str, *, compile_code: bool = True) -> None:
        """Run html/template's escaper on ``name`` now (Go does it at the first execution).

        The escaped trees are kept for the executions: walked by the first ones, compiled to
        Python once the entry is hot, as :meth:`execute` does (compiled at once if the set
        interprets nothing). ``compile_code=False`` stops at the verdict, for a caller that
        only wants it (lint): nothing is kept for a later execution.
        """
        self._check_name(name)
        if compile_code or not self.html:
            if self.interpreted_runs > 0 and self.interpreted_seconds > 0 and name not in self._compiled:
                self._interpreter_for(name)
            else:
                self._compiled_for(name)
            return
        with self._lock:
            if name in self._compiled or name in self._interpreters:
                return
            err = self._escape_errors.get(name)
            if err is not None:
                raise err
            from .escape import escape_trees

            try:
                # The trees themselves: with nothing committed the escaper changes none of them.
                escape_trees(self._reachable(name), name, verdict_only=True)
            except EscapeError as e:
                self._escape_errors[name] = e
                raise
            except RecursionError:
                raise LimitExceeded(TOO_DEEP, name=name) from None

    def python_source(self, name: str) -> str:
        """The Python module the set compiles to for executing ``name`` (for debugging: the
        code a traceback through ``<gotmpl ...>`` points into): ``name`` and the templates it
        calls, directly or not, after escaping in an HTML set."""
        self._check_name(name)
        return self._compiled_for(name).source

    def _check_name(self, name: str) -> None:
        if name not in self.trees:
            raise TemplateExecError(
                f"no template {quote(name)} associated with the set",
                name=name,
                go_message=f"template: no template {quote(name)} associated with template {quote(name)}",
            )

    def execute(self, name: str, data: Any = None) -> str:
        """Execute template ``name`` on ``data`` and return the output.

        A Python exception that is no template error (a bug in a custom function) propagates
        as it is, with a note naming the template positions it passed through."""
        entry = self._entries.get(name)
        if entry is None:
            self._check_name(name)
            runs = self._runs.get(name, 0)
            spent = self._spent.get(name, 0.0)
            if (
                runs < self.interpreted_runs
                and spent < self.interpreted_seconds
                and name not in self._compiled
            ):
                # Unlocked: a lost update only compiles an entry an execution later.
                self._runs[name] = runs + 1
                started = _perf_counter()
                try:
                    return self._interpret(name, data)
                finally:
                    self._spent[name] = spent + (_perf_counter() - started)
            compiled = self._compiled_for(name)
            # The seconds as the state has them (its refusal message says them).
            entry = self._entries[name] = (
                compiled.functions[name],
                compiled,
                compiled.stateful,
                self._state[rt.SECONDS],
            )
        fn, compiled, stateful, seconds = entry
        out: list[str] = []
        st = self._state
        if stateful:
            # runtime.start(), inlined: this runs once per execution and Go's fastest templates
            # take less than a microsecond.
            st = st[:]
            if seconds is not None:
                st[_DEADLINE] = _monotonic() + seconds
        try:
            # Execute(w, nil): reflect.ValueOf(nil) is the invalid value, not a nil pointer.
            fn(MISSING if data is None else data, out, 0, st)
        except Exception as e:
            failure = self._compiled_failure(name, compiled, e)
            if failure is None:
                raise
            raise failure from None
        result = "".join(out)
        if len(result) > st[_LIMIT]:
            raise self._too_long(name, result)
        return result

    def _compiled_failure(self, name: str, compiled: CompiledSet, e: Exception) -> TemplateError | None:
        """What the compiled code's exception ``e`` is reported as (None: ``e`` itself, with a
        note naming the template positions it passed through)."""
        if isinstance(e, rt.ExecFailure):
            return self._exec_error(compiled, e)
        if isinstance(e, RecursionError):
            # The Python stack ran out before max_depth (max_depth raised past what it holds).
            return LimitExceeded(
                "template calls nested too deeply for the Python stack (lower max_depth)",
                name=name,
                go_message=f"template: {name}: exceeded maximum template depth",
            )
        _note_template_positions(e, compiled)
        return None

    def _too_long(self, name: str, result: str) -> LimitExceeded:
        return LimitExceeded(
            f"output of {len(result)} characters exceeds the limit of {self.max_output} (max_output)",
            name=name,
        )

    def _interpret(self, name: str, data: Any) -> str:
        """Execute ``name`` by walking its trees (:mod:`.interp`). A walk that runs out of
        Python stack (it takes more frames per template call than the compiled code) is run
        again compiled, which decides, within what is left of the execution's time."""
        interp = self._interpreter_for(name)
        out: list[str] = []
        st = rt.start(self._state)
        dot = MISSING if data is None else data  # Execute(w, nil): the invalid value
        try:
            interp.execute(name, dot, out, st)
        except rt.ExecFailure as e:
            raise self._exec_error(interp.node_info(e.nid), e) from None
        except RecursionError:
            # execute()'s compiled path, written again here rather than moved into a method
            # both call: a method call more per execution (42 ns here) is ~8 % of the fastest
            # templates (text-kratos-001 runs in 0.54 µs), and this fallback runs about never.
            compiled = self._compiled_for(name)
            out, deadline, st = [], st[_DEADLINE], self._state[:]
            st[_DEADLINE] = deadline
            try:
                compiled.functions[name](dot, out, 0, st)
            except Exception as e:
                failure = self._compiled_failure(name, compiled, e)
                if failure is None:
                    raise
                raise failure from None
        result = "".join(out)
        if len(result) > st[_LIMIT]:
            raise self._too_long(name, result)
        return result

    @staticmethod
    def _exec_error(where: CompiledSet | NodeInfo, e: rt.ExecFailure) -> TemplateError:
        info = where.nodes[e.nid] if isinstance(where, CompiledSet) else where
        line, byte_col, char_col = info.tree.location(info.pos)
        parse_name = info.tree.parse_name
        go = (
            f"template: {parse_name}:{line}:{byte_col}: executing {quote(info.template)} "
            f"at <{info.context}>: {e.message}"
        )
        cls = LimitExceeded if isinstance(e, rt.LimitFailure) else TemplateExecError
        return cls(
            f"executing {quote(info.template)} at <{info.context}>: {e.message}",
            name=parse_name,
            line=line,
            col=char_col,
            go_message=go,
            source_line=info.tree.source_line(info.pos),
        )


def _note_template_positions(e: BaseException, compiled: CompiledSet) -> None:
    """Add where in the templates a foreign exception went through, innermost first."""
    rt.note_positions(e, compiled.template_positions(e.__traceback__))


def parse_files(
    files: Mapping[str, str],
    *,
    html: bool = False,
    funcs: FuncKind | Mapping[str, GoFunc] = "hermetic",
    delims: tuple[str, str] | None = None,
    options: Iterable[str] = (),
    extra_funcs: Mapping[str, GoFunc] | None = None,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_output: int | None = DEFAULT_MAX_OUTPUT,
    max_iterations: int | None = DEFAULT_MAX_ITERATIONS,
    max_nesting: int = DEFAULT_MAX_NESTING,
    max_template_size: int | None = DEFAULT_MAX_TEMPLATE_SIZE,
    max_values: int | None = DEFAULT_MAX_VALUES,
    max_seconds: float | None = DEFAULT_MAX_SECONDS,
    origin: str | None = None,
    parsed: Mapping[str, Mapping[str, nodes.Tree]] | None = None,
) -> TemplateSet:
    """Parse ``files`` (name -> source) into one :class:`TemplateSet`.

    Raises :class:`~mailtemplates.errors.TemplateSyntaxError` with the file, line and Go's message.

    Limits (``docs/limits.md``; None disables one): ``max_depth`` nested template calls;
    ``max_output`` characters of output (and of any string or list a function returns);
    ``max_iterations`` range iterations and template calls per execution; ``max_nesting``
    (never None) nested ``if``/``range``/``with``/``block``/``else if`` and parentheses;
    ``max_template_size`` characters per source file; ``max_values`` characters and list
    elements of all the strings and lists functions return in one execution; ``max_seconds``
    seconds per execution.

    ``origin`` (the entry file's path, say) names the compiled code in tracebacks:
    ``<gotmpl ORIGIN#N>``; without it, the first file's name.

    ``parsed`` maps some of the file names to what :func:`parse_file` made of them with the
    same ``funcs``, ``delims`` and ``max_nesting``: those are not parsed again (the linter
    parses each file alone first, for errors of its own). The trees are shared, not copied.
    """
    mode = rt.MODE_DEFAULT
    for opt in options:
        if opt not in _MISSINGKEY_MODES:
            raise ValueError(f"unrecognized option: {opt!r}")
        mode = _MISSINGKEY_MODES[opt]
    fm = _resolve_funcs(funcs, extra_funcs)
    if max_template_size is not None:
        for fname, text in files.items():
            if len(text) > max_template_size:
                raise TemplateSyntaxError(
                    f"template of {len(text)} characters exceeds the limit of {max_template_size} "
                    "(max_template_size)",
                    name=fname,
                )
    trees = parse_set(files, fm, delims, max_nesting=max_nesting, parsed=parsed)
    return TemplateSet(
        trees,
        fm,
        html=html,
        mode=mode,
        max_depth=max_depth,
        max_output=max_output,
        max_iterations=max_iterations,
        max_values=max_values,
        max_seconds=max_seconds,
        origin=origin,
    )


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

"""Native Jinja2 templates (``email.body.jinja``): same loader, locales and context, Jinja syntax.

They run in Jinja's sandbox; HTML bodies are autoescaped. The context is the same Go-named data
the Go templates see (``{{ RecoveryURL }}``, ``{{ Identity.traits.email }}``). A syntax or runtime
error becomes the package's :class:`TemplateSyntaxError` / :class:`TemplateExecError` with the
template's line.

``{% extends %}``, ``{% include %}`` and ``{% import %}`` load other ``.jinja`` files through a
``find`` function the caller gives (the Renderer's: the template roots in resolution order,
confined to them, see :meth:`mailtemplates.loader.Loader.jinja_template`); this module never
builds a path itself. Undefined names are errors (``StrictUndefined``) unless ``strict=False``.

They are bounded as Go templates are (docs/limits.md): the output, every value an operator, a
call or a filter makes (``max_output`` characters; its size is computed *before* for what can
grow from small operands: ``'x' * n``, ``10 ** n``, ``'%9999d' % x``, ``center``, ``indent``,
``replace``, ``join``), the iterations of all ``for`` loops together (``max_iterations``), and the
time (``max_seconds``). Constant folding cannot run away at compile time: the operators that
could are intercepted, and the sandbox then leaves them to run time.
"""

from __future__ import annotations

import contextvars
import dataclasses
import math
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, cast

import jinja2
import jinja2.runtime
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import LimitExceeded, MailTemplateError, TemplateExecError, TemplateSyntaxError
from .gotmpl import DEFAULT_MAX_ITERATIONS, DEFAULT_MAX_OUTPUT, DEFAULT_MAX_SECONDS, printed_size

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


#: Bits of an integer an operator may make: Python prints at most 4300 digits of one anyway.
_MAX_INT_BITS = 14_300
_WIDTH = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\d*)(?:\.(\d*))?")


class _Limit(Exception):
    """A value, the output, the loops or the time of one render went over a limit."""


class _Run:
    """The budgets of one render (one per call of the function :func:`compile_jinja` returns)."""

    __slots__ = ("deadline", "iterations", "max_iterations", "max_output", "max_seconds")

    def __init__(self, max_output: int, max_iterations: int, max_seconds: float | None) -> None:
        self.max_output = max_output
        self.max_iterations = max_iterations
        self.iterations = max_iterations
        self.max_seconds = max_seconds
        self.deadline = math.inf if max_seconds is None else time.monotonic() + max_seconds

    def clock(self) -> None:
        if self.deadline != math.inf and time.monotonic() > self.deadline:
            raise _Limit(f"rendering took longer than {self.max_seconds:g} s (max_seconds)")

    def size(self, n: int, what: str) -> None:
        if n > self.max_output:
            raise _Limit(f"{what} of {n} characters exceeds the limit of {self.max_output} (max_output)")


_RUN: contextvars.ContextVar[_Run] = contextvars.ContextVar("mailtemplates_jinja_run")


def _run() -> _Run:
    run = _RUN.get(None)
    if run is None:  # constant folding at compile time: the defaults
        run = _Run(DEFAULT_MAX_OUTPUT, DEFAULT_MAX_ITERATIONS, DEFAULT_MAX_SECONDS)
    return run


def _length(v: object) -> int:
    """A lower bound of how many characters ``v`` is or prints as (0 for scalars)."""
    if type(v) is str or isinstance(v, str):
        return len(v)
    if isinstance(v, (list, tuple, Mapping)):
        return printed_size(v, _run().max_output)
    return 0


def _checked(value: Any, what: str) -> Any:
    """``value``, unless it is a string or container over the limit."""
    if isinstance(value, (str, list, tuple, Mapping)):
        _run().size(_length(value), what)
    return value


def _format_size(fmt: str, args: Any) -> int:
    """A lower bound of ``fmt % args``: the widths and precisions it pads to."""
    total = len(fmt)
    for m in _WIDTH.finditer(fmt):
        total += int(m.group(1) or 0) + int(m.group(2) or 0)
    for a in args if isinstance(args, tuple) else (args,):
        total += _length(a)
    return total


def _binop_size(op: str, left: Any, right: Any) -> int:
    """What ``left op right`` makes, computed before it is made (0: nothing large)."""
    if op == "**":
        if type(left) in (int, bool) and type(right) in (int, bool) and right > 0:
            bits = abs(int(left)).bit_length() * int(right)
            if bits > _MAX_INT_BITS:
                raise _Limit(f"{left} ** {right} would have about {bits} bits (more than {_MAX_INT_BITS})")
        return 0
    if op == "*":
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > _MAX_INT_BITS:
                raise _Limit(f"a product of more than {_MAX_INT_BITS} bits")
            return 0
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(n, int):
                return len(seq) * max(n, 0)
        return 0
    if op == "+":
        if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            return len(left) + len(right)
        return 0
    if op == "%" and isinstance(left, str):
        return _format_size(left, right)
    return 0


def _method_size(obj: Any, args: tuple[Any, ...]) -> int:
    """What a call of a str method (``'x'.center(n)``, ``sep.join(l)``, ...) makes at least."""
    owner = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", "")
    if not isinstance(owner, str):
        return 0
    if name in ("center", "ljust", "rjust", "zfill") and args and isinstance(args[0], int):
        return int(args[0])
    if name == "expandtabs" and args and isinstance(args[0], int):
        return len(owner) + owner.count("\t") * max(int(args[0]), 0)
    if name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        return _replace_size(owner, args[0], args[1])
    if name == "join" and args and isinstance(args[0], (list, tuple)):
        return len(owner) * max(len(args[0]) - 1, 0) + _length(args[0])
    if name in ("format", "format_map"):
        return len(owner) + sum(int(w) for w in re.findall(r"\{[^{}]*?:[^{}\d]*(\d+)", owner))
    return 0


def _replace_size(s: str, old: str, new: str) -> int:
    if len(new) <= len(old):
        return 0
    return len(s) + (len(s) + 1 if old == "" else s.count(old)) * (len(new) - len(old))


def _filter_size(name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    """What a filter that can grow its input makes at least (its input first)."""
    s = args[0] if args else ""
    text = s if isinstance(s, str) else ""
    if name == "center":
        width = args[1] if len(args) > 1 else kwargs.get("width", 80)
        return int(width) if isinstance(width, int) else 0
    if name == "indent":
        width = args[1] if len(args) > 1 else kwargs.get("width", 4)
        if isinstance(width, str):
            return len(text) + (text.count("\n") + 1) * len(width)
        return len(text) + (text.count("\n") + 1) * max(int(width), 0) if isinstance(width, int) else 0
    if name == "replace" and len(args) >= 3 and isinstance(args[1], str) and isinstance(args[2], str):
        return _replace_size(text, args[1], args[2])
    if name == "join" and isinstance(s, (list, tuple)):
        sep = args[1] if len(args) > 1 else kwargs.get("d", "")
        return len(str(sep)) * max(len(s) - 1, 0) + _length(s)
    if name == "wordwrap":
        sep = kwargs.get("wrapstring") or (args[4] if len(args) > 4 else "\n")
        width = args[1] if len(args) > 1 else kwargs.get("width", 79)
        if isinstance(sep, str) and isinstance(width, int) and len(sep) > 1:
            return len(text) + len(text) // max(width, 1) * len(sep)
        return 0
    if name == "format" and isinstance(s, str):
        return _format_size(s, tuple(args[1:]))
    return sum(_length(a) for a in args)  # a filter printing a container (string, tojson, ...)


def _guard_filter(name: str, f: Callable[..., Any]) -> Callable[..., Any]:
    """Filter ``f`` with its result sized before (what can grow) and checked after."""

    def guarded(*args: Any, **kwargs: Any) -> Any:
        run = _run()
        first = (
            1
            if args
            and isinstance(args[0], (jinja2.runtime.Context, jinja2.nodes.EvalContext, jinja2.Environment))
            else 0
        )
        run.size(_filter_size(name, args[first:], kwargs), f"the result of |{name}")
        return _checked(f(*args, **kwargs), f"the result of |{name}")

    if hasattr(f, "jinja_pass_arg"):  # jinja's pass_context / pass_eval_context mark
        guarded.jinja_pass_arg = f.jinja_pass_arg  # type: ignore[attr-defined]
    return guarded


class _Bounded(ImmutableSandboxedEnvironment):
    """The sandbox, with every operator that can make a large value sized before it runs."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call_binop(self, context: jinja2.runtime.Context, op: str, left: Any, right: Any) -> Any:
        _run().size(_binop_size(op, left, right), f"the result of {op}")
        return _checked(super().call_binop(context, op, left, right), f"the result of {op}")

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        run = _run()
        run.clock()
        run.size(_method_size(__obj, args), "the result of a call")
        return _checked(
            ImmutableSandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs),
            "the result of a call",
        )

    def loop(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """Every ``for`` loop iterates through this: one iteration budget per render."""
        run = _run()
        for i, item in enumerate(iterable):
            run.iterations -= 1
            if run.iterations < 0:
                raise _Limit(
                    f"for-loop iterations exceed the limit of {run.max_iterations} per render (max_iterations)"
                )
            if not i & 255:
                run.clock()
            yield item

    def concat(self, value: Any) -> Any:
        return _checked(value, "a string joined with ~")


class _Generator(CodeGenerator):
    """Jinja's code generator, with every ``for`` loop's iterable and every ``~`` passed through
    the environment's budgets (the tree is rewritten before the code is written)."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        for loop in list(node.find_all(nodes.For)):
            loop.iter = _env_call("loop", cast(nodes.Expr, loop.iter))
        for parent in list(node.find_all(nodes.Node)):
            for field in parent.fields:
                child = getattr(parent, field, None)
                if isinstance(child, nodes.Concat):
                    setattr(parent, field, _env_call("concat", child))
                elif isinstance(child, list):
                    child[:] = [_env_call("concat", c) if isinstance(c, nodes.Concat) else c for c in child]
        super().visit_Template(node, frame)


def _env_call(name: str, arg: nodes.Expr) -> nodes.Expr:
    call = nodes.Call(nodes.EnvironmentAttribute(name), [arg], [], None, None)
    call.set_lineno(arg.lineno)
    return call


def _finalize(value: Any) -> Any:
    """Every ``{{ value }}`` written: a container is sized before it is turned into text."""
    run = _run()
    if isinstance(value, (list, tuple, Mapping)):
        run.size(printed_size(value, run.max_output), "printing a value")
    return value


_ENVS: dict[bool, jinja2.Environment] = {}


def _env(html: bool) -> jinja2.Environment:
    env = _ENVS.get(html)
    if env is None:
        env = _Bounded(
            autoescape=html,
            undefined=jinja2.ChainableUndefined,
            keep_trailing_newline=True,
            finalize=_finalize,
        )
        env.code_generator_class = _Generator
        env.filters = {name: _guard_filter(name, f) for name, f in env.filters.items()}
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
    max_output: int | None = DEFAULT_MAX_OUTPUT,
    max_iterations: int | None = DEFAULT_MAX_ITERATIONS,
    max_seconds: float | None = DEFAULT_MAX_SECONDS,
) -> Callable[[Any], str]:
    """Compile a Jinja template; the result renders a context mapping to a string.

    ``functions`` become template globals (the locale's ``formatDate``, ``formatRelative``, ...).
    ``find`` resolves the names given to ``{% extends %}``/``{% include %}`` (without it they
    fail). ``strict`` (the default) makes a misspelt variable an error instead of empty text.
    The limits are the Go engine's (docs/limits.md); None switches one off.
    """
    name = path.rsplit("/", 1)[-1]
    lines = source.splitlines()
    try:
        template = _configured(html, find, strict).from_string(source, globals=dict(functions or {}))
    except jinja2.TemplateSyntaxError as e:
        raise TemplateSyntaxError(
            e.message or "syntax error",
            name=name,
            line=e.lineno,
            filename=path,
            source_line=lines[e.lineno - 1] if 0 < e.lineno <= len(lines) else None,
        ) from None
    except (RecursionError, MemoryError) as e:
        raise TemplateSyntaxError(
            f"template too deeply nested or too large to compile ({type(e).__name__})",
            name=name,
            filename=path,
        ) from None
    limits = (
        sys.maxsize if max_output is None else max_output,
        sys.maxsize if max_iterations is None else max_iterations,
        max_seconds,
    )

    def run(data: Any) -> str:
        if dataclasses.is_dataclass(data) and not isinstance(data, type):
            data = {f.name: getattr(data, f.name) for f in dataclasses.fields(data)}
        budgets = _Run(*limits)
        token = _RUN.set(budgets)
        try:
            out: list[str] = []
            size = 0
            for chunk in template.generate(dict(data)):
                out.append(chunk)
                size += len(chunk)
                budgets.size(size, "output")
                budgets.clock()
            return "".join(out)
        except _Limit as e:
            raise LimitExceeded(str(e), name=name, filename=path, **_where(e, source)) from None
        except MemoryError as e:
            raise LimitExceeded("out of memory", name=name, filename=path, **_where(e, source)) from None
        except jinja2.TemplateError as e:
            raise TemplateExecError(str(e), name=name, filename=path, **_where(e, source)) from None
        except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError, RecursionError) as e:
            # Python's own errors from the template's expressions (1 / 0, a sandboxed range()
            # too large, int("x")) are the template's fault too: report them with their line.
            what = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
            raise TemplateExecError(what, name=name, filename=path, **_where(e, source)) from None
        finally:
            _RUN.reset(token)

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

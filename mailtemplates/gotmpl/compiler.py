"""Compile Go parse trees into Python functions, one per template of a set.

What the generated code does is Go 1.26 ``src/text/template/exec.go`` (``walk``, ``walkIfOrWith``,
``walkRange``, ``walkTemplate``, ``evalPipeline``, ``evalCommand``), decided at compile time where
the tree allows it and by :mod:`.runtime` otherwise.

Why compile, and why to Python source: ``docs/architecture.md`` has the measurement. In short,
Go's variables are lexically scoped with assignments that reach outer scopes (``{{ $x = . }}``
inside ``range`` changes the outer ``$x``), so each Go variable becomes one Python local resolved
at compile time; a ``range`` becomes a Python ``for`` (``break``/``continue`` for free); text
becomes a constant ``w("...")``. The parts of Go's semantics that depend on data (field lookup,
truth, argument conversion) are calls into :mod:`.runtime`.

Each template compiles to ``def tmpl_NAME(dot, out, depth, st)`` (``NAME``: the template's name
made an identifier) appending strings to ``out`` (``st``: the execution's budgets, see
:func:`.runtime.new_state`). Every node that can fail at run time gets an id in a node table, so
an error names the template, the position and the node text exactly as Go's ``ErrorContext``
does.

For a maintainer, the generated module is debuggable: each compiled set has a filename of its own
(``<gotmpl ORIGIN#N>``) registered with :mod:`linecache` for as long as the set lives, so
tracebacks show generated lines; every action is preceded by a ``# file:line:col`` comment naming
the template position it comes from (:meth:`CompiledSet.template_positions` reads them back for a
traceback); ``TemplateSet.python_source()`` returns the whole module.

Python's own compiler has limits Go's templates do not: at most 20 statically nested loops per
function, 100 levels of indentation per file and 200 nested brackets per line. Past a depth, a
deeply nested body becomes a function of its own (``_bN``: Go variables in as parameters, the ones
it assigns back out with a ``break``/``continue`` signal), and a deeply nested expression becomes
a closure (``_eN``) called where it stood, so evaluation order and short-circuiting are unchanged.

Fast paths (issue 17, ``docs/performance.md`` "Execute vs Go"): the smallest runtime helpers
(``_dig``, ``_any``, exact-type ``_check``, truth, one-key and all-map field chains, ``eq`` of a
string or int) are written inline as conditional expressions; html/template's escapers ending a
pipeline are fused into one function of a plain string (``runtime.escaper_chain``), numbers,
bools and nil going through it as their printed text; function calls of a few arguments go
through a caller of their own (``runtime.direct_call``). Each falls back to the general helper
for any other value, so results, charges and errors are the general code's.

Variables declared inside ``and``/``or`` operands exist only when the operand was evaluated: they
start as ``UNDEF`` and a read falls back to the variable the declaration shadowed, or fails with
Go's ``undefined variable`` error, as Go's variable stack does.

This module is over 800 lines because it is one code generator: ``_TemplateCompiler`` has a
method per Go node kind, and all of them share the scope, hoisting and node-table state; the
set-level part (``_SetCompiler``, ``CompiledSet``) is the smaller rest.
"""

from __future__ import annotations

import itertools
import linecache
import math
import re
import sys
import weakref
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from . import nodes as n
from . import runtime as rt
from .funcs import GoFunc, funcmap
from .funcs.sprig_json import marshal_plain
from .gofmt import simple_printf
from .gostrconv import quote
from .literals import ideal_value, literal_value
from .values import MISSING, Int64, is_true

__all__ = ["CompiledSet", "NodeInfo", "compile_trees"]

#: Template call depth. Go allows 100000; CPython's stack does not, so we stop far earlier.
DEFAULT_MAX_DEPTH = 100

# Go result types whose values cannot be large: calls returning them skip the size check.
_SMALL_RESULTS = frozenset(
    {"bool", "int", "int64", "float64", "time.Time", "time.Duration", "*semver.Version"}
)

# Where generated code moves into another function (see the module docstring): indentation levels
# and open for-loops of one function, and bracket depth of one expression. Well under Python's
# limits (100, 20, 200), leaving room for the statement around an expression.
_HOIST_INDENT = 40
_HOIST_LOOPS = 10
_WRAP_DEPTH = 60

_STRINGS = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")
_BRACKETS = re.compile(r"[()\[\]{}]")
_GO_WALRUS = re.compile(r"\b(v_\w+) :=")
# Code with no effect when evaluated: a name, a constant, a literal.
_ATOM = re.compile(
    r"(?:[A-Za-z_]\w*|_K\[\d+\]|-?[0-9][0-9a-fA-FxXoObBjJ._+-]*|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")\Z"
)


# A name (a Python local or global of the generated code).
_NAME = re.compile(r"[A-Za-z_]\w*\Z")
# A literal that is never None or MISSING: a string, a number, a bool, a constant of the table.
_LITERAL = re.compile(
    r"(?:True|False|_K\[\d+\]|-?[0-9][0-9a-fA-FxXoObBjJ._+-]*|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")\Z"
)
_INT = re.compile(r"-?[0-9]+\Z")
_ROOT = re.compile(r"\bv_root\b")
_STRING = re.compile(r"(?:'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")\Z")
# Values printed by their %v text, a size guard counting 1 for them (the fused escapers).
_SCALAR_TYPES: Final = frozenset({int, float, bool, Int64})
# Python types check_arg accepts, exactly, for these Go parameter types.
_EXACT_TYPES: Final = {
    "string": "str",
    "int": "int",
    "bool": "bool",
    "float64": "float",
    "map[string]interface {}": "dict",
    "[]interface {}": "list",
}


def _bracket_depth(code: str) -> int:
    depth = deepest = 0
    for b in _BRACKETS.findall(_STRINGS.sub("", code)):
        if b in "([{":
            depth += 1
            if depth > deepest:
                deepest = depth
        else:
            depth -= 1
    return deepest


def _is_atom(code: str) -> bool:
    return _ATOM.match(code) is not None


def _nodes(lst: n.ListNode, into_ranges: bool = True) -> Iterator[n.Node]:
    r"""Every node under ``lst`` (pipelines included); without ``into_ranges``, not the bodies of
    nested ``range``\ s (whose ``break``/``continue`` are their own)."""
    stack: list[n.Node] = [lst]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, n.ListNode):
            stack.extend(node.nodes)
        elif isinstance(node, n.BranchNode):
            stack.append(node.pipe)
            if into_ranges or not isinstance(node, n.RangeNode):
                stack.append(node.list)
            if node.else_list is not None:
                stack.append(node.else_list)
        elif isinstance(node, (n.ActionNode, n.TemplateNode)):
            if node.pipe is not None:
                stack.append(node.pipe)
        elif isinstance(node, n.PipeNode):
            stack.extend(node.cmds)
        elif isinstance(node, n.CommandNode):
            stack.extend(node.args)
        elif isinstance(node, n.ChainNode):
            stack.append(node.node)


def _last_evaluated(pipe: n.PipeNode) -> n.Node:
    """The node Go's ``state.at`` was last given while evaluating ``pipe``: what an error raised
    right after the pipeline (``range can't iterate over``, ``setVar``) names as its context."""
    return _last_of_command(pipe.cmds[-1])


def _last_of_command(cmd: n.CommandNode) -> n.Node:
    first = cmd.args[0]
    if isinstance(first, n.PipeNode):
        return _last_evaluated(first)
    if len(cmd.args) > 1 and isinstance(first, (n.IdentifierNode, n.FieldNode, n.VariableNode, n.ChainNode)):
        # evalCall (a function or a method) evaluates the arguments after the name.
        return _last_of_arg(cmd.args[-1])
    if isinstance(first, n.ChainNode):
        return _last_of_arg(first.node)
    return first


def _last_of_arg(node: n.Node) -> n.Node:
    if isinstance(node, n.PipeNode):
        return _last_evaluated(node)
    if isinstance(node, n.ChainNode):
        return _last_of_arg(node.node)
    return node


def _assigned_names(lst: n.ListNode) -> set[str]:
    """Go variables assigned (``$x = ...``) anywhere under ``lst``."""
    return {
        v.ident[0]
        for node in _nodes(lst)
        if isinstance(node, n.PipeNode) and node.is_assign
        for v in node.decl
    }


def _jumps(lst: n.ListNode) -> bool:
    """Whether ``lst`` holds a ``break``/``continue`` of a loop around it."""
    return any(isinstance(node, (n.BreakNode, n.ContinueNode)) for node in _nodes(lst, into_ranges=False))


def line_starts(text: str) -> list[int]:
    """The offsets where the lines of ``text`` start. By str.find, not a loop over every
    character: this ran once per template per compile and was a fifth of `mailtemplates lint`
    on large HTML files (issue 17)."""
    starts = [0]
    i = text.find("\n")
    while i >= 0:
        starts.append(i + 1)
        i = text.find("\n", i + 1)
    return starts


def statement_position(tree: n.Tree, starts: list[int], node: n.Node) -> str:
    """``file:line:col context`` of a statement (``starts``: :func:`line_starts` of the tree's
    text): the generated code's comments, and the positions a foreign exception's note names
    in both engines."""
    line = bisect_right(starts, node.pos)
    col = node.pos - starts[line - 1] + 1
    context = f"{{{{{node.keyword} {node.pipe}}}}}" if isinstance(node, n.BranchNode) else str(node)
    if len(context) > 60:
        context = context[:57] + "..."
    context = context.encode("unicode_escape").decode("ascii")
    return f"{tree.parse_name}:{line}:{col} {context}"


@dataclass(frozen=True)
class NodeInfo:
    """Where a node stands, for error messages."""

    template: str  # the template being executed ("t" for a define)
    tree: n.Tree
    pos: int
    context: str  # str(node), Go's ErrorContext text


#: Numbers the compiled sets of this process: each gets a filename of its own.
_SET_IDS = itertools.count(1)
#: ``# file:line:col context`` comments in generated code (see :meth:`CompiledSet.template_positions`).
_POSITION = re.compile(r"\s*# (\S.*)")
#: A template call checks the output size once this many chunks were written since the last
#: count (a range loop waits for runtime._TICK_CHUNKS: a call is rarer and may recurse).
_CALL_TICK_CHUNKS: Final = 64
#: The end of the lines that enforce the limits at a template call.
_CALL_LIMITS: Final = "  # limits of a call"
#: A write of the generated code (``w = out.append``); counted, a literal "w(" counts too.
_WRITE = re.compile(r"(?<![\w.])w\(")


@dataclass
class CompiledSet:
    functions: dict[str, Any]
    nodes: list[NodeInfo]
    source: str
    #: The filename of the generated code (in tracebacks and :mod:`linecache`).
    filename: str = "<gotmpl>"
    #: Whether the code updates the execution's state (budgets, output count, clock): range,
    #: template calls, charged function results. When it does not, executions share one state
    #: list, only read, and start without reading the clock.
    stateful: bool = True
    _lines: list[str] = field(default_factory=list, repr=False)

    def template_positions(self, tb: Any) -> list[str]:
        """The template positions of a traceback's frames in this set's code, innermost first:
        for each frame, the ``# file:line:col`` comment the generated line belongs to."""
        out: list[str] = []
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self.filename:
                pos = self._position_of(tb.tb_lineno)
                if pos is not None:
                    out.append(pos)
            tb = tb.tb_next
        return out[::-1]

    def _position_of(self, lineno: int) -> str | None:
        lines = self._lines or self.source.split("\n")
        self._lines = lines
        for i in range(min(lineno, len(lines)) - 1, -1, -1):
            line = lines[i]
            if line.startswith("def "):
                return None
            m = _POSITION.match(line)
            if m is not None:
                return m.group(1)
        return None


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.indent = 0

    def line(self, text: str) -> None:
        self.lines.append("    " * self.indent + text)


class _Func:
    """One Python function being generated: a template's own, or a body moved out of it."""

    def __init__(self, ret: list[str]) -> None:
        self.w = _Writer()
        self.loops = 0  # for-loops open at the current point
        self.loop_here = False  # the innermost Go range is a for-loop of this function
        self.ret = ret  # Go variables (locals) handed back to the caller


class _Scope:
    """Go variables visible at a point: name -> Python local, innermost last."""

    def __init__(self) -> None:
        self.frames: list[dict[str, str]] = [{}]

    def bindings(self) -> list[tuple[str, str]]:
        """Every (name, local) of every frame, shadowed ones included, without repeats."""
        out: list[tuple[str, str]] = []
        seen: set[str] = set()
        for frame in self.frames:
            for name, local in frame.items():
                if local not in seen:
                    seen.add(local)
                    out.append((name, local))
        return out

    def push(self) -> None:
        self.frames.append({})

    def pop(self) -> None:
        self.frames.pop()

    def declare(self, name: str, local: str) -> None:
        self.frames[-1][name] = local

    def lookup(self, name: str) -> str | None:
        for frame in reversed(self.frames):
            if name in frame:
                return frame[name]
        return None


class _TemplateCompiler:
    def __init__(self, owner: _SetCompiler, name: str, tree: n.Tree, fname: str) -> None:
        self.owner = owner
        self.name = name
        self.tree = tree
        self.fname = fname
        self.fn = _Func([])
        self.hoisted: list[list[str]] = []
        self.scope = _Scope()
        self.counter = 0
        # Variables declared in and/or operands: local -> (Go name, the local it shadows).
        self.cond: dict[str, tuple[str, str | None]] = {}
        self.cond_depth = 0  # inside an and/or operand that may not be evaluated
        self.printed = False  # the command being compiled is written out as it is
        self.pipe_depth = 0  # 1 for the pipeline of a statement, more for parenthesized ones
        # Locals holding a range element as Go's range yields it (not unwrapped from its
        # interface {}): local -> the local holding the ranged container. Field errors on them
        # name the container's element type, as Go's evalField does.
        self.elem_of: dict[str, str] = {}
        self.line_starts: list[int] | None = None  # offsets of the tree's lines, for position()
        # Code made by dig() -> the code it digs: _any and _check see through it.
        self.dug: dict[str, str] = {}

    @property
    def w(self) -> _Writer:
        return self.fn.w

    # -- helpers -----------------------------------------------------------------------------------
    def tmp(self, prefix: str = "t") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def nid(self, node: n.Node, context: str | None = None) -> int:
        return self.owner.add_node(NodeInfo(self.name, self.tree, node.pos, context or str(node)))

    def const(self, value: object) -> str:
        return self.owner.add_const(value)

    def float_code(self, x: float) -> str:
        """A float as code: repr() for finite ones, a constant for inf and nan (which repr()
        would write as undefined names; ``1p9999+0i`` is a real +Inf in Go)."""
        return repr(x) if math.isfinite(x) else self.const(x)

    def fail(self, node: n.Node, message: str, context: str | None = None) -> str:
        """An expression that raises the exec error ``message`` at ``node`` when evaluated."""
        return f"_fail({self.nid(node, context)}, {message!r})"

    @staticmethod
    def seq(first: str | None, then: str) -> str:
        """Evaluate ``first`` (for its errors and declarations), then ``then``: Go computes the
        previous command of a pipeline before anything of the next one."""
        if first is None or _is_atom(first):
            return then
        return f"(({first}), {then})[1]"

    def shallow(self, expr: str) -> str:
        """``expr``, or a call of a closure returning it when it nests too deeply for Python."""
        if len(expr) <= _WRAP_DEPTH or _bracket_depth(expr) <= _WRAP_DEPTH:
            return expr
        name = self.tmp("_e")
        targets = sorted(set(_GO_WALRUS.findall(_STRINGS.sub("", expr))))
        self.w.line(f"def {name}():")
        if targets:
            self.w.line(f"    nonlocal {', '.join(targets)}")
        self.w.line(f"    return {expr}")
        return f"{name}()"

    def ret_value(self, sig: str) -> str:
        return f"({sig}, {', '.join(self.fn.ret)})" if self.fn.ret else sig

    # The runtime's smallest helpers, written inline: a conditional expression costs a fraction
    # of a Python call, and these run for almost every value.
    def bind(self, code: str, prefix: str = "_g") -> tuple[str, str]:
        """(``code`` bound to a name, that name): ``code`` itself when it is a name already."""
        if _NAME.match(code):
            return code, code
        g = self.tmp(prefix)
        return f"({g} := {code})", g

    def dig(self, code: str) -> str:
        """``_dig(code)``: a nil interface becomes the invalid value (MISSING)."""
        if code == "None":
            return "MISSING"
        if _LITERAL.match(code) or code == "MISSING":
            return code
        bound, g = self.bind(code)
        out = f"(MISSING if {bound} is None else {g})"
        self.dug[out] = code
        return out

    def any_(self, code: str) -> str:
        """``_any(code)``: an argument of type interface{}, the invalid value as nil. The nil of
        a dug value is nil again, so the dig is skipped."""
        code = self.dug.get(code, code)
        if code == "MISSING":
            return "None"
        if _LITERAL.match(code) or code == "None":
            return code
        bound, g = self.bind(code)
        return f"(None if {bound} is MISSING else {g})"

    def check(self, code: str, typ: str, nid: int) -> str:
        """``_check(code, typ, nid)`` (``validateType``), its exact-type case inline."""
        pytype = _EXACT_TYPES.get(typ)
        if pytype is None:
            return f"_check({code}, {typ!r}, {nid})"
        raw = self.dug.get(code)
        bound, g = self.bind(code if raw is None else raw)
        slow = g if raw is None else self.dig(g)
        return f"({g} if type({bound}) is {pytype} else _check({slow}, {typ!r}, {nid}))"

    # -- statements --------------------------------------------------------------------------------
    def compile(self) -> list[str]:
        w = self.w
        w.line(f"def {self.fname}(dot, out, depth, st):")
        w.indent += 1
        w.line("w = out.append")
        w.line("v_root = dot")
        self.scope.declare("$", "v_root")
        self.walk_list(self.tree.root, "dot")
        w.line("return None")
        lines = w.lines
        if not any(_ROOT.search(line) for line in lines[3:]) and not any(
            _ROOT.search(line) for h in self.hoisted for line in h
        ):
            del lines[2]  # v_root = dot: $ is never read
        for h in self.hoisted:
            lines.append("")
            lines.extend(h)
        return lines

    def walk_list(self, lst: n.ListNode, dot: str) -> None:
        text: list[str] = []  # adjacent text (a comment between writes nothing): one write
        for node in lst.nodes:
            if isinstance(node, n.TextNode):
                text.append(node.text)
                continue
            if isinstance(node, n.CommentNode):
                continue
            if text:
                self.write_text("".join(text))
                text = []
            self.walk(node, dot)
        if text:
            self.write_text("".join(text))

    def write_text(self, text: str) -> None:
        if text:
            self.w.line(f"w({text!r})")

    def position(self, node: n.Node) -> None:
        """A ``# file:line:col context`` comment: where the code that follows comes from."""
        if self.line_starts is None:
            self.line_starts = line_starts(self.tree.text)
        self.w.line("# " + statement_position(self.tree, self.line_starts, node))

    def walk(self, node: n.Node, dot: str) -> None:
        if isinstance(node, (n.ActionNode, n.TemplateNode, n.BreakNode, n.ContinueNode, n.BranchNode)):
            self.position(node)
        if isinstance(node, n.TextNode):
            self.write_text(node.text)
        elif isinstance(node, n.ActionNode):
            value = self.pipeline(node.pipe, dot, dig=False, printed=True)
            last = node.pipe.cmds[-1].args[0]
            if (
                not node.pipe.decl
                and isinstance(last, n.IdentifierNode)
                and last.ident in self.owner.str_escapers
            ):
                self.w.line(f"w({value})")  # an escaper returns a string
            elif not node.pipe.decl:
                t = self.tmp()
                self.w.line(f"{t} = {value}")
                self.w.line(f"w({t} if type({t}) is str else _print({t}, {self.nid(node)}, st))")
            else:
                self.w.line(value)
        elif isinstance(node, n.IfNode | n.WithNode):
            self.walk_if_with(node, dot)
        elif isinstance(node, n.RangeNode):
            self.walk_range(node, dot)
        elif isinstance(node, n.TemplateNode):
            self.walk_template(node, dot)
        elif isinstance(node, (n.BreakNode, n.ContinueNode)):
            kind = "break" if isinstance(node, n.BreakNode) else "continue"
            if self.fn.loop_here:
                self.w.line(kind)
            else:
                self.w.line(f"return {self.ret_value('_BRK' if kind == 'break' else '_CONT')}")
        elif isinstance(node, n.CommentNode):
            pass
        elif isinstance(node, n.ListNode):
            self.walk_list(node, dot)
        else:  # pragma: no cover - the parser produces no other nodes
            raise AssertionError(f"unknown node {node!r}")

    def block(self, lst: n.ListNode, dot: str, range_else: bool = False) -> None:
        """The body of an if/with/range or else, one indentation level in, in its own scope.
        ``range_else``: the else-list of a range, where a ``{{break}}`` ends that range (Go's
        walkRange recovers it) rather than the loop around it: such a list becomes a function
        of its own, whose break signal is dropped."""
        w = self.w
        w.indent += 1
        self.scope.push()
        before = len(w.lines)
        breaks = range_else and any(isinstance(x, n.BreakNode) for x in _nodes(lst, into_ranges=False))
        if w.indent >= _HOIST_INDENT or self.fn.loops >= _HOIST_LOOPS or breaks:
            self.hoist(lst, dot, range_else)
        else:
            self.walk_list(lst, dot)
        if len(w.lines) == before:
            w.line("pass")
        self.scope.pop()
        w.indent -= 1

    def hoist(self, lst: n.ListNode, dot: str, range_else: bool = False) -> None:
        """Compile ``lst`` as a module-level function called here (see the module docstring);
        ``range_else``: a range's else-list, whose break signal is dropped (see :meth:`block`)."""
        bindings = self.scope.bindings()
        visible = [local for _, local in bindings]
        assigned = _assigned_names(lst)
        ret = [local for name, local in bindings if name in assigned]
        jumps = _jumps(lst)
        fname = self.owner.new_name(f"{self.fname}_body")
        outer = self.fn
        self.fn = _Func(ret)
        # Range elements among what the body sees (dot, variables) keep their containers,
        # passed along, so that field errors name the element's static type as Go does.
        outer_elem_of = self.elem_of
        carried = {local: outer_elem_of[local] for local in visible if local in outer_elem_of}
        if dot in outer_elem_of:
            carried["dot"] = outer_elem_of[dot]
        containers = sorted(set(carried.values()) - set(visible))
        self.elem_of = carried
        params = "".join(", " + v for v in [*visible, *containers])
        self.w.line(f"def {fname}(dot, out, depth, st{params}):")
        self.w.indent += 1
        self.w.line("w = out.append")
        self.walk_list(lst, "dot")
        self.w.line(f"return {self.ret_value('None')}")
        self.hoisted.append(self.fn.w.lines)
        self.fn = outer
        self.elem_of = outer_elem_of
        call = f"{fname}({dot}, out, depth, st{params})"
        sig = self.tmp("sig")
        if ret:
            self.w.line(f"{sig}, {', '.join(ret)} = {call}")
        elif jumps:
            self.w.line(f"{sig} = {call}")
        else:
            self.w.line(call)
        if jumps and range_else:
            cont = "continue" if self.fn.loop_here else f"return {self.ret_value(sig)}"
            self.w.line(f"if {sig} is _CONT: {cont}")
        elif jumps:
            if self.fn.loop_here:
                self.w.line(f"if {sig} is _BRK: break")
                self.w.line(f"if {sig} is _CONT: continue")
            else:
                self.w.line(f"if {sig} is not None: return {self.ret_value(sig)}")

    def walk_if_with(self, node: n.BranchNode, dot: str) -> None:
        self.scope.push()
        value = self.pipeline(node.pipe, dot, dig=isinstance(node, n.WithNode))
        t = self.tmp()
        self.w.line(f"{t} = {value}")
        k = self.tmp("_k")
        # IsTrue, inline for the usual bools, strings and ints.
        self.w.line(
            f"if ({t} if ({k} := type({t})) is bool else {t} != '' if {k} is str else {t} != 0 if {k} is int "
            f"else _truth({t})):"
        )
        self.block(node.list, t if isinstance(node, n.WithNode) else dot)
        if node.else_list is not None:
            self.w.line("else:")
            self.block(node.else_list, dot)
        self.scope.pop()

    def walk_range(self, node: n.RangeNode, dot: str) -> None:
        pipe = node.pipe
        self.scope.push()
        value = self.pipeline(pipe, dot)
        t = self.tmp()
        it = self.tmp("it")
        w = self.w
        w.line(f"{t} = {value}")
        nvars = len(pipe.decl)
        # Go reports a value range cannot iterate at the last node it evaluated; our limits at
        # the range itself.
        last = _last_evaluated(pipe)
        at = self.nid(node)
        # A short list goes to range_items' path for it (runtime.short_loop) without its type
        # tests (they were most of a short loop's fixed cost): the same elements, charge and
        # checks. (Inline here, the charge and checks would save 50-60 ns at run time and cost
        # compile() 50 µs more a range.)
        w.line(
            f"{it} = _short_loop({t}, {nvars > 1}, out, st, {at}) if type({t}) is list and len({t}) <= _SHORT_LOOP "
            f"else _range({t}, {self.nid(last)}, {nvars}, out, st, {at})"
        )
        self.owner.stateful = True
        w.line(f"if {it}:")
        w.indent += 1
        elem = self.tmp("e")
        # "range $x = ..." assigns variables declared outside; an undeclared one already failed
        # in the pipeline ("undefined variable"), so its loop target is a throwaway local.
        decl_locals = [self.scope.lookup(v.ident[0]) or self.tmp("unset") for v in pipe.decl]
        # Dot is the element even when the body assigns the element's variable: then the
        # variable gets a copy and dot keeps its own local.
        if not nvars:
            w.line(f"for {elem} in {it}:")
        elif pipe.decl[-1].ident[0] in _assigned_names(node.list):
            w.line(f"for {', '.join([*decl_locals[:-1], elem])} in {it}:")
            w.line(f"    {decl_locals[-1]} = {elem}")
        else:
            w.line(f"for {', '.join(decl_locals)} in {it}:")
            elem = decl_locals[-1]
        fn = self.fn
        saved = fn.loop_here
        fn.loop_here = True
        fn.loops += 1
        self.elem_of[elem] = t
        self.block(node.list, elem)
        del self.elem_of[elem]
        fn.loops -= 1
        fn.loop_here = saved
        w.indent -= 1
        if node.else_list is not None:
            w.line("else:")
            self.block(node.else_list, dot, range_else=True)
        self.scope.pop()

    def walk_template(self, node: n.TemplateNode, dot: str) -> None:
        nid = self.nid(node)
        target = self.owner.function_name(node.name)
        if target is None:
            # Go looks the template up before evaluating the pipeline.
            self.w.line(f"_fail({nid}, {('template ' + quote(node.name) + ' not defined')!r})")
            return
        value = "MISSING" if node.pipe is None else self.pipeline(node.pipe, dot)
        # A call is a step of the iteration budget (recursion that branches is exponential without
        # ever being deep), and a point to check the output (its characters are counted only
        # once enough chunks were written since the last count). These lines go when the set's
        # calls are bounded (_SetCompiler.calls_bounded): then none of them can ever fire.
        # interp._Run.walk_template enforces the same, in the same order (change both).
        self.w.line(f"if depth >= _MAX_DEPTH: _too_deep({nid}){_CALL_LIMITS}")
        self.w.line(f"st[_BUDGET] -= 1{_CALL_LIMITS}")
        self.w.line(
            f"if st[_BUDGET] < 0 or len(out) - st[_COUNTED] > _CALL_TICK_CHUNKS: _tick_call(out, st, {nid})"
            + _CALL_LIMITS
        )
        self.owner.calls.setdefault(self.fname, []).append(target)
        self.w.line(f"{target}({value}, out, depth + 1, st)")

    # -- variables ---------------------------------------------------------------------------------
    def read_var(self, node: n.Node, name: str) -> str:
        """The value of Go variable ``name`` (``varValue``)."""
        return self._read_chain(node, name, self.scope.lookup(name))

    def _read_chain(self, node: n.Node, name: str, local: str | None) -> str:
        if local is None:
            # Declared in a scope the parser accepted but execution never entered.
            return self.fail(node, f"undefined variable: {name}")
        if local not in self.cond:
            return local
        alt = self._read_chain(node, name, self.cond[local][1])
        return f"({local} if {local} is not _UNDEF else {alt})"

    def _store_chain(self, at: n.Node, name: str, local: str | None, src: str) -> str:
        """Assign ``src`` to the innermost variable ``name`` that exists (``setVar``)."""
        if local is None:
            # The parser accepts "$x = 1" without a declaration; execution refuses it
            # at the last node evaluated, as setVar does, once the pipeline has run.
            return self.seq(src, self.fail(at, f"undefined variable: {name}"))
        if local not in self.cond:
            return f"({local} := {src})"
        alt = self._store_chain(at, name, self.cond[local][1], src)
        return f"(({local} := {src}) if {local} is not _UNDEF else {alt})"

    # -- expressions -------------------------------------------------------------------------------
    def pipeline(self, pipe: n.PipeNode, dot: str, dig: bool = True, printed: bool = False) -> str:
        """A Python expression for a pipeline (declarations are assignment expressions).

        ``dig=False`` is for consumers that treat nil and missing alike (printing, truth), which
        saves the call that turns a nil result into the invalid value. ``printed``: the value is
        written out at once, so a function call ending the pipeline needs no size check (the
        output is checked).
        """
        self.pipe_depth += 1
        value: str | None = None
        fused = self.escaper_chain(pipe, printed)
        base = first = ""
        for i, cmd in enumerate(pipe.cmds):
            self.printed = printed and i == len(pipe.cmds) - 1 and not pipe.decl
            # Where Go's state.at stands when this command starts: the pipeline, then the last
            # node the previous command evaluated.
            at = pipe if i == 0 else _last_of_command(pipe.cmds[i - 1])
            value = self.command(cmd, dot, value, at)
            if fused is not None and i == fused[3]:
                # The escapers' string path takes the first command's value; the calls of the
                # pipeline, generated on, are for any other value.
                base, value = value, self.tmp("_s")
                first = value
            if i < len(pipe.cmds) - 1:
                value = self.dig(value)
            value = self.shallow(value)
        self.pipe_depth -= 1
        assert value is not None
        if fused is not None:
            chain, nids, numbers, _ = fused
            on_str = f"{chain}({first}, st, {nids!r})"
            unchanged = self.owner.unchanged_ref(chain)
            if unchanged is not None:
                # One escaper, uncharged, that leaves most strings as they are: a C-level scan
                # decides, and the escaper runs (without scanning again) only for a string it
                # changes.
                changed = self.owner.changed_ref(chain)
                on_str = f"({first} if {unchanged}({first}) is None else {changed}({first}, st, {nids!r}))"
            if not numbers:
                value = f"({on_str} if type({first} := {base}) is str else {value})"
            else:
                k = self.tmp("_k")
                # A number prints as its digits, then escaped as that string: Go's stringify. The
                # size guard of the first escaper counts 1 for it, refused only by a spent budget.
                # A nil or missing value is skipped: the escapers of "" (the guard counts 0).
                value = (
                    f"({on_str} if ({k} := type({first} := {base})) is str else "
                    f"{chain}(_print({first}), st, {nids!r}) if {k} in _SCALAR_TYPES and "
                    f"st[_LIMIT] > 0 and st[_VALUES] > 0 else "
                    f"{chain}('', st, {nids!r}) if {first} is None or {first} is MISSING else {value})"
                )
            value = self.shallow(value)
        if not pipe.decl:
            return self.dig(value) if dig else value
        if pipe.is_assign:
            last = _last_evaluated(pipe)
            if len(pipe.decl) == 1:
                var = pipe.decl[0].ident[0]
                return self.shallow(self._store_chain(last, var, self.scope.lookup(var), self.dig(value)))
            a = self.tmp("a")
            stores = [
                self._store_chain(last, v.ident[0], self.scope.lookup(v.ident[0]), a) for v in pipe.decl
            ]
            return self.shallow(f"(({a} := {self.dig(value)}), {', '.join(stores)})[0]")
        targets = []
        for v in pipe.decl:
            name = v.ident[0]
            shadowed = self.scope.lookup(name)
            local = self.tmp("v_" + _ident(name[1:]) + "_")
            self.scope.declare(name, local)
            if self.pipe_depth > 0:
                # Declared inside an expression: bound from the statement on, so that a closure
                # can assign it (nonlocal) and a skipped and/or operand leaves it UNDEF.
                self.w.line(f"{local} = _UNDEF")
                if self.cond_depth:
                    self.cond[local] = (name, shadowed)
            targets.append(local)
        expr = self.dig(value)
        for local in reversed(targets):
            expr = f"({local} := {expr})"
        return expr

    def escaper_chain(self, pipe: n.PipeNode, printed: bool) -> tuple[str, tuple[int, ...], bool, int] | None:
        """For ``X | esc1 | esc2 ...`` with html/template's own escapers ending a pipeline: the
        fused function of the escapers for a string ``X`` (``runtime.escaper_chain``), their
        node ids, whether the first prints a number as its ``%v`` text, and the index of the
        command computing ``X``."""
        if len(pipe.cmds) < 2 or not self.owner.str_escapers:
            return None
        start = len(pipe.cmds)
        while start > 1:
            cmd = pipe.cmds[start - 1]
            if len(cmd.args) != 1 or not isinstance(cmd.args[0], n.IdentifierNode):
                break
            if cmd.args[0].ident not in self.owner.str_escapers:
                break
            start -= 1
        if start == len(pipe.cmds):
            return None
        steps: list[tuple[str, bool]] = []
        last = len(pipe.cmds) - 1
        for i in range(start, len(pipe.cmds)):
            name = pipe.cmds[i].args[0].ident  # type: ignore[attr-defined]
            # Charged as call() charges it: unless written out at once.
            steps.append((name, not (printed and i == last and not pipe.decl)))
        nids = tuple(self.nid(cmd) for cmd in pipe.cmds[start:])
        if any(charged for _, charged in steps):
            self.owner.stateful = True
        return (
            self.owner.escaper_chain_ref(tuple(steps)),
            nids,
            steps[0][0] in self.owner.stringifying,
            start - 1,
        )

    def command(self, cmd: n.CommandNode, dot: str, final: str | None, at: n.Node | None = None) -> str:
        printed, self.printed = self.printed, False
        first = cmd.args[0]
        extra = len(cmd.args) > 1 or final is not None
        if isinstance(first, n.FieldNode):
            # A piped final value makes it a method call, which evaluates final itself (once).
            return self.field_chain(dot, first, first.ident, cmd.args, final, dot)
        if isinstance(first, n.ChainNode):
            if isinstance(first.node, n.NilNode):
                return self.seq(final, self.fail(first, f"indirection through explicit nil in {first}"))
            receiver = self.arg_value(first.node, dot)
            # evalChainNode names no node of its own: errors are at the last one evaluated.
            at = _last_of_arg(first.node)
            return self.field_chain(receiver, at, first.field, cmd.args, final, dot, first)
        if isinstance(first, n.IdentifierNode):
            return self.call(first, cmd, cmd.args[1:], dot, final, printed)
        if isinstance(first, n.PipeNode):
            if extra:
                # evalCommand refuses the arguments before any state.at of its own.
                where = at if at is not None else first
                return self.seq(final, self.fail(where, f"can't give argument to non-function {first}"))
            return self.pipeline(first, dot)
        if isinstance(first, n.VariableNode):
            local = self.read_var(first, first.ident[0])
            if len(first.ident) == 1:
                if extra:
                    # evalVariableNode: the variable is looked up before the arguments are refused.
                    fail = self.fail(first, f"can't give argument to non-function {first}")
                    return self.seq(final, self.seq(local, fail))
                return local
            return self.field_chain(local, first, first.ident[1:], cmd.args, final, dot)
        if extra:
            return self.seq(final, self.fail(first, f"can't give argument to non-function {first}"))
        if isinstance(first, n.BoolNode):
            return "True" if first.value else "False"
        if isinstance(first, n.DotNode):
            return dot
        if isinstance(first, n.NilNode):
            return self.fail(first, "nil is not a command")
        if isinstance(first, n.NumberNode):
            return self.ideal_constant(first)
        if isinstance(first, n.StringNode):
            return repr(first.text)
        return self.fail(first, f"can't evaluate command {quote(str(first))}")

    def field_chain(
        self,
        receiver: str,
        node: n.Node,
        idents: list[str],
        args: list[n.Node],
        final: str | None,
        dot: str | None = None,
        call_node: n.Node | None = None,
    ) -> str:
        """``x.A.B``; with arguments (``args`` beyond the first, or ``final``) a method call, whose
        ``error calling`` names ``call_node`` (a chain names the chain, not its last node)."""
        nid = self.nid(node)
        mode = self.owner.mode
        has_args = len(args) > 1 or final is not None
        # A raw range element: the runtime names its static type from the container, on error.
        container = self.elem_of.get(receiver)
        elem_of = "" if container is None else f", elem_of={container}"
        if has_args:
            assert dot is not None
            call_nid = nid if call_node is None else self.nid(call_node)
            return self.method_call(receiver, nid, call_nid, idents, args[1:], final, dot, elem_of)
        if len(idents) == 1 and mode == rt.MODE_DEFAULT:
            key = idents[0]
            return f"(_d.get({key!r}, MISSING) if type(_d := {receiver}) is dict else _field(_d, {key!r}, {nid}, 0{elem_of}))"
        slow = f"_chain({{}}, {tuple(idents)!r}, {nid}, {mode}{elem_of})"
        if mode != rt.MODE_DEFAULT:
            return slow.format(receiver)
        # Maps all the way down (JSON data): the lookups inline; anything else, a missing key
        # included, goes to chain() from the start (reading maps again changes nothing).
        bound, r = self.bind(receiver, "_r")
        g = self.tmp("_c")
        tests = [f"type({g} := {bound}) is dict"]
        tests += [f"type({g} := {g}.get({key!r}, MISSING)) is dict" for key in idents[:-1]]
        return f"({g}.get({idents[-1]!r}, MISSING) if {' and '.join(tests)} else {slow.format(r)})"

    def method_call(
        self,
        receiver: str,
        nid: int,
        call_nid: int,
        idents: list[str],
        args: list[n.Node],
        final: str | None,
        dot: str,
        elem_of: str,
    ) -> str:
        """``x.A.M arg...``: evalFieldChain up to ``M``, then ``M`` called with arguments. Only
        the function library's values have methods (``runtime.lookup_method``); on anything else
        Go's refusal of the arguments is raised, and a missing receiver gives its zero value
        without evaluating them. Arguments are typed at run time, once the method is known."""
        mode = self.owner.mode
        nargs = len(args) + (final is not None)
        parts = [f"({self.method_arg(a, dot)}, {self.nid(_last_of_arg(a))})" for a in args]
        prefix: str | None = None
        if final is not None:
            value = final
            if not _is_atom(final):
                value = self.tmp("p")
                prefix = f"{value} := {final}"
            at = _last_of_arg(args[-1]) if args else None
            parts.append(f"({value}, {self.nid(at) if at is not None else nid})")
        b = self.tmp("m")
        lookup = f"_mlookup({receiver}, {tuple(idents)!r}, {nid}, {mode}, {nargs}, {len(args)}{elem_of})"
        expr = f"(_mcall({b}, [{', '.join(parts)}], {call_nid}) if type({b} := {lookup}) is _Bound else {b})"
        return self.seq(prefix, expr) if prefix is not None else expr

    def method_arg(self, node: n.Node, dot: str) -> str:
        """A method argument: a literal as a runtime ``Lit`` (typed by the method's parameter
        at run time, as Go's evalArg types it), anything else as its raw value."""
        if isinstance(node, n.NilNode):
            return self.const(rt.Lit("nil", "nil"))
        if isinstance(node, n.BoolNode):
            return self.const(rt.Lit("bool", str(node), node.value))
        if isinstance(node, n.StringNode):
            return self.const(rt.Lit("string", str(node), node.text))
        if isinstance(node, n.NumberNode):
            return self.const(
                rt.Lit(
                    "number",
                    str(node),
                    None,
                    node.int64 if node.is_int else None,
                    node.float64 if node.is_float else None,
                )
            )
        return self.arg_value(node, dot)

    def ideal_constant(self, num: n.NumberNode) -> str:
        """``idealConstant``: the Go type an untyped number constant takes as an interface{}."""
        value, error = ideal_value(num)
        return self.fail(num, error) if error is not None else self.constant_code(value)

    def constant_code(self, value: object) -> str:
        """A constant's value (``literals.ideal_value``, ``literal_value``) as code."""
        t = type(value)
        if t is bool or t is int or t is str:
            return repr(value)
        if t is float:
            return self.float_code(value)  # type: ignore[arg-type]
        if value is MISSING:
            return "MISSING"
        return self.const(value)

    def arg_value(self, node: n.Node, dot: str) -> str:
        """``evalArg`` with an interface{}/nil type: the raw value of an argument node."""
        if isinstance(node, n.DotNode):
            return dot
        if isinstance(node, n.NilNode):
            return "None"
        if isinstance(node, n.FieldNode):
            return self.field_chain(dot, node, node.ident, [node], None)
        if isinstance(node, n.VariableNode):
            local = self.read_var(node, node.ident[0])
            if len(node.ident) == 1:
                return local
            return self.field_chain(local, node, node.ident[1:], [node], None)
        if isinstance(node, n.PipeNode):
            return self.pipeline(node, dot)
        if isinstance(node, n.IdentifierNode):
            return self.call(node, node, [], dot, None)
        if isinstance(node, n.ChainNode):
            if isinstance(node.node, n.NilNode):
                return self.fail(node, f"indirection through explicit nil in {node}")
            return self.field_chain(
                self.arg_value(node.node, dot), _last_of_arg(node.node), node.field, [node], None
            )
        if isinstance(node, n.BoolNode):
            return "True" if node.value else "False"
        if isinstance(node, n.NumberNode):
            return self.ideal_constant(node)
        if isinstance(node, n.StringNode):
            return repr(node.text)
        return self.fail(node, f"can't handle assignment of {node} to empty interface argument")

    def typed_arg(self, node: n.Node, typ: str, dot: str) -> str:
        """``evalArg`` for a parameter of Go type ``typ``."""
        if typ == "reflect.Value":
            # Go's builtins take reflect.Value: they see the invalid value itself (MISSING).
            return "MISSING" if isinstance(node, n.NilNode) else self.arg_value(node, dot)
        if typ == "any":
            if isinstance(node, n.NilNode):
                return "None"
            if isinstance(node, (n.BoolNode, n.NumberNode, n.StringNode)):
                return self.arg_value(node, dot)
            return self.any_(self.arg_value(node, dot))
        if isinstance(node, n.NilNode):
            if typ in ("[]interface {}", "[]string", "map[string]interface {}"):
                return "None"
            return self.fail(node, f"cannot assign nil to {typ}")
        if isinstance(node, (n.BoolNode, n.NumberNode, n.StringNode)):
            return self.literal_for(node, typ)
        # validateType: at the last node evalArg evaluated (inside a parenthesized pipeline).
        return self.check(self.arg_value(node, dot), typ, self.nid(_last_of_arg(node)))

    def literal_for(self, node: n.BoolNode | n.NumberNode | n.StringNode, typ: str) -> str:
        value, error = literal_value(node, typ)
        return self.fail(node, error) if error is not None else self.constant_code(value)

    def call(
        self,
        ident: n.IdentifierNode,
        cmd: n.Node,
        args: list[n.Node],
        dot: str,
        final: str | None,
        printed: bool = False,
    ) -> str:
        """A function call; ``printed``: its result is written out at once (no size check)."""
        name = ident.ident
        f = self.owner.funcs.get(name)
        if f is None:
            return self.seq(final, self.fail(ident, f"{quote(name)} is not a defined function"))
        nargs = len(args) + (1 if final is not None else 0)
        if name in ("and", "or"):
            if nargs < 1:
                return self.fail(ident, f"wrong number of args for {name}: want at least 1 got {len(args)}")
            return self.and_or(name, args, dot, final)
        nfixed = len(f.params)
        if f.variadic is not None:
            if nargs < nfixed:
                return self.seq(
                    final,
                    self.fail(
                        ident, f"wrong number of args for {name}: want at least {nfixed} got {len(args)}"
                    ),
                )
        elif nargs != nfixed:
            return self.seq(
                final, self.fail(ident, f"wrong number of args for {name}: want {nfixed} got {nargs}")
            )
        parts: list[str] = []
        for i, a in enumerate(args):
            typ = f.params[i] if i < nfixed else str(f.variadic)
            parts.append(self.typed_arg(a, typ, dot))
        prefix: str | None = None
        if final is not None:
            # Go computed the final value (the previous command) before these arguments, and
            # checks its type after them.
            value = final
            if not _is_atom(final) and not all(_is_atom(p) for p in parts):
                value = self.tmp("p")
                prefix = f"{value} := {final}"
            i = len(args)
            typ = f.params[i] if i < nfixed else str(f.variadic)
            at = _last_of_arg(args[-1]) if args else ident
            if typ == "reflect.Value":
                parts.append(value)
            elif typ == "any":
                parts.append(self.any_(value))
            else:
                parts.append(self.check(value, typ, self.nid(at)))
        fn = self.owner.func_ref(name)
        # Which runtime caller: interp._Run.call makes the same choice (change both).
        if name == "eq" and final is None and len(parts) == 2 and f is _stock(name):
            return self.eq_strings(fn, parts, self.nid(cmd))
        if name.startswith("_html_template_"):
            # An escaper: sized before it runs only when it prints a non-string (see escaper_call).
            expr = f"_escaper({fn}, [{', '.join(parts)}], {self.nid(cmd)}, st{', False' if printed else ''})"
        elif (
            name == "printf"
            and f is _stock(name)
            and args
            and isinstance(args[0], n.StringNode)
            and (fast := simple_printf(args[0].text)) is not None
        ):
            expr = f"_printf({self.const(fast)}, {fn}, [{', '.join(parts)}], {self.nid(cmd)}, st{', False' if printed else ''})"
        elif name in rt.JSON_CALLS and f is _stock(name) and len(parts) == 1:
            escape_html = rt.JSON_CALLS[name]
            if printed:
                # json_call's uncharged path without its call: the C encoder, within the
                # output limit, or the guarded call.
                bound, g = self.bind(parts[0], "_a")
                j = self.tmp("_j")
                expr = (
                    f"({j} if ({j} := _marshal_plain({bound}, {escape_html}, st[_LIMIT])) is not None "
                    f"else _guarded({fn}, [{g}], {self.nid(cmd)}, st, False))"
                )
            else:
                expr = f"_json({escape_html}, {fn}, {parts[0]}, {self.nid(cmd)}, st)"
        elif name in rt.SIZE_GUARDS and f is _stock(name):
            # Sized before it runs; a printed result counts as output, not as a value.
            expr = f"_guarded({fn}, [{', '.join(parts)}], {self.nid(cmd)}, st{', False' if printed else ''})"
        elif name == "call" and f is _stock(name):
            # evalCall hands the builtin the callee's source text (or, piped, its value).
            callee = repr(str(args[0])) if args else "None"
            expr = f"_call_builtin({fn}, [{', '.join(parts)}], {self.nid(cmd)}, {callee})"
        elif len(parts) <= rt.DIRECT_ARGS:
            # A string or list result is charged to the budgets (runtime.direct_call).
            charged = not printed and f.result not in _SMALL_RESULTS
            if charged:
                self.owner.stateful = True
            ref = self.owner.direct_ref(name, len(parts), charged)
            expr = f"{ref}({''.join(p + ', ' for p in parts)}{self.nid(cmd)}, st)"
        elif not printed and f.result not in _SMALL_RESULTS:
            expr = f"_callv({fn}, [{', '.join(parts)}], {self.nid(cmd)}, st)"
        else:
            expr = f"_call({fn}, [{', '.join(parts)}], {self.nid(cmd)})"
        if expr.startswith("_callv(") or (
            not printed and expr.startswith(("_escaper(", "_printf(", "_guarded(", "_json("))
        ):
            self.owner.stateful = True  # the result is charged
        return self.seq(prefix, expr) if prefix is not None else expr

    def eq_strings(self, fn: str, parts: list[str], nid: int) -> str:
        """``eq a b``, compared inline when both are strings (Go: basicKind string, ``==``)."""
        a, b = parts
        if _INT.match(b):
            # Go's int against int (a literal is an int): ==; against anything else, eq itself.
            bound, g = self.bind(a)
            return f"({g} == {b} if type({bound}) is int else _call({fn}, [{g}, {b}], {nid}))"
        if _STRING.match(b):
            bound, g = self.bind(a)
            return f"({g} == {b} if type({bound}) is str else _call({fn}, [{g}, {b}], {nid}))"
        if _STRING.match(a):
            bound, g = self.bind(b)
            return f"({a} == {g} if type({bound}) is str else _call({fn}, [{a}, {g}], {nid}))"
        bound_a, ga = self.bind(a)
        bound_b, gb = self.bind(b)
        return (
            f"({ga} == {gb} if (type({bound_a}) is str) & (type({bound_b}) is str) "
            f"else _call({fn}, [{ga}, {gb}], {nid}))"
        )

    def and_or(self, name: str, args: list[n.Node], dot: str, final: str | None) -> str:
        """Short-circuit ``and``/``or``: evaluate left to right, return the deciding operand.

        Operands after the first may never run: what they declare is conditional (see
        :meth:`_read_chain`). A final (piped) operand was computed before all of them.
        """
        values = []
        for i, a in enumerate(args):
            if i:
                self.cond_depth += 1
            values.append(self.arg_value(a, dot))
            if i:
                self.cond_depth -= 1
        prefix: str | None = None
        if final is not None:
            if _is_atom(final):
                values.append(final)
            else:
                p = self.tmp("p")
                prefix = f"{p} := {final}"
                values.append(p)
        t = self.tmp("ao")
        expr = values[-1]
        for v in reversed(values[:-1]):
            if name == "and":
                expr = f"({t} if not _truth({t} := {v}) else {expr})"
            else:
                expr = f"({t} if _truth({t} := {v}) else {expr})"
            expr = self.shallow(expr)
        return self.seq(prefix, expr) if prefix is not None else expr


def _stock(name: str) -> GoFunc | None:
    """sprig's own function ``name`` (a size guard applies to it, not to a replacement)."""
    return funcmap("full").get(name)


def _ident(s: str) -> str:
    out = "".join(c if c.isalnum() and c.isascii() else "_" for c in s)
    return out or "x"


class _SetCompiler:
    def __init__(
        self,
        trees: Mapping[str, n.Tree],
        funcs: Mapping[str, GoFunc],
        mode: int,
        origin: str | None = None,
    ) -> None:
        self.trees = trees
        self.funcs = funcs
        self.mode = mode
        self.node_table: list[NodeInfo] = []
        self.consts: list[object] = []
        self.fnames: dict[str, str] = {}
        for name in sorted(trees):
            # Named after the template (tracebacks read "in tmpl_email_body_gotmpl"), unique.
            fname = base = "tmpl_" + _ident(name)
            k = 1
            while fname in self.fnames.values():
                k += 1
                fname = f"{base}_{k}"
            self.fnames[name] = fname
        #: What the set was parsed from, for its filename (the first file's name by default).
        self.origin = origin or next((t.parse_name for _, t in sorted(trees.items())), "empty")
        self.used_funcs: dict[str, str] = {}
        self.names = 0
        # html/template's own escapers in this set's functions, with their string fast paths.
        self.str_escapers: dict[str, tuple[GoFunc, Any]] = {}
        self.stringifying: frozenset[str] = frozenset()
        self.unchanged: Mapping[str, Any] = {}
        self.unchanged_refs: dict[str, Any] = {}
        self.changed: Mapping[str, Any] = {}
        #: Fused escapers (one uncharged escaper of UNCHANGED) for a string its search matched:
        #: ref -> the escaper's name.
        self.changed_chains: dict[str, str] = {}
        # An escaped set carries all of html/template's functions (TemplateSet._escaped adds
        # them); one key says so without scanning a function map's few hundred names.
        if "_html_template_htmlescaper" in funcs:
            from .escape.escapers import CHANGED, ESCAPER_FUNCS, STR_ESCAPERS, STRINGIFYING, UNCHANGED

            self.stringifying = STRINGIFYING
            self.unchanged = UNCHANGED
            self.changed = CHANGED
            self.str_escapers = {
                name: (f, STR_ESCAPERS[name]) for name, f in ESCAPER_FUNCS.items() if funcs.get(name) is f
            }
        self.escaper_chains: dict[tuple[tuple[str, bool], ...], str] = {}
        self.stateful = False  # see CompiledSet.stateful (template calls: see calls_bounded)
        #: The template calls of each template's function: the names of the functions called.
        self.calls: dict[str, list[str]] = {}
        self.direct_calls: dict[tuple[str, int, bool], str] = {}

    def calls_bounded(self, writes: dict[str, int], max_depth: int, max_iterations: int | None) -> bool:
        """Whether no limit a template call enforces can ever fire in this set, whichever
        template is executed: code without loops or charged results (nothing else stateful),
        calls that never recurse, and per execution at most ``max_iterations`` calls, nested at
        most ``max_depth`` deep, after at most _CALL_TICK_CHUNKS writes (``writes``: those of each
        function's own code, an upper bound: without loops each runs at most once). Then the
        call's limit lines are dead code, and the execution needs no state of its own.
        ``max_iterations`` None: no limit."""
        if self.stateful:
            return False
        totals: dict[str, tuple[int, int, int]] = {}  # function: calls, writes, depth
        active: set[str] = set()

        def visit(fname: str) -> tuple[int, int, int]:
            known = totals.get(fname)
            if known is not None:
                return known
            if fname in active:
                raise _Recursive
            active.add(fname)
            calls, written, depth = 0, writes.get(fname, 0), 0
            for target in self.calls.get(fname, ()):
                c, w, d = visit(target)
                calls, written, depth = calls + 1 + c, written + w, max(depth, d + 1)
            active.discard(fname)
            totals[fname] = (calls, written, depth)
            return totals[fname]

        try:
            bounds = [visit(fname) for fname in self.fnames.values()]
        except (_Recursive, RecursionError):
            return False
        budget = sys.maxsize if max_iterations is None else max_iterations
        return all(c <= budget and d <= max_depth and w <= _CALL_TICK_CHUNKS for c, w, d in bounds)

    def new_name(self, prefix: str) -> str:
        """A module-level name unique in the set."""
        self.names += 1
        return f"{prefix}_{self.names}"

    def add_node(self, info: NodeInfo) -> int:
        self.node_table.append(info)
        return len(self.node_table) - 1

    def add_const(self, value: object) -> str:
        self.consts.append(value)
        return f"_K[{len(self.consts) - 1}]"

    def function_name(self, name: str) -> str | None:
        return self.fnames.get(name)

    def func_ref(self, name: str) -> str:
        ref = self.used_funcs.get(name)
        if ref is None:
            ref = f"fn_{_ident(name)}"
            if ref in self.used_funcs.values():  # only non-ASCII names can collide
                ref += f"_{len(self.used_funcs)}"
            self.used_funcs[name] = ref
        return ref

    def direct_ref(self, name: str, nargs: int, charged: bool) -> str:
        """The name of function ``name``'s caller for ``nargs`` arguments (runtime.direct_call)."""
        key = (name, nargs, charged)
        ref = self.direct_calls.get(key)
        if ref is None:
            # "dc_" + the function's own unique "fn_" name + a suffix: unique too.
            ref = f"dc_{self.func_ref(name)[3:]}_{'v' if charged else 'c'}{nargs}"
            self.direct_calls[key] = ref
        return ref

    def unchanged_ref(self, chain: str) -> str | None:
        """For fused escapers that are one uncharged escaper with an ``UNCHANGED`` pattern
        (``escape.escapers``): the name of that pattern's search in the generated module."""
        steps = next(k for k, v in self.escaper_chains.items() if v == chain)
        if len(steps) != 1 or steps[0][1] or steps[0][0] not in self.unchanged:
            return None
        ref = f"_unchanged_{_ident(steps[0][0])}"
        self.unchanged_refs[ref] = self.unchanged[steps[0][0]]
        return ref

    def changed_ref(self, chain: str) -> str:
        """For fused escapers of :meth:`unchanged_ref`: the name of the same one escaper for a
        string its pattern matched (``escape.escapers.CHANGED``: the escaper without its scan)."""
        steps = next(k for k, v in self.escaper_chains.items() if v == chain)
        ref = f"{chain}_changed"
        self.changed_chains[ref] = steps[0][0]
        return ref

    def escaper_chain_ref(self, steps: tuple[tuple[str, bool], ...]) -> str:
        """The name of the fused escapers ``steps`` (name, charged) in the generated module."""
        ref = self.escaper_chains.get(steps)
        if ref is None:
            ref = self.escaper_chains[steps] = f"_esc_{len(self.escaper_chains)}"
        return ref

    def compile(self, max_depth: int, max_iterations: int | None = 0) -> CompiledSet:
        lines: list[str] = []
        own_lines: dict[str, list[str]] = {}
        for name in sorted(self.trees):
            tc = _TemplateCompiler(self, name, self.trees[name], self.fnames[name])
            own = own_lines[tc.fname] = tc.compile()
            lines.extend(own)
            lines.append("")
        if self.calls:
            # Counted only for a set with template calls: calls_bounded is their only reader.
            writes = {f: sum(len(_WRITE.findall(line)) for line in own) for f, own in own_lines.items()}
            if self.calls_bounded(writes, max_depth, max_iterations):
                lines = [line for line in lines if not line.endswith(_CALL_LIMITS)]
            else:
                self.stateful = True
        source = "\n".join(lines)
        namespace: dict[str, Any] = {
            "MISSING": MISSING,
            "_print": rt.print_value,
            "_field": rt.field,
            "_chain": rt.chain,
            "_mlookup": rt.lookup_method,
            "_mcall": rt.call_method,
            "_Bound": rt.BoundMethod,
            "_range": rt.range_items,
            "_SHORT_LOOP": rt.SHORT_LOOP,
            "_short_loop": rt.short_loop,
            "_truth": is_true,
            "_check": rt.check_arg,
            "_call": rt.call,
            "_callv": rt.charged_call,
            "_guarded": rt.guarded_call,
            "_json": rt.json_call,
            "_marshal_plain": marshal_plain,
            "_printf": rt.printf_call,
            "_escaper": rt.escaper_call,
            "_call_builtin": rt.call_builtin,
            "_tick": rt.tick,
            "_tick_call": rt.tick_call,
            "_UNDEF": rt.UNDEF,
            "_BRK": rt.BREAK,
            "_CONT": rt.CONTINUE,
            "_any": _any,
            "_dig": _dig,
            "_fail": _fail,
            "_too_deep": _too_deep_factory(max_depth),
            "_MAX_DEPTH": max_depth,
            "_BUDGET": rt.BUDGET,
            "_COUNTED": rt.COUNTED,
            "_LIMIT": rt.LIMIT,
            "_SCALAR_TYPES": _SCALAR_TYPES,
            "_VALUES": rt.VALUES,
            "_CALL_TICK_CHUNKS": _CALL_TICK_CHUNKS,
            "_K": self.consts,
        }
        for name, ref in self.used_funcs.items():
            namespace[ref] = self.funcs[name]
        for (name, nargs, charged), ref in self.direct_calls.items():
            namespace[ref] = rt.direct_call(self.funcs[name], nargs, charged)
        for ref, search in self.unchanged_refs.items():
            namespace[ref] = search
        for steps, ref in self.escaper_chains.items():
            namespace[ref] = rt.escaper_chain([(*self.str_escapers[name], charge) for name, charge in steps])
        for ref, name in self.changed_chains.items():
            namespace[ref] = rt.escaper_chain([(self.str_escapers[name][0], self.changed[name], False)])
        filename = f"<gotmpl {self.origin}#{next(_SET_IDS)}>"
        code = compile(source, filename, "exec")
        exec(code, namespace)
        functions = {name: namespace[fname] for name, fname in self.fnames.items()}
        compiled = CompiledSet(functions, self.node_table, source, filename, stateful=self.stateful)
        # Tracebacks through the generated code show its lines for as long as the set lives
        # (an entry without a modification time is never dropped by linecache.checkcache).
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        weakref.finalize(compiled, linecache.cache.pop, filename, None)
        return compiled


def _any(v: object) -> object:
    return None if v is MISSING else v


def _dig(v: object) -> object:
    # evalPipeline: "If the object has type interface{}, dig down one level": a nil interface
    # becomes the invalid value, so ``$x := .Null`` then ``$x.A`` is quiet, not an error.
    return MISSING if v is None else v


def _fail(nid: int, message: str) -> Any:
    raise rt.ExecFailure(nid, message)


def _too_deep_factory(max_depth: int) -> Any:
    def too_deep(nid: int) -> None:
        # walkTemplate's own message (Go's limit is 100000).
        raise rt.LimitFailure(nid, f"exceeded maximum template depth ({max_depth})")

    return too_deep


def compile_trees(
    trees: Mapping[str, n.Tree],
    funcs: Mapping[str, GoFunc],
    mode: int = rt.MODE_DEFAULT,
    max_depth: int = DEFAULT_MAX_DEPTH,
    origin: str | None = None,
    max_iterations: int | None = 0,
) -> CompiledSet:
    """Compile a set of trees. The limits other than ``max_depth`` are in the state each
    execution passes along (:func:`.runtime.new_state`); ``max_iterations`` (None: no limit)
    also lets template calls that can never exceed it skip counting (0: they always count).
    ``origin`` names the set in its filename."""
    return _SetCompiler(trees, funcs, mode, origin).compile(max_depth, max_iterations)


class _Recursive(Exception):
    """A template that calls itself, directly or not (_SetCompiler.calls_bounded)."""

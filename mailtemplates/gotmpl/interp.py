"""Execute parse trees directly: the first executions of a template, before it is compiled.

Follows Go 1.26 ``src/text/template/exec.go`` (``walk``, ``walkIfOrWith``, ``walkRange``,
``walkTemplate``, ``evalPipeline``, ``evalCommand``, ``evalFieldChain``, ``evalCall``,
``evalArg``) as the compiler does, node by node, with the same :mod:`.runtime` helpers for every
decision that depends on data: field lookup, truth, argument conversion, calls and their charges,
methods, ranges and every limit. Why two engines: compiling a template to Python is what makes a
warm execution as fast as Go's, but generating and compiling the module costs about 12 times
Go's whole parse and first execute (``docs/performance.md``, "First renders, fourth pass");
walking the tree costs about a third of it. :class:`~mailtemplates.gotmpl.TemplateSet` walks an
entry's first executions and compiles it once it is hot (``TemplateSet.interpreted_runs``).

Both engines must behave alike byte for byte: the same output, written in the same chunks (the
output limit is checked by chunks written), the same errors at the same nodes, the same budgets
charged in the same order. Where the compiler decides something at compile time this module
decides it at the same point of the walk with the same shared code (``literals.ideal_value``,
``literal_value``; the compiler's ``_last_evaluated`` family for the node an error names); the
selection of a function's runtime caller (:meth:`_Run.call`) mirrors ``_TemplateCompiler.call``
and is the one second copy (tests/test_interp.py runs every conformance vector and random
templates through both engines).

Node ids: the runtime helpers carry a node id into :class:`~.runtime.ExecFailure`; here it is
``id(node)``, turned back into a node by :meth:`Interpreter.node_info` only when an error is
reported (the compiler numbers its nodes at compile time instead).

Go variables are a stack of (name, value) as in exec.go (``mark``/``pop``); a variable declared
in an ``and``/``or`` operand that was not evaluated is simply never pushed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from . import nodes as n
from . import runtime as rt

# The compiler's own answers to "which node does Go's state.at name here", which results are
# never charged, when a template call counts the output, which functions are sprig's own: shared.
from .compiler import (
    _CALL_TICK_CHUNKS,
    _SMALL_RESULTS,
    NodeInfo,
    _last_evaluated,
    _last_of_arg,
    _last_of_command,
    _nodes,
    _stock,
    _too_deep_factory,
    line_starts,
    statement_position,
)
from .funcs import GoFunc
from .gofmt import simple_printf
from .gostrconv import quote
from .literals import ideal_value, literal_value
from .values import MISSING, is_true

__all__ = ["Interpreter"]

_NILABLE_ARGS: Final = ("[]interface {}", "[]string", "map[string]interface {}")
_NO: Final = rt.NO_CONTAINER
#: No piped value: the command is the first of its pipeline.
_NOFINAL: Final = rt.UNDEF
_BUDGET: Final = rt.BUDGET
_COUNTED: Final = rt.COUNTED
_BREAK: Final = rt.BREAK
_CONTINUE: Final = rt.CONTINUE


class _ForeignNote:
    """Template positions a foreign exception went through, innermost first (one per template
    frame, as the compiled code's traceback gives them)."""

    __slots__ = ("depth", "exc", "positions")

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
        self.depth = -1
        self.positions: list[str] = []


class Interpreter:
    """The escaped trees of one entry, ready to be walked (immutable; shared by threads)."""

    def __init__(
        self, trees: Mapping[str, n.Tree], funcs: Mapping[str, GoFunc], mode: int, max_depth: int
    ) -> None:
        self.trees = trees
        self.funcs = funcs
        self.mode = mode
        self.max_depth = max_depth
        self.too_deep = _too_deep_factory(max_depth)  # the compiled code's refusal, shared
        # Caches keyed by node id (the trees live as long as this object): filled on first use.
        self._plans: dict[int, list[Any]] = {}
        self._assigned: dict[int, bool] = {}
        self._line_starts: dict[int, list[int]] = {}

    def execute(self, name: str, dot: Any, out: list[str], st: list[Any]) -> None:
        """Execute template ``name`` (one of the trees) on ``dot``, appending to ``out``."""
        run = _Run(self, out, st)
        try:
            run.template(self.trees[name], dot, 0)
        except Exception as e:
            note = run.note
            if note is not None and note.exc is e:
                rt.note_positions(e, note.positions)
            raise

    def node_info(self, nid: int) -> NodeInfo:
        """The node of id ``nid`` (an ExecFailure's) as the compiler's node table has it."""
        for name, tree in self.trees.items():
            for node in _nodes(tree.root):
                if id(node) == nid:
                    return NodeInfo(name, tree, node.pos, str(node))
        raise KeyError(nid)  # pragma: no cover - every id comes from these trees

    def plan(self, lst: n.ListNode) -> list[Any]:
        """``lst``'s nodes with adjacent text (a comment between writes nothing) joined into one
        string: the chunks the compiled code writes."""
        plan = self._plans.get(id(lst))
        if plan is not None:
            return plan
        plan = []
        text: list[str] = []
        for node in lst.nodes:
            if type(node) is n.TextNode:
                text.append(node.text)
                continue
            if type(node) is n.CommentNode:
                continue
            if text:
                joined = "".join(text)
                if joined:
                    plan.append(joined)
                text = []
            if type(node) is n.ListNode:  # pragma: no cover - the parser nests no lists
                plan.extend(self.plan(node))
            else:
                plan.append(node)
        if text:
            joined = "".join(text)
            if joined:
                plan.append(joined)
        self._plans[id(lst)] = plan
        return plan

    def element_kept(self, node: n.RangeNode, tree: n.Tree) -> bool:
        """Whether the range's element variable stays the element as ``range`` yields it in the
        body (the body assigns it nowhere): then field errors on it name the container's
        element type (the compiler's ``elem_of``)."""
        kept = self._assigned.get(id(node))
        if kept is None:
            name = node.pipe.decl[-1].ident[0]
            # The source after the range's start, searched first: most bodies never write
            # "$x =" (or "$x, $y =") at all, and then no walk is needed.
            pattern = re.compile(re.escape(name) + r"[\s,$\w]*=")
            kept = pattern.search(tree.text, node.list.pos) is None or not any(
                isinstance(x, n.PipeNode) and x.is_assign and any(v.ident[0] == name for v in x.decl)
                for x in _nodes(node.list)
            )
            self._assigned[id(node)] = kept
        return kept

    def position(self, node: n.Node) -> str:
        """``file:line:col context`` of a statement, as the compiled code's comments write it."""
        tree = self.trees[self._template_of(node)]
        starts = self._line_starts.get(id(tree))
        if starts is None:
            starts = self._line_starts[id(tree)] = line_starts(tree.text)
        return statement_position(tree, starts, node)

    def _template_of(self, node: n.Node) -> str:
        for name, tree in self.trees.items():
            if any(x is node for x in _nodes(tree.root)):
                return name
        raise KeyError(node)  # pragma: no cover


class _Run:
    """One execution: the output, the state list, the variable stack of the current template."""

    __slots__ = ("funcs", "interp", "mode", "note", "out", "st", "tree", "vars")

    def __init__(self, interp: Interpreter, out: list[str], st: list[Any]) -> None:
        self.interp = interp
        self.funcs = interp.funcs
        self.mode = interp.mode
        self.out = out
        self.st = st
        # Go's variable stack: [name, value, container] (container: the value was yielded by a
        # range over it, see Interpreter.element_kept; else NO_CONTAINER).
        self.vars: list[list[Any]] = []
        self.note: _ForeignNote | None = None
        self.tree: Any = None  # the tree being walked

    # -- statements (walk) -----------------------------------------------------------------------
    def template(self, tree: n.Tree, dot: Any, depth: int) -> None:
        saved, saved_tree = self.vars, self.tree
        # No dynamic scoping: a template starts with $ only.
        self.vars = [["$", dot, _NO]]
        self.tree = tree
        self.walk_list(tree.root, dot, _NO, depth)
        self.vars, self.tree = saved, saved_tree

    def walk_list(self, lst: n.ListNode, dot: Any, elem: Any, depth: int) -> Any:
        """Walk the statements of ``lst``; returns BREAK/CONTINUE when one ran, else None."""
        out = self.out
        for node in self.interp.plan(lst):
            t = type(node)
            if t is str:
                out.append(node)
                continue
            try:
                if t is n.ActionNode:
                    pipe = node.pipe
                    value = self.pipeline(pipe, dot, elem, False, True)
                    if not pipe.decl:
                        out.append(value if type(value) is str else rt.print_value(value, id(node), self.st))
                elif t is n.IfNode or t is n.WithNode:
                    sig = self.walk_if_with(node, dot, elem, depth)
                    if sig is not None:
                        return sig
                elif t is n.RangeNode:
                    sig = self.walk_range(node, dot, elem, depth)
                    if sig is not None:
                        return sig
                elif t is n.TemplateNode:
                    self.walk_template(node, dot, elem, depth)
                elif t is n.BreakNode:
                    return _BREAK
                elif t is n.ContinueNode:
                    return _CONTINUE
                else:  # pragma: no cover - the parser produces no other statements
                    raise AssertionError(f"unknown node {node!r}")
            except Exception as e:
                if not isinstance(e, rt.ExecFailure):
                    self._note(e, node, depth)
                raise
        return None

    def _note(self, e: Exception, node: n.Node, depth: int) -> None:
        """Remember where a foreign exception passed: the innermost statement of each template."""
        note = self.note
        if note is None or note.exc is not e:
            note = self.note = _ForeignNote(e)
        if note.depth != depth:
            note.depth = depth
            note.positions.append(self.interp.position(node))

    def walk_if_with(self, node: n.IfNode | n.WithNode, dot: Any, elem: Any, depth: int) -> Any:
        mark = len(self.vars)
        with_ = type(node) is n.WithNode
        value = self.pipeline(node.pipe, dot, elem, with_)
        sig = None
        if is_true(value):
            sig = (
                self.walk_list(node.list, value, _NO, depth)
                if with_
                else self.walk_list(node.list, dot, elem, depth)
            )
        elif node.else_list is not None:
            sig = self.walk_list(node.else_list, dot, elem, depth)
        del self.vars[mark:]
        return sig

    def walk_range(self, node: n.RangeNode, dot: Any, elem: Any, depth: int) -> Any:
        """A range; returns CONTINUE when its else-list ran ``{{continue}}`` (of the loop around
        it); a ``{{break}}`` there ends this range, as Go's walkRange recovers it."""
        pipe = node.pipe
        vars_ = self.vars
        mark = len(vars_)
        value = self.pipeline(pipe, dot, elem)
        decl = pipe.decl
        nvars = len(decl)
        items = rt.range_items(value, id(_last_evaluated(pipe)), nvars, self.out, self.st, id(node))
        if items:
            targets: list[Any]
            if nvars and pipe.is_assign:
                # "range $i, $x = ...": the variables already declared outside, found by name
                # (setVar; an undeclared one failed in the pipeline).
                targets = [self._find(v.ident[0]) for v in decl]
            else:
                targets = vars_[len(vars_) - nvars :]  # the pipeline pushed them last
            var_elem = value if nvars and self.interp.element_kept(node, self.tree) else _NO
            body = node.list
            inner = len(vars_)
            for item in items:
                if nvars == 0:
                    d = item
                elif nvars == 1:
                    d = item
                    target = targets[0]
                    target[1] = d
                    target[2] = var_elem
                else:
                    d = item[1]
                    targets[0][1] = item[0]
                    targets[0][2] = _NO
                    targets[1][1] = d
                    targets[1][2] = var_elem
                sig = self.walk_list(body, d, value, depth)
                del vars_[inner:]
                if sig is _BREAK:
                    break
            for target in targets:
                target[2] = _NO
        elif node.else_list is not None and self.walk_list(node.else_list, dot, elem, depth) is _CONTINUE:
            del vars_[mark:]
            return _CONTINUE
        del vars_[mark:]
        return None

    def walk_template(self, node: n.TemplateNode, dot: Any, elem: Any, depth: int) -> None:
        nid = id(node)
        tree = self.interp.trees.get(node.name)
        if tree is None:
            # Go looks the template up before evaluating the pipeline.
            raise rt.ExecFailure(nid, f"template {quote(node.name)} not defined")
        value = MISSING if node.pipe is None else self.pipeline(node.pipe, dot, elem)
        if depth >= self.interp.max_depth:
            self.interp.too_deep(nid)
        st = self.st
        st[_BUDGET] -= 1
        if st[_BUDGET] < 0 or len(self.out) - st[_COUNTED] > _CALL_TICK_CHUNKS:
            rt.tick_call(self.out, st, nid)
        self.template(tree, value, depth + 1)

    # -- variables -------------------------------------------------------------------------------
    def _find(self, name: str) -> Any:
        """The innermost variable ``name`` ([name, value, container]), or None."""
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry
        return None

    def read_var(self, node: n.Node, name: str) -> Any:
        """``varValue``: the innermost variable ``name`` ([name, value, container])."""
        entry = self._find(name)
        if entry is None:
            raise rt.ExecFailure(id(node), f"undefined variable: {name}")
        return entry

    # -- expressions -----------------------------------------------------------------------------
    def pipeline(self, pipe: n.PipeNode, dot: Any, elem: Any, dig: bool = True, printed: bool = False) -> Any:
        """``evalPipeline``; ``dig=False`` for consumers that treat nil and missing alike;
        ``printed``: the value is written out at once (its last call is not charged)."""
        value: Any = _NOFINAL
        cmds = pipe.cmds
        last = len(cmds) - 1
        decl = pipe.decl
        for i, cmd in enumerate(cmds):
            # Where Go's state.at stands when this command starts.
            at = pipe if i == 0 else _last_of_command(cmds[i - 1])
            value = self.command(cmd, dot, elem, value, at, printed and i == last and not decl)
            if i < last and value is None:
                value = MISSING
        if not decl:
            return MISSING if dig and value is None else value
        if value is None:
            value = MISSING
        if pipe.is_assign:
            for v in decl:
                entry = self._find(v.ident[0])
                if entry is None:
                    raise rt.ExecFailure(id(_last_evaluated(pipe)), f"undefined variable: {v.ident[0]}")
                entry[1] = value
                entry[2] = _NO
        else:
            for v in decl:
                self.vars.append([v.ident[0], value, _NO])
        return value

    def command(self, cmd: n.CommandNode, dot: Any, elem: Any, final: Any, at: n.Node, printed: bool) -> Any:
        args = cmd.args
        first: Any = args[0]  # dispatched on its exact type
        t = type(first)
        if t is n.FieldNode:
            return self.field_chain(dot, elem, first, first.ident, args, final, dot, elem)
        if t is n.IdentifierNode:
            return self.call(first, cmd, args[1:], dot, elem, final, printed)
        extra = len(args) > 1 or final is not _NOFINAL
        if t is n.VariableNode:
            entry = self.read_var(first, first.ident[0])
            if len(first.ident) == 1:
                if extra:
                    raise rt.ExecFailure(id(first), f"can't give argument to non-function {first}")
                return entry[1]
            return self.field_chain(entry[1], entry[2], first, first.ident[1:], args, final, dot, elem)
        if t is n.ChainNode:
            if type(first.node) is n.NilNode:
                raise rt.ExecFailure(id(first), f"indirection through explicit nil in {first}")
            receiver = self.arg_value(first.node, dot, elem)
            # evalChainNode names no node of its own: errors are at the last one evaluated.
            node = _last_of_arg(first.node)
            return self.field_chain(receiver, _NO, node, first.field, args, final, dot, elem, first)
        if t is n.PipeNode:
            if extra:
                # evalCommand refuses the arguments before any state.at of its own.
                raise rt.ExecFailure(id(at), f"can't give argument to non-function {first}")
            return self.pipeline(first, dot, elem)
        if extra:
            raise rt.ExecFailure(id(first), f"can't give argument to non-function {first}")
        if t is n.StringNode:
            return first.text
        if t is n.DotNode:
            return dot
        if t is n.BoolNode:
            return first.value
        if t is n.NumberNode:
            return self.ideal(first)
        if t is n.NilNode:
            raise rt.ExecFailure(id(first), "nil is not a command")
        raise rt.ExecFailure(id(first), f"can't evaluate command {quote(str(first))}")

    @staticmethod
    def ideal(num: n.NumberNode) -> Any:
        value, error = ideal_value(num)
        if error is not None:
            raise rt.ExecFailure(id(num), error)
        return value

    def field_chain(
        self,
        receiver: Any,
        recv_elem: Any,
        node: n.Node,
        idents: list[str],
        args: list[n.Node],
        final: Any,
        dot: Any,
        elem: Any,
        call_node: n.Node | None = None,
    ) -> Any:
        """``x.A.B``; with arguments (``args`` beyond the first, or ``final``) a method call."""
        nid = id(node)
        if len(args) > 1 or final is not _NOFINAL:
            return self.method_call(
                receiver,
                recv_elem,
                nid,
                nid if call_node is None else id(call_node),
                idents,
                args[1:],
                final,
                dot,
                elem,
            )
        if len(idents) == 1 and self.mode == rt.MODE_DEFAULT:
            if type(receiver) is dict:
                return receiver.get(idents[0], MISSING)
            return rt.field(receiver, idents[0], nid, 0, elem_of=recv_elem)
        return rt.chain(receiver, tuple(idents), nid, self.mode, elem_of=recv_elem)

    def method_call(
        self,
        receiver: Any,
        recv_elem: Any,
        nid: int,
        call_nid: int,
        idents: list[str],
        args: list[n.Node],
        final: Any,
        dot: Any,
        elem: Any,
    ) -> Any:
        """evalFieldChain up to the last name, then that method called with the arguments
        (evaluated only once the method is found, as in Go)."""
        nargs = len(args) + (final is not _NOFINAL)
        b = rt.lookup_method(receiver, tuple(idents), nid, self.mode, nargs, len(args), elem_of=recv_elem)
        if type(b) is not rt.BoundMethod:
            return b
        parts = [(self.method_arg(a, dot, elem), id(_last_of_arg(a))) for a in args]
        if final is not _NOFINAL:
            parts.append((final, id(_last_of_arg(args[-1])) if args else nid))
        return rt.call_method(b, parts, call_nid)

    def method_arg(self, node: Any, dot: Any, elem: Any) -> Any:
        """A literal as a runtime ``Lit`` (typed once the method is known), else its value."""
        t = type(node)
        if t is n.NilNode:
            return rt.Lit("nil", "nil")
        if t is n.BoolNode:
            return rt.Lit("bool", str(node), node.value)
        if t is n.StringNode:
            return rt.Lit("string", str(node), node.text)
        if t is n.NumberNode:
            return rt.Lit(
                "number",
                str(node),
                None,
                node.int64 if node.is_int else None,
                node.float64 if node.is_float else None,
            )
        return self.arg_value(node, dot, elem)

    def arg_value(self, node: Any, dot: Any, elem: Any) -> Any:
        """``evalArg`` with an interface{}/nil type: the raw value of an argument node (any node:
        dispatched on its exact type)."""
        t = type(node)
        if t is n.DotNode:
            return dot
        if t is n.FieldNode:
            return self.field_chain(dot, elem, node, node.ident, [node], _NOFINAL, dot, elem)
        if t is n.StringNode:
            return node.text
        if t is n.VariableNode:
            entry = self.read_var(node, node.ident[0])
            if len(node.ident) == 1:
                return entry[1]
            return self.field_chain(entry[1], entry[2], node, node.ident[1:], [node], _NOFINAL, dot, elem)
        if t is n.PipeNode:
            return self.pipeline(node, dot, elem)
        if t is n.IdentifierNode:
            return self.call(node, node, [], dot, elem, _NOFINAL, False)
        if t is n.NumberNode:
            return self.ideal(node)
        if t is n.BoolNode:
            return node.value
        if t is n.NilNode:
            return None
        if t is n.ChainNode:
            if type(node.node) is n.NilNode:
                raise rt.ExecFailure(id(node), f"indirection through explicit nil in {node}")
            receiver = self.arg_value(node.node, dot, elem)
            return self.field_chain(
                receiver, _NO, _last_of_arg(node.node), node.field, [node], _NOFINAL, dot, elem
            )
        raise rt.ExecFailure(id(node), f"can't handle assignment of {node} to empty interface argument")

    def typed_arg(self, node: Any, typ: str, dot: Any, elem: Any) -> Any:
        """``evalArg`` for a parameter of Go type ``typ``."""
        t = type(node)
        if typ == "reflect.Value":
            # Go's builtins take reflect.Value: they see the invalid value itself (MISSING).
            return MISSING if t is n.NilNode else self.arg_value(node, dot, elem)
        if typ == "any":
            if t is n.NilNode:
                return None
            v = self.arg_value(node, dot, elem)
            return None if v is MISSING else v
        if t is n.NilNode:
            if typ in _NILABLE_ARGS:
                return None
            raise rt.ExecFailure(id(node), f"cannot assign nil to {typ}")
        if t is n.StringNode or t is n.NumberNode or t is n.BoolNode:
            value, error = literal_value(node, typ)
            if error is not None:
                raise rt.ExecFailure(id(node), error)
            return value
        value = self.arg_value(node, dot, elem)
        # validateType: at the last node evalArg evaluated (inside a parenthesized pipeline).
        return rt.check_arg(value, typ, id(_last_of_arg(node)))

    def call(
        self,
        ident: n.IdentifierNode,
        cmd: n.Node,
        args: list[n.Node],
        dot: Any,
        elem: Any,
        final: Any,
        printed: bool,
    ) -> Any:
        """A function call (``evalFunction``, ``evalCall``); ``printed``: its result is written
        out at once, so it is not charged (the output is)."""
        name = ident.ident
        f = self.funcs.get(name)
        if f is None:
            raise rt.ExecFailure(id(ident), f"{quote(name)} is not a defined function")
        nargs = len(args) + (final is not _NOFINAL)
        if name == "and" or name == "or":
            if nargs < 1:
                raise rt.ExecFailure(
                    id(ident), f"wrong number of args for {name}: want at least 1 got {len(args)}"
                )
            return self.and_or(name == "and", args, dot, elem, final)
        params = f.params
        nfixed = len(params)
        if f.variadic is not None:
            if nargs < nfixed:
                raise rt.ExecFailure(
                    id(ident), f"wrong number of args for {name}: want at least {nfixed} got {len(args)}"
                )
        elif nargs != nfixed:
            raise rt.ExecFailure(id(ident), f"wrong number of args for {name}: want {nfixed} got {nargs}")
        parts = [
            self.typed_arg(a, params[i] if i < nfixed else str(f.variadic), dot, elem)
            for i, a in enumerate(args)
        ]
        if final is not _NOFINAL:
            i = len(args)
            typ = params[i] if i < nfixed else str(f.variadic)
            if typ == "reflect.Value":
                parts.append(final)
            elif typ == "any":
                parts.append(None if final is MISSING else final)
            else:
                at = _last_of_arg(args[-1]) if args else ident
                parts.append(rt.check_arg(final, typ, id(at)))
        nid = id(cmd)
        # Which runtime caller, as _TemplateCompiler.call chooses it (the one second copy: the
        # compiler writes code for each case, this calls it).
        st = self.st
        if name.startswith("_html_template_"):
            return rt.escaper_call(f, parts, nid, st, not printed)
        stock = _stock(name)
        if f is stock:
            if name == "printf" and args and type(args[0]) is n.StringNode:
                fast = simple_printf(args[0].text)
                if fast is not None:
                    return rt.printf_call(fast, f, parts, nid, st, not printed)
            if name in rt.JSON_CALLS and len(parts) == 1:
                return rt.json_call(rt.JSON_CALLS[name], f, parts[0], nid, st, not printed)
            if name in rt.SIZE_GUARDS:
                return rt.guarded_call(f, parts, nid, st, not printed)
            if name == "call":
                # evalCall hands the builtin the callee's source text (or, piped, its value).
                return rt.call_builtin(f, parts, nid, str(args[0]) if args else None)
        if not printed and f.result not in _SMALL_RESULTS:
            return rt.charged_call(f, parts, nid, st)
        return rt.call(f, parts, nid)

    def and_or(self, is_and: bool, args: list[n.Node], dot: Any, elem: Any, final: Any) -> Any:
        """Short-circuit ``and``/``or``: the first deciding operand, else the last (a piped
        final value, computed before all of them, comes last)."""
        for a in args:
            v = self.arg_value(a, dot, elem)
            if is_true(v) != is_and:
                return v
        return final if final is not _NOFINAL else v

"""Compile Go parse trees into Python functions, one per template of a set.

Why compile, and why to Python source: ``docs/architecture.md`` has the measurement. In short,
Go's variables are lexically scoped with assignments that reach outer scopes (``{{ $x = . }}``
inside ``range`` changes the outer ``$x``), so each Go variable becomes one Python local resolved
at compile time; a ``range`` becomes a Python ``for`` (``break``/``continue`` for free); text
becomes a constant ``w("...")``. The parts of Go's semantics that depend on data (field lookup,
truth, argument conversion) are calls into :mod:`.runtime`.

Each template compiles to ``def _tN(dot, out, depth)`` appending strings to ``out``. Every node
that can fail at run time gets an id in a node table, so an error names the template, the
position and the node text exactly as Go's ``ErrorContext`` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import nodes as n
from . import runtime as rt
from .funcs import GoFunc
from .values import MISSING, Int64

__all__ = ["CompiledSet", "NodeInfo", "compile_trees"]

#: Template call depth. Go allows 100000; CPython's stack does not, so we stop far earlier.
DEFAULT_MAX_DEPTH = 100


@dataclass(frozen=True)
class NodeInfo:
    """Where a node stands, for error messages."""

    template: str  # the template being executed ("t" for a define)
    tree: n.Tree
    pos: int
    context: str  # str(node), Go's ErrorContext text


@dataclass
class CompiledSet:
    functions: dict[str, Any]
    nodes: list[NodeInfo]
    source: str


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.indent = 0

    def line(self, text: str) -> None:
        self.lines.append("    " * self.indent + text)


class _Scope:
    """Go variables visible at a point: name -> Python local, innermost last."""

    def __init__(self) -> None:
        self.frames: list[dict[str, str]] = [{}]

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
        self.w = _Writer()
        self.scope = _Scope()
        self.counter = 0

    # -- helpers -----------------------------------------------------------------------------------
    def tmp(self, prefix: str = "t") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def nid(self, node: n.Node, context: str | None = None) -> int:
        return self.owner.add_node(NodeInfo(self.name, self.tree, node.pos, context or str(node)))

    def const(self, value: object) -> str:
        return self.owner.add_const(value)

    def fail(self, node: n.Node, message: str, context: str | None = None) -> str:
        """An expression that raises the exec error ``message`` at ``node`` when evaluated."""
        return f"_fail({self.nid(node, context)}, {message!r})"

    # -- statements --------------------------------------------------------------------------------
    def compile(self) -> list[str]:
        w = self.w
        w.line(f"def {self.fname}(dot, out, depth):")
        w.indent += 1
        w.line("w = out.append")
        w.line("v_root = dot")
        self.scope.declare("$", "v_root")
        self.walk_list(self.tree.root, "dot")
        w.line("return None")
        return w.lines

    def walk_list(self, lst: n.ListNode, dot: str) -> None:
        for node in lst.nodes:
            self.walk(node, dot)

    def walk(self, node: n.Node, dot: str) -> None:
        w = self.w
        if isinstance(node, n.TextNode):
            if node.text:
                w.line(f"w({node.text!r})")
        elif isinstance(node, n.ActionNode):
            value = self.pipeline(node.pipe, dot, dig=False)
            if not node.pipe.decl:
                t = self.tmp()
                w.line(f"{t} = {value}")
                w.line(f"w({t} if type({t}) is str else _print({t}))")
            else:
                w.line(value)
        elif isinstance(node, n.IfNode | n.WithNode):
            self.walk_if_with(node, dot)
        elif isinstance(node, n.RangeNode):
            self.walk_range(node, dot)
        elif isinstance(node, n.TemplateNode):
            self.walk_template(node, dot)
        elif isinstance(node, n.BreakNode):
            w.line("break")
        elif isinstance(node, n.ContinueNode):
            w.line("continue")
        elif isinstance(node, n.CommentNode):
            pass
        elif isinstance(node, n.ListNode):
            self.walk_list(node, dot)
        else:  # pragma: no cover - the parser produces no other nodes
            raise AssertionError(f"unknown node {node!r}")

    def walk_if_with(self, node: n.BranchNode, dot: str) -> None:
        w = self.w
        self.scope.push()
        value = self.pipeline(node.pipe, dot, dig=isinstance(node, n.WithNode))
        t = self.tmp()
        w.line(f"{t} = {value}")
        w.line(f"if _truth({t}):")
        w.indent += 1
        self.scope.push()
        before = len(w.lines)
        self.walk_list(node.list, t if isinstance(node, n.WithNode) else dot)
        if len(w.lines) == before:
            w.line("pass")
        self.scope.pop()
        w.indent -= 1
        if node.else_list is not None:
            w.line("else:")
            w.indent += 1
            self.scope.push()
            before = len(w.lines)
            self.walk_list(node.else_list, dot)
            if len(w.lines) == before:
                w.line("pass")
            self.scope.pop()
            w.indent -= 1
        self.scope.pop()

    def walk_range(self, node: n.RangeNode, dot: str) -> None:
        w = self.w
        pipe = node.pipe
        self.scope.push()
        value = self.pipeline(pipe, dot)
        t = self.tmp()
        it = self.tmp("it")
        w.line(f"{t} = {value}")
        nvars = len(pipe.decl)
        w.line(f"{it} = _range({t}, {self.nid(node)}, {nvars})")
        w.line(f"if {it}:")
        w.indent += 1
        elem = self.tmp("e")
        decl_locals = [self.scope.lookup(v.ident[0]) for v in pipe.decl]
        if nvars == 2:
            target = f"{decl_locals[0]}, {decl_locals[1]}"
            w.line(f"for {target} in {it}:")
            elem = str(decl_locals[1])
        elif nvars == 1:
            w.line(f"for {decl_locals[0]} in {it}:")
            elem = str(decl_locals[0])
        else:
            w.line(f"for {elem} in {it}:")
        w.indent += 1
        self.scope.push()
        before = len(w.lines)
        self.walk_list(node.list, elem)
        if len(w.lines) == before:
            w.line("pass")
        self.scope.pop()
        w.indent -= 2
        if node.else_list is not None:
            w.line("else:")
            w.indent += 1
            self.scope.push()
            before = len(w.lines)
            self.walk_list(node.else_list, dot)
            if len(w.lines) == before:
                w.line("pass")
            self.scope.pop()
            w.indent -= 1
        self.scope.pop()

    def walk_template(self, node: n.TemplateNode, dot: str) -> None:
        w = self.w
        nid = self.nid(node)
        value = "MISSING" if node.pipe is None else self.pipeline(node.pipe, dot)
        target = self.owner.function_name(node.name)
        if target is None:
            w.line(f"_fail({nid}, {('template ' + n.go_quote(node.name) + ' not defined')!r})")
            return
        w.line(f"if depth >= _MAX_DEPTH: _too_deep({nid})")
        w.line(f"{target}({value}, out, depth + 1)")

    # -- expressions -------------------------------------------------------------------------------
    def pipeline(self, pipe: n.PipeNode, dot: str, dig: bool = True) -> str:
        """A Python expression (or, with declarations, a statement) for a pipeline.

        ``dig=False`` is for consumers that treat nil and missing alike (printing, truth), which
        saves the call that turns a nil result into the invalid value.
        """
        value: str | None = None
        for i, cmd in enumerate(pipe.cmds):
            value = self.command(cmd, dot, value)
            if i < len(pipe.cmds) - 1:
                value = f"_dig({value})"
        assert value is not None
        if not pipe.decl:
            return f"_dig({value})" if dig else value
        if pipe.is_assign:
            targets = []
            for v in pipe.decl:
                local = self.scope.lookup(v.ident[0])
                if local is None:
                    # The parser accepts "$x = 1" without a declaration; execution refuses it
                    # at the last node evaluated, as setVar does.
                    last = pipe.cmds[-1].args[-1]
                    return f"{value}, {self.fail(last, f'undefined variable: {v.ident[0]}')}"
                targets.append(local)
        else:
            targets = []
            for v in pipe.decl:
                local = self.tmp("v_" + _ident(v.ident[0][1:]) + "_")
                self.scope.declare(v.ident[0], local)
                targets.append(local)
        return " = ".join(targets) + f" = _dig({value})"

    def command(self, cmd: n.CommandNode, dot: str, final: str | None) -> str:
        first = cmd.args[0]
        if isinstance(first, n.FieldNode):
            return self.field_chain(dot, first, first.ident, cmd.args, final)
        if isinstance(first, n.ChainNode):
            if isinstance(first.node, n.NilNode):
                return self.fail(first, f"indirection through explicit nil in {first}")
            receiver = self.arg_value(first.node, dot)
            return self.field_chain(receiver, first, first.field, cmd.args, final)
        if isinstance(first, n.IdentifierNode):
            return self.call(first, cmd, cmd.args[1:], dot, final)
        if isinstance(first, n.PipeNode):
            if len(cmd.args) > 1 or final is not None:
                return self.fail(first, f"can't give argument to non-function {first}")
            return self.pipeline(first, dot)
        if isinstance(first, n.VariableNode):
            local = self.var_local(first)
            if len(first.ident) == 1:
                if len(cmd.args) > 1 or final is not None:
                    return self.fail(first, f"can't give argument to non-function {first}")
                return local
            return self.field_chain(local, first, first.ident[1:], cmd.args, final)
        if len(cmd.args) > 1 or final is not None:
            return self.fail(first, f"can't give argument to non-function {first}")
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
        return self.fail(first, f"can't evaluate command {n.go_quote(str(first))}")

    def var_local(self, node: n.VariableNode) -> str:
        local = self.scope.lookup(node.ident[0])
        if local is None:
            # Declared in a scope the parser accepted but execution never entered.
            return self.fail(node, f"undefined variable: {node.ident[0]}")
        return local

    def field_chain(
        self, receiver: str, node: n.Node, idents: list[str], args: list[n.Node], final: str | None
    ) -> str:
        nid = self.nid(node)
        mode = self.owner.mode
        has_args = len(args) > 1 or final is not None
        if has_args:
            # Go evaluates the chain, then refuses the arguments at the last field.
            inner = f"_chain({receiver}, {tuple(idents[:-1])!r}, {nid}, {mode})" if len(idents) > 1 else receiver
            return f"_field({inner}, {idents[-1]!r}, {nid}, {mode}, True)"
        if len(idents) == 1 and mode == rt.MODE_DEFAULT:
            key = idents[0]
            return f"(_d.get({key!r}, MISSING) if type(_d := {receiver}) is dict else _field(_d, {key!r}, {nid}, 0))"
        return f"_chain({receiver}, {tuple(idents)!r}, {nid}, {mode})"

    def ideal_constant(self, num: n.NumberNode) -> str:
        """``idealConstant``: the Go type an untyped number constant takes as an interface{}."""
        text = num.text
        is_hex_int = len(text) > 2 and text[0] == "0" and text[1] in "xX" and not any(c in text for c in "pP")
        if num.is_complex:
            return self.const(num.complex128)
        if num.is_float and not is_hex_int and text[0] != "'" and any(c in text for c in ".eEpP"):
            return repr(num.float64)
        if num.is_int:
            if not -(2**63) <= num.int64 < 2**63:
                return self.fail(num, f"{text} overflows int")
            return repr(num.int64)
        if num.is_uint:
            return self.fail(num, f"{text} overflows int")
        return "MISSING"

    def arg_value(self, node: n.Node, dot: str) -> str:
        """``evalArg`` with an interface{}/nil type: the raw value of an argument node."""
        if isinstance(node, n.DotNode):
            return dot
        if isinstance(node, n.NilNode):
            return "None"
        if isinstance(node, n.FieldNode):
            return self.field_chain(dot, node, node.ident, [node], None)
        if isinstance(node, n.VariableNode):
            local = self.var_local(node)
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
            return self.field_chain(self.arg_value(node.node, dot), node, node.field, [node], None)
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
            return f"_any({self.arg_value(node, dot)})"
        if isinstance(node, n.NilNode):
            if typ in ("[]interface {}", "[]string", "map[string]interface {}"):
                return "None"
            return self.fail(node, f"cannot assign nil to {typ}")
        if isinstance(node, (n.BoolNode, n.NumberNode, n.StringNode)):
            return self.literal_for(node, typ)
        return f"_check({self.arg_value(node, dot)}, {typ!r}, {self.nid(node)})"

    def literal_for(self, node: n.BoolNode | n.NumberNode | n.StringNode, typ: str) -> str:
        if typ == "bool":
            if isinstance(node, n.BoolNode):
                return "True" if node.value else "False"
            return self.fail(node, f"expected bool; found {node}")
        if typ == "string":
            if isinstance(node, n.StringNode):
                return repr(node.text)
            return self.fail(node, f"expected string; found {node}")
        if typ in ("int", "int64"):
            if isinstance(node, n.NumberNode) and node.is_int:
                return repr(node.int64) if typ == "int" else self.const(Int64(node.int64))
            return self.fail(node, f"expected integer; found {node}")
        if typ == "float64":
            if isinstance(node, n.NumberNode) and node.is_float:
                return repr(node.float64)
            return self.fail(node, f"expected float; found {node}")
        return self.fail(node, f"can't handle {node} for arg of type {typ}")

    def call(
        self,
        ident: n.IdentifierNode,
        cmd: n.Node,
        args: list[n.Node],
        dot: str,
        final: str | None,
    ) -> str:
        name = ident.ident
        f = self.owner.funcs.get(name)
        if f is None:
            return self.fail(ident, f"{n.go_quote(name)} is not a defined function")
        nargs = len(args) + (1 if final is not None else 0)
        if name in ("and", "or"):
            if nargs < 1:
                return self.fail(cmd, f"wrong number of args for {name}: want at least 1 got {len(args)}")
            return self.and_or(name, args, dot, final)
        nfixed = len(f.params)
        if f.variadic is not None:
            if nargs < nfixed:
                return self.fail(cmd, f"wrong number of args for {name}: want at least {nfixed} got {len(args)}")
        elif nargs != nfixed:
            return self.fail(cmd, f"wrong number of args for {name}: want {nfixed} got {nargs}")
        parts: list[str] = []
        for i, a in enumerate(args):
            typ = f.params[i] if i < nfixed else str(f.variadic)
            parts.append(self.typed_arg(a, typ, dot))
        if final is not None:
            i = len(args)
            typ = f.params[i] if i < nfixed else str(f.variadic)
            at = args[-1] if args else ident
            if typ == "reflect.Value":
                parts.append(final)
            elif typ == "any":
                parts.append(f"_any({final})")
            else:
                parts.append(f"_check({final}, {typ!r}, {self.nid(at)})")
        fn = self.owner.func_ref(name)
        return f"_call({fn}, [{', '.join(parts)}], {self.nid(cmd)})"

    def and_or(self, name: str, args: list[n.Node], dot: str, final: str | None) -> str:
        """Short-circuit ``and``/``or``: evaluate left to right, return the deciding operand."""
        values = [self.arg_value(a, dot) for a in args]
        if final is not None:
            values.append(final)
        t = self.tmp("ao")
        expr = values[-1]
        for v in reversed(values[:-1]):
            if name == "and":
                expr = f"({t} if not _truth({t} := {v}) else {expr})"
            else:
                expr = f"({t} if _truth({t} := {v}) else {expr})"
        return expr


def _ident(s: str) -> str:
    out = "".join(c if c.isalnum() and c.isascii() else "_" for c in s)
    return out or "x"


class _SetCompiler:
    def __init__(self, trees: Mapping[str, n.Tree], funcs: Mapping[str, GoFunc], mode: int) -> None:
        self.trees = trees
        self.funcs = funcs
        self.mode = mode
        self.node_table: list[NodeInfo] = []
        self.consts: list[object] = []
        self.fnames = {name: f"_t{i}" for i, name in enumerate(sorted(trees))}
        self.used_funcs: dict[str, str] = {}

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
            ref = f"_f{len(self.used_funcs)}"
            self.used_funcs[name] = ref
        return ref

    def compile(self, max_depth: int) -> CompiledSet:
        lines: list[str] = []
        for name in sorted(self.trees):
            tc = _TemplateCompiler(self, name, self.trees[name], self.fnames[name])
            lines.extend(tc.compile())
            lines.append("")
        source = "\n".join(lines)
        namespace: dict[str, Any] = {
            "MISSING": MISSING,
            "_print": rt.print_value,
            "_field": rt.field,
            "_chain": rt.chain,
            "_range": rt.range_items,
            "_truth": rt.truth,
            "_check": rt.check_arg,
            "_call": rt.call,
            "_any": _any,
            "_dig": _dig,
            "_fail": _fail,
            "_too_deep": _too_deep_factory(max_depth),
            "_MAX_DEPTH": max_depth,
            "_K": self.consts,
        }
        for name, ref in self.used_funcs.items():
            namespace[ref] = self.funcs[name]
        code = compile(source, "<gotmpl>", "exec")
        exec(code, namespace)
        functions = {name: namespace[fname] for name, fname in self.fnames.items()}
        return CompiledSet(functions, self.node_table, source)


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
        raise rt.ExecFailure(nid, f"exceeded maximum template depth ({max_depth})")

    return too_deep


def compile_trees(
    trees: Mapping[str, n.Tree],
    funcs: Mapping[str, GoFunc],
    mode: int = rt.MODE_DEFAULT,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> CompiledSet:
    return _SetCompiler(trees, funcs, mode).compile(max_depth)

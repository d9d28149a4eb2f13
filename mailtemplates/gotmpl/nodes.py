"""Parse-tree nodes of Go's template language, as Go 1.26 ``src/text/template/parse/node.go``.

Every node keeps ``pos``, the character offset of its start in the source of its tree, so that
errors can name the line and column; ``str(node)`` prints the node back as template source, as Go's
``Node.String()`` does: Go-style error messages quote it (``at <.X.Y>``), and
tests/test_parse_table.py checks it against the trees Go's own parser tests print. The html
escaper rewrites trees: ``copy()`` gives it an independent deep copy. Number constants are built
by :func:`.literals.new_number` (Go's ``newNumber``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from .gostrconv import go_bytes, quote

__all__ = [
    "ActionNode",
    "BoolNode",
    "BranchNode",
    "BreakNode",
    "ChainNode",
    "CommandNode",
    "CommentNode",
    "ContinueNode",
    "DotNode",
    "ElseNode",
    "EndNode",
    "FieldNode",
    "IdentifierNode",
    "IfNode",
    "ListNode",
    "NilNode",
    "Node",
    "NumberNode",
    "PipeNode",
    "RangeNode",
    "StringNode",
    "TemplateNode",
    "TextNode",
    "Tree",
    "VariableNode",
    "WithNode",
    "is_empty_tree",
    "template_calls",
]


_N = TypeVar("_N", bound="Node")


class Node:
    """Base of every node: ``pos`` is the character offset in the tree's source."""

    __slots__ = ()
    pos: int

    def copy(self: _N) -> _N:
        """A deep copy (``Node.Copy``) in one Python frame per nesting level, with a fresh list
        for every list field (``copy.deepcopy`` takes about four frames per level, which made it
        the deepest stage of all on nested templates)."""
        new = object.__new__(type(self))
        fields: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            if isinstance(value, Node):
                value = value.copy()
            elif type(value) is list:
                value = [x.copy() if isinstance(x, Node) else x for x in value]
            fields[key] = value
        new.__dict__.update(fields)
        return new


@dataclass(eq=False)
class ListNode(Node):
    pos: int
    nodes: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


#: Go's ``textFormat``: print text nodes quoted (``%q``) instead of as they are. Go's parser
#: tests (tests/test_parse_table.py) print trees this way, so that text boundaries show.
TEXT_QUOTED = False


@dataclass(eq=False)
class TextNode(Node):
    pos: int
    text: str

    def __str__(self) -> str:
        return quote(self.text) if TEXT_QUOTED else self.text


@dataclass(eq=False)
class CommentNode(Node):
    pos: int
    text: str

    def __str__(self) -> str:
        return "{{" + self.text + "}}"


@dataclass(eq=False)
class IdentifierNode(Node):
    """A function name."""

    pos: int
    ident: str

    def __str__(self) -> str:
        return self.ident


@dataclass(eq=False)
class VariableNode(Node):
    """``$x`` or ``$x.Field.Chain``: ``ident[0]`` is the variable name with its ``$``."""

    pos: int
    ident: list[str]

    def __str__(self) -> str:
        return ".".join(self.ident)


@dataclass(eq=False)
class DotNode(Node):
    pos: int

    def __str__(self) -> str:
        return "."


@dataclass(eq=False)
class NilNode(Node):
    pos: int

    def __str__(self) -> str:
        return "nil"


@dataclass(eq=False)
class FieldNode(Node):
    """``.A.B``: the field names without dots."""

    pos: int
    ident: list[str]

    def __str__(self) -> str:
        return "".join("." + i for i in self.ident)


@dataclass(eq=False)
class ChainNode(Node):
    """A term followed by fields: ``(pipeline).A.B``."""

    pos: int
    node: Node
    field: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        inner = f"({self.node})" if isinstance(self.node, PipeNode) else str(self.node)
        return inner + "".join("." + f for f in self.field)


@dataclass(eq=False)
class BoolNode(Node):
    pos: int
    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass(eq=False)
class NumberNode(Node):
    """A number constant, holding its value in every Go type that can represent it."""

    pos: int
    text: str
    is_int: bool = False
    is_uint: bool = False
    is_float: bool = False
    is_complex: bool = False
    int64: int = 0
    uint64: int = 0
    float64: float = 0.0
    complex128: complex = 0j

    def __str__(self) -> str:
        return self.text


@dataclass(eq=False)
class StringNode(Node):
    pos: int
    quoted: str
    text: str

    def __str__(self) -> str:
        return self.quoted


@dataclass(eq=False)
class CommandNode(Node):
    pos: int
    args: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        parts = []
        for a in self.args:
            parts.append(f"({a})" if isinstance(a, PipeNode) else str(a))
        return " ".join(parts)


@dataclass(eq=False)
class PipeNode(Node):
    pos: int
    line: int
    is_assign: bool = False
    decl: list[VariableNode] = field(default_factory=list)
    cmds: list[CommandNode] = field(default_factory=list)

    def __str__(self) -> str:
        s = ""
        if self.decl:
            s = ", ".join(str(v) for v in self.decl)
            s += " = " if self.is_assign else " := "
        return s + " | ".join(str(c) for c in self.cmds)


@dataclass(eq=False)
class ActionNode(Node):
    pos: int
    line: int
    pipe: PipeNode

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


@dataclass(eq=False)
class BranchNode(Node):
    pos: int
    line: int
    pipe: PipeNode
    list: ListNode
    else_list: ListNode | None = None

    keyword = ""

    def __str__(self) -> str:
        s = "{{" + self.keyword + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            s += "{{else}}" + str(self.else_list)
        return s + "{{end}}"


@dataclass(eq=False)
class IfNode(BranchNode):
    keyword = "if"


@dataclass(eq=False)
class RangeNode(BranchNode):
    keyword = "range"


@dataclass(eq=False)
class WithNode(BranchNode):
    keyword = "with"


@dataclass(eq=False)
class BreakNode(Node):
    pos: int
    line: int

    def __str__(self) -> str:
        return "{{break}}"


@dataclass(eq=False)
class ContinueNode(Node):
    pos: int
    line: int

    def __str__(self) -> str:
        return "{{continue}}"


@dataclass(eq=False)
class TemplateNode(Node):
    pos: int
    line: int
    name: str
    pipe: PipeNode | None = None

    def __str__(self) -> str:
        s = "{{template " + quote(self.name)
        if self.pipe is not None:
            s += " " + str(self.pipe)
        return s + "}}"


@dataclass(eq=False)
class EndNode(Node):
    """``{{end}}``: only seen by the parser."""

    pos: int

    def __str__(self) -> str:
        return "{{end}}"


@dataclass(eq=False)
class ElseNode(Node):
    """``{{else}}``: only seen by the parser."""

    pos: int
    line: int

    def __str__(self) -> str:
        return "{{else}}"


@dataclass(eq=False)
class Tree:
    """One named template: its root list and the source text its positions refer to.

    ``parse_name`` is the name of the file being parsed when this tree was defined (a ``define``
    inside ``a.gotmpl`` has ``name="x"`` and ``parse_name="a.gotmpl"``), as Go reports it in errors.
    """

    name: str
    parse_name: str
    root: ListNode
    text: str

    def copy(self) -> Tree:
        return Tree(self.name, self.parse_name, self.root.copy(), self.text)

    def location(self, pos: int) -> tuple[int, int, int]:
        """(line, Go's byte column (0-based), character column (1-based)) of offset ``pos``."""
        before = self.text[:pos]
        nl = before.rfind("\n")
        line = before.count("\n") + 1
        line_text = before if nl < 0 else before[nl + 1 :]
        byte_col = len(go_bytes(line_text))
        if nl < 0:
            # Go's ErrorContext reports the byte offset itself on the first line.
            byte_col = len(go_bytes(before))
        return line, byte_col, len(line_text) + 1

    def source_line(self, pos: int) -> str:
        start = self.text.rfind("\n", 0, pos) + 1
        end = self.text.find("\n", pos)
        return self.text[start : end if end >= 0 else len(self.text)]


def is_empty_tree(node: Node | None) -> bool:
    """Go's ``parse.IsEmptyTree``: only space, comments and empty lists."""
    if node is None or isinstance(node, CommentNode):
        return True
    if isinstance(node, ListNode):
        return all(is_empty_tree(n) for n in node.nodes)
    if isinstance(node, TextNode):
        return node.text.strip(" \t\r\n\v\f\x85\xa0") == ""
    return False


def template_calls(root: ListNode) -> list[str]:
    """The names ``{{template}}`` actions under ``root`` call (a template call is a statement,
    never inside a pipeline), in no particular order, with repeats."""
    out: list[str] = []
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, ListNode):
            stack.extend(node.nodes)
        elif isinstance(node, BranchNode):
            stack.append(node.list)
            if node.else_list is not None:
                stack.append(node.else_list)
        elif isinstance(node, TemplateNode):
            out.append(node.name)
    return out

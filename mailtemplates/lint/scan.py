"""Reading parse trees for the checks: walking nodes, following template calls, HTML-only text.

Every check that looks at a template's text or actions goes through these helpers, so that what
counts as "the template's HTML" (its text nodes, positions unchanged) is decided in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

from ..gotmpl import nodes

__all__ = ["MASK", "calls", "close_match", "excerpt", "masked", "passes_dot", "text_nodes", "walk"]

#: What :func:`masked` puts in place of every character that is not template text.
MASK = "\0"


def close_match(word: str, candidates: Sequence[str], cutoff: float = 0.6) -> str | None:
    """The candidate closest to ``word``, compared case-insensitively (``RecoveryUrl``)."""
    import difflib  # for a misspelt name only

    lowered = {c.lower(): c for c in reversed(candidates)}
    found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[found[0]] if found else None


def walk(node: nodes.Node | None) -> Iterator[nodes.Node]:
    """Every node under ``node``, depth first (pipelines, commands and branches included)."""
    stack: list[nodes.Node] = [node] if node is not None else []
    kinds = _KINDS
    while stack:
        cur = stack.pop()
        yield cur
        kind = kinds.get(type(cur))
        if kind is None:
            kind = kinds[type(cur)] = _kind(type(cur))
        if kind == _LEAF:
            continue
        if kind == _LIST:
            stack.extend(reversed(cur.nodes))  # type: ignore[attr-defined]
        elif kind == _PIPE:
            stack.extend(reversed(cur.cmds))  # type: ignore[attr-defined]
        elif kind == _COMMAND:
            stack.extend(reversed(cur.args))  # type: ignore[attr-defined]
        elif kind == _ACTION:
            stack.append(cur.pipe)  # type: ignore[attr-defined]
        elif kind == _CHAIN:
            stack.append(cur.node)  # type: ignore[attr-defined]
        elif kind == _BRANCH:
            assert isinstance(cur, nodes.BranchNode)
            if cur.else_list is not None:
                stack.append(cur.else_list)
            stack.append(cur.list)
            stack.append(cur.pipe)
        elif cur.pipe is not None:  # type: ignore[attr-defined]
            stack.append(cur.pipe)  # type: ignore[attr-defined]


# What walk() does with a node of each class: found once per class (subclasses included), so
# that a node costs one dict look-up instead of a row of isinstance tests (most are text).
_LEAF, _LIST, _ACTION, _PIPE, _COMMAND, _CHAIN, _BRANCH, _TEMPLATE = range(8)
_KINDS: dict[type, int] = {}


def _kind(cls: type) -> int:
    for base, kind in (
        (nodes.ListNode, _LIST),
        (nodes.ActionNode, _ACTION),
        (nodes.PipeNode, _PIPE),
        (nodes.CommandNode, _COMMAND),
        (nodes.ChainNode, _CHAIN),
        (nodes.BranchNode, _BRANCH),
        (nodes.TemplateNode, _TEMPLATE),
    ):
        if issubclass(cls, base):
            return kind
    return _LEAF


def calls(trees: Mapping[str, nodes.Tree], start: str, target: str) -> bool:
    """Whether ``start`` reaches ``{{ template "target" }}``, directly or through other templates."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in trees:
            continue
        seen.add(name)
        for node in walk(trees[name].root):
            if isinstance(node, nodes.TemplateNode):
                if node.name == target:
                    return True
                todo.append(node.name)
    return False


def passes_dot(pipe: nodes.PipeNode | None) -> bool:
    """``{{ template "x" . }}`` or ``{{ template "x" $ }}``: the callee's dot is the caller's."""
    if pipe is None or pipe.decl or len(pipe.cmds) != 1 or len(pipe.cmds[0].args) != 1:
        return False
    arg = pipe.cmds[0].args[0]
    return isinstance(arg, nodes.DotNode) or (isinstance(arg, nodes.VariableNode) and arg.ident == ["$"])


def _mask(tree: nodes.Tree) -> str:
    """The tree's source with everything but its text nodes blanked out, positions unchanged.

    HTML checks run on this: an ``<img src="{{ .Logo }}">`` is one tag across three nodes, and
    actions, comments and other templates' text must not count as HTML.
    """
    src = tree.text
    spans = sorted(
        (node.pos, node.text)
        for node in walk(tree.root)
        if isinstance(node, nodes.TextNode) and src.startswith(node.text, node.pos)
    )
    out: list[str] = []
    at = 0
    for pos, text in spans:  # the gaps between text nodes are masked
        if pos < at:  # text nodes do not overlap; were one to, it would not be counted twice
            text = text[at - pos :]
            pos = at
        out.append(MASK * (pos - at))
        out.append(text)
        at = pos + len(text)
    out.append(MASK * (len(src) - at))
    return "".join(out)


# The last trees masked: deliverability and compatibility checks read the same trees.
_MASKED: dict[int, tuple[nodes.Tree, str]] = {}


def masked(tree: nodes.Tree) -> str:
    """:func:`_mask`, remembered for the last few trees (a tree is never changed once parsed)."""
    hit = _MASKED.get(id(tree))
    if hit is not None and hit[0] is tree:
        return hit[1]
    if len(_MASKED) >= 64:
        _MASKED.clear()
    text = _mask(tree)
    _MASKED[id(tree)] = (tree, text)
    return text


def text_nodes(tree: nodes.Tree) -> Iterator[nodes.TextNode]:
    for node in walk(tree.root):
        if isinstance(node, nodes.TextNode):
            yield node


_SPACES = re.compile(r"\s+")


def excerpt(tree: nodes.Tree, start: int, end: int, limit: int = 40) -> str:
    """The template's own source between two positions of :func:`masked` text, for a message:
    actions as written (never the mask), runs of white space as one space, cut at ``limit``."""
    text = _SPACES.sub(" ", tree.text[start:end]).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

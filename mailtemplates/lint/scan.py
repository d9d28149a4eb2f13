"""Reading parse trees for the checks: walking nodes, following template calls, HTML-only text.

Every check that looks at a template's text or actions goes through these helpers, so that what
counts as "the template's HTML" (its text nodes, positions unchanged) is decided in one place.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence

from ..gotmpl import nodes

__all__ = ["MASK", "calls", "close_match", "excerpt", "masked", "passes_dot", "text_nodes", "walk"]

#: What :func:`masked` puts in place of every character that is not template text.
MASK = "\0"


def close_match(word: str, candidates: Sequence[str], cutoff: float = 0.6) -> str | None:
    """The candidate closest to ``word``, compared case-insensitively (``RecoveryUrl``)."""
    lowered = {c.lower(): c for c in reversed(candidates)}
    found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[found[0]] if found else None


def walk(node: nodes.Node | None) -> Iterator[nodes.Node]:
    """Every node under ``node``, depth first (pipelines, commands and branches included)."""
    stack: list[nodes.Node] = [node] if node is not None else []
    while stack:
        cur = stack.pop()
        yield cur
        if isinstance(cur, nodes.ListNode):
            stack.extend(reversed(cur.nodes))
        elif isinstance(cur, nodes.ActionNode):
            stack.append(cur.pipe)
        elif isinstance(cur, nodes.PipeNode):
            stack.extend(reversed(cur.cmds))
        elif isinstance(cur, nodes.CommandNode):
            stack.extend(reversed(cur.args))
        elif isinstance(cur, nodes.ChainNode):
            stack.append(cur.node)
        elif isinstance(cur, nodes.BranchNode):
            if cur.else_list is not None:
                stack.append(cur.else_list)
            stack.append(cur.list)
            stack.append(cur.pipe)
        elif isinstance(cur, nodes.TemplateNode) and cur.pipe is not None:
            stack.append(cur.pipe)


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
    out = [MASK] * len(tree.text)
    for node in walk(tree.root):
        if isinstance(node, nodes.TextNode) and tree.text.startswith(node.text, node.pos):
            out[node.pos : node.pos + len(node.text)] = node.text
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

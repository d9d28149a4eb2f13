"""Work done once per template instead of once per email: CSS inlining on the template source.

A CSS inliner parses HTML, so it cannot be run on a template naively: ``{{ range }}`` between
table rows would be moved in front of the table (HTML5 foster parenting), quotes inside actions
would split attributes, and a class written by an action would be matched by nothing. So:

1. every action ``{{ ... }}`` of the HTML body's entry file is replaced by a placeholder that is
   inert where it stands: an HTML comment ``<!--mt:N-->`` in element content (comments are never
   foster-parented), a private-use character token inside attribute values and ``<title>``;
2. the inliner runs on that skeleton;
3. the result is accepted only if it is *provably the same template plus style attributes*: every
   placeholder comes back once and in order, and the sequence of tags, attributes (but ``style``),
   comments and text equals the original's (ignoring the ``html``/``head``/``body``/``tbody`` tags
   and the ``<style>`` element the inliner adds, moves or trims);
4. the placeholders are replaced by the original actions.

Anything else falls back to inlining each rendered email: actions inside ``<style>``, ``class``,
``id`` or ``style`` attributes, actions in attribute-name position or in ``<script>``, selectors
that depend on sibling structure (``+``, ``~``, ``:nth-child``, ...) or on attributes, styles that
live in another file of the set. ``inline_source`` returns None in those cases, with the reason in
``last_reason`` for the preview and the linter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

from .gotmpl.lexer import ItemType, Lexer

__all__ = ["action_spans", "inline_source"]

_PUA_OPEN, _PUA_CLOSE = "\ue000", "\ue001"
_COMMENT_RE = re.compile(r"<!--mt:(\d+)-->")
_TOKEN_RE = re.compile(_PUA_OPEN + r"(\d+)" + _PUA_CLOSE)
# Selectors whose match depends on siblings, positions or attribute values: a skeleton where both
# branches of an {{if}} are present would match them differently from a rendered email.
_STRUCTURAL = re.compile(r"[+~\[]|:(nth-|first-|last-|only-|empty|has\()", re.IGNORECASE)
_SKIPPED_TAGS = frozenset({"html", "head", "body", "tbody"})


def action_spans(source: str, delims: tuple[str, str] | None = None) -> list[tuple[int, int]] | None:
    """(start, end) of every action and comment in ``source``; None if it does not lex."""
    left, right = delims if delims else ("{{", "}}")
    lexer = Lexer("x", source, left, right)
    lexer.emit_comment = True
    spans: list[tuple[int, int]] = []
    start: int | None = None
    while True:
        item = lexer.next_item()
        if item.typ == ItemType.ERROR:
            return None
        if item.typ == ItemType.EOF:
            return spans if start is None else None
        if item.typ == ItemType.LEFT_DELIM:
            start = item.pos
        elif item.typ == ItemType.RIGHT_DELIM and start is not None:
            spans.append((start, item.pos + len(item.val)))
            start = None
        elif item.typ == ItemType.COMMENT:
            begin = source.rfind(left, 0, item.pos)
            end = source.find(right, item.pos + len(item.val))
            if begin < 0 or end < 0:
                return None
            spans.append((begin, end + len(right)))


class _Where:
    TEXT = "text"
    ATTR = "attr"
    RCDATA = "rcdata"
    OTHER = "other"


def _contexts(source: str, spans: list[tuple[int, int]]) -> list[tuple[str, str]] | None:
    """Where each span stands in the HTML: (kind, attribute or element name)."""
    out: list[tuple[str, str]] = []
    state = "text"
    tag = ""
    attr = ""
    quote = ""
    raw_end = ""
    closing = False
    i = 0
    bounds = [*spans, (len(source), len(source))]
    for s, e in bounds:
        seg = source[i:s]
        j = 0
        while j < len(seg):
            c = seg[j]
            if state == "text":
                if seg.startswith("<!--", j):
                    k = seg.find("-->", j + 4)
                    if k < 0:
                        state = "comment"
                        j = len(seg)
                        continue
                    j = k + 3
                    continue
                if c == "<" and j + 1 < len(seg) and (seg[j + 1].isalpha() or seg[j + 1] in "/!?"):
                    m = re.match(r"<(/?)([A-Za-z][A-Za-z0-9-]*)", seg[j:])
                    closing = bool(m and m.group(1))
                    tag = m.group(2).lower() if m else ""
                    state = "tag"
                    j += m.end() if m else 1
                    continue
            elif state == "comment":
                k = seg.find("-->", j)
                if k < 0:
                    j = len(seg)
                    continue
                state = "text"
                j = k + 3
                continue
            elif state == "raw":
                k = seg.lower().find(raw_end, j)
                if k < 0:
                    j = len(seg)
                    continue
                state = "text"
                j = k
                continue
            elif state == "tag":
                if c == ">":
                    state = "text"
                    if tag in ("style", "script", "title", "textarea") and not closing:
                        state = "raw"
                        raw_end = "</" + tag
                elif c.isalpha() or c in "-_:@":
                    m = re.match(r"[^\s=>/]+", seg[j:])
                    attr = m.group(0).lower() if m else ""
                    j += m.end() if m else 1
                    state = "attr_name"
                    continue
            elif state == "attr_name":
                if c == "=":
                    state = "before_value"
                elif c == ">" or not c.isspace():
                    state = "tag"
                    continue
            elif state == "before_value":
                if c in "\"'":
                    quote = c
                    state = "value"
                elif not c.isspace():
                    quote = ""
                    state = "value"
                    continue
            elif state == "value" and ((quote and c == quote) or (not quote and (c.isspace() or c == ">"))):
                state = "tag"
                if not quote:
                    continue
            j += 1
        i = e
        if s == len(source):
            break
        if state == "text":
            out.append((_Where.TEXT, ""))
        elif state in ("value", "before_value"):
            if state == "before_value":
                quote = ""
                state = "value"
            out.append((_Where.ATTR, attr))
        elif state == "raw" and raw_end in ("</title", "</textarea"):
            out.append((_Where.RCDATA, raw_end[2:]))
        else:
            out.append((_Where.OTHER, state + ":" + tag))
    return out


class _Shape(HTMLParser):
    """The parts of a document an inliner must not change, as a comparable list."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[str, ...]] = []
        self.in_style = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "style":
            self.in_style += 1
            return
        if tag in _SKIPPED_TAGS:
            return
        kept = tuple(sorted(f"{k}={v or ''}" for k, v in attrs if k != "style"))
        self.items.append(("start", tag, *kept))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self.in_style = max(0, self.in_style - 1)
            return
        if tag in _SKIPPED_TAGS or tag in _VOID:
            return
        self.items.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if self.in_style:
            return
        text = " ".join(data.split())
        if text:
            if self.items and self.items[-1][0] == "data":
                self.items[-1] = ("data", self.items[-1][1] + " " + text)
            else:
                self.items.append(("data", text))

    def handle_comment(self, data: str) -> None:
        self.items.append(("comment", data))

    def handle_decl(self, decl: str) -> None:
        self.items.append(("decl", decl.lower()))


_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


def _shape(html: str) -> list[tuple[str, ...]]:
    p = _Shape()
    p.feed(html)
    p.close()
    return p.items


last_reason = ""


def inline_source(
    source: str,
    inline: Callable[[str], str],
    delims: tuple[str, str] | None = None,
) -> str | None:
    """The template ``source`` with its ``<style>`` rules inlined, or None when that is unsafe."""
    global last_reason
    spans = action_spans(source, delims)
    if spans is None:
        last_reason = "the template does not lex"
        return None
    styles = re.findall(r"<style\b[^>]*>(.*?)</style", source, re.IGNORECASE | re.DOTALL)
    if not styles:
        last_reason = "no <style> element in this file"
        return None
    css = "\n".join(styles)
    top_level = re.sub(r"@[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", css)  # at-rules are kept, not inlined
    selectors = " ".join(re.findall(r"([^{}]+)\{", top_level))
    if _STRUCTURAL.search(selectors):
        last_reason = "selectors depend on siblings or attributes"
        return None
    where = _contexts(source, spans)
    if where is None:
        last_reason = "could not follow the HTML structure"
        return None
    parts: list[str] = []
    pos = 0
    for n, ((s, e), (kind, name)) in enumerate(zip(spans, where, strict=True)):
        parts.append(source[pos:s])
        if kind == _Where.TEXT:
            parts.append(f"<!--mt:{n}-->")
        elif (kind == _Where.ATTR and name not in ("class", "id", "style") and not name.startswith("on")) or (
            kind == _Where.RCDATA
        ):
            parts.append(f"{_PUA_OPEN}{n}{_PUA_CLOSE}")
        else:
            last_reason = f"an action stands where an inliner could change it ({kind} {name})"
            return None
        pos = e
    parts.append(source[pos:])
    skeleton = "".join(parts)
    out = inline(skeleton)
    found = [
        int(m.group(1) or m.group(2)) for m in re.finditer(_COMMENT_RE.pattern + "|" + _TOKEN_RE.pattern, out)
    ]
    if found != list(range(len(spans))):
        last_reason = "the inliner moved or dropped template actions"
        return None
    if _shape(out) != _shape(skeleton):
        last_reason = "the inliner changed the document beyond style attributes"
        return None

    def restore(m: re.Match[str]) -> str:
        s, e = spans[int(m.group(1) or m.group(2))]
        return source[s:e]

    last_reason = ""
    return re.sub(_COMMENT_RE.pattern + "|" + _TOKEN_RE.pattern, restore, out)

"""Work done once per template instead of once per email: CSS inlining on the template source.

Fast path and reference: inlining the template once (here) sits beside inlining every rendered
email (:mod:`.inline`, run by the renderer). The per-email path stays: it is the fallback for
every template this module refuses, and the reference ``tests/test_loadtime_property.py``
compares the emails of the two paths with on random override folders.

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

Markup that is not executed where it is written, the body of each ``{{ define }}`` and the other
files of the set (Kratos's ``email.body.de.gotmpl`` partials), is inlined on its own, as a
fragment with the entry file's style sheet, and held to the same proof. A fragment lands
wherever it is called, so this is only sound for rules whose match does not depend on ancestors:
if a selector with a combinator (``td p``, ``.card > a``) could match an element of a fragment,
the whole set is inlined per email instead.

Anything else falls back to inlining each rendered email: actions inside ``<style>``, ``class``,
``id`` or ``style`` attributes, actions in attribute-name position or in ``<script>``, selectors
that depend on sibling structure (``+``, ``~``, ``:nth-child``, ...) or on attributes, styles that
live in another file of the set. ``inline_source`` and ``inline_files`` then return None with
the reason (for the preview and the linter).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

from .gotmpl import ItemType, Lexer

__all__ = ["action_spans", "inline_files", "inline_source"]

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


class _Refused(Exception):
    """Load-time inlining is not safe here; ``reason`` says why (shown by the preview and lint)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def inline_source(
    source: str,
    inline: Callable[[str], str],
    delims: tuple[str, str] | None = None,
) -> tuple[str | None, str]:
    """(the template ``source`` with its ``<style>`` rules inlined, "") or (None, why that is
    unsafe)."""
    out, reason = inline_files({"": source}, "", inline, delims)
    return (None if out is None else out[""]), reason


def inline_files(
    files: dict[str, str],
    entry: str,
    inline: Callable[[str], str],
    delims: tuple[str, str] | None = None,
) -> tuple[dict[str, str] | None, str]:
    """(the files of a template set with the entry file's ``<style>`` rules inlined into all of
    their markup, "") or (None, why that is unsafe). The reason is returned, not kept: renders
    on other threads compile at the same time."""
    try:
        return _inline_files(files, entry, inline, delims), ""
    except _Refused as refused:
        return None, refused.reason


def _inline_files(
    files: dict[str, str],
    entry: str,
    inline: Callable[[str], str],
    delims: tuple[str, str] | None,
) -> dict[str, str]:
    for name, text in files.items():
        if "<!--mt:" in text or _PUA_OPEN in text or _PUA_CLOSE in text:
            raise _Refused(f"{name} contains this inliner's placeholder text")
        if name != entry and _has_style(text):
            raise _Refused(f"styles live in {name}, another file of the set")
    source = files[entry]
    regions = _define_regions(source, delims)
    if regions is None:
        raise _Refused("the template does not lex")
    # The entry's document: each define region stands as one placeholder comment.
    root_parts: list[str] = []
    pos = 0
    for k, (s, _, _, e) in enumerate(regions):
        root_parts.append(source[pos:s])
        root_parts.append(f"<!--mt:d{k}-->")
        pos = e
    root_parts.append(source[pos:])
    root = "".join(root_parts)
    if any(_has_style(source[b:c]) for _, b, c, _ in regions):
        raise _Refused("a <style> element inside a {{ define }}")
    styles = re.findall(r"<style\b[^>]*>(.*?)</style", root, re.IGNORECASE | re.DOTALL)
    if not styles:
        raise _Refused("no <style> element in this file")
    css = "\n".join(styles)
    top_level = re.sub(r"@[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", css)  # at-rules are kept, not inlined
    selector_groups = re.findall(r"([^{}]+)\{", top_level)
    if _STRUCTURAL.search(" ".join(selector_groups)):
        raise _Refused("selectors depend on siblings or attributes")

    # Fragments: define bodies of every file, and the root of every file but the entry.
    fragments: list[tuple[str, int, int]] = []  # (file, start, end) of markup inlined on its own
    file_regions: dict[str, list[tuple[int, int, int, int]]] = {entry: regions}
    for name, text in files.items():
        if name != entry:
            found = _define_regions(text, delims)
            if found is None:
                raise _Refused(f"{name} does not lex")
            file_regions[name] = found
            pos = 0
            for s, _, _, e in found:
                fragments.append((name, pos, s))
                pos = e
            fragments.append((name, pos, len(text)))
        fragments.extend((name, b, c) for _, b, c, _ in file_regions[name])
    fragments = [(n, b, c) for n, b, c in fragments if "<" in files[n][b:c]]
    contextual = _contextual_compounds(selector_groups)
    if contextual is None:
        raise _Refused("a selector this check cannot read")
    for name, b, c in fragments:
        hit = _first_match(files[name][b:c], contextual)
        if hit:
            raise _Refused(f"the selector {hit!r} depends on where {{{{ define }}}}d markup is called")

    inlined_root = _inline_piece(root, inline, delims, None)
    done: dict[tuple[str, int, int], str] = {}
    for name, b, c in fragments:
        try:
            piece = _inline_piece(files[name][b:c], inline, delims, css)
        except _Refused as refused:
            raise _Refused(f"{refused.reason} (in {{{{ define }}}}d or partial markup)") from None
        done[(name, b, c)] = piece

    def body(name: str, b: int, c: int) -> str:
        return done.get((name, b, c), files[name][b:c])

    def region(m: re.Match[str]) -> str:
        s, b, c, e = regions[int(m.group(1))]
        return source[s:b] + body(entry, b, c) + source[c:e]

    out = {entry: re.sub(r"<!--mt:d(\d+)-->", region, inlined_root)}
    for name, text in files.items():
        if name == entry:
            continue
        parts: list[str] = []
        pos = 0
        for s, b, c, e in file_regions[name]:
            parts.append(body(name, pos, s))
            parts.append(text[s:b] + body(name, b, c) + text[c:e])
            pos = e
        parts.append(body(name, pos, len(text)))
        out[name] = "".join(parts)
    return out


def _has_style(text: str) -> bool:
    return re.search(r"<style\b", text, re.IGNORECASE) is not None


def _define_regions(source: str, delims: tuple[str, str] | None) -> list[tuple[int, int, int, int]] | None:
    """(start, body start, body end, end) of each ``{{ define }}`` of ``source``: its opening
    action, its body and its ``{{ end }}``. None if the source does not lex."""
    left, right = delims if delims else ("{{", "}}")
    lexer = Lexer("x", source, left, right)
    lexer.emit_comment = True
    regions: list[tuple[int, int, int, int]] = []
    depth = 0
    action_start = 0
    first: ItemType | None = None
    opened: tuple[int, int] | None = None
    while True:
        item = lexer.next_item()
        if item.typ == ItemType.ERROR:
            return None
        if item.typ == ItemType.EOF:
            return regions if depth == 0 else None
        if item.typ == ItemType.LEFT_DELIM:
            action_start, first = item.pos, None
        elif item.typ == ItemType.RIGHT_DELIM:
            action_end = item.pos + len(item.val)
            if first == ItemType.DEFINE and depth == 0:
                opened = (action_start, action_end)
            if first in _OPENERS:
                depth += 1
            elif first == ItemType.END:
                depth -= 1
                if depth == 0 and opened is not None:
                    regions.append((opened[0], opened[1], action_start, action_end))
                    opened = None
        elif first is None and item.typ not in (ItemType.SPACE, ItemType.COMMENT):
            first = item.typ


# Actions that open a structure closed by {{ end }} ({{ else if }} continues one).
_OPENERS = frozenset({ItemType.DEFINE, ItemType.IF, ItemType.RANGE, ItemType.WITH, ItemType.BLOCK})


def _contextual_compounds(groups: list[str]) -> list[tuple[str, frozenset[str], str, str]] | None:
    """For every selector with a descendant or child combinator, its last compound selector as
    (tag or "", classes, id or "", the whole selector). None if a selector is beyond this reading."""
    out: list[tuple[str, frozenset[str], str, str]] = []
    for group in groups:
        for selector in group.split(","):
            selector = selector.strip()
            if not selector:
                continue
            bare = re.sub(r"::?[A-Za-z-]+(\([^)]*\))?", "", selector)  # :hover, ::before
            compounds = re.split(r"\s*>\s*|\s+", bare.strip())
            if len(compounds) < 2:
                continue
            last = compounds[-1]
            m = re.fullmatch(r"([A-Za-z][A-Za-z0-9-]*|\*)?((?:[.#][A-Za-z0-9_-]+)*)", last)
            if m is None:
                return None
            tag = (m.group(1) or "").lower()
            classes = frozenset(re.findall(r"\.([A-Za-z0-9_-]+)", m.group(2)))
            ids = re.findall(r"#([A-Za-z0-9_-]+)", m.group(2))
            out.append(("" if tag == "*" else tag, classes, ids[0] if ids else "", selector))
    return out


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, frozenset[str], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.found.append((tag, frozenset((a.get("class") or "").split()), a.get("id") or ""))


def _first_match(markup: str, compounds: list[tuple[str, frozenset[str], str, str]]) -> str:
    """The first selector whose last compound matches an element of ``markup`` ("" if none)."""
    if not compounds:
        return ""
    p = _Elements()
    p.feed(markup)
    p.close()
    for tag, classes, ident in p.found:
        for want_tag, want_classes, want_id, selector in compounds:
            if (
                (not want_tag or want_tag == tag)
                and want_classes <= classes
                and (not want_id or want_id == ident)
            ):
                return selector
    return ""


def _inline_piece(
    source: str, inline: Callable[[str], str], delims: tuple[str, str] | None, fragment_css: str | None
) -> str:
    """Inline one document (``fragment_css`` None) or one fragment with the given style sheet;
    :class:`_Refused` when that is unsafe."""
    spans = action_spans(source, delims)
    if spans is None:
        raise _Refused("the template does not lex")
    where = _contexts(source, spans)
    if where is None:
        raise _Refused("could not follow the HTML structure")
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
            raise _Refused(f"an action stands where an inliner could change it ({kind} {name})")
        pos = e
    parts.append(source[pos:])
    skeleton = "".join(parts)
    if fragment_css is None:
        out = inline(skeleton)
    else:
        if re.search(r"<(!doctype|html|head|body)\b", skeleton, re.IGNORECASE):
            raise _Refused("a whole document in a {{ define }} or a partial")
        doc = inline(f"<html><head><style>{fragment_css}</style></head><body>{skeleton}</body></html>")
        m = re.search(r"<body[^>]*>(.*)</body>", doc, re.DOTALL)
        if m is None:
            raise _Refused("the inliner changed the document beyond style attributes")
        out = m.group(1)
    found = [
        int(m.group(1) or m.group(2)) for m in re.finditer(_COMMENT_RE.pattern + "|" + _TOKEN_RE.pattern, out)
    ]
    if found != list(range(len(spans))):
        raise _Refused("the inliner moved or dropped template actions")
    if _shape(out) != _shape(skeleton):
        raise _Refused("the inliner changed the document beyond style attributes")

    def restore(m: re.Match[str]) -> str:
        s, e = spans[int(m.group(1) or m.group(2))]
        return source[s:e]

    return re.sub(_COMMENT_RE.pattern + "|" + _TOKEN_RE.pattern, restore, out)

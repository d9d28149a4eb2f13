"""HTML → plain text for the ``text/plain`` part, when a template has no authored plaintext body.

Fast path and reference: :func:`fast_events` (one regular expression) tokenizes the HTML
templates produce; :mod:`html.parser` stays beside it as the fallback for markup the fast
tokenizer refuses, and as the reference the property test in ``tests/test_plaintext.py``
compares its events with. The tree builder is one (``_TreeBuilder``): both feed it.

Over 800 lines because the converter is one walk: the tree builder, the tokenizer that feeds it
and the renderer that lays the tree out share the element model and the block/inline rules;
the optional backends (inscriptis, html2text) are a few lines each.

Pluggable: anything with ``convert(html: str) -> str`` is an :class:`HTMLToText`. Backends, by
name for :func:`get_converter`:

``"builtin"`` (default)
    :class:`EmailTextConverter`, below: stdlib :mod:`html.parser`, no dependencies.
``"inscriptis"``
    inscriptis (Apache-2.0, needs lxml), imported lazily (``pip install mailtemplates[inscriptis]``).
``"html2text"``
    html2text, imported lazily. It is **GPL-3.0-or-later**, so it is opt-in only
    (``pip install mailtemplates[html2text]``) and never a dependency of this Apache-2.0 package.

Why our own converter is the default
------------------------------------
All three were run on ``tests/fixtures/emails/recovery.html``, a 7 KB "bulletproof" recovery email
(nested ``role="presentation"`` tables, hidden preheader, button, code box, details table, list,
social icons, footer, tracking pixel):

* **inscriptis** (strict CSS profile, ``display_links=True``) lays out the nested layout tables as
  text columns, so every line is padded with spaces to the widest cell (178 columns here), it never
  wraps, image-only links come out as ``[](https://twitter.com/example)`` (the ``alt`` text is
  dropped) and headings are indistinguishable from paragraphs. It does hide the ``display:none``
  preheader and the pixel, and its key/value table is legible. It needs lxml and Python ≥ 3.11
  (2.7.x), while this package supports 3.10.
* **html2text** renders the layout tables as Markdown tables (``|`` and ``---|---`` scattered
  through the text), leaks the hidden preheader including its ``&zwnj;`` padding, splits a URL at a
  hyphen when wrapping (``https://auth.example.com/self-`` / ``service/recovery...``), and turns
  ``Didn&#39;t`` inside ``<strong>`` into ``Didn 't``. Output is Markdown (``**bold**``,
  ``[text](url)``, ``![alt](src)``), not plain text. And the licence rules it out as a default.
* **this converter** treats tables as layout unless every cell is a single line of inline content
  (then they are aligned as columns), hides ``display:none`` elements, the ``hidden`` attribute and
  elements whose class or id a top-level ``<style>`` rule sets to ``display: none`` (preheaders,
  desktop-only blocks), writes links as ``text <URL>`` (RFC 3986 appendix C delimiters; the URL alone
  when the text already is the URL; the ``alt`` text for image-only links), underlines ``h1``/``h2``,
  writes ``-`` / ``1.`` list items with hanging indents, and wraps at 78 columns only at spaces, so
  URLs and ``{{ … }}`` template actions are never split.

Speed, same fixture, ``benchmarks/bench_plaintext.py`` (15 interleaved rounds, 2-vCPU dev box,
CPython 3.11.7), median per document: this converter **1.16 ms**, inscriptis 1.08 ms, html2text
2.07 ms (a second, noisier run: 1.30, 1.30 and 2.46 ms). So speed does not decide between us and
inscriptis (within 10 %; about half of our time is ``html.parser`` tokenising, the rest the layout
walk), html2text is 1.8-1.9x slower. Quality, no extra dependency, the licence and Python 3.10
support decide. Where speed matters, convert once per template at load time, or write the
plaintext template (Kratos ships one per flow).

What it does not do: CSS other than ``display: none`` (no ``text-transform``, no ``@media``), column
layouts side by side, ``colspan`` alignment, or bidi reordering. Lines without spaces (CJK text,
long URLs) are not broken.
"""

from __future__ import annotations

import functools
import importlib
import re
import textwrap
import unicodedata
from collections.abc import Callable
from html import unescape as _unescape
from html.parser import HTMLParser
from typing import Any, Protocol, runtime_checkable

from mailtemplates.errors import MailTemplateError

__all__ = [
    "EmailTextConverter",
    "HTML2TextConverter",
    "HTMLToText",
    "InscriptisConverter",
    "get_converter",
    "html_to_text",
]


@runtime_checkable
class HTMLToText(Protocol):
    """Converts a whole HTML document (or fragment) to plain text."""

    def convert(self, html: str) -> str: ...


# -- tree building ---------------------------------------------------------------------------


def _words(s: str) -> frozenset[str]:
    return frozenset(s.split())


_VOID = _words(
    "area base basefont bgsound br col embed frame hr img input keygen link meta param source track wbr"
)
# Content never shown in a mail client's body.
_SKIP = _words("head title style script template noscript svg math iframe object xml select textarea")
# Blocks with a margin (a blank line before and after, collapsing like CSS margins).
_PARA = _words("p h1 h2 h3 h4 h5 h6 ul ol dl blockquote pre hr figure form fieldset")
# Blocks without a margin (start on a new line).
_LINE = _words(
    "div li dt dd tr td th section article header footer main nav aside center figcaption details"
    " summary caption address hgroup legend menu search body html tbody thead tfoot"
)
_BLOCKS = _PARA | _LINE | {"table", "br"}
# Start tags that close an open <p> (HTML5 §13.2.6.4.7, "in body").
_CLOSES_P = (
    _PARA
    | _LINE.difference({"tr", "td", "th", "tbody", "thead", "tfoot", "caption", "body", "html"})
    | {"table"}
)
_CELL = frozenset({"td", "th"})
_SECTION = frozenset({"thead", "tbody", "tfoot"})
_TABLE_TAGS = frozenset({"table", "tr", "td", "th", "thead", "tbody", "tfoot", "caption"})
_SCOPE = frozenset({"table", "td", "th", "caption", "html"})

_DISPLAY_NONE = re.compile(r"(?:^|;)\s*display\s*:\s*none\s*(?:!\s*important\s*)?(?:;|$)", re.I)
_DISPLAY_ANY = re.compile(r"(?:^|;)\s*display\s*:", re.I)


class _El:
    __slots__ = ("attrs", "children", "tag")

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[_El | str] = []


class _TreeBuilder(HTMLParser):
    """A forgiving tree builder: implied end tags for p/li/dt/dd/tr/td/th as HTML5 does them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _El("#root", {})
        self.stack: list[_El] = [self.root]
        self.css: list[str] = []
        self._in_style = False

    def _pop_to(self, tag: str, boundary: frozenset[str]) -> bool:
        for i in range(len(self.stack) - 1, 0, -1):
            t = self.stack[i].tag
            if t == tag:
                del self.stack[i:]
                return True
            if t in boundary:
                return False
        return False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _CLOSES_P:
            self._pop_to("p", _SCOPE)
        if tag == "li":
            self._pop_to("li", frozenset({"ul", "ol"}) | _SCOPE)
        elif tag in ("dt", "dd"):
            if not self._pop_to("dt", frozenset({"dl"}) | _SCOPE):
                self._pop_to("dd", frozenset({"dl"}) | _SCOPE)
        elif tag == "tr":
            self._pop_to("tr", frozenset({"table"}))
        elif tag in _CELL:
            if not self._pop_to("td", frozenset({"tr", "table"})):
                self._pop_to("th", frozenset({"tr", "table"}))
        elif tag in _SECTION:
            for s in _SECTION:
                self._pop_to(s, frozenset({"table"}))
        el = _El(tag, {k: (v if v is not None else "") for k, v in attrs})
        self.stack[-1].children.append(el)
        if tag not in _VOID:
            self.stack.append(el)
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False
        if tag == "br":  # HTML5 parses </br> as <br>
            self.stack[-1].children.append(_El("br", {}))
            return
        if tag in _VOID:
            return
        self._pop_to(tag, frozenset({"table"}) if tag in _TABLE_TAGS else _SCOPE)

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.css.append(data)
        self.stack[-1].children.append(data)

    def replay(self, events: list[Event]) -> None:
        """Build the tree from :func:`fast_events` instead of parsing."""
        for kind, value, attrs in events:
            if kind == "data":
                self.handle_data(value)
            elif kind == "start":
                self.handle_starttag(value, attrs)
            elif kind == "end":
                self.handle_endtag(value)
            else:
                self.handle_startendtag(value, attrs)


# -- a fast tokenizer for the HTML templates produce ------------------------------------------------
#
# html.parser is half the cost of a conversion. Most email HTML is simple enough to tokenize with
# one regular expression: this tokenizer accepts only constructs on which it provably emits what
# html.parser (convert_charrefs=True) emits, the same tags, attributes and text, and gives up on
# anything else (a stray "<", "==", a quote inside an unquoted value, an odd comment, CDATA,
# processing instructions), so the caller falls back to html.parser. tests/test_plaintext.py
# compares the two event streams on random markup.

_ATTR = r"""[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>=`]+))?"""
_TOKEN = re.compile(
    r"(?P<text>[^<]+)"
    r"|<(?P<start>[a-zA-Z][-.a-zA-Z0-9:_]*)(?P<attrs>(?:\s+" + _ATTR + r")*)\s*(?P<close>/?)>"
    r"|</(?P<end>[a-zA-Z][-.a-zA-Z0-9:_]*)\s*>"
    r"|<!--(?:(?!--).)*-->"
    r"|<![dD][oO][cC][tT][yY][pP][eE][^<>]*>",
    re.DOTALL,
)
_ATTR_PARTS = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'<>=`]+))?""")
_RAW_END = {tag: re.compile(r"</\s*" + tag + r"\s*>", re.IGNORECASE) for tag in ("script", "style")}
Event = tuple[str, str, list[tuple[str, str | None]]]


def fast_events(html: str) -> list[Event] | None:
    """html.parser's events for ``html`` ("start", "startend", "end", "data"), or None when the
    document uses anything this tokenizer does not handle exactly as html.parser does."""
    out: list[Event] = []
    pos, n = 0, len(html)
    while pos < n:
        m = _TOKEN.match(html, pos)
        if m is None:
            return None
        pos = m.end()
        kind = m.lastgroup
        if kind == "text":
            out.append(("data", _unescape(m.group("text")), []))
        elif kind == "close":  # a start tag: its last group always takes part
            tag = m.group("start").lower()
            attrs: list[tuple[str, str | None]] = []
            for a in _ATTR_PARTS.finditer(m.group("attrs")):
                value = a.group(2)
                if value is not None and value[:1] in ("'", '"'):
                    value = value[1:-1]
                attrs.append((a.group(1).lower(), _unescape(value) if value else value))
            if m.group("close"):
                out.append(("startend", tag, attrs))
                continue
            out.append(("start", tag, attrs))
            raw_end = _RAW_END.get(tag)
            if raw_end is not None:
                # html.parser's CDATA mode: the text up to the end tag, as it is.
                e = raw_end.search(html, pos)
                if e is None or e.group()[2:3].isspace():
                    return None
                if e.start() > pos:
                    out.append(("data", html[pos : e.start()], []))
                out.append(("end", tag, []))
                pos = e.end()
        elif kind == "end":
            out.append(("end", m.group("end").lower(), []))
        # comments and the doctype: nothing the tree builder uses
    return out


@functools.lru_cache(maxsize=64)  # every render of one template carries the same <style>
def _hidden_selectors(css: str) -> tuple[frozenset[str], frozenset[str]]:
    """Classes and ids that a top-level rule (not inside @media etc.) sets to ``display: none``."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    classes: set[str] = set()
    ids: set[str] = set()
    depth = 0
    start = 0
    selector = ""
    for m in re.finditer(r"[{}]", css):
        if m.group() == "{":
            if depth == 0:
                selector = css[start : m.start()]
                # A previous at-rule statement like "@import ...;" ends at its semicolon.
                selector = selector.rsplit(";", 1)[-1]
            depth += 1
            start = m.end()
        else:
            depth = max(depth - 1, 0)
            if depth == 0:
                body = css[start : m.start()]
                if not selector.strip().startswith("@") and _DISPLAY_NONE.search(body):
                    for sel in selector.split(","):
                        sm = re.fullmatch(r"\s*[a-zA-Z0-9]*([.#])([\w-]+)\s*", sel)
                        if sm:
                            (classes if sm.group(1) == "." else ids).add(sm.group(2))
            start = m.end()
    return frozenset(classes), frozenset(ids)


# -- rendering -------------------------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r\f]+")
_BR = "\x00"  # line-break marker inside the inline buffer
_GLUE = "\ue000"  # stands for a space that wrapping must not break at (restored afterwards)
_PROTECT = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_INVISIBLE = dict.fromkeys(map(ord, "\xad\u200b\u034f\u2060\ufeff"))
_BLANKISH = re.compile(r"[\s\u200b-\u200d\u2060\ufeff\u034f\xad]*\Z")


# Characters that are not one column wide: combining marks, East Asian wide/fullwidth ranges and
# emoji. A quick screen so that ordinary Latin text (with ’ — © etc.) is measured with len().
_NOT_NARROW = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f\u0900-\u0dff"
    "\u1100-\u115f\u1ab0-\u1aff\u1dc0-\u1dff\u200b-\u200f\u20d0-\u20ff\u2e80-\ua4cf"
    "\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe00-\ufe0f\ufe20-\ufe6f\uff00-\uff60"
    "\uffe0-\uffe6\U0001f000-\U0001faff\U00020000-\U0003fffd]"
)


def _width(s: str) -> int:
    """Display width in a monospace font (for aligning table columns and underlines)."""
    if s.isascii() or not _NOT_NARROW.search(s):
        return len(s)
    w = 0
    for ch in s:
        if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\u200e\u200f":
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def _shared_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def _glue(s: str) -> str:
    return s.replace(" ", _GLUE)


def _url_for(href: str) -> str | None:
    href = href.strip()
    low = href.lower()
    if not href or href.startswith("#") or low.startswith(("javascript:", "data:", "vbscript:")):
        return None
    if low.startswith("mailto:"):
        return href[7:].split("?", 1)[0] or None
    return href


def _same_target(text: str, url: str) -> bool:
    def norm(s: str) -> str:
        s = s.strip().lower()
        s = re.sub(r"^(?:https?://|mailto:)", "", s)
        return s.rstrip("/")

    return norm(text) == norm(url)


class _Renderer:
    def __init__(self, width: int, hidden: tuple[frozenset[str], frozenset[str]]) -> None:
        self.width = width
        self.hidden = hidden
        self.lines: list[str] = []
        self.inline: list[str] = []
        self.sep = 0
        self.prefix: list[str] = []
        self.last_prefix = ""
        self.marker: str | None = None
        self.flushes = 0
        self.link_alts: list[str] | None = None
        self.lists = 0
        self._wrapper = textwrap.TextWrapper(
            break_long_words=False, break_on_hyphens=False, expand_tabs=False, replace_whitespace=False
        )

    # output

    def _prefixes(self) -> tuple[str, str]:
        cont = "".join(self.prefix)
        if self.marker is not None:
            first = "".join(self.prefix[:-1]) + self.marker
            self.marker = None
            return first, cont
        return cont, cont

    def emit(self, lines: list[str]) -> None:
        if not lines:
            return
        first, cont = self._prefixes()
        if self.lines and self.sep >= 2:
            # The blank line between two blocks carries only the prefix they share: none between
            # a paragraph and a following quote, ">" between two quoted paragraphs.
            self.lines.append(_shared_prefix(self.last_prefix, cont).rstrip())
        self.lines.append(first + lines[0])
        self.lines.extend(cont + line if line else cont.rstrip() for line in lines[1:])
        self.last_prefix = cont
        self.sep = 0

    def block(self, level: int) -> None:
        self.flush()
        self.sep = max(self.sep, level)

    def avail(self) -> int:
        if self.width <= 0:
            return 0
        if not self.prefix:
            return self.width
        return max(self.width - _width("".join(self.prefix)), 20)

    def wrap(self, text: str) -> list[str]:
        width = self.avail()
        # textwrap counts code points, so the fits-test does too.
        if width <= 0 or len(text) <= width:
            return [text.replace(_GLUE, " ")]
        text = _PROTECT.sub(lambda m: _glue(m.group()), text)
        self._wrapper.width = width
        return [line.replace(_GLUE, " ") for line in self._wrapper.wrap(text)]

    def paragraph_lines(self) -> list[str]:
        raw = "".join(self.inline)
        self.inline = []
        segments = [_WS.sub(" ", s).strip() for s in raw.split(_BR)]
        while segments and not segments[-1]:
            segments.pop()
        while segments and not segments[0]:
            segments.pop(0)
        out: list[str] = []
        for seg in segments:
            out.extend(self.wrap(seg) if seg else [""])
        return out

    def flush(self, underline: str = "") -> None:
        if not self.inline:
            return
        lines = self.paragraph_lines()
        if lines and not all(_BLANKISH.match(line) for line in lines):
            if underline:
                lines.append(underline * max(_width(line) for line in lines))
            self.emit(lines)
            self.flushes += 1

    def result(self) -> list[str]:
        self.flush()
        out: list[str] = []
        for line in self.lines:
            line = line.translate(_INVISIBLE).replace("\xa0", " ").rstrip()
            if _BLANKISH.match(line):
                line = ""
            if line or (out and out[-1]):
                out.append(line)
        while out and not out[-1]:
            out.pop()
        return out

    # walking

    def is_hidden(self, el: _El) -> bool:
        a = el.attrs
        if not a:
            return False
        if "hidden" in a:
            return True
        style = a.get("style")
        if style and "display" in style.lower():
            if _DISPLAY_NONE.search(style):
                return True
            if _DISPLAY_ANY.search(style):
                return False  # an inline display declaration overrides the class rule
        classes, ids = self.hidden
        if classes or ids:
            if a.get("id") in ids:
                return True
            if classes and any(c in classes for c in a.get("class", "").split()):
                return True
        return False

    def children(self, el: _El) -> None:
        for child in el.children:
            if isinstance(child, str):
                # Indentation between block tags: nothing to say, and skipping it saves flushes.
                if self.inline or not child.isspace():
                    self.inline.append(child)
            else:
                self.element(child)

    def element(self, el: _El) -> None:
        tag = el.tag
        if tag in _SKIP or self.is_hidden(el):
            return
        handler = _HANDLERS.get(tag)
        if handler is not None:
            handler(self, el)
        elif tag in _PARA:
            self.block(2)
            self.children(el)
            self.block(2)
        elif tag in _LINE:
            self.block(1)
            self.children(el)
            self.block(1)
        else:
            self.children(el)

    def br(self, el: _El) -> None:
        self.inline.append(_BR)

    def heading(self, el: _El) -> None:
        self.block(2)
        self.children(el)
        self.flush(underline="=" if el.tag == "h1" else "-" if el.tag == "h2" else "")
        self.block(2)

    def img(self, el: _El) -> None:
        alt = _WS.sub(" ", el.attrs.get("alt", "")).strip()
        if not alt:
            return
        if self.link_alts is not None:
            self.link_alts.append(alt)  # used only if the link has no text of its own
        else:
            self.inline.append(alt)

    def link(self, el: _El) -> None:
        url = _url_for(el.attrs.get("href", ""))
        start, flushes = len(self.inline), self.flushes
        outer, self.link_alts = self.link_alts, []
        self.children(el)
        alts, self.link_alts = self.link_alts, outer
        if self.flushes != flushes:  # the link wrapped blocks: put the URL after them
            if url:
                self.inline.append(f" <{_glue(url)}>")
            return
        text = _WS.sub(" ", "".join(self.inline[start:]).replace(_BR, " ")).strip()
        if not text and alts:
            text = " ".join(alts)
            self.inline.append(text)
        if not text or url is None or _same_target(text, url):
            return
        self.inline.append(f" <{_glue(url)}>")

    def pre(self, el: _El) -> None:
        self.block(2)
        parts: list[str] = []

        def collect(node: _El) -> None:
            for c in node.children:
                if isinstance(c, str):
                    parts.append(c)
                elif c.tag == "br":
                    parts.append("\n")
                elif c.tag not in _SKIP and not self.is_hidden(c):
                    collect(c)

        collect(el)
        text = "".join(parts)
        if text.startswith("\n"):  # HTML drops one newline right after <pre>
            text = text[1:]
        self.emit([line.rstrip() for line in text.rstrip("\n").split("\n")])
        self.block(2)

    def hr(self, el: _El) -> None:
        self.block(2)
        self.emit(["-" * min(40, self.avail() or 40)])
        self.block(2)

    def blockquote(self, el: _El) -> None:
        self.block(2)
        self.prefix.append("> ")
        self.children(el)
        self.block(2)
        self.prefix.pop()

    def list_(self, el: _El) -> None:
        nested = self.lists > 0
        self.lists += 1
        self.block(1 if nested else 2)
        ordered = el.tag == "ol"
        try:
            n = int(el.attrs.get("start", "1"))
        except ValueError:
            n = 1
        for child in el.children:
            if isinstance(child, str):
                if child.strip():  # stray text in a list: its own line
                    self.block(1)
                    self.inline.append(child)
                    self.block(1)
                continue
            if child.tag != "li":
                self.element(child)
                continue
            if self.is_hidden(child):
                continue
            marker = f"{n}. " if ordered else "- "
            n += 1
            self.block(1)
            self.prefix.append(" " * len(marker))
            self.marker = marker
            self.children(child)
            self.block(1)
            self.prefix.pop()
            self.marker = None
        self.lists -= 1
        self.block(1 if nested else 2)

    # tables

    def table(self, el: _El) -> None:
        rows: list[list[_El]] = []
        caption: list[_El] = []

        def collect(node: _El) -> None:
            for c in node.children:
                if isinstance(c, str) or self.is_hidden(c):
                    continue
                if c.tag == "tr":
                    rows.append(
                        [
                            td
                            for td in c.children
                            if isinstance(td, _El) and td.tag in _CELL and not self.is_hidden(td)
                        ]
                    )
                elif c.tag in _SECTION:
                    collect(c)
                elif c.tag == "caption":
                    caption.append(c)

        collect(el)
        grid = self.grid(rows) if all(_inline_only(td) for row in rows for td in row) else None
        if grid is not None:
            for c in caption:
                self.element(c)
            self.block(2)
            self.emit(grid)
            self.block(2)
            return
        # A layout table, or a data table too wide to align: cells become blocks in document order.
        # Rows of a data table (two or more rows with two or more cells) are kept apart by a blank
        # line so that the cells of one row stay visibly together.
        multi = sum(1 for row in rows if sum(1 for td in row if _has_content(td)) >= 2)
        row_level = (
            2 if grid is None and multi >= 2 and all(_inline_only(td) for r in rows for td in r) else 1
        )
        self.block(row_level)
        self.children_of_table(el, row_level)
        self.block(row_level)

    def children_of_table(self, el: _El, row_level: int) -> None:
        # Text that sits directly in the table (e.g. template actions between rows) stays in place.
        for c in el.children:
            if isinstance(c, str):
                if c.strip():
                    self.inline.append(c)
            elif c.tag in _SECTION or c.tag == "tr":
                if not self.is_hidden(c):
                    self.block(row_level if c.tag == "tr" else 1)
                    self.children_of_table(c, row_level)
                    self.block(row_level if c.tag == "tr" else 1)
            else:
                self.element(c)

    def grid(self, rows: list[list[_El]]) -> list[str] | None:
        """Align a table whose cells are each one line of inline content, if it fits the width."""
        cells: list[list[str]] = []
        for row in rows:
            texts = []
            for td in row:
                sub = _Renderer(0, self.hidden)
                sub.children(td)
                lines = sub.result()
                if len(lines) > 1:
                    return None
                texts.append(lines[0] if lines else "")
            if any(texts):
                cells.append(texts)
        if not cells or max(sum(1 for t in row if t) for row in cells) < 2:
            return None
        ncols = max(len(r) for r in cells)
        widths = [max((_width(r[i]) for r in cells if i < len(r)), default=0) for i in range(ncols)]
        keep = [i for i in range(ncols) if widths[i]]
        avail = self.avail()
        if avail and sum(widths[i] for i in keep) + 2 * (len(keep) - 1) > avail:
            return None
        out = []
        for r in cells:
            parts = [r[i] if i < len(r) else "" for i in keep]
            line = "  ".join(p + " " * (widths[i] - _width(p)) for i, p in zip(keep, parts, strict=True))
            out.append(line.rstrip())
        return out


def _has_content(el: _El) -> bool:
    for c in el.children:
        if isinstance(c, str):
            if c.strip():
                return True
        elif (c.tag == "img" and c.attrs.get("alt", "").strip()) or _has_content(c):
            return True
    return False


def _inline_only(el: _El) -> bool:
    for c in el.children:
        if isinstance(c, _El) and (c.tag in _BLOCKS or c.tag in _TABLE_TAGS or not _inline_only(c)):
            return False
    return True


_HANDLERS: dict[str, Callable[[_Renderer, _El], None]] = {
    "br": _Renderer.br,
    "h1": _Renderer.heading,
    "h2": _Renderer.heading,
    "h3": _Renderer.heading,
    "h4": _Renderer.heading,
    "h5": _Renderer.heading,
    "h6": _Renderer.heading,
    "img": _Renderer.img,
    "a": _Renderer.link,
    "pre": _Renderer.pre,
    "hr": _Renderer.hr,
    "blockquote": _Renderer.blockquote,
    "ul": _Renderer.list_,
    "ol": _Renderer.list_,
    "table": _Renderer.table,
}


class EmailTextConverter:
    """The default converter: stdlib parser, tuned for transactional email (see module docstring).

    ``width`` is the wrap column (``0``: no wrapping, e.g. when converting template *source* whose
    lines will change length once rendered).
    """

    def __init__(self, width: int = 78) -> None:
        self.width = width

    def convert(self, html: str) -> str:
        builder = _TreeBuilder()
        events = fast_events(html)
        if events is None:
            builder.feed(html)
            builder.close()
        else:
            builder.replay(events)
        hidden = _hidden_selectors("".join(builder.css)) if builder.css else (frozenset(), frozenset())
        r = _Renderer(self.width, hidden)
        r.children(builder.root)
        lines = r.result()
        return "\n".join(lines) + "\n" if lines else ""


# -- optional backends -----------------------------------------------------------------------


def _require(module: str, install: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise MailTemplateError(
            f"the {module!r} plaintext backend needs the {module} package: pip install {install}"
        ) from e


class InscriptisConverter:
    """inscriptis (Apache-2.0) with the strict CSS profile and links shown as ``[text](URL)``."""

    def __init__(self) -> None:
        self._inscriptis = _require("inscriptis", "mailtemplates[inscriptis]")
        config_mod = importlib.import_module("inscriptis.model.config")
        profiles = importlib.import_module("inscriptis.css_profiles")
        self._config = config_mod.ParserConfig(css=profiles.CSS_PROFILES["strict"], display_links=True)

    def convert(self, html: str) -> str:
        text = self._inscriptis.get_text(html, self._config)
        lines = [line.rstrip() for line in str(text).splitlines()]
        return "\n".join(lines).strip("\n") + "\n" if any(lines) else ""


class HTML2TextConverter:
    """html2text (GPL-3.0-or-later, opt-in): Markdown-flavoured text."""

    def __init__(self, width: int = 78) -> None:
        self._module = _require("html2text", "mailtemplates[html2text]")
        self.width = width

    def convert(self, html: str) -> str:
        # HTML2Text is an HTMLParser: one instance per document.
        h = self._module.HTML2Text()
        h.body_width = self.width
        h.unicode_snob = True  # "—" rather than "--"
        h.wrap_links = False
        h.ignore_images = True
        return str(h.handle(html)).strip("\n") + "\n"


_BACKENDS: dict[str, Callable[[], HTMLToText]] = {
    "builtin": EmailTextConverter,
    "inscriptis": InscriptisConverter,
    "html2text": HTML2TextConverter,
}


def get_converter(name: str = "builtin") -> HTMLToText:
    """Return a converter by backend name: ``builtin`` (default), ``inscriptis`` or ``html2text``."""
    try:
        factory = _BACKENDS[name]
    except KeyError:
        raise MailTemplateError(
            f"unknown plaintext backend {name!r}; choose one of: {', '.join(sorted(_BACKENDS))}"
        ) from None
    return factory()


_DEFAULT = EmailTextConverter()


def html_to_text(html: str) -> str:
    """Convert with the default converter (78 columns)."""
    return _DEFAULT.convert(html)

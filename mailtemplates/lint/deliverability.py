"""Deliverability checks (``MT2xx``): what spam filters and mail clients make of a template's text.

They read the templates' own text (:func:`~.scan.masked`), never the values inserted into it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from ..gotmpl import nodes, quote
from ..loader import PART_STEMS
from .codes import MAX_IMAGES, MAX_LINKS, Diagnostic, diag
from .files import TemplateFile
from .scan import MASK, excerpt, masked, text_nodes

__all__ = ["check_sender", "check_text"]

# Public shorteners (the ones mailbox providers' and URL block lists see most).
_SHORTENERS = (
    "bit.ly", "bitly.com", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly",
    "cutt.ly", "shorturl.at", "tiny.cc", "t.ly", "rb.gy", "bl.ink", "v.gd", "s.id", "lnkd.in", "shorte.st",
    "adf.ly", "soo.gd", "clck.ru", "qr.ae",
)  # fmt: skip
_HOSTS = "|".join(re.escape(h) for h in _SHORTENERS)
_SHORTENER_RE = re.compile(
    rf"(?i)(?://(?:www\.)?({_HOSTS})(?=[/:?#\"'\s<>)\0]|$))|(?:(?<![\w.@/-])(?:www\.)?({_HOSTS})/)"
)
_LINK_RE = re.compile(r"(?is)<a\b[^>]*?\bhref\s*=")
_IMG_RE = re.compile(r"(?is)<img\b[^>]*>?")
_ALT_RE = re.compile(r"(?i)(?<![\w-])alt\s*=")
_HTTP_ATTR_RE = re.compile(r"(?i)\b(?:href|src|background|action|poster)\s*=\s*[\"']?\s*(http://)")
_HTTP_TEXT_RE = re.compile(r"(?i)(?<![\w/])http://(?=[\w\[])")
_MARKUP_RE = re.compile(
    r"(?i)<(?:!doctype|html|head|body|p|div|span|table|tr|td|a(?=\s)|br|img|strong|em|b|i|h[1-6]|ul|ol|li)\b[^>]*>"
)
# The value of an srcdoc attribute (quoted, or unquoted up to a space or '>').
_SRCDOC_RE = re.compile(r"""(?i)(?<![\w-])srcdoc\s*=\s*("[^"]*"?|'[^']*'?|[^\s>]*)""")
_BANGS_RE = re.compile(r"[!！]{2,}")
_NOREPLY_RE = re.compile(r"(?i)^(?:no|do[-_.]?not)[-_.]?reply")


def check_text(f: TemplateFile) -> Iterator[Diagnostic]:
    """The deliverability checks of one parsed file of a template folder."""
    assert f.trees is not None
    if f.stem == PART_STEMS["body"]:
        for tree in f.trees.values():
            yield from check_html(f, tree)
    elif f.stem == PART_STEMS["plaintext"]:
        yield from check_plaintext(f)
    elif f.stem == PART_STEMS["subject"]:
        for tree in f.trees.values():
            yield from check_subject(f, tree)
    for tree in f.trees.values():
        text = masked(tree)
        for m in _SHORTENER_RE.finditer(text) if _occurs(text, _SHORTENERS) else ():
            host = m.group(1) or m.group(2)
            start = m.start(1) if m.group(1) else m.start(2)
            line, _, col = tree.location(start)
            yield diag(
                "MT202",
                f.path,
                line,
                col,
                f"link through the URL shortener {host.lower()}",
                "link to your own domain",
            )
        if f.stem == PART_STEMS["plaintext"]:
            for m in _HTTP_TEXT_RE.finditer(text) if _occurs(text, ("http://",)) else ():
                line, _, col = tree.location(m.start())
                yield diag("MT206", f.path, line, col, "link over http://", "use https://")


# The characters other than ASCII capitals that (?i) matches to an ASCII letter and that
# str.lower() does not turn into it (it does turn the Kelvin sign into k).
_UNLOWERED = ("\u0130", "\u0131", "\u017f")


def _occurs(text: str, words: tuple[str, ...]) -> bool:
    """Whether one of ``words`` (lower-case ASCII) occurs in ``text`` as a case-insensitive
    expression would find it. False means an expression that needs one of them cannot match:
    the ones below try their alternatives at every position, which was most of a lint run's
    deliverability time (issue 17)."""
    lowered = _lowered(text)
    return lowered is None or any(w in lowered for w in words)


@functools.lru_cache(maxsize=16)
def _lowered(text: str) -> str | None:
    """``text.lower()``, None when it has a character of :data:`_UNLOWERED`: each masked text is
    asked about several words (a string's hash is computed once, then kept by the string)."""
    if any(c in text for c in _UNLOWERED):
        return None
    return text.lower()


def where(tree: nodes.Tree) -> str:
    return "" if tree.name == tree.parse_name else f" in {{{{define {quote(tree.name)}}}}}"


def check_html(f: TemplateFile, tree: nodes.Tree) -> Iterator[Diagnostic]:
    text = masked(tree)
    links = list(_LINK_RE.finditer(text))
    if len(links) > MAX_LINKS:
        line, _, col = tree.location(links[MAX_LINKS].start())
        yield diag(
            "MT203",
            f.path,
            line,
            col,
            f"{len(links)} links{where(tree)} (more than {MAX_LINKS}): this is link {MAX_LINKS + 1}",
        )
    images = list(_IMG_RE.finditer(text))
    if len(images) > MAX_IMAGES:
        line, _, col = tree.location(images[MAX_IMAGES].start())
        yield diag(
            "MT204",
            f.path,
            line,
            col,
            f"{len(images)} images{where(tree)} (more than {MAX_IMAGES}): this is image {MAX_IMAGES + 1}",
        )
    for m in images:
        if not _ALT_RE.search(m.group()):
            line, _, col = tree.location(m.start())
            yield diag(
                "MT205",
                f.path,
                line,
                col,
                "<img> without an alt attribute",
                'add alt="..." (alt="" for a decorative image)',
            )
    for m in _SRCDOC_RE.finditer(text) if _occurs(text, ("srcdoc",)) else ():
        if MASK in m.group(1):
            line, _, col = tree.location(m.start())
            yield diag(
                "MT210",
                f.path,
                line,
                col,
                f"template data in srcdoc ({excerpt(tree, m.start(), m.end())}): the frame's document is "
                "built from it, so markup in the data runs there",
                "write the frame's document in the template, or link to the content",
            )
    for m in _HTTP_ATTR_RE.finditer(text) if _occurs(text, ("http://",)) else ():
        line, _, col = tree.location(m.start(1))
        yield diag("MT206", f.path, line, col, "link over http://", "use https://")


def check_plaintext(f: TemplateFile) -> Iterator[Diagnostic]:
    assert f.trees is not None
    root = f.trees.get(f.name)
    if f.role in ("generic", "locale") and (root is None or nodes.is_empty_tree(root.root)):
        yield diag(
            "MT201",
            f.path,
            0,
            0,
            "the plaintext template renders nothing: the text/plain part is "
            "empty and the message is effectively HTML-only",
        )
        return
    for tree in f.trees.values():
        m = _MARKUP_RE.search(masked(tree))
        if m:
            line, _, col = tree.location(m.start())
            yield diag(
                "MT201",
                f.path,
                line,
                col,
                f"HTML markup ({excerpt(tree, m.start(), m.end())}) in the plaintext template: text clients show the tags "
                "and spam filters see an HTML-only message",
                "write the plaintext body as text",
            )
            return


def check_subject(f: TemplateFile, tree: nodes.Tree) -> Iterator[Diagnostic]:
    first: int | None = None
    cased: list[str] = []
    for node in text_nodes(tree):
        for i, ch in enumerate(node.text):
            if ch.isupper() or ch.islower():
                if first is None:
                    first = node.pos + i
                cased.append(ch)
        for m in _BANGS_RE.finditer(node.text):
            line, _, col = tree.location(node.pos + m.start())
            yield diag("MT208", f.path, line, col, f"{m.group()!r} in the subject", "use at most one '!'")
    if first is not None and len(cased) >= 5 and all(ch.isupper() for ch in cased):
        line, _, col = tree.location(first)
        yield diag(
            "MT207",
            f.path,
            line,
            col,
            f"the subject{where(tree)} is all capital letters",
            "write it in sentence case",
        )


def check_sender(from_address: str) -> Diagnostic | None:
    """MT209 for a no-reply sender address."""
    from email.utils import parseaddr  # only with --from-address: email.utils costs ~13 ms to import

    addr = parseaddr(from_address)[1] or from_address
    local = addr.rsplit("@", 1)[0].strip()
    if _NOREPLY_RE.match(local):
        return diag(
            "MT209",
            "",
            0,
            0,
            f"the sender {addr} is a no-reply address: replies bounce",
            "send from an address that is read, such as support@ or accounts@",
        )
    return None

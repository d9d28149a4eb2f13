"""Email-client compatibility (``MT401``, ``MT402``): the HTML and CSS an HTML template uses that
the clients a team targets do not support, or support in part, by the caniemail data.

The data is ``data/caniemail.json``, compiled by ``tools/build_caniemail.py`` from the caniemail
npm package (MIT, ``data/LICENSE.caniemail``): per feature, its support per client family,
platform and tested version. A client's support on a platform is its most recent tested version's
(caniemail lists versions oldest first; an "unknown" result falls back to the one before).

What is looked at is what reaches the client after mailtemplates' CSS inlining (``css-inline``
with at-rules kept): the template's elements and attributes; every declaration of its ``style``
attributes and of the style sheet's plain rules, which end up inline (their selectors do not
reach the client, and rules with pseudo-elements or user-action pseudo-classes such as ``:hover``
are dropped by the inliner);
the at-rules, which stay in ``<style>`` with everything inside them (selectors included). The
template's own text is read (:func:`~.scan.masked`), so positions are the source's and values
inserted by actions are not seen. Which feature a piece of HTML or CSS is comes from the
feature's title in the data (``<abbr> element``, ``align attribute``, ``border-radius``,
``clamp()``, ``:hover``), plus the table :data:`_EXTRA` for what titles do not spell out.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import MailTemplateError
from ..gotmpl import nodes
from .codes import DEFAULT_CLIENTS, Diagnostic, diag
from .files import TemplateFile
from .scan import MASK, masked

__all__ = ["DEFAULT_CLIENTS", "Clients", "check_compat", "features_used", "parse_clients"]

DATA = Path(__file__).parent / "data" / "caniemail.json"

#: family -> platforms to check (None: all of the family's).
Clients = Mapping[str, "frozenset[str] | None"]


@functools.cache
def _data() -> dict[str, Any]:
    with open(DATA, encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def parse_clients(spec: str | Iterable[str] | None) -> dict[str, frozenset[str] | None]:
    """``"gmail,outlook.windows"`` -> ``{"gmail": None, "outlook": {"windows"}}``; ``"all"`` is
    every client of the data, ``"none"`` none (the check is off), None :data:`DEFAULT_CLIENTS`.
    Raises MailTemplateError naming the known clients or platforms for a name the data lacks."""
    data = _data()
    items = spec.split(",") if isinstance(spec, str) else list(spec) if spec is not None else DEFAULT_CLIENTS
    out: dict[str, set[str] | None] = {}
    for raw in (i.strip() for i in items):
        if not raw or raw == "none":
            continue
        if raw == "all":
            out.update(dict.fromkeys(data["clients"]))
            continue
        family, _, platform = raw.partition(".")
        if family not in data["clients"]:
            raise MailTemplateError(
                f"unknown email client {family!r}; known: all, {', '.join(data['clients'])}"
            )
        if not platform:
            out[family] = None
        elif platform not in data["platforms"]:
            raise MailTemplateError(f"unknown platform {platform!r}; known: {', '.join(data['platforms'])}")
        elif family not in out or out[family] is not None:
            platforms = out.get(family) or set()
            assert platforms is not None
            out[family] = {*platforms, platform}
    return {k: frozenset(v) if v is not None else None for k, v in out.items()}


# --- which feature a piece of HTML or CSS is ----------------------------------------------------

# Only the keywords some feature is about (scanning every word of every value costs more).
_KEYWORDS = ("system-ui", "ui-serif", "ui-sans-serif", "ui-rounded", "ui-monospace", "fit-content",
             "min-content", "max-content", "initial")  # fmt: skip

# What the titles do not say (feature slug -> what it covers), in this module's own terms.
_EXTRA: dict[str, tuple[str, ...]] = {
    "html-lists": ("tag:ul", "tag:ol", "tag:dl"),
    "html-h1-h6": tuple(f"tag:h{i}" for i in range(1, 7)),
    "html-semantics": tuple(
        f"tag:{t}"
        for t in [
            "article",
            "aside",
            "details",
            "figcaption",
            "figure",
            "footer",
            "header",
            "main",
            "mark",
            "nav",
            "section",
            "summary",
            "time",
        ]
    ),
    "html-image-maps": ("tag:map", "tag:area", "attr:usemap"),
    "html-svg": ("tag:svg",),
    "html-address": ("tag:address",),
    "html-srcset": ("attr:srcset", "attr:sizes"),
    "css-inert-attribute": ("attr:inert",),
    "html-button-reset": ("input:button/reset",),
    "html-button-submit": ("input:button/submit",),
    "html-meta-color-scheme": ("meta:color-scheme",),
    "html-anchor-links": ("href:#",),
    "html-mailto-links": ("href:mailto:",),
    "html-doctype": ("doctype",),
    "html-comments": ("html-comment",),
    "css-comments": ("css-comment",),
    "css-important": ("important",),
    "css-variables": ("function:var", "custom-property"),
    "css-unit-calc": ("function:calc",),
    "css-display-flex": ("value:display:flex", "value:display:inline-flex"),
    "css-display-grid": ("value:display:grid", "value:display:inline-grid"),
    "css-display-none": ("value:display:none",),
    "css-flex-direction": ("value:flex-direction:column", "value:flex-direction:column-reverse"),
    "css-flex-wrap": ("value:flex-wrap:wrap", "value:flex-wrap:wrap-reverse"),
    "css-sytem-ui": tuple(f"keyword:{k}" for k in _KEYWORDS[:5]),
    "css-intrinsic-size": tuple(f"keyword:{k}" for k in _KEYWORDS[5:8]),
    "css-unit-initial": ("keyword:initial",),
    "css-unit-percent": ("unit:%",),
    "css-at-media-prefers-color-scheme": ("media:prefers-color-scheme",),
    "css-at-media-prefers-reduced-motion": ("media:prefers-reduced-motion",),
    "css-at-media-orientation": ("media:orientation",),
    "css-at-media-hover": ("media:hover", "media:any-hover"),
    "css-at-media-device-pixel-ratio": (
        "media:-webkit-device-pixel-ratio",
        "media:-webkit-min-device-pixel-ratio",
        "media:-webkit-max-device-pixel-ratio",
    ),
    "css-pseudo-class-lang": ("pseudo:lang",),
    "css-pseudo-class-not": ("pseudo:not",),
    "css-selector-adjacent-sibling": ("selector:+",),
    "css-selector-attribute": ("selector:[",),
    "css-selector-chaining": ("selector:chain",),
    "css-selector-child": ("selector:>",),
    "css-selector-class": ("selector:.",),
    "css-selector-descendant": ("selector: ",),
    "css-selector-general-sibling": ("selector:~",),
    "css-selector-grouping": ("selector:,",),
    "css-selector-id": ("selector:#",),
    "css-selector-type": ("selector:type",),
    "css-selector-universal": ("selector:*",),
    "css-nesting": ("nesting",),
    # Longhands of a shorthand caniemail tests as one feature.
    "css-border": tuple(
        f"prop:border-{side}{what}"
        for side in ("", "top-", "right-", "bottom-", "left-")
        for what in ("width", "style", "color")
    )
    + tuple(f"prop:border-{side}" for side in ("top", "right", "bottom", "left")),
    "css-margin": tuple(f"prop:margin-{side}" for side in ("top", "right", "bottom", "left")),
    "css-padding": tuple(f"prop:padding-{side}" for side in ("top", "right", "bottom", "left")),
    "css-border-inline-block-individual": tuple(
        f"prop:border-{axis}-{what}"
        for axis in ("inline", "block")
        for what in ("color", "style", "width", "start", "end")
    ),
    "css-border-inline-block-longhand": tuple(
        f"prop:border-{axis}-{edge}-{what}"
        for axis in ("inline", "block")
        for edge in ("start", "end")
        for what in ("color", "style", "width")
    ),
    "css-border-radius-logical": tuple(
        f"prop:border-{a}-{b}-radius" for a in ("start", "end") for b in ("start", "end")
    ),
    "css-column-layout-properties": (
        "prop:columns",
        "prop:column-fill",
        "prop:column-rule",
        "prop:column-rule-color",
        "prop:column-rule-style",
        "prop:column-rule-width",
        "prop:column-span",
        "prop:column-width",
    ),
    "css-grid-template": (
        "prop:grid-template",
        "prop:grid-template-areas",
        "prop:grid-template-columns",
        "prop:grid-template-rows",
    ),
    "css-color-scheme": ("prop:color-scheme",),
    "css-overflow": ("prop:overflow-block", "prop:overflow-inline"),
    "css-inset": tuple(
        f"prop:inset-{axis}{edge}" for axis in ("block", "inline") for edge in ("", "-start", "-end")
    ),
    "image-jpg": ("image:jpeg",),
    "image-tiff": ("image:tif",),
    "image-heif": ("image:heic",),
    "image-base64": ("image:data",),
}
# Value features replace the property's own feature for that declaration (display:flex is
# "display:flex", not also "display").
_VALUE_PROPS = frozenset(k.split(":")[1] for keys in _EXTRA.values() for k in keys if k.startswith("value:"))
_PROPERTY = re.compile(r"-?[a-z][a-z0-9-]*")


@functools.cache
def _index() -> dict[str, str]:
    """Lookup key (``tag:abbr``, ``prop:border-radius``, ``function:clamp``...) -> feature slug."""
    index: dict[str, str] = {}
    feats = _data()["features"]
    for slug, info in feats.items():
        title: str = info["title"].strip()
        cat: str = info["category"]
        if cat == "html":
            if m := re.fullmatch(r"<([a-z0-9]+)>(?: element)?", title):
                index.setdefault(f"tag:{m.group(1)}", slug)
            elif m := re.fullmatch(r'<(input|button) type="([a-z]+)"> element', title):
                index.setdefault(f"input:{m.group(1)}/{m.group(2)}", slug)
            elif m := re.fullmatch(r"([a-z-]+) attribute", title):
                index.setdefault(f"attr:{m.group(1)}", slug)
        elif cat == "image" and slug.startswith("image-"):
            index.setdefault(f"image:{slug[6:]}", slug)
        elif cat == "css":
            if m := re.fullmatch(r"::?([a-z-]+)(?:\(\))?", title):  # :hover, ::after, :has()
                index.setdefault(f"pseudo:{m.group(1)}", slug)
            elif m := re.fullmatch(r"@([a-z-]+)", title):
                index.setdefault(f"at:{m.group(1)}", slug)
            elif m := re.fullmatch(r"([a-z]+) unit", title):
                index.setdefault(f"unit:{m.group(1)}", slug)
            elif fns := re.findall(r"([a-z-]+)\(\)", title):
                for fn in fns:
                    index.setdefault(f"function:{fn}", slug)
            else:
                pieces = [
                    p.removesuffix(" property").removesuffix(" shorthand").strip()
                    for p in re.split(r",\s*|\s*&\s*", title)
                ]
                if all(_PROPERTY.fullmatch(p) for p in pieces):
                    for p in pieces:
                        index.setdefault(f"prop:{p}", slug)
    for slug, keys in _EXTRA.items():
        if slug in feats:
            for key in keys:
                index[key] = slug
    return index


# --- reading HTML and CSS (template text, masked) ------------------------------------------------

_TAG = re.compile(r"<(!--|!doctype\b|[a-zA-Z][a-zA-Z0-9-]*)", re.I)
_ATTR = re.compile(r"""([^\s"'<>/=\0]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]*))?""")
_UNIT = re.compile(
    r"(?<![\w.#-])-?(?:\d+\.?\d*|\.\d+)(px|em|rem|%|vh|vw|vmin|vmax|ch|ex|cm|mm|in|pt|pc)(?![\w-])"
)
_FUNCTION = re.compile(r"(?<![\w-])([a-zA-Z-]+)\(")
_WORD = re.compile(r"(?<![\w-])(" + "|".join(_KEYWORDS) + r")(?![\w-])")
_STRINGS = re.compile(r"\"[^\"]*\"|'[^']*'|url\([^)]*\)", re.I)
_IMAGE_EXT = re.compile(r"\.([a-z0-9]{3,4})(?:[?#]|$)", re.I)


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    """``text`` with ``pattern``'s matches replaced by spaces (positions unchanged)."""
    return pattern.sub(lambda m: " " * len(m.group()), text)


def _declarations(css: str, base: int, out: list[tuple[str, int]]) -> None:
    """Properties, values, functions, units and keywords of a declaration list at ``base``."""
    text = _blank(css, _STRINGS)
    pos = 0
    for chunk in text.split(";"):
        start = base + pos
        pos += len(chunk) + 1
        name, colon, value = chunk.partition(":")
        prop = name.strip().lower()
        if not colon or not prop:
            continue
        at = start + len(name) - len(name.lstrip())
        vat = start + len(name) + 1
        if prop.startswith("--"):
            out.append(("custom-property", at))
        elif prop in _VALUE_PROPS:
            # The value's own feature when caniemail has one (display:flex), else the property's.
            word = value.lower().replace("!important", "").strip()
            out.append((f"value:{prop}:{word}", at))
            out.append((f"prop:{prop}", at))
        else:
            out.append((f"prop:{prop}", at))
        if "!important" in value.lower():
            out.append(("important", vat + value.lower().index("!important")))
        for m in _FUNCTION.finditer(value):
            out.append((f"function:{m.group(1).lower()}", vat + m.start()))
        for m in _UNIT.finditer(value):
            out.append((f"unit:{m.group(1).lower()}", vat + m.start()))
        for m in _WORD.finditer(value.lower()):
            out.append((f"keyword:{m.group(1)}", vat + m.start()))


def _selectors(sel: str, base: int, out: list[tuple[str, int]]) -> None:
    text = _blank(sel, re.compile(r"\"[^\"]*\"|'[^']*'"))
    for m in re.finditer(r"::?([a-zA-Z-]+)", text):
        out.append((f"pseudo:{m.group(1).lower()}", base + m.start()))
    plain = re.sub(r"\[[^\]]*\]|\([^)]*\)", lambda m: "[" + " " * (len(m.group()) - 1), text)
    if "," in plain:
        out.append(("selector:,", base + plain.index(",")))
    for part in plain.split(","):
        part_at = base + plain.index(part) if part else base
        compounds = [c for c in re.split(r"\s*[>+~]\s*|\s+", part.strip()) if c]
        for sym in ">+~":
            if sym in part:
                out.append((f"selector:{sym}", part_at + part.index(sym)))
        if re.search(r"[^\s>+~,]\s+[^\s>+~,]", part.strip()):
            out.append(("selector: ", part_at))
        for c in compounds:
            simple = re.findall(r"[.#][\w-]+|\[|::?[\w-]+|\*|^[a-zA-Z][\w-]*", c)
            if len(simple) > 1:
                out.append(("selector:chain", part_at + max(part.find(c), 0)))
            for s in simple:
                key = {".": "selector:.", "#": "selector:#", "[": "selector:[", "*": "selector:*"}.get(s[0])
                if key is None and s[0].isalpha():
                    key = "selector:type"
                if key:
                    out.append((key, part_at + max(part.find(c), 0)))


def _stylesheet(css: str, base: int, out: list[tuple[str, int]], kept: bool) -> None:
    """The rules of a style sheet (or of an at-rule's block). Plain rules outside at-rules are
    inlined (``kept`` False): their declarations count, their selectors do not."""
    for m in re.finditer(r"/\*", css):
        out.append(("css-comment", base + m.start()))
    text = re.sub(r"/\*.*?(?:\*/|$)", lambda m: " " * len(m.group()), css, flags=re.S)
    text = _blank(text, re.compile(r"\"[^\"]*\"|'[^']*'"))
    i, n = 0, len(text)
    while i < n:
        brace = text.find("{", i)
        semi = text.find(";", i)
        if text[i:].strip() == "":
            return
        if text[i:].lstrip().startswith("@") and (brace < 0 or 0 <= semi < brace):
            # A statement at-rule: @import url(...);
            at = i + len(text[i:]) - len(text[i:].lstrip())
            name = re.match(r"@([\w-]+)", text[at:])
            if name:
                out.append((f"at:{name.group(1).lower()}", base + at))
            i = semi + 1 if semi >= 0 else n
            continue
        if brace < 0:
            return
        end = _matching(text, brace)
        prelude = text[i:brace]
        at = i + len(prelude) - len(prelude.lstrip())
        body = css[brace + 1 : end]
        if prelude.strip().startswith("@"):
            name = re.match(r"@([\w-]+)", prelude.strip())
            kind = name.group(1).lower() if name else ""
            kind = "keyframes" if kind.endswith("keyframes") else kind
            out.append((f"at:{kind}", base + at))
            if kind == "media":
                for f in re.finditer(r"\(\s*(?:min-|max-)?(-?[a-z][a-z-]*)", prelude):
                    out.append((f"media:{f.group(1)}", base + i + f.start(1)))
            if kind in ("media", "supports", "document", "layer", "container"):
                _stylesheet(body, base + brace + 1, out, kept=True)
            elif kind in ("font-face", "page"):
                _declarations(body, base + brace + 1, out)
        else:
            if not kept and _UNINLINABLE.search(prelude):
                i = end + 1  # the inliner drops rules no element matches statically (:hover, ::before)
                continue
            if kept:
                _selectors(prelude.strip(), base + at, out)
            if "{" in text[brace + 1 : end]:
                out.append(("nesting", base + brace + 1 + text[brace + 1 : end].index("{")))
            _declarations(body.split("{")[0], base + brace + 1, out)
        i = end + 1


_BRACES = re.compile(r"[{}]")
# Selectors css-inline cannot apply to an element (it drops their rules): pseudo-elements and the
# pseudo-classes of user action and state. Structural ones (:first-child, :not(), :root) it inlines.
_UNINLINABLE = re.compile(
    r"::|:(?:hover|active|focus|focus-visible|focus-within|visited|target|checked)(?![\w-])", re.I
)


def _matching(text: str, open_at: int) -> int:
    """The position of the ``}`` that closes the ``{`` at ``open_at`` (the end if none does)."""
    depth = 0
    for m in _BRACES.finditer(text, open_at):
        depth += 1 if m.group() == "{" else -1
        if depth == 0:
            return m.start()
    return len(text)


def features_used(html: str) -> list[tuple[str, int]]:
    """(lookup key, position) of every feature-shaped thing in ``html``, in source order.

    ``html`` is a template's masked text: template actions are :data:`~.scan.MASK` characters,
    which never match a name or a value here.
    """
    return [(key, base + at) for base, feats in _pieces(html) for key, at in feats]


_Features = tuple[tuple[str, int], ...]
_COMMENT: _Features = (("html-comment", 0),)


def _pieces(html: str) -> list[tuple[int, _Features]]:
    """:func:`features_used` by piece of markup (a comment, a start tag, a style sheet): where
    each starts and its features, positions in it. Equal pieces give the same tuple."""
    out: list[tuple[int, _Features]] = []
    i = 0
    lower = html.lower()
    while (m := _TAG.search(html, i)) is not None:
        name = m.group(1).lower()
        if name == "!--":
            out.append((m.start(), _COMMENT))
            end = html.find("-->", m.end())
            i = end + 3 if end >= 0 else len(html)
            continue
        end = html.find(">", m.end())
        end = len(html) if end < 0 else end
        start = m.start()
        # A folder's templates repeat the same tags and style sheet (one per language): each
        # distinct one is read once.
        out.append((start, _tag_features(html[start:end])))
        if name == "style":
            close = lower.find("</style", end)
            close = len(html) if close < 0 else close
            out.append((end + 1, _sheet_features(html[end + 1 : close])))
            i = close
            continue
        i = end + 1
    return out


@functools.lru_cache(maxsize=4096)
def _tag_features(tag: str) -> tuple[tuple[str, int], ...]:
    """The features of one start tag (``<name attr=...``, without its ``>``), positions in it."""
    m = _TAG.match(tag)
    if m is None:  # pragma: no cover - callers pass what _TAG found
        return ()
    name = m.group(1).lower()
    if name == "!doctype":
        return (("doctype", 0),)
    out: list[tuple[str, int]] = [(f"tag:{name}", 0)]
    attrs: dict[str, tuple[str, int]] = {}
    for a in _ATTR.finditer(tag, m.end()):
        aname = a.group(1).lower()
        value = (a.group(2) or "").strip("\"'")
        attrs.setdefault(aname, (value, a.start(2) + 1 if a.group(2) else a.start()))
        out.append((f"attr:{aname}", a.start()))
    if name in ("input", "button") and "type" in attrs:
        out.append((f"input:{name}/{attrs['type'][0].lower()}", 0))
    if name == "meta" and attrs.get("name", ("",))[0].lower() == "color-scheme":
        out.append(("meta:color-scheme", 0))
    if "href" in attrs:
        href = attrs["href"][0]
        if href.startswith("#"):
            out.append(("href:#", attrs["href"][1]))
        elif href.lower().startswith("mailto:"):
            out.append(("href:mailto:", attrs["href"][1]))
    if name == "img" and "src" in attrs and MASK not in attrs["src"][0]:
        src = attrs["src"][0].lower()
        ext = "data" if src.startswith("data:") else (e.group(1) if (e := _IMAGE_EXT.search(src)) else "")
        if ext:
            out.append((f"image:{ext}", attrs["src"][1]))
    if "style" in attrs:
        value, at = attrs["style"]
        _declarations(value, at, out)
    return tuple(out)


@functools.lru_cache(maxsize=256)
def _sheet_features(css: str) -> tuple[tuple[str, int], ...]:
    out: list[tuple[str, int]] = []
    _stylesheet(css, 0, out, kept=False)
    return tuple(out)


# --- the check -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Verdict:
    unsupported: dict[str, list[str]]
    partial: dict[str, list[str]]


def _latest(cells: str) -> str:
    """The support of the most recent tested version ("u" falls back to the one before)."""
    flags = [c.rsplit("=", 1)[1] for c in cells.split()]
    known = [f for f in flags if f != "u"]
    return known[-1] if known else "u"


@functools.cache
def _verdict(slug: str, clients: tuple[tuple[str, frozenset[str] | None], ...]) -> _Verdict:
    support = _data()["features"][slug]["support"]
    unsupported: dict[str, list[str]] = {}
    partial: dict[str, list[str]] = {}
    for family, only in clients:
        for platform, cells in support.get(family, {}).items():
            if only is not None and platform not in only:
                continue
            flag = _latest(cells)
            if flag == "n":
                unsupported.setdefault(family, []).append(platform)
            elif flag == "a":
                partial.setdefault(family, []).append(platform)
    return _Verdict(unsupported, partial)


def _names(found: dict[str, list[str]]) -> str:
    data = _data()
    return ", ".join(
        f"{data['clients'][fam]} ({', '.join(data['platforms'].get(p, p) for p in plats)})"
        for fam, plats in found.items()
    )


def _counted(feats: _Features, index: dict[str, str]) -> tuple[tuple[str, int], ...]:
    """(slug, position) of the first use of each feature a piece of markup counts for: a
    property is not counted in a declaration whose value has a feature of its own (the
    value and the property of a declaration are in the same piece, at the same position)."""
    out: dict[str, int] = {}
    valued: set[int] = set()
    for what, at in feats:
        slug = index.get(what)
        if slug is None:
            continue
        if what.startswith("value:"):
            valued.add(at)
        elif at in valued and what.startswith("prop:"):
            continue
        out.setdefault(slug, at)
    return tuple(out.items())


def check_compat(
    files: Iterable[TemplateFile], clients: Clients, ignore: frozenset[str] = frozenset()
) -> Iterator[Diagnostic]:
    """MT401/MT402 for the HTML body files of one template folder: one diagnostic per feature,
    at its first use in the generic file (else the first file using it), counting the others
    (a folder's locale files usually share their markup)."""
    if not clients:
        return
    index = _index()
    # What each piece of markup counts for, found once: a folder's body files (one per language)
    # repeat the same tags and style sheet, thousands of features in all.
    counted: dict[int, tuple[_Features, tuple[tuple[str, int], ...]]] = {}
    key = tuple(sorted(clients.items()))
    first: dict[str, tuple[TemplateFile, nodes.Tree, int]] = {}
    users: dict[str, set[str]] = {}
    for f in sorted(files, key=lambda f: (f.role != "generic", f.name)):
        for tree in (f.trees or {}).values():
            if nodes.is_empty_tree(tree.root):
                continue
            here: set[str] = set()  # slugs this tree was counted for: the rest of its uses add nothing
            for base, feats in _pieces(masked(tree)):
                hit = counted.get(id(feats))
                if hit is None or hit[0] is not feats:
                    hit = counted[id(feats)] = (feats, _counted(feats, index))
                for slug, at in hit[1]:
                    if slug in here or slug in ignore:
                        continue
                    here.add(slug)
                    seen = users.get(slug)
                    if seen is None:
                        users[slug] = {f.name}
                        first[slug] = (f, tree, base + at)
                    else:
                        seen.add(f.name)
    for slug, (f, tree, pos) in first.items():
        verdict = _verdict(slug, key)
        if not verdict.unsupported and not verdict.partial:
            continue
        info = _data()["features"][slug]
        line, _, col = tree.location(pos)
        parts = []
        if verdict.unsupported:
            parts.append(f"not supported in {_names(verdict.unsupported)}")
        if verdict.partial:
            parts.append(f"partly supported in {_names(verdict.partial)}")
        more = len(users[slug]) - 1
        also = f" (also used in {more} more file{'s' if more > 1 else ''} of this folder)" if more else ""
        yield diag(
            "MT401" if verdict.unsupported else "MT402",
            f.path,
            line,
            col,
            f"{info['title']} is {'; '.join(parts)} [{slug}]{also}",
            f"see {info['url']}",
        )

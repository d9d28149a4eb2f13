"""What kind of content an HTML attribute holds: Go's ``attr.go`` and the content types of ``content.go``.

Follows Go 1.26 ``src/html/template/attr.go`` and ``content.go``.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["ContentType", "attr_type", "go_lower"]


class ContentType(IntEnum):
    """Go's ``contentType``: the kind of trusted content a value is (plain for all data)."""

    PLAIN = 0
    CSS = 1
    HTML = 2
    HTML_ATTR = 3
    JS = 4
    JS_STR = 5
    URL = 6
    SRCSET = 7
    UNSAFE = 8


_P = ContentType.PLAIN
_U = ContentType.UNSAFE
_URL = ContentType.URL

# attrTypeMap: derived from HTML5 and the %URI attributes of HTML4. Event handlers ("on...") are
# left out: attr_type treats every "on" prefix as script.
_ATTR_TYPES: dict[str, ContentType] = {
    "accept": _P,
    "accept-charset": _U,
    "action": _URL,
    "alt": _P,
    "archive": _URL,
    "async": _U,
    "autocomplete": _P,
    "autofocus": _P,
    "autoplay": _P,
    "background": _URL,
    "border": _P,
    "checked": _P,
    "cite": _URL,
    "challenge": _U,
    "charset": _U,
    "class": _P,
    "classid": _URL,
    "codebase": _URL,
    "cols": _P,
    "colspan": _P,
    "content": _U,
    "contenteditable": _P,
    "contextmenu": _P,
    "controls": _P,
    "coords": _P,
    "crossorigin": _U,
    "data": _URL,
    "datetime": _P,
    "default": _P,
    "defer": _U,
    "dir": _P,
    "dirname": _P,
    "disabled": _P,
    "draggable": _P,
    "dropzone": _P,
    "enctype": _U,
    "for": _P,
    "form": _U,
    "formaction": _URL,
    "formenctype": _U,
    "formmethod": _U,
    "formnovalidate": _U,
    "formtarget": _P,
    "headers": _P,
    "height": _P,
    "hidden": _P,
    "high": _P,
    "href": _URL,
    "hreflang": _P,
    "http-equiv": _U,
    "icon": _URL,
    "id": _P,
    "ismap": _P,
    "keytype": _U,
    "kind": _P,
    "label": _P,
    "lang": _P,
    "language": _U,
    "list": _P,
    "longdesc": _URL,
    "loop": _P,
    "low": _P,
    "manifest": _URL,
    "max": _P,
    "maxlength": _P,
    "media": _P,
    "mediagroup": _P,
    "method": _U,
    "min": _P,
    "multiple": _P,
    "name": _P,
    "novalidate": _U,
    "open": _P,
    "optimum": _P,
    "pattern": _U,
    "placeholder": _P,
    "poster": _URL,
    "profile": _URL,
    "preload": _P,
    "pubdate": _P,
    "radiogroup": _P,
    "readonly": _P,
    "rel": _U,
    "required": _P,
    "reversed": _P,
    "rows": _P,
    "rowspan": _P,
    "sandbox": _U,
    "spellcheck": _P,
    "scope": _P,
    "scoped": _P,
    "seamless": _P,
    "selected": _P,
    "shape": _P,
    "size": _P,
    "sizes": _P,
    "span": _P,
    "src": _URL,
    "srcdoc": ContentType.HTML,
    "srclang": _P,
    "srcset": ContentType.SRCSET,
    "start": _P,
    "step": _P,
    "style": ContentType.CSS,
    "tabindex": _P,
    "target": _P,
    "title": _P,
    "type": _U,
    "usemap": _URL,
    "value": _U,
    "width": _P,
    "wrap": _P,
    "xmlns": _URL,
}


def attr_type(name: str) -> ContentType:
    """``attrType``: a conservative guess at what the lower-case attribute ``name`` holds."""
    if name.startswith("data-"):
        # data-action and friends get the same heuristics as their plain names.
        name = name[5:]
    elif ":" in name:
        prefix, _, short = name.partition(":")
        if prefix == "xmlns":
            return ContentType.URL
        # svg:href and xlink:href are hrefs.
        name = short
    t = _ATTR_TYPES.get(name)
    if t is not None:
        return t
    if name.startswith("on"):
        return ContentType.JS
    # Custom attributes that carry URLs usually say so in their names (g:tweetUrl, data-src).
    if "src" in name or "uri" in name or "url" in name:
        return ContentType.URL
    return ContentType.PLAIN


def go_lower(s: str) -> str:
    """``strings.ToLower``: simple (one-to-one) case mapping per rune, no context rules.

    Python's ``str.lower`` differs on U+0130 (two runes) and on a final sigma.
    """
    if s.isascii():
        return s.lower()
    out = []
    for ch in s:
        if ch == "\u0130":
            out.append("i")
            continue
        low = ch.lower()
        out.append(low if len(low) == 1 else ch)
    return "".join(out)

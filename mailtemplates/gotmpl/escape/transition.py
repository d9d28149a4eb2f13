"""The context transition table: Go's ``html/template/transition.go``.

A transition function takes a context and some template text (UTF-8 bytes, as Go sees it) and
returns the context after a prefix of the text and the number of bytes of that prefix. The
escaper calls them until the text is used up. Working on bytes keeps every offset, and so every
edit of a text node, the same as Go's.

Follows Go 1.26 ``src/html/template/transition.go``.
"""

from __future__ import annotations

from collections.abc import Callable

from ..gostrconv import quote
from .attr import ContentType, attr_type, go_lower
from .context import Attr, Context, Delim, Element, JsCtx, State, UrlPart, is_comment, is_in_script_literal
from .css import decode_css, ends_with_css_keyword
from .error import Error, errorf
from .js import next_js_ctx

__all__ = [
    "ATTR_START_STATES",
    "TRANSITIONS",
    "TRANSITIONS_AT",
    "Transition",
    "TransitionAt",
    "eat_attr_name",
    "eat_tag_name",
    "eat_white_space",
    "index_tag_end",
    "quote_bytes",
    "special_tag_end_marker",
    "t_special_tag_end",
]

Transition = Callable[[Context, bytes], tuple[Context, int]]
#: A transition reading ``s[start:]`` in place (the states between tags, :data:`TRANSITIONS_AT`).
TransitionAt = Callable[[Context, bytes, int], tuple[Context, int]]

_WHITE = frozenset(b" \t\n\f\r")


def quote_bytes(b: bytes, precision: int | None = None) -> str:
    """fmt's ``%q`` (or ``%.Nq``: at most N runes of input) of a byte slice."""
    s = b.decode("utf-8", "surrogateescape")
    if precision is not None:
        s = s[:precision]
    return quote(s)


def _error(err: Error) -> Context:
    return Context(state=State.ERROR, err=err)


def _index_any(s: bytes, chars: bytes, start: int = 0) -> int:
    """``bytes.IndexAny`` for ASCII ``chars``: the first index >= start, or -1."""
    best = -1
    for ch in chars:
        i = s.find(bytes((ch,)), start)
        if i != -1 and (best == -1 or i < best):
            best = i
    return best


def eat_white_space(s: bytes, i: int) -> int:
    """``eatWhiteSpace``: the end of the HTML white space starting at ``i``."""
    n = len(s)
    while i < n and s[i] in _WHITE:
        i += 1
    return i


def _ascii_alpha(c: int) -> bool:
    return 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A


def _ascii_alnum(c: int) -> bool:
    return _ascii_alpha(c) or 0x30 <= c <= 0x39


_ELEMENT_NAMES = {
    b"script": Element.SCRIPT,
    b"style": Element.STYLE,
    b"textarea": Element.TEXTAREA,
    b"title": Element.TITLE,
    b"meta": Element.META,
}


def eat_tag_name(s: bytes, i: int) -> tuple[int, Element]:
    """``eatTagName``: the end of the tag name at ``i`` and the special element it names."""
    n = len(s)
    if i == n or not _ascii_alpha(s[i]):
        return i, Element.NONE
    j = i + 1
    while j < n:
        x = s[j]
        if _ascii_alnum(x):
            j += 1
            continue
        # "x-y" and "x:y", but not "x-", "-y" or "x--y".
        if x in b":-" and j + 1 < n and _ascii_alnum(s[j + 1]):
            j += 2
            continue
        break
    return j, _ELEMENT_NAMES.get(s[i:j].lower(), Element.NONE)


def eat_attr_name(s: bytes, i: int, origin: int = 0) -> tuple[int, Error | None]:
    """``eatAttrName``: the end of the attribute name at ``i``; quotes and ``<`` are errors
    (which quote the text from ``origin`` on, where the transition started)."""
    for j in range(i, len(s)):
        c = s[j]
        if c in b" \t\n\f\r=>":
            return j, None
        if c in b"'\"<":
            # A parse warning in HTML5, and a sign of a broken template.
            return -1, errorf(
                "ErrBadHTML",
                None,
                None,
                0,
                f"{quote_bytes(s[j : j + 1])} in attribute name: {quote_bytes(s[origin:], 32)}",
            )
    return len(s), None


# The transitions of the states between tags take ``start``: they read ``s[start:]`` as Go's
# read their slice, without the copy (the escaper calls them once per tag and attribute, and
# copying the rest of a large text node each time made escaping quadratic in its length).


# Looked up once: see escape._TEXT.
_TAG, _ATTR_NAME, _AFTER_NAME = State.TAG, State.ATTR_NAME, State.AFTER_NAME
_NO_ELEMENT, _SCRIPT, _META, _NO_ATTR = Element.NONE, Element.SCRIPT, Element.META, Attr.NONE
# The attribute kind of each content type an attribute name may have (others: Attr.NONE).
_ATTR_OF_CONTENT = {
    ContentType.URL: Attr.URL,
    ContentType.CSS: Attr.STYLE,
    ContentType.JS: Attr.SCRIPT,
    ContentType.SRCSET: Attr.SRCSET,
}


def t_text(c: Context, s: bytes, start: int = 0) -> tuple[Context, int]:
    """``tText``: look for the next tag or comment."""
    k = start
    n = len(s)
    while True:
        i = s.find(b"<", k)
        if i == -1 or i + 1 == n:
            return c, n - start
        if s.startswith(b"<!--", i):
            return Context(state=State.HTML_CMT), i + 4 - start
        i += 1
        end = False
        if s[i] == 0x2F:  # "/"
            if i + 1 == n:
                return c, n - start
            end, i = True, i + 1
        j, e = eat_tag_name(s, i)
        if j != i:
            if end:
                e = _NO_ELEMENT
            # An HTML tag.
            return Context(_TAG, element=e), j - start
        k = j


_ELEMENT_CONTENT_STATE = {
    Element.NONE: State.TEXT,
    Element.SCRIPT: State.JS,
    Element.STYLE: State.CSS,
    Element.TEXTAREA: State.RCDATA,
    Element.TITLE: State.RCDATA,
    Element.META: State.TEXT,
}


def t_tag(c: Context, s: bytes, start: int = 0) -> tuple[Context, int]:
    """``tTag``: inside a tag, before an attribute name or the end of the tag."""
    i = eat_white_space(s, start)
    if i == len(s):
        return c, len(s) - start
    if s[i] == 0x3E:  # ">"
        # <meta> has no end tag: go straight back to text.
        if c.element == Element.META:
            return Context(state=State.TEXT, element=Element.NONE), i + 1 - start
        return Context(state=_ELEMENT_CONTENT_STATE[c.element], element=c.element), i + 1 - start
    j, err = eat_attr_name(s, i, start)
    if err is not None:
        return _error(err), len(s) - start
    if i == j:
        return _error(
            errorf(
                "ErrBadHTML",
                None,
                None,
                0,
                f"expected space, attr name, or end of tag, but got {quote_bytes(s[i:])}",
            )
        ), len(s) - start
    attr_name = go_lower(s[i:j].decode("utf-8", "surrogateescape"))
    element = c.element
    if element == _SCRIPT and attr_name == "type":
        attr = Attr.SCRIPT_TYPE
    elif element == _META and attr_name == "content":
        attr = Attr.META_CONTENT
    else:
        attr = _ATTR_OF_CONTENT.get(attr_type(attr_name), _NO_ATTR)
    state = _ATTR_NAME if j == len(s) else _AFTER_NAME
    return Context(state, element=element, attr=attr), j - start


def t_attr_name(c: Context, s: bytes) -> tuple[Context, int]:
    """``tAttrName``."""
    i, err = eat_attr_name(s, 0)
    if err is not None:
        return _error(err), len(s)
    if i != len(s):
        c = c.with_(state=State.AFTER_NAME)
    return c, i


def t_after_name(c: Context, s: bytes, start: int = 0) -> tuple[Context, int]:
    """``tAfterName``: between an attribute name and its ``=``."""
    i = eat_white_space(s, start)
    if i == len(s):
        return c, len(s) - start
    if s[i] != 0x3D:  # "="
        # The end of the tag, or an attribute without a value.
        return c.with_(state=State.TAG), i - start
    return c.with_(state=State.BEFORE_VALUE), i + 1 - start


#: attrStartStates: the state at the start of a value of each kind of attribute.
ATTR_START_STATES = {
    Attr.NONE: State.ATTR,
    Attr.SCRIPT: State.JS,
    Attr.SCRIPT_TYPE: State.ATTR,
    Attr.STYLE: State.CSS,
    Attr.URL: State.URL,
    Attr.SRCSET: State.SRCSET,
    Attr.META_CONTENT: State.META_CONTENT,
}


def t_before_value(c: Context, s: bytes, start: int = 0) -> tuple[Context, int]:
    """``tBeforeValue``: after ``=``, find the delimiter of the value."""
    i = eat_white_space(s, start)
    if i == len(s):
        return c, len(s) - start
    delim = Delim.SPACE_OR_TAG_END
    if s[i] == 0x27:
        delim, i = Delim.SINGLE_QUOTE, i + 1
    elif s[i] == 0x22:
        delim, i = Delim.DOUBLE_QUOTE, i + 1
    return c.with_(state=ATTR_START_STATES[c.attr], delim=delim), i - start


def t_html_cmt(c: Context, s: bytes) -> tuple[Context, int]:
    """``tHTMLCmt``."""
    i = s.find(b"-->")
    if i != -1:
        return Context(), i + 3
    return c, len(s)


_SPECIAL_TAG_END_MARKERS = {
    Element.SCRIPT: b"script",
    Element.STYLE: b"style",
    Element.TEXTAREA: b"textarea",
    Element.TITLE: b"title",
    Element.META: b"",
}
_TAG_END_SEPARATORS = b"> \t\n\f/"


def t_special_tag_end(c: Context, s: bytes) -> tuple[Context, int]:
    """``tSpecialTagEnd``: raw text and RCDATA bodies end only at their own end tag."""
    if c.element != Element.NONE:
        # "</script" inside a JS literal or comment does not end the script; it is escaped.
        if c.element == Element.SCRIPT and (is_in_script_literal(c.state) or is_comment(c.state)):
            return c, len(s)
        i = index_tag_end(s, _SPECIAL_TAG_END_MARKERS[c.element])
        if i != -1:
            return Context(), i
    return c, len(s)


def special_tag_end_marker(c: Context) -> bytes | None:
    """The tag name whose end tag ends ``c``'s element (what ``t_special_tag_end`` looks for),
    or None where it looks for none."""
    if c.element == Element.NONE:
        return None
    if c.element == Element.SCRIPT and (is_in_script_literal(c.state) or is_comment(c.state)):
        return None
    return _SPECIAL_TAG_END_MARKERS[c.element]


def index_tag_end(s: bytes, tag: bytes) -> int:
    """``indexTagEnd``: where ``</tag`` plus a separator starts, case-insensitively, or -1."""
    res = 0
    plen = 2
    while s:
        i = s.find(b"</")
        if i == -1:
            return -1
        s = s[i + plen :]
        if len(tag) <= len(s) and s[: len(tag)].lower() == tag:
            s = s[len(tag) :]
            if s and s[0] in _TAG_END_SEPARATORS:
                return res + i
            res += len(tag)
        res += i + plen
    return -1


def t_attr(c: Context, s: bytes) -> tuple[Context, int]:
    """``tAttr``."""
    return c, len(s)


def t_url(c: Context, s: bytes) -> tuple[Context, int]:
    """``tURL``: note whether the URL has reached its query or fragment."""
    if b"#" in s or b"?" in s:
        c = c.with_(url_part=UrlPart.QUERY_OR_FRAG)
    elif len(s) != eat_white_space(s, 0) and c.url_part == UrlPart.NONE:
        # HTML5 allows spaces around URLs in attributes.
        c = c.with_(url_part=UrlPart.PRE_QUERY)
    return c, len(s)


def t_js(c: Context, s: bytes) -> tuple[Context, int]:
    """``tJS``: JS code, looking for strings, comments, regexps and template literal braces."""
    i = _index_any(s, b"\"`'/{}<-#")
    if i == -1:
        # No string, comment or regexp token.
        return c.with_(js_ctx=next_js_ctx(s, c.js_ctx)), len(s)
    c = c.with_(js_ctx=next_js_ctx(s[:i], c.js_ctx))
    ch = s[i]
    n = len(s)
    if ch == 0x22:
        c = c.with_(state=State.JS_DQ_STR, js_ctx=JsCtx.REGEXP)
    elif ch == 0x27:
        c = c.with_(state=State.JS_SQ_STR, js_ctx=JsCtx.REGEXP)
    elif ch == 0x60:
        c = c.with_(state=State.JS_TMPL_LIT, js_ctx=JsCtx.REGEXP)
    elif ch == 0x2F:
        if i + 1 < n and s[i + 1] == 0x2F:
            c, i = c.with_(state=State.JS_LINE_CMT), i + 1
        elif i + 1 < n and s[i + 1] == 0x2A:
            c, i = c.with_(state=State.JS_BLOCK_CMT), i + 1
        elif c.js_ctx == JsCtx.REGEXP:
            c = c.with_(state=State.JS_REGEXP)
        elif c.js_ctx == JsCtx.DIV_OP:
            c = c.with_(js_ctx=JsCtx.REGEXP)
        else:
            return _error(
                errorf(
                    "ErrSlashAmbig",
                    None,
                    None,
                    0,
                    f"'/' could start a division or regexp: {quote_bytes(s[i:], 32)}",
                )
            ), n
    elif ch == 0x3C:
        # HTML-like comments (ECMAScript Annex B.1.1) act as line comments.
        if i + 3 < n and s[i : i + 4] == b"<!--":
            c, i = c.with_(state=State.JS_HTML_OPEN_CMT), i + 3
    elif ch == 0x2D:
        if i + 2 < n and s[i : i + 3] == b"-->":
            c, i = c.with_(state=State.JS_HTML_CLOSE_CMT), i + 2
    elif ch == 0x23:
        # A hashbang comment line.
        if i + 1 < n and s[i + 1] == 0x21:
            c, i = c.with_(state=State.JS_LINE_CMT), i + 1
    elif ch == 0x7B:
        # Brace depth only matters inside a template literal interpolation.
        depth = c.js_brace_depth
        if not depth:
            return c.with_(js_ctx=next_js_ctx(s[i : i + 1], c.js_ctx)), i + 1
        c = c.with_(js_brace_depth=(*depth[:-1], depth[-1] + 1), js_ctx=next_js_ctx(s[i : i + 1], c.js_ctx))
    elif ch == 0x7D:
        depth = c.js_brace_depth
        if not depth:
            return c.with_(js_ctx=next_js_ctx(s[i : i + 1], c.js_ctx)), i + 1
        # An escaped "\}" counts as "}": JS has no valid program with one here anyway.
        top = depth[-1] - 1
        if top >= 0:
            return c.with_(
                js_brace_depth=(*depth[:-1], top), js_ctx=next_js_ctx(s[i : i + 1], c.js_ctx)
            ), i + 1
        c = c.with_(js_brace_depth=depth[:-1], state=State.JS_TMPL_LIT)
    return c, i + 1


def _partial_escape(s: bytes, what: str) -> tuple[Context, int]:
    return _error(
        errorf("ErrPartialEscape", None, None, 0, f"unfinished escape sequence in {what}: {quote_bytes(s)}")
    ), len(s)


def t_js_tmpl(c: Context, s: bytes) -> tuple[Context, int]:
    """``tJSTmpl``: a JS template literal, up to its end or a ``${``."""
    k = 0
    n = len(s)
    while True:
        i = _index_any(s, b"`\\$", k)
        if i == -1:
            break
        ch = s[i]
        if ch == 0x5C:
            i += 1
            if i == n:
                return _partial_escape(s, "JS string")
        elif ch == 0x24:
            if n >= i + 2 and s[i + 1] == 0x7B:
                depth = c.js_brace_depth or ()
                return c.with_(js_brace_depth=(*depth, 0), state=State.JS), i + 2
        else:
            return c.with_(state=State.JS), i + 1
        k = i + 1
    return c, n


def t_js_delimited(c: Context, s: bytes) -> tuple[Context, int]:
    """``tJSDelimited``: JS strings and regexp literals, up to their closing delimiter."""
    if c.state == State.JS_SQ_STR:
        specials = b"\\'"
    elif c.state == State.JS_REGEXP:
        specials = b"\\/[]"
    else:
        specials = b'\\"'
    k, in_charset = 0, False
    n = len(s)
    while True:
        i = _index_any(s, specials, k)
        if i == -1:
            break
        ch = s[i]
        if ch == 0x5C:
            i += 1
            if i == n:
                return _partial_escape(s, "JS string")
        elif ch == 0x5B:
            in_charset = True
        elif ch == 0x5D:
            in_charset = False
        elif ch == 0x2F:
            # "</script" in a regexp does not end it: escapeText turns it into "\x3C/script".
            if i > 0 and i + 7 <= n and s[i - 1 : i + 7].lower() == b"</script":
                i += 1
            elif not in_charset:
                return c.with_(state=State.JS, js_ctx=JsCtx.DIV_OP), i + 1
        else:
            # The closing quote.
            if not in_charset:
                return c.with_(state=State.JS, js_ctx=JsCtx.DIV_OP), i + 1
        k = i + 1
    if in_charset:
        # Interpolation into a regexp charset is not supported.
        return _error(
            errorf("ErrPartialCharset", None, None, 0, f"unfinished JS regexp charset: {quote_bytes(s)}")
        ), n
    return c, n


def t_block_cmt(c: Context, s: bytes) -> tuple[Context, int]:
    """``tBlockCmt``: ``/* ... */`` in JS or CSS."""
    i = s.find(b"*/")
    if i == -1:
        return c, len(s)
    if c.state == State.JS_BLOCK_CMT:
        c = c.with_(state=State.JS)
    elif c.state == State.CSS_BLOCK_CMT:
        c = c.with_(state=State.CSS)
    else:
        raise AssertionError(str(c.state))
    return c, i + 2


_JS_LINE_TERMINATORS: tuple[bytes, ...] = (b"\n", b"\r", "\u2028".encode(), "\u2029".encode())
_CSS_LINE_TERMINATORS = (b"\n", b"\f", b"\r")


def t_line_cmt(c: Context, s: bytes) -> tuple[Context, int]:
    """``tLineCmt``: ``//`` comments (JS and CSS) and JS's HTML-like comments, to the line end."""
    if c.state in (State.JS_LINE_CMT, State.JS_HTML_OPEN_CMT, State.JS_HTML_CLOSE_CMT):
        terminators, end_state = _JS_LINE_TERMINATORS, State.JS
    elif c.state == State.CSS_LINE_CMT:
        # Not standard CSS, but every major browser has them; nl ::= \n | \r\n | \r | \f.
        terminators, end_state = _CSS_LINE_TERMINATORS, State.CSS
    else:
        raise AssertionError(str(c.state))
    i = -1
    for t in terminators:
        j = s.find(t)
        if j != -1 and (i == -1 or j < i):
            i = j
    if i == -1:
        return c, len(s)
    # The line terminator is not part of the comment (ES5 7.4).
    return c.with_(state=end_state), i


def t_css(c: Context, s: bytes) -> tuple[Context, int]:
    """``tCSS``: CSS, looking for ``url(``, strings and comments.

    Every quoted string is treated as a URL, conservatively (see Go's comment in tCSS).
    """
    k = 0
    n = len(s)
    while True:
        i = _index_any(s, b"(\"'/", k)
        if i == -1:
            return c, n
        ch = s[i]
        if ch == 0x28:
            # Is it url( ?
            p = s[:i].rstrip(b"\t\n\f\r ")
            if ends_with_css_keyword(p, "url"):
                j = n - len(s[i + 1 :].lstrip(b"\t\n\f\r "))
                if j != n and s[j] == 0x22:
                    c, j = c.with_(state=State.CSS_DQ_URL), j + 1
                elif j != n and s[j] == 0x27:
                    c, j = c.with_(state=State.CSS_SQ_URL), j + 1
                else:
                    c = c.with_(state=State.CSS_URL)
                return c, j
        elif ch == 0x2F:
            if i + 1 < n:
                if s[i + 1] == 0x2F:
                    return c.with_(state=State.CSS_LINE_CMT), i + 2
                if s[i + 1] == 0x2A:
                    return c.with_(state=State.CSS_BLOCK_CMT), i + 2
        elif ch == 0x22:
            return c.with_(state=State.CSS_DQ_STR), i + 1
        else:
            return c.with_(state=State.CSS_SQ_STR), i + 1
        k = i + 1


def t_css_str(c: Context, s: bytes) -> tuple[Context, int]:
    """``tCSSStr``: CSS strings and ``url(...)``, tracked as URLs after decoding CSS escapes."""
    if c.state in (State.CSS_DQ_STR, State.CSS_DQ_URL):
        end_and_esc = b'\\"'
    elif c.state in (State.CSS_SQ_STR, State.CSS_SQ_URL):
        end_and_esc = b"\\'"
    elif c.state == State.CSS_URL:
        # An unquoted url(...) ends at white space or ")".
        end_and_esc = b"\\\t\n\f\r )"
    else:
        raise AssertionError(str(c.state))
    k = 0
    n = len(s)
    while True:
        i = _index_any(s, end_and_esc, k)
        if i == -1:
            # Go returns the decoded length here, which is what it is.
            c, nread = t_url(c, decode_css(s[k:]))
            return c, k + nread
        if s[i] == 0x5C:
            i += 1
            if i == n:
                return _partial_escape(s, "CSS string")
        else:
            return c.with_(state=State.CSS), i + 1
        c, _ = t_url(c, decode_css(s[: i + 1]))
        k = i + 1


def t_error(c: Context, s: bytes) -> tuple[Context, int]:
    """``tError``."""
    return c, len(s)


def t_meta_content(c: Context, s: bytes) -> tuple[Context, int]:
    """``tMetaContent``: a ``<meta content>`` value, looking for ``url=``."""
    n = len(s)
    for i in range(n):
        if i + 3 <= n - 1 and s[i : i + 3].lower() == b"url":
            j = eat_white_space(s, i + 3)
            if j < n and s[j] == 0x3D:
                return c.with_(state=State.META_CONTENT_URL), j + 1
    return c, n


def t_meta_content_url(c: Context, s: bytes) -> tuple[Context, int]:
    """``tMetaContentURL``: the URL after ``url=``, up to ``;``."""
    i = s.find(b";")
    if i != -1:
        return c.with_(state=State.META_CONTENT), i + 1
    return c, len(s)


#: transitionFunc, by state. stateDead has none: nothing is escaped after a break.
TRANSITIONS: dict[State, Transition] = {
    State.TEXT: t_text,
    State.TAG: t_tag,
    State.ATTR_NAME: t_attr_name,
    State.AFTER_NAME: t_after_name,
    State.BEFORE_VALUE: t_before_value,
    State.HTML_CMT: t_html_cmt,
    State.RCDATA: t_special_tag_end,
    State.ATTR: t_attr,
    State.URL: t_url,
    State.META_CONTENT: t_meta_content,
    State.META_CONTENT_URL: t_meta_content_url,
    State.SRCSET: t_url,
    State.JS: t_js,
    State.JS_DQ_STR: t_js_delimited,
    State.JS_SQ_STR: t_js_delimited,
    State.JS_REGEXP: t_js_delimited,
    State.JS_TMPL_LIT: t_js_tmpl,
    State.JS_BLOCK_CMT: t_block_cmt,
    State.JS_LINE_CMT: t_line_cmt,
    State.JS_HTML_OPEN_CMT: t_line_cmt,
    State.JS_HTML_CLOSE_CMT: t_line_cmt,
    State.CSS: t_css,
    State.CSS_DQ_STR: t_css_str,
    State.CSS_SQ_STR: t_css_str,
    State.CSS_DQ_URL: t_css_str,
    State.CSS_SQ_URL: t_css_str,
    State.CSS_URL: t_css_str,
    State.CSS_BLOCK_CMT: t_block_cmt,
    State.CSS_LINE_CMT: t_line_cmt,
    State.ERROR: t_error,
}
#: The transitions that take ``start`` (``s[start:]`` read in place), by state.
TRANSITIONS_AT: dict[State, TransitionAt] = {
    State.TEXT: t_text,
    State.TAG: t_tag,
    State.AFTER_NAME: t_after_name,
    State.BEFORE_VALUE: t_before_value,
}

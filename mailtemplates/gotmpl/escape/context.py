"""The escaper's parser state: Go's ``html/template`` ``context`` (``context.go``).

A :class:`Context` says what an HTML parser would be in the middle of when it reaches a point of
the template: plain text, a tag, a quoted URL attribute, a JS string inside ``<script>``...
It is immutable here (Go copies the struct by value); ``js_brace_depth`` is a tuple, and ``None``
stands for Go's nil slice because the two print differently in :meth:`Context.mangle`.

Follows Go 1.26 ``src/html/template/context.go``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..nodes import Node
    from .error import Error

__all__ = [
    "Attr",
    "Context",
    "Delim",
    "Element",
    "JsCtx",
    "State",
    "UrlPart",
    "is_comment",
    "is_in_script_literal",
    "is_in_tag",
]


class _GoEnum(IntEnum):
    """An enum that prints as Go's ``stringer`` output (``stateText``, ``delimNone``, ...)."""

    def __str__(self) -> str:
        return _GO_NAMES[type(self)][self.value]


class State(_GoEnum):
    """Where an HTML parser is: the main axis of the context; the other fields refine it."""

    #: Ordinary text content, outside any tag, comment or special element.
    TEXT = 0
    #: Inside a tag, where an attribute name may start (after ``<a`` or between attributes).
    TAG = 1
    #: Inside an attribute name.
    ATTR_NAME = 2
    #: After an attribute name, where ``=`` may follow.
    AFTER_NAME = 3
    #: After ``=``, before the attribute value (quoted or not) has started.
    BEFORE_VALUE = 4
    #: Inside an HTML comment, ``<!-- ... -->``.
    HTML_CMT = 5
    #: Inside the text of ``<textarea>`` or ``<title>``: only the matching end tag ends it.
    RCDATA = 6
    #: Inside an attribute value of no special kind (plain text).
    ATTR = 7
    #: Inside an attribute value that is a URL (``href``, ``src``...).
    URL = 8
    #: Inside a ``srcset`` value: URLs separated by commas, each with a size descriptor.
    SRCSET = 9
    #: Inside JavaScript (``<script>`` or an ``on*`` attribute), outside strings and comments.
    JS = 10
    #: Inside a JS string in double quotes.
    JS_DQ_STR = 11
    #: Inside a JS string in single quotes.
    JS_SQ_STR = 12
    #: Inside a JS template literal (backquotes), outside any ``${...}``.
    JS_TMPL_LIT = 13
    #: Inside a JS regular expression literal.
    JS_REGEXP = 14
    #: Inside a JS ``/* ... */`` comment.
    JS_BLOCK_CMT = 15
    #: Inside a JS ``//`` comment, which ends at the line's end.
    JS_LINE_CMT = 16
    #: Inside a JS comment opened by ``<!--`` (HTML-like, runs to the line's end).
    JS_HTML_OPEN_CMT = 17
    #: Inside a JS comment opened by ``-->`` at the start of a line (same rule).
    JS_HTML_CLOSE_CMT = 18
    #: Inside CSS (``<style>`` or a ``style`` attribute), outside strings, comments and ``url()``.
    CSS = 19
    #: Inside a CSS string in double quotes.
    CSS_DQ_STR = 20
    #: Inside a CSS string in single quotes.
    CSS_SQ_STR = 21
    #: Inside ``url("...")``.
    CSS_DQ_URL = 22
    #: Inside ``url('...')``.
    CSS_SQ_URL = 23
    #: Inside an unquoted ``url(...)``.
    CSS_URL = 24
    #: Inside a CSS ``/* ... */`` comment.
    CSS_BLOCK_CMT = 25
    #: Inside a ``//`` comment in CSS (not standard CSS, but browsers' error recovery
    #: makes it one, so the escaper treats it as a comment).
    CSS_LINE_CMT = 26
    #: The escaper failed here: the context carries the error, and every later step keeps it.
    ERROR = 27
    #: Inside the ``content`` attribute of ``<meta>``, which may hold a refresh URL.
    META_CONTENT = 28
    #: Inside the URL part (after ``url=``) of a ``<meta>`` refresh ``content``.
    META_CONTENT_URL = 29
    #: After ``{{break}}`` or ``{{continue}}``: nothing here runs, so this context joins any
    #: other unchanged.
    DEAD = 30


class Delim(_GoEnum):
    """What ends the current attribute value."""

    #: Not inside an attribute value.
    NONE = 0
    #: The value ends at the next ``"``.
    DOUBLE_QUOTE = 1
    #: The value ends at the next ``'``.
    SINGLE_QUOTE = 2
    #: An unquoted value: it ends at white space or ``>``.
    SPACE_OR_TAG_END = 3


class UrlPart(_GoEnum):
    """Which part of a URL the context is in: it decides how a value written there is encoded."""

    #: Not in a URL, or at its very start, where a value could still supply the scheme
    #: (so the URL filter checks it).
    NONE = 0
    #: In the scheme, host or path: before any ``?`` or ``#``.
    PRE_QUERY = 1
    #: In the query or the fragment, where a value is %-encoded in full.
    QUERY_OR_FRAG = 2
    #: Branches that end in different parts of a URL were joined: a value written here is
    #: an error, since no one encoding is right.
    UNKNOWN = 3


class JsCtx(_GoEnum):
    """Whether a ``/`` would start a regexp or a division."""

    #: A ``/`` here starts a regular expression (at the start, after an operator or ``(``).
    REGEXP = 0
    #: A ``/`` here divides (after a value: a name, a number, ``)``).
    DIV_OP = 1
    #: Branches disagreed: a ``/`` here is ambiguous, an error if the escaper meets one.
    UNKNOWN = 2


class Element(_GoEnum):
    """The special element whose content the context is in: these end only at their end tag."""

    #: No special element: content is ordinary HTML.
    NONE = 0
    #: ``<script>``: the content is JavaScript (unless its ``type`` says otherwise).
    SCRIPT = 1
    #: ``<style>``: the content is CSS.
    STYLE = 2
    #: ``<textarea>``: the content is RCDATA (text with character references).
    TEXTAREA = 3
    #: ``<title>``: the content is RCDATA.
    TITLE = 4
    #: ``<meta>``: its ``content`` attribute may be a refresh URL.
    META = 5


class Attr(_GoEnum):
    """The kind of attribute whose value the context is in (see :func:`.attr.attr_type`)."""

    #: Not in an attribute value, or in one of plain text.
    NONE = 0
    #: An event handler (``onclick``...): the value is JavaScript.
    SCRIPT = 1
    #: The ``type`` of ``<script>``: it decides whether the element's body is JavaScript.
    SCRIPT_TYPE = 2
    #: A ``style`` attribute: the value is CSS.
    STYLE = 3
    #: An attribute whose value is a URL.
    URL = 4
    #: A ``srcset`` attribute.
    SRCSET = 5
    #: The ``content`` attribute of ``<meta>``.
    META_CONTENT = 6


# The names Go's generated String methods print (state_string.go and friends).
_GO_NAMES: dict[type, tuple[str, ...]] = {
    State: (
        "stateText",
        "stateTag",
        "stateAttrName",
        "stateAfterName",
        "stateBeforeValue",
        "stateHTMLCmt",
        "stateRCDATA",
        "stateAttr",
        "stateURL",
        "stateSrcset",
        "stateJS",
        "stateJSDqStr",
        "stateJSSqStr",
        "stateJSTmplLit",
        "stateJSRegexp",
        "stateJSBlockCmt",
        "stateJSLineCmt",
        "stateJSHTMLOpenCmt",
        "stateJSHTMLCloseCmt",
        "stateCSS",
        "stateCSSDqStr",
        "stateCSSSqStr",
        "stateCSSDqURL",
        "stateCSSSqURL",
        "stateCSSURL",
        "stateCSSBlockCmt",
        "stateCSSLineCmt",
        "stateError",
        "stateMetaContent",
        "stateMetaContentURL",
        "stateDead",
    ),
    Delim: ("delimNone", "delimDoubleQuote", "delimSingleQuote", "delimSpaceOrTagEnd"),
    UrlPart: ("urlPartNone", "urlPartPreQuery", "urlPartQueryOrFrag", "urlPartUnknown"),
    JsCtx: ("jsCtxRegexp", "jsCtxDivOp", "jsCtxUnknown"),
    Element: (
        "elementNone",
        "elementScript",
        "elementStyle",
        "elementTextarea",
        "elementTitle",
        "elementMeta",
    ),
    Attr: (
        "attrNone",
        "attrScript",
        "attrScriptType",
        "attrStyle",
        "attrURL",
        "attrSrcset",
        "attrMetaContent",
    ),
}


@dataclass(frozen=True, eq=False, init=False)
class Context:
    """Go's ``context``. ``n`` is the break/continue node a context was saved at; ``err`` the error."""

    state: State = State.TEXT
    delim: Delim = Delim.NONE
    url_part: UrlPart = UrlPart.NONE
    js_ctx: JsCtx = JsCtx.REGEXP
    # Brace depth per open JS template literal interpolation; None is Go's nil slice.
    js_brace_depth: tuple[int, ...] | None = None
    attr: Attr = Attr.NONE
    element: Element = Element.NONE
    n: Node | None = None
    err: Error | None = None

    def __init__(
        self,
        state: State = State.TEXT,
        delim: Delim = Delim.NONE,
        url_part: UrlPart = UrlPart.NONE,
        js_ctx: JsCtx = JsCtx.REGEXP,
        js_brace_depth: tuple[int, ...] | None = None,
        attr: Attr = Attr.NONE,
        element: Element = Element.NONE,
        n: Node | None = None,
        err: Error | None = None,
    ) -> None:
        # The dataclass's own frozen __init__ sets each field through object.__setattr__: a
        # third of a transition's time (the escaper makes a context per transition, issue 17).
        d = self.__dict__
        d["state"] = state
        d["delim"] = delim
        d["url_part"] = url_part
        d["js_ctx"] = js_ctx
        d["js_brace_depth"] = js_brace_depth
        d["attr"] = attr
        d["element"] = element
        d["n"] = n
        d["err"] = err

    def with_(self, **changes: Any) -> Context:
        """A copy with ``changes`` (``dataclasses.replace``'s result, without its checks and
        frozen ``__init__``: the escaper makes one per transition, issue 17)."""
        assert _FIELDS.issuperset(changes), changes
        new = object.__new__(Context)
        d = new.__dict__
        d.update(self.__dict__)
        d.update(changes)
        return new

    def eq(self, d: Context) -> bool:
        """``context.eq``: every field but ``n``; nil and empty brace depths are equal."""
        return (
            self.state == d.state
            and self.delim == d.delim
            and self.url_part == d.url_part
            and self.js_ctx == d.js_ctx
            and (self.js_brace_depth or ()) == (d.js_brace_depth or ())
            and self.attr == d.attr
            and self.element == d.element
            and self.err is d.err
        )

    def __str__(self) -> str:
        # context.String: fmt's %v of each field; a slice prints as [1 2], a nil error as <nil>.
        depth = "[" + " ".join(str(x) for x in (self.js_brace_depth or ())) + "]"
        err = "<nil>" if self.err is None else self.err.error()
        return (
            f"{{{self.state} {self.delim} {self.url_part} {self.js_ctx} {depth} "
            f"{self.attr} {self.element} {err}}}"
        )

    def mangle(self, name: str) -> str:
        """``context.mangle``: the name of the copy of template ``name`` escaped for this context."""
        if self.state == State.TEXT:
            return name
        s = f"{name}$htmltemplate_{self.state}"
        if self.delim != Delim.NONE:
            s += f"_{self.delim}"
        if self.url_part != UrlPart.NONE:
            s += f"_{self.url_part}"
        if self.js_ctx != JsCtx.REGEXP:
            s += f"_{self.js_ctx}"
        if self.js_brace_depth is not None:
            s += "_jsBraceDepth([" + " ".join(str(x) for x in self.js_brace_depth) + "])"
        if self.attr != Attr.NONE:
            s += f"_{self.attr}"
        if self.element != Element.NONE:
            s += f"_{self.element}"
        return s


_FIELDS = frozenset(f.name for f in fields(Context))

_COMMENT_STATES = frozenset(
    {
        State.HTML_CMT,
        State.JS_BLOCK_CMT,
        State.JS_LINE_CMT,
        State.JS_HTML_OPEN_CMT,
        State.JS_HTML_CLOSE_CMT,
        State.CSS_BLOCK_CMT,
        State.CSS_LINE_CMT,
    }
)
_IN_TAG_STATES = frozenset({State.TAG, State.ATTR_NAME, State.AFTER_NAME, State.BEFORE_VALUE, State.ATTR})
_SCRIPT_LITERAL_STATES = frozenset({State.JS_DQ_STR, State.JS_SQ_STR, State.JS_TMPL_LIT, State.JS_REGEXP})


def is_comment(s: State) -> bool:
    """``isComment``: content meant for template authors only, dropped from the output."""
    return s in _COMMENT_STATES


def is_in_tag(s: State) -> bool:
    """``isInTag``."""
    return s in _IN_TAG_STATES


def is_in_script_literal(s: State) -> bool:
    """``isInScriptLiteral``: JS literals where ``<!--``, ``<script`` and ``</script`` are escaped."""
    return s in _SCRIPT_LITERAL_STATES

"""The escaper's parser state: Go's ``html/template`` ``context`` (``context.go``).

A :class:`Context` says what an HTML parser would be in the middle of when it reaches a point of
the template: plain text, a tag, a quoted URL attribute, a JS string inside ``<script>``...
It is immutable here (Go copies the struct by value); ``js_brace_depth`` is a tuple, and ``None``
stands for Go's nil slice because the two print differently in :meth:`Context.mangle`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    TEXT = 0
    TAG = 1
    ATTR_NAME = 2
    AFTER_NAME = 3
    BEFORE_VALUE = 4
    HTML_CMT = 5
    RCDATA = 6
    ATTR = 7
    URL = 8
    SRCSET = 9
    JS = 10
    JS_DQ_STR = 11
    JS_SQ_STR = 12
    JS_TMPL_LIT = 13
    JS_REGEXP = 14
    JS_BLOCK_CMT = 15
    JS_LINE_CMT = 16
    JS_HTML_OPEN_CMT = 17
    JS_HTML_CLOSE_CMT = 18
    CSS = 19
    CSS_DQ_STR = 20
    CSS_SQ_STR = 21
    CSS_DQ_URL = 22
    CSS_SQ_URL = 23
    CSS_URL = 24
    CSS_BLOCK_CMT = 25
    CSS_LINE_CMT = 26
    ERROR = 27
    META_CONTENT = 28
    META_CONTENT_URL = 29
    DEAD = 30


class Delim(_GoEnum):
    """What ends the current attribute value."""

    NONE = 0
    DOUBLE_QUOTE = 1
    SINGLE_QUOTE = 2
    SPACE_OR_TAG_END = 3


class UrlPart(_GoEnum):
    NONE = 0
    PRE_QUERY = 1
    QUERY_OR_FRAG = 2
    UNKNOWN = 3


class JsCtx(_GoEnum):
    """Whether a ``/`` would start a regexp or a division."""

    REGEXP = 0
    DIV_OP = 1
    UNKNOWN = 2


class Element(_GoEnum):
    NONE = 0
    SCRIPT = 1
    STYLE = 2
    TEXTAREA = 3
    TITLE = 4
    META = 5


class Attr(_GoEnum):
    NONE = 0
    SCRIPT = 1
    SCRIPT_TYPE = 2
    STYLE = 3
    URL = 4
    SRCSET = 5
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


@dataclass(frozen=True, eq=False)
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

    def with_(self, **changes: Any) -> Context:
        return replace(self, **changes)

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

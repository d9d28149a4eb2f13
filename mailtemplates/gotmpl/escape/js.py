"""JavaScript helpers of the escaper: Go's ``html/template/js.go`` (regexp-or-division, tables).

Follows Go 1.26 ``src/html/template/js.go``.
"""

from __future__ import annotations

from .context import JsCtx

__all__ = [
    "JS_BQ_STR_TABLE",
    "JS_REGEXP_TABLE",
    "JS_STR_NORM_TABLE",
    "JS_STR_TABLE",
    "is_js_ident_part",
    "is_js_type",
    "js_replace",
    "next_js_ctx",
]

# jsWhitespace: the characters of JS's \s class.
_JS_WHITESPACE = (
    "\f\n\r\t\v\u0020\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)

_REGEXP_PRECEDER_KEYWORDS = frozenset(
    {
        "break",
        "case",
        "continue",
        "delete",
        "do",
        "else",
        "finally",
        "in",
        "instanceof",
        "return",
        "throw",
        "try",
        "typeof",
        "void",
    }
)


def is_js_ident_part(r: int) -> bool:
    """``isJSIdentPart``: ASCII identifier characters and ``$`` (enough for numbers and keywords)."""
    return r == 0x24 or 0x30 <= r <= 0x39 or 0x41 <= r <= 0x5A or r == 0x5F or 0x61 <= r <= 0x7A


def next_js_ctx(s: bytes, preceding: JsCtx) -> JsCtx:
    """``nextJSCtx``: whether a ``/`` after the tokens ``s`` starts a regexp or a division.

    One token of look-behind, following the JavaScript 2.0 draft's heuristic.
    """
    # TrimRight of the JS whitespace runes (invalid bytes stay, as in Go).
    s = s.decode("utf-8", "surrogateescape").rstrip(_JS_WHITESPACE).encode("utf-8", "surrogateescape")
    if not s:
        return preceding
    n = len(s)
    c = s[-1]
    if c in b"+-":
        # "++" and "--" end an operand, a single "+" or "-" is an operator: count them.
        start = n - 1
        while start > 0 and s[start - 1] == c:
            start -= 1
        if (n - start) & 1 == 1:
            return JsCtx.REGEXP
        return JsCtx.DIV_OP
    if c == 0x2E:  # "."
        if n != 1 and 0x30 <= s[n - 2] <= 0x39:
            # "42." is a number.
            return JsCtx.DIV_OP
        return JsCtx.REGEXP
    if c in b",<>=*%&|^?!~([:;{}":
        return JsCtx.REGEXP
    j = n
    while j > 0 and is_js_ident_part(s[j - 1]):
        j -= 1
    if s[j:].decode("latin-1") in _REGEXP_PRECEDER_KEYWORDS:
        return JsCtx.REGEXP
    return JsCtx.DIV_OP


def _table(entries: dict[str, str]) -> dict[int, str]:
    return {ord(k): v for k, v in entries.items()}


# lowUnicodeReplacementTable: every C0 control, replaced first by js_replace.
_LOW_UNICODE = {r: f"\\u{r:04x}" for r in range(0x20)}
_LOW_UNICODE.update({0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"})

_JS_STR_BASE = {
    "\x00": "\\u0000",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\u000b",  # "\v" == "v" on IE 6.
    "\f": "\\f",
    "\r": "\\r",
    # HTML specials as hex escapes, so the output can go into attributes as it is.
    '"': "\\u0022",
    "`": "\\u0060",
    "&": "\\u0026",
    "'": "\\u0027",
    "+": "\\u002b",
    "/": "\\/",
    "<": "\\u003c",
    ">": "\\u003e",
}

JS_STR_TABLE = _table({**_JS_STR_BASE, "\\": "\\\\"})
JS_BQ_STR_TABLE = _table({**_JS_STR_BASE, "\\": "\\\\", "$": "\\u0024", "{": "\\u007b", "}": "\\u007d"})
# No entry for "\": existing escapes in trusted JSStr content are kept.
JS_STR_NORM_TABLE = _table(_JS_STR_BASE)
JS_REGEXP_TABLE = _table(
    {
        "\x00": "\\u0000",
        "\t": "\\t",
        "\n": "\\n",
        "\v": "\\u000b",
        "\f": "\\f",
        "\r": "\\r",
        '"': "\\u0022",
        "$": "\\$",
        "&": "\\u0026",
        "'": "\\u0027",
        "(": "\\(",
        ")": "\\)",
        "*": "\\*",
        "+": "\\u002b",
        "-": "\\-",
        ".": "\\.",
        "/": "\\/",
        "<": "\\u003c",
        ">": "\\u003e",
        "?": "\\?",
        "[": "\\[",
        "\\": "\\\\",
        "]": "\\]",
        "^": "\\^",
        "{": "\\{",
        "|": "\\|",
        "}": "\\}",
    }
)


def js_replace(s: str, table: dict[int, str]) -> str:
    """``replace``: C0 controls, the table's runes and U+2028/U+2029 become JS escapes."""
    out: list[str] = []
    written = 0
    for i, ch in enumerate(s):
        r = ord(ch)
        if r < 0x20:
            repl = _LOW_UNICODE[r]
        elif r in table:
            repl = table[r]
        elif r == 0x2028:
            repl = "\\u2028"
        elif r == 0x2029:
            repl = "\\u2029"
        else:
            continue
        out.append(s[written:i])
        out.append(repl)
        written = i + 1
    if not written:
        return s
    out.append(s[written:])
    return "".join(out)


_JS_TYPES = frozenset(
    {
        "",
        "application/ecmascript",
        "application/javascript",
        "application/json",
        "application/ld+json",
        "application/x-ecmascript",
        "application/x-javascript",
        "module",
        "text/ecmascript",
        "text/javascript",
        "text/javascript1.0",
        "text/javascript1.1",
        "text/javascript1.2",
        "text/javascript1.3",
        "text/javascript1.4",
        "text/javascript1.5",
        "text/jscript",
        "text/livescript",
        "text/x-ecmascript",
        "text/x-javascript",
    }
)


def is_js_type(mime: str) -> bool:
    """``isJSType``: a ``<script type>`` whose body is JavaScript (parameters ignored)."""
    from .attr import go_lower

    mime = go_lower(mime.partition(";")[0]).strip(_GO_SPACE)
    return mime in _JS_TYPES


# strings.TrimSpace trims unicode.IsSpace runes.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

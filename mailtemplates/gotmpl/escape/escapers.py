"""The sanitizer functions html/template adds to pipelines (``_html_template_*``).

Each takes any number of values (Go: ``func(args ...any) string``) and returns a string safe for
one context. They follow ``html.go``, ``js.go``, ``css.go`` and ``url.go`` of Go's
``html/template`` rune for rune. :data:`ESCAPER_FUNCS` holds them under Go's names, with Go
signatures, for the compiler to add to the function map of an HTML template set.

How a value becomes a string first (``stringify``): a string is used as it is; a nil (``None``, or
``MISSING``, which the runtime passes as nil) is *skipped*, so a missing value prints as nothing;
anything else is printed as ``fmt.Sprint`` prints it. A single trusted value (see
:mod:`.content`) keeps its content type.

Follows Go 1.26 ``src/html/template/html.go``, ``js.go``, ``css.go``, ``url.go`` and
``escape.go``'s ``funcMap``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ..funcs import GoFunc
from ..values import MISSING
from .attr import ContentType, attr_type, go_lower
from .content import TrustedContent
from .css import decode_css, is_css_nmchar, is_css_space, is_hex
from .gojson import JSONError, marshal
from .html import (
    HTML_NORM_TABLE,
    HTML_NOSPACE_NORM_TABLE,
    HTML_NOSPACE_TABLE,
    HTML_TABLE,
    html_replacer,
    str_replacer,
    str_replacer_calls,
    str_replacer_pattern,
    strip_tags,
)
from .js import (
    JS_BQ_STR_TABLE,
    JS_REGEXP_TABLE,
    JS_STR_NORM_TABLE,
    JS_STR_TABLE,
    is_js_ident_part,
    js_replace,
)
from .url import FILTER_FAILSAFE, filter_srcset_element, is_safe_url, process_url_onto

__all__ = [
    "CHANGED",
    "ESCAPER_FUNCS",
    "STRINGIFYING",
    "STR_ESCAPERS",
    "UNCHANGED",
    "attrescaper",
    "commentescaper",
    "cssescaper",
    "cssvaluefilter",
    "eval_args",
    "htmlescaper",
    "htmlnamefilter",
    "htmlnospaceescaper",
    "jsregexpescaper",
    "jsstrescaper",
    "jstmpllitescaper",
    "jsvalescaper",
    "rcdataescaper",
    "srcsetescaper",
    "stringify",
    "urlescaper",
    "urlfilter",
    "urlnormalizer",
]

_PLAIN = ContentType.PLAIN


def _go_bytes(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def _go_str(b: bytes | bytearray) -> str:
    return bytes(b).decode("utf-8", "surrogateescape")


def _sprint(args: Sequence[object]) -> str:
    """``fmt.Sprint`` after html/template's pointer indirection (a struct prints as ``{...}``)."""
    from ..gofmt import format_value, sprint

    if len(args) == 1:
        return format_value(args[0], indirect=True)
    return sprint(args)


def _nil(a: object) -> object:
    # The runtime hands a missing value to an "any" parameter as nil; accept MISSING as well.
    return None if a is MISSING else a


def stringify(args: Sequence[object]) -> tuple[str, ContentType]:
    """``stringify``: the text of the arguments and its content type. Nil arguments are skipped."""
    if len(args) == 1:
        a = args[0]
        if type(a) is str:
            return a, _PLAIN
        if isinstance(a, TrustedContent):
            return str.__str__(a), a.content_type
    kept = [a for a in args if a is not None and a is not MISSING]
    if not kept:
        return "", _PLAIN
    if len(kept) == 1 and type(kept[0]) is str:
        return kept[0], _PLAIN
    return _sprint(kept), _PLAIN


def eval_args(*args: object) -> str:
    """``evalArgs`` (``_eval_args_``): ``fmt.Sprint`` of all arguments; nil prints ``<nil>`` here."""
    if len(args) == 1 and type(args[0]) is str:
        return args[0]
    return _sprint([_nil(a) for a in args])


# -- HTML ----------------------------------------------------------------------------------------


def htmlescaper(*args: object) -> str:
    """``htmlEscaper``: for HTML text."""
    s, t = stringify(args)
    if t == ContentType.HTML:
        return s
    return html_replacer(s, HTML_TABLE, True)


def rcdataescaper(*args: object) -> str:
    """``rcdataEscaper``: for the body of ``<textarea>`` and ``<title>``."""
    s, t = stringify(args)
    if t == ContentType.HTML:
        return html_replacer(s, HTML_NORM_TABLE, True)
    return html_replacer(s, HTML_TABLE, True)


def attrescaper(*args: object) -> str:
    """``attrEscaper``: for quoted attribute values."""
    s, t = stringify(args)
    if t == ContentType.HTML:
        return html_replacer(strip_tags(s), HTML_NORM_TABLE, True)
    return html_replacer(s, HTML_TABLE, True)


def htmlnospaceescaper(*args: object) -> str:
    """``htmlNospaceEscaper``: for unquoted attribute values; an empty value is ``ZgotmplZ``."""
    s, t = stringify(args)
    if s == "":
        return FILTER_FAILSAFE
    if t == ContentType.HTML:
        return html_replacer(strip_tags(s), HTML_NOSPACE_NORM_TABLE, False)
    return html_replacer(s, HTML_NOSPACE_TABLE, False)


def htmlnamefilter(*args: object) -> str:
    """``htmlNameFilter``: an attribute name made of [a-z0-9] that is not URL, JS or CSS typed."""
    s, t = stringify(args)
    if t == ContentType.HTML_ATTR:
        return s
    if s == "":
        # <input checked {{.K}}={{.V}}>: an empty name would make .V the value of "checked".
        return FILTER_FAILSAFE
    s = go_lower(s)
    if attr_type(s) != _PLAIN:
        return FILTER_FAILSAFE
    for ch in s:
        if not ("0" <= ch <= "9" or "a" <= ch <= "z"):
            return FILTER_FAILSAFE
    return s


def commentescaper(*args: object) -> str:
    """``commentEscaper``: values in comments are dropped."""
    return ""


# -- URLs ----------------------------------------------------------------------------------------


def urlfilter(*args: object) -> str:
    """``urlFilter``: ``#ZgotmplZ`` for a URL whose scheme is not http, https or mailto."""
    s, t = stringify(args)
    if t == ContentType.URL:
        return s
    if not is_safe_url(s):
        return "#" + FILTER_FAILSAFE
    return s


def _url_processor(norm: bool, args: Sequence[object]) -> str:
    s, t = stringify(args)
    if t == ContentType.URL:
        norm = True
    out = bytearray()
    if process_url_onto(_go_bytes(s), norm, out):
        return _go_str(out)
    return s


def urlescaper(*args: object) -> str:
    """``urlEscaper``: %-encode everything but unreserved characters (for a query or fragment)."""
    return _url_processor(False, args)


def urlnormalizer(*args: object) -> str:
    """``urlNormalizer``: %-encode what is not valid in a URL, keeping reserved characters."""
    return _url_processor(True, args)


def srcsetescaper(*args: object) -> str:
    """``srcsetFilterAndEscaper``: filter and normalize each URL of a ``srcset``."""
    s, t = stringify(args)
    if t == ContentType.SRCSET:
        return s
    if t == ContentType.URL:
        # Normalizing removes the white space between URL and metadata; commas separate sources.
        out = bytearray()
        if process_url_onto(_go_bytes(s), True, out):
            s = _go_str(out)
        return s.replace(",", "%2c")
    b = _go_bytes(s)
    out = bytearray()
    written = 0
    for i, c in enumerate(b):
        if c == 0x2C:
            filter_srcset_element(b, written, i, out)
            out += b","
            written = i + 1
    filter_srcset_element(b, written, len(b), out)
    return _go_str(out)


# -- CSS -----------------------------------------------------------------------------------------

_CSS_TABLE = {
    0: "\\0",
    ord("\t"): "\\9",
    ord("\n"): "\\a",
    ord("\f"): "\\c",
    ord("\r"): "\\d",
    # HTML specials as hex, so the output can go into attributes as it is.
    ord('"'): "\\22",
    ord("&"): "\\26",
    ord("'"): "\\27",
    ord("("): "\\28",
    ord(")"): "\\29",
    ord("+"): "\\2b",
    ord("/"): "\\2f",
    ord(":"): "\\3a",
    ord(";"): "\\3b",
    ord("<"): "\\3c",
    ord(">"): "\\3e",
    ord("\\"): "\\\\",
    ord("{"): "\\7b",
    ord("}"): "\\7d",
}


def cssescaper(*args: object) -> str:
    """``cssEscaper``: CSS hex escapes for HTML and CSS specials (in CSS strings and URLs)."""
    s, _ = stringify(args)
    out: list[str] = []
    written = 0
    n = len(s)
    for i, ch in enumerate(s):
        repl = _CSS_TABLE.get(ord(ch))
        if repl is None:
            continue
        out.append(s[written:i])
        out.append(repl)
        written = i + 1
        # A hex escape swallows a following hex digit or space unless a space ends it.
        if repl != "\\\\" and (written == n or is_hex(ord(s[written])) or is_css_space(ord(s[written]))):
            out.append(" ")
    if not written:
        return s
    out.append(s[written:])
    return "".join(out)


_CSS_VALUE_BANNED = frozenset(b"\x00\"'()/;@[\\]`{}<>")


def cssvaluefilter(*args: object) -> str:
    """``cssValueFilter``: innocuous CSS values only (``10px``, ``#888``, ``blue``), else ZgotmplZ.

    Brackets, quotes, ``--``, comments and ``expression``/``moz-binding`` are refused.
    """
    s, t = stringify(args)
    if t == ContentType.CSS:
        return s
    b = decode_css(_go_bytes(s))
    ident = bytearray()
    for i, c in enumerate(b):
        if c in _CSS_VALUE_BANNED:
            return FILTER_FAILSAFE
        if c == 0x2D:
            # "--" is in neither identifiers nor numbers, but in "<!--" and "-->".
            if i != 0 and b[i - 1] == 0x2D:
                return FILTER_FAILSAFE
        elif c < 0x80 and is_css_nmchar(c):
            ident.append(c)
    low = bytes(ident).lower()
    if b"expression" in low or b"mozbinding" in low:
        return FILTER_FAILSAFE
    return _go_str(b)


# -- JavaScript ----------------------------------------------------------------------------------


def _script_tag_sub(s: str) -> str:
    import re

    return re.sub(r"(?i)<(/?)script", lambda m: "\\x3C" + m.group(1) + "script", s)


def jsvalescaper(*args: object) -> str:
    """``jsValEscaper``: a JS expression for the value, JSON-encoded (``"a"``, `` 42 ``, `` null ``)."""
    a: object
    if len(args) == 1:
        a = _nil(args[0])
        if isinstance(a, TrustedContent):
            if a.content_type == ContentType.JS:
                return str.__str__(a)
            if a.content_type == ContentType.JS_STR:
                return '"' + str.__str__(a) + '"'
            a = str.__str__(a)
    else:
        a = _sprint([_nil(x) for x in args])
    try:
        b = marshal(a)
    except JSONError as e:
        # The error goes into a comment: keep it from ending the comment or the script.
        msg = _script_tag_sub(str(e)).replace("*/", "* /").replace("<!--", "\\x3C!--")
        return f" /* {msg} */null "
    if not b:
        return " null "
    # Keep identifiers and numbers from running into keywords (in, instanceof, typeof, void).
    pad = is_js_ident_part(ord(b[0])) or is_js_ident_part(ord(b[-1]))
    b = b.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f" {b} " if pad else b


def jsstrescaper(*args: object) -> str:
    """``jsStrEscaper``: for the inside of a JS string literal (also in event handler attributes)."""
    s, t = stringify(args)
    if t == ContentType.JS_STR:
        return js_replace(s, JS_STR_NORM_TABLE)
    return js_replace(s, JS_STR_TABLE)


def jstmpllitescaper(*args: object) -> str:
    """``jsTmplLitEscaper``: for the inside of a JS template literal (also escapes ``$``, braces)."""
    s, _ = stringify(args)
    return js_replace(s, JS_BQ_STR_TABLE)


def jsregexpescaper(*args: object) -> str:
    """``jsRegexpEscaper``: a literal match inside a JS regexp; empty becomes ``(?:)``."""
    s, _ = stringify(args)
    s = js_replace(s, JS_REGEXP_TABLE)
    if s == "":
        # /{{.X}}/ must not become a line comment.
        return "(?:)"
    return s


def _func(name: str, fn: object) -> GoFunc:
    return GoFunc(name, fn, (), "any", "string")  # type: ignore[arg-type]


#: Go's ``funcMap`` of html/template: every escaper under the name the escaper inserts.
ESCAPER_FUNCS: dict[str, GoFunc] = {
    name: _func(name, fn)
    for name, fn in {
        "_html_template_attrescaper": attrescaper,
        "_html_template_commentescaper": commentescaper,
        "_html_template_cssescaper": cssescaper,
        "_html_template_cssvaluefilter": cssvaluefilter,
        "_html_template_htmlnamefilter": htmlnamefilter,
        "_html_template_htmlescaper": htmlescaper,
        "_html_template_jsregexpescaper": jsregexpescaper,
        "_html_template_jsstrescaper": jsstrescaper,
        "_html_template_jstmpllitescaper": jstmpllitescaper,
        "_html_template_jsvalescaper": jsvalescaper,
        "_html_template_nospaceescaper": htmlnospaceescaper,
        "_html_template_rcdataescaper": rcdataescaper,
        "_html_template_srcsetescaper": srcsetescaper,
        "_html_template_urlescaper": urlescaper,
        "_html_template_urlfilter": urlfilter,
        "_html_template_urlnormalizer": urlnormalizer,
        "_eval_args_": eval_args,
    }.items()
}


# -- string fast paths ---------------------------------------------------------------------------

_html_str = str_replacer(HTML_TABLE, True)
_nospace_str = str_replacer(HTML_NOSPACE_TABLE, False)
# process_url_onto's patterns for a str: a character outside the classes is a byte outside them
# in UTF-8 (every non-ASCII character is), so no match means the bytes come back unchanged.
_URL_CHANGED = re.compile(r"[^-._~a-zA-Z0-9]")
_URL_CHANGED_NORM = re.compile(r"[^-._~a-zA-Z0-9!#$&*+,/:;=?@\[\]%]|%(?![0-9a-fA-F]{2})")


def _nospace_fast(s: str) -> str:
    return FILTER_FAILSAFE if s == "" else _nospace_str(s)


def _urlfilter_fast(s: str) -> str:
    return s if is_safe_url(s) else "#" + FILTER_FAILSAFE


def _urlnormalizer_fast(s: str) -> str:
    return s if _URL_CHANGED_NORM.search(s) is None else urlnormalizer(s)


def _urlescaper_fast(s: str) -> str:
    return s if _URL_CHANGED.search(s) is None else urlescaper(s)


#: Each escaper of :data:`ESCAPER_FUNCS` as a function of one plain ``str`` (``type(s) is str``:
#: not trusted content), returning what the escaper returns for that one argument. Compiled
#: templates call these when the value is such a string (most are), skipping ``stringify`` and
#: the variadic call; anything else goes to the escaper itself. ``tests/test_escapers.py`` checks
#: them against the escapers.
STR_ESCAPERS: dict[str, Callable[[str], str]] = {
    **{name: f.fn for name, f in ESCAPER_FUNCS.items()},
    "_html_template_htmlescaper": _html_str,
    "_html_template_attrescaper": _html_str,
    "_html_template_rcdataescaper": _html_str,
    "_html_template_nospaceescaper": _nospace_fast,
    "_html_template_urlfilter": _urlfilter_fast,
    "_html_template_urlnormalizer": _urlnormalizer_fast,
    "_html_template_urlescaper": _urlescaper_fast,
    "_eval_args_": lambda s: s,
}

#: The escapers that see a value only through ``stringify`` (all but ``jsvalescaper``, which
#: marshals it as JSON): for a number, the escaper of its ``%v`` text.
STRINGIFYING: frozenset[str] = frozenset(ESCAPER_FUNCS) - {"_html_template_jsvalescaper"}

#: For some escapers, the ``search`` of a pattern that finds nothing in a string the escaper
#: returns unchanged (what most values are): compiled templates scan first, call after.
UNCHANGED: dict[str, Callable[[str], object]] = {
    **dict.fromkeys(
        ("_html_template_htmlescaper", "_html_template_attrescaper", "_html_template_rcdataescaper"),
        str_replacer_pattern(HTML_TABLE, True).search,
    ),
    "_html_template_urlnormalizer": _URL_CHANGED_NORM.search,
    "_html_template_urlescaper": _URL_CHANGED.search,
}

#: For each escaper of :data:`UNCHANGED`, its :data:`STR_ESCAPERS` path for a string that
#: search matched, without scanning again.
CHANGED: dict[str, Callable[[str], str]] = {
    **dict.fromkeys(
        ("_html_template_htmlescaper", "_html_template_attrescaper", "_html_template_rcdataescaper"),
        str_replacer_calls(HTML_TABLE),
    ),
    "_html_template_urlnormalizer": urlnormalizer,
    "_html_template_urlescaper": urlescaper,
}

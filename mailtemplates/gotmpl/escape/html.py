"""HTML helpers of the escaper: Go's ``html/template/html.go`` and ``html.UnescapeString``.

Follows Go 1.26 ``src/html/template/html.go`` and Go 1.26 ``src/html/escape.go``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.entities import html5 as _HTML5_ENTITIES

from .context import Context, Delim, Element, State, is_in_tag
from .css import encode_rune
from .transition import TRANSITIONS

__all__ = [
    "DELIM_ENDS",
    "HTML_NORM_TABLE",
    "HTML_NOSPACE_NORM_TABLE",
    "HTML_NOSPACE_TABLE",
    "HTML_TABLE",
    "html_replacer",
    "html_unescape",
    "str_replacer",
    "str_replacer_pattern",
    "strip_tags",
]

# -- html.UnescapeString -------------------------------------------------------------------------

# Go's entity table is the WHATWG list, the same one Python ships (names with and without ";").
_ENTITIES: dict[bytes, bytes] = {k.encode(): v.encode() for k, v in _HTML5_ENTITIES.items()}
_LONGEST_ENTITY_WITHOUT_SEMICOLON = 6

# Numeric references to 0x80..0x9F mean Windows-1252.
_WIN1252 = (
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
)  # fmt: skip


def _int32(x: int) -> int:
    # Go accumulates the code point in a rune (int32), which wraps around.
    x &= 0xFFFFFFFF
    return x - (1 << 32) if x >= 1 << 31 else x


def _unescape_entity(s: bytes) -> tuple[bytes, int]:
    """``unescapeEntity``: decode the reference at the start of ``s`` (``s[0] == '&'``).

    Returns the replacement and the number of bytes it replaces.
    """
    n = len(s)
    if n <= 1:
        return s[:1], 1
    i = 1
    if s[i] == 0x23:  # "#"
        if n <= 3:  # at least "&#." is needed
            return s[:1], 1
        i += 1
        c = s[i]
        is_hex = False
        if c in b"xX":
            is_hex = True
            i += 1
        x = 0
        while i < n:
            c = s[i]
            i += 1
            if is_hex:
                if 0x30 <= c <= 0x39:
                    x = _int32(16 * x + c - 0x30)
                    continue
                if 0x61 <= c <= 0x66:
                    x = _int32(16 * x + c - 0x61 + 10)
                    continue
                if 0x41 <= c <= 0x46:
                    x = _int32(16 * x + c - 0x41 + 10)
                    continue
            elif 0x30 <= c <= 0x39:
                x = _int32(10 * x + c - 0x30)
                continue
            if c != 0x3B:
                i -= 1
            break
        if i <= 3:  # no digits
            return s[:1], 1
        if 0x80 <= x <= 0x9F:
            x = _WIN1252[x - 0x80]
        elif x == 0 or 0xD800 <= x <= 0xDFFF or x > 0x10FFFF:
            x = 0xFFFD
        return encode_rune(x), i
    # The longest run of alphanumerics (and a ";") that names an entity.
    while i < n:
        c = s[i]
        i += 1
        if 0x61 <= c <= 0x7A or 0x41 <= c <= 0x5A or 0x30 <= c <= 0x39:
            continue
        if c != 0x3B:
            i -= 1
        break
    name = s[1:i]
    if name:
        hit = _ENTITIES.get(name)
        if hit is not None:
            return hit, i
        # Legacy entities without ";" match as a prefix: "&ampx" is "&x".
        for j in range(min(len(name) - 1, _LONGEST_ENTITY_WITHOUT_SEMICOLON), 1, -1):
            hit = _ENTITIES.get(name[:j])
            if hit is not None:
                return hit, j + 1
    return s[:i], i


def html_unescape(s: bytes) -> bytes:
    """``html.UnescapeString`` on UTF-8 bytes."""
    i = s.find(b"&")
    if i < 0:
        return s
    out = bytearray(s[:i])
    while i < len(s):
        if s[i] == 0x26:
            repl, used = _unescape_entity(s[i:])
            out += repl
            i += used
            continue
        j = s.find(b"&", i)
        if j < 0:
            out += s[i:]
            break
        out += s[i:j]
        i = j
    return bytes(out)


# -- replacement tables --------------------------------------------------------------------------

#: htmlReplacementTable: text and quoted attribute values. NUL becomes U+FFFD, as parsers do.
HTML_TABLE = {0: "\ufffd", ord('"'): "&#34;", ord("&"): "&amp;", ord("'"): "&#39;", ord("+"): "&#43;",
              ord("<"): "&lt;", ord(">"): "&gt;"}  # fmt: skip
#: htmlNormReplacementTable: the same without "&", for trusted HTML whose entities are kept.
HTML_NORM_TABLE = {k: v for k, v in HTML_TABLE.items() if k != ord("&")}
#: htmlNospaceReplacementTable: unquoted attribute values (what browsers end or mangle them on).
HTML_NOSPACE_TABLE = {
    0: "&#xfffd;",
    ord("\t"): "&#9;",
    ord("\n"): "&#10;",
    ord("\v"): "&#11;",
    ord("\f"): "&#12;",
    ord("\r"): "&#13;",
    ord(" "): "&#32;",
    ord('"'): "&#34;",
    ord("&"): "&amp;",
    ord("'"): "&#39;",
    ord("+"): "&#43;",
    ord("<"): "&lt;",
    ord("="): "&#61;",
    ord(">"): "&gt;",
    # IE treats "`" as a quote.
    ord("`"): "&#96;",
}
HTML_NOSPACE_NORM_TABLE = {k: v for k, v in HTML_NOSPACE_TABLE.items() if k != ord("&")}

_TABLE_LIMIT = 0x61  # every table is indexed below "a", as Go's slices are


def html_replacer(s: str, table: dict[int, str], bad_runes: bool) -> str:
    """``htmlReplacer``: replace the table's runes; unless ``bad_runes``, also encode noncharacters.

    A surrogate-escaped invalid byte is Go's U+FFFD of width 1. One regular-expression scan
    finds what needs replacing; most values need nothing and come back as they are.
    """
    compiled = _REPLACERS.get(id(table)) or _compile_replacer(table)
    rx = compiled[2] if bad_runes else compiled[3]
    if rx.search(s) is None:
        return s
    if bad_runes:
        return compiled[4](s)
    return rx.sub(compiled[1], s)


def str_replacer_pattern(table: dict[int, str], bad_runes: bool) -> re.Pattern[str]:
    """The pattern of what ``html_replacer(s, table, bad_runes)`` replaces: no match, no change."""
    compiled = _REPLACERS.get(id(table)) or _compile_replacer(table)
    return compiled[2] if bad_runes else compiled[3]


def str_replacer_calls(table: dict[int, str]) -> Callable[[str], str]:
    """``str_replacer(table, True)`` for a string its pattern (``str_replacer_pattern(table,
    True)``) matches: the replacement calls, without scanning first."""
    compiled = _REPLACERS.get(id(table)) or _compile_replacer(table)
    return compiled[4]


def str_replacer(table: dict[int, str], bad_runes: bool) -> Callable[[str], str]:
    """``html_replacer(s, table, bad_runes)`` as a one-argument function of a string, its
    pattern and replacement bound once (for the compiled templates' string fast paths)."""
    compiled = _REPLACERS.get(id(table)) or _compile_replacer(table)
    rx = str_replacer_pattern(table, bad_runes)
    search, sub, repl = rx.search, rx.sub, compiled[1]
    if bad_runes:
        chained = compiled[4]

        def replace_chained(s: str) -> str:
            return s if search(s) is None else chained(s)

        return replace_chained

    def replace(s: str) -> str:
        return s if search(s) is None else sub(repl, s)

    return replace


def _noncharacter(ch: str) -> str:
    r = ord(ch)
    return "&#xfffd;" if 0xDC80 <= r <= 0xDCFF else f"&#x{r:x};"


_Replacer = tuple[
    dict[int, str], Callable[[re.Match[str]], str], re.Pattern[str], re.Pattern[str], Callable[[str], str]
]
#: id(table) -> (table, replace function, pattern with bad_runes, pattern without, the
#: replacements with bad_runes as str.replace calls). The table is kept so that its id cannot
#: be reused by another object.
_REPLACERS: dict[int, _Replacer] = {}


def _replace_calls(by_char: dict[str, str]) -> Callable[[str], str]:
    """Every character of ``by_char`` replaced, one ``str.replace`` each (a C scan each: several
    times faster than a regex substitution calling back per match), called only for the
    characters present (``in`` costs less than a ``replace`` that finds nothing: JSON text has
    one or two of seven). "&" goes first: the other replacements write "&", and no replacement
    writes another character of the table."""
    order = sorted(by_char, key=lambda c: c != "&")
    assert all(c not in repl for c in by_char for repl in by_char.values() if c != "&")
    pairs = [(c, by_char[c]) for c in order]

    def replace(s: str) -> str:
        for c, repl in pairs:
            if c in s:
                s = s.replace(c, repl)
        return s

    return replace


def _compile_replacer(table: dict[int, str]) -> _Replacer:
    by_char = {chr(r): repl for r, repl in table.items() if r < _TABLE_LIMIT}
    chars = "".join(re.escape(c) for c in sorted(by_char))
    # Noncharacters, and surrogate-escaped bytes (which stand for U+FFFD, one of them).
    nonchars = "\\ufdd0-\\ufdef\\ufff0-\\uffff\\udc80-\\udcff"

    def replace(m: re.Match[str]) -> str:
        ch = m.group()
        repl = by_char.get(ch)
        return repl if repl is not None else _noncharacter(ch)

    with_bad = re.compile(f"[{chars}]" if chars else "(?!)")
    without = re.compile(f"[{chars}{nonchars}]")
    compiled = (table, replace, with_bad, without, _replace_calls(by_char))
    _REPLACERS[id(table)] = compiled
    return compiled


#: delimEnds: what ends an attribute value of each delimiter kind.
DELIM_ENDS = {
    Delim.DOUBLE_QUOTE: b'"',
    Delim.SINGLE_QUOTE: b"'",
    # Found by browser experiments (see Go's escape.go).
    Delim.SPACE_OR_TAG_END: b" \t\n\f\r>",
}


def _index_any(s: bytes, chars: bytes) -> int:
    best = -1
    for ch in chars:
        i = s.find(bytes((ch,)))
        if i != -1 and (best == -1 or i < best):
            best = i
    return best


def strip_tags(html: str) -> str:
    """``stripTags``: the text content of an HTML snippet (``<b>&iexcl;Hi!</b>`` -> ``&iexcl;Hi!``)."""
    s = html.encode("utf-8", "surrogateescape")
    out = bytearray()
    c = Context()
    i = 0
    all_text = True
    while i != len(s):
        if c.delim == Delim.NONE:
            st = c.state
            # Element bodies are read as RCDATA, not parsed as JS or CSS.
            if c.element != Element.NONE and not is_in_tag(st):
                st = State.RCDATA
            d, nread = TRANSITIONS[st](c, s[i:])
            i1 = i + nread
            if c.state in (State.TEXT, State.RCDATA):
                # The text up to the start of the tag or comment.
                j = i1
                if d.state != c.state:
                    k = s.rfind(b"<", i, j)
                    if k != -1:
                        j = k
                out += s[i:j]
            else:
                all_text = False
            c, i = d, i1
            continue
        k = _index_any(s[i:], DELIM_ENDS[c.delim])
        if k < 0:
            break
        i1 = i + k
        if c.delim != Delim.SPACE_OR_TAG_END:
            i1 += 1  # the quote
        c, i = Context(state=State.TAG, element=c.element), i1
    if all_text:
        return html
    if c.state in (State.TEXT, State.RCDATA):
        out += s[i:]
    return out.decode("utf-8", "surrogateescape")

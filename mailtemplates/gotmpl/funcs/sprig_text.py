"""Go's ``unicode`` and ``strings`` rules, and the string helpers sprig borrows from goutils/xstrings.

Go strings are bytes; ours are code points, with invalid UTF-8 bytes held as surrogate-escaped
code points (see :func:`..gostrconv.go_bytes`). Functions that Go writes with byte indexes
(``trunc``, ``substr``, ``abbrev``, ``wrap``, goutils' ``Initials`` and ``DeleteWhiteSpace``) work
on the bytes here too, so that they cut multi-byte characters exactly where Go does.

Case mapping is Go's *simple* (one code point to one code point) mapping: ``upper "ß"`` is ``ß``
and ``lower "İ"`` is ``i``, where Python's full mappings give ``SS`` and ``i̇``.

Follows Go 1.26 ``src/unicode`` and ``src/strings``, Masterminds/goutils as sprig v3.3.0 pins it,
and huandu/xstrings v1.5.0.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Iterator
from typing import Final, cast

from ..gostrconv import go_bytes, go_str

__all__ = [
    "abbreviate_full",
    "delete_white_space",
    "initials",
    "is_space",
    "kebab_case",
    "pascal_case",
    "replace",
    "shuffle",
    "snake_case",
    "split",
    "splitn",
    "swap_case",
    "title",
    "to_lower",
    "to_title",
    "to_upper",
    "trim",
    "trim_prefix",
    "trim_space",
    "trim_suffix",
    "uncapitalize",
    "wrap_breaks",
    "wrap_custom",
]

RUNE_ERROR: Final = "\ufffd"


def _bad(c: str) -> bool:
    """A code point that stands for an invalid UTF-8 byte (Go decodes it as U+FFFD)."""
    return "\ud800" <= c <= "\udfff"


# -- unicode package predicates ------------------------------------------------------------------

_LATIN1_SPACE: Final = frozenset("\t\n\v\f\r \x85\xa0")
_WHITE_SPACE: Final = frozenset(
    "\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def is_space(c: str) -> bool:
    """unicode.IsSpace: the Latin-1 spaces plus Unicode's White_Space property."""
    if c <= "\xff":
        return c in _LATIN1_SPACE
    return c in _WHITE_SPACE


def _cat(c: str) -> str:
    return "Cs" if _bad(c) else unicodedata.category(c)


def is_upper(c: str) -> bool:
    return _cat(c) == "Lu"


def is_lower(c: str) -> bool:
    return _cat(c) == "Ll"


def is_title(c: str) -> bool:
    return _cat(c) == "Lt"


def is_letter(c: str) -> bool:
    return _cat(c)[0] == "L"


def is_digit(c: str) -> bool:
    return _cat(c) == "Nd"


def is_number(c: str) -> bool:
    return _cat(c)[0] == "N"


def is_punct(c: str) -> bool:
    return _cat(c)[0] == "P"


# -- simple case mapping (unicode.ToUpper / ToLower / ToTitle) -----------------------------------


def upper_rune(c: str) -> str:
    """unicode.ToUpper: the simple mapping. Python's full mapping differs where it expands."""
    if c < "\x80":
        return c.upper()
    if _bad(c):
        return RUNE_ERROR
    u = c.upper()
    if len(u) == 1:
        return u
    # Full mapping expands (ß -> SS, ᾳ -> ΑΙ). The iota-subscript letters still have a simple
    # uppercase mapping, their titlecase letter; the others map to themselves.
    t = c.title()
    return t if len(t) == 1 else c


def lower_rune(c: str) -> str:
    """unicode.ToLower: the simple mapping (İ -> i, Σ -> σ whatever follows)."""
    if c < "\x80":
        return c.lower()
    if _bad(c):
        return RUNE_ERROR
    if c == "\u0130":
        return "i"
    lo = c.lower()
    return lo if len(lo) == 1 else c


def title_rune(c: str) -> str:
    """unicode.ToTitle: the simple titlecase mapping (ǆ -> ǅ)."""
    if c < "\x80":
        return c.upper()
    if _bad(c):
        return RUNE_ERROR
    t = c.title()
    return t if len(t) == 1 else c


class _RuneMap(dict[int, str]):
    """A ``str.translate`` table computing a rune's mapping on first use (the per-rune Python
    calls cost microseconds a character: 2.7 s for a million ``ß``). Code points past the
    Supplementary Multilingual Plane are not kept, so the table stays small."""

    def __init__(self, fn: Callable[[str], str]) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, cp: int) -> str:
        r = self.fn(chr(cp))
        if cp < 0x20000:
            self[cp] = r
        return r


_TO_UPPER: Final = _RuneMap(upper_rune)
_TO_LOWER: Final = _RuneMap(lower_rune)
_TO_TITLE: Final = _RuneMap(title_rune)


def to_upper(s: str) -> str:
    """strings.ToUpper: per-rune simple mapping; invalid bytes become U+FFFD."""
    if s.isascii():
        return s.upper()
    return s.translate(_TO_UPPER)


def to_lower(s: str) -> str:
    """strings.ToLower."""
    if s.isascii():
        return s.lower()
    return s.translate(_TO_LOWER)


def to_title(s: str) -> str:
    """strings.ToTitle."""
    return s.translate(_TO_TITLE)


def _is_separator(c: str) -> bool:
    """strings.isSeparator (the word boundary rule of the deprecated strings.Title)."""
    if c <= "\x7f":
        return not (c.isalnum() or c == "_")
    if is_letter(c) or is_digit(c):
        return False
    return is_space(c)


def title(s: str) -> str:
    """strings.Title: title-case every letter that follows a separator."""
    out: list[str] = []
    prev = " "
    for c in s:
        cc = RUNE_ERROR if _bad(c) else c
        out.append(title_rune(cc) if _is_separator(prev) else cc)
        prev = cc
    return "".join(out)


# -- byte-level substring operations -------------------------------------------------------------


def has_bad(*strings: str) -> bool:
    """Does any string hold an invalid UTF-8 byte (a surrogate-escaped code point)?"""
    return any(not x.isascii() and any("\udc80" <= c <= "\udcff" for c in x) for x in strings)


def contains(s: str, sub: str) -> bool:
    """strings.Contains (on bytes when a partial UTF-8 sequence is involved)."""
    if has_bad(s, sub):
        return go_bytes(sub) in go_bytes(s)
    return sub in s


def has_prefix(s: str, prefix: str) -> bool:
    if has_bad(s, prefix):
        return go_bytes(s).startswith(go_bytes(prefix))
    return s.startswith(prefix)


def has_suffix(s: str, suffix: str) -> bool:
    if has_bad(s, suffix):
        return go_bytes(s).endswith(go_bytes(suffix))
    return s.endswith(suffix)


def trim_prefix(s: str, prefix: str) -> str:
    if has_bad(s, prefix):
        b, p = go_bytes(s), go_bytes(prefix)
        return go_str(b[len(p) :]) if b.startswith(p) else s
    return s[len(prefix) :] if s.startswith(prefix) else s


def trim_suffix(s: str, suffix: str) -> str:
    if has_bad(s, suffix):
        b, p = go_bytes(s), go_bytes(suffix)
        return go_str(b[: len(b) - len(p)]) if p and b.endswith(p) else s
    return s[: len(s) - len(suffix)] if suffix and s.endswith(suffix) else s


def replace(src: str, old: str, new: str) -> str:
    """strings.Replace(src, old, new, -1)."""
    if old == "":
        # Insert at every UTF-8 sequence boundary (an invalid byte is a sequence of its own).
        return new + "".join(c + new for c in src)
    if has_bad(src, old):
        return go_str(go_bytes(src).replace(go_bytes(old), go_bytes(new)))
    return src.replace(old, new)


# -- trimming and splitting ----------------------------------------------------------------------


def trim_space(s: str) -> str:
    """strings.TrimSpace."""
    i, j = 0, len(s)
    while i < j and is_space(s[i]):
        i += 1
    while j > i and is_space(s[j - 1]):
        j -= 1
    return s[i:j]


def trim(s: str, cutset: str) -> str:
    """strings.Trim: strip the runes of ``cutset`` from both ends.

    An invalid byte in ``s`` decodes as U+FFFD, so it is cut when the cutset holds U+FFFD.
    """
    if not s or not cutset:
        return s
    cut = {RUNE_ERROR if _bad(c) else c for c in cutset}

    def drop(c: str) -> bool:
        return (RUNE_ERROR if _bad(c) else c) in cut

    i, j = 0, len(s)
    while j > i and drop(s[j - 1]):
        j -= 1
    while i < j and drop(s[i]):
        i += 1
    return s[i:j]


def _explode(s: str, n: int) -> list[str]:
    """strings.explode: one string per UTF-8 sequence (an invalid byte is its own piece)."""
    if n < 0 or n > len(s):
        n = len(s)
    parts = list(s[: n - 1]) if n > 0 else []
    if n > 0:
        parts.append(s[n - 1 :])
    return parts


def splitn(s: str, sep: str, n: int) -> list[str] | None:
    """strings.SplitN (n == 0 is Go's nil slice, returned as None)."""
    if n == 0:
        return None
    if sep == "":
        return _explode(s, n)
    if has_bad(s, sep):
        parts = go_bytes(s).split(go_bytes(sep)) if n < 0 else go_bytes(s).split(go_bytes(sep), n - 1)
        return [go_str(p) for p in parts]
    if n < 0:
        return s.split(sep)
    return s.split(sep, n - 1)


def split(s: str, sep: str) -> list[str]:
    """strings.Split."""
    out = splitn(s, sep, -1)
    assert out is not None
    return out


# -- goutils -------------------------------------------------------------------------------------


def abbreviate_full(s: str, offset: int, max_width: int) -> str:
    """goutils.AbbreviateFull (byte indexes; the callers in sprig have checked the widths).

    Raises ValueError where goutils returns its "illegal argument" error, which sprig drops
    (it returns the empty string then).
    """
    if s == "":
        return ""
    if max_width < 4:
        raise ValueError("minimum abbreviation width is 4")
    b = go_bytes(s)
    n = len(b)
    if n <= max_width:
        return s
    if offset > n:
        offset = n
    if n - offset < max_width - 3:
        offset = n - (max_width - 3)
    marker = b"..."
    if offset <= 4:
        return go_str(b[: max_width - 3] + marker)
    if max_width < 7:
        raise ValueError("minimum abbreviation width with offset is 7")
    if offset + max_width - 3 < n:
        return go_str(marker) + abbreviate_full(go_str(b[offset:]), 0, max_width - 3)
    return go_str(marker + b[n - (max_width - 3) :])


def delete_white_space(s: str) -> str:
    """goutils.DeleteWhiteSpace: Go loops over *bytes* and writes each kept byte as a rune.

    So a non-ASCII string that had any whitespace comes back Latin-1-decoded byte by byte (and
    the continuation bytes 0x85 and 0xA0 count as spaces), exactly as sprig's ``nospace`` does.
    """
    if s == "":
        return s
    b = go_bytes(s)
    kept = [chr(x) for x in b if chr(x) not in _LATIN1_SPACE]
    if len(kept) == len(b):
        return s
    return "".join(kept)


def initials(s: str) -> str:
    """goutils.Initials with whitespace delimiters (byte loop; each initial byte as a rune)."""
    if s == "":
        return s
    out: list[str] = []
    last_gap = True
    for x in go_bytes(s):
        ch = chr(x)
        if ch in _LATIN1_SPACE:
            last_gap = True
        elif last_gap:
            out.append(ch)
            last_gap = False
    return "".join(out)


def uncapitalize(s: str) -> str:
    """goutils.Uncapitalize: lower-case the first rune of every whitespace-separated word."""
    if s == "":
        return s
    out: list[str] = []
    nxt = True
    for c in s:
        if _bad(c):
            c = RUNE_ERROR
        if is_space(c):
            nxt = True
            out.append(c)
        elif nxt:
            out.append(lower_rune(c))
            nxt = False
        else:
            out.append(c)
    return "".join(out)


def swap_case(s: str) -> str:
    """goutils.SwapCase (sprig's ``swapcase``): title-case a lower-case letter after a space."""
    if s == "":
        return s
    out: list[str] = []
    ws = True
    for c in s:
        if _bad(c):
            c = RUNE_ERROR
        if is_upper(c) or is_title(c):
            out.append(lower_rune(c))
            ws = False
        elif is_lower(c):
            if ws:
                out.append(title_rune(c))
                ws = False
            else:
                out.append(upper_rune(c))
        else:
            out.append(c)
            ws = is_space(c)
    return "".join(out)


def wrap_custom(s: str, wrap_length: int, new_line: str, wrap_long_words: bool) -> str:
    """goutils.WrapCustom: break at spaces so that lines fit ``wrap_length`` bytes."""
    if s == "":
        return ""
    nl = go_bytes(new_line) if new_line else b"\n"
    b = go_bytes(s)
    out = bytearray()
    for start, stop, br in _wrap_lines(b, wrap_length, wrap_long_words):
        out += b[start:stop]
        if br:
            out += nl
    return go_str(bytes(out))


def wrap_breaks(s: str, wrap_length: int, wrap_long_words: bool, stop: int) -> int:
    """How many line breaks :func:`wrap_custom` inserts (its result's size, before building it);
    counting ends past ``stop`` breaks."""
    n = 0
    for _, _, br in _wrap_lines(go_bytes(s), wrap_length, wrap_long_words):
        n += br
        if n > stop:
            break
    return n


def _wrap_lines(b: bytes, wrap_length: int, wrap_long_words: bool) -> Iterator[tuple[int, int, bool]]:
    """WrapCustom's lines: (start, stop, whether a line break follows) byte ranges of ``b``."""
    if wrap_length < 1:
        wrap_length = 1
    n = len(b)
    offset = 0
    while n - offset > wrap_length:
        if b[offset] == 0x20:
            offset += 1
            continue
        end = wrap_length + offset + 1
        space_at = b.rfind(b" ", offset, end)
        if space_at >= offset:
            yield offset, space_at, True
            offset = space_at + 1
        elif wrap_long_words:
            yield offset, wrap_length + offset, True
            offset += wrap_length
        else:
            end = wrap_length + offset
            idx = b.find(b" ", end)
            if idx == -1:
                yield offset, n, False
                offset = n
            else:
                yield offset, idx, True
                offset = idx + 1
    yield offset, n, False


# -- xstrings ------------------------------------------------------------------------------------


def _is_connector(c: str) -> bool:
    return c in "-_" or is_space(c)


def _is_alphabet(c: str) -> bool:
    """xstrings.isAlphabet: letters, except the common CJK ideographs."""
    if not is_letter(c):
        return False
    o = ord(c)
    if o < 0x3400:
        return True
    return not (19968 <= o <= 40908 or 13312 <= o <= 19845 or 131072 <= o <= 178205)


def pascal_case(s: str) -> str:
    """xstrings v1.5.0 ToPascalCase (``toCamelCase`` with ``isBig``), what sprig 3.3's camelcase calls.

    Words split at ``-``, ``_`` and spaces start upper case; inside a word that began with a
    capital, a run of capitals is lowered until the first lower-case rune (``XMLHttpRequest`` ->
    ``XmlhttpRequest``), while a word that began lower case keeps its capitals (``someWords`` ->
    ``SomeWords``). Doubled connectors keep one; leading and trailing ones stay.
    """
    if s == "":
        return ""
    runes = [RUNE_ERROR if _bad(c) else c for c in s]
    out: list[str] = []
    i = 0
    r0 = ""
    first_upper = False
    # Leading connectors are kept as they are.
    while i < len(runes):
        r0 = runes[i]
        i += 1
        if not _is_connector(r0):
            first_upper = is_upper(r0)
            r0 = upper_rune(r0)
            break
        out.append(r0)
    if i >= len(runes):
        # Go writes r0 once more here, even when it was a connector already written ("__" -> "___").
        out.append(r0)
        return "".join(out)
    while i < len(runes):
        r1 = r0
        r0 = runes[i]
        i += 1
        if _is_connector(r0) and _is_connector(r1):
            out.append(r1)
            continue
        if _is_connector(r1):
            first_upper = is_upper(r0)
            r0 = upper_rune(r0)
        else:
            if first_upper:
                if is_upper(r0):
                    r0 = lower_rune(r0)
                else:
                    first_upper = False
            out.append(r1)
    out.append(r0)
    return "".join(out)


_INVALID, _NUMBER, _UPPER, _ALPHA, _CONNECTOR, _PUNCT, _OTHER = range(7)


def _next_valid_rune(b: bytes, prev: str) -> tuple[str, int]:
    """xstrings.nextValidRune: skip undecodable runes (their bytes are counted) to the next one.

    A real U+FFFD is utf8.RuneError too, so it is skipped like an invalid byte.
    """
    size = 0
    i = 0
    while i < len(b):
        c, sz = _decode_one(b, i)
        size += sz
        if c != RUNE_ERROR:
            return c, size
        i += sz
    return prev, size


def _decode_one(b: bytes, i: int) -> tuple[str, int]:
    """utf8.DecodeRune on b[i:]."""
    x = b[i]
    if x < 0x80:
        return chr(x), 1
    for n in (2, 3, 4):
        chunk = b[i : i + n]
        try:
            c = str(chunk, "utf-8")
        except UnicodeDecodeError:
            continue
        if len(c) == 1:
            return c, n
    return RUNE_ERROR, 1


def _next_word(b: bytes) -> tuple[int, bytes, bytes]:
    """xstrings.nextWord: the type and bytes of the next word, and what remains."""
    if not b:
        return _INVALID, b"", b""
    offset = 0
    remaining = b
    r, size = _next_valid_rune(remaining, RUNE_ERROR)
    offset += size
    if r == RUNE_ERROR:
        return _INVALID, b[:offset], b[offset:]
    wt: int
    if _is_connector(r):
        wt = _CONNECTOR
        remaining = remaining[size:]
        while remaining:
            r, size = _next_valid_rune(remaining, r)
            if not _is_connector(r):
                break
            offset += size
            remaining = remaining[size:]
    elif is_punct(r):
        wt = _PUNCT
        remaining = remaining[size:]
        while remaining:
            r, size = _next_valid_rune(remaining, r)
            if not is_punct(r):
                break
            offset += size
            remaining = remaining[size:]
    elif is_upper(r):
        wt = _UPPER
        remaining = remaining[size:]
        if remaining:
            r, size = _next_valid_rune(remaining, r)
            if is_upper(r):
                prev_size = size
                offset += size
                remaining = remaining[size:]
                while remaining:
                    r, size = _next_valid_rune(remaining, r)
                    if not is_upper(r):
                        break
                    prev_size = size
                    offset += size
                    remaining = remaining[size:]
                if remaining and _is_alphabet(r):
                    offset -= prev_size
                    remaining = b[offset:]
            elif _is_alphabet(r):
                offset += size
                remaining = remaining[size:]
                while remaining:
                    r, size = _next_valid_rune(remaining, r)
                    if not _is_alphabet(r) or is_upper(r):
                        break
                    offset += size
                    remaining = remaining[size:]
    elif _is_alphabet(r):
        wt = _ALPHA
        remaining = remaining[size:]
        while remaining:
            r, size = _next_valid_rune(remaining, r)
            if not _is_alphabet(r) or is_upper(r):
                break
            offset += size
            remaining = remaining[size:]
    elif is_number(r):
        wt = _NUMBER
        remaining = remaining[size:]
        while remaining:
            r, size = _next_valid_rune(remaining, r)
            if not is_number(r):
                break
            offset += size
            remaining = remaining[size:]
    else:
        wt = _OTHER
        remaining = remaining[size:]
        while remaining:
            r, size = _next_valid_rune(remaining, r)
            if size == 0 or _is_connector(r) or _is_alphabet(r) or is_number(r) or is_punct(r):
                break
            offset += size
            remaining = remaining[size:]
    return wt, b[:offset], remaining


def _to_lower_word(out: bytearray, wt: int, word: bytes, connector: str) -> None:
    """xstrings.toLower: upper-case and connector words are lowered / normalised rune by rune."""
    if wt != _UPPER and wt != _CONNECTOR:
        out += word
        return
    i = 0
    while i < len(word):
        c, size = _decode_one(word, i)
        i += size
        if _is_connector(c):
            out += connector.encode()
        elif is_upper(c):
            out += lower_rune(c).encode()
        else:
            out += c.encode()


def _camel_to_lower(s: str, connector: str) -> str:
    """xstrings.camelCaseToLowerCase (snakecase and kebabcase)."""
    if s == "":
        return ""
    conn = connector.encode()
    out = bytearray()
    # A memoryview: the scanner slices off what it read at each rune, which must not copy the
    # rest (bytes slices made snakecase quadratic: 109 s on a million characters).
    wt, word, remaining = _next_word(cast(bytes, memoryview(go_bytes(s))))  # read as bytes
    while remaining:
        if wt != _CONNECTOR:
            _to_lower_word(out, wt, word, connector)
        prev, last = wt, word
        wt, word, remaining = _next_word(remaining)
        if prev == _NUMBER:
            while wt in (_ALPHA, _NUMBER):
                _to_lower_word(out, wt, word, connector)
                wt, word, remaining = _next_word(remaining)
            if wt not in (_INVALID, _PUNCT, _CONNECTOR):
                out += conn
        elif prev == _CONNECTOR:
            _to_lower_word(out, prev, last, connector)
        elif prev == _PUNCT:
            pass
        else:
            if wt != _NUMBER:
                if wt not in (_CONNECTOR, _PUNCT):
                    out += conn
                continue
            if not remaining:
                continue
            last = word
            wt, word, remaining = _next_word(remaining)
            if wt != _ALPHA:
                _to_lower_word(out, _NUMBER, last, connector)
                if wt not in (_CONNECTOR, _PUNCT):
                    out += conn
                continue
            out += conn
            _to_lower_word(out, _NUMBER, last, connector)
            while wt in (_ALPHA, _NUMBER):
                _to_lower_word(out, wt, word, connector)
                wt, word, remaining = _next_word(remaining)
            if wt not in (_INVALID, _CONNECTOR, _PUNCT):
                out += conn
    _to_lower_word(out, wt, word, connector)
    return go_str(bytes(out))


def snake_case(s: str) -> str:
    """xstrings.ToSnakeCase."""
    return _camel_to_lower(s, "_")


def kebab_case(s: str) -> str:
    """xstrings.ToKebabCase."""
    return _camel_to_lower(s, "-")


def shuffle(s: str) -> str:
    """xstrings.Shuffle: a random permutation of the runes (Fisher-Yates, as Go does)."""
    if s == "":
        return s
    runes = [RUNE_ERROR if _bad(c) else c for c in s]
    for i in range(len(runes) - 1, 0, -1):
        j = random.randint(0, i)
        runes[i], runes[j] = runes[j], runes[i]
    return "".join(runes)

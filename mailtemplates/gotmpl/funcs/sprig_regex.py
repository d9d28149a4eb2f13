"""Go's ``regexp`` (RE2 syntax) on top of the ``regex`` engine (``re``'s syntax and semantics).

Over 800 lines because it holds Go's ``regexp/syntax/parse.go`` (one file in Go; the parser here
is ~400 lines), the translation that walks its private parse tree, and the ``Regexp`` methods
sprig calls; splitting the parser from its tree and translation would only publish the tree
classes between two modules that nothing else uses.

The pattern is parsed with Go's grammar (``regexp/syntax``, Perl flags), so syntax errors are
Go's (``error parsing regexp: missing closing ): `(```) and Go-only syntax works (``\\z``,
``[[:alpha:]]``, ``\\Q..\\E``, ``(?U)``, ``(?<name>x)``, ``\\x{263a}``), then translated to an
equivalent Python pattern: Go's ``\\d \\w \\s \\b`` are ASCII-only, ``$`` without ``(?m)`` is the
end of the text (never before a final newline), ``.`` stops at newlines. Matching is
leftmost-first in both engines, so the matches are the same.

Unicode classes ``\\pL``, ``\\p{Lu}`` and ``\\p{Greek}``-style scripts: general categories are
supported (computed from :mod:`unicodedata`); scripts are refused with a clear error, since
Python's standard library has no script data.

The ``All`` operations iterate the Go way: an empty match right after the previous match is
skipped (Python's ``re.sub`` and ``findall`` keep it).

Known differences: a repeated group that can match the empty string (``(a*|..)+``) may stop
earlier in Python than in RE2, which skips empty iterations; and backtracking has no linear-time
guarantee, so a pathological pattern can be slow where RE2 is not: each function call stops
matching after :data:`MATCH_SECONDS` with a template error instead of hanging the render.

Follows Go 1.26 ``src/regexp/syntax/parse.go`` (the grammar and its errors) and
``src/regexp/regexp.go`` (``allMatches``, ``ReplaceAll``, ``Split``).
"""

from __future__ import annotations

import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

__all__ = [
    "MATCH_SECONDS",
    "GoRegexp",
    "RegexError",
    "RegexTimeout",
    "RegexUnsupported",
    "compile_go",
    "quote_meta",
]

#: Seconds one regular-expression function call may spend matching. Go's RE2 engine is linear in
#: the input; Python's engines backtrack, so a pathological pattern (``(a+)+$``) on a few dozen
#: characters of an identity trait could run for minutes. The ``regex`` engine (re-compatible
#: syntax and semantics) stops a search at this deadline. docs/limits.md.
MATCH_SECONDS: float = 1.0

MAX_RUNE: Final = 0x10FFFF


class RegexTimeout(ValueError):
    """A match ran past :data:`MATCH_SECONDS` (a template error at the function call)."""


class RegexError(ValueError):
    """A Go regexp syntax error; ``str(e)`` is Go's ``error parsing regexp: ...`` message."""


class RegexUnsupported(ValueError):
    """Valid Go syntax that this port refuses (Unicode script classes)."""


def _err(code: str, expr: str) -> RegexError:
    return RegexError(f"error parsing regexp: {code}: `{expr}`")


# -- parse tree ----------------------------------------------------------------------------------

FOLD, DOTNL, ONELINE, NONGREEDY = 1, 2, 4, 8


@dataclass
class _Lit:
    c: str
    fold: bool


@dataclass
class _Class:
    ranges: list[tuple[int, int]]
    negated: bool
    fold: bool


@dataclass
class _Any:
    dotnl: bool


@dataclass
class _Op:
    kind: str  # bol eol bot eot wb nwb


@dataclass
class _Group:
    cap: int
    sub: _Node


@dataclass
class _Concat:
    subs: list[_Node] = field(default_factory=list)


@dataclass
class _Alt:
    subs: list[_Node]


@dataclass
class _Repeat:
    min: int
    max: int  # -1: unbounded
    greedy: bool
    sub: _Node
    counted: bool  # {n,m} form (Go's OpRepeat), used by the nesting size check


_Node = _Lit | _Class | _Any | _Op | _Group | _Concat | _Alt | _Repeat


@dataclass
class _Frame:
    alts: list[_Node]
    cur: list[_Node]
    cap: int  # 0: the root or a non-capturing group
    saved_flags: int
    is_root: bool = False


_PERL_GROUPS: Final = {
    "d": [(0x30, 0x39)],
    "s": [(0x9, 0xA), (0xC, 0xD), (0x20, 0x20)],
    "w": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
}

_POSIX_GROUPS: Final = {
    "alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
    "alpha": [(0x41, 0x5A), (0x61, 0x7A)],
    "ascii": [(0x0, 0x7F)],
    "blank": [(0x9, 0x9), (0x20, 0x20)],
    "cntrl": [(0x0, 0x1F), (0x7F, 0x7F)],
    "digit": [(0x30, 0x39)],
    "graph": [(0x21, 0x7E)],
    "lower": [(0x61, 0x7A)],
    "print": [(0x20, 0x7E)],
    "punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
    "space": [(0x9, 0xD), (0x20, 0x20)],
    "upper": [(0x41, 0x5A)],
    "word": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
    "xdigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
}

_CATEGORIES: Final = frozenset(
    [
        "C",
        "Cc",
        "Cf",
        "Cn",
        "Co",
        "Cs",
        "L",
        "Ll",
        "Lm",
        "Lo",
        "Lt",
        "Lu",
        "M",
        "Mc",
        "Me",
        "Mn",
        "N",
        "Nd",
        "Nl",
        "No",
        "P",
        "Pc",
        "Pd",
        "Pe",
        "Pf",
        "Pi",
        "Po",
        "Ps",
        "S",
        "Sc",
        "Sk",
        "Sm",
        "So",
        "Z",
        "Zl",
        "Zp",
        "Zs",
    ]
)

# unicode.CategoryAliases, keyed by canonical name.
_CATEGORY_ALIASES: Final = {
    "Casedletter": "Lc",
    "Closepunctuation": "Pe",
    "Combiningmark": "M",
    "Connectorpunctuation": "Pc",
    "Control": "Cc",
    "Currencysymbol": "Sc",
    "Dashpunctuation": "Pd",
    "Decimalnumber": "Nd",
    "Enclosingmark": "Me",
    "Finalpunctuation": "Pf",
    "Format": "Cf",
    "Initialpunctuation": "Pi",
    "Letter": "L",
    "Letternumber": "Nl",
    "Lineseparator": "Zl",
    "Lowercaseletter": "Ll",
    "Mark": "M",
    "Mathsymbol": "Sm",
    "Modifierletter": "Lm",
    "Modifiersymbol": "Sk",
    "Nonspacingmark": "Mn",
    "Number": "N",
    "Openpunctuation": "Ps",
    "Other": "C",
    "Otherletter": "Lo",
    "Othernumber": "No",
    "Otherpunctuation": "Po",
    "Othersymbol": "So",
    "Paragraphseparator": "Zp",
    "Privateuse": "Co",
    "Punctuation": "P",
    "Separator": "Z",
    "Spaceseparator": "Zs",
    "Spacingmark": "Mc",
    "Surrogate": "Cs",
    "Symbol": "S",
    "Titlecaseletter": "Lt",
    "Unassigned": "Cn",
    "Uppercaseletter": "Lu",
    "Cntrl": "Cc",
    "Digit": "Nd",
    "Punct": "P",
}

# The script names Go's regexp knows (unicode.Scripts, Unicode 15.0), canonicalised.
_SCRIPTS: Final = frozenset(
    n.replace("_", "").capitalize()
    for n in [
        "Adlam",
        "Ahom",
        "Anatolian_Hieroglyphs",
        "Arabic",
        "Armenian",
        "Avestan",
        "Balinese",
        "Bamum",
        "Bassa_Vah",
        "Batak",
        "Bengali",
        "Bhaiksuki",
        "Bopomofo",
        "Brahmi",
        "Braille",
        "Buginese",
        "Buhid",
        "Canadian_Aboriginal",
        "Carian",
        "Caucasian_Albanian",
        "Chakma",
        "Cham",
        "Cherokee",
        "Chorasmian",
        "Common",
        "Coptic",
        "Cuneiform",
        "Cypriot",
        "Cypro_Minoan",
        "Cyrillic",
        "Deseret",
        "Devanagari",
        "Dives_Akuru",
        "Dogra",
        "Duployan",
        "Egyptian_Hieroglyphs",
        "Elbasan",
        "Elymaic",
        "Ethiopic",
        "Georgian",
        "Glagolitic",
        "Gothic",
        "Grantha",
        "Greek",
        "Gujarati",
        "Gunjala_Gondi",
        "Gurmukhi",
        "Han",
        "Hangul",
        "Hanifi_Rohingya",
        "Hanunoo",
        "Hatran",
        "Hebrew",
        "Hiragana",
        "Imperial_Aramaic",
        "Inherited",
        "Inscriptional_Pahlavi",
        "Inscriptional_Parthian",
        "Javanese",
        "Kaithi",
        "Kannada",
        "Katakana",
        "Kawi",
        "Kayah_Li",
        "Kharoshthi",
        "Khitan_Small_Script",
        "Khmer",
        "Khojki",
        "Khudawadi",
        "Lao",
        "Latin",
        "Lepcha",
        "Limbu",
        "Linear_A",
        "Linear_B",
        "Lisu",
        "Lycian",
        "Lydian",
        "Mahajani",
        "Makasar",
        "Malayalam",
        "Mandaic",
        "Manichaean",
        "Marchen",
        "Masaram_Gondi",
        "Medefaidrin",
        "Meetei_Mayek",
        "Mende_Kikakui",
        "Meroitic_Cursive",
        "Meroitic_Hieroglyphs",
        "Miao",
        "Modi",
        "Mongolian",
        "Mro",
        "Multani",
        "Myanmar",
        "Nabataean",
        "Nag_Mundari",
        "Nandinagari",
        "New_Tai_Lue",
        "Newa",
        "Nko",
        "Nushu",
        "Nyiakeng_Puachue_Hmong",
        "Ogham",
        "Ol_Chiki",
        "Old_Hungarian",
        "Old_Italic",
        "Old_North_Arabian",
        "Old_Permic",
        "Old_Persian",
        "Old_Sogdian",
        "Old_South_Arabian",
        "Old_Turkic",
        "Old_Uyghur",
        "Oriya",
        "Osage",
        "Osmanya",
        "Pahawh_Hmong",
        "Palmyrene",
        "Pau_Cin_Hau",
        "Phags_Pa",
        "Phoenician",
        "Psalter_Pahlavi",
        "Rejang",
        "Runic",
        "Samaritan",
        "Saurashtra",
        "Sharada",
        "Shavian",
        "Siddham",
        "SignWriting",
        "Sinhala",
        "Sogdian",
        "Sora_Sompeng",
        "Soyombo",
        "Sundanese",
        "Syloti_Nagri",
        "Syriac",
        "Tagalog",
        "Tagbanwa",
        "Tai_Le",
        "Tai_Tham",
        "Tai_Viet",
        "Takri",
        "Tamil",
        "Tangsa",
        "Tangut",
        "Telugu",
        "Thaana",
        "Thai",
        "Tibetan",
        "Tifinagh",
        "Tirhuta",
        "Toto",
        "Ugaritic",
        "Vai",
        "Vithkuqi",
        "Wancho",
        "Warang_Citi",
        "Yezidi",
        "Yi",
        "Zanabazar_Square",
    ]
)


def _negate(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    nxt = 0
    for lo, hi in sorted(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = max(nxt, hi + 1)
    if nxt <= MAX_RUNE:
        out.append((nxt, MAX_RUNE))
    return out


@lru_cache(maxsize=64)
def _category_ranges(name: str) -> tuple[tuple[int, int], ...]:
    """Code point ranges of a Unicode general category (one or two letters), or "Any"."""
    if name == "Any":
        return ((0, MAX_RUNE),)
    out: list[tuple[int, int]] = []
    start = -1
    cats = ("Lu", "Ll", "Lt") if name == "Lc" else (name,)
    for cp in range(MAX_RUNE + 1):
        cat = unicodedata.category(chr(cp))
        hit = cat in cats if len(name) == 2 else cat[0] == name
        if hit and start < 0:
            start = cp
        elif not hit and start >= 0:
            out.append((start, cp - 1))
            start = -1
    if start >= 0:
        out.append((start, MAX_RUNE))
    return tuple(out)


def _is_alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _unhex(c: str) -> int:
    if "0" <= c <= "9":
        return ord(c) - 48
    if "a" <= c <= "f":
        return ord(c) - 87
    if "A" <= c <= "F":
        return ord(c) - 55
    return -1


class _Parser:
    def __init__(self, expr: str) -> None:
        self.whole = expr
        self.flags = ONELINE  # regexp.Compile: syntax.Perl (OneLine, PerlX, ClassNL, UnicodeGroups)
        self.ncap = 0
        self.names: dict[int, str] = {}
        self.frames = [_Frame([], [], 0, self.flags, is_root=True)]

    # -- helpers

    def _check_rune(self, t: str, i: int) -> None:
        if "\ud800" <= t[i] <= "\udfff":
            raise _err("invalid UTF-8", t[i:])

    def push(self, node: _Node) -> None:
        self.frames[-1].cur.append(node)

    def literal(self, c: str) -> None:
        self.push(_Lit(c, bool(self.flags & FOLD)))

    def parse(self) -> _Node:
        t = self.whole
        last_repeat = ""
        while t:
            repeat = ""
            c = t[0]
            if c == "(":
                if len(t) >= 2 and t[1] == "?":
                    t = self.parse_perl_flags(t)
                else:
                    self.ncap += 1
                    self.open_group(self.ncap)
                    t = t[1:]
            elif c == "|":
                f = self.frames[-1]
                f.alts.append(_Concat(f.cur))
                f.cur = []
                t = t[1:]
            elif c == ")":
                self.close_group()
                t = t[1:]
            elif c == "^":
                self.push(_Op("bot" if self.flags & ONELINE else "bol"))
                t = t[1:]
            elif c == "$":
                self.push(_Op("eot" if self.flags & ONELINE else "eol"))
                t = t[1:]
            elif c == ".":
                self.push(_Any(bool(self.flags & DOTNL)))
                t = t[1:]
            elif c == "[":
                t = self.parse_class(t)
            elif c in "*+?":
                before = t
                after = t[1:]
                lo, hi = {"*": (0, -1), "+": (1, -1), "?": (0, 1)}[c]
                after = self.repeat(lo, hi, before, after, last_repeat, counted=False)
                repeat = before
                t = after
            elif c == "{":
                before = t
                parsed = self.parse_repeat(t)
                if parsed is None:
                    self.literal("{")
                    t = t[1:]
                else:
                    lo, hi, after = parsed
                    if lo < 0 or lo > 1000 or hi > 1000 or (hi >= 0 and lo > hi):
                        raise _err("invalid repeat count", before[: len(before) - len(after)])
                    after = self.repeat(lo, hi, before, after, last_repeat, counted=True)
                    repeat = before
                    t = after
            elif c == "\\":
                t = self.parse_backslash(t)
            else:
                self._check_rune(t, 0)
                self.literal(c)
                t = t[1:]
            last_repeat = repeat
        if len(self.frames) != 1:
            raise _err("missing closing )", self.whole)
        root = self.frames[0]
        return self._finish(root)

    def _finish(self, f: _Frame) -> _Node:
        alts = [*f.alts, _Concat(f.cur)]
        return alts[0] if len(alts) == 1 else _Alt(alts)

    def open_group(self, cap: int) -> None:
        self.frames.append(_Frame([], [], cap, self.flags))

    def close_group(self) -> None:
        if len(self.frames) < 2:
            raise _err("unexpected )", self.whole)
        f = self.frames.pop()
        self.flags = f.saved_flags
        node = self._finish(f)
        self.push(_Group(f.cap, node) if f.cap else _Concat([node]))

    def repeat(self, lo: int, hi: int, before: str, after: str, last_repeat: str, counted: bool) -> str:
        flags = self.flags
        if after[:1] == "?":
            after = after[1:]
            flags ^= NONGREEDY
        if last_repeat:
            raise _err("invalid nested repetition operator", last_repeat[: len(last_repeat) - len(after)])
        cur = self.frames[-1].cur
        if not cur:
            raise _err("missing argument to repetition operator", before[: len(before) - len(after)])
        node = _Repeat(lo, hi, not flags & NONGREEDY, cur[-1], counted)
        cur[-1] = node
        if counted and (lo >= 2 or hi >= 2) and not _repeat_is_valid(node, 1000):
            raise _err("invalid repeat count", before[: len(before) - len(after)])
        return after

    @staticmethod
    def parse_int(s: str) -> tuple[int, str] | None:
        if not s or not "0" <= s[0] <= "9":
            return None
        if len(s) >= 2 and s[0] == "0" and "0" <= s[1] <= "9":
            return None
        i = 0
        while i < len(s) and "0" <= s[i] <= "9":
            i += 1
        digits = s[:i]
        n = -1 if len(digits) > 8 else int(digits)
        return n, s[i:]

    def parse_repeat(self, s: str) -> tuple[int, int, str] | None:
        s = s[1:]
        r = self.parse_int(s)
        if r is None:
            return None
        lo, s = r
        if not s:
            return None
        if s[0] != ",":
            hi = lo
        else:
            s = s[1:]
            if not s:
                return None
            if s[0] == "}":
                hi = -1
            else:
                r = self.parse_int(s)
                if r is None:
                    return None
                hi, s = r
                if hi < 0:
                    lo = -1
        if not s or s[0] != "}":
            return None
        return lo, hi, s[1:]

    def parse_perl_flags(self, s: str) -> str:
        t = s
        starts_p = len(t) > 4 and t[2] == "P" and t[3] == "<"
        starts_name = len(t) > 3 and t[2] == "<"
        if starts_p or starts_name:
            start = 4 if starts_p else 3
            end = t.find(">")
            if end < 0:
                for i in range(len(t)):
                    self._check_rune(t, i)
                raise _err("invalid named capture", s)
            capture = t[: end + 1]
            name = t[start:end]
            for i in range(len(name)):
                self._check_rune(name, i)
            if not name or not all(c == "_" or _is_alnum(c) for c in name):
                raise _err("invalid named capture", capture)
            self.ncap += 1
            self.names[self.ncap] = name
            self.open_group(self.ncap)
            return t[end + 1 :]
        t = t[2:]
        flags = self.flags
        sign = 1
        saw_flag = False
        while t:
            self._check_rune(t, 0)
            c, t = t[0], t[1:]
            if c == "i":
                flags |= FOLD
                saw_flag = True
            elif c == "m":
                flags &= ~ONELINE
                saw_flag = True
            elif c == "s":
                flags |= DOTNL
                saw_flag = True
            elif c == "U":
                flags |= NONGREEDY
                saw_flag = True
            elif c == "-":
                if sign < 0:
                    break
                sign = -1
                flags = ~flags
                saw_flag = False
            elif c in ":)":
                if sign < 0:
                    if not saw_flag:
                        break
                    flags = ~flags
                if c == ":":
                    self.open_group(0)
                self.flags = flags
                return t
            else:
                break
        raise _err("invalid or unsupported Perl syntax", s[: len(s) - len(t)])

    def parse_escape(self, s: str) -> tuple[str, str]:
        """parseEscape: a single-character escape at the start of s (s[0] is the backslash)."""
        t = s[1:]
        if not t:
            raise _err("trailing backslash at end of expression", "")
        self._check_rune(t, 0)
        c, t = t[0], t[1:]
        if c < "\x80" and not _is_alnum(c):
            return c, t
        if c in "1234567" and (not t or not "0" <= t[0] <= "7"):
            pass  # a backreference: not supported
        elif c in "01234567":
            r = ord(c) - 48
            for _ in range(2):
                if not t or not "0" <= t[0] <= "7":
                    break
                r = r * 8 + ord(t[0]) - 48
                t = t[1:]
            return chr(r), t
        elif c == "x":
            if t:
                self._check_rune(t, 0)
                c2, t = t[0], t[1:]
                if c2 == "{":
                    nhex = 0
                    r = 0
                    ok = False
                    while t:
                        self._check_rune(t, 0)
                        c3, t = t[0], t[1:]
                        if c3 == "}":
                            ok = nhex > 0
                            break
                        v = _unhex(c3)
                        if v < 0:
                            break
                        r = r * 16 + v
                        if r > MAX_RUNE:
                            break
                        nhex += 1
                    if ok:
                        return chr(r), t
                else:
                    x = _unhex(c2)
                    if t:
                        self._check_rune(t, 0)
                    c3, t = (t[0], t[1:]) if t else ("", "")
                    y = _unhex(c3) if c3 else -1
                    if x >= 0 and y >= 0:
                        return chr(x * 16 + y), t
        else:
            simple = {"a": "\a", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}.get(c)
            if simple is not None:
                return simple, t
        raise _err("invalid escape sequence", s[: len(s) - len(t)])

    def parse_unicode_class(self, s: str) -> tuple[list[tuple[int, int]], str] | None:
        """\\pN, \\p{Name}, \\PN, \\p{^Name}: (ranges, rest), or None when s is not one."""
        if len(s) < 2 or s[0] != "\\" or s[1] not in "pP":
            return None
        sign = 1 if s[1] == "p" else -1
        t = s[2:]
        if not t:
            return None
        self._check_rune(t, 0)
        c, t = t[0], t[1:]
        if c != "{":
            seq = s[: len(s) - len(t)]
            name = seq[2:]
        else:
            end = s.find("}")
            if end < 0:
                for i in range(len(s)):
                    self._check_rune(s, i)
                raise _err("invalid character class range", s)
            seq, t = s[: end + 1], s[end + 1 :]
            name = s[3:end]
        if name.startswith("^"):
            sign = -sign
            name = name[1:]
        canon = _canonical_name(name)
        canon = _CATEGORY_ALIASES.get(canon, canon)
        if canon == "Any":
            ranges = [(0, MAX_RUNE)]
        elif canon == "Ascii":
            ranges = [(0, 0x7F)]
        elif canon in _CATEGORIES or canon == "Lc":
            ranges = list(_category_ranges(canon))
        elif canon == "Assigned":
            ranges = _negate(list(_category_ranges("Cn")))
        else:
            if canon in _SCRIPTS:
                raise RegexUnsupported(
                    f"regexp: the Unicode class {seq} is not supported by mailtemplates "
                    "(only general categories like \\pL or \\p{Lu} are)"
                )
            raise _err("invalid character class range", seq)
        if sign < 0:
            ranges = _negate(ranges)
        return ranges, t

    def parse_backslash(self, t: str) -> str:
        if len(t) >= 2:
            c = t[1]
            if c == "A":
                self.push(_Op("bot"))
                return t[2:]
            if c == "b":
                self.push(_Op("wb"))
                return t[2:]
            if c == "B":
                self.push(_Op("nwb"))
                return t[2:]
            if c == "C":
                raise _err("invalid escape sequence", t[:2])
            if c == "Q":
                rest = t[2:]
                end = rest.find("\\E")
                lit, t = (rest, "") if end < 0 else (rest[:end], rest[end + 2 :])
                for i, ch in enumerate(lit):
                    self._check_rune(lit, i)
                    self.literal(ch)
                return t
            if c == "z":
                self.push(_Op("eot"))
                return t[2:]
        uc = self.parse_unicode_class(t)
        if uc is not None:
            self.push(_Class(uc[0], False, bool(self.flags & FOLD)))
            return uc[1]
        if len(t) >= 2 and t[1] in "dDsSwW":
            ranges = _PERL_GROUPS[t[1].lower()]
            neg = t[1].isupper()
            self.push(_Class(_negate(ranges) if neg else list(ranges), False, bool(self.flags & FOLD)))
            return t[2:]
        c, t = self.parse_escape(t)
        self.literal(c)
        return t

    def parse_class(self, s: str) -> str:
        t = s[1:]
        ranges: list[tuple[int, int]] = []
        negated = False
        if t[:1] == "^":
            negated = True
            t = t[1:]
        first = True
        while not t or t[0] != "]" or first:
            first = False
            if len(t) > 2 and t[0] == "[" and t[1] == ":":
                end = t.find(":]", 2)
                if end >= 0:
                    name = t[: end + 2]
                    body = name[2:-2]
                    neg = body.startswith("^")
                    grp = _POSIX_GROUPS.get(body[1:] if neg else body)
                    if grp is None:
                        raise _err("invalid character class range", name)
                    ranges.extend(_negate(grp) if neg else grp)
                    t = t[end + 2 :]
                    continue
            uc = self.parse_unicode_class(t)
            if uc is not None:
                ranges.extend(uc[0])
                t = uc[1]
                continue
            if len(t) >= 2 and t[0] == "\\" and t[1] in "dDsSwW":
                grp = _PERL_GROUPS[t[1].lower()]
                ranges.extend(_negate(grp) if t[1].isupper() else grp)
                t = t[2:]
                continue
            rng = t
            lo, t = self.parse_class_char(t, s)
            hi = lo
            if len(t) >= 2 and t[0] == "-" and t[1] != "]":
                t = t[1:]
                hi, t = self.parse_class_char(t, s)
                if hi < lo:
                    raise _err("invalid character class range", rng[: len(rng) - len(t)])
            ranges.append((ord(lo), ord(hi)))
        self.push(_Class(ranges, negated, bool(self.flags & FOLD)))
        return t[1:]

    def parse_class_char(self, s: str, whole: str) -> tuple[str, str]:
        if not s:
            raise _err("missing closing ]", whole)
        if s[0] == "\\":
            return self.parse_escape(s)
        self._check_rune(s, 0)
        return s[0], s[1:]


def _canonical_name(name: str) -> str:
    """regexp/syntax.canonicalName: first letter upper, rest lower, no _ - or space."""
    out = []
    first = True
    for c in name:
        if c in "_- ":
            continue
        if first:
            out.append(c.upper() if "a" <= c <= "z" else c)
            first = False
        else:
            out.append(c.lower() if "A" <= c <= "Z" else c)
    canon = "".join(out)
    # Two-letter category names (Lu) come out as Lu; single letters as L.
    return canon


def _repeat_is_valid(node: _Node, n: int) -> bool:
    if isinstance(node, _Repeat) and node.counted:
        m = node.max
        if m == 0:
            return True
        if m < 0:
            m = node.min
        if m > n:
            return False
        if m > 0:
            n //= m
    return all(_repeat_is_valid(sub, n) for sub in _children(node))


def _children(node: _Node) -> Iterator[_Node]:
    if isinstance(node, (_Group, _Repeat)):
        yield node.sub
    elif isinstance(node, (_Concat, _Alt)):
        yield from node.subs


# -- translation to Python -----------------------------------------------------------------------


def _esc(cp: int) -> str:
    c = chr(cp)
    if c.isascii() and c.isalnum():
        return c
    if cp < 0x10000:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def _has_case(c: str) -> bool:
    return c.lower() != c or c.upper() != c or c in "\u017f\u212a"


def _emit(node: _Node) -> str:
    if isinstance(node, _Lit):
        s = _esc(ord(node.c))
        return f"(?i:{s})" if node.fold and _has_case(node.c) else s
    if isinstance(node, _Class):
        if not node.ranges:
            return "(?s:.)" if node.negated else "(?!)"
        body = "".join(_esc(lo) if lo == hi else f"{_esc(lo)}-{_esc(hi)}" for lo, hi in node.ranges)
        s = "[" + ("^" if node.negated else "") + body + "]"
        return f"(?i:{s})" if node.fold else s
    if isinstance(node, _Any):
        return "(?s:.)" if node.dotnl else "."
    if isinstance(node, _Op):
        return {
            "bol": "(?m:^)",
            "eol": "(?m:$)",
            "bot": r"\A",
            "eot": r"\Z",
            # ASCII word boundaries, spelled out: Python's \B never matches in an empty string.
            "wb": r"(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))",
            "nwb": r"(?:(?<=[0-9A-Za-z_])(?=[0-9A-Za-z_])|(?<![0-9A-Za-z_])(?![0-9A-Za-z_]))",
        }[node.kind]
    if isinstance(node, _Group):
        return "(" + _emit(node.sub) + ")"
    if isinstance(node, _Concat):
        return "".join(f"(?:{_emit(s)})" if isinstance(s, _Alt) else _emit(s) for s in node.subs)
    if isinstance(node, _Alt):
        return "|".join(_emit(s) for s in node.subs)
    # _Repeat
    sub = _emit(node.sub)
    if not (isinstance(node.sub, (_Lit, _Class, _Any, _Group)) and not sub.startswith("(?")):
        sub = f"(?:{sub})"
    if node.min == 0 and node.max == -1:
        q = "*"
    elif node.min == 1 and node.max == -1:
        q = "+"
    elif node.min == 0 and node.max == 1 and not node.counted:
        q = "?"
    elif node.max == -1:
        q = f"{{{node.min},}}"
    elif node.min == node.max:
        q = f"{{{node.min}}}"
    else:
        q = f"{{{node.min},{node.max}}}"
    return sub + q + ("" if node.greedy else "?")


class GoRegexp:
    """A compiled Go regular expression, with Go's ``Find``/``ReplaceAll``/``Split`` semantics."""

    def __init__(self, expr: str) -> None:
        p = _Parser(expr)
        tree = p.parse()
        self.expr = expr
        self.num_cap = p.ncap
        self.names = p.names
        # The regex module loads with the first expression, not with the function library.
        import regex as _engine

        try:
            self.py = _engine.compile(_emit(tree))
        except _engine.error as e:  # pragma: no cover - a translation bug, not a user error
            raise RegexUnsupported(f"regexp: cannot translate `{expr}` to Python: {e}") from e

    def _search(self, s: str, pos: int, deadline: float) -> Any:
        """One search, within what is left of the operation's time (see MATCH_SECONDS).

        The clock is read before each search too: a loop of many quick searches (every empty
        match of a long string) must stop at the deadline as well as one slow search."""
        left = deadline - time.monotonic()
        try:
            if left <= 0:
                raise TimeoutError
            return self.py.search(s, pos, timeout=left)
        except TimeoutError:
            raise RegexTimeout(
                f"regexp: matching `{self.expr}` took longer than {MATCH_SECONDS:g} s "
                "(a backtracking pattern on this input, or too many matches)"
            ) from None

    def match_string(self, s: str) -> bool:
        return self._search(s, 0, time.monotonic() + MATCH_SECONDS) is not None

    def find_string(self, s: str) -> str:
        m = self._search(s, 0, time.monotonic() + MATCH_SECONDS)
        return m.group(0) if m else ""

    def _all(self, s: str, n: int) -> Iterator[Any]:
        """regexp.allMatches: skip an empty match that abuts the previous match."""
        if n < 0:
            n = len(s) + 1
        pos = 0
        count = 0
        prev_end = -1
        end = len(s)
        deadline = time.monotonic() + MATCH_SECONDS
        while count < n and pos <= end:
            m = self._search(s, pos, deadline)
            if m is None:
                break
            accept = True
            if m.end() == pos:
                if m.start() == prev_end:
                    accept = False
                pos += 1
            else:
                pos = m.end()
            prev_end = m.end()
            if accept:
                yield m
                count += 1

    def find_all_string(self, s: str, n: int) -> list[str] | None:
        out = [m.group(0) for m in self._all(s, n)]
        return out or None

    def replace_all(self, src: str, repl: str, literal: bool) -> str:
        """regexp.ReplaceAllString / ReplaceAllLiteralString."""
        out: list[str] = []
        last = 0
        for m in self._replaced(src):
            a0, a1 = m.span()
            out.append(src[last:a0])
            if a1 > last or a0 == 0:
                out.append(repl if literal else self._expand(repl, m))
            last = a1
        out.append(src[last:])
        return "".join(out)

    def replace_size(self, src: str, repl: str, literal: bool, stop: int) -> int:
        """The length of :meth:`replace_all`'s result, found without building it; counting
        ends once it is past ``stop`` (a result over the limit is refused after a few matches)."""
        size = len(src)
        last = 0
        for m in self._replaced(src):
            a0, a1 = m.span()
            if a1 > last or a0 == 0:
                size += len(repl if literal else self._expand(repl, m))
            size -= a1 - a0
            last = a1
            if size - (len(src) - a1) > stop:
                break  # what is left of src only adds to it
        return size

    def _replaced(self, src: str) -> Iterator[Any]:
        """The matches regexp.replaceAll replaces (an empty match after a match is skipped by
        the caller's ``a1 > last`` test, as Go does)."""
        search = 0
        end = len(src)
        deadline = time.monotonic() + MATCH_SECONDS
        while search <= end:
            m = self._search(src, search, deadline)
            if m is None:
                break
            yield m
            a1 = m.end()
            width = 1 if search < end else 0
            if search + width > a1:
                search += width
            elif search + 1 > a1:
                search += 1
            else:
                search = a1

    def _expand(self, template: str, m: Any) -> str:
        """Regexp.expand: $1, ${1}, $name, ${name}; $$ is a dollar."""
        out: list[str] = []
        while template:
            i = template.find("$")
            if i < 0:
                break
            out.append(template[:i])
            template = template[i + 1 :]
            if template[:1] == "$":
                out.append("$")
                template = template[1:]
                continue
            ext = _extract(template)
            if ext is None:
                out.append("$")
                continue
            name, num, template = ext
            if num >= 0:
                if num <= self.num_cap and m.group(num) is not None:
                    out.append(m.group(num))
            else:
                for idx, nm in sorted(self.names.items()):
                    if nm == name and m.group(idx) is not None:
                        out.append(m.group(idx))
                        break
        out.append(template)
        return "".join(out)

    def split(self, s: str, n: int) -> list[str] | None:
        """Regexp.Split."""
        if n == 0:
            return None
        if self.expr and s == "":
            return [""]
        parts: list[str] = []
        beg = 0
        end = 0
        for m in self._all(s, n):
            if n > 0 and len(parts) >= n - 1:
                break
            end = m.start()
            if m.end() != 0:
                parts.append(s[beg:end])
            beg = m.end()
        if end != len(s):
            parts.append(s[beg:])
        return parts


def _extract(s: str) -> tuple[str, int, str] | None:
    """regexp.extract: the group name after a $ (``name`` or ``{name}``), its number, the rest."""
    if not s:
        return None
    brace = s[0] == "{"
    if brace:
        s = s[1:]
    i = 0
    while i < len(s):
        c = s[i]
        if not (c == "_" or unicodedata.category(c)[0] == "L" or unicodedata.category(c) == "Nd"):
            break
        i += 1
    if i == 0:
        return None
    name = s[:i]
    if brace:
        if i >= len(s) or s[i] != "}":
            return None
        i += 1
    num = 0
    for c in name:
        if not "0" <= c <= "9" or num >= 100_000_000:
            num = -1
            break
        num = num * 10 + ord(c) - 48
    if name[0] == "0" and len(name) > 1:
        num = -1
    return name, num, s[i:]


_SPECIAL: Final = frozenset("\\.+*?()|[]{}^$")


def quote_meta(s: str) -> str:
    """regexp.QuoteMeta."""
    return "".join("\\" + c if c in _SPECIAL else c for c in s)


_CACHE: dict[str, GoRegexp] = {}


def compile_go(expr: str) -> GoRegexp:
    """regexp.Compile (cached); raises RegexError or RegexUnsupported."""
    r = _CACHE.get(expr)
    if r is None:
        r = GoRegexp(expr)
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[expr] = r
    return r


def _quote_expr(expr: str) -> str:
    """regexp's quote for MustCompile panics: backquoted when possible, else strconv.Quote."""
    from ..gostrconv import can_backquote, quote

    if can_backquote(expr):
        return "`" + expr + "`"
    return quote(expr)


def must_compile(expr: str) -> GoRegexp:
    """regexp.MustCompile: a RegexError becomes Go's panic message."""
    try:
        return compile_go(expr)
    except RegexError as e:
        raise RegexError(f"regexp: Compile({_quote_expr(expr)}): {e}") from None


assert sys.maxunicode == MAX_RUNE

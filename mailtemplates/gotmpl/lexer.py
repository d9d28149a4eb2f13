"""The lexer of Go's template language: a state machine, as Go 1.26 ``src/text/template/parse/lex.go``.

Each state is a method that consumes input and returns the next state, or ``None`` once it has
produced an item; the parser pulls items one at a time (``next_item``), as Go's does since Go 1.20
(no lexing goroutine). The plain tokens of an action between the default delimiters are lexed
ahead in one loop and queued (``_lex_action_run``): the same items, fewer calls. ``break`` and ``continue`` are keywords unless the function map defines
functions of those names (``break_ok``/``continue_ok``, set by the parser before the first item,
as Go's ``lexOptions``); whether they stand inside a ``range`` is the parser's check.

Trim markers (``{{- `` and `` -}}``) are handled here and nowhere else: the parser never sees the
white space they remove. Positions are character offsets into the source.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from typing import NamedTuple, Optional

from .gostrconv import go_bytes, is_print, quote

__all__ = ["Item", "ItemType", "Lexer"]


class ItemType(enum.IntEnum):
    ERROR = 0
    BOOL = 1
    CHAR = 2
    CHAR_CONSTANT = 3
    COMMENT = 4
    COMPLEX = 5
    ASSIGN = 6
    DECLARE = 7
    EOF = 8
    FIELD = 9
    IDENTIFIER = 10
    LEFT_DELIM = 11
    LEFT_PAREN = 12
    NUMBER = 13
    PIPE = 14
    RAW_STRING = 15
    RIGHT_DELIM = 16
    RIGHT_PAREN = 17
    SPACE = 18
    STRING = 19
    TEXT = 20
    VARIABLE = 21
    KEYWORD = 22  # only a separator: the values below are keywords
    BLOCK = 23
    BREAK = 24
    CONTINUE = 25
    DOT = 26
    DEFINE = 27
    ELSE = 28
    END = 29
    IF = 30
    NIL = 31
    RANGE = 32
    TEMPLATE = 33
    WITH = 34


KEYWORDS = {
    ".": ItemType.DOT,
    "block": ItemType.BLOCK,
    "break": ItemType.BREAK,
    "continue": ItemType.CONTINUE,
    "define": ItemType.DEFINE,
    "else": ItemType.ELSE,
    "end": ItemType.END,
    "if": ItemType.IF,
    "range": ItemType.RANGE,
    "nil": ItemType.NIL,
    "template": ItemType.TEMPLATE,
    "with": ItemType.WITH,
}

SPACE_CHARS = " \t\r\n"
TRIM_MARKER = "-"
LEFT_COMMENT = "/*"
RIGHT_COMMENT = "*/"


# The digits (and digit separator) a number may use after each base prefix.
_DECIMAL = "0123456789_"
_HEX = "0123456789abcdefABCDEF_"
_OCTAL = "01234567_"
_BINARY = "01_"


# Fast paths of the state functions (issue 17): runs of white space and of ASCII word characters
# taken in one match instead of one next() per character. Anything else (a non-ASCII letter or
# digit, an escape in a string) goes on one character at a time, as lex.go does.
_SPACE_RUN = re.compile(r"[ \t\r\n]+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]*")
# What may follow a word: at_terminator's characters (the right delimiter aside).
_TERMINATOR_CHARS = frozenset(" \t\r\n.,|:()")
_PLAIN_STRING = re.compile(r'[^"\\\n]*"')

# One token of an action between the default delimiters, for the batch of
# ``Lexer._lex_action_run`` (issue 17: a token pulled one at a time through the state functions
# cost several calls). Each group is a token whose item lex.go would make from exactly this text
# with no error; a word, field or variable only when a terminator follows (else lex.go may report
# "bad character"). Anything else (numbers, raw strings, escapes, other characters, custom
# delimiters, a trim marker) is left to the state functions.
_TERM = r"(?=[ \t\r\n.,|:()]|\}\})"
_ACTION_TOKEN = re.compile(
    "|".join(
        (
            r"([ \t\r\n]+)",  # 1 space
            r"([A-Za-z_][A-Za-z0-9_]*)" + _TERM,  # 2 identifier or keyword
            r"(\.[A-Za-z_][A-Za-z0-9_]*)" + _TERM,  # 3 field
            r"(\$[A-Za-z0-9_]*)" + _TERM,  # 4 variable
            r'("[^"\\\n]*")',  # 5 string without escapes
            r"(\}\})",  # 6 right delimiter
            r"(:=)|(=)|(\|)|(\()|(\))|(,)",  # 7 declare, 8 assign, 9 pipe, 10 (, 11 ), 12 char ","
            r"(\.)" + _TERM,  # 13 dot
        )
    )
)


def _quote_prefix(s: str, n: int) -> str:
    """Go's ``%.10q``: the first ``n`` runes, quoted."""
    return quote(s[:n])


class Item(NamedTuple):
    # A tuple, not a frozen dataclass: the lexer makes one per token, and a tuple is built
    # several times faster (first renders and lint lex every file, issue 17).
    typ: ItemType
    pos: int
    val: str
    line: int

    def __str__(self) -> str:
        # item.String() in lex.go: the wording of "unexpected X" parse errors.
        if self.typ == ItemType.EOF:
            return "EOF"
        if self.typ == ItemType.ERROR:
            return self.val
        if self.typ > ItemType.KEYWORD:
            return f"<{self.val}>"
        if len(go_bytes(self.val)) > 10:
            return _quote_prefix(self.val, 10) + "..."
        return quote(self.val)


#: Item's tuple constructor without NamedTuple's Python-level ``__new__`` (one per token).
_new_item = tuple.__new__

_SPACE = ItemType.SPACE
_RIGHT_DELIM = ItemType.RIGHT_DELIM
_LEFT_PAREN = ItemType.LEFT_PAREN
_RIGHT_PAREN = ItemType.RIGHT_PAREN
#: The item type of each other group of _ACTION_TOKEN.
_BATCH_TYPES = {
    3: ItemType.FIELD,
    4: ItemType.VARIABLE,
    5: ItemType.STRING,
    7: ItemType.DECLARE,
    8: ItemType.ASSIGN,
    9: ItemType.PIPE,
    12: ItemType.CHAR,
    13: ItemType.DOT,
}


def is_space(ch: str) -> bool:
    return ch in SPACE_CHARS and ch != ""


def is_alnum(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or (ch.isdigit() and ch.isdecimal())


def _is_go_letter(ch: str) -> bool:
    return ch.isalpha()


def has_left_trim_marker(s: str, at: int) -> bool:
    return len(s) >= at + 2 and s[at] == TRIM_MARKER and s[at + 1] in SPACE_CHARS


def has_right_trim_marker(s: str, at: int) -> bool:
    return len(s) >= at + 2 and s[at] in SPACE_CHARS and s[at + 1] == TRIM_MARKER


StateFn = Callable[["Lexer"], Optional["StateFn"]]

EOF = ""


class Lexer:
    """Pull lexer over one source text. ``next_item()`` returns one Item per call."""

    def __init__(self, name: str, text: str, left: str = "", right: str = "") -> None:
        self.name = name
        self.input = text
        self.left = left or "{{"
        self.right = right or "}}"
        self.pos = 0
        self.start = 0
        self.at_eof = False
        self.paren_depth = 0
        self.line = 1
        self.start_line = 1
        self.item: Item | None = None
        self.inside_action = False
        self.emit_comment = False
        self.break_ok = True
        self.continue_ok = True
        #: Items lexed ahead by _lex_action_run, last first.
        self.queue: list[Item] = []
        #: _ACTION_TOKEN knows the default delimiters only.
        self.batch_actions = self.left == "{{" and self.right == "}}"

    # -- helpers ------------------------------------------------------------------------------------
    def next(self) -> str:
        if self.pos >= len(self.input):
            self.at_eof = True
            return EOF
        ch = self.input[self.pos]
        self.pos += 1
        if ch == "\n":
            self.line += 1
        return ch

    def peek(self) -> str:
        if self.pos >= len(self.input):
            return EOF
        return self.input[self.pos]

    def backup(self) -> None:
        if not self.at_eof and self.pos > 0:
            self.pos -= 1
            if self.input[self.pos] == "\n":
                self.line -= 1

    def this_item(self, typ: ItemType) -> Item:
        start, pos = self.start, self.pos
        item = _new_item(Item, (typ, start, self.input[start:pos], self.start_line))
        self.start = pos
        self.start_line = self.line
        return item

    def emit(self, typ: ItemType) -> StateFn | None:
        start, pos = self.start, self.pos
        self.item = _new_item(Item, (typ, start, self.input[start:pos], self.start_line))
        self.start = pos
        self.start_line = self.line
        return None

    def ignore(self) -> None:
        self.line += self.input.count("\n", self.start, self.pos)
        self.start = self.pos
        self.start_line = self.line

    def accept(self, valid: str) -> bool:
        ch = self.next()
        if ch != EOF and ch in valid:
            return True
        self.backup()
        return False

    def accept_run(self, valid: str) -> None:
        while True:
            ch = self.next()
            if ch == EOF or ch not in valid:
                break
        self.backup()

    def errorf(self, msg: str) -> StateFn | None:
        self.item = Item(ItemType.ERROR, self.start, msg, self.start_line)
        self.start = 0
        self.pos = 0
        self.input = ""
        return None

    def next_item(self) -> Item:
        queue = self.queue
        if queue:
            return queue.pop()
        if self.inside_action and self.batch_actions:
            item = self._lex_action_run()
            if item is not None:
                return item
        pos, line = self.pos, self.start_line
        self.item = None
        state: StateFn | None = Lexer.lex_inside_action if self.inside_action else Lexer.lex_text
        while state is not None:
            state = state(self)
        item = self.item
        return Item(ItemType.EOF, pos, "EOF", line) if item is None else item

    def at_right_delim(self) -> tuple[bool, bool]:
        """(at a right delimiter, with a trim marker before it)."""
        s = self.input
        if has_right_trim_marker(s, self.pos) and s.startswith(self.right, self.pos + 2):
            return True, True
        if s.startswith(self.right, self.pos):
            return True, False
        return False, False

    def at_terminator(self) -> bool:
        ch = self.peek()
        if ch == EOF or is_space(ch) or ch in ".,|:()":
            return True
        return self.input.startswith(self.right, self.pos)

    def _lex_action_run(self) -> Item | None:
        """Lex the plain tokens of the action from ``pos`` on in one loop (see _ACTION_TOKEN),
        up to and including its right delimiter, or up to the first token the state functions
        must take; queue all but the first item and return it (None: no plain token here).
        The items are those lex_inside_action would make, one call at a time."""
        s = self.input
        pos = self.start = self.pos
        line = self.line
        depth = self.paren_depth
        items: list[Item] = []
        add = items.append
        match = _ACTION_TOKEN.match
        while True:
            m = match(s, pos)
            if m is None:
                break
            kind = m.lastindex or 0
            end = m.end()
            if kind == 1:
                if s.startswith("-}}", end):
                    break  # its last space starts a trim marker: lex_space decides
                text = m.group()
                add(_new_item(Item, (_SPACE, pos, text, line)))
                line += text.count("\n")
            elif kind == 2:
                add(_new_item(Item, (self._word_type(m.group()), pos, m.group(), line)))
            elif kind == 6:
                if depth:
                    break  # "unclosed left paren"
                add(_new_item(Item, (_RIGHT_DELIM, pos, "}}", line)))
                pos = end
                self.inside_action = False
                break
            elif kind == 10:
                depth += 1
                add(_new_item(Item, (_LEFT_PAREN, pos, "(", line)))
            elif kind == 11:
                if not depth:
                    break  # "unexpected right paren"
                depth -= 1
                add(_new_item(Item, (_RIGHT_PAREN, pos, ")", line)))
            else:
                add(_new_item(Item, (_BATCH_TYPES[kind], pos, m.group(), line)))
            pos = end
        if not items:
            return None
        self.pos = self.start = pos
        self.line = self.start_line = line
        self.paren_depth = depth
        items.reverse()
        first = items.pop()
        self.queue = items
        return first

    def _word_type(self, word: str) -> ItemType:
        """The item a complete word makes: a keyword, a field, a bool or an identifier."""
        kw = KEYWORDS.get(word)
        if kw is not None and kw > ItemType.KEYWORD:
            if (kw == ItemType.BREAK and not self.break_ok) or (
                kw == ItemType.CONTINUE and not self.continue_ok
            ):
                return ItemType.IDENTIFIER
            return kw
        if word[0] == ".":
            return ItemType.FIELD
        if word in ("true", "false"):
            return ItemType.BOOL
        return ItemType.IDENTIFIER

    # -- states -------------------------------------------------------------------------------------
    def lex_text(self) -> StateFn | None:
        x = self.input.find(self.left, self.pos)
        if x >= 0:
            if x > self.pos:
                self.pos = x
                trim = 0
                if has_left_trim_marker(self.input, self.pos + len(self.left)):
                    seg = self.input[self.start : self.pos]
                    trim = len(seg) - len(seg.rstrip(SPACE_CHARS))
                self.pos -= trim
                self.line += self.input.count("\n", self.start, self.pos)
                item = self.this_item(ItemType.TEXT)
                self.pos += trim
                self.ignore()
                if item.val:
                    self.item = item
                    return None
            return Lexer.lex_left_delim
        self.pos = len(self.input)
        if self.pos > self.start:
            self.line += self.input.count("\n", self.start, self.pos)
            return self.emit(ItemType.TEXT)
        return self.emit(ItemType.EOF)

    def lex_left_delim(self) -> StateFn | None:
        self.pos += len(self.left)
        trim = has_left_trim_marker(self.input, self.pos)
        after = 2 if trim else 0
        if self.input.startswith(LEFT_COMMENT, self.pos + after):
            self.pos += after
            self.ignore()
            return Lexer.lex_comment
        item = self.this_item(ItemType.LEFT_DELIM)
        self.inside_action = True
        self.pos += after
        self.ignore()
        self.paren_depth = 0
        self.item = item
        return None

    def _left_trim_length(self) -> int:
        # Matched in place: slicing off the rest of the input at every " -}}" was quadratic.
        m = _SPACE_RUN.match(self.input, self.pos)
        return 0 if m is None else m.end() - self.pos

    def lex_comment(self) -> StateFn | None:
        self.pos += len(LEFT_COMMENT)
        x = self.input.find(RIGHT_COMMENT, self.pos)
        if x < 0:
            return self.errorf("unclosed comment")
        self.pos = x + len(RIGHT_COMMENT)
        delim, trim = self.at_right_delim()
        if not delim:
            return self.errorf("comment ends before closing delimiter")
        # The comment's own lines (pos jumped over them without next()), as lexComment counts them.
        self.line += self.input.count("\n", self.start, self.pos)
        item = self.this_item(ItemType.COMMENT)
        if trim:
            self.pos += 2
        self.pos += len(self.right)
        if trim:
            self.pos += self._left_trim_length()
        self.ignore()
        if self.emit_comment:
            self.item = item
            return None
        return Lexer.lex_text

    def lex_right_delim(self) -> StateFn | None:
        _, trim = self.at_right_delim()
        if trim:
            self.pos += 2
            self.ignore()
        self.pos += len(self.right)
        item = self.this_item(ItemType.RIGHT_DELIM)
        if trim:
            self.pos += self._left_trim_length()
            self.ignore()
        self.inside_action = False
        self.item = item
        return None

    def lex_inside_action(self) -> StateFn | None:
        s, pos = self.input, self.pos
        if s.startswith(self.right, pos) or (
            has_right_trim_marker(s, pos) and s.startswith(self.right, pos + 2)
        ):
            if self.paren_depth == 0:
                return Lexer.lex_right_delim
            return self.errorf("unclosed left paren")
        if pos >= len(s):
            self.at_eof = True
            return self.errorf("unclosed action")
        ch = s[pos]
        if ch in SPACE_CHARS:
            return Lexer.lex_space  # not consumed: the space may start " -}}"
        self.pos = pos + 1  # next(), for a character that is no newline
        if ch == "=":
            return self.emit(ItemType.ASSIGN)
        if ch == ":":
            if self.next() != "=":
                return self.errorf("expected :=")
            return self.emit(ItemType.DECLARE)
        if ch == "|":
            return self.emit(ItemType.PIPE)
        if ch == '"':
            return self.lex_quote()
        if ch == "`":
            return Lexer.lex_raw_quote
        if ch == "$":
            return self.lex_variable()
        if ch == "'":
            return Lexer.lex_char
        if ch == ".":
            nxt = self.peek()
            if nxt != EOF and not ("0" <= nxt <= "9"):
                return self.lex_field()
            self.backup()
            return Lexer.lex_number
        if ch in "+-" or "0" <= ch <= "9":
            self.backup()
            return Lexer.lex_number
        if is_alnum(ch):
            self.backup()
            return self.lex_identifier()
        if ch == "(":
            self.paren_depth += 1
            return self.emit(ItemType.LEFT_PAREN)
        if ch == ")":
            self.paren_depth -= 1
            if self.paren_depth < 0:
                return self.errorf("unexpected right paren")
            return self.emit(ItemType.RIGHT_PAREN)
        if ord(ch) < 0x80 and ch.isprintable():
            return self.emit(ItemType.CHAR)
        return self.errorf(f"unrecognized character in action: {_go_rune(ch)}")

    def lex_space(self) -> StateFn | None:
        m = _SPACE_RUN.match(self.input, self.pos)
        num = 0
        if m is not None:
            end = m.end()
            num = end - self.pos
            self.line += self.input.count("\n", self.pos, end)
            self.pos = end
        # A trim-marked right delimiter starts with a space: leave it for lex_right_delim.
        if has_right_trim_marker(self.input, self.pos - 1) and self.input.startswith(
            self.right, self.pos + 1
        ):
            self.backup()
            if num == 1:
                return Lexer.lex_right_delim
        return self.emit(ItemType.SPACE)

    def _word_end(self) -> int:
        """Where the run of ASCII word characters at ``pos`` ends, if what follows it ends the
        word and is a terminator (so the per-character loop would stop there with no error);
        else -1."""
        s = self.input
        end = _ASCII_WORD.match(s, self.pos).end()  # type: ignore[union-attr]
        if end < len(s):
            ch = s[end]
            if ch in _TERMINATOR_CHARS or (not is_alnum(ch) and s.startswith(self.right, end)):
                return end
        return -1

    def lex_identifier(self) -> StateFn | None:
        end = self._word_end()
        if end >= 0:
            self.pos = end
            return self._emit_word(self.input[self.start : end])
        self.pos = _ASCII_WORD.match(self.input, self.pos).end()  # type: ignore[union-attr]
        while True:
            ch = self.next()
            if is_alnum(ch):
                continue
            self.backup()
            word = self.input[self.start : self.pos]
            if not self.at_terminator():
                return self.errorf(f"bad character {_go_rune(ch)}")
            return self._emit_word(word)

    def _emit_word(self, word: str) -> StateFn | None:
        """The item of a complete word: a keyword, a field, a bool or an identifier."""
        return self.emit(self._word_type(word))

    def lex_field(self) -> StateFn | None:
        return self._lex_field_or_variable(ItemType.FIELD)

    def lex_variable(self) -> StateFn | None:
        if self.at_terminator():
            return self.emit(ItemType.VARIABLE)
        return self._lex_field_or_variable(ItemType.VARIABLE)

    def _lex_field_or_variable(self, typ: ItemType) -> StateFn | None:
        if self.at_terminator():
            return self.emit(ItemType.VARIABLE if typ == ItemType.VARIABLE else ItemType.DOT)
        end = self._word_end()
        if end >= 0:
            self.pos = end
            return self.emit(typ)
        self.pos = _ASCII_WORD.match(self.input, self.pos).end()  # type: ignore[union-attr]
        while True:
            ch = self.next()
            if not is_alnum(ch):
                self.backup()
                break
        if not self.at_terminator():
            return self.errorf(f"bad character {_go_rune(ch)}")
        return self.emit(typ)

    def lex_char(self) -> StateFn | None:
        while True:
            ch = self.next()
            if ch == "\\":
                ch2 = self.next()
                if ch2 not in (EOF, "\n"):
                    continue
                return self.errorf("unterminated character constant")
            if ch in (EOF, "\n"):
                return self.errorf("unterminated character constant")
            if ch == "'":
                break
        return self.emit(ItemType.CHAR_CONSTANT)

    def lex_number(self) -> StateFn | None:
        if not self._scan_number():
            return self.errorf(f"bad number syntax: {quote(self.input[self.start : self.pos])}")
        sign = self.peek()
        if sign in ("+", "-") and sign != EOF:
            # Complex: 1+2i. No spaces, must end in 'i'.
            if not self._scan_number() or self.input[self.pos - 1] != "i":
                return self.errorf(f"bad number syntax: {quote(self.input[self.start : self.pos])}")
            return self.emit(ItemType.COMPLEX)
        return self.emit(ItemType.NUMBER)

    def _scan_number(self) -> bool:
        """``lexer.scanNumber``: accept what may be a number; ``strconv`` (:mod:`.literals`)
        decides later. False if an alphanumeric character follows it."""
        self.accept("+-")  # optional leading sign
        digits = _DECIMAL
        if self.accept("0"):
            # A leading 0 alone does not make a float octal: only a prefix changes the digits.
            if self.accept("xX"):
                digits = _HEX
            elif self.accept("oO"):
                digits = _OCTAL
            elif self.accept("bB"):
                digits = _BINARY
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        # Go compares the lengths of the digit sets (10+1 decimal, 16+6+1 hex): an exponent e
        # only after decimal digits, a binary exponent p only after hex ones.
        if digits is _DECIMAL and self.accept("eE"):
            self.accept("+-")
            self.accept_run(_DECIMAL)
        if digits is _HEX and self.accept("pP"):
            self.accept("+-")
            self.accept_run(_DECIMAL)
        self.accept("i")  # imaginary
        if is_alnum(self.peek()):
            self.next()
            return False
        return True

    def lex_quote(self) -> StateFn | None:
        m = _PLAIN_STRING.match(self.input, self.pos)
        if m is not None:  # no escape, no newline before the closing quote
            self.pos = m.end()
            return self.emit(ItemType.STRING)
        while True:
            ch = self.next()
            if ch == "\\":
                ch2 = self.next()
                if ch2 not in (EOF, "\n"):
                    continue
                return self.errorf("unterminated quoted string")
            if ch in (EOF, "\n"):
                return self.errorf("unterminated quoted string")
            if ch == '"':
                break
        return self.emit(ItemType.STRING)

    def lex_raw_quote(self) -> StateFn | None:
        while True:
            ch = self.next()
            if ch == EOF:
                return self.errorf("unterminated raw quoted string")
            if ch == "`":
                break
        return self.emit(ItemType.RAW_STRING)


def _go_rune(ch: str) -> str:
    """Go's ``%#U``: ``U+0021 '!'``."""
    if ch == EOF:
        return "U+FFFFFFFFFFFFFFFF"  # Go prints eof (-1) this way; it cannot really happen here
    o = ord(ch)
    s = f"U+{o:04X}"
    if is_print(ch):
        s += f" '{ch}'"
    return s

"""Go's ``fmt`` (``Sprint``, ``Sprintln``, ``Sprintf``) for the values of :mod:`.values`.

Follows Go 1.26 ``src/fmt/print.go`` (``pp``: ``printArg``, ``printValue``, ``handleMethods``,
``badVerb``, ``doPrintf``) and ``src/fmt/format.go`` (``fmt``: padding, ``fmtInteger``,
``fmtFloat``, ``fmtQ``, ...), kept in one class as the two files share one state, so that every
quirk comes out the same: the ``%!d(string=x)`` error forms, flags that keep acting inside those
error forms, zero padding of strings, widths counted in runes, complex numbers padded part by
part. The strconv layer under it (quoting, ``FormatFloat``) is :mod:`.gostrconv`.

This module is over 800 lines because print.go and format.go are one printer: splitting the
class along Go's two files would split one object's state across modules.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from .gostrconv import MAX_RUNE as _MAX_RUNE
from .gostrconv import can_backquote, format_float, go_bytes, go_str, quote, quote_rune
from .gostrconv import is_print as _is_print
from .values import MISSING, GoTime, Int64, Missing, go_type_name

__all__ = [
    "format_value",
    "simple_printf",
    "sprint",
    "sprintf",
    "sprintln",
    "type_string",
]

_U64: Final = (1 << 64) - 1
_LDIGITS: Final = "0123456789abcdefx"
_UDIGITS: Final = "0123456789ABCDEFX"


# --------------------------------------------------------------------------------------------
# Types


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _int64(v: int) -> int:
    """Wrap a Python int to Go's 64-bit two's complement range (Go arithmetic overflows)."""
    return ((v + (1 << 63)) & _U64) - (1 << 63)


def type_string(v: object) -> str:
    """reflect.TypeOf(v).String(): what ``%T`` prints (``<nil>`` for nil)."""
    if isinstance(v, complex):
        return "complex128"
    if isinstance(v, (bytes, bytearray)):
        return "[]uint8"
    if isinstance(v, _Uint64):
        return "uint64"
    if isinstance(v, _LocPtr):
        return "*time.Location"
    return go_type_name(v)


def _struct_fields(v: object) -> list[tuple[str, object]]:
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return [(f.name, getattr(v, f.name)) for f in dataclasses.fields(v)]
    if hasattr(v, "__dict__"):
        return list(vars(v).items())
    names: list[str] = []
    for cls in type(v).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        names.extend([slots] if isinstance(slots, str) else slots)
    return [(n, getattr(v, n)) for n in names if hasattr(v, n)]


def _is_struct_ptr(v: object) -> bool:
    """Python objects stand for Go struct pointers (see values.go_type_name)."""
    return (
        not isinstance(
            v, (str, int, float, complex, bool, list, tuple, dict, Mapping, bytes, bytearray, Missing, GoTime)
        )
        and v is not None
    )


# time.Time's String and GoString methods (fmt calls them through Stringer / GoStringer).

#: Value types of the function library that are a ``fmt.Stringer`` in Go, with their
#: ``String`` method (``*semver.Version``). Only types registered here have a method called:
#: template data's own methods never run (docs/limits.md, sandbox).
STRINGERS: dict[type, Callable[[Any], str]] = {}
#: The same for ``GoString`` (``%#v``), for time values that carry more than their datetime.
GO_STRINGERS: dict[type, Callable[[Any], str]] = {}

#: Go's time.Month names (also time.Format's and time.Parse's, in funcs/sprig_time.py).
MONTH_NAMES: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _zone_name(dt: _dt.datetime) -> str:
    name = dt.tzname() or ""
    off = dt.utcoffset() or _dt.timedelta(0)
    if (name.startswith("UTC") and len(name) > 3) or not name:
        # datetime.timezone(offset) has no abbreviation; Go prints such a zone as -0700.
        minutes = int(off.total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        minutes = abs(minutes)
        return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"
    return name


def _time_string(t: GoTime) -> str:
    """time.Time.String: ``2006-01-02 15:04:05.999999999 -0700 MST``."""
    dt: _dt.datetime = t.dt
    off = dt.utcoffset() or _dt.timedelta(0)
    secs = int(off.total_seconds())
    sign = "-" if secs < 0 else "+"
    secs = abs(secs)
    frac = ""
    if dt.microsecond:
        frac = "." + f"{dt.microsecond * 1000:09d}".rstrip("0")
    return (
        f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d} {dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}{frac} "
        f"{sign}{secs // 3600:02d}{secs // 60 % 60:02d} {_zone_name(dt)}"
    )


def time_gostring(t: GoTime, year: int | None = None, nsec: int | None = None) -> str:
    """time.Time.GoString: ``time.Date(2009, time.November, 10, 23, 0, 0, 0, time.UTC)``.

    ``year`` and ``nsec`` replace the datetime's where the time carries its own (funcs/sprig_time).
    """
    dt: _dt.datetime = t.dt
    if year is None:
        year = dt.year
    if nsec is None:
        nsec = dt.microsecond * 1000
    tz = dt.tzinfo
    if tz is None or tz is _dt.timezone.utc or getattr(tz, "key", None) == "UTC":
        loc = "time.UTC"
    else:
        # A zone database location by its key; a fixed zone by its name (a zone abbreviation Go
        # fabricated while parsing, "MST", or "" for a bare offset).
        name = getattr(tz, "key", None)
        if name is None:
            name = dt.tzname() or ""
            if name.startswith("UTC") and len(name) > 3:
                name = ""  # datetime.timezone(offset) without a name: Go's unnamed fixed zone
        loc = "time.Location(" + quote(str(name)) + ")"
    return (
        f"time.Date({year}, time.{MONTH_NAMES[dt.month - 1]}, {dt.day}, {dt.hour}, {dt.minute}, "
        f"{dt.second}, {nsec}, {loc})"
    )


# --------------------------------------------------------------------------------------------
# The printer: fmt.pp and fmt.fmt in one class.

_NOARG: Final = object()


class _Uint64(int):
    """time.Time's wall field: the only unsigned value fmt meets in our value model."""

    __slots__ = ()


class _LocPtr:
    """time.Time's loc field, a *time.Location (nil for UTC)."""

    __slots__ = ("loc",)

    def __init__(self, loc: object) -> None:
        self.loc = loc


class _Printer:
    __slots__ = (
        "arg",
        "buf",
        "erroring",
        "good_arg_num",
        "minus",
        "plus",
        "plus_v",
        "prec",
        "prec_present",
        "reordered",
        "sharp",
        "sharp_v",
        "space",
        "value",
        "wid",
        "wid_present",
        "zero",
    )

    def __init__(self) -> None:
        self.buf: list[str] = []
        self.arg: object = _NOARG
        self.value: object = _NOARG
        self.erroring = False
        self.reordered = False
        self.good_arg_num = True
        self.clearflags()

    def clearflags(self) -> None:
        self.wid_present = self.prec_present = False
        self.minus = self.plus = self.sharp = self.space = self.zero = False
        self.plus_v = self.sharp_v = False
        self.wid = self.prec = 0

    def text(self) -> str:
        return "".join(self.buf)

    # ---- fmt.fmt: padding

    def write_padding(self, n: int) -> None:
        if n <= 0:
            return
        # Zero padding is allowed only to the left.
        self.buf.append(("0" if self.zero and not self.minus else " ") * n)

    def pad(self, s: str) -> None:
        """fmt.pad / fmt.padString: widths count runes (code points here)."""
        if not self.wid_present or self.wid == 0:
            self.buf.append(s)
            return
        width = self.wid - len(s)
        if not self.minus:
            self.write_padding(width)
            self.buf.append(s)
        else:
            self.buf.append(s)
            self.write_padding(width)

    # ---- fmt.fmt: basic formats

    def fmt_boolean(self, v: bool) -> None:
        self.pad("true" if v else "false")

    def fmt_unicode(self, u: int) -> None:
        """fmt.fmtUnicode: U+0078, or U+0078 'x' with the sharp flag."""
        prec = 4
        if self.prec_present and self.prec > 4:
            prec = self.prec
        s = "U+" + format(u, "X").rjust(prec, "0")
        if self.sharp and u <= _MAX_RUNE and not 0xD800 <= u <= 0xDFFF and _is_print(chr(u)):
            s += " '" + chr(u) + "'"
        old_zero = self.zero
        self.zero = False
        self.pad(s)
        self.zero = old_zero

    def fmt_integer(self, u: int, base: int, is_signed: bool, verb: str, digits: str) -> None:
        """fmt.fmtInteger; u is the value as a uint64 bit pattern."""
        negative = is_signed and u >= 1 << 63
        if negative:
            u = (-u) & _U64
        # Two ways to ask for extra leading zero digits: %.3d or %03d. If both are given the
        # zero flag is ignored and padding with spaces is used instead.
        prec = 0
        if self.prec_present:
            prec = self.prec
            if prec == 0 and u == 0:
                # Precision 0 and value 0 means "print nothing" but padding.
                old_zero = self.zero
                self.zero = False
                self.write_padding(self.wid)
                self.zero = old_zero
                return
        elif self.zero and not self.minus and self.wid_present:
            prec = self.wid
            if negative or self.plus or self.space:
                prec -= 1  # leave room for the sign
        if base == 10:
            s = str(u)
        elif base == 16:
            s = format(u, "x")
            if digits is _UDIGITS:
                s = s.upper()
        elif base == 8:
            s = format(u, "o")
        else:
            s = format(u, "b")
        s = s.rjust(prec, "0")
        if self.sharp:
            if base == 2:
                s = "0b" + s
            elif base == 8:
                if s[0] != "0":
                    s = "0" + s
            elif base == 16:
                s = "0" + digits[16] + s
        if verb == "O":
            s = "0o" + s
        if negative:
            s = "-" + s
        elif self.plus:
            s = "+" + s
        elif self.space:
            s = " " + s
        # Zero padding was handled above as precision (or is ignored with a precision).
        old_zero = self.zero
        self.zero = False
        self.pad(s)
        self.zero = old_zero

    def truncate(self, s: str) -> str:
        if self.prec_present:
            return s[: self.prec]
        return s

    def fmt_s(self, s: str) -> None:
        self.pad(self.truncate(s))

    def fmt_sbx(self, b: bytes, digits: str) -> None:
        """fmt.fmtSbx: hexadecimal encoding of a string's bytes."""
        length = len(b)
        if self.prec_present and self.prec < length:
            length = self.prec
        width = 2 * length
        if width > 0:
            if self.space:
                if self.sharp:
                    width *= 2
                width += length - 1
            elif self.sharp:
                width += 2
        else:
            if self.wid_present:
                self.write_padding(self.wid)
            return
        if self.wid_present and self.wid > width and not self.minus:
            self.write_padding(self.wid - width)
        out: list[str] = []
        if self.sharp:
            out.append("0" + digits[16])
        for i in range(length):
            if self.space and i > 0:
                out.append(" ")
                if self.sharp:
                    out.append("0" + digits[16])
            c = b[i]
            out.append(digits[c >> 4] + digits[c & 0xF])
        self.buf.append("".join(out))
        if self.wid_present and self.wid > width and self.minus:
            self.write_padding(self.wid - width)

    def fmt_q(self, s: str) -> None:
        """fmt.fmtQ: a Go string literal, or a raw one with the sharp flag when possible."""
        s = self.truncate(s)
        if self.sharp and can_backquote(s):
            self.pad("`" + s + "`")
            return
        self.pad(quote(s, ascii_only=self.plus))

    def fmt_c(self, c: int) -> None:
        r = c if c <= _MAX_RUNE and not 0xD800 <= c <= 0xDFFF else 0xFFFD
        self.pad(chr(r))

    def fmt_qc(self, c: int) -> None:
        r = c if c <= _MAX_RUNE else 0xFFFD
        self.pad(quote_rune(r, ascii_only=self.plus))

    def fmt_float(self, v: float, verb: str, prec: int) -> None:
        """fmt.fmtFloat: sign, padding and the sharp flag around strconv.FormatFloat."""
        if self.prec_present:
            prec = self.prec
        num = format_float(v, verb, prec)
        if num[0] not in "+-":
            num = "+" + num
        # The space flag means a leading space instead of "+" unless the plus flag is set.
        if self.space and num[0] == "+" and not self.plus:
            num = " " + num[1:]
        # Infinities and NaN do not look like numbers: never zero padded.
        if num[1] in "IN":
            old_zero = self.zero
            self.zero = False
            if num[1] == "N" and not self.space and not self.plus:
                num = num[1:]
            self.pad(num)
            self.zero = old_zero
            return
        # The sharp flag forces a decimal point and keeps trailing zeros.
        if self.sharp and verb != "b":
            digits = 0
            if verb in "vgGx":
                digits = prec
                if digits == -1:
                    digits = 6
            tail = ""
            has_point = False
            saw_nonzero = False
            i = 1
            while i < len(num):
                ch = num[i]
                if ch == ".":
                    has_point = True
                elif ch in "pP" or (ch in "eE" and verb not in "xX"):
                    tail = num[i:]
                    num = num[:i]
                    break
                else:
                    if ch != "0":
                        saw_nonzero = True
                    if saw_nonzero:
                        digits -= 1
                i += 1
            if not has_point:
                # A leading digit 0 counts once.
                if len(num) == 2 and num[1] == "0":
                    digits -= 1
                num += "."
            if digits > 0:
                num += "0" * digits
            num += tail
        if self.plus or num[0] != "+":
            # Zero padding goes between the sign and the digits.
            if self.zero and not self.minus and self.wid_present and self.wid > len(num):
                self.buf.append(num[0])
                self.write_padding(self.wid - len(num))
                self.buf.append(num[1:])
                return
            self.pad(num)
            return
        self.pad(num[1:])

    # ---- pp: errors

    def bad_verb(self, verb: str) -> None:
        """pp.badVerb: %!verb(type=value); the current flags still apply to the value."""
        self.erroring = True
        self.buf.append("%!" + verb + "(")
        if self.arg is not _NOARG:
            arg = self.arg
            self.buf.append(type_string(arg) + "=")
            self.print_arg(arg, "v")
        elif self.value is not _NOARG:
            value = self.value
            self.buf.append(type_string(value) + "=")
            self.print_value(value, "v", 0)
        else:
            self.buf.append("<nil>")
        self.buf.append(")")
        self.erroring = False

    # ---- pp: per-type formatting

    def fmt_bool(self, v: bool, verb: str) -> None:
        if verb in "tv":
            self.fmt_boolean(v)
        else:
            self.bad_verb(verb)

    def fmt_integer_verb(self, u: int, is_signed: bool, verb: str) -> None:
        """pp.fmtInteger: ``u`` is the value's 64-bit pattern, read as signed if ``is_signed``."""
        if verb == "v":
            if self.sharp_v and not is_signed:
                self.fmt0x64(u, True)
            else:
                self.fmt_integer(u, 10, is_signed, verb, _LDIGITS)
        elif verb == "d":
            self.fmt_integer(u, 10, is_signed, verb, _LDIGITS)
        elif verb == "b":
            self.fmt_integer(u, 2, is_signed, verb, _LDIGITS)
        elif verb in "oO":
            self.fmt_integer(u, 8, is_signed, verb, _LDIGITS)
        elif verb == "x":
            self.fmt_integer(u, 16, is_signed, verb, _LDIGITS)
        elif verb == "X":
            self.fmt_integer(u, 16, is_signed, verb, _UDIGITS)
        elif verb == "c":
            self.fmt_c(u)
        elif verb == "q":
            self.fmt_qc(u)
        elif verb == "U":
            self.fmt_unicode(u)
        else:
            self.bad_verb(verb)

    def fmt_float_verb(self, v: float, verb: str) -> None:
        """pp.fmtFloat: each verb's default precision."""
        if verb == "v":
            self.fmt_float(v, "g", -1)
        elif verb in "bgGxX":
            self.fmt_float(v, verb, -1)
        elif verb in "feE":
            self.fmt_float(v, verb, 6)
        elif verb == "F":
            self.fmt_float(v, "f", 6)
        else:
            self.bad_verb(verb)

    def fmt_complex(self, v: complex, verb: str) -> None:
        """pp.fmtComplex: (r+ii), each part formatted (and padded) on its own."""
        if verb in "vbgGxXfFeE":
            old_plus = self.plus
            self.buf.append("(")
            self.fmt_float_verb(v.real, verb)
            # The imaginary part always has a sign.
            self.plus = True
            self.fmt_float_verb(v.imag, verb)
            self.buf.append("i)")
            self.plus = old_plus
        else:
            self.bad_verb(verb)

    def fmt_string(self, v: str, verb: str) -> None:
        if verb == "v":
            if self.sharp_v:
                self.fmt_q(v)
            else:
                self.fmt_s(v)
        elif verb == "s":
            self.fmt_s(v)
        elif verb == "x":
            self.fmt_sbx(go_bytes(v), _LDIGITS)
        elif verb == "X":
            self.fmt_sbx(go_bytes(v), _UDIGITS)
        elif verb == "q":
            self.fmt_q(v)
        else:
            self.bad_verb(verb)

    def fmt_bytes(self, v: bytes, verb: str, type_str: str) -> None:
        if verb in "vd":
            if self.sharp_v:
                self.buf.append(type_str + "{")
                self.buf.append(", ".join(f"0x{c:x}" for c in v))
                self.buf.append("}")
            else:
                self.buf.append("[")
                for i, c in enumerate(v):
                    if i > 0:
                        self.buf.append(" ")
                    self.fmt_integer(c, 10, False, verb, _LDIGITS)
                self.buf.append("]")
        elif verb == "s":
            self.fmt_s(go_str(bytes(v)))
        elif verb == "x":
            self.fmt_sbx(bytes(v), _LDIGITS)
        elif verb == "X":
            self.fmt_sbx(bytes(v), _UDIGITS)
        elif verb == "q":
            self.fmt_q(go_str(bytes(v)))
        else:
            self.buf.append("[")
            for i, c in enumerate(v):
                if i > 0:
                    self.buf.append(" ")
                self.fmt_integer_verb(c, False, verb)
            self.buf.append("]")

    def fmt0x64(self, u: int, leading0x: bool) -> None:
        sharp = self.sharp
        self.sharp = leading0x
        self.fmt_integer(u, 16, False, "v", _LDIGITS)
        self.sharp = sharp

    def fmt_pointer(self, value: object, verb: str) -> None:
        """pp.fmtPointer. Addresses are Python ids: as arbitrary as Go's."""
        if not isinstance(value, (list, tuple, dict, Mapping)) and not _is_struct_ptr(value):
            self.bad_verb(verb)
            return
        u = id(value) & _U64
        if verb == "v":
            if self.sharp_v:
                self.buf.append("(" + type_string(value) + ")(")
                self.fmt0x64(u, True)
                self.buf.append(")")
            else:
                self.fmt0x64(u, not self.sharp)
        elif verb == "p":
            self.fmt0x64(u, not self.sharp)
        elif verb in "bodxX":
            self.fmt_integer_verb(u, False, verb)
        else:
            self.bad_verb(verb)

    def handle_methods(self, arg: object, verb: str) -> bool:
        """pp.handleMethods: in our value model only time.Time (String, GoString) and the
        registered value types of the function library (String) have methods."""
        if self.erroring:
            return False
        stringer = STRINGERS.get(type(arg))
        if stringer is not None and not self.sharp_v:
            if verb not in "vsxXq":
                return False
            self.fmt_string(stringer(arg), verb)
            return True
        if not isinstance(arg, GoTime):
            return False
        if self.sharp_v:
            self.fmt_s((GO_STRINGERS.get(type(arg)) or time_gostring)(arg))
            return True
        if verb in "vsxXq":
            self.fmt_string(_time_string(arg), verb)
            return True
        return False

    def print_arg(self, arg: object, verb: str) -> None:
        """pp.printArg: one top-level operand."""
        self.arg = arg
        self.value = _NOARG
        if arg is None or arg is MISSING:
            self.arg = _NOARG
            if verb in "Tv":
                self.pad("<nil>")
            else:
                self.bad_verb(verb)
            return
        if verb == "T":
            self.fmt_s(type_string(arg))
            return
        if verb == "p":
            self.fmt_pointer(arg, "p")
            return
        if type(arg) in STRINGERS and self.handle_methods(arg, verb):
            # A named integer with a String method (time.Month, time.Duration): %v prints the name.
            pass
        elif isinstance(arg, bool):
            self.fmt_bool(arg, verb)
        elif isinstance(arg, int):
            self.fmt_integer_verb(_int64(arg) & _U64, True, verb)
        elif isinstance(arg, float):
            self.fmt_float_verb(arg, verb)
        elif isinstance(arg, complex):
            self.fmt_complex(arg, verb)
        elif isinstance(arg, str):
            self.fmt_string(arg, verb)
        elif isinstance(arg, (bytes, bytearray)):
            self.fmt_bytes(bytes(arg), verb, "[]byte")
        elif not self.handle_methods(arg, verb):
            self.print_value(arg, verb, 0)

    def print_value(self, value: object, verb: str, depth: int) -> None:
        """pp.printValue: composite values and the elements inside them."""
        if depth > 0 and value is not None and value is not MISSING and self.handle_methods(value, verb):
            return
        self.arg = _NOARG
        self.value = value
        if value is None or value is MISSING:
            # A nil interface inside a slice, map or struct.
            self.value = _NOARG
            self.buf.append("interface {}(nil)" if self.sharp_v else "<nil>")
        elif isinstance(value, _Uint64):
            self.fmt_integer_verb(int(value), False, verb)
        elif isinstance(value, bool):
            self.fmt_bool(value, verb)
        elif isinstance(value, int):
            self.fmt_integer_verb(_int64(value) & _U64, True, verb)
        elif isinstance(value, float):
            self.fmt_float_verb(value, verb)
        elif isinstance(value, complex):
            self.fmt_complex(value, verb)
        elif isinstance(value, str):
            self.fmt_string(value, verb)
        elif isinstance(value, (bytes, bytearray)):
            # Byte slices are special for %s %q %x %X.
            self.fmt_bytes(bytes(value), verb, "[]uint8")
        elif isinstance(value, Mapping):
            self.print_map(value, verb, depth)
        elif isinstance(value, (list, tuple)):
            self.print_slice(value, verb, depth)
        elif isinstance(value, GoTime):
            # A verb that String() cannot serve: Go prints the struct's fields.
            self.print_time_struct(value, verb, depth)
        elif isinstance(value, _LocPtr):
            self.fmt_loc_ptr(value, verb)
        elif _is_struct_ptr(value):
            if depth == 0:
                # A pointer to a struct prints as &{...} at the top level only.
                self.buf.append("&")
                self.print_struct(value, verb, depth + 1)
            else:
                self.fmt_pointer(value, verb)
        else:
            self.buf.append("?" + type(value).__name__ + "?")

    def print_map(self, m: Mapping[object, object], verb: str, depth: int) -> None:
        if self.sharp_v:
            self.buf.append(type_string(m) + "{")
        else:
            self.buf.append("map[")
        # fmtsort: string keys in byte order (the same as code point order for UTF-8).
        for i, key in enumerate(sorted(m, key=_sort_key)):
            if i > 0:
                self.buf.append(", " if self.sharp_v else " ")
            self.print_value(key, verb, depth + 1)
            self.buf.append(":")
            self.print_value(m[key], verb, depth + 1)
        self.buf.append("}" if self.sharp_v else "]")

    def print_slice(self, seq: Sequence[object], verb: str, depth: int) -> None:
        if self.sharp_v:
            self.buf.append(type_string(seq) + "{")
            for i, item in enumerate(seq):
                if i > 0:
                    self.buf.append(", ")
                self.print_value(item, verb, depth + 1)
            self.buf.append("}")
        else:
            self.buf.append("[")
            for i, item in enumerate(seq):
                if i > 0:
                    self.buf.append(" ")
                self.print_value(item, verb, depth + 1)
            self.buf.append("]")

    def print_time_struct(self, t: GoTime, verb: str, depth: int) -> None:
        """time.Time as a plain struct: {wall ext loc} (no monotonic reading, so wall = nanoseconds)."""
        dt: _dt.datetime = t.dt
        off = dt.utcoffset() or _dt.timedelta(0)
        utc = (dt - off).replace(tzinfo=None)
        ext = int((utc - _dt.datetime(1, 1, 1)).total_seconds())
        is_utc = off == _dt.timedelta(0) and _zone_name(dt) == "UTC"
        fields: list[tuple[str, object]] = [
            ("wall", _Uint64(dt.microsecond * 1000)),
            ("ext", Int64(ext)),
            ("loc", _LocPtr(None if is_utc else dt.tzinfo)),
        ]
        if self.sharp_v:
            self.buf.append("time.Time")
        self.buf.append("{")
        for i, (name, field) in enumerate(fields):
            if i > 0:
                self.buf.append(", " if self.sharp_v else " ")
            if self.plus_v or self.sharp_v:
                self.buf.append(name + ":")
            self.print_value(field, verb, depth + 1)
        self.buf.append("}")

    def fmt_loc_ptr(self, p: _LocPtr, verb: str) -> None:
        """pp.fmtPointer for time.Time's *time.Location field (nil for UTC)."""
        u = 0 if p.loc is None else id(p.loc) & _U64
        if verb == "v":
            if self.sharp_v:
                self.buf.append("(*time.Location)(")
                if u == 0:
                    self.buf.append("nil")
                else:
                    self.fmt0x64(u, True)
                self.buf.append(")")
            elif u == 0:
                self.pad("<nil>")
            else:
                self.fmt0x64(u, not self.sharp)
        elif verb == "p":
            self.fmt0x64(u, not self.sharp)
        elif verb in "bodxX":
            self.fmt_integer_verb(u, False, verb)
        else:
            self.bad_verb(verb)

    def print_struct(self, v: object, verb: str, depth: int) -> None:
        if self.sharp_v:
            self.buf.append(type_string(v).lstrip("*"))
        self.buf.append("{")
        for i, (name, field) in enumerate(_struct_fields(v)):
            if i > 0:
                self.buf.append(", " if self.sharp_v else " ")
            if self.plus_v or self.sharp_v:
                self.buf.append(name + ":")
            self.print_value(field, verb, depth + 1)
        self.buf.append("}")

    # ---- pp: the three entry points

    def do_print(self, args: Sequence[object]) -> None:
        prev_string = False
        for i, arg in enumerate(args):
            is_string = isinstance(arg, str)
            # A space between two operands when neither is a string.
            if i > 0 and not is_string and not prev_string:
                self.buf.append(" ")
            self.print_arg(arg, "v")
            prev_string = is_string

    def do_println(self, args: Sequence[object]) -> None:
        for i, arg in enumerate(args):
            if i > 0:
                self.buf.append(" ")
            self.print_arg(arg, "v")
        self.buf.append("\n")

    def arg_number(self, arg_num: int, fmt: str, i: int, num_args: int) -> tuple[int, int, bool]:
        """pp.argNumber: an explicit [n] argument index at fmt[i:], if any."""
        if len(fmt) <= i or fmt[i] != "[":
            return arg_num, i, False
        self.reordered = True
        index, wid, ok = _parse_arg_number(fmt[i:])
        if ok and 0 <= index < num_args:
            return index, i + wid, True
        self.good_arg_num = False
        return arg_num, i + wid, ok

    def do_printf(self, fmt: str, a: Sequence[object]) -> None:
        end = len(fmt)
        arg_num = 0
        after_index = False
        self.reordered = False
        i = 0
        while i < end:
            self.good_arg_num = True
            lasti = i
            i = fmt.find("%", i)
            if i < 0:
                i = end
            if i > lasti:
                self.buf.append(fmt[lasti:i])
            if i >= end:
                break
            i += 1  # skip %
            self.clearflags()
            while i < end:
                c = fmt[i]
                if c == "#":
                    self.sharp = True
                elif c == "0":
                    self.zero = True
                elif c == "+":
                    self.plus = True
                elif c == "-":
                    self.minus = True
                elif c == " ":
                    self.space = True
                else:
                    break
                i += 1

            arg_num, i, after_index = self.arg_number(arg_num, fmt, i, len(a))

            # Width.
            if i < end and fmt[i] == "*":
                i += 1
                self.wid, self.wid_present, arg_num = _int_from_arg(a, arg_num)
                if not self.wid_present:
                    self.buf.append("%!(BADWIDTH)")
                # A negative width means the minus flag; never pad with zeros to the right.
                if self.wid < 0:
                    self.wid = -self.wid
                    self.minus = True
                    self.zero = False
                after_index = False
            else:
                self.wid, self.wid_present, i = _parsenum(fmt, i, end)
                if after_index and self.wid_present:  # "%[3]2d"
                    self.good_arg_num = False

            # Precision.
            if i + 1 < end and fmt[i] == ".":
                i += 1
                if after_index:  # "%[3].2d"
                    self.good_arg_num = False
                arg_num, i, after_index = self.arg_number(arg_num, fmt, i, len(a))
                if i < end and fmt[i] == "*":
                    i += 1
                    self.prec, self.prec_present, arg_num = _int_from_arg(a, arg_num)
                    # A negative precision makes no sense.
                    if self.prec < 0:
                        self.prec = 0
                        self.prec_present = False
                    if not self.prec_present:
                        self.buf.append("%!(BADPREC)")
                    after_index = False
                else:
                    self.prec, self.prec_present, i = _parsenum(fmt, i, end)
                    if not self.prec_present:
                        self.prec = 0
                        self.prec_present = True

            if not after_index:
                arg_num, i, after_index = self.arg_number(arg_num, fmt, i, len(a))

            if i >= end:
                self.buf.append("%!(NOVERB)")
                break

            verb = fmt[i]
            i += 1

            if verb == "%":
                # Percent does not absorb operands and ignores width and precision.
                self.buf.append("%")
            elif not self.good_arg_num:
                self.buf.append("%!" + verb + "(BADINDEX)")
            elif arg_num >= len(a):
                self.buf.append("%!" + verb + "(MISSING)")
            else:
                if verb in "vw":
                    # %#v is Go syntax and %+v adds field names: modes, not flags.
                    self.sharp_v = self.sharp
                    self.sharp = False
                    self.plus_v = self.plus
                    self.plus = False
                if verb == "w":
                    # Only fmt.Errorf accepts %w.
                    self.arg = a[arg_num]
                    self.value = _NOARG
                    if self.arg is None or self.arg is MISSING:
                        self.arg = _NOARG
                    self.bad_verb(verb)
                else:
                    self.print_arg(a[arg_num], verb)
                arg_num += 1

        # Extra arguments, unless the format reordered them.
        if not self.reordered and arg_num < len(a):
            self.clearflags()
            self.buf.append("%!(EXTRA ")
            for j, arg in enumerate(a[arg_num:]):
                if j > 0:
                    self.buf.append(", ")
                if arg is None or arg is MISSING:
                    self.buf.append("<nil>")
                else:
                    self.buf.append(type_string(arg) + "=")
                    self.print_arg(arg, "v")
            self.buf.append(")")


def _sort_key(k: object) -> tuple[int, object]:
    # fmtsort orders keys of one type; a Python dict may mix them, so group by kind first.
    if isinstance(k, str):
        return (1, go_bytes(k))
    if isinstance(k, (int, float)):
        return (0, k)
    return (2, repr(k))


def _too_large(x: int) -> bool:
    return x > 1_000_000 or x < -1_000_000


def _parsenum(s: str, start: int, end: int) -> tuple[int, bool, int]:
    """fmt.parsenum: a decimal number at s[start:end]; an absurdly long one eats the format."""
    if start >= end:
        return 0, False, end
    num = 0
    isnum = False
    i = start
    while i < end and "0" <= s[i] <= "9":
        if _too_large(num):
            return 0, False, end
        num = num * 10 + ord(s[i]) - 48
        isnum = True
        i += 1
    return num, isnum, i


def _parse_arg_number(fmt: str) -> tuple[int, int, bool]:
    """fmt.parseArgNumber: the bracketed one-based index at fmt[0], as a zero-based index."""
    if len(fmt) < 3:
        return 0, 1, False
    for i in range(1, len(fmt)):
        if fmt[i] == "]":
            width, ok, newi = _parsenum(fmt, 1, i)
            if not ok or newi != i:
                return 0, i + 1, False
            return width - 1, i + 1, True
    return 0, 1, False


def _int_from_arg(a: Sequence[object], arg_num: int) -> tuple[int, bool, int]:
    """fmt.intFromArg: a * width or precision must be an integer operand."""
    num, is_int, new_arg_num = 0, False, arg_num
    if arg_num < len(a):
        v = a[arg_num]
        if _is_int(v):
            assert isinstance(v, int)
            num, is_int = _int64(v), True
        new_arg_num = arg_num + 1
        if _too_large(num):
            num, is_int = 0, False
    return num, is_int, new_arg_num


# --------------------------------------------------------------------------------------------
# Public API


def sprint(args: Sequence[object]) -> str:
    """fmt.Sprint: operands in their default formats, spaced when neither side is a string."""
    if len(args) == 1:
        return format_value(args[0], indirect=False)
    p = _Printer()
    p.do_print(args)
    return p.text()


def sprintln(args: Sequence[object]) -> str:
    """fmt.Sprintln: operands separated by spaces, then a newline."""
    p = _Printer()
    p.do_println(args)
    return p.text()


def sprintf(format: str, args: Sequence[object]) -> str:
    """fmt.Sprintf."""
    p = _Printer()
    p.do_printf(format, args)
    return p.text()


_SIMPLE_VERB = re.compile(r"%(.)", re.DOTALL)


def simple_printf(format: str) -> Callable[[Sequence[object]], str | None] | None:
    """``sprintf(format, args)`` for a format whose verbs are all ``%s``, ``%d``, ``%v`` and
    ``%%`` (no flags, widths or indexes), as a function that handles the common arguments
    (strings, ints, floats, as many as there are verbs) and returns None for anything else.
    None when the format has other verbs. Compiled templates call it before ``sprintf``."""
    pieces = _SIMPLE_VERB.split(format)
    verbs = pieces[1::2]
    if any(v not in "sdv%" for v in verbs) or "%" in _SIMPLE_VERB.sub("", format):
        return None  # another verb, or a "%" ending the format (%!(NOVERB))
    # Literal text between the verbs (``%%`` is literal), the verbs that take an argument.
    lits = [pieces[0]]
    taking: list[str] = []
    for verb, lit in zip(verbs, pieces[2::2], strict=True):
        if verb == "%":
            lits[-1] += "%" + lit
        else:
            taking.append(verb)
            lits.append(lit)
    nargs = len(taking) + 1
    steps = tuple(zip(taking, lits[1:], strict=True))
    first = lits[0]
    limit = 1 << 63

    def run(args: Sequence[object]) -> str | None:
        if len(args) != nargs:
            return None  # %!v(MISSING), %!(EXTRA ...): sprintf
        out = [first]
        for (verb, lit), a in zip(steps, args[1:]):  # noqa: B905 - lengths checked above
            t = type(a)
            if t is str:
                if verb == "d":
                    return None
                out.append(a)
            elif t is int and -limit <= a < limit:  # type: ignore[operator]
                out.append(str(a) if verb != "s" else f"%!s(int={a})")
            elif t is float:
                text = format_float(a, "g", -1)  # type: ignore[arg-type]
                out.append(text if verb == "v" else f"%!{verb}(float64={text})")
            else:
                return None
            out.append(lit)
        return "".join(out)

    return run


def format_value(v: object, indirect: bool = True) -> str:
    """What ``%v`` / ``fmt.Sprint(v)`` prints for one value (``<nil>`` for None and MISSING).

    With ``indirect`` (the default) a struct pointer prints as its struct, ``{a 1}``, as a
    template prints it (text/template's ``printableValue`` dereferences pointers first);
    ``fmt.Sprint`` itself would print ``&{a 1}``.
    """
    # Fast paths for the common scalars; everything else goes through the printer.
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int) and type(v) not in STRINGERS:
        return str(_int64(v))
    if isinstance(v, float):
        # %v is %g with the shortest digits; fmt keeps strconv's "+Inf" sign.
        return format_float(v, "g", -1)
    if v is None or v is MISSING:
        return "<nil>"
    p = _Printer()
    stringer = STRINGERS.get(type(v))
    if stringer is not None:
        # printableValue dereferences the pointer; semver's Version has String on the value.
        return stringer(v)
    if indirect and _is_struct_ptr(v):
        p.print_struct(v, "v", 1)
    else:
        p.print_arg(v, "v")
    return p.text()

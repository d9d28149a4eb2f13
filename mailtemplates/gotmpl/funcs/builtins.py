"""Go's builtin template functions (text/template/funcs.go) over the values of :mod:`..values`.

Go passes most builtins ``reflect.Value`` arguments and unwraps interfaces with
``indirectInterface``: a JSON ``null`` and a missing map key then both look like the invalid
value. Here both arrive as ``None`` or ``MISSING`` and are treated alike, except by ``len``,
where Go's messages differ (``len of nil pointer`` for a nil interface, a reflect panic for the
invalid value).

Error messages are Go's, without the ``error calling NAME:`` prefix that the executor adds.

Follows Go 1.26 ``src/text/template/funcs.go``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from .. import gofmt
from ..gostrconv import go_bytes, go_str, is_bad_byte, is_print
from ..values import MISSING, GoTime, StrList, is_true
from . import GoFuncError, Registry

__all__ = ["REGISTRY", "html_escape", "js_escape", "urlquery_escape"]

REGISTRY: Final = Registry()


def _is_nil(v: object) -> bool:
    return v is None or v is MISSING


def _elem_type(v: object) -> str:
    """The type Go names after dereferencing a pointer (``can't index item of type T``)."""
    return gofmt.type_string(v).removeprefix("*")


# --------------------------------------------------------------------------------------------
# Boolean logic. The executor short-circuits and/or itself (evalCall special-cases them, as
# Go does); these bodies only give the same answer when called directly.


@REGISTRY.register("and", "reflect.Value", variadic="reflect.Value")
def go_and(arg0: object, *args: object) -> object:
    """Returns the first false argument, or the last one."""
    for v in (arg0, *args):
        if not _truth(v):
            return v
    return args[-1] if args else arg0


@REGISTRY.register("or", "reflect.Value", variadic="reflect.Value")
def go_or(arg0: object, *args: object) -> object:
    """Returns the first true argument, or the last one."""
    for v in (arg0, *args):
        if _truth(v):
            return v
    return args[-1] if args else arg0


def _truth(v: object) -> bool:
    """text/template.isTrue, including complex numbers (0i is false)."""
    if isinstance(v, complex):
        return v != 0
    return is_true(v)


@REGISTRY.register("not", "reflect.Value", result="bool")
def go_not(arg: object) -> bool:
    return not _truth(arg)


@REGISTRY.register("call", "reflect.Value", variadic="reflect.Value")
def go_call(fn: object, *args: object, callee: str = "") -> object:
    """Go's ``call``. Data never holds Go functions (and Python callables must not run), so
    every call fails as Go's does for a non-function. ``callee`` is the argument's source text
    (``.F``), which Go puts in the message; the executor may pass it."""
    if _is_nil(fn):
        raise GoFuncError("call of nil")
    raise GoFuncError(f"non-function {callee} of type {gofmt.type_string(fn)}")


# --------------------------------------------------------------------------------------------
# Indexing, slicing, length


def _index_arg(index: object, cap: int) -> int:
    """text/template.indexArg: an integer index in [0, cap]."""
    if _is_nil(index):
        raise GoFuncError("cannot index slice/array with nil")
    if not isinstance(index, int) or isinstance(index, bool):
        raise GoFuncError(f"cannot index slice/array with type {gofmt.type_string(index)}")
    if index < 0 or index > cap:
        raise GoFuncError(f"index out of range: {index}")
    return index


@REGISTRY.register("index", "reflect.Value", variadic="reflect.Value")
def go_index(item: object, *indexes: object) -> object:
    """``index x 1 2 3`` is Go's ``x[1][2][3]``; a missing map key gives the zero value, nil."""
    if _is_nil(item):
        raise GoFuncError("index of untyped nil")
    for index in indexes:
        if type(item) is dict and type(index) is str:
            item = item.get(index)  # the Mapping case below, for JSON data without its tests
            continue
        if _is_nil(item):
            # A nil interface inside a container (JSON null, or a missing key's zero value).
            raise GoFuncError("index of nil pointer")
        if isinstance(item, str):
            b = go_bytes(item)
            x = _index_arg(index, len(b))
            if x == len(b):
                # indexArg allows x == len; the reflect call then panics.
                raise GoFuncError("reflect: string index out of range")
            # A string index is a byte (Go's uint8), modelled as an int.
            item = b[x]
        elif isinstance(item, (list, tuple, bytes, bytearray)):
            x = _index_arg(index, len(item))
            if x == len(item):
                raise GoFuncError("reflect: slice index out of range")
            item = item[x]
        elif isinstance(item, Mapping):
            if _is_nil(index):
                raise GoFuncError("value is nil; should be of type string")
            if not isinstance(index, str):
                raise GoFuncError(f"value has type {gofmt.type_string(index)}; should be string")
            item = item.get(index)
        else:
            raise GoFuncError(f"can't index item of type {_elem_type(item)}")
    return item


@REGISTRY.register("slice", "reflect.Value", variadic="reflect.Value")
def go_slice(item: object, *indexes: object) -> object:
    """``slice x 1 2`` is Go's ``x[1:2]``; strings are sliced by bytes.

    Go checks the indexes against the slice's capacity, which for JSON-decoded arrays can
    exceed the length; Python lists have no capacity, so the length is the bound here.
    """
    if _is_nil(item):
        raise GoFuncError("slice of untyped nil")
    if len(indexes) > 3:
        raise GoFuncError(f"too many slice indexes: {len(indexes)}")
    data: Sequence[object] | bytes
    if isinstance(item, str):
        if len(indexes) == 3:
            raise GoFuncError("cannot 3-index slice a string")
        data = go_bytes(item)
    elif isinstance(item, (list, tuple, bytes, bytearray)):
        data = item
    else:
        raise GoFuncError(f"can't slice item of type {_elem_type(item)}")
    cap = len(data)
    idx = [0, len(data), 0]
    for i, index in enumerate(indexes):
        idx[i] = _index_arg(index, cap)
    if idx[0] > idx[1]:
        raise GoFuncError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise GoFuncError(f"invalid slice index: {idx[1]} > {idx[2]}")
    part = data[idx[0] : idx[1]]
    if isinstance(item, str):
        assert isinstance(part, bytes)
        return go_str(part)
    if isinstance(item, StrList):
        return StrList(part)
    if isinstance(item, (bytes, bytearray)):
        return bytes(part)
    return list(part)


@REGISTRY.register("len", "reflect.Value", result="int")
def go_len(item: object) -> int:
    if item is MISSING:
        # The invalid reflect.Value: length() asks for its Type and reflect panics.
        raise GoFuncError("reflect: call of reflect.Value.Type on zero Value")
    if item is None:
        raise GoFuncError("len of nil pointer")
    if isinstance(item, str):
        return len(go_bytes(item))
    if isinstance(item, (list, tuple, Mapping, bytes, bytearray)):
        return len(item)
    raise GoFuncError(f"len of type {_elem_type(item)}")


# --------------------------------------------------------------------------------------------
# Comparison (text/template's eq/ne/lt/le/gt/ge and basicKind)

_BOOL, _COMPLEX, _INT, _FLOAT, _STRING = "bool", "complex", "int", "float", "string"


def _basic_kind(v: object) -> str | None:
    """text/template.basicKind; None is invalidKind (nil, slices, maps, structs)."""
    if isinstance(v, bool):
        return _BOOL
    if isinstance(v, int):
        return _INT
    if isinstance(v, float):
        return _FLOAT
    if isinstance(v, complex):
        return _COMPLEX
    if isinstance(v, str):
        return _STRING
    return None


def _reflect_kind(v: object) -> str:
    """The reflect.Kind of a non-basic value, for canCompare."""
    if _is_nil(v):
        return "invalid"
    if isinstance(v, (list, tuple, bytes, bytearray)):
        return "slice"
    if isinstance(v, Mapping):
        return "map"
    if isinstance(v, GoTime):
        return "struct"
    return "ptr"


def _has_surrogates(s: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in s)


def _str_less(a: str, b: str) -> bool:
    # Go compares strings by bytes; code point order is the same unless bad bytes are present.
    if _has_surrogates(a) or _has_surrogates(b):
        return go_bytes(a) < go_bytes(b)
    return a < b


def _eq(arg1: object, args: Sequence[object]) -> bool:
    if not args:
        raise GoFuncError("missing argument for comparison")
    k1 = _basic_kind(arg1)
    for arg in args:
        k2 = _basic_kind(arg)
        truth = False
        if k1 != k2:
            if not _is_nil(arg1) and not _is_nil(arg):
                raise GoFuncError(
                    "incompatible types for comparison: "
                    f"{gofmt.type_string(arg1)} and {gofmt.type_string(arg)}"
                )
        elif k1 == _STRING:
            assert isinstance(arg1, str) and isinstance(arg, str)
            truth = arg1 == arg
        elif k1 is not None:
            truth = arg1 == arg
        else:
            r1, r2 = _reflect_kind(arg1), _reflect_kind(arg)
            if r1 != r2 and "invalid" not in (r1, r2):
                raise GoFuncError(
                    f"non-comparable types {gofmt.sprintf('%s', [arg1])}: {gofmt.type_string(arg1)}, "
                    f"{gofmt.type_string(arg)}: {gofmt.sprintf('%v', [arg])}"
                )
            if _is_nil(arg1) or _is_nil(arg):
                truth = _is_nil(arg1) == _is_nil(arg)
            elif r2 in ("slice", "map"):
                raise GoFuncError(
                    f"non-comparable type {gofmt.sprintf('%s', [arg])}: {gofmt.type_string(arg)}"
                )
            elif r2 == "struct":
                truth = arg1 == arg
            else:
                truth = arg1 is arg  # pointers compare by identity
        if truth:
            return True
    return False


@REGISTRY.register("eq", "reflect.Value", variadic="reflect.Value", result="bool")
def go_eq(arg1: object, *args: object) -> bool:
    """``eq a b c`` is ``a == b || a == c``."""
    return _eq(arg1, args)


@REGISTRY.register("ne", "reflect.Value", "reflect.Value", result="bool")
def go_ne(arg1: object, arg2: object) -> bool:
    return not _eq(arg1, (arg2,))


def _lt(arg1: object, arg2: object) -> bool:
    k1 = _basic_kind(arg1)
    if k1 is None:
        raise GoFuncError("invalid type for comparison")
    k2 = _basic_kind(arg2)
    if k2 is None:
        raise GoFuncError("invalid type for comparison")
    if k1 != k2:
        raise GoFuncError(
            f"incompatible types for comparison: {gofmt.type_string(arg1)} and {gofmt.type_string(arg2)}"
        )
    if k1 in (_BOOL, _COMPLEX):
        raise GoFuncError("invalid type for comparison")
    if k1 == _STRING:
        assert isinstance(arg1, str) and isinstance(arg2, str)
        return _str_less(arg1, arg2)
    assert isinstance(arg1, (int, float)) and isinstance(arg2, (int, float))
    return arg1 < arg2


@REGISTRY.register("lt", "reflect.Value", "reflect.Value", result="bool")
def go_lt(arg1: object, arg2: object) -> bool:
    return _lt(arg1, arg2)


@REGISTRY.register("le", "reflect.Value", "reflect.Value", result="bool")
def go_le(arg1: object, arg2: object) -> bool:
    # <= is < or ==.
    return _lt(arg1, arg2) or _eq(arg1, (arg2,))


@REGISTRY.register("gt", "reflect.Value", "reflect.Value", result="bool")
def go_gt(arg1: object, arg2: object) -> bool:
    # > is the inverse of <=.
    return not (_lt(arg1, arg2) or _eq(arg1, (arg2,)))


@REGISTRY.register("ge", "reflect.Value", "reflect.Value", result="bool")
def go_ge(arg1: object, arg2: object) -> bool:
    # >= is the inverse of <.
    return not _lt(arg1, arg2)


# --------------------------------------------------------------------------------------------
# Printing


@REGISTRY.register("print", variadic="any", result="string")
def go_print(*args: object) -> str:
    return gofmt.sprint(args)


@REGISTRY.register("printf", "string", variadic="any", result="string")
def go_printf(format: str, *args: object) -> str:
    return gofmt.sprintf(format, args)


@REGISTRY.register("println", variadic="any", result="string")
def go_println(*args: object) -> str:
    return gofmt.sprintln(args)


# --------------------------------------------------------------------------------------------
# Escapers (HTMLEscaper, JSEscaper, URLQueryEscaper)


def _eval_args(args: Sequence[object]) -> str:
    """text/template.evalArgs: fmt.Sprint of the arguments, each made printable first (nil
    becomes the *string* ``<no value>``, which changes Sprint's spacing)."""
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    printable: list[object] = []
    for a in args:
        if _is_nil(a):
            printable.append("<no value>")
        else:
            printable.append(a)
    parts: list[str] = []
    prev_string = False
    for i, a in enumerate(printable):
        is_string = isinstance(a, str)
        if i > 0 and not is_string and not prev_string:
            parts.append(" ")
        parts.append(gofmt.format_value(a, indirect=True))
        prev_string = is_string
    return "".join(parts)


_HTML_ESCAPES: Final = str.maketrans(
    {"\0": "\ufffd", '"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
)


def html_escape(s: str) -> str:
    """text/template.HTMLEscapeString."""
    return s.translate(_HTML_ESCAPES)


_JS_ASCII: Final = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "<": "\\u003C",
    ">": "\\u003E",
    "&": "\\u0026",
    "=": "\\u003D",
}


def js_escape(s: str) -> str:
    """text/template.JSEscapeString."""
    out: list[str] = []
    for c in s:
        o = ord(c)
        rep = _JS_ASCII.get(c)
        if rep is not None:
            out.append(rep)
        elif o < 0x20:
            out.append(f"\\u00{o:02X}")
        elif o < 0x80 or is_bad_byte(c) or is_print(c):
            # Go's unicode.IsPrint (its Unicode version, not Python's). Invalid UTF-8 bytes decode
            # as U+FFFD, which is printable: written as they are.
            out.append(c)
        else:
            out.append(f"\\u{o:04X}")
    return "".join(out)


_URL_SAFE: Final = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


def urlquery_escape(s: str) -> str:
    """net/url.QueryEscape."""
    out: list[str] = []
    for b in go_bytes(s):
        if b in _URL_SAFE:
            out.append(chr(b))
        elif b == 0x20:
            out.append("+")
        else:
            out.append(f"%{b:02X}")
    return "".join(out)


@REGISTRY.register("html", variadic="any", result="string")
def go_html(*args: object) -> str:
    return html_escape(_eval_args(args))


@REGISTRY.register("js", variadic="any", result="string")
def go_js(*args: object) -> str:
    return js_escape(_eval_args(args))


@REGISTRY.register("urlquery", variadic="any", result="string")
def go_urlquery(*args: object) -> str:
    return urlquery_escape(_eval_args(args))

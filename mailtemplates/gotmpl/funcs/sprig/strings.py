"""sprig v3.3.0 ``strings.go`` and the string one-liners of ``functions.go`` (``strings.*``,
goutils, xstrings): trimming, case, abbreviation, random strings, quoting, split/join, base64/32.
"""

from __future__ import annotations

import base64

from ...gofmt import format_value
from ...gostrconv import go_bytes, go_str, quote
from ...values import StrList
from .. import GoFuncError
from .. import sprig_text as st
from ..sprig_codec import CorruptInput, b32decode, b64decode
from ..sprig_conv import StrMap, strval
from ._common import ANY, INT, STR, STRLIST, _slice_panic, reg


@reg("hello", result=STR)
def _hello() -> str:
    return "Hello!"


@reg("abbrev", INT, STR, result=STR)
def _abbrev(width: int, s: str) -> str:
    if width < 4:
        return s
    try:
        return st.abbreviate_full(s, 0, width)
    except ValueError:
        return ""


@reg("abbrevboth", INT, INT, STR, result=STR)
def _abbrevboth(left: int, right: int, s: str) -> str:
    if right < 4 or (left > 0 and right < 7):
        return s
    try:
        return st.abbreviate_full(s, left, right)
    except ValueError:
        return ""


@reg("trunc", INT, STR, result=STR)
def _trunc(c: int, s: str) -> str:
    b = go_bytes(s)
    if c < 0 and len(b) + c > 0:
        return go_str(b[len(b) + c :])
    if c >= 0 and len(b) > c:
        return go_str(b[:c])
    return s


reg("trim", STR, result=STR)(st.trim_space)
reg("upper", STR, result=STR)(st.to_upper)
reg("lower", STR, result=STR)(st.to_lower)
reg("title", STR, result=STR)(st.title)
reg("untitle", STR, result=STR)(st.uncapitalize)


@reg("substr", INT, INT, STR, result=STR)
def _substr(start: int, end: int, s: str) -> str:
    b = go_bytes(s)
    n = len(b)
    if start < 0:
        if end < 0 or end > n:
            raise _slice_panic(None, end, n)
        return go_str(b[:end])
    if end < 0 or end > n:
        if start > n:
            raise _slice_panic(start, None, n)
        return go_str(b[start:])
    if start > end:
        raise _slice_panic(start, end, n)
    return go_str(b[start:end])


def _repeat_str(count: int, s: str) -> str:
    if count < 0:
        raise GoFuncError("strings: negative Repeat count")
    if s and len(go_bytes(s)) * count > (1 << 63) - 1:
        raise GoFuncError("strings: Repeat output length overflow")
    return s * count


@reg("repeat", INT, STR, result=STR)
def _repeat(count: int, s: str) -> str:
    return _repeat_str(count, s)


@reg("trimAll", STR, STR, result=STR, aliases=("trimall",))
def _trim_all(a: str, b: str) -> str:
    return st.trim(b, a)


@reg("trimSuffix", STR, STR, result=STR)
def _trim_suffix(a: str, b: str) -> str:
    return st.trim_suffix(b, a)


@reg("trimPrefix", STR, STR, result=STR)
def _trim_prefix(a: str, b: str) -> str:
    return st.trim_prefix(b, a)


reg("nospace", STR, result=STR)(st.delete_white_space)
reg("initials", STR, result=STR)(st.initials)
reg("swapcase", STR, result=STR)(st.swap_case)
reg("shuffle", STR, result=STR)(st.shuffle)
reg("snakecase", STR, result=STR)(st.snake_case)
reg("camelcase", STR, result=STR)(st.pascal_case)  # sprig 3.3: ToPascalCase
reg("kebabcase", STR, result=STR)(st.kebab_case)


def _crypto_random(count: int, alphabet: str) -> str:
    """goutils.CryptoRandom: ``count`` characters from ``alphabet`` (errors give "")."""
    import secrets  # here: secrets brings hmac and hashlib (OpenSSL), ~4 ms of start-up

    if count <= 0:
        return ""
    return "".join(secrets.choice(alphabet) for _ in range(count))


_ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_DIGITS = "0123456789"


@reg("randAlphaNum", INT, result=STR)
def _rand_alpha_num(count: int) -> str:
    return _crypto_random(count, _ALPHA + _DIGITS)


@reg("randAlpha", INT, result=STR)
def _rand_alpha(count: int) -> str:
    return _crypto_random(count, _ALPHA)


@reg("randAscii", INT, result=STR)
def _rand_ascii(count: int) -> str:
    return _crypto_random(count, "".join(chr(c) for c in range(32, 127)))


@reg("randNumeric", INT, result=STR)
def _rand_numeric(count: int) -> str:
    return _crypto_random(count, _DIGITS)


@reg("wrap", INT, STR, result=STR)
def _wrap(n: int, s: str) -> str:
    return st.wrap_custom(s, n, "", False)


@reg("wrapWith", INT, STR, STR, result=STR)
def _wrap_with(n: int, sep: str, s: str) -> str:
    return st.wrap_custom(s, n, sep, True)


@reg("contains", STR, STR, result="bool")
def _contains(substr: str, s: str) -> bool:
    return st.contains(s, substr)


@reg("hasPrefix", STR, STR, result="bool")
def _has_prefix(prefix: str, s: str) -> bool:
    return st.has_prefix(s, prefix)


@reg("hasSuffix", STR, STR, result="bool")
def _has_suffix(suffix: str, s: str) -> bool:
    return st.has_suffix(s, suffix)


@reg("quote", variadic=ANY, result=STR)
def _quote(*args: object) -> str:
    return " ".join(quote(strval(a)) for a in args if a is not None)


@reg("squote", variadic=ANY, result=STR)
def _squote(*args: object) -> str:
    return " ".join("'" + format_value(a, indirect=False) + "'" for a in args if a is not None)


@reg("cat", variadic=ANY, result=STR)
def _cat(*args: object) -> str:
    return " ".join(format_value(a, indirect=False) for a in args if a is not None)


def _indent(spaces: int, v: str) -> str:
    pad = _repeat_str(spaces, " ")
    return pad + v.replace("\n", "\n" + pad)


reg("indent", INT, STR, result=STR)(_indent)


@reg("nindent", INT, STR, result=STR)
def _nindent(spaces: int, v: str) -> str:
    return "\n" + _indent(spaces, v)


@reg("replace", STR, STR, STR, result=STR)
def _replace(old: str, new: str, src: str) -> str:
    return st.replace(src, old, new)


@reg("plural", STR, STR, INT, result=STR)
def _plural(one: str, many: str, count: int) -> str:
    return one if count == 1 else many


reg("toString", ANY, result=STR)(strval)


@reg("split", STR, STR, result="map[string]string")
def _split(sep: str, orig: str) -> StrMap:
    return StrMap((f"_{i}", p) for i, p in enumerate(st.split(orig, sep)))


@reg("splitList", STR, STR, result=STRLIST)
def _split_list(sep: str, orig: str) -> StrList:
    return StrList(st.split(orig, sep))


@reg("splitn", STR, INT, STR, result="map[string]string")
def _splitn(sep: str, n: int, orig: str) -> StrMap:
    parts = st.splitn(orig, sep, n) or []
    return StrMap((f"_{i}", p) for i, p in enumerate(parts))


def _strslice(v: object) -> StrList:
    """sprig's strslice: []string as is, other slices element-wise (nils dropped), else [strval]."""
    if isinstance(v, StrList):
        return v
    if isinstance(v, (list, tuple)):
        return StrList(strval(x) for x in v if x is not None)
    if v is None:
        return StrList()
    return StrList([strval(v)])


reg("toStrings", ANY, result=STRLIST)(_strslice)


@reg("join", STR, ANY, result=STR)
def _join(sep: str, v: object) -> str:
    return sep.join(_strslice(v))


@reg("sortAlpha", ANY, result=STRLIST)
def _sort_alpha(v: object) -> StrList:
    if isinstance(v, (list, tuple)):
        return StrList(sorted(_strslice(v), key=go_bytes))
    return StrList([strval(v)])


@reg("b64enc", STR, result=STR)
def _b64enc(v: str) -> str:
    return base64.b64encode(go_bytes(v)).decode("ascii")


@reg("b64dec", STR, result=STR)
def _b64dec(v: str) -> str:
    try:
        return go_str(b64decode(go_bytes(v)))
    except CorruptInput as e:
        return str(e)


@reg("b32enc", STR, result=STR)
def _b32enc(v: str) -> str:
    return base64.b32encode(go_bytes(v)).decode("ascii")


@reg("b32dec", STR, result=STR)
def _b32dec(v: str) -> str:
    try:
        return go_str(b32decode(go_bytes(v)))
    except CorruptInput as e:
        return str(e)

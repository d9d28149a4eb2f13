"""``encoding/json.Marshal`` for the values of :mod:`..values`, as the JS value escaper needs it.

Go's rules, not Python's: HTML-safe string escaping (``<`` is ``\\u003c``), U+2028/U+2029 escaped,
invalid UTF-8 as ``\\ufffd``, map keys sorted, floats like ES6 (``1e+21``, ``1e-7``), NaN and
infinities an error.

Follows Go 1.26 ``src/encoding/json/encode.go`` (the parts ``jsValEscaper`` reaches).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
from collections.abc import Mapping

from ..values import GoTime, Missing

__all__ = ["JSONError", "marshal"]


class JSONError(Exception):
    """What ``json.Marshal`` returns as an error; ``str()`` is Go's message."""


def _float(f: float) -> str:
    from ..gostrconv import format_float

    if math.isinf(f) or math.isnan(f):
        raise JSONError(f"json: unsupported value: {format_float(f, 'g', -1)}")
    a = abs(f)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        s = format_float(f, "e", -1)
        # e-09 -> e-9
        if len(s) >= 4 and s[-4] == "e" and s[-3] == "-" and s[-2] == "0":
            s = s[:-2] + s[-1]
        return s
    return format_float(f, "f", -1)


# ASCII bytes that appendString keeps as they are (htmlSafeSet): printable, not " \ < > &.
_SAFE = frozenset(chr(c) for c in range(0x20, 0x80) if chr(c) not in '"\\<>&')
_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def quote_string(s: str) -> str:
    """``appendString`` with escapeHTML: a JSON string literal."""
    out = ['"']
    for ch in s:
        if ch in _SAFE:
            out.append(ch)
            continue
        o = ord(ch)
        if o < 0x80:
            out.append(_SHORT.get(ch) or f"\\u00{o:02x}")
        elif 0xDC80 <= o <= 0xDCFF:
            out.append("\\ufffd")  # an invalid UTF-8 byte (surrogateescape)
        elif o in (0x2028, 0x2029):
            out.append(f"\\u{o:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _time(t: GoTime) -> str:
    # time.Time.MarshalJSON: RFC 3339 with nanoseconds, trailing zeros dropped.
    dt: _dt.datetime = t.dt
    frac = ""
    if dt.microsecond:
        frac = "." + f"{dt.microsecond:06d}".rstrip("0")
    off = dt.utcoffset()
    if off is None or not off:
        zone = "Z"
    else:
        secs = int(off.total_seconds())
        sign = "-" if secs < 0 else "+"
        secs = abs(secs)
        zone = f"{sign}{secs // 3600:02d}:{secs // 60 % 60:02d}"
    return (
        f'"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}'
        f'{frac}{zone}"'
    )


def _encode(v: object, out: list[str], depth: int) -> None:
    if depth > 1000:
        # Go would recurse until it notices the cycle (it reports one at depth 1000).
        raise JSONError("json: unsupported value: encountered a cycle")
    if v is None or isinstance(v, Missing):
        out.append("null")
    elif isinstance(v, bool):
        out.append("true" if v else "false")
    elif isinstance(v, int):
        out.append(str(int(v)))
    elif isinstance(v, float):
        out.append(_float(v))
    elif isinstance(v, str):
        out.append(quote_string(v))
    elif isinstance(v, Mapping):
        items = sorted(((str(k), val) for k, val in v.items()), key=lambda kv: kv[0])
        out.append("{")
        for i, (k, val) in enumerate(items):
            if i:
                out.append(",")
            out.append(quote_string(k))
            out.append(":")
            _encode(val, out, depth + 1)
        out.append("}")
    elif isinstance(v, (list, tuple)):
        out.append("[")
        for i, item in enumerate(v):
            if i:
                out.append(",")
            _encode(item, out, depth + 1)
        out.append("]")
    elif isinstance(v, GoTime):
        out.append(_time(v))
    elif dataclasses.is_dataclass(v) and not isinstance(v, type):
        # A struct: its exported fields in declaration order.
        fields = [f.name for f in dataclasses.fields(v) if f.name[:1].isupper()]
        out.append("{")
        for i, name in enumerate(fields):
            if i:
                out.append(",")
            out.append(quote_string(name))
            out.append(":")
            _encode(getattr(v, name), out, depth + 1)
        out.append("}")
    else:
        raise JSONError(f"json: unsupported type: {type(v).__name__}")


def marshal(v: object) -> str:
    """``json.Marshal(v)``; raises :class:`JSONError` with Go's message."""
    out: list[str] = []
    _encode(v, out, 0)
    return "".join(out)

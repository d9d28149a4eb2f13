"""Context conversion: a dict with Go names, a Kratos payload with JSON names or a model
dataclass in, the Go-typed data a template executes on out (and back to a payload)."""

from __future__ import annotations

import copy
import datetime as _dt
import math
import re
import sys
from collections.abc import Mapping
from typing import Any

from mailtemplates.errors import ContextError
from mailtemplates.gotmpl import StrList

from .structs import (
    _INT64_MAX,
    _INT64_MIN,
    TEMPLATE_TYPES,
    Channel,
    Model,
    OAuth2Client,
    OAuth2LoginRequest,
    RegistrationCodeValidModel,
    get_template_type,
    go_names,
    json_names,
    model_fields,
)

# --- context conversion ---------------------------------------------------------------------


def _describe(value: object) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _go_time(value: _dt.datetime, path: str) -> str:
    """Format a datetime as Go's ``time.Time.MarshalJSON`` does (RFC 3339 with nanoseconds).

    Go trims trailing zeros of the fraction and writes ``Z`` for a zero UTC offset.
    """
    offset = value.utcoffset()
    if offset is None:
        raise ContextError(
            f"{path}: naive datetime {value.isoformat()!r} has no time zone; "
            "JSON data needs an aware datetime (e.g. tzinfo=datetime.timezone.utc)"
        )
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    if not offset:
        return text + "Z"
    total = int(offset.total_seconds())
    sign = "-" if total < 0 else "+"
    hours, minutes = divmod(abs(total) // 60, 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


#: A UTF-16 surrogate code point: not a character, and not encodable in UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(value: str) -> str:
    """A plain ``str`` that is valid Unicode, as Go's ``encoding/json`` decodes strings.

    Python strings (``json.loads('"\\ud800"')`` among them) can hold lone surrogates, which
    render fine and then fail with ``UnicodeEncodeError`` when the email is encoded. Go turns an
    unpaired surrogate into U+FFFD and a high-low pair into the character it encodes; so do we,
    here at the context boundary, for keys and values at any depth.
    """
    if str.isascii(value):  # O(1) in CPython: no surrogate in an ASCII string
        return str.__str__(value)  # a plain str, also for str subclasses such as StrEnum members
    value = str.__str__(value)
    if _SURROGATE.search(value) is None:
        return value
    return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


class _NotPlain(Exception):
    """Raised by :func:`_plain_json` for anything but plain JSON data (or a value to refuse)."""


def _plain_json(value: object) -> Any:
    """:func:`_json_value` for the data contexts are made of (exact ``dict``, ``list``, ``str``,
    ``int``, ``float``, ``bool``, ``None``), without building a path per value; anything else,
    and any value to refuse, raises :class:`_NotPlain` and the careful path runs instead."""
    t = type(value)
    if t is str:
        return _text(value)  # type: ignore[arg-type]
    if t is dict:
        out: dict[str, Any] = {}
        for key, item in value.items():  # type: ignore[attr-defined]
            if type(key) is not str:
                raise _NotPlain
            out[_text(key)] = _plain_json(item)
        return out
    if value is None or t is bool:
        return value
    if t is float:
        if math.isfinite(value):  # type: ignore[arg-type]
            return value
        raise _NotPlain
    if t is int:
        try:
            return float(value)  # type: ignore[arg-type]
        except OverflowError:
            raise _NotPlain from None
    if t is list or t is tuple:
        return [_plain_json(item) for item in value]  # type: ignore[attr-defined]
    raise _NotPlain


def _json_value(value: object, path: str) -> Any:
    """Convert Python data to what Go's ``encoding/json`` decodes into ``interface{}``.

    Numbers become float64 (Python ``float``), arrays ``[]interface{}`` (``list``), objects
    ``map[string]interface{}`` (``dict``). Aware datetimes and UUIDs are written as Go's
    ``json.Marshal`` writes ``time.Time`` and ``uuid.UUID`` values (strings).
    """
    try:
        return _plain_json(value)
    except _NotPlain:
        return _careful_json(value, path)


def _careful_json(value: object, path: str) -> Any:
    """:func:`_json_value` for any value, naming the path of one it refuses."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            raise ContextError(f"{path}: integer {value} is too large for a JSON number (float64)") from None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ContextError(f"{path}: {value!r} is not a JSON number")
        return float(value)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ContextError(f"{path}: JSON object keys must be strings, got {_describe(key)}")
            key = _text(key)
            out[key] = _careful_json(item, f"{path}.{key}")
        return out
    if isinstance(value, (list, tuple)):
        return [_careful_json(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, _dt.datetime):
        return _go_time(value, path)
    # A UUID can only come from a process that imported uuid: no need to import it here.
    uuid = sys.modules.get("uuid")
    if uuid is not None and isinstance(value, uuid.UUID):
        return str(value)
    raise ContextError(
        f"{path}: {_describe(value)} is not JSON data (null, bool, number, string, list or dict)"
    )


def _convert_string(value: object, path: str) -> str:
    if value is None:  # JSON null leaves a Go string at its zero value
        return ""
    if not isinstance(value, str):
        raise ContextError(f"{path} must be a string (Go string), got {_describe(value)}")
    return _text(value)


def _convert_int(value: object, path: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ContextError(f"{path} must be an integer (Go int), got {_describe(value)}")
    if isinstance(value, float):
        if not value.is_integer():
            raise ContextError(f"{path} must be an integer (Go int), got {_describe(value)}")
        value = int(value)
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise ContextError(f"{path}: {value} overflows Go int (64 bits)")
    return int(value)  # an int subclass (Int64, IntEnum) becomes a plain Go int


def _convert_map(value: object, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ContextError(f"{path} must be a dict (Go map[string]interface {{}}), got {_describe(value)}")
    result: dict[str, Any] = _json_value(value, path)
    return result


def _convert_header(value: object, path: str) -> dict[str, StrList]:
    """``http.Header`` is ``map[string][]string``; a single string is taken as a one-item list."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ContextError(
            f"{path} must be a dict of header name to values (Go http.Header), got {_describe(value)}"
        )
    out: dict[str, StrList] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise ContextError(f"{path}: header names must be strings, got {_describe(key)}")
        items = [item] if isinstance(item, str) else item
        if not isinstance(items, (list, tuple)) or not all(isinstance(v, str) for v in items):
            raise ContextError(f"{path}.{key} must be a string or a list of strings, got {_describe(item)}")
        out[_text(key)] = StrList(_text(v) for v in items)
    return out


def _struct_items(value: object, cls: type[Model], path: str) -> dict[str, Any]:
    """Read a struct given as a model instance or a dict with Go or JSON names (not both)."""
    if isinstance(value, Model):
        if type(value) is not cls:
            raise ContextError(
                f"{path or 'context'}: got a {type(value).__name__}, expected {cls.__name__} (Go {cls.GO_TYPE})"
            )
        return {fi.go_name: getattr(value, fi.go_name) for fi in model_fields(cls)}
    if not isinstance(value, Mapping):
        raise ContextError(f"{path or 'context'} must be a dict or a {cls.__name__}, got {_describe(value)}")
    by_json = go_names(cls)
    by_go = json_names(cls)
    items: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise ContextError(f"{path or 'context'}: field names must be strings, got {_describe(key)}")
        go_name = key if key in by_go else by_json.get(key)
        if go_name is None:
            raise ContextError(_unknown_field_message(key, cls, path))
        if go_name in spelled:
            raise ContextError(
                f"{_join(path, go_name)} is given twice, as {spelled[go_name]!r} and as {key!r}"
            )
        spelled[go_name] = key
        items[go_name] = item
    return items


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _unknown_field_message(key: str, cls: type[Model], path: str) -> str:
    fields = model_fields(cls)
    candidates = [fi.go_name for fi in fields] + [fi.json_name for fi in fields if fi.json_name]
    import difflib  # only on this error path

    lowered = {c.lower(): c for c in reversed(candidates)}
    close = difflib.get_close_matches(key.lower(), list(lowered), n=1, cutoff=0.6)
    where = f"{path} ({cls.GO_TYPE})" if path else cls.GO_TYPE
    message = f"unknown field {_join(path, key)!r}: {where} has no such field"
    if close:
        match = lowered[close[0]]
        info = next(fi for fi in fields if match in (fi.go_name, fi.json_name))
        spelled = f"{info.go_name!r}" + (f" (JSON {info.json_name!r})" if info.json_name else "")
        message += f"; did you mean {spelled}?"
    if cls is RegistrationCodeValidModel and key in ("Identity", "identity"):
        message += "; the registration email has Traits instead (the identity does not exist yet)"
    elif not path:
        # A field of another flow's model is the classic mistake (ory/kratos#1960): say whose it is.
        owners = [
            tt.name if model is tt.email_model else f"{tt.name} (sms)"
            for tt in TEMPLATE_TYPES.values()
            for model in (tt.email_model, tt.sms_model)
            if model is not None and (key in json_names(model) or key in go_names(model))
        ]
        if owners:
            more = f" and {len(owners) - 3} more" if len(owners) > 3 else ""
            message += f" ({key!r} is a field of {', '.join(owners[:3])}{more})"
    names = ", ".join(fi.go_name for fi in fields)
    end = "" if message.endswith((".", "?", "!")) else "."
    return f"{message}{end} Fields: {names}"


def _convert_struct(value: object, cls: type[Model], path: str) -> Model:
    items = _struct_items(value, cls, path)
    return cls(**_convert_fields(items, cls, path))


# Go's zero value of a field of each kind left out of the context (what the converters return
# for None), made fresh for each context.
_ZERO: dict[str, Any] = {"string": str, "int": int, "map": dict, "header": dict}


def _convert_fields(items: Mapping[str, Any], cls: type[Model], path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for fi in model_fields(cls):
        raw = items.get(fi.go_name)
        # The common cases first, without building the field's path (only errors show it).
        if type(raw) is str and fi.kind == "string":
            out[fi.go_name] = _text(raw)
            continue
        if raw is None and fi.kind in _ZERO:
            out[fi.go_name] = _ZERO[fi.kind]()
            continue
        if type(raw) is int and fi.kind == "int" and _INT64_MIN <= raw <= _INT64_MAX:
            out[fi.go_name] = raw
            continue
        if type(raw) is dict and fi.kind in ("map", "any"):
            try:
                out[fi.go_name] = _plain_json(raw)
                continue
            except _NotPlain:
                pass
        where = _join(path, fi.go_name)
        if fi.kind == "string":
            out[fi.go_name] = _convert_string(raw, where)
        elif fi.kind == "int":
            out[fi.go_name] = _convert_int(raw, where)
        elif fi.kind == "map":
            out[fi.go_name] = _convert_map(raw, where)
        elif fi.kind == "header":
            out[fi.go_name] = _convert_header(raw, where)
        elif fi.kind == "any":
            out[fi.go_name] = _json_value(raw, where)
        elif fi.kind == "oauth2":
            out[fi.go_name] = None if raw is None else _convert_struct(raw, OAuth2LoginRequest, where)
        else:  # "client": a struct value, zero struct when absent
            out[fi.go_name] = _convert_struct({} if raw is None else raw, OAuth2Client, where)
    return out


def to_template_data(
    name: str,
    ctx: Mapping[str, Any] | Model | None,
    *,
    channel: Channel = "email",
) -> dict[str, object]:
    """The data a template of type ``name`` executes on, as a dict keyed by Go field name.

    ``ctx`` may be a dict with Go field names (``RecoveryURL``), a Kratos courier payload with
    JSON names (``recovery_url``, as in ``template_data``), or the model dataclass; all three
    give the same dict. Every model field is present: missing ones get Go's zero value (``""``,
    ``0``, an empty map, ``None`` for the ``OAuth2LoginRequest`` pointer). Go ``int`` fields stay
    ``int``; numbers inside ``Identity``, ``Traits``, ``TransientPayload`` and OAuth2 client
    ``Metadata`` become ``float`` like Go's JSON-decoded ``float64``. ``OAuth2LoginRequest`` is an
    :class:`OAuth2LoginRequest` dataclass (a Go struct, so its fields are Go names too).

    Unknown fields, wrongly typed values and the wrong model class raise :class:`ContextError`
    naming the field (and the closest real field, if any).
    """
    tt = get_template_type(name)
    cls = tt.model(channel)
    try:
        return _convert_fields(_struct_items({} if ctx is None else ctx, cls, ""), cls, "")
    except ContextError as err:
        where = tt.name if channel == "email" else f"{tt.name} (sms)"
        raise ContextError(f"{where}: {err}") from None


def _payload_value(value: Any) -> Any:
    """JSON data for ``json.dumps``: integral floats back to ints, as Go's encoder prints them."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {k: _payload_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_payload_value(v) for v in value]
    return value


def _struct_payload(values: Mapping[str, Any], cls: type[Model]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for fi in model_fields(cls):
        if fi.json_name is None:  # json:"-": never serialised
            continue
        value = values[fi.go_name]
        if fi.omitempty and value in (None, ""):
            continue
        if isinstance(value, Model):
            value = _struct_payload(
                {f.go_name: getattr(value, f.go_name) for f in model_fields(type(value))}, type(value)
            )
        out[fi.json_name] = _payload_value(copy.deepcopy(value))
    return out


def to_payload(
    name: str,
    ctx: Mapping[str, Any] | Model | None,
    *,
    channel: Channel = "email",
) -> dict[str, Any]:
    """The Kratos courier payload (``template_data``) for a context: JSON names, ready for ``json.dumps``.

    Like Go's ``json.Marshal`` of the model: ``json:"-"`` fields (``UserRequestHeaders``) are
    dropped, ``omitempty`` fields are left out when empty. Feeding the result back to
    :func:`to_template_data` gives what Kratos's HTML render at dispatch time sees.
    """
    cls = get_template_type(name).model(channel)
    return _struct_payload(to_template_data(name, ctx, channel=channel), cls)

"""sprig v3.3.0 ``defaults.go``: default/empty/coalesce/all/any/compact, the JSON functions,
ternary, and ``deepCopy`` (copystructure, from ``functions.go``).
"""

from __future__ import annotations

from typing import Any

from .. import GoFuncError
from ..sprig_conv import empty
from ..sprig_json import JSONError, marshal, unmarshal
from ._common import ANY, LIST, STR, _items, reg


@reg("default", ANY, variadic=ANY, result=ANY)
def _default(d: object, *given: object) -> object:
    if not given or empty(given[0]):
        return d
    return given[0]


reg("empty", ANY, result="bool")(empty)


@reg("coalesce", variadic=ANY, result=ANY)
def _coalesce(*v: object) -> object:
    for x in v:
        if not empty(x):
            return x
    return None


@reg("all", variadic=ANY, result="bool")
def _all(*v: object) -> bool:
    return all(not empty(x) for x in v)


@reg("any", variadic=ANY, result="bool")
def _any(*v: object) -> bool:
    return any(not empty(x) for x in v)


def _compact(v: object) -> list[Any]:
    return [x for x in _items(v, "compact on") if not empty(x)]


reg("compact", ANY, result=LIST)(_compact)
reg("mustCompact", ANY, result=LIST)(_compact)


@reg("fromJson", STR, result=ANY)
def _from_json(s: str) -> object:
    return unmarshal(s)[0]


@reg("mustFromJson", STR, result=ANY)
def _must_from_json(s: str) -> object:
    value, err = unmarshal(s)
    if err is not None:
        raise GoFuncError(err)
    return value


@reg("toJson", ANY, result=STR)
def _to_json(v: object) -> str:
    try:
        return marshal(v)
    except JSONError:
        return ""


@reg("mustToJson", ANY, result=STR)
def _must_to_json(v: object) -> str:
    try:
        return marshal(v)
    except JSONError as e:
        raise GoFuncError(str(e)) from None


@reg("toPrettyJson", ANY, result=STR)
def _to_pretty_json(v: object) -> str:
    try:
        return marshal(v, indent="  ")
    except JSONError:
        return ""


@reg("mustToPrettyJson", ANY, result=STR)
def _must_to_pretty_json(v: object) -> str:
    try:
        return marshal(v, indent="  ")
    except JSONError as e:
        raise GoFuncError(str(e)) from None


@reg("toRawJson", ANY, result=STR, aliases=("mustToRawJson",))
def _to_raw_json(v: object) -> str:
    try:
        return marshal(v, escape_html=False)
    except JSONError as e:
        raise GoFuncError(str(e)) from None


@reg("ternary", ANY, ANY, "bool", result=ANY)
def _ternary(vt: object, vf: object, v: bool) -> object:
    return vt if v else vf


def _deep_copy(v: object) -> object:
    if v is None:
        # copystructure walks reflect.ValueOf(nil), the zero Value, and reflect panics.
        raise GoFuncError("reflect: call of reflect.Value.Type on zero Value")
    return _copy_data(v, {})


def _copy_data(v: object, memo: dict[int, object]) -> object:
    """Deep-copy template data without running any of its code (copy.deepcopy would call
    ``__deepcopy__``/``__reduce_ex__``): containers are rebuilt, plain objects get a fresh
    ``__dict__`` through ``object.__new__`` (no ``__init__``, no ``__setattr__``), and anything
    else, immutable scalars included, is shared as Go shares values it cannot copy."""
    if v is None or isinstance(v, (str, bytes, int, float, complex)):
        return v
    seen = memo.get(id(v))
    if seen is not None:
        return seen
    cls = type(v)
    if isinstance(v, dict):
        out_d: dict[object, object] = {}
        memo[id(v)] = out_d
        for k, item in v.items():
            out_d[k] = _copy_data(item, memo)
        return out_d
    if isinstance(v, list):
        out_l: list[object] = []
        memo[id(v)] = out_l
        out_l.extend(_copy_data(item, memo) for item in v)
        return out_l
    if isinstance(v, tuple) and not hasattr(v, "_fields"):
        return tuple(_copy_data(item, memo) for item in v)
    state = getattr(v, "__dict__", None)
    if type(state) is dict and not hasattr(cls, "__slots__"):
        try:
            new = object.__new__(cls)
        except TypeError:  # a C-level type (not plain data): shared
            return v
        memo[id(v)] = new
        new.__dict__.update({k: _copy_data(item, memo) for k, item in state.items()})
        return new
    return v


reg("deepCopy", ANY, result=ANY)(_deep_copy)
reg("mustDeepCopy", ANY, result=ANY)(_deep_copy)

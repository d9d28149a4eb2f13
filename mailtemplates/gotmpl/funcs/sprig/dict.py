"""sprig v3.3.0 ``dict.go``: the dict functions, with dario.cat/mergo v1.0.2's merge rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...values import StrList
from .. import GoFuncError
from ..sprig_conv import empty, strval
from ._common import ANY, LIST, MAP, STR, STRLIST, _map_arg, reg


@reg("dict", variadic=ANY, result=MAP)
def _dict(*v: object) -> dict[str, Any]:
    d: dict[str, Any] = {}
    for i in range(0, len(v), 2):
        key = strval(v[i])
        d[key] = v[i + 1] if i + 1 < len(v) else ""
    return d


@reg("get", MAP, STR, result=ANY)
def _get(d: Mapping[str, Any] | None, key: str) -> object:
    m = _map_arg(d)
    return m.get(key, "")


def _assign_to_nil_map() -> GoFuncError:
    return GoFuncError("assignment to entry in nil map")


@reg("set", MAP, STR, ANY, result=MAP)
def _set(d: dict[str, Any] | None, key: str, value: object) -> dict[str, Any]:
    if d is None:
        raise _assign_to_nil_map()
    d[key] = value
    return d


@reg("unset", MAP, STR, result=MAP)
def _unset(d: dict[str, Any] | None, key: str) -> dict[str, Any]:
    if d is None:
        # A nil map comes back (it prints as map[]).
        return {}
    d.pop(key, None)
    return d


@reg("hasKey", MAP, STR, result="bool")
def _has_key(d: Mapping[str, Any] | None, key: str) -> bool:
    return key in _map_arg(d)


@reg("pluck", STR, variadic=MAP, result=LIST)
def _pluck(key: str, *dicts: Mapping[str, Any] | None) -> list[Any]:
    return [d[key] for d in dicts if d is not None and key in d]


@reg("keys", variadic=MAP, result=STRLIST)
def _keys(*dicts: Mapping[str, Any] | None) -> StrList:
    return StrList(k for d in dicts if d is not None for k in d)


@reg("pick", MAP, variadic=STR, result=MAP)
def _pick(d: Mapping[str, Any] | None, *keys: str) -> dict[str, Any]:
    m = _map_arg(d)
    return {k: m[k] for k in keys if k in m}


@reg("omit", MAP, variadic=STR, result=MAP)
def _omit(d: Mapping[str, Any] | None, *keys: str) -> dict[str, Any]:
    drop = set(keys)
    return {k: v for k, v in _map_arg(d).items() if k not in drop}


def _mergo(dst: dict[str, Any], src: Mapping[str, Any], overwrite: bool) -> None:
    """mergo.Merge / MergeWithOverwrite for map[string]interface{} (dario.cat/mergo v1.0.2's deepMerge).

    Nested maps are merged in place. A non-empty destination keeps its value unless overwriting,
    and a slice never replaces a non-empty destination, nor a map a non-empty map; since mergo
    1.0 a map does replace a non-empty scalar or slice when overwriting (mergo 0.3 kept those).
    """
    for key, sv in src.items():
        present = key in dst
        dv = dst.get(key)
        if sv is None:
            if overwrite:
                dst[key] = None
            continue
        if isinstance(sv, Mapping):
            if present and isinstance(dv, dict):
                _mergo(dv, sv, overwrite)
        elif isinstance(sv, (list, tuple)):
            slice_val = [] if not present or dv is None else dv
            if overwrite or len(dst) == 0:
                slice_val = sv
            dst[key] = slice_val
        if present and not empty(dv):
            if isinstance(sv, (list, tuple)):
                if not overwrite:
                    dst[key] = dv
                continue
            if isinstance(sv, Mapping) and isinstance(dv, Mapping):
                continue
        if overwrite or not present or empty(dv):
            dst[key] = sv


def _merge(
    dst: dict[str, Any] | None, srcs: Sequence[Mapping[str, Any] | None], overwrite: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {} if dst is None else dst
    for src in srcs:
        if src is not None:
            _mergo(out, src, overwrite)
    return out


@reg("merge", MAP, variadic=MAP, result=ANY, aliases=("mustMerge",))
def _merge_fn(dst: dict[str, Any] | None, *srcs: Mapping[str, Any] | None) -> dict[str, Any]:
    return _merge(dst, srcs, False)


@reg("mergeOverwrite", MAP, variadic=MAP, result=ANY, aliases=("mustMergeOverwrite",))
def _merge_overwrite(dst: dict[str, Any] | None, *srcs: Mapping[str, Any] | None) -> dict[str, Any]:
    return _merge(dst, srcs, True)


@reg("values", MAP, result=LIST)
def _values(d: Mapping[str, Any] | None) -> list[Any]:
    return list(_map_arg(d).values())

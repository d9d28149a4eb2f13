"""sprig v3.3.0 ``list.go`` (and ``list``/``tuple`` from ``functions.go``): the list functions."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any

from ...values import StrList
from .. import GoFuncError
from ..sprig_conv import ChunkList, NilList, StrMap, deep_equal, deep_key, to_int
from ._common import ANY, INT, LIST, _conv_err, _items, _kind, reg


@reg("list", variadic=ANY, result=LIST, aliases=("tuple",))
def _list(*v: object) -> list[Any]:
    return list(v)


def _push(lst: object, v: object) -> list[Any]:
    return [*_items(lst, "push on"), v]


reg("append", ANY, ANY, result=LIST, aliases=("push", "mustAppend", "mustPush"))(_push)


def _prepend(lst: object, v: object) -> list[Any]:
    return [v, *_items(lst, "prepend on")]


reg("prepend", ANY, ANY, result=LIST, aliases=("mustPrepend",))(_prepend)


def _first(lst: object) -> object:
    items = _items(lst, "find first on")
    return items[0] if items else None


reg("first", ANY, result=ANY, aliases=("mustFirst",))(_first)


def _last(lst: object) -> object:
    items = _items(lst, "find last on")
    return items[-1] if items else None


reg("last", ANY, result=ANY, aliases=("mustLast",))(_last)


def _rest(lst: object) -> list[Any]:
    items = _items(lst, "find rest on")
    return items[1:] if items else NilList()


reg("rest", ANY, result=LIST, aliases=("mustRest",))(_rest)


def _initial(lst: object) -> list[Any]:
    items = _items(lst, "find initial on")
    return items[:-1] if items else NilList()


reg("initial", ANY, result=LIST, aliases=("mustInitial",))(_initial)


def _reverse(lst: object) -> list[Any]:
    return _items(lst, "find reverse on")[::-1]


reg("reverse", ANY, result=LIST, aliases=("mustReverse",))(_reverse)


def _uniq(lst: object) -> list[Any]:
    # sprig compares each element with all those kept (quadratic); values with a deep_key are
    # looked up in a set instead, the others still compared one by one.
    out: list[Any] = []
    seen: set[Hashable] = set()
    unkeyed: list[Any] = []
    for x in _items(lst, "find uniq on"):
        k = deep_key(x)
        if k is not None:
            if k in seen or any(deep_equal(x, y) for y in unkeyed):
                continue
            seen.add(k)
        elif any(deep_equal(x, y) for y in out):
            continue
        else:
            unkeyed.append(x)
        out.append(x)
    return out


reg("uniq", ANY, result=LIST, aliases=("mustUniq",))(_uniq)


def _without(lst: object, *omit: object) -> list[Any]:
    keys = {k for k in map(deep_key, omit) if k is not None}
    unkeyed = [o for o in omit if deep_key(o) is None]

    def omitted(x: object) -> bool:
        k = deep_key(x)
        if k is None:
            return any(deep_equal(x, o) for o in omit)
        return k in keys or any(deep_equal(x, o) for o in unkeyed)

    return [x for x in _items(lst, "find without on") if not omitted(x)]


reg("without", ANY, variadic=ANY, result=LIST, aliases=("mustWithout",))(_without)


def _has(needle: object, haystack: object) -> bool:
    if haystack is None:
        return False
    items = _items(haystack, "find has on")
    k = deep_key(needle)
    if k is None:
        return any(deep_equal(needle, x) for x in items)
    # Keys compare as deep_equal does, without its per-element type names (70 s for a million).
    for x in items:
        kx = deep_key(x)
        if kx == k or (kx is None and deep_equal(needle, x)):
            return True
    return False


reg("has", ANY, ANY, result="bool", aliases=("mustHas",))(_has)


def _slice(lst: object, *indices: object) -> object:
    k = _kind(lst)
    if k != "slice":
        raise GoFuncError(f"list should be type of slice or array but {k}")
    assert isinstance(lst, (list, tuple))
    n = len(lst)
    if n == 0:
        return None
    start = to_int(indices[0]) if indices else 0
    end = n if len(indices) < 2 else to_int(indices[1])
    if not 0 <= start <= end <= n:
        raise GoFuncError("reflect.Value.Slice: slice index out of bounds")
    part = lst[start:end]
    return StrList(part) if isinstance(lst, StrList) else list(part)


reg("slice", ANY, variadic=ANY, result=ANY, aliases=("mustSlice",))(_slice)


@reg("concat", variadic=ANY, result=ANY)
def _concat(*lists: object) -> list[Any]:
    res: list[Any] = []
    for lst in lists:
        k = _kind(lst)
        if k != "slice":
            raise GoFuncError(f"Cannot concat type {k} as list")
        assert isinstance(lst, (list, tuple))
        res.extend(lst)
    return res if res else NilList()


@reg("dig", variadic=ANY, result=ANY)
def _dig(*ps: object) -> object:
    if len(ps) < 3:
        raise GoFuncError("dig needs at least three arguments")
    d = ps[-1]
    if type(d) is not dict and (not isinstance(d, Mapping) or isinstance(d, StrMap)):
        raise _conv_err(d, "map[string]interface {}")
    default = ps[-2]
    keys: list[str] = []
    for k in ps[:-2]:
        if not isinstance(k, str):
            raise _conv_err(k, "string")
        keys.append(k)
    cur: Mapping[str, Any] = d
    for i, k in enumerate(keys):
        if k not in cur:
            return default
        step = cur[k]
        if i == len(keys) - 1:
            return step
        if type(step) is not dict and (not isinstance(step, Mapping) or isinstance(step, StrMap)):
            raise _conv_err(step, "map[string]interface {}")
        cur = step
    return default


def _chunk(size: int, lst: object) -> ChunkList:
    """sprig's chunk, including its float arithmetic (so odd negative sizes behave as in Go)."""
    items = _items(lst, "chunk")
    n = len(items)
    makeslice = GoFuncError("runtime error: makeslice: len out of range")
    if size == 0:
        raise makeslice  # (n-1)/0 is ±Inf or NaN, which int() turns into MinInt64
    cs = math.floor((n - 1) / size) + 1
    if cs < 0:
        raise makeslice
    out = ChunkList()
    for i in range(cs):
        clen = size
        if i == cs - 1:
            clen = math.floor(math.fmod(n, size)) or size
        if clen < 0:
            raise makeslice
        row = []
        for j in range(clen):
            ix = i * size + j
            if not 0 <= ix < n:
                raise GoFuncError("reflect: slice index out of range")
            row.append(items[ix])
        out.append(row)
    return out


reg("chunk", INT, ANY, result="[][]interface {}", aliases=("mustChunk",))(_chunk)

"""Shared pieces of the sprig port: the registry every module registers into, Go's parameter type
names, and the reflect/runtime panics several sprig files raise alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import GoFuncError, Registry
from ..sprig_conv import kind_of, type_of

REGISTRY = Registry()
reg = REGISTRY.register

ANY = "any"
STR = "string"
INT = "int"
LIST = "[]interface {}"
STRLIST = "[]string"
MAP = "map[string]interface {}"
TIME = "time.Time"

_NIL_DEREF = "runtime error: invalid memory address or nil pointer dereference"


def _kind(v: object) -> str:
    """reflect.TypeOf(v).Kind() as sprig's list functions use it; nil panics as in Go."""
    if v is None:
        raise GoFuncError(_NIL_DEREF)
    if isinstance(v, (list, tuple)):
        return "slice"
    return kind_of(v)


def _items(v: object, what: str) -> list[Any]:
    """The elements of a slice argument, or sprig's ``Cannot <what> on type <kind>`` error."""
    k = _kind(v)
    if k != "slice":
        raise GoFuncError(f"Cannot {what} type {k}")
    assert isinstance(v, (list, tuple))
    return list(v)


def _conv_err(v: object, target: str) -> GoFuncError:
    """The panic of a failed Go type assertion ``v.(target)``."""
    got = "nil" if v is None else type_of(v)
    return GoFuncError(f"interface conversion: interface {{}} is {got}, not {target}")


def _slice_panic(lo: int | None, hi: int | None, length: int) -> GoFuncError:
    """Go's runtime error for a bad string slice expression s[lo:hi]."""
    if lo is None:
        assert hi is not None
        if hi < 0:
            return GoFuncError(f"runtime error: slice bounds out of range [:{hi}]")
        return GoFuncError(f"runtime error: slice bounds out of range [:{hi}] with length {length}")
    if hi is None:
        if lo < 0:
            return GoFuncError(f"runtime error: slice bounds out of range [{lo}:]")
        return GoFuncError(f"runtime error: slice bounds out of range [{lo}:{length}]")
    if hi < 0:
        return GoFuncError(f"runtime error: slice bounds out of range [:{hi}]")
    if hi > length:
        return GoFuncError(f"runtime error: slice bounds out of range [:{hi}] with length {length}")
    if lo < 0:
        return GoFuncError(f"runtime error: slice bounds out of range [{lo}:]")
    return GoFuncError(f"runtime error: slice bounds out of range [{lo}:{hi}]")


def _map_arg(d: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return {} if d is None else d


def _unsupported(name: str, why: str) -> GoFuncError:
    return GoFuncError(f"{name} is not supported by mailtemplates ({why})")

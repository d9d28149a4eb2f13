"""Go's execution semantics, as small helpers the compiled templates call.

The compiler turns each template into a Python function; whatever cannot be decided at compile
time (what a field lookup finds, whether a value is true, how a function's arguments convert) is
decided here, following ``text/template/exec.go``. Errors are raised as :class:`ExecFailure`
carrying the id of the node being executed; the template set turns that into a
:class:`TemplateExecError` with Go's ``template: NAME:LINE:COL: executing "NAME" at <NODE>: ...``.

Sandbox: templates reach data only. A dict is read by key; an object by its public, non-callable
attributes (dataclass fields or instance attributes). No method is ever called, no attribute that
starts with ``_`` is ever read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .funcs import GoFunc, GoFuncError
from .values import MISSING, Int64, Missing, StrList, go_type_name, is_true

__all__ = [
    "ExecFailure",
    "MODE_DEFAULT",
    "MODE_ERROR",
    "MODE_ZERO",
    "call",
    "chain",
    "check_arg",
    "print_value",
    "range_items",
]

MODE_DEFAULT = 0  # missingkey=default / invalid: a missing key is MISSING
MODE_ZERO = 1  # missingkey=zero: the zero value of map[string]interface {}'s element, nil
MODE_ERROR = 2  # missingkey=error


class ExecFailure(Exception):
    """An execution error at node ``nid`` (an index into the compiled set's node table)."""

    def __init__(self, nid: int, message: str) -> None:
        super().__init__(message)
        self.nid = nid
        self.message = message


class BreakLoop(Exception):
    """Internal: unused by compiled code (which uses Python's break); kept for clarity of intent."""


def print_value(v: object) -> str:
    """``printValue``: what an action writes. ``<no value>`` for missing and nil values."""
    if v is MISSING or v is None:
        return "<no value>"
    from .gofmt import format_value

    return format_value(v)


_struct_fields: dict[type, frozenset[str]] = {}


def _public_fields(cls: type, obj: object) -> frozenset[str] | None:
    """The attribute names a template may read on instances of ``cls`` (None: per instance)."""
    cached = _struct_fields.get(cls)
    if cached is not None:
        return cached
    if dataclasses.is_dataclass(cls):
        names = frozenset(f.name for f in dataclasses.fields(cls) if not f.name.startswith("_"))
        _struct_fields[cls] = names
        return names
    return None


def struct_field(obj: object, name: str) -> tuple[bool, Any]:
    """Read field ``name`` of a struct-like object under the sandbox policy: (found, value)."""
    if name.startswith("_"):
        return False, None
    names = _public_fields(type(obj), obj)
    if names is not None:
        if name in names:
            return True, getattr(obj, name)
        return False, None
    d = getattr(obj, "__dict__", None)
    if d is not None and name in d:
        value = d[name]
        return (not callable(value)), value
    slots = getattr(type(obj), "__slots__", ())
    if name in slots and hasattr(obj, name):
        value = getattr(obj, name)
        return (not callable(value)), value
    return False, None


def field(x: object, name: str, nid: int, mode: int, has_args: bool = False) -> Any:
    """``evalField``: ``x.name`` for a map key or struct field."""
    if type(x) is dict:
        if has_args:
            raise ExecFailure(nid, f"{name} is not a method but has arguments")
        try:
            return x[name]
        except KeyError:
            if mode == MODE_DEFAULT:
                return MISSING
            if mode == MODE_ZERO:
                return None
            raise ExecFailure(nid, f"map has no entry for key {_q(name)}") from None
    names = _struct_fields.get(type(x))
    if names is not None and name in names and not has_args:
        return getattr(x, name)
    if x is MISSING:
        if mode == MODE_ERROR:
            raise ExecFailure(nid, f"nil data; no entry for key {_q(name)}")
        return MISSING
    if x is None:
        raise ExecFailure(nid, f"nil pointer evaluating interface {{}}.{name}")
    if isinstance(x, Mapping) and not isinstance(x, Missing):
        return field(dict(x), name, nid, mode, has_args)
    if not isinstance(x, (str, int, float, list, tuple)):
        found, value = struct_field(x, name)
        if found:
            if has_args:
                raise ExecFailure(nid, f"{name} has arguments but cannot be invoked as function")
            return value
    raise ExecFailure(nid, f"can't evaluate field {name} in type {go_type_name(x)}")


def chain(x: object, names: Sequence[str], nid: int, mode: int) -> Any:
    """``evalFieldChain``: ``x.A.B.C``."""
    for name in names:
        if type(x) is dict:
            try:
                x = x[name]  # type: ignore[index]
                continue
            except KeyError:
                pass
        x = field(x, name, nid, mode)
    return x


def range_items(x: object, nid: int, nvars: int) -> Any:
    """What ``range`` iterates: a sized iterable of elements, or of (index, element) pairs.

    Lists in order, maps in sorted key order, integers 0..n-1 (Go 1.22), nothing for a missing
    value; anything else is Go's ``range can't iterate over`` error.
    """
    if type(x) is list or isinstance(x, (list, tuple)):
        return list(enumerate(x)) if nvars > 1 else x
    if isinstance(x, Mapping):
        keys = _sorted_keys(x, nid)
        if nvars > 1:
            return [(k, x[k]) for k in keys]
        return [x[k] for k in keys]
    if x is MISSING or x is None:
        return ()
    if type(x) is int or isinstance(x, Int64):
        if nvars > 1:
            raise ExecFailure(nid, f"can't use {x} to iterate over more than one variable")
        return range(int(x))
    from .gofmt import format_value

    raise ExecFailure(nid, f"range can't iterate over {format_value(x)}")


def _sorted_keys(m: Mapping[Any, Any], nid: int) -> list[Any]:
    try:
        return sorted(m)
    except TypeError:
        return sorted(m, key=lambda k: (type(k).__name__, str(k)))


def _q(s: str) -> str:
    from .nodes import go_quote

    return go_quote(s)


# -- function calls ------------------------------------------------------------------------------


def check_arg(value: object, typ: str, nid: int) -> Any:
    """``validateType``: convert ``value`` for a parameter of Go type ``typ``, or fail as Go does."""
    if typ == "any":
        return None if value is MISSING else value
    if value is MISSING:
        if typ in ("[]interface {}", "[]string", "map[string]interface {}", "time.Duration?"):
            return None
        raise ExecFailure(nid, f"invalid value; expected {typ}")
    if value is None:
        if typ in ("[]interface {}", "[]string", "map[string]interface {}"):
            return None
        raise ExecFailure(nid, f"wrong type for value; expected {typ}; got interface {{}}")
    ok = False
    if typ == "string":
        ok = type(value) is str
    elif typ == "int":
        ok = type(value) is int
    elif typ == "int64":
        ok = type(value) is Int64
    elif typ == "float64":
        ok = type(value) is float
    elif typ == "bool":
        ok = type(value) is bool
    elif typ == "[]interface {}":
        ok = isinstance(value, (list, tuple)) and not isinstance(value, StrList)
    elif typ == "[]string":
        ok = isinstance(value, StrList)
    elif typ == "map[string]interface {}":
        ok = isinstance(value, Mapping)
    else:
        ok = go_type_name(value) == typ
    if not ok:
        raise ExecFailure(nid, f"wrong type for value; expected {typ}; got {go_type_name(value)}")
    return value


def call(f: GoFunc, args: list[Any], nid: int) -> Any:
    """Call template function ``f`` on already converted arguments (``safeCall``)."""
    try:
        return f.fn(*args)
    except GoFuncError as e:
        raise ExecFailure(nid, f"error calling {f.name}: {e}") from None
    except ExecFailure:
        raise
    except RecursionError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, ArithmeticError, AttributeError) as e:
        # A function that trips over its input behaves as a Go panic recovered by safeCall.
        raise ExecFailure(nid, f"error calling {f.name}: {e}") from None


def truth(v: object) -> bool:
    return is_true(v)


def not_callable(name: str) -> Callable[..., Any]:
    def fail(*_: Any) -> Any:
        raise GoFuncError(f"{name} is not callable from templates")

    return fail

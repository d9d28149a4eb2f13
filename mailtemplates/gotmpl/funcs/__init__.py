"""Template functions: Go's builtins and the sprig map Kratos exposes.

Every function is registered with its Go signature, because Go converts and checks arguments by
the parameter types (``upper`` takes a ``string``: passing a float64 is ``wrong type for value;
expected string; got float64``; ``trunc`` takes an ``int``: a JSON number fails). The runtime reads
``GoFunc.params`` to do that check once per call, and the compiler reads it to type number and
string literals at compile time, as Go's ``evalArg`` does.

Parameter type names are Go's: ``"any"`` (``interface {}``), ``"string"``, ``"int"``, ``"int64"``,
``"float64"``, ``"bool"``, ``"[]interface {}"``, ``"[]string"``, ``"map[string]interface {}"``,
``"time.Time"``, ``"time.Duration"``, and ``"reflect.Value"`` (Go's builtins: the raw
value, a missing one stays ``MISSING``). A function signals a Go error return or a Go panic by raising
:class:`GoFuncError`; the executor reports it as ``error calling NAME: MESSAGE``.

Follows Go 1.26 ``src/text/template/funcs.go`` (``FuncMap``, ``builtins``) and ``exec.go``
(``evalCall``, ``evalArg``); sprig v3.3.0 for :mod:`.sprig`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "HERMETIC_EXCLUDED",
    "METHODS",
    "FuncKind",
    "FuncMap",
    "GoFunc",
    "GoFuncError",
    "Registry",
    "funcmap",
]

FuncKind = Literal["hermetic", "full", "none"]


class GoFuncError(Exception):
    """Raised by a template function for what Go reports as an error (or a recovered panic)."""


@dataclass(frozen=True)
class GoFunc:
    """A template function with its Go signature."""

    name: str
    fn: Callable[..., Any]
    params: tuple[str, ...] = ()
    #: Type of the ``...`` parameter, or None when the function is not variadic.
    variadic: str | None = None
    #: Go's result type, used only where Go's behaviour depends on it (``"string"``, ``"any"``, ...).
    result: str = "any"


FuncMap = dict[str, GoFunc]

#: The methods templates may call on the function library's own value types (``time.Time``,
#: ``time.Duration``, ``*semver.Version``, ...), keyed by the exact Python type of the value and
#: then by Go method name. Each is a :class:`GoFunc` whose ``fn`` takes the receiver first and
#: whose ``params`` are the Go parameters after the receiver. Only these types have methods:
#: the caller's own objects never do (see ``runtime.struct_field``).
METHODS: dict[type, dict[str, GoFunc]] = {}


def methods(*types: type) -> Callable[..., Callable[[Callable[..., Any]], Callable[..., Any]]]:
    """A decorator factory registering methods of ``types``: ``@m("Add", "time.Duration", result=...)``."""
    tables = [METHODS.setdefault(t, {}) for t in types]

    def register(
        name: str, *params: str, variadic: str | None = None, result: str = "any"
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
            for table in tables:
                table[name] = GoFunc(name, fn, tuple(params), variadic, result)
            return fn

        return deco

    return register


@dataclass
class Registry:
    """Collects functions into a FuncMap with a decorator, keeping the Go signature beside them."""

    funcs: FuncMap = field(default_factory=dict)

    def register(
        self,
        name: str,
        *params: str,
        variadic: str | None = None,
        result: str = "any",
        aliases: Iterable[str] = (),
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
            for n in (name, *aliases):
                self.funcs[n] = GoFunc(n, fn, tuple(params), variadic, result)
            return fn

        return deco


#: The names sprig 3.3.0's hermetic maps remove (its ``nonhermeticFunctions``). sprig leaves some
#: non-repeatable functions in: ``randInt``, ``shuffle``, ``bcrypt``, ``encryptAES`` and the
#: certificate generators are all in the hermetic map.
HERMETIC_EXCLUDED = frozenset(
    {
        "date",
        "date_in_zone",
        "date_modify",
        "now",
        "htmlDate",
        "htmlDateInZone",
        "dateInZone",
        "dateModify",
        "randAlphaNum",
        "randAlpha",
        "randAscii",
        "randNumeric",
        "randBytes",
        "uuidv4",
        "env",
        "expandenv",
        "getHostByName",
    }
)

_CACHE: dict[FuncKind, FuncMap] = {}


def funcmap(kind: FuncKind) -> FuncMap:
    """The function map for ``kind``: Go's builtins plus sprig's full or hermetic map.

    sprig's map is applied over Go's builtins, so sprig's list-only ``slice`` replaces Go's.
    """
    cached = _CACHE.get(kind)
    if cached is not None:
        return cached
    from . import builtins

    result: FuncMap = dict(builtins.REGISTRY.funcs)
    if kind != "none":
        from . import sprig

        for name, fn in sprig.REGISTRY.funcs.items():
            if kind == "hermetic" and name in HERMETIC_EXCLUDED:
                continue
            result[name] = fn
    _CACHE[kind] = result
    return result

"""Go's execution semantics, as small helpers the compiled templates call.

The compiler turns each template into a Python function; whatever cannot be decided at compile
time (what a field lookup finds, whether a value is true, how a function's arguments convert) is
decided here, following Go 1.26 ``src/text/template/exec.go`` and ``funcs.go``. Errors are raised as :class:`ExecFailure`
carrying the id of the node being executed; the template set turns that into a
:class:`TemplateExecError` with Go's ``template: NAME:LINE:COL: executing "NAME" at <NODE>: ...``.

Sandbox: templates reach data only. A dict is read by key; an object by its public, non-callable
attributes (dataclass fields or instance attributes). No method of the caller's objects is ever
called, no attribute that starts with ``_`` is ever read, and no Python code of the object's class
runs to read a field: properties, ``__getattr__``/``__getattribute__`` overrides and other
descriptors are never invoked (a class that overrides attribute access exposes no fields at all).
The only methods a template can call are Go's methods of the library values sprig returns
(``time.Time``, ``time.Duration``, ``semver.Version``), from a fixed table keyed by exact type
(``funcs.METHODS``; :func:`lookup_method`).

Limits (``docs/limits.md``): each execution writes into a plain ``list`` and carries a small
state list (:func:`new_state`) with its budgets. ``range`` charges its iterations to the budget
and checks the output size at entry and, for long loops, every few iterations; template calls
check it too; so do function results. Everything else (appending text) stays a bare
``list.append``.

This module is over 800 lines because it is one contract: every helper the generated code calls
(field lookup, truth, argument conversion, calls, methods, ranges, limits) is read by the
compiler's output through this one namespace, and splitting it would put a module boundary in
the middle of exec.go's evaluation rules without making any piece independently usable.
"""

from __future__ import annotations

import dataclasses
import math
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import chain as _chain_iters
from types import GetSetDescriptorType, MemberDescriptorType
from typing import Any, Final

from .funcs import METHODS, GoFunc, GoFuncError
from .funcs.sprig_json import marshal_plain
from .funcs.time_methods import Duration, Month, Weekday
from .gofmt import format_value
from .gostrconv import format_float
from .values import MISSING, Int64, Missing, StrList, go_type_name, is_true

__all__ = [
    "BREAK",
    "CONTINUE",
    "MODE_DEFAULT",
    "MODE_ERROR",
    "MODE_ZERO",
    "UNDEF",
    "ExecFailure",
    "LimitFailure",
    "call",
    "chain",
    "check_arg",
    "new_state",
    "print_value",
    "range_items",
    "tick",
    "tick_call",
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


class LimitFailure(ExecFailure):
    """An execution stopped by a safety limit (reported as :class:`~mailtemplates.errors.LimitExceeded`)."""


class _Marker:
    """A named sentinel of compiled code (never data)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: The value of a Go variable whose declaration was skipped by ``and``/``or`` short-circuiting:
#: Go never pushed it, so reading it is ``undefined variable`` (or finds an outer one).
UNDEF = _Marker("UNDEF")
#: What a body moved into its own function returns for ``{{break}}`` / ``{{continue}}``.
BREAK = _Marker("BREAK")
CONTINUE = _Marker("CONTINUE")

_TOO_DEEP = (
    "value nested too deeply for the Python stack (more than sys.getrecursionlimit() levels, "
    "or a cyclic value), or templates call each other too deeply"
)

#: Loops of at most this many elements are iterated as they are (their length is charged to the
#: iteration budget at entry); longer ones go in chunks, with a check between chunks.
SHORT_LOOP = 16
#: Seconds a slice of a long loop should take at most (the deadline is read between slices).
_SLICE_SECONDS = 0.05
#: Output chunks written since the last check before a loop entry bothers to count characters.
_TICK_CHUNKS = 256


# An execution's state: a list (cheaper to make than an object), indexed by these.
BUDGET = 0  # range iterations left
COUNTED = 1  # output chunks whose characters are in CHARS
CHARS = 2  # characters of the first COUNTED chunks
LIMIT = 3  # max_output (sys.maxsize: none)
ITERATIONS = 4  # max_iterations (None: none)
VALUES = 5  # characters and list elements functions may still return (max_values)
MAX_VALUES = 6  # max_values (None: none)
DEADLINE = 7  # time.monotonic() past which the execution stops (inf: none)
SECONDS = 8  # max_seconds (None: none)
LONG = 9  # a function result this long or longer is checked beyond the max_values count

_INT64 = 1 << 63
_INF = math.inf
_monotonic = time.monotonic

#: A function result at least this long also looks at the clock (see :func:`charged_call`).
_CLOCK_SIZE = 4096


def new_state(
    limit: int | None, iterations: int | None, values: int | None = None, seconds: float | None = None
) -> list[Any]:
    """The state executions start from (copy it with :func:`start`: it is updated in place)."""
    return [
        sys.maxsize if iterations is None else iterations,
        0,
        0,
        sys.maxsize if limit is None else limit,
        iterations,
        sys.maxsize if values is None else values,
        values,
        math.inf,
        seconds,
        # Past max_output or long enough to look at the clock: see _charge_long.
        _CLOCK_SIZE if limit is None else min(_CLOCK_SIZE, limit + 1),
    ]


def start(state: list[Any]) -> list[Any]:
    """A fresh copy of ``state`` for one execution, its deadline set from now."""
    st = state[:]
    if st[SECONDS] is not None:
        st[DEADLINE] = time.monotonic() + st[SECONDS]
    return st


def note_positions(e: BaseException, positions: Sequence[str]) -> None:
    """Add where in the templates a foreign exception (a bug in a custom function) went
    through, innermost first: in both tiers, the same note."""
    if not positions:
        return
    note = "in Go template " + positions[0] + "".join(f"\n  called from {p}" for p in positions[1:])
    if hasattr(e, "add_note"):  # Python 3.11+
        e.add_note(note)
    else:  # pragma: no cover - Python 3.10 keeps the note where 3.11 would print it from
        e.__notes__ = [*getattr(e, "__notes__", []), note]  # type: ignore[attr-defined]


def check_clock(st: list[Any], nid: int) -> None:
    """Fail at node ``nid`` once the execution is past its deadline (``max_seconds``)."""
    if st[DEADLINE] != math.inf and time.monotonic() > st[DEADLINE]:
        raise LimitFailure(nid, f"execution took longer than {st[SECONDS]:g} s (max_seconds)")


def output_size(out: list[str], st: list[Any]) -> int:
    """Characters written so far: only the chunks written since the previous count are added."""
    n = len(out)
    if n > st[COUNTED]:
        st[CHARS] += sum(map(len, out[st[COUNTED] :]))
        st[COUNTED] = n
    return int(st[CHARS])


def tick(out: list[str], st: list[Any], nid: int) -> None:
    """Fail at node ``nid`` once the output is over its limit or the time is up (called at
    template calls and loops)."""
    if output_size(out, st) > st[LIMIT]:
        raise LimitFailure(nid, f"output exceeds the limit of {st[LIMIT]} characters (max_output)")
    check_clock(st, nid)


def tick_call(out: list[str], st: list[Any], nid: int) -> None:
    """At a template call: fail once the iteration budget is spent, or the output is too large."""
    if st[BUDGET] < 0:
        raise LimitFailure(
            nid,
            f"template calls and range iterations exceed the limit of {st[ITERATIONS]} per execution "
            "(max_iterations)",
        )
    tick(out, st, nid)


def _charge(st: list[Any], n: int, nid: int) -> None:
    st[BUDGET] -= n
    if st[BUDGET] < 0:
        _over_budget(st, nid)
    check_clock(st, nid)


def _over_budget(st: list[Any], nid: int) -> None:
    raise LimitFailure(
        nid, f"range iterations exceed the limit of {st[ITERATIONS]} per execution (max_iterations)"
    )


def print_value(v: object, nid: int = -1, st: list[Any] | None = None) -> str:
    """``printValue``: what an action writes. ``<no value>`` for missing and nil values.

    With the execution's state ``st``, a container whose text would exceed the output limit
    (one list held many times over) is refused before it is formatted."""
    t = type(v)
    # format_value's own fast paths, without its type tests (numbers are most non-strings).
    if t is float:
        return format_float(v, "g", -1)  # type: ignore[arg-type]
    if t is int and -_INT64 <= v < _INT64:  # type: ignore[operator]
        return str(v)
    if t is bool:
        return "true" if v else "false"
    if t is Int64 and -_INT64 <= v < _INT64:  # type: ignore[operator]
        return str(int(v))  # type: ignore[call-overload]
    if v is MISSING or v is None:
        return "<no value>"
    try:
        if st is not None and isinstance(v, (list, tuple, Mapping)):
            size = printed_size(v, st[LIMIT])
            if size > st[LIMIT]:
                raise LimitFailure(
                    nid,
                    f"printing a value of at least {size} characters exceeds the limit of {st[LIMIT]} "
                    "(max_output)",
                )
        return format_value(v)
    except RecursionError:
        raise LimitFailure(nid, f"can't print value: {_TOO_DEEP}") from None


def printed_size(v: object, limit: int) -> int:
    """A lower bound of the characters ``fmt`` writes for ``v`` (counting stops past ``limit``).

    Each distinct container is measured once, however often it is held: a list that holds one
    list twice, twenty levels deep, costs twenty steps here, not the 2**20 formatting would.
    """
    t = type(v)
    if t is str:
        return len(v)  # type: ignore[arg-type]
    if t in _SCALARS:
        return 1
    # A module-level walk, not a closure: a recursive closure is a reference cycle per call,
    # left for the garbage collector.
    return _size(v, limit, {})


def _size(x: object, limit: int, memo: dict[int, int]) -> int:
    """printed_size's walk; ``memo``: the size of each container already measured, by id."""
    t = type(x)
    if t is str:
        return len(x)  # type: ignore[arg-type]
    if t in _SCALARS:
        return 1
    if t is dict or t is list or (isinstance(x, (list, tuple, Mapping)) and not isinstance(x, Missing)):
        known = memo.get(id(x))
        if known is not None:
            return known
        memo[id(x)] = 0  # a cycle: left to the printer's own recursion limit
        total = len(x) + 1  # type: ignore[arg-type]  # brackets and separators
        if t is dict or isinstance(x, Mapping):
            for k, e in x.items():  # type: ignore[attr-defined]
                total += (len(k) if type(k) is str else _size(k, limit, memo)) + (
                    len(e) if type(e) is str else _size(e, limit, memo)
                )
                if total > limit:
                    break
        else:
            for e in x:  # type: ignore[attr-defined]
                total += len(e) if type(e) is str else _size(e, limit, memo)
                if total > limit:
                    break
        memo[id(x)] = total
        return total
    return 1


#: Types printed_size counts as 1 without looking further.
_SCALARS: Final = frozenset({int, float, bool, type(None), Int64})


_struct_fields: dict[type, frozenset[str]] = {}
_plain_classes: dict[type, bool] = {}
_MISSING_ATTR = object()


def _static(cls: type, name: str) -> Any:
    """``name`` as the class (not the instance) defines it, found without running any code."""
    for klass in cls.__mro__:
        d = klass.__dict__
        if name in d:
            return d[name]
    return _MISSING_ATTR


def _is_plain(cls: type) -> bool:
    """Whether reading an instance attribute of ``cls`` can run no code of the class: attribute
    access is ``object``'s own and ``__dict__`` is the ordinary one."""
    plain = _plain_classes.get(cls)
    if plain is None:
        d = _static(cls, "__dict__")
        plain = (
            cls.__getattribute__ is object.__getattribute__  # type: ignore[comparison-overlap]
            and _static(cls, "__getattr__") is _MISSING_ATTR
            and (d is _MISSING_ATTR or type(d) is GetSetDescriptorType)
        )
        _plain_classes[cls] = plain
    return plain


def _public_fields(cls: type, obj: object) -> frozenset[str] | None:
    """The dataclass fields a template may read with a bare ``getattr`` (None: read per instance).

    Only for plain classes whose fields are instance data: a field the class shadows with a
    property or another descriptor is left to :func:`_read_attr`, which refuses it.
    """
    cached = _struct_fields.get(cls)
    if cached is not None:
        return cached
    if dataclasses.is_dataclass(cls) and _is_plain(cls):
        names = frozenset(
            f.name
            for f in dataclasses.fields(cls)
            if not f.name.startswith("_")
            and (
                isinstance(_static(cls, f.name), MemberDescriptorType)
                or not hasattr(type(_static(cls, f.name)), "__get__")
            )
        )
        _struct_fields[cls] = names
        return names
    return None


def _read_attr(obj: object, name: str) -> Any:
    """Instance data ``name`` of ``obj`` (its ``__dict__`` entry or slot), or ``_MISSING_ATTR``.

    Nothing of the class runs: the instance dict is read directly, a slot through its member
    descriptor (C code), and anything else the class defines (methods, properties, class
    attributes) is not data.
    """
    cls = type(obj)
    if not _is_plain(cls):
        return _MISSING_ATTR
    static = _static(cls, name)
    if isinstance(static, MemberDescriptorType):
        try:
            return static.__get__(obj, cls)
        except AttributeError:  # an unset slot
            return _MISSING_ATTR
    if static is not _MISSING_ATTR and hasattr(type(static), "__set__"):
        return _MISSING_ATTR  # a data descriptor (property) would take precedence over the dict
    try:
        d = object.__getattribute__(obj, "__dict__")
    except AttributeError:
        return _MISSING_ATTR
    return d.get(name, _MISSING_ATTR) if type(d) is dict else _MISSING_ATTR


def struct_field(obj: object, name: str) -> tuple[bool, Any]:
    """Read field ``name`` of a struct-like object under the sandbox policy: (found, value)."""
    if name.startswith("_"):
        return False, None
    names = _public_fields(type(obj), obj)
    if names is not None:
        if name in names:
            return True, getattr(obj, name)
        return False, None
    value = _read_attr(obj, name)
    if value is _MISSING_ATTR:
        return False, None
    if dataclasses.is_dataclass(type(obj)):
        return True, value
    return (not callable(value)), value


_NO_CONTAINER: Final = object()
#: ``elem_of`` of a receiver that is no range element (the interpreter passes it along).
NO_CONTAINER: Final = _NO_CONTAINER


def field(
    x: object,
    name: str,
    nid: int,
    mode: int,
    has_args: bool = False,
    iface: bool = False,
    elem_of: object = _NO_CONTAINER,
) -> Any:
    """``evalField``: ``x.name`` for a map key or struct field.

    Errors name the receiver's static type, as Go does: ``iface``, ``x`` came out of a map
    (``interface {}``); ``elem_of``, ``x`` is an element of that container as ``range`` yields
    it (``interface {}`` for []interface {} and map[string]interface {}).
    """
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
    table = METHODS.get(type(x))
    if table is not None and not has_args:
        # A library value (time.Time, *semver.Version) has methods and no exported fields.
        if name in table:
            return call_method(lookup_method(x, (name,), nid, mode, 0, 0), [], nid)
        raise ExecFailure(nid, f"can't evaluate field {name} in type {go_type_name(x)}")
    if isinstance(x, Mapping) and not isinstance(x, Missing):
        return field(dict(x), name, nid, mode, has_args)
    if not isinstance(x, (str, int, float, list, tuple)):
        found, value = struct_field(x, name)
        if found:
            if has_args:
                raise ExecFailure(nid, f"{name} has arguments but cannot be invoked as function")
            return value
    if elem_of is not _NO_CONTAINER and go_type_name(elem_of) in (
        "[]interface {}",
        "map[string]interface {}",
    ):
        iface = True
    raise ExecFailure(
        nid, f"can't evaluate field {name} in type {'interface {}' if iface else go_type_name(x)}"
    )


class Lit:
    """A literal argument of a method call (``.Add 3600``, ``.Format "2006"``). The compiler
    cannot type it, as the receiver is known only at run time; :func:`call_method` converts it
    for the method's parameter as Go's ``evalArg`` converts a literal node."""

    __slots__ = ("float64", "int64", "is_float", "is_int", "kind", "text", "value")

    def __init__(
        self,
        kind: str,
        text: str,
        value: object = None,
        int64: int | None = None,
        float64: float | None = None,
    ) -> None:
        self.kind = kind  # "bool", "string", "number" or "nil"
        self.text = text  # the node as Go prints it in errors
        self.value = value
        self.is_int = int64 is not None
        self.int64 = int64
        self.is_float = float64 is not None
        self.float64 = float64


_INT_KINDS: Final = frozenset({"int", "int64", "time.Duration", "time.Month", "time.Weekday"})
_NILABLE: Final = frozenset(
    {"*semver.Version", "[]interface {}", "[]string", "map[string]interface {}", "any"}
)


def _lit_arg(lit: Lit, typ: str, nid: int) -> Any:
    """evalArg for a literal node and a parameter of Go type ``typ``."""
    if lit.kind == "nil":
        if typ in _NILABLE:
            return None
        raise ExecFailure(nid, f"cannot assign nil to {typ}")
    if typ == "bool":
        if lit.kind == "bool":
            return lit.value
        raise ExecFailure(nid, f"expected bool; found {lit.text}")
    if typ == "float64":
        if lit.is_float:
            return lit.float64
        raise ExecFailure(nid, f"expected float; found {lit.text}")
    if typ in _INT_KINDS:
        if lit.is_int:
            cls = _INT_TYPES.get(typ, int)
            return cls(lit.int64)
        raise ExecFailure(nid, f"expected integer; found {lit.text}")
    if typ == "string":
        if lit.kind == "string":
            return lit.value
        raise ExecFailure(nid, f"expected string; found {lit.text}")
    raise ExecFailure(nid, f"can't handle {lit.text} for arg of type {typ}")


#: Python classes of the named integer parameter types.
_INT_TYPES: Final[dict[str, type]] = {
    "int64": Int64,
    "time.Duration": Duration,
    "time.Month": Month,
    "time.Weekday": Weekday,
}


class BoundMethod:
    """A method found on a library value, its argument count checked (see :func:`lookup_method`)."""

    __slots__ = ("method", "receiver")

    def __init__(self, method: GoFunc, receiver: object) -> None:
        self.method = method
        self.receiver = receiver


def lookup_method(
    x: object,
    names: Sequence[str],
    nid: int,
    mode: int,
    nargs: int,
    nfixed_args: int,
    elem_of: object = _NO_CONTAINER,
) -> Any:
    """evalFieldChain ``x.A.B.M`` where ``M`` has arguments: the chain up to ``M``, then the
    method ``M`` of that library value, its argument count checked (``nargs``: all, with a piped
    final value; ``nfixed_args``: those written). When the value has no such method, whatever Go
    does with a field given arguments: an error, or the zero value of a missing receiver,
    returned as is (the arguments are then never evaluated, as in Go)."""
    iface = False  # x came out of a map: Go sees it as interface {}
    for i, name in enumerate(names[:-1]):
        if type(x) is dict and name in x:
            x = x[name]
            iface = True
            continue
        from_map = isinstance(x, Mapping)
        x = field(x, name, nid, mode, False, iface, elem_of if i == 0 else _NO_CONTAINER)
        iface = from_map
    name = names[-1]
    table = METHODS.get(type(x))
    m = table.get(name) if table is not None else None
    if m is None:
        return field(x, name, nid, mode, True, iface, elem_of if len(names) == 1 else _NO_CONTAINER)
    if m.variadic is not None:
        if nargs < len(m.params):
            raise ExecFailure(
                nid, f"wrong number of args for {name}: want at least {len(m.params)} got {nfixed_args}"
            )
    elif nargs != len(m.params):
        raise ExecFailure(nid, f"wrong number of args for {name}: want {len(m.params)} got {nargs}")
    if m.result.startswith("!"):
        # goodFunc: a method whose results a template cannot take (Go's message).
        raise ExecFailure(nid, m.result[1:])
    return BoundMethod(m, x)


def call_method(b: BoundMethod, args: Sequence[tuple[Any, int]], nid: int) -> Any:
    """evalCall for a bound library method: each argument (a value or a :class:`Lit`, with the
    node id its errors name) converted for its parameter, then the call (errors as Go's)."""
    m = b.method
    vals: list[Any] = [b.receiver]
    for i, (v, at) in enumerate(args):
        typ = m.params[i] if i < len(m.params) else str(m.variadic)
        if isinstance(v, Lit):
            vals.append(_lit_arg(v, typ, at))
        elif v is MISSING and typ in _NILABLE:
            vals.append(None)  # validateType: the zero value of a pointer type is nil
        else:
            vals.append(check_arg(v, typ, at))
    return call(GoFunc(m.name, m.fn, m.params, m.variadic, m.result), vals, nid)


def chain(
    x: object,
    names: Sequence[str],
    nid: int,
    mode: int,
    has_args: bool = False,
    elem_of: object = _NO_CONTAINER,
) -> Any:
    """``evalFieldChain``: ``x.A.B.C``; ``has_args``: arguments follow, which the last field
    refuses; ``elem_of``: ``x`` is a range element of that container (see :func:`field`)."""
    iface = False  # x came out of a map: Go sees it as interface {}
    last = len(names) - 1
    for i, name in enumerate(names):
        if type(x) is dict and not (has_args and i == last):
            try:
                x = x[name]
                iface = True
                continue
            except KeyError:
                pass
        from_map = isinstance(x, Mapping)
        x = field(x, name, nid, mode, has_args and i == last, iface, elem_of if i == 0 else _NO_CONTAINER)
        iface = from_map
    return x


def range_items(
    x: object,
    nid: int,
    nvars: int,
    out: list[str] | None = None,
    st: list[Any] | None = None,
    at: int | None = None,
) -> Any:
    """What ``range`` iterates: an iterable of elements, or of (index, element) pairs, that is
    false when empty.

    Lists in order, maps in sorted key order, integers 0..n-1 (Go 1.22), nothing for a missing
    value; anything else is Go's ``range can't iterate over`` error (at node ``nid``). With the
    execution's ``out`` and state ``st``, iterations are charged to the budget and the output size
    is checked; those errors are reported at node ``at`` (the range), if given.
    """
    pairs = False
    if x is MISSING or x is None:  # first: the ABC test of Mapping is slow for a "no"
        return ()
    if type(x) is list or isinstance(x, (list, tuple)):
        seq: Sequence[Any] = x
        pairs = nvars > 1
    elif isinstance(x, Mapping):
        if st is not None and len(x) > st[BUDGET]:
            _charge(st, len(x), nid if at is None else at)  # fail before sorting a huge map
        keys = _sorted_keys(x, nid)
        seq = [(k, x[k]) for k in keys] if nvars > 1 else [x[k] for k in keys]
    elif type(x) is int or isinstance(x, Int64):
        if nvars > 1:
            raise ExecFailure(nid, f"can't use {x} to iterate over more than one variable")
        # A Python int past Go's int64 wraps, as fmt prints it and sprig's arithmetic makes it.
        seq = range(((int(x) + (1 << 63)) & ((1 << 64) - 1)) - (1 << 63))
    else:
        try:
            shown = format_value(x)
        except RecursionError:
            raise LimitFailure(nid, f"range can't iterate over a value: {_TOO_DEEP}") from None
        raise ExecFailure(nid, f"range can't iterate over {shown}")
    if out is not None and st is not None:
        if at is not None:
            nid = at
        n = len(seq)
        if n > SHORT_LOOP:
            tick(out, st, nid)
            return _chain_iters.from_iterable(_chunks(seq, pairs, out, st, nid))
        return short_loop(seq, pairs, out, st, nid)
    return list(enumerate(seq)) if pairs else seq


def short_loop(seq: Sequence[Any], pairs: bool, out: list[str], st: list[Any], nid: int) -> Any:
    """What range iterates for ``seq`` of at most SHORT_LOOP elements: they are charged to the
    budget at entry, then the budget, the deadline and the output are checked (its characters
    are counted only when enough chunks were written since the last count). The compiled
    templates call it for a short list themselves, without range_items' type tests."""
    n = len(seq)
    if n:
        st[BUDGET] -= n
        if st[BUDGET] < 0:
            _over_budget(st, nid)
        if st[DEADLINE] != _INF and _monotonic() > st[DEADLINE]:
            check_clock(st, nid)
        if len(out) - st[COUNTED] > _TICK_CHUNKS:
            tick(out, st, nid)
    return list(enumerate(seq)) if pairs else seq


def _chunks(seq: Sequence[Any], pairs: bool, out: list[str], st: list[Any], nid: int) -> Iterator[Any]:
    """Slices of a long loop's elements; before each one, charge the budget and check the output.

    The next slice is sized from the output written per element so far, so that a loop printing
    large values is stopped close to the limit (one element at a time near the limit).
    """
    n = len(seq)
    i = 0
    step = 1
    limit = st[LIMIT]
    while i < n:
        # Never charge more than is left: a loop that breaks early pays for what it ran.
        k = min(step, n - i, max(1, st[BUDGET]))
        _charge(st, k, nid)
        before = output_size(out, st)
        if before > limit:
            tick(out, st, nid)
        started = time.monotonic()
        yield zip(range(i, i + k), seq[i : i + k], strict=True) if pairs else seq[i : i + k]
        i += k
        after = output_size(out, st)
        per_item = (after - before) // k + 1
        step = max(1, min(1024, (limit - after) // (2 * per_item)))
        spent = time.monotonic() - started
        if spent > _SLICE_SECONDS:
            # Slow elements: smaller slices, so that the deadline (read per slice) is kept.
            step = max(1, min(step, int(k * _SLICE_SECONDS / spent)))


def _sorted_keys(m: Mapping[Any, Any], nid: int) -> list[Any]:
    try:
        return sorted(m)
    except TypeError:
        return sorted(m, key=lambda k: (type(k).__name__, str(k)))


def _q(s: str) -> str:
    from .gostrconv import quote

    return quote(s)


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
        ok = isinstance(value, (list, tuple)) and go_type_name(value) == typ
    elif typ == "[]string":
        ok = isinstance(value, StrList)
    elif typ == "map[string]interface {}":
        # Not split's map[string]string: Go's maps of other element types do not convert.
        ok = isinstance(value, Mapping) and go_type_name(value) == typ
    else:
        ok = go_type_name(value) == typ
    if not ok:
        raise ExecFailure(nid, f"wrong type for value; expected {typ}; got {go_type_name(value)}")
    return value


def call(f: GoFunc, args: list[Any], nid: int) -> Any:
    """Call template function ``f`` on already converted arguments (``safeCall``)."""
    try:
        return f.fn(*args)
    except Exception as e:
        failure = _call_failure(f, e, nid)
        if failure is None:
            raise
        raise failure from None


def _call_failure(f: GoFunc, e: Exception, nid: int) -> ExecFailure | None:
    """The exec error a function's exception stands for (None: a bug, let it through)."""
    if isinstance(e, GoFuncError):
        return ExecFailure(nid, f"error calling {f.name}: {e}")
    if isinstance(e, ExecFailure):
        return e
    if isinstance(e, RecursionError):
        return LimitFailure(nid, f"error calling {f.name}: {_TOO_DEEP}")
    if isinstance(e, MemoryError):
        # A last resort: the size guards refuse what they can foresee before it is built.
        return LimitFailure(nid, f"error calling {f.name}: out of memory")
    if isinstance(e, (ValueError, TypeError, KeyError, IndexError, ArithmeticError, AttributeError)):
        # A function that trips over its input behaves as a Go panic recovered by safeCall.
        return ExecFailure(nid, f"error calling {f.name}: {e}")
    return None


def charged_call(f: GoFunc, args: list[Any], nid: int, st: list[Any]) -> Any:
    """:func:`call`, charging a string or list result to the execution's budgets: no longer than
    the output may be (``max_output``), all of them together within ``max_values``. Values
    built up in variables (``{{ $s = print $s $s }}``, ``{{ $l = append $l $s }}`` in a loop) stay
    bounded although they are never written. A long result also looks at the clock."""
    try:
        r = f.fn(*args)  # call(), inlined: this is the common call of compiled code
    except Exception as e:
        failure = _call_failure(f, e, nid)
        if failure is None:
            raise
        raise failure from None
    if type(r) is str or isinstance(r, list):
        n = len(r)
        st[VALUES] -= n
        if n >= st[LONG] or st[VALUES] < 0:
            _charge_long(st, f.name, n, nid)
    return r


def _charge_long(st: list[Any], name: str, n: int, nid: int) -> None:
    """The rest of charging a result of ``n`` characters or elements, already taken off
    ``max_values``: fail past ``max_output`` or once ``max_values`` is spent; a long result
    also looks at the clock. Callers come here only for a result of at least ``st[LONG]``
    (the smaller of _CLOCK_SIZE and ``max_output`` + 1) or a spent budget: the common short
    result costs two comparisons."""
    if n > st[LIMIT]:
        raise LimitFailure(
            nid, f"error calling {name}: result of {n} exceeds the limit of {st[LIMIT]} (max_output)"
        )
    if st[VALUES] < 0:
        _over_values(st, name, n, nid)
    if n >= _CLOCK_SIZE:
        check_clock(st, nid)


# The body of a direct caller (:func:`direct_call`): call(), or charged_call() when CHARGE.
_DIRECT_SOURCE = """
def make(fn, f, _call_failure, VALUES, LONG, _charge_long):
    def run({params}nid, st):
        try:
            r = fn({params})
        except Exception as e:
            failure = _call_failure(f, e, nid)
            if failure is None:
                raise
            raise failure from None
        if CHARGE and (type(r) is str or isinstance(r, list)):
            n = len(r)
            st[VALUES] -= n
            if n >= st[LONG] or st[VALUES] < 0:
                _charge_long(st, f.name, n, nid)
        return r
    return run
"""
_direct_makers: dict[tuple[int, bool], Callable[..., Callable[..., Any]]] = {}
#: Calls of at most this many arguments get a caller of their own.
DIRECT_ARGS: Final = 6


def direct_call(f: GoFunc, nargs: int, charge: bool) -> Callable[..., Any]:
    """``run(a1, ..., aN, nid, st)``: :func:`call` (or, ``charge``d, :func:`charged_call`) of
    ``f`` with ``nargs`` arguments (at most DIRECT_ARGS), without building an argument list and
    unpacking it again; compiled templates call it for most function calls."""
    maker = _direct_makers.get((nargs, charge))
    if maker is None:
        params = "".join(f"a{i}, " for i in range(nargs))
        namespace: dict[str, Any] = {}
        source = _DIRECT_SOURCE.replace("{params}", params).replace("CHARGE", str(charge))
        exec(
            compile(source, f"<gotmpl direct call {nargs}{' charged' if charge else ''}>", "exec"), namespace
        )
        maker = _direct_makers[(nargs, charge)] = namespace["make"]
    return maker(f.fn, f, _call_failure, VALUES, LONG, _charge_long)


def _over_values(st: list[Any], name: str, n: int, nid: int) -> None:
    raise LimitFailure(
        nid,
        f"error calling {name}: a result of {n} would take the values this execution created past "
        f"the limit of {st[MAX_VALUES]} characters and list elements (max_values)",
    )


def call_builtin(f: GoFunc, args: list[Any], nid: int, callee: str | None) -> Any:
    """Go's ``call`` builtin, told the callee's source text (``.F``) as ``evalCall`` tells it;
    None when the callee was piped in: then ``reflect.Value.String()`` of its value."""
    if callee is None:
        v = args[0] if args else MISSING
        callee = v if type(v) is str else "<invalid Value>" if v is MISSING else f"<{go_type_name(v)} Value>"
    return call(GoFunc(f.name, lambda *a: f.fn(*a, callee=callee), f.params, f.variadic, f.result), args, nid)


def _range_len(start: int, stop: int, step: int) -> int:
    return len(range(start, stop, step)) if step else 0


#: Beneath this size, a cheap upper bound is enough to let a call through (no exact count).
_SMALL_ENOUGH = 1 << 20
#: Where measuring a value may stop (the limits are far smaller).
_BIG = 1 << 62


def _replace_size(old: str, new: str, src: str) -> int:
    if len(new) <= len(old):
        return 0  # no longer than src
    count = len(src) + 1 if old == "" else src.count(old)
    return len(src) + count * (len(new) - len(old))


def _indent_size(spaces: int, s: str) -> int:
    return max(spaces, 0) * (s.count("\n") + 1) + len(s)


def _wrap_size(width: int, sep: str, s: str, *, stop: int = _BIG) -> int:
    if len(sep) <= 1:
        return 0  # at most one character per character of s
    from .funcs.sprig_text import wrap_breaks

    if (len(s) // max(width, 1) + s.count(" ") + 1) * len(sep) + len(s) <= _SMALL_ENOUGH:
        return 0  # cheap upper bound first: most calls never count
    return len(s) + wrap_breaks(s, width, True, stop // len(sep) + 1) * len(sep)


class _GuardFailure(Exception):
    """A size guard's own failure that is the call's (a regexp past its deadline)."""


def _regex_replace_size(literal: bool) -> Callable[..., int]:
    def size(expr: str, src: str, repl: str, *, stop: int = _BIG) -> int:
        if (len(src) + 1) * (len(repl) + repl.count("$") * len(src)) + len(src) <= _SMALL_ENOUGH:
            return 0
        from .funcs.sprig_regex import RegexTimeout, compile_go

        try:
            return compile_go(expr).replace_size(src, repl, literal, stop)
        except RegexTimeout as e:
            raise _GuardFailure(e) from None

    return size


def _join_size(sep: str, v: object) -> int:
    if not isinstance(v, (list, tuple)):
        return 0
    return len(sep) * max(len(v) - 1, 0) + printed_size(v, _BIG) - len(v) - 1


def _args_size(*args: object) -> int:
    """What a function printing all its arguments writes at least (print, cat, toJson, ...)."""
    if len(args) == 1:  # the common call (toJson .X, an escaper): no generator
        a = args[0]
        return 0 if a is None or type(a) is str else printed_size(a, _BIG)
    return sum(printed_size(a, _BIG) for a in args if a is not None and type(a) is not str)


_VERB = re.compile(r"%[-+# 0]*(\[\d+\])?(\d+|\*)?(?:\.(\[\d+\])?(\d+|\*)?)?(?:\[\d+\])?([a-zA-Z%])")
#: Go's fmt ignores a width or precision past this (``%!(BADWIDTH)``, tooLarge in fmt/print.go).
_FMT_MAX = 1_000_000


def _printf_size(fmt: str, *args: object) -> int:
    """A lower bound of printf's output: the widths it pads to, the digits a precision asks of
    numbers, and the containers its arguments hold (``%v`` of a list held many times over).

    A ``*`` width or precision counts as the largest integer argument Go would accept as one
    (``%[1]*[2]d`` repeated reuses one width without more arguments): an overestimate only for
    formats mixing ``*`` with large unrelated integers."""
    star = max((abs(a) for a in args if type(a) is int and abs(a) <= _FMT_MAX), default=0)
    total = 0
    for m in _VERB.finditer(fmt):
        index, width, prec_index, prec, verb = m.groups()
        if index and width != "*" and (width or prec is not None or prec_index):
            continue  # "%[1]5d", "%[1].2f": Go's BADINDEX, nothing padded
        if prec_index and prec != "*":
            prec = None
        w = star if width == "*" else int(width or 0)
        p = star if prec == "*" else int(prec or 0)
        total += max(w if w <= _FMT_MAX else 0, p if p <= _FMT_MAX and verb in "dfFeE" else 0)
    return total + _args_size(*args)


_REGEX_REPLACE_SIZE = _regex_replace_size(False)
_REGEX_REPLACE_LITERAL_SIZE = _regex_replace_size(True)
#: Guards that take ``stop=``: they stop counting once the size is past it (counting is work).
_STOPPING: frozenset[Callable[..., int]] = frozenset(
    {_REGEX_REPLACE_SIZE, _REGEX_REPLACE_LITERAL_SIZE, _wrap_size}
)

#: Functions that can allocate a huge value from small arguments, with the size of their result
#: (exact, or a lower bound) computed from the (converted) arguments before they run. Keyed by
#: sprig's function name; the compiler applies a guard only to the stock function of that name.
#: Functions not listed return at most a few times the size of their arguments, which the
#: limits already bound, and are charged after the call (:func:`charged_call`).
SIZE_GUARDS: dict[str, Callable[..., int]] = {
    "repeat": lambda count, s: count * len(s) if count > 0 else 0,
    "until": lambda count: abs(count),
    "untilStep": lambda start, stop, step: _range_len(start, stop, step),
    "seq": lambda *p: _seq_size(*p),
    "replace": _replace_size,
    "indent": _indent_size,
    "nindent": lambda spaces, s: _indent_size(spaces, s) + 1,
    "wrapWith": _wrap_size,
    "regexReplaceAll": _REGEX_REPLACE_SIZE,
    "mustRegexReplaceAll": _REGEX_REPLACE_SIZE,
    "regexReplaceAllLiteral": _REGEX_REPLACE_LITERAL_SIZE,
    "mustRegexReplaceAllLiteral": _REGEX_REPLACE_LITERAL_SIZE,
    "b64enc": lambda s: (len(s) + 2) // 3 * 4 if type(s) is str else 0,
    "b32enc": lambda s: (len(s) + 4) // 5 * 8 if type(s) is str else 0,
    "join": _join_size,
    "printf": _printf_size,
    "randAlpha": lambda count: count,
    "randAlphaNum": lambda count: count,
    "randAscii": lambda count: count,
    "randNumeric": lambda count: count,
    "randBytes": lambda count: count * 4 // 3,
    **{
        name: _args_size
        for name in (
            "print",
            "println",
            "cat",
            "quote",
            "squote",
            "toString",
            "toStrings",
            "toJson",
            "mustToJson",
            "toRawJson",
            "mustToRawJson",
            "toPrettyJson",
            "mustToPrettyJson",
            "html",
            "js",
            "urlquery",
        )
    },
    "concat": lambda *lists: sum(len(x) for x in lists if isinstance(x, (list, tuple))),
}


def _seq_size(*p: int) -> int:
    """About how many characters sprig's ``seq`` writes: numbers times their width."""
    if not p or len(p) > 3:
        return 0
    start, end = (1, p[0]) if len(p) == 1 else (p[0], p[-1])
    step = abs(p[1]) if len(p) == 3 else 1
    count = abs(end - start) // max(step, 1) + 1
    return count * (max(len(str(start)), len(str(end))) + 1)


def guarded_call(f: GoFunc, args: list[Any], nid: int, st: list[Any], charge: bool = True) -> Any:
    """:func:`call` for a function of :data:`SIZE_GUARDS` (or an html/template escaper, which
    prints its arguments): refuse a result over the output limit
    (or, ``charge``d, over what is left of ``max_values``) before it is built."""
    guard = SIZE_GUARDS.get(f.name, _args_size)
    try:
        if guard in _STOPPING:
            size = guard(*args, stop=min(st[LIMIT], st[VALUES]) if charge else st[LIMIT])
        else:
            size = guard(*args)
    except _GuardFailure as e:
        failure = _call_failure(f, e.args[0], nid)
        assert failure is not None
        raise failure from None
    except Exception:
        size = 0  # bad arguments (a bad pattern, ...): let the function report its own error
    if size > st[LIMIT]:
        raise LimitFailure(
            nid,
            f"error calling {f.name}: result of about {size} exceeds the limit of {st[LIMIT]} (max_output)",
        )
    if charge:
        if size > st[VALUES]:
            _over_values(st, f.name, size, nid)
        return charged_call(f, args, nid, st)
    return call(f, args, nid)


#: sprig's JSON functions :func:`json_call` takes, with whether they escape HTML characters.
JSON_CALLS: Final = {"toJson": True, "mustToJson": True, "toRawJson": False, "mustToRawJson": False}


def json_call(escape_html: bool, f: GoFunc, v: Any, nid: int, st: list[Any], charge: bool = True) -> Any:
    """:func:`guarded_call` of sprig's ``toJson`` (one of :data:`JSON_CALLS`) of ``v`` with one
    walk of plain data instead of two: ``sprig_json.plain_size`` is the guard's
    ``printed_size`` for it, counted while checking it is plain, and stops at the budgets;
    within them the guard lets the call through, and plain data never fails to encode.
    Anything else (not plain, over a budget) goes through :func:`guarded_call`, which gives
    its refusals. (The compiler writes the uncharged case inline.)"""
    limit = st[LIMIT]
    if charge and st[VALUES] < limit:
        limit = st[VALUES]
    s = marshal_plain(v, escape_html, limit)
    if s is None:
        return guarded_call(f, [v], nid, st, charge)
    if charge:  # charged_call's charging
        n = len(s)
        st[VALUES] -= n
        if n >= st[LONG] or st[VALUES] < 0:
            _charge_long(st, f.name, n, nid)
    return s


def printf_call(
    fast: Callable[[Sequence[object]], str | None],
    f: GoFunc,
    args: list[Any],
    nid: int,
    st: list[Any],
    charge: bool = True,
) -> Any:
    """:func:`guarded_call` of sprig's ``printf`` with a constant format, trying its fast path
    first (``gofmt.simple_printf``: no widths, so the guard counts 1 per argument that is not
    a string, at most ``len(args)``; with budgets that small, the guard decides)."""
    r = fast(args)
    if r is None or st[LIMIT] < len(args) or (charge and st[VALUES] < len(args)):
        return guarded_call(f, args, nid, st, charge)
    if charge:
        n = len(r)
        st[VALUES] -= n
        if n >= st[LONG] or st[VALUES] < 0:
            _charge_long(st, f.name, n, nid)
    return r


def escaper_call(f: GoFunc, args: list[Any], nid: int, st: list[Any], charge: bool = True) -> Any:
    """:func:`guarded_call` for an html/template escaper, without its sizing when every argument
    is a string: an escaper prints its arguments, and only a non-string one (a container printed
    whole) can make it write more than a few times what it was given (the guard, ``_args_size``,
    counts nothing for strings). The common case, one string, costs one type check."""
    for a in args:
        if type(a) is not str:
            return guarded_call(f, args, nid, st, charge)
    return charged_call(f, args, nid, st) if charge else call(f, args, nid)


def escaper_chain(steps: Sequence[tuple[GoFunc, Callable[[str], str], bool]]) -> Callable[..., str]:
    """html/template's escapers of one pipeline (``X | urlfilter | urlnormalizer | attrescaper``)
    fused into one function of a plain string ``X``: ``run(s, st, nids)``.

    ``steps``: each escaper, its string fast path (``escape.escapers.STR_ESCAPERS``) and whether
    its result is charged; ``nids``: the node id of each step. For a string, this is what the
    pipeline of :func:`escaper_call` calls does step by step (each escaper of a string returns a
    string, so every later step takes the string path too): the same results, the same charges
    in the same order, the same errors at the same nodes; only the calls, argument lists and
    type tests between the steps are gone. The compiler uses it when the value is a ``str`` and
    the nested calls otherwise.
    """
    if len(steps) == 1 and not steps[0][2]:
        f, fast, _ = steps[0]

        def run1(s: str, st: list[Any], nids: tuple[int, ...]) -> str:
            try:
                return fast(s)
            except Exception as e:
                failure = _call_failure(f, e, nids[0])
                if failure is None:
                    raise
                raise failure from None

        return run1
    fns = tuple(steps)

    def run(s: str, st: list[Any], nids: tuple[int, ...]) -> str:
        i = 0
        try:
            for f, fast, charge in fns:
                s = fast(s)
                if charge:
                    n = len(s)
                    st[VALUES] -= n
                    if n >= st[LONG] or st[VALUES] < 0:
                        _charge_long(st, f.name, n, nids[i])
                i += 1
        except ExecFailure:
            raise
        except Exception as e:
            failure = _call_failure(fns[i][0], e, nids[i])
            if failure is None:
                raise
            raise failure from None
        return s

    return run


def truth(v: object) -> bool:
    return is_true(v)


def not_callable(name: str) -> Callable[..., Any]:
    def fail(*_: Any) -> Any:
        raise GoFuncError(f"{name} is not callable from templates")

    return fail

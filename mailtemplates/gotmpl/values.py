"""The Go value model: how Python data stands for Go values inside templates.

Not a port of one Go file: it stands for what ``reflect`` shows Go 1.26's ``text/template`` of
values decoded by ``encoding/json`` and made by sprig.

Go templates see data through ``reflect``; we see it through Python types. The mapping is:

==========================  ==============================  =========================
Python                      Go                              printed with ``%v``
==========================  ==============================  =========================
``MISSING``                 invalid ``reflect.Value``       ``<no value>``
``None``                    ``nil`` (``interface {}``)      ``<nil>``
``bool``                    ``bool``                        ``true``
``int``                     ``int``                         ``42``
``Int64`` (an ``int``)      ``int64`` (sprig's math)        ``42``
``float``                   ``float64`` (all JSON numbers)  ``1e+06``
``str``                     ``string``                      as is
``list`` / ``tuple``        ``[]interface {}``              ``[a b]``
``StrList`` (a ``list``)    ``[]string``                    ``[a b]``
``dict``                    ``map[string]interface {}``     ``map[a:1 b:2]``
dataclass / object          struct (pointer)                ``{a 1}``
==========================  ==============================  =========================

``MISSING`` is what a missing map key evaluates to: Go keeps it apart from a ``nil`` value
(``.A.Nope.C`` quietly yields ``<no value>``, while ``.Null.C`` is an error).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Final

__all__ = [
    "MISSING",
    "GoTime",
    "Int64",
    "Missing",
    "StrList",
    "go_type_name",
    "is_struct",
    "is_true",
]


class Missing:
    """The invalid ``reflect.Value``: the result of a missing map key."""

    _instance: Missing | None = None

    def __new__(cls) -> Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Final = Missing()


class Int64(int):
    """A Go ``int64`` (what sprig's math and ``len``-like helpers return)."""

    __slots__ = ()


class StrList(list):  # type: ignore[type-arg]
    """A Go ``[]string`` (what ``splitList``, ``keys`` and friends return)."""

    __slots__ = ()


class GoTime:
    """A Go ``time.Time``: an aware datetime plus Go's printing rules (used by the date functions)."""

    __slots__ = ("dt",)

    def __init__(self, dt: Any) -> None:
        self.dt = dt

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoTime) and other.dt == self.dt

    def __hash__(self) -> int:
        return hash(self.dt)

    def __repr__(self) -> str:
        return f"GoTime({self.dt!r})"


def is_struct(value: object) -> bool:
    """True for values that behave as Go structs: dataclass instances and plain objects."""
    if isinstance(value, (str, int, float, bool, list, tuple, dict, Missing, GoTime)) or value is None:
        return False
    return dataclasses.is_dataclass(value) or hasattr(value, "__dict__") or hasattr(value, "__slots__")


def go_type_name(value: object) -> str:
    """The Go type name a value has, as Go prints it in error messages (``%T``)."""
    if value is None or value is MISSING:
        return "<nil>"
    # Containers the function library types more precisely (sprig's []int, map[string]string).
    named = getattr(type(value), "go_type", None)
    if type(named) is str:
        return named
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Int64):
        return "int64"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, StrList):
        return "[]string"
    if isinstance(value, (list, tuple)):
        return "[]interface {}"
    if isinstance(value, Mapping):
        return "map[string]interface {}"
    if isinstance(value, GoTime):
        return "time.Time"
    # Models may name the Go type they stand for (``*email.RecoveryValidModel``).
    cls = type(value)
    return getattr(cls, "GO_TYPE", None) or getattr(cls, "__go_type__", None) or "*" + cls.__name__


def is_true(value: object) -> bool:
    """Go's truth rule (``text/template.IsTrue``): the zero value of a type is false.

    A struct is always true; an empty list, map or string, zero and nil are false.
    """
    if value is None or value is MISSING:
        return False
    if isinstance(value, (bool, int, float, str, list, tuple, dict)):
        return bool(value)
    if isinstance(value, Mapping):
        return len(value) > 0
    return True

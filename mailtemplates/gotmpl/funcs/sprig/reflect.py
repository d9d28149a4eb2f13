"""sprig v3.3.0 ``reflect.go`` (typeOf, kindOf, typeIs, ...) and ``deepEqual`` (``functions.go``)."""

from __future__ import annotations

from ..sprig_conv import deep_equal, kind_of, type_of
from ._common import ANY, STR, reg

reg("typeOf", ANY, result=STR)(type_of)
reg("kindOf", ANY, result=STR)(kind_of)


@reg("typeIs", STR, ANY, result="bool")
def _type_is(target: str, src: object) -> bool:
    return target == type_of(src)


@reg("typeIsLike", STR, ANY, result="bool")
def _type_is_like(target: str, src: object) -> bool:
    t = type_of(src)
    return target == t or "*" + target == t


@reg("kindIs", STR, ANY, result="bool")
def _kind_is(target: str, src: object) -> bool:
    return target == kind_of(src)


reg("deepEqual", ANY, ANY, result="bool")(deep_equal)

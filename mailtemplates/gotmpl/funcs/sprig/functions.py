"""The OS and path one-liners of sprig v3.3.0 ``functions.go``: env, expandenv, base/dir/clean/ext/
isAbs (``path``) and their ``os``-prefixed twins (``filepath``), and ``fail``.
"""

from __future__ import annotations

import os

from .. import GoFuncError
from ..sprig_url import base, clean, dir_, expand, ext, is_abs
from ._common import STR, reg


@reg("env", STR, result=STR)
def _env(name: str) -> str:
    return os.environ.get(name, "")


@reg("expandenv", STR, result=STR)
def _expandenv(s: str) -> str:
    return expand(s, lambda k: os.environ.get(k, ""))


for _prefix in ("", "os"):
    reg(_prefix + ("Base" if _prefix else "base"), STR, result=STR)(base)
    reg(_prefix + ("Dir" if _prefix else "dir"), STR, result=STR)(dir_)
    reg(_prefix + ("Clean" if _prefix else "clean"), STR, result=STR)(clean)
    reg(_prefix + ("Ext" if _prefix else "ext"), STR, result=STR)(ext)
    reg(_prefix + ("IsAbs" if _prefix else "isAbs"), STR, result="bool")(is_abs)


@reg("fail", STR, result=STR)
def _fail(msg: str) -> str:
    raise GoFuncError(msg)

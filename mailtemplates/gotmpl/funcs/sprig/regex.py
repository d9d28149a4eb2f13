"""sprig v3.3.0 ``regex.go``: the regexp functions, on Go's RE2 syntax ported in ``sprig_regex``.

Unlike RE2, the engine underneath has no linear-time guarantee (see docs/architecture.md).
"""

from __future__ import annotations

from typing import Any

from ...values import StrList
from .. import GoFuncError
from ..sprig_conv import NilStrList
from ..sprig_regex import RegexError, RegexUnsupported, compile_go, must_compile, quote_meta
from ._common import INT, STR, STRLIST, reg


def _compile(regex: str, must: bool) -> Any:
    """regexp.MustCompile (panic text) or regexp.Compile (error text)."""
    try:
        return must_compile(regex) if must else compile_go(regex)
    except (RegexError, RegexUnsupported) as e:
        raise GoFuncError(str(e)) from None


def _str_list(items: list[str] | None) -> StrList:
    """A Go []string result: None is the nil slice."""
    return NilStrList() if items is None else StrList(items)


@reg("regexMatch", STR, STR, result="bool")
def _regex_match(regex: str, s: str) -> bool:
    try:
        return bool(compile_go(regex).match_string(s))
    except RegexError:
        return False
    except RegexUnsupported as e:
        raise GoFuncError(str(e)) from None


@reg("mustRegexMatch", STR, STR, result="bool")
def _must_regex_match(regex: str, s: str) -> bool:
    return bool(_compile(regex, False).match_string(s))


@reg("regexFindAll", STR, STR, INT, result=STRLIST)
def _regex_find_all(regex: str, s: str, n: int) -> StrList:
    return _str_list(_compile(regex, True).find_all_string(s, n))


@reg("mustRegexFindAll", STR, STR, INT, result=STRLIST)
def _must_regex_find_all(regex: str, s: str, n: int) -> StrList:
    return _str_list(_compile(regex, False).find_all_string(s, n))


@reg("regexFind", STR, STR, result=STR)
def _regex_find(regex: str, s: str) -> str:
    return str(_compile(regex, True).find_string(s))


@reg("mustRegexFind", STR, STR, result=STR)
def _must_regex_find(regex: str, s: str) -> str:
    return str(_compile(regex, False).find_string(s))


@reg("regexReplaceAll", STR, STR, STR, result=STR)
def _regex_replace_all(regex: str, s: str, repl: str) -> str:
    return str(_compile(regex, True).replace_all(s, repl, False))


@reg("mustRegexReplaceAll", STR, STR, STR, result=STR)
def _must_regex_replace_all(regex: str, s: str, repl: str) -> str:
    return str(_compile(regex, False).replace_all(s, repl, False))


@reg("regexReplaceAllLiteral", STR, STR, STR, result=STR)
def _regex_replace_all_literal(regex: str, s: str, repl: str) -> str:
    return str(_compile(regex, True).replace_all(s, repl, True))


@reg("mustRegexReplaceAllLiteral", STR, STR, STR, result=STR)
def _must_regex_replace_all_literal(regex: str, s: str, repl: str) -> str:
    return str(_compile(regex, False).replace_all(s, repl, True))


@reg("regexSplit", STR, STR, INT, result=STRLIST)
def _regex_split(regex: str, s: str, n: int) -> StrList:
    return _str_list(_compile(regex, True).split(s, n))


@reg("mustRegexSplit", STR, STR, INT, result=STRLIST)
def _must_regex_split(regex: str, s: str, n: int) -> StrList:
    return _str_list(_compile(regex, False).split(s, n))


reg("regexQuoteMeta", STR, result=STR)(quote_meta)

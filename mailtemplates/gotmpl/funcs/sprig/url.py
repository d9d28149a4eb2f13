"""sprig v3.3.0 ``url.go``: urlParse and urlJoin (net/url in ``sprig_url``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import GoFuncError
from ..sprig_conv import kind_of
from ..sprig_url import URLError, parse_url
from ._common import _NIL_DEREF, MAP, STR, _map_arg, reg


@reg("urlParse", STR, result=MAP)
def _url_parse(v: str) -> dict[str, Any]:
    try:
        u = parse_url(v)
    except URLError as e:
        raise GoFuncError(f"unable to parse url: {e}") from None
    return {
        "scheme": u.scheme,
        "host": u.host,
        "hostname": u.hostname(),
        "path": u.path,
        "query": u.raw_query,
        "opaque": u.opaque,
        "fragment": u.fragment,
        "userinfo": u.user.string() if u.user is not None else "",
    }


def _dict_get_or_empty(d: Mapping[str, Any], key: str) -> str:
    if key not in d:
        return ""
    value = d[key]
    if not isinstance(value, str):
        if value is None:
            raise GoFuncError(_NIL_DEREF)
        raise GoFuncError(f"unable to parse {key} key, must be of type string, but {kind_of(value)} found")
    return value


@reg("urlJoin", MAP, result=STR)
def _url_join(d: Mapping[str, Any] | None) -> str:
    from ..sprig_url import URL

    m = _map_arg(d)
    u = URL(
        scheme=_dict_get_or_empty(m, "scheme"),
        host=_dict_get_or_empty(m, "host"),
        path=_dict_get_or_empty(m, "path"),
        raw_query=_dict_get_or_empty(m, "query"),
        opaque=_dict_get_or_empty(m, "opaque"),
        fragment=_dict_get_or_empty(m, "fragment"),
    )
    userinfo = _dict_get_or_empty(m, "userinfo")
    if userinfo:
        try:
            u.user = parse_url(f"proto://{userinfo}@host").user
        except URLError as e:
            raise GoFuncError(f"unable to parse userinfo in dict: {e}") from None
    return u.string()

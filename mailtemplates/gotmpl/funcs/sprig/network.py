"""sprig v3.3.0 ``network.go``: getHostByName."""

from __future__ import annotations

import random
import socket

from .. import GoFuncError
from ._common import STR, reg


@reg("getHostByName", STR, result=STR)
def _get_host_by_name(name: str) -> str:
    try:
        infos = socket.getaddrinfo(name, None)
    except OSError:
        infos = []
    addrs = list(dict.fromkeys(str(i[4][0]) for i in infos))
    if not addrs:
        raise GoFuncError("invalid argument to Intn")
    return random.choice(addrs)

"""sprig v3.3.0 ``network.go``: getHostByName."""

from __future__ import annotations

from .. import GoFuncError
from ._common import STR, reg


@reg("getHostByName", STR, result=STR)
def _get_host_by_name(name: str) -> str:
    import random  # here: socket and random cost every process's start-up, few templates resolve
    import socket

    try:
        infos = socket.getaddrinfo(name, None)
    except OSError:
        infos = []
    addrs = list(dict.fromkeys(str(i[4][0]) for i in infos))
    if not addrs:
        raise GoFuncError("invalid argument to Intn")
    return random.choice(addrs)

"""A throwaway PostgreSQL server from Debian's packages, for the courier tests and benchmark.

``initdb`` refuses to run as root, so as root the cluster belongs to the unprivileged
``postgres`` account Debian creates (the temporary folder is given to it). The server listens on
a free loopback port with its socket in the same folder and is stopped (immediate mode) and
deleted at the end. ``./run test`` installs the packages when they are missing.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from courier_sink import free_port


def find_bindir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return os.path.dirname(found[-1]) if found else None


@dataclass
class PGServer:
    bindir: str
    datadir: str
    port: int

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextmanager
def pg_server(*, durable: bool = False) -> Iterator[PGServer]:
    """Start a server; ``durable=False`` turns fsync off (tests: speed; the data dies with them)."""
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (./run test installs it with apt-get)")
    root = tempfile.mkdtemp(prefix="mt-pg-")
    kw: dict[str, Any] = {}
    if os.getuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
        kw = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}
    datadir = os.path.join(root, "data")
    port = free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    try:
        subprocess.run(
            [f"{bindir}/initdb", "-D", datadir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"],
            check=True, capture_output=True, env=env, cwd=root, **kw,
        )
        opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=50"
        if not durable:
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(
            [f"{bindir}/pg_ctl", "-D", datadir, "-o", opts, "-l", os.path.join(root, "log"), "-w", "-t", "60", "start"],
            check=True, capture_output=True, env=env, cwd=root, **kw,
        )
    except subprocess.CalledProcessError as e:
        log = ""
        if os.path.exists(os.path.join(root, "log")):
            with open(os.path.join(root, "log")) as f:
                log = f.read()[-2000:]
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {e.stderr.decode(errors='replace')}\n{log}") from None
    try:
        yield PGServer(bindir, datadir, port)
    finally:
        subprocess.run(
            [f"{bindir}/pg_ctl", "-D", datadir, "-m", "immediate", "-w", "stop"],
            capture_output=True, env=env, cwd=root, **kw,
        )
        shutil.rmtree(root, ignore_errors=True)

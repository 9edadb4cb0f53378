"""A throwaway Virtuoso server for tests: loopback ports, a database in a temporary folder, stopped after.

Virtuoso comes from the Debian package ``virtuoso-opensource`` (binary ``virtuoso-t``). Its HTTP listener
serves the SPARQL endpoint at ``/sparql`` (anonymous, read), ``/sparql-auth`` (digest auth, updates) and the
Graph Store Protocol at ``/sparql-graph-crud-auth``. The dba account keeps its stock password ``dba``: the
server only listens on 127.0.0.1 and its database is deleted with the folder.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BINARY = "virtuoso-t"
USER = PASSWORD = "dba"
START_SECONDS = 60.0

_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 4000
MaxDirtyBuffers = 3000
ThreadsPerQuery = 2
DirsAllowed = {db}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
ServerThreads = 4
MaxClientConnections = 4
EnabledDavVSP = 0
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 400
"""


@dataclass
class Virtuoso:
    """A running server's URLs."""

    base: str
    log: Path

    @property
    def sparql(self) -> str:
        return f"{self.base}/sparql"

    @property
    def update(self) -> str:
        return f"{self.base}/sparql-auth"

    @property
    def graph_store(self) -> str:
        return f"{self.base}/sparql-graph-crud-auth"


def available() -> bool:
    return shutil.which(BINARY) is not None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def running(folder: Path) -> Iterator[Virtuoso]:
    """Start ``virtuoso-t`` with a fresh database in ``folder``; wait until SPARQL answers; stop it after."""
    db = folder / "db"
    db.mkdir(parents=True)
    http_port = _free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(_INI.format(db=db, sql_port=_free_port(), http_port=http_port))
    log = folder / "virtuoso.out"
    with log.open("wb") as out:
        proc = subprocess.Popen([BINARY, "+foreground", "+configfile", str(ini)], cwd=db,
                                stdout=out, stderr=subprocess.STDOUT)
    server = Virtuoso(f"http://127.0.0.1:{http_port}", log)
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _answers(server.sparql):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"virtuoso-t did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

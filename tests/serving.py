"""Start a real `kg serve` process on a free loopback port for a test."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Running:
    url: str  # http://127.0.0.1:PORT/
    port: int
    process: subprocess.Popen
    log: Path  # the server's stderr

    @property
    def endpoint(self) -> str:
        return self.url + "sparql"


@contextmanager
def serving(store: Path, *options: str, log: Path | None = None) -> Iterator[Running]:
    """`kg --store STORE serve --port 0 OPTIONS...`; its stderr goes to ``log`` (a file beside the store)."""
    log = log or store.with_name(store.name + "-serve.log")
    with log.open("w") as err:
        process = subprocess.Popen([sys.executable, "-m", "kg.cli", "--store", str(store), "serve", "--port", "0",
                                    *options], stderr=err, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (match := re.search(r"http://127\.0\.0\.1:(\d+)/", log.read_text())):
            assert process.poll() is None and time.monotonic() < deadline, f"kg serve did not start: " \
                                                                           f"{log.read_text()}"
            time.sleep(0.05)
        yield Running(match.group(0), int(match.group(1)), process, log)
    finally:
        process.terminate()
        process.wait(10)

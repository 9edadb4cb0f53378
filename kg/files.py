"""Writing files whole or not at all: the one home of atomic writes (exports, charts, the store's catalog copy).

A leaf module: it imports only the standard library and :mod:`kg.errors`.
"""

from __future__ import annotations

import os
from pathlib import Path

from kg.errors import InputError


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and one rename."""
    import tempfile

    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"cannot write {target}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and not exc.filename:  # say which file (disk full, read-only...)
            raise OSError(exc.errno, exc.strerror, str(target)) from exc
        raise
    return target

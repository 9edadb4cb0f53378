"""Exception classes. Every user-facing error is a KGError with a one-line message."""

import errno


class KGError(Exception):
    """Base class: a problem the user can fix; the CLI prints the message and exits 1."""


class NoStoreError(KGError):
    """No store exists where one was expected."""


class StoreBusyError(KGError):
    """Another kg process holds the store lock."""


class StoreError(KGError):
    """The store directory is unusable (read-only, not a store, corrupt)."""


class InputError(KGError):
    """An input file is malformed or unreadable (names the file, row or line)."""


class NotFoundError(KGError):
    """A person, role, source or query name matched nothing."""


class AmbiguousError(KGError):
    """A name matched several candidates."""

    def __init__(self, message: str, candidates: list | None = None) -> None:
        super().__init__(message)
        self.candidates = candidates or []


class QueryError(KGError):
    """A SPARQL query is malformed, refused, or timed out."""


class QueryRefused(QueryError):
    """A query asks for what is not allowed here (an update, federation)."""


class QueryTimeout(QueryError):
    """A query overran its time limit and was stopped (see :mod:`kg.querytime`)."""


def os_error_message(exc: OSError) -> str:
    """One line for an operating-system fault (disk full, read-only file system...), naming the file.

    >>> os_error_message(OSError(28, "No space left on device", "out.html"))[:53]
    'no space left on the device writing out.html: free so'
    """
    where = f" {exc.filename}" if exc.filename else ""
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return (f"no space left on the device writing{where}: free some space and run again (kg writes files "
                "whole or not at all; a load that fails leaves the store as it was)")
    if exc.errno == errno.EROFS:
        return f"read-only file system{(':' + where) if where else ''}: write somewhere else (--store, -o)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied{(':' + where) if where else ''}: check the file's and folder's permissions"
    if exc.errno == errno.EISDIR:
        return f"{where.strip() or 'a path'} is a folder where kg expected a file"
    return f"{exc.strerror or exc}{(':' + where) if where else ''}"

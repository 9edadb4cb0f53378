"""Exception classes. Every user-facing error is a KGError with a one-line message."""


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

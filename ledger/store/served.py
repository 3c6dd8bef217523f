"""A ledger kept open for a long time (the web view): is it still the database it was when opened?

A server reads its SQLite file for days. If that file is deleted, replaced (a new ledger copied over
it, `mv` of another file onto its name) or truncated meanwhile, connections opened before read the
old file and connections opened after read the new one: pages would mix two ledgers. So the file is
named once by its device and inode; every connection checks, once open, that the path still names
that file, and every request asks `check()` first. Once the file is gone the ledger stays gone until
the server is restarted. A corrupt file is gone too. On PostgreSQL a lost connection is only
unavailable: the pool drops the dead connection and the next request connects anew.
"""

from __future__ import annotations

import os

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from ledger.core.errors import LedgerError
from ledger.store.engine import Target

# What SQLite says of a file that is no longer a whole database (truncated, overwritten, not one).
_CORRUPT = ("malformed", "not a database", "disk i/o error", "file is not", "database corruption")


class Unavailable(LedgerError):
    """The ledger cannot be read now (HTTP 503). `lasting`: until the server is restarted."""

    def __init__(self, message: str, lasting: bool) -> None:
        super().__init__(message)
        self.lasting = lasting


def _identity(path: str) -> tuple[int, int, int] | None:
    """The file's device, inode and size: a ledger's file only grows (no VACUUM: nothing is deleted)."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino, found.st_size


class ServedDatabase:
    """Watches the database under an engine; `check()` raises Unavailable when it cannot be read."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # What reading may raise when the database fails: SQLAlchemy's wrapping, or the driver's own
        # (the head is read on the driver's connection, ledger.web.headers.HeadProbe).
        self.errors: tuple[type[Exception], ...] = (DBAPIError, engine.dialect.dbapi.Error)
        path = Target(engine.url.render_as_string(hide_password=False), "").sqlite_path
        self.path = path if path and path != ":memory:" else None
        self.gone: str | None = None
        if self.path is not None:
            self.identity = _identity(self.path)
            event.listen(engine, "connect", self._check_connection)

    def _moved(self) -> str | None:
        now = _identity(self.path)
        if now is None:
            return f"the ledger file {self.path} was removed after the server started"
        if now[:2] != self.identity[:2]:
            return f"the ledger file {self.path} was replaced by another file after the server started"
        if now[2] < self.identity[2]:
            return f"the ledger file {self.path} was truncated after the server started"
        return None

    def _check_connection(self, _dbapi_connection, _record) -> None:
        """A new connection reads the file first opened, or is refused: never a second ledger."""
        moved = self._moved()
        if moved is not None:
            raise self._lose(moved)

    def _lose(self, why: str) -> Unavailable:
        self.gone = self.gone or f"{why}; restart the server to serve the ledger now at that path"
        self.engine.dispose()  # the old file's connections are read no more
        return Unavailable(self.gone, lasting=True)

    def check(self) -> None:
        """Before a request is answered (a kept page too): the file is the one first opened."""
        if self.gone is not None:
            raise Unavailable(self.gone, lasting=True)
        if self.path is not None:
            moved = self._moved()
            if moved is not None:
                raise self._lose(moved)

    def failed(self, exc: Exception) -> Unavailable:
        """What a database error (one of `errors`) while reading means for the next requests."""
        said = str(getattr(exc, "orig", None) or exc)
        if self.path is not None:
            moved = self._moved()
            if moved is not None or any(word in said.lower() for word in _CORRUPT):
                return self._lose(moved or f"the ledger file {self.path} is damaged ({said[:80]})")
        return Unavailable("the ledger's database cannot be reached just now; try again shortly", lasting=False)

"""Setting the log's origin: the name its checkpoints carry and its signing key bears, set once."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ledger.core import limits, note
from ledger.core.errors import LedgerError
from ledger.projection import origin
from ledger.projection.record import record


def set_origin(session: Session, by: str, name: str) -> int:
    """Record the origin `name` (e.g. results.example.org/city-marathon); returns its entry's seq."""
    limits.text(name, "origin", "--origin")
    note.check_name(name, "--origin")
    found = origin.current(session)
    if found is not None:
        same = " (the same name)" if found.name == name else ""
        raise LedgerError(f"this ledger's origin is already {found.name!r}{same}, set by entry {found.seq}: "
                          "an origin is set once, since every checkpoint signed before names it")
    return record(session, origin.KIND, {"origin": name}, by)

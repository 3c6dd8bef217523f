"""The log's origin (its name in checkpoints), set once by an `origin` entry, and the ledger's
checkpoint: origin, tree size (the head's seq) and the Merkle root read from the stored nodes."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ledger.core import checkpoint, note
from ledger.core.errors import LedgerError
from ledger.core.models import LogOrigin
from ledger.journal import chain, tree

KIND = "origin"
UNSET = "this ledger has no origin yet; set it once with: raceledger checkpoint --origin NAME"


class Origin(NamedTuple):
    name: str
    seq: int  # the entry that set it


def origin_entry(session: Session, seq: int, body: dict[str, Any]) -> None:
    """Projection of an `origin` entry: a second one (in a journal from elsewhere) is refused."""
    found = current(session)
    if found is not None:
        raise LedgerError(f"journal entry {seq} sets the log's origin again (entry {found.seq} set it to "
                          f"{found.name!r}); it is set once")
    note.check_name(body["origin"], f"origin in journal entry {seq}")
    session.execute(insert(LogOrigin).values(seq=seq, name=body["origin"]))


def current(session: Session) -> Origin | None:
    row = session.execute(select(LogOrigin.name, LogOrigin.seq).order_by(LogOrigin.seq).limit(1)).first()
    return Origin(row.name, row.seq) if row else None


def required(session: Session) -> Origin:
    found = current(session)
    if found is None:
        raise LedgerError(UNSET)
    return found


def latest(session: Session, extensions: tuple[str, ...] = ()) -> checkpoint.Checkpoint:
    """The checkpoint of the ledger as it is: its origin, the head's seq and the tree's root."""
    origin = required(session)
    size = chain.head(session).seq
    return checkpoint.make(origin.name, size, tree.root(session, size), extensions)


def signed(session: Session, signer_key: str) -> str:
    """The latest checkpoint signed with the signer key text (refused unless it is named as the origin)."""
    return checkpoint.sign(latest(session), note.parse_signer(signer_key))

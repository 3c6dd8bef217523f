"""`prove`: one claim's proof (c2sp.org/tlog-proof@v1) under a signed checkpoint of this ledger: the
entry that recorded it (in `extra`, ledger.core.claim_proof), its inclusion path read from the stored
tree (O(log n) reads), and the checkpoint as given."""

from __future__ import annotations

import base64
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.core import checkpoint, note, tlog_proof
from ledger.core.claim_proof import MANY_ROWS, Entry, claim_of
from ledger.core.errors import LedgerError
from ledger.core.models import Claim, JournalEntry
from ledger.journal import chain, tree
from ledger.projection import origin as origins


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _entry(session: Session, claim_id: int) -> Entry:
    """The entry that recorded claim `claim_id`, refused when it holds many rows."""
    seq = session.execute(select(Claim.seq).where(Claim.id == claim_id)).scalar()
    if seq is None:
        raise LedgerError(f"no claim {claim_id}")
    row = session.execute(select(JournalEntry).where(JournalEntry.seq == seq)).scalar_one()
    if row.kind not in ("claim", "finish") or claim_of(row.kind, json.loads(row.body)) is None:
        raise LedgerError(f"claim {claim_id} was recorded by journal entry {seq} ({row.kind}): {MANY_ROWS}")
    return Entry(row.seq, row.kind, row.recorded_at, row.recorded_by, row.prev_hash, row.body)


def prove(session: Session, claim_id: int, signed_checkpoint: str) -> str:
    """The proof of claim `claim_id` under `signed_checkpoint` (a signed note of this ledger's, its
    signature not checked here: the reader checks it with the verifier key)."""
    given = checkpoint.parse(note.text_of(signed_checkpoint))
    origin = origins.required(session)
    if given.origin != origin.name:
        raise LedgerError(f"the checkpoint is of the log {given.origin!r}, not of this ledger ({origin.name!r})")
    entry = _entry(session, claim_id)
    if given.size < entry.seq:
        raise LedgerError(f"the checkpoint is older than claim {claim_id}: its tree holds {given.size} entries, "
                          f"and the claim was recorded by entry {entry.seq}; sign a newer one "
                          "(raceledger checkpoint --sign FILE)")
    size = chain.head(session).seq
    if given.size > size:
        raise LedgerError(f"the ledger does not extend that checkpoint: its tree holds {given.size} entries, this "
                          f"ledger {size}")
    root = tree.root(session, given.size)
    if root != given.root:
        raise LedgerError(f"the ledger does not extend that checkpoint: at tree size {given.size} its root is "
                          f"{_b64(root)}, the checkpoint's {_b64(given.root)}")
    path = tree.inclusion_proof(session, entry.seq, given.size)
    return tlog_proof.Proof(entry.seq - 1, tuple(path), signed_checkpoint, entry.extra()).text()

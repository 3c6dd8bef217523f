"""`prove`: one claim's proof (c2sp.org/tlog-proof@v1) under a signed checkpoint of this ledger: the
entry that recorded it (in `extra`, ledger.core.claim_proof), its inclusion path read from the stored
tree (O(log n) reads), and the checkpoint as given."""

from __future__ import annotations

import base64
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.core import checkpoint, merkle, note, tlog_proof
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


def _held(session: Session, given: checkpoint.Checkpoint) -> None:
    """Refused unless `given` is a checkpoint of this ledger as it is: its origin, a tree no larger,
    and this ledger's root at its size."""
    origin = origins.required(session)
    if given.origin != origin.name:
        raise LedgerError(f"the checkpoint is of the log {given.origin!r}, not of this ledger ({origin.name!r})")
    size = chain.head(session).seq
    if given.size > size:
        raise LedgerError(f"the ledger does not extend that checkpoint: its tree holds {given.size} entries, this "
                          f"ledger only {size}")
    root = tree.root(session, given.size) if given.size else merkle.EMPTY_ROOT
    if root != given.root:
        raise LedgerError(f"the ledger does not extend that checkpoint: at tree size {given.size} the checkpoint's "
                          f"root is {_b64(given.root)}, this ledger's {_b64(root)}")


def prove(session: Session, claim_id: int, signed_checkpoint: str) -> str:
    """The proof of claim `claim_id` under `signed_checkpoint` (a signed note of this ledger's, its
    signature not checked here: the reader checks it with the verifier key)."""
    given = checkpoint.parse(note.text_of(signed_checkpoint))
    entry = _entry(session, claim_id)
    if given.size < entry.seq:
        raise LedgerError(f"the checkpoint is older than claim {claim_id}: its tree holds {given.size} entries, "
                          f"and the claim was recorded by entry {entry.seq}; sign a newer one "
                          "(raceledger checkpoint --sign FILE)")
    _held(session, given)
    path = tree.inclusion_proof(session, entry.seq, given.size)
    return tlog_proof.Proof(entry.seq - 1, tuple(path), signed_checkpoint, entry.extra()).text()


def extension(session: Session, old_note: str, signer_key: str) -> str:
    """The ledger's checkpoint signed now, with the consistency proof from the older checkpoint
    `old_note` (c2sp.org/tlog-witness's add-checkpoint body); refused unless the ledger extends it."""
    old = checkpoint.parse(note.text_of(old_note))
    _held(session, old)
    new_note = origins.signed(session, signer_key)
    size = checkpoint.parse(note.text_of(new_note)).size
    hashes = tree.consistency_proof(session, old.size, size) if old.size else []
    return tlog_proof.Extension(old.size, tuple(hashes), new_note).text()


def extends(session: Session, old_note: str, verifier_key: str) -> checkpoint.Checkpoint:
    """The signed checkpoint `old_note`, opened with the verifier key, once this ledger is found to
    extend it (`verify --checkpoint`)."""
    old = checkpoint.open_signed(old_note, note.parse_verifier(verifier_key))
    _held(session, old)
    return old

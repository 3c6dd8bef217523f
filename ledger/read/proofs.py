"""`prove`: one claim's proof (c2sp.org/tlog-proof@v1) under a signed checkpoint of this ledger: the
entry that recorded it (in `extra`, ledger.core.claim_proof), its inclusion path read from the stored
tree (O(log n) reads), and the checkpoint as given. A row of an import or a finish file in the rows
form (ledger.core.row_tree) also gets its path to the entry's root over its rows, read from its
stored rows."""

from __future__ import annotations

import base64
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.core import checkpoint, merkle, note, row_tree, tlog_proof
from ledger.core.canonical import canonical_json
from ledger.core.claim_proof import MANY_ROWS, Entry, Row, claim_of
from ledger.core.errors import LedgerError
from ledger.core.models import Claim, JournalEntry
from ledger.journal import bodies, chain, tree
from ledger.projection import origin as origins


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _entry(session: Session, claim_id: int) -> tuple[Entry, Row | None]:
    """The entry that recorded claim `claim_id` and, for an import's row, the row; refused when the
    entry holds many rows and is not in the rows form."""
    seq = session.execute(select(Claim.seq).where(Claim.id == claim_id)).scalar()
    if seq is None:
        raise LedgerError(f"no claim {claim_id}")
    row = session.execute(select(JournalEntry).where(JournalEntry.seq == seq)).scalar_one()
    refused = f"claim {claim_id} was recorded by journal entry {seq} ({row.kind}): {MANY_ROWS}"
    if row.kind == "import":
        return _imported(session, row, claim_id, refused)
    body = json.loads(row.body) if row.kind in ("claim", "finish") else None
    if row.kind == "finish" and body.get(row_tree.FORM_KEY) == row_tree.FORM:
        return _finished(row, body, claim_id)
    if body is None or claim_of(row.kind, body) is None:
        raise LedgerError(refused)
    return Entry(row.seq, row.kind, row.recorded_at, row.recorded_by, row.prev_hash, row.body), None


def _finished(row: JournalEntry, body: dict, claim_id: int) -> tuple[Entry, Row]:
    """A finish file's hashed text and its claim `claim_id` (a row of its `claims`)."""
    texts = [canonical_json(claim) for claim in body["claims"]]
    index = next(n for n, claim in enumerate(body["claims"]) if claim["id"] == claim_id)
    hashed = row_tree.inline_hashed(body, row_tree.INLINE_ROWS[row.kind])
    entry = Entry(row.seq, row.kind, row.recorded_at, row.recorded_by, row.prev_hash, hashed)
    return entry, Row(index, texts[index], tuple(row_tree.path(texts, index)))


def _imported(session: Session, row: JournalEntry, claim_id: int, refused: str) -> tuple[Entry, Row]:
    """An import's hashed text and its row recording claim `claim_id` (the header's first claim id
    plus the row's index), its rows read whole once for the path."""
    body = bodies.RowsBody(chain.body_pieces(session, row.seq, row.body), f"entry {row.seq}")
    if body.header.get(row_tree.FORM_KEY) != row_tree.FORM:
        raise LedgerError(refused)
    texts = [text for _, rows in body.segments() for text in bodies.row_texts(rows)]
    root = row_tree.RowsRoot()
    root.add(texts)
    hashed = row_tree.hashed_text(body.header_text(), root.count, root.root(), canonical_json(body.summary))
    index = claim_id - body.header["first_claim_id"]
    entry = Entry(row.seq, row.kind, row.recorded_at, row.recorded_by, row.prev_hash, hashed)
    return entry, Row(index, texts[index], tuple(row_tree.path(texts, index)))


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
    entry, row = _entry(session, claim_id)
    if given.size < entry.seq:
        raise LedgerError(f"the checkpoint is older than claim {claim_id}: its tree holds {given.size} entries, "
                          f"and the claim was recorded by entry {entry.seq}; sign a newer one "
                          "(raceledger checkpoint --sign FILE)")
    _held(session, given)
    path = tree.inclusion_proof(session, entry.seq, given.size)
    return tlog_proof.Proof(entry.seq - 1, tuple(path), signed_checkpoint, entry.extra(row)).text()


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

"""A newer checkpoint's consistency proof (c2sp.org/tlog-witness's add-checkpoint body) checked
offline against an older checkpoint: both signed by the log's key, the same log, and the RFC 6962
proof that the newer tree extends the older one. Pure, as ledger.core.claim_proof."""

from __future__ import annotations

from ledger.core import checkpoint, merkle, note, tlog_proof
from ledger.core.errors import LedgerError


def check(message: str | bytes, old_note: str, verifier_key: str) -> tuple[checkpoint.Checkpoint,
                                                                           checkpoint.Checkpoint]:
    """(the older checkpoint, the newer one) once the proof shows the newer extends the older;
    refused (LedgerError naming what failed) otherwise."""
    verifier = note.parse_verifier(verifier_key)
    extension = tlog_proof.parse_extension(message)
    new = checkpoint.open_signed(extension.checkpoint, verifier)
    old = checkpoint.open_signed(old_note, verifier)
    if extension.old != old.size:
        raise LedgerError(f"the proof is from a tree of {extension.old} entries; the older checkpoint's tree holds "
                          f"{old.size}")
    if old.size > new.size:
        raise LedgerError(f"the newer checkpoint's tree holds {new.size} entries, fewer than the older one's "
                          f"{old.size}")
    consistent = (not extension.hashes if old.size == 0 else
                  merkle.verify_consistency(old.size, new.size, old.root, new.root, extension.hashes))
    if not consistent:
        raise LedgerError(f"the consistency proof does not show that the tree of {new.size} entries extends the tree "
                          f"of {old.size} entries: the log's history was changed, or the proof was")
    return old, new

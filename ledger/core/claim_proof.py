"""A claim's proof: the journal entry that recorded it, carried in a tlog-proof's `extra`, and the
offline check of such a proof. Pure: no database, no network, no file (`verify-proof` imports no
SQLAlchemy).

`extra` is the canonical JSON of the entry's fields that its entry_hash is computed over (seq, kind,
recorded_at, recorded_by, prev_hash, and the canonical body text itself): the checker recomputes
the entry_hash (ledger.core.canonical.chain_hash), hence the leaf, and follows the inclusion path to
the signed checkpoint's root. Only entries recording one claim alone can be proven so: a `claim`,
or a `finish` entry of one line (`finish --live`). Entries holding many rows (imports, finish files,
supersedes) would need the whole body; a root over their rows is still to come (issue 26).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from ledger.core import checkpoint, merkle, note, tlog_proof
from ledger.core.canonical import canonical_json, chain_hash, sha256_hex
from ledger.core.errors import LedgerError

_HEX64 = frozenset("0123456789abcdef")
MANY_ROWS = ("an entry holding many rows (an import, a finish file, a supersede) cannot give a proof of one "
             "row yet: that needs the entry form with a root over its rows, still to come")


@dataclass(frozen=True)
class Entry:
    """The fields of a journal entry its entry_hash is computed over."""

    seq: int
    kind: str
    recorded_at: str
    recorded_by: str
    prev_hash: str
    body: str  # the canonical body text

    def extra(self) -> bytes:
        return canonical_json(asdict(self)).encode()

    def entry_hash(self) -> str:
        return chain_hash(self.prev_hash, self.seq, self.kind, self.recorded_at, self.recorded_by,
                          sha256_hex(self.body))


def claim_of(kind: str, body: dict[str, Any]) -> dict[str, Any] | None:
    """The one claim an entry records alone, with its category and source; None for an entry of many
    rows (or none)."""
    if kind == "claim":
        return body
    if kind == "finish" and len(body.get("claims", ())) == 1 and "withdraws" not in body:
        return {**body["claims"][0], "category": body["category"], "source": body["source"]}
    return None


def entry_of(extra: bytes) -> Entry:
    """The entry a proof's extra carries, refused unless it is in the one form `prove` writes."""
    what = "the proof's extra is not a journal entry as raceledger prove writes it"
    try:
        fields = json.loads(extra.decode("utf-8"))
        entry = Entry(**fields)
    except (UnicodeDecodeError, ValueError, TypeError):
        raise LedgerError(what) from None
    if (not isinstance(entry.seq, int) or isinstance(entry.seq, bool) or entry.seq < 1
            or not all(isinstance(v, str) for v in (entry.kind, entry.recorded_at, entry.recorded_by, entry.body))
            or not (isinstance(entry.prev_hash, str) and len(entry.prev_hash) == 64 and set(entry.prev_hash) <= _HEX64)
            or entry.extra() != extra):
        raise LedgerError(f"{what} (its fields or their canonical JSON)")
    return entry


@dataclass(frozen=True)
class Proven:
    """What a proof that checked shows: the entry, the claim it records, the checkpoint it is under."""

    entry: Entry
    claim: dict[str, Any]
    checkpoint: checkpoint.Checkpoint


def check(message: str | bytes, verifier_key: str) -> Proven:
    """A proof checked offline against the log's verifier key: its form, the checkpoint's signature,
    the entry's hash recomputed from `extra`, and the inclusion path to the checkpoint's root.
    Refused (LedgerError naming what failed) on the first that does not hold."""
    verifier = note.parse_verifier(verifier_key)
    proof = tlog_proof.parse(message)
    signed = checkpoint.open_signed(proof.checkpoint, verifier)
    if proof.extra is None:
        raise LedgerError("the proof has no extra line: raceledger needs the journal entry it proves")
    entry = entry_of(proof.extra)
    if entry.seq != proof.index + 1:
        raise LedgerError(f"the proof's index {proof.index} is not the leaf of journal entry {entry.seq}, "
                          f"which its extra carries (the leaf of entry N is N - 1)")
    if proof.index >= signed.size:
        raise LedgerError(f"journal entry {entry.seq} is not in the checkpoint's tree of {signed.size} entries")
    entry_hash = entry.entry_hash()
    if not merkle.verify_inclusion(proof.index, signed.size, merkle.entry_leaf(entry_hash), proof.hashes,
                                   signed.root):
        raise LedgerError(f"the inclusion path does not lead from journal entry {entry.seq} (entry_hash "
                          f"{entry_hash[:12]}..., recomputed from the proof's extra) to the checkpoint's root at "
                          f"tree size {signed.size}: the entry or the path was changed")
    try:
        body = json.loads(entry.body)
        claim = claim_of(entry.kind, body) if isinstance(body, dict) else None
    except ValueError:
        claim = None
    if claim is None:
        raise LedgerError(f"journal entry {entry.seq} ({entry.kind}) is in the log, but it records no single claim "
                          "this proof could state")
    return Proven(entry, claim, signed)

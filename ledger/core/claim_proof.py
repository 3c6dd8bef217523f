"""A claim's proof: the journal entry that recorded it, carried in a tlog-proof's `extra`, and the
offline check of such a proof. Pure: no database, no network, no file (`verify-proof` imports no
SQLAlchemy).

`extra` is the canonical JSON of the entry's fields that its entry_hash is computed over (seq, kind,
recorded_at, recorded_by, prev_hash, and the canonical body text itself): the checker recomputes
the entry_hash (ledger.core.canonical.chain_hash), hence the leaf, and follows the inclusion path to
the signed checkpoint's root. An entry recording one claim alone (a `claim`, a `finish --live`
line) is proven so. A row of an import or a finish file in the rows form (ledger.core.row_tree) is
proven at a second level: `extra` carries the entry's hashed text (its header, and the count and
root of its rows) and a `row` (its index, its canonical JSON and its path to that root), never the
other rows. Older imports and finish files were hashed over their whole bodies: no row proof.
"""

import base64
import json
from typing import Any, NamedTuple

from ledger.core import checkpoint, merkle, note, row_tree, tlog_proof
from ledger.core.canonical import canonical_json, chain_hash, sha256_hex
from ledger.core.errors import LedgerError
from ledger.core.note import canonical_unbase64

_HEX64 = frozenset("0123456789abcdef")
MANY_ROWS = ("it holds many rows and its hash covers its whole body, not a root over its rows (the rows form "
             "imports and finish files are now recorded in), so it cannot give a proof of one row")


class Entry(NamedTuple):
    """The fields of a journal entry its entry_hash is computed over."""

    seq: int
    kind: str
    recorded_at: str
    recorded_by: str
    prev_hash: str
    body: str  # the canonical body text

    def extra(self, row: "Row | None" = None) -> bytes:
        fields: dict[str, Any] = self._asdict()
        if row is not None:
            fields["row"] = row.fields()
        return canonical_json(fields).encode()

    def entry_hash(self) -> str:
        return chain_hash(self.prev_hash, self.seq, self.kind, self.recorded_at, self.recorded_by,
                          sha256_hex(self.body))


class Row(NamedTuple):
    """One row of an entry in the rows form: its index, its canonical JSON, its path to the rows' root."""

    index: int
    text: str
    path: tuple[bytes, ...]

    def fields(self) -> dict[str, Any]:
        return {"index": self.index, "path": [base64.b64encode(h).decode("ascii") for h in self.path],
                "text": self.text}


def _row_of(fields: Any) -> Row | None:
    """The `row` of an extra, or None when it is not one as prove writes it."""
    if (not isinstance(fields, dict) or sorted(fields) != ["index", "path", "text"]
            or not isinstance(fields["index"], int) or isinstance(fields["index"], bool) or fields["index"] < 0
            or not isinstance(fields["text"], str) or not isinstance(fields["path"], list)
            or not all(isinstance(h, str) for h in fields["path"])):
        return None
    path = [canonical_unbase64(h) for h in fields["path"]]
    if any(h is None or len(h) != merkle.HASH_SIZE for h in path):
        return None
    return Row(fields["index"], fields["text"], tuple(path))


def claim_of(kind: str, body: dict[str, Any]) -> dict[str, Any] | None:
    """The one claim an entry records alone, with its category and source; None for an entry of many
    rows (or none)."""
    if kind == "claim":
        return body
    if (kind == "finish" and isinstance(body.get("claims"), list) and len(body["claims"]) == 1
            and "withdraws" not in body and row_tree.FORM_KEY not in body):
        return {**body["claims"][0], "category": body["category"], "source": body["source"]}
    return None


def entry_of(extra: bytes) -> tuple[Entry, Row | None]:
    """The entry a proof's extra carries, and the row of it for a row's proof, refused unless they
    are in the forms `prove` writes."""
    what = "the proof's extra is not a journal entry as raceledger prove writes it"
    try:
        fields = json.loads(extra.decode("utf-8"))
        given = fields.pop("row") if isinstance(fields, dict) and "row" in fields else None
        entry = Entry(**fields)
    except (UnicodeDecodeError, ValueError, TypeError, RecursionError):
        raise LedgerError(what) from None
    row = _row_of(given) if given is not None else None
    if (not isinstance(entry.seq, int) or isinstance(entry.seq, bool) or entry.seq < 1
            or not all(isinstance(v, str) for v in (entry.kind, entry.recorded_at, entry.recorded_by, entry.body))
            or not (isinstance(entry.prev_hash, str) and len(entry.prev_hash) == 64 and set(entry.prev_hash) <= _HEX64)
            or (given is not None and row is None) or entry.extra(row) != extra):
        raise LedgerError(f"{what} (its fields or their canonical JSON)")
    return entry, row


def imported(header: dict[str, Any], index: int, row: list[Any]) -> dict[str, Any]:
    """The claim an import's row `index` records, in the words of its entry (its header's columns)."""
    values = dict(zip(header["columns"], row, strict=True))
    claim = {"id": header["first_claim_id"] + index, "via": header.get("via"),
             "category": header["categories"][values["category"]]["slug"] if "category" in values
             else header["category"],
             "source": header["sources"][values["source"]] if "source" in values else header["source"],
             "unnamed" if values["athlete"] is None else "as_written": values["name"],
             "status_note": values["note"]}
    claim.update((name, values[name]) for name in ("bib", "position", "time_ms", "time_decimals", "net_time_ms",
                                                    "net_time_decimals", "status"))
    return {name: value for name, value in claim.items() if value is not None}


def _row_claim(entry: Entry, row: Row) -> dict[str, Any]:
    """The claim of a row's proof, once the row's path leads to the root its entry's hashed text holds:
    an import's rows are under `rows` (the mark in its header), a finish file's under `claims`."""
    try:
        body = json.loads(entry.body)
        header, rows = (body["header"], body["rows"]) if entry.kind == "import" else (body, body["claims"])
        count, root = rows["count"], bytes.fromhex(rows["root"])
        if not isinstance(header, dict) or count.__class__ is not int:
            raise TypeError
    except (ValueError, TypeError, KeyError, RecursionError):
        raise LedgerError(f"journal entry {entry.seq} ({entry.kind}) is in the log, but it is not in the rows form a "
                          "row's proof needs") from None
    if entry.kind not in ("import", "finish") or header.get(row_tree.FORM_KEY) != row_tree.FORM:
        raise LedgerError(f"journal entry {entry.seq} ({entry.kind}) is in the log, but it is not an import or a "
                          "finish file in the rows form a row's proof needs")
    if not row_tree.holds(row.text, row.index, count, row.path, root):
        raise LedgerError(f"the row's path does not lead from row {row.index} of journal entry {entry.seq} to the root "
                          f"over its {count} rows that the entry's hashed text holds: the row or its path was changed")
    try:
        values = json.loads(row.text)
        if entry.kind == "import":
            return imported(header, row.index, values)
        return {**values, "category": body["category"], "source": body["source"]}
    except (ValueError, TypeError, KeyError, IndexError, RecursionError):
        raise LedgerError(f"row {row.index} of journal entry {entry.seq} is in the entry, but it is not a row "
                          "this proof could state") from None


class Proven(NamedTuple):
    """What a proof that checked shows: the entry, the claim it records, the checkpoint it is under,
    and the row of the entry that records the claim (a row's proof)."""

    entry: Entry
    claim: dict[str, Any]
    checkpoint: checkpoint.Checkpoint
    row: Row | None = None


def check(message: str | bytes, verifier_key: str) -> Proven:
    """A proof checked offline against the log's verifier key: its form, the checkpoint's signature,
    the entry's hash recomputed from `extra`, and the inclusion path to the checkpoint's root.
    Refused (LedgerError naming what failed) on the first that does not hold."""
    verifier = note.parse_verifier(verifier_key)
    proof = tlog_proof.parse(message)
    return holds(proof, checkpoint.open_signed(proof.checkpoint, verifier))


def holds(proof: tlog_proof.Proof, signed: checkpoint.Checkpoint) -> Proven:
    """`check` once the checkpoint is opened (or, for `prove` checking what it prints, parsed): the
    entry's hash recomputed from `extra`, the inclusion path, and for a row its path to the entry's root."""
    if proof.extra is None:
        raise LedgerError("the proof has no extra line: raceledger needs the journal entry it proves")
    entry, row = entry_of(proof.extra)
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
    if row is not None:
        return Proven(entry, _row_claim(entry, row), signed, row)
    try:
        body = json.loads(entry.body)
        claim = claim_of(entry.kind, body) if isinstance(body, dict) else None
    except (ValueError, RecursionError):
        claim = None
    if claim is None:
        raise LedgerError(f"journal entry {entry.seq} ({entry.kind}) is in the log, but it records no single claim "
                          "this proof could state")
    return Proven(entry, claim, signed)

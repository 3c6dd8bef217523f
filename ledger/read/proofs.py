"""`prove`: one claim's proof (c2sp.org/tlog-proof@v1) under a signed checkpoint of this ledger: the
entry that recorded it (in `extra`, ledger.core.claim_proof), its inclusion path read from the stored
tree (O(log n) reads), and the checkpoint as given. A row of an import or a finish file in the rows
form (ledger.core.row_tree) also gets its path to the entry's root over its rows, read from its
stored rows. What `serve` and `report` publish beside their pages (a checkpoint, each claim's proof
or why it has none) is a Publication."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any, Callable, NamedTuple

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from ledger.core import checkpoint, claim_proof, limits, merkle, note, row_tree, tlog_proof
from ledger.core.canonical import canonical_json
from ledger.core.checkpoint import entries
from ledger.core.claim_proof import MANY_ROWS, Entry, Row, claim_of
from ledger.core.errors import LedgerError
from ledger.core.models import Claim, JournalEntry
from ledger.journal import bodies, chain, tree
from ledger.projection import origin as origins


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# Entries of many rows a Prover keeps hashed: each its rows' texts and the hashes over them (about
# 200 bytes a row); a site's proofs of a category's rows go through its few sources' imports in turn.
ROW_TREES_KEPT = 2
# Entries whose form a Prover remembers, so a claim page says at once whether a proof can be given.
FORMS_KEPT = 100_000


class _RowTree(NamedTuple):
    """An entry of many rows in the rows form, hashed once: its fields as its hash covers them (its
    header, and the count and root of its rows), its rows' texts, and a node function over them."""

    entry: Entry
    texts: list[str]
    node: merkle.Node
    index: Callable[[int], int]  # a claim id of the entry: its row's index

    def row(self, claim_id: int) -> Row:
        index = self.index(claim_id)
        return Row(index, self.texts[index], tuple(merkle.inclusion_proof(index, len(self.texts), self.node)))


def _tree(texts: list[str], entry: Callable[[bytes], Entry], index: Callable[[int], int]) -> _RowTree:
    node = merkle.levels_node([row_tree.leaf(text) for text in texts])
    root = merkle.root(len(texts), node)
    return _RowTree(entry(root), texts, node, index)


class _Recorded(NamedTuple):
    """A journal entry's fields but its body, which may be large (read when needed: `_body`)."""

    seq: int
    kind: str
    recorded_at: str
    recorded_by: str
    prev_hash: str


def _body(session: Session, seq: int) -> str | None:
    """The entry's `journal.body` column (NULL for a body kept in pieces: chain.body_pieces)."""
    return session.execute(select(JournalEntry.body).where(JournalEntry.seq == seq)).scalar()


def _finished(row: _Recorded, body: dict) -> _RowTree:
    """A finish file's hashed text and its rows (its `claims`)."""
    texts = [canonical_json(claim) for claim in body["claims"]]
    indexes = {claim["id"]: n for n, claim in enumerate(body["claims"])}
    return _tree(texts, lambda root: Entry(
        row.seq, row.kind, row.recorded_at, row.recorded_by, row.prev_hash,
        row_tree.inline_text(body, row_tree.INLINE_ROWS[row.kind], len(texts), root)), indexes.__getitem__)


def _imported(session: Session, row: _Recorded) -> _RowTree:
    """An import's hashed text and its rows, read whole once; a claim's row is the claim's id less
    the header's first claim id."""
    body = bodies.RowsBody(chain.body_pieces(session, row.seq, _body(session, row.seq)), f"entry {row.seq}")
    texts = [text for _, rows in body.segments() for text in bodies.row_texts(rows)]
    first = body.header["first_claim_id"]
    return _tree(texts, lambda root: Entry(
        row.seq, row.kind, row.recorded_at, row.recorded_by, row.prev_hash,
        row_tree.hashed_text(body.header_text(), len(texts), root, canonical_json(body.summary))),
        lambda claim_id: claim_id - first)


# How an entry that records claims proves one: by itself (it records one claim alone), by a row's
# path to the root over its rows (the rows form), or not at all (many rows, hashed whole).
ALONE, ROWS, WHOLE = "alone", "rows", "whole"


def _form(session: Session, row: _Recorded) -> str:
    """ALONE, ROWS or WHOLE, from the entry's kind and its header: an import's header is read from
    its body's first piece, never its rows."""
    if row.kind == "import":
        header = bodies.RowsBody(chain.body_pieces(session, row.seq, _body(session, row.seq)), f"entry {row.seq}").header
        return ROWS if header.get(row_tree.FORM_KEY) == row_tree.FORM else WHOLE
    if row.kind != "finish":
        return ALONE
    body = json.loads(_body(session, row.seq))
    return ROWS if body.get(row_tree.FORM_KEY) == row_tree.FORM else ALONE if claim_of(row.kind, body) else WHOLE


@functools.cache
def _recorded_query() -> Select:
    """The fields but the body of the entry that recorded a claim (`claim_id`), built once."""
    return (select(*(getattr(JournalEntry, name) for name in _Recorded._fields))
            .join(Claim, Claim.seq == JournalEntry.seq).where(Claim.id == bindparam("claim_id")))


def unprovable(claim_id: int, row: _Recorded, form: str) -> str | None:
    """Why no checkpoint can give claim `claim_id` a proof, from its entry's form; None when one can."""
    return f"claim {claim_id} was recorded by journal entry {row.seq} ({row.kind}): {MANY_ROWS}" if form == WHOLE else None


class Prover:
    """Claims' proofs, an entry of many rows read and hashed once for all the rows of it proven in
    turn (the last ROW_TREES_KEPT kept): one `prove`, or every proof a site publishes. Safe to share
    between threads (a server's): what it keeps is made from entries, which never change."""

    def __init__(self) -> None:
        self._trees: OrderedDict[int, _RowTree] = OrderedDict()
        self._forms: OrderedDict[int, str] = OrderedDict()
        self._lock = threading.Lock()

    def _kept(self, kept: OrderedDict, seq: int, make: Callable[[], Any], most: int) -> Any:
        with self._lock:
            if seq in kept:
                kept.move_to_end(seq)
                return kept[seq]
        made = make()  # outside the lock: another thread may make the same, which is the same
        with self._lock:
            kept[seq] = made
            while len(kept) > most:
                kept.popitem(last=False)
        return made

    def recorded(self, session: Session, claim_id: int) -> tuple[_Recorded, str]:
        """The entry that recorded claim `claim_id`, and its form (kept: entries never change)."""
        found = session.execute(_recorded_query(), {"claim_id": limits.whole(claim_id, "id", "claim id")}).first()
        if found is None:
            raise LedgerError(f"no claim {claim_id}")
        row = _Recorded(*found)
        if row.kind not in ("import", "finish"):
            return row, ALONE
        return row, self._kept(self._forms, row.seq, lambda: _form(session, row), FORMS_KEPT)

    def entry(self, session: Session, claim_id: int,
              recorded: tuple[_Recorded, str] | None = None) -> tuple[Entry, Row | None]:
        """The entry that recorded claim `claim_id` (`recorded`, if read already) and, for a row of
        an entry of many rows, the row; refused when the entry holds many rows and is not in the rows form."""
        row, form = recorded or self.recorded(session, claim_id)
        why_not = unprovable(claim_id, row, form)
        if why_not is not None:
            raise LedgerError(why_not)
        if form == ALONE:
            return Entry(*row, _body(session, row.seq)), None
        make = ((lambda: _imported(session, row)) if row.kind == "import"
                else lambda: _finished(row, json.loads(_body(session, row.seq))))
        tree = self._kept(self._trees, row.seq, make, ROW_TREES_KEPT)
        return tree.entry, tree.row(claim_id)

    def prove(self, session: Session, claim_id: int, signed_checkpoint: str, held: bool = False,
              recorded: tuple[_Recorded, str] | None = None) -> str:
        """The proof of claim `claim_id` under `signed_checkpoint` (a signed note of this ledger's, its
        signature not checked here: the reader checks it with the verifier key); `held`: the
        checkpoint is known to be this ledger's already (Publication.opened checked it)."""
        given = checkpoint.parse(note.text_of(signed_checkpoint))
        if not held:
            _held(session, given)
        entry, row = self.entry(session, claim_id, recorded)
        if given.size < entry.seq:
            raise LedgerError(f"the checkpoint is older than claim {claim_id}: its tree holds {entries(given.size)}, "
                              f"and the claim was recorded by entry {entry.seq}; sign a newer one "
                              "(raceledger checkpoint --sign FILE)")
        path = tree.inclusion_proof(session, entry.seq, given.size)
        proof = tlog_proof.Proof(entry.seq - 1, tuple(path), signed_checkpoint, entry.extra(row))
        try:  # what a reader will check, checked before it is given: stored data can be damaged
            claim_proof.holds(proof, given)
        except LedgerError as failed:
            raise LedgerError(f"this ledger's stored journal or tree does not prove claim {claim_id} ({failed}); "
                              "nothing is printed: run raceledger verify") from None
        return proof.text()


def _held(session: Session, given: checkpoint.Checkpoint) -> None:
    """Refused unless `given` is a checkpoint of this ledger as it is: its origin, a tree no larger,
    and this ledger's root at its size."""
    origin = origins.required(session)
    if given.origin != origin.name:
        raise LedgerError(f"the checkpoint is of the log {given.origin!r}, not of this ledger ({origin.name!r})")
    size = chain.head(session).seq
    if given.size > size:
        raise LedgerError(f"the ledger does not extend that checkpoint: its tree holds {entries(given.size)}, this "
                          f"ledger only {size}")
    root = tree.root(session, given.size) if given.size else merkle.EMPTY_ROOT
    if root != given.root:
        raise LedgerError(f"the ledger does not extend that checkpoint: at tree size {given.size} the checkpoint's "
                          f"root is {_b64(given.root)}, this ledger's {_b64(root)}")


def prove(session: Session, claim_id: int, signed_checkpoint: str) -> str:
    """The proof of claim `claim_id` under `signed_checkpoint` (`raceledger prove`)."""
    return Prover().prove(session, claim_id, signed_checkpoint)


def extension(session: Session, old_note: str, signer_key: str) -> str:
    """The ledger's checkpoint signed now, with the consistency proof from the older checkpoint
    `old_note` (c2sp.org/tlog-witness's add-checkpoint body); refused unless `old_note` is signed by
    this key (a witness checks that too) and the ledger extends it."""
    old = checkpoint.open_signed(old_note, note.parse_signer(signer_key).verifier)
    _held(session, old)
    new_note = origins.signed(session, signer_key)
    size = checkpoint.parse(note.text_of(new_note)).size
    hashes = tree.consistency_proof(session, old.size, size) if old.size else []
    return tlog_proof.Extension(old.size, tuple(hashes), new_note).text()


def extends(session: Session, old: checkpoint.Checkpoint) -> str | None:
    """Why this ledger does not extend the (opened) checkpoint `old`, or None when it does
    (`verify --checkpoint`: a finding, as a changed entry is, not a refusal)."""
    try:
        _held(session, old)
    except LedgerError as failed:
        return str(failed)
    return None


class Publication:
    """The checkpoint and proofs a site publishes beside its pages (`serve` and `report` given
    --sign KEYFILE or --checkpoint NOTE_FILE). With a signer key, the checkpoint is the ledger's as
    a page reads it, signed then, so every claim in a page has a proof; with a signed checkpoint,
    it is that one, and a claim recorded after it has none. Either way a claim whose entry holds
    many rows hashed whole (recorded before the rows form) has none, and its page says why."""

    def __init__(self, signer_key: str | None = None, signed_checkpoint: str | None = None) -> None:
        if (signer_key is None) == (signed_checkpoint is None):
            raise ValueError("a publication is signed with a key or under a checkpoint given, one of them")
        self.signer = None if signer_key is None else note.parse_signer(signer_key)
        self.given = signed_checkpoint
        self.given_size = None if signed_checkpoint is None else checkpoint.parse(note.text_of(signed_checkpoint)).size
        self.prover = Prover()
        # What a page shows of the publication, for a cache of pages by ledger state to tell servers apart.
        self.salt = (f"proofs signed by {self.signer.name}+{self.signer.hash:08x}" if self.signer is not None
                     else f"proofs under the checkpoint {hashlib.sha256(signed_checkpoint.encode()).hexdigest()}")

    def opened(self, session: Session) -> Publication:
        """This publication, once found to fit the ledger: refused (LedgerError) when the ledger has no
        origin, the key is not named as it, or the checkpoint given is not one of this ledger's."""
        if self.given is None:
            self.checkpoint(session)
        else:
            _held(session, checkpoint.parse(note.text_of(self.given)))
        return self

    def checkpoint(self, session: Session) -> str:
        """The signed checkpoint published, as of the session's snapshot."""
        return self.given if self.signer is None else checkpoint.sign(origins.latest(session), self.signer)

    def _why_not(self, claim_id: int, row: _Recorded, form: str) -> str | None:
        never = unprovable(claim_id, row, form)
        if never is None and self.given_size is not None and row.seq > self.given_size:
            return (f"claim {claim_id} was recorded by journal entry {row.seq}, after the checkpoint published here "
                    f"(tree size {self.given_size}); a newer checkpoint will hold it")
        return never

    def why_not(self, session: Session, claim_id: int) -> str | None:
        """Why claim `claim_id` has no proof here, or None when it has one; reads no rows."""
        return self._why_not(claim_id, *self.prover.recorded(session, claim_id))

    def proof(self, session: Session, claim_id: int) -> str:
        """Claim `claim_id`'s proof (c2sp.org/tlog-proof@v1) under the checkpoint published: the
        ledger's own, or one `opened` found it extends (the ledger only grows)."""
        return self.prover.prove(session, claim_id, self.checkpoint(session), held=True)

    def proof_or_why_not(self, session: Session, claim_id: int, published: str) -> tuple[str | None, str | None]:
        """The claim's proof under `published` (the checkpoint, made already), or why there is none:
        the entry read once for both (a static site's claim pages)."""
        recorded = self.prover.recorded(session, claim_id)
        why_not = self._why_not(claim_id, *recorded)
        if why_not is not None:
            return None, why_not
        return self.prover.prove(session, claim_id, published, held=True, recorded=recorded), None

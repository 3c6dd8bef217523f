"""One claim whole, as `raceledger claim show ID` and the web's `/claims/ID` show it: its fields as a
report's JSON has them, the placing it belongs to (with its verdict, its lines of evidence and the
claims beside it), every ruling on that placing or on its athlete's status, its retraction, and the
journal entries that recorded them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.core import models
from ledger.core.errors import LedgerError
from ledger.core.models import Athlete, Category, Claim, JournalEntry
from ledger.core.names import name_key
from ledger.core.views import ClaimView, RulingView
from ledger.projection import lookup
from ledger.read import claims
from ledger.read.reports import ClaimReport, claim_json, placing_fields
from ledger.read.rulings import load_rulings
from ledger.read.verdicts import DEFAULT_TOLERANCE_MS, Lines, Rulings, find_disputes, placing_groups

_AT_ONCE = 5_000


def rulings_on(claim: ClaimView, rulings: Iterable[RulingView]) -> list[dict[str, Any]]:
    """Every ruling (superseded ones included, oldest first) on the claim's placing or its athlete's status."""
    return [r.to_json() for r in rulings
            if (r.on_placing and claim.position is not None and r.position == claim.position)
            or (not r.on_placing and claim.athlete_id is not None and r.athlete_id == claim.athlete_id)]


def assemble(claim: ClaimView, seq: int, placing: dict[str, Any], all_rulings: list[RulingView],
             rulings: Rulings, recorded: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The claim's JSON from parts already read: `placing` is its placing as `results --all` lists it,
    `all_rulings` every ruling of its category (superseded ones included), `recorded` the journal
    entries (`entries`) of its seq and of its retraction."""
    retraction = None
    if claim.retracted_seq is not None:
        retraction = {"reason": claim.retraction_reason, "entry": recorded[claim.retracted_seq]}
    return {"category": claim.category, **claim_json(claim, rulings), "verdict": placing["verdict"],
            "placing": placing, "rulings": rulings_on(claim, all_rulings), "retraction": retraction,
            "recorded": recorded[seq]}


def entries(session: Session, seqs: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Journal entries by seq: what proves when and by whom something was recorded."""
    found: dict[int, dict[str, Any]] = {}
    for seq, kind, entry_hash, at, by in session.execute(
            select(JournalEntry.seq, JournalEntry.kind, JournalEntry.entry_hash, JournalEntry.recorded_at,
                   JournalEntry.recorded_by).where(JournalEntry.seq.in_(sorted(set(seqs))))):
        found[seq] = {"seq": seq, "kind": kind, "hash": entry_hash, "recorded_at": at, "recorded_by": by}
    return found


def _retracted(session: Session, category_id: int, at_placing) -> list[ClaimView]:
    """The category's withdrawn claims at a placing (`at_placing`, a condition on position and
    athlete), through their own partial index (migration 0007): the indexes on a category's claims
    by position or athlete hold live claims only."""
    return claims.load_views(session, claims.views_query().where(
        Claim.category_id == category_id, models.RETRACTED, at_placing))


def _placing(session: Session, claim: ClaimView, category_id: int, tolerance_ms: int,
             rulings: Rulings, lines: Lines) -> tuple[str, list[ClaimView]]:
    """The verdict of the placing the claim belongs to, and that placing's claims (retracted ones
    included), each carrying its line of evidence there.

    The disputes that can touch the placing are among its live claims and the live claims, in the
    category, of the athletes it names; those are all that is read. Live claims are read by the
    joined category's id, not the claim's column: so SQLite (which keeps no statistics here) reads
    them through the partial indexes on live claims, not through the index of all a category's
    claims (50,000 rows, 30 ms)."""
    in_category = claims.views_query().where(Category.id == category_id, models.NOT_RETRACTED)
    if claim.position is not None:
        at_placing = Claim.position == claim.position
    elif claim.athlete_id is not None:
        at_placing = Claim.position.is_(None) & (Claim.athlete_id == claim.athlete_id)
    else:
        at_placing = None
    if at_placing is not None:
        views = claims.load_views(session, in_category.where(at_placing)) + _retracted(session, category_id, at_placing)
    else:
        views = [claim]
    views.sort(key=lambda v: v.id)
    live = {v.id: v for v in views if v.retracted_seq is None}
    named = sorted({v.athlete_id for v in live.values() if v.athlete_id is not None})
    if named:
        for v in claims.load_views(session, in_category.where(Claim.athlete_id.in_(named))):
            live.setdefault(v.id, v)
    disputes = find_disputes([live[i] for i in sorted(live)], tolerance_ms, rulings, lines)
    for _, _, verdict, listed, _ in placing_groups(views, tolerance_ms, rulings, disputes, lines):
        if any(c.id == claim.id for c in listed):
            return verdict, listed
    raise LedgerError(f"claim {claim.id} is in no placing")  # unreachable: every claim is in one


def claim_show(session: Session, claim_id: int, tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> dict[str, Any]:
    """One claim whole (see the module's docstring)."""
    found = lookup.claim(session, claim_id)
    seq, category_id = found.seq, found.category_id
    (claim,) = claims.load_views(session, claims.views_query().where(Claim.id == claim_id))
    all_rulings = load_rulings(session, [category_id])
    rulings = Rulings(all_rulings)
    verdict, listed = _placing(session, claim, category_id, tolerance_ms, rulings, Lines(claims.reliance_pairs(session)))
    claim = next(c for c in listed if c.id == claim.id)  # with its line of evidence in the placing
    ruling = rulings.placing.get((claim.category, claim.position)) if claim.position is not None else None
    fields = placing_fields(claim.category, claim.position, verdict, listed, ruling, rulings)
    (placing,) = ClaimReport([(fields, listed)], rulings).to_json()
    recorded = entries(session, [seq, *([claim.retracted_seq] if claim.retracted_seq else [])])
    return {**assemble(claim, seq, placing, all_rulings, rulings, recorded), "athlete_id": claim.athlete_id}


def athlete_labels(session: Session, shown: Iterable[ClaimView]) -> dict[int, str]:
    """How a table names the athlete of each claim about one of two or more athletes whose names
    match (`ledger.core.names.name_key`) among `shown`: claim id -> `Anna Nowak #12 (POL, bib 101)`,
    with the athlete's id, their nationality and the bib the claim gives, where known. Claims about
    an athlete no other shares a name with are left out: their name tells them apart."""
    shown = list(shown)
    ids_by_key: dict[str, set[int]] = defaultdict(set)
    for athlete_id, name in {(c.athlete_id, c.athlete) for c in shown if c.athlete_id is not None}:
        ids_by_key[name_key(name)].add(athlete_id)
    namesakes = {i for ids in ids_by_key.values() if len(ids) > 1 for i in ids}
    if not namesakes:
        return {}
    about = [c for c in shown if c.athlete_id in namesakes]
    nationality: dict[int, str | None] = {}
    bibs: dict[int, str] = {}
    athlete_ids, ids = sorted(namesakes), sorted({c.id for c in about})
    for start in range(0, len(athlete_ids), _AT_ONCE):
        nationality.update(session.execute(select(Athlete.id, Athlete.nationality).where(
            Athlete.id.in_(athlete_ids[start:start + _AT_ONCE]))).all())
    for start in range(0, len(ids), _AT_ONCE):
        bibs.update(session.execute(select(Claim.id, Claim.bib).where(
            Claim.id.in_(ids[start:start + _AT_ONCE]), Claim.bib.is_not(None))).all())
    labels = {}
    for c in about:
        known = [nationality.get(c.athlete_id), f"bib {bibs[c.id]}" if c.id in bibs else None]
        extra = ", ".join(filter(None, known))
        labels[c.id] = f"{c.athlete} #{c.athlete_id}" + (f" ({extra})" if extra else "")
    return labels

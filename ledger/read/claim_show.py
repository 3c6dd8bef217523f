"""One claim whole, as `raceledger claim show ID` and the web's `/claims/ID` show it: its fields as a
report's JSON has them, the placing it belongs to (with its verdict, its lines of evidence and the
claims beside it), every ruling on that placing or on its athlete's status, its retraction, and the
journal entries that recorded them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from sqlalchemy.orm import Session

from ledger.core import limits
from ledger.core.names import name_key
from ledger.core.views import ClaimView, RulingView
from ledger.projection import lookup
from ledger.read import claims, queries
from ledger.read.paging import placing_of
from ledger.read.reports import ClaimReport, claim_json, placing_fields
from ledger.read.verdicts import DEFAULT_TOLERANCE_MS, Rulings


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


def claim_record(session: Session, claim_id: int,
                 tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> tuple[dict[str, Any], dict[int, int | None]]:
    """One claim whole, as the web's `/claims/ID` shows it; and who each claim of its placing names,
    by id (a page links their athletes' pages: the JSON has names only)."""
    found = queries.rows(session, queries.CLAIM, id=limits.whole(claim_id, "id", "claim id"))
    if not found:
        lookup.claim(session, claim_id)  # raises, saying where claim ids are shown
    *fields, seq, category_id = found[0]
    (claim,) = claims.with_citations(session, [ClaimView._make(fields)])
    all_rulings, rulings = queries.rulings(session, [category_id])
    verdict, listed = placing_of(session, claim, category_id, tolerance_ms, rulings)
    claim = next(c for c in listed if c.id == claim.id)  # as its placing holds it: with its line there
    ruling = rulings.placing.get((claim.category, claim.position)) if claim.position is not None else None
    fields = placing_fields(claim.category, claim.position, verdict, listed, ruling, rulings)
    (placing,) = ClaimReport([(fields, listed)], rulings).to_json()
    recorded = queries.entries(session, [seq, *([claim.retracted_seq] if claim.retracted_seq else [])])
    return assemble(claim, seq, placing, all_rulings, rulings, recorded), {c.id: c.athlete_id for c in listed}


def claim_show(session: Session, claim_id: int, tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> dict[str, Any]:
    """One claim whole (see the module's docstring), with the id of the athlete it names and the head
    it was read at (`seq`, `hash`), as `claim show` prints it."""
    record, athlete_ids = claim_record(session, claim_id, tolerance_ms)
    now = queries.ledger_head(session)
    return {**record, "athlete_id": athlete_ids[claim_id], "head": {"seq": now["seq"], "hash": now["hash"]}}


def athlete_labels(shown: Iterable[ClaimView]) -> dict[int, str]:
    """How a table names the athlete of each claim about one of two or more athletes whose names
    match (`ledger.core.names.name_key`) among `shown`: claim id -> `Anna Nowak #12 (POL, bib 101)`,
    with the athlete's id, their nationality and the bib the claim gives, where known. Claims about
    an athlete no other shares a name with are left out: their name tells them apart. The claims
    carry the nationality and bib (ledger.read.claims.views_query): no query per namesake."""
    shown = list(shown)
    keys: dict[str, str] = {}
    ids_by_key: dict[str, set[int]] = defaultdict(set)
    for athlete_id, name in {(c.athlete_id, c.athlete) for c in shown if c.athlete_id is not None}:
        key = keys.get(name)
        if key is None:
            key = keys[name] = name_key(name)
        ids_by_key[key].add(athlete_id)
    namesakes = {i for ids in ids_by_key.values() if len(ids) > 1 for i in ids}
    labels = {}
    for c in shown:
        if c.athlete_id in namesakes:
            extra = ", ".join(filter(None, (c.nationality, None if c.bib is None else f"bib {c.bib}")))
            labels[c.id] = f"{c.athlete} #{c.athlete_id}" + (f" ({extra})" if extra else "")
    return labels

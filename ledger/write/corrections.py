"""Corrections: a source withdrawing a claim, and official rulings on placings and athletes' status.

Each is one journal entry pointing at what it acts on; nothing recorded before it changes. Readers
weigh them through `verdicts.Rulings`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.core import rules
from ledger.core.errors import LedgerError
from ledger.core.models import Category, Claim, Ruling
from ledger.journal.chain import next_id
from ledger.projection import lookup
from ledger.projection.record import record


def retract(session: Session, by: str, claim_id: int, reason: str) -> int:
    """The source withdrew or corrected the claim: it stays recorded but stops counting. Returns the seq."""
    reason = rules.text(reason, "--reason", "reason")
    claim = lookup.claim(session, claim_id)
    if claim.retracted_seq is not None:
        raise LedgerError(f"claim {claim_id} was already retracted by journal entry {claim.retracted_seq} "
                          f"({claim.retraction_reason}); nothing was written")
    return record(session, "retract", {"claim": claim_id, "reason": reason}, by)


def _ruling_body(session: Session, category: str, decided_by: str, reason: str, decided: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"category": lookup.find(session, Category, category).slug,
                            "by": rules.text(decided_by, "--by", "decided by"), "reason": rules.text(reason, "--reason", "reason")}
    if decided:
        body["decided"] = rules.date(decided, "--decided date")
    return body


def rule_placing(session: Session, by: str, category: str, position: int, claim_id: int, decided_by: str,
                 reason: str, decided: str | None = None) -> int:
    """An official body decides that one claim holds for a placing; returns the ruling's id."""
    rules.position(position)
    body = _ruling_body(session, category, decided_by, reason, decided)
    claim = lookup.claim(session, claim_id)
    claim_category = session.get(Category, claim.category_id).slug
    if claim_category != body["category"]:
        raise LedgerError(f"claim {claim_id} is in {claim_category}, not {body['category']}; "
                          "accept a claim of the placing being ruled on")
    if claim.position != position:
        gives = "no position" if claim.position is None else f"position {claim.position}"
        raise LedgerError(f"claim {claim_id} gives {gives}, not {position}; accept a claim for position {position}")
    if claim.retracted_seq is not None:
        raise LedgerError(f"claim {claim_id} was retracted by journal entry {claim.retracted_seq}; "
                          "a ruling cannot accept a withdrawn claim")
    body.update(position=position, accept=claim_id, id=next_id(session, Ruling.id))
    record(session, "rule", body, by)
    return body["id"]


def _disqualified(session: Session, category_id: int, athlete_id: int) -> bool:
    """A ruling (ever) or a live claim gives the athlete DQ in the category."""
    ruled = select(Ruling.id).where(Ruling.category_id == category_id, Ruling.athlete_id == athlete_id,
                                    Ruling.status == "DQ")
    claimed = select(Claim.id).where(Claim.category_id == category_id, Claim.athlete_id == athlete_id,
                                     Claim.status == "DQ", Claim.retracted_seq.is_(None))
    return any(session.execute(q.limit(1)).first() is not None for q in (ruled, claimed))


def rule_status(session: Session, by: str, category: str, athlete: str, status: str, decided_by: str,
                reason: str, decided: str | None = None, vacate: bool = False) -> int:
    """An official body sets an athlete's status in a category (a DQ, or a reinstatement); returns the id.

    A DQ moves the places below up in the standings, unless `vacate` leaves its place empty. FIN
    reinstates only an athlete whom a ruling or a claim disqualified there."""
    status = rules.status_alone(status, "--reason")
    if vacate and status != "DQ":
        raise LedgerError(f"--vacate goes with --status DQ: it leaves a disqualified athlete's place empty, not {status}")
    body = _ruling_body(session, category, decided_by, reason, decided)
    found = lookup.athlete(session, athlete)
    category_id = lookup.find(session, Category, body["category"]).id
    about = (Claim.category_id == category_id, Claim.athlete_id == found.id)
    if session.execute(select(Claim.id).where(*about).limit(1)).first() is None:
        raise LedgerError(f"no claim about {found.name} in {body['category']}; "
                          "record the result first, then rule on it")
    if status == "FIN" and not _disqualified(session, category_id, found.id):
        raise LedgerError(f"no ruling and no claim gives {found.name} DQ in {body['category']}: there is nothing "
                          "to reinstate")
    body.update(athlete=found.id, status=status, id=next_id(session, Ruling.id))
    if vacate:
        body["vacate"] = True
    record(session, "rule", body, by)
    return body["id"]

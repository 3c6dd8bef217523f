"""One claim whole, as `/claims/ID` shows it: its fields as the CLI's JSON has them, the placing it
belongs to (with its verdict and the claims beside it), every ruling on that placing or on its
athlete's status, its retraction, and the journal entries that recorded them.

Until a `raceledger claim show ID` exists this lives here; `claim_show` is the function it can
take over (into ledger.read) unchanged.
"""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy.orm import Session

from ledger.core.errors import LedgerError
from ledger.core.views import ClaimView, RulingView
from ledger.read.reports import ClaimReport, claim_json
from ledger.read.verdicts import DEFAULT_TOLERANCE_MS, Rulings
from ledger.web import queries
from ledger.web.paging import placing_of, ruling_json


def rulings_on(claim: ClaimView, rulings: Iterable[RulingView]) -> list[dict[str, Any]]:
    """Every ruling (superseded ones included, oldest first) on the claim's placing or its athlete's status."""
    return [r.to_json() for r in rulings
            if (r.on_placing and claim.position is not None and r.position == claim.position)
            or (not r.on_placing and claim.athlete_id is not None and r.athlete_id == claim.athlete_id)]


def assemble(claim: ClaimView, seq: int, placing: dict[str, Any], all_rulings: list[RulingView],
             rulings: Rulings, recorded: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The claim's JSON from parts already read: `placing` is its placing as `results --all` lists it."""
    retraction = None
    if claim.retracted_seq is not None:
        retraction = {"reason": claim.retraction_reason, "entry": recorded[claim.retracted_seq]}
    return {"category": claim.category, **claim_json(claim, rulings), "verdict": placing["verdict"],
            "placing": placing, "rulings": rulings_on(claim, all_rulings), "retraction": retraction,
            "recorded": recorded[seq]}


def claim_show(session: Session, claim_id: int, tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> dict[str, Any]:
    """One claim whole (see the module's docstring)."""
    found = queries.rows(session, queries.CLAIM, id=claim_id)
    if not found:
        raise LedgerError(f"no claim {claim_id}; claim ids are shown by: raceledger results CATEGORY")
    *fields, seq, category_id = found[0]
    claim = ClaimView._make(fields)
    all_rulings, rulings = queries.rulings(session, [category_id])
    verdict, listed = placing_of(session, claim, category_id, tolerance_ms, rulings)
    ruling = rulings.placing.get((claim.category, claim.position)) if claim.position is not None else None
    fields = {"category": claim.category, "position": claim.position, "verdict": verdict,
              "ruling": ruling_json(ruling, rulings)}
    (placing,) = ClaimReport([(fields, listed)], rulings).to_json()
    recorded = queries.entries(session, [seq, *([claim.retracted_seq] if claim.retracted_seq else [])])
    return assemble(claim, seq, placing, all_rulings, rulings, recorded)

"""One claim whole, as `/claims/ID` shows it: its fields as the CLI's JSON has them, the placing it
belongs to (with its verdict and the claims beside it), every ruling on that placing or on its
athlete's status, its retraction, and the journal entries that recorded them.

The record is ledger.read.claim_show's (`raceledger claim show ID`); the web reads its parts
through its own prebuilt statements and the page's placing as ledger.web.paging finds it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ledger.core.errors import LedgerError
from ledger.core.views import ClaimView
from ledger.read import claims
from ledger.read.claim_show import assemble
from ledger.read.reports import ClaimReport, placing_fields
from ledger.read.verdicts import DEFAULT_TOLERANCE_MS
from ledger.web import queries
from ledger.web.paging import placing_of


def claim_show(session: Session, claim_id: int, tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> dict[str, Any]:
    """One claim whole (see the module's docstring)."""
    found = queries.rows(session, queries.CLAIM, id=claim_id)
    if not found:
        raise LedgerError(f"no claim {claim_id}; claim ids are shown by: raceledger results CATEGORY")
    *fields, seq, category_id = found[0]
    (claim,) = claims.with_citations(session, [ClaimView._make(fields)])
    all_rulings, rulings = queries.rulings(session, [category_id])
    verdict, listed = placing_of(session, claim, category_id, tolerance_ms, rulings)
    claim = next(c for c in listed if c.id == claim.id)  # as its placing holds it: with its line there
    ruling = rulings.placing.get((claim.category, claim.position)) if claim.position is not None else None
    fields = placing_fields(claim.category, claim.position, verdict, listed, ruling, rulings)
    (placing,) = ClaimReport([(fields, listed)], rulings).to_json()
    recorded = queries.entries(session, [seq, *([claim.retracted_seq] if claim.retracted_seq else [])])
    return assemble(claim, seq, placing, all_rulings, rulings, recorded)

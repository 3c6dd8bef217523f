"""A report's claims as a table: one row per claim, led by the fields of what holds it (its placing
or its dispute), with the claim's standing and any status ruling beside it.

Built column by column from the claims themselves, not from the report's JSON: for the 50,000
claims of a big category that is one list per column, not two dicts per row.
"""

from __future__ import annotations

from typing import Sequence

from ledger.core.views import ClaimView
from ledger.output.render import Columns
from ledger.read.reports import ClaimReport, standing_of
from ledger.read.verdicts import LIVE, Rulings


def _standing_note(claim: ClaimView, rulings: Rulings) -> str | None:
    """`overruled: <reason>`; nothing for a claim that simply counts."""
    standing, reason, _ = standing_of(claim, rulings)
    if standing == LIVE:
        return None
    return f"{standing}: {reason}" if reason else standing


def _status_note(claim: ClaimView, rulings: Rulings) -> str | None:
    """`DQ by <body>: <reason>`: a ruling on the athlete's status, beside the claims it affects."""
    ruling = rulings.on_status_of(claim)
    return None if ruling is None else f"{ruling.status} by {ruling.decided_by}: {ruling.reason}"


def columns(report: ClaimReport, keys: Sequence[str]) -> Columns:
    """The report's claims, each led by the `keys` fields of what holds it."""
    rulings = report.rulings
    claims = [claim for _, listed in report.held for claim in listed]
    table = Columns(position=[c.position for c in claims])
    for key in keys:
        table[key] = [fields[key] for fields, listed in report.held for _ in listed]
    table["claim"] = [c.id for c in claims]
    table["athlete"] = [c.who for c in claims]
    table["as_written"] = [None if c.as_written == c.athlete else c.as_written for c in claims]
    table["source"] = [c.source for c in claims]
    table["source_kind"] = [c.source_kind for c in claims]
    table["time"] = [c.time for c in claims]
    table["net_time"] = [c.net_time for c in claims]
    # `DQ TR 54.7.3`: the status as the file wrote it, which an import reads back the same way
    table["status"] = [c.status if c.status_note is None else f"{c.status} {c.status_note}" for c in claims]
    ruled = bool(rulings.placing)  # without rulings on placings, only a retraction gives a standing
    table["standing"] = [_standing_note(c, rulings) if ruled or c.retracted_seq is not None else None for c in claims]
    table["ruling"] = [_status_note(c, rulings) for c in claims] if rulings.status else [None] * len(claims)
    table["quote"] = [c.quote for c in claims]
    return table

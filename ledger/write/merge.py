"""Merging two athlete records that are one person: a journal entry, never a silent fix.

OTHER's claims move to KEEP (each keeps the name its source wrote), OTHER's spellings become
KEEP's, and OTHER's record stays, marked as merged, so `#OTHER` still finds the person.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.core.errors import LedgerError
from ledger.core.models import Claim
from ledger.projection import lookup
from ledger.projection.record import record


def merge(session: Session, by: str, keep: str, other: str) -> dict[str, Any]:
    """Record that OTHER is KEEP (each a name or `#ID`); returns what was merged and the entry's seq."""
    kept, merged = lookup.athlete(session, keep), lookup.athlete(session, other)
    if kept.id == merged.id:
        raise LedgerError(f"{keep!r} and {other!r} are already one athlete (#{kept.id} {kept.name})")
    moved = session.execute(select(func.count()).select_from(Claim).where(Claim.athlete_id == merged.id)).scalar_one()
    result = {"keep": kept.id, "keep_name": kept.name, "other": merged.id, "other_name": merged.name}
    seq = record(session, "merge", result, by)
    return {**result, "claims": moved, "seq": seq}

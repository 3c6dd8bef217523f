"""Reading rulings back as RulingViews, superseded ones included (verdicts weigh the newest)."""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ledger.core.models import Athlete, Category, Claim, Ruling
from ledger.core.views import RulingView


def load_rulings(session: Session, category_ids: Iterable[int] | None = None) -> list[RulingView]:
    """Every ruling (superseded ones included) in these categories, or everywhere."""
    accepted = aliased(Claim)
    query = (
        select(Ruling.id, Ruling.seq, Category.slug, Ruling.position, Ruling.accepted_claim_id,
               accepted.athlete_id, Ruling.athlete_id, Athlete.name, Ruling.status, Ruling.decided_by,
               Ruling.reason, Ruling.decided, Ruling.vacate)
        .join(Category, Ruling.category_id == Category.id)
        .outerjoin(accepted, Ruling.accepted_claim_id == accepted.id)
        .outerjoin(Athlete, Ruling.athlete_id == Athlete.id)
        .order_by(Ruling.seq)
    )
    if category_ids is not None:
        query = query.where(Ruling.category_id.in_(list(category_ids)))
    return [RulingView(*row[:-1], bool(row[-1])) for row in session.execute(query)]

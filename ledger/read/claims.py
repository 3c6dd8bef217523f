"""Reading claims back as ClaimViews: joined to the slugs and names that identify them."""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ledger.core.models import Athlete, Category, Claim, Source
from ledger.core.views import ClaimView


def views_query() -> Select:
    """Claims joined to what names them; callers add their own filters."""
    return (
        select(Claim.id, Category.slug, Source.slug, Source.kind, Claim.athlete_id, Athlete.name,
               Claim.unnamed, Claim.as_written, Claim.position, Claim.time_ms, Claim.time_decimals,
               Claim.net_time_ms, Claim.net_time_decimals, Claim.status, Claim.url, Claim.quote,
               Claim.published, Claim.retracted_seq, Claim.retraction_reason, Claim.status_note)
        .join(Category, Claim.category_id == Category.id)
        .join(Source, Claim.source_id == Source.id)
        .outerjoin(Athlete, Claim.athlete_id == Athlete.id)
    )


def load_views(session: Session, query: Select) -> list[ClaimView]:
    """The query's rows as ClaimViews (through Core: plain column rows need no ORM loading)."""
    return list(map(ClaimView._make, session.connection().execute(query).all()))


def in_categories(category_ids: Iterable[int]) -> Select:
    return views_query().where(Claim.category_id.in_(list(category_ids)))

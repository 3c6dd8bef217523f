"""Reading claims back as ClaimViews: joined to the slugs and names that identify them."""

from __future__ import annotations

from collections import defaultdict
from itertools import islice
from typing import Iterable

from sqlalchemy import Select, null, select
from sqlalchemy.orm import Session, aliased

from ledger.core.models import Athlete, Category, Citation, Claim, Reliance, Source
from ledger.core.views import Citation as CitationView
from ledger.core.views import ClaimView
from ledger.projection import lookup

Via = aliased(Source, name="via")
_IDS_AT_ONCE = 5_000
_ANY_CITATION = "ledger.read.claims: any citation"  # the session.info key of with_citations' look


def views_query() -> Select:
    """Claims joined to what names them; callers add their own filters."""
    return (
        select(Claim.id, Category.slug, Source.slug, Source.kind, Claim.athlete_id, Athlete.name,
               Claim.unnamed, Claim.as_written, Claim.position, Claim.time_ms, Claim.time_decimals,
               Claim.net_time_ms, Claim.net_time_decimals, Claim.status, Claim.url, Claim.quote,
               Claim.published, Claim.retracted_seq, Claim.retraction_reason, Claim.status_note,
               Via.slug, Via.kind, Claim.retrieved,
               null(), null(),  # more_citations (filled by load_views) and joined_line (by verdicts)
               Claim.bib, null(),  # overall_position: set in a derived category (ledger.read.derived)
               Athlete.nationality)
        .join(Category, Claim.category_id == Category.id)
        .join(Source, Claim.source_id == Source.id)
        .outerjoin(Athlete, Claim.athlete_id == Athlete.id)
        .outerjoin(Via, Claim.via_id == Via.id)
    )


def load_views(session: Session, query: Select) -> list[ClaimView]:
    """The query's rows as ClaimViews (through Core: plain column rows need no ORM loading), with
    the citations `cite` entries added to them."""
    return with_citations(session, list(map(ClaimView._make, session.connection().execute(query).all())))


def with_citations(session: Session, views: list[ClaimView]) -> list[ClaimView]:
    """The claims with the citations `cite` entries added to them. Most ledgers hold none: one cheap
    look a session says so."""
    if not views:
        return views
    if _ANY_CITATION not in session.info:
        session.info[_ANY_CITATION] = session.execute(select(Citation.seq).limit(1)).first() is not None
    if not session.info[_ANY_CITATION]:
        return views
    more = _more_citations(session, sorted({v.id for v in views}))
    return [v._replace(more_citations=tuple(more[v.id])) if v.id in more else v for v in views]


def reliance_pairs(session: Session) -> list[tuple[str, str]]:
    """Every (source, source it relies on) pair, by slug: see ledger.read.verdicts.Lines."""
    relied = aliased(Source)
    return [tuple(pair) for pair in session.execute(
        select(Source.slug, relied.slug).join(Reliance, Reliance.source_id == Source.id)
        .join(relied, Reliance.relies_on_id == relied.id).order_by(Reliance.seq))]


def _more_citations(session: Session, claim_ids: list[int]) -> dict[int, list[CitationView]]:
    found: dict[int, list[CitationView]] = defaultdict(list)
    ids = iter(claim_ids)
    while batch := list(islice(ids, _IDS_AT_ONCE)):
        query = (select(Citation.claim_id, Citation.url, Citation.quote, Via.slug, Citation.published,
                        Citation.retrieved)
                 .outerjoin(Via, Citation.via_id == Via.id).where(Citation.claim_id.in_(batch)).order_by(Citation.seq))
        for claim_id, *fields in session.execute(query):
            found[claim_id].append(CitationView(*fields))
    return found


def of_source(session: Session, slug: str, after: int, limit: int,
              category_ids: list[int] | None = None) -> tuple[Source, list[ClaimView]]:
    """A source, and its claims after id `after` (in these categories, or all), the first `limit` by id."""
    found = lookup.find(session, Source, slug)
    query = views_query().where(Claim.source_id == found.id, Claim.id > after)
    if category_ids is not None:
        query = query.where(Claim.category_id.in_(category_ids))
    return found, load_views(session, query.order_by(Claim.id).limit(limit))


def in_categories(category_ids: Iterable[int]) -> Select:
    return views_query().where(Claim.category_id.in_(list(category_ids)))

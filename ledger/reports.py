"""What readers ask: results of a category, disputes under a scope, sources, one athlete's claims."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, literal, or_, select, tuple_
from sqlalchemy.orm import Session

from ledger import athletes, catalog, claims
from ledger.claims import ClaimView
from ledger.models import Category, Claim, Source
from ledger.verdicts import DEFAULT_TOLERANCE_MS, Dispute, find_disputes, placings


def results(session: Session, category: str, tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> list[dict[str, Any]]:
    found = catalog.find(session, Category, category)
    views = claims.load_views(session, claims.in_categories([found.id]))
    return [
        {"category": p.category, "position": p.position, "verdict": p.verdict,
         "claims": [c.to_json() for c in p.claims]}
        for p in placings(views, tolerance_ms)
    ]


def _candidate_claims(session: Session, category_ids: list[int] | None, tolerance_ms: int) -> list[ClaimView]:
    """Only the claims of groups that can hold a dispute, found by grouped scans over covering indexes."""
    scope = Claim.category_id.in_(category_ids) if category_ids is not None else literal(True)
    placings_in_doubt = (
        select(Claim.category_id, Claim.position)
        .where(scope, Claim.position.is_not(None))
        .group_by(Claim.category_id, Claim.position)
        .having(func.count(func.distinct(func.coalesce(Claim.athlete_id, 0))) > 1)
    )
    athletes_in_doubt = (
        select(Claim.category_id, Claim.athlete_id)
        .where(scope, Claim.athlete_id.is_not(None))
        .group_by(Claim.category_id, Claim.athlete_id)
        .having(or_(
            func.count(func.distinct(Claim.position)) > 1,
            func.count(func.distinct(Claim.status)) > 1,
            func.max(Claim.time_ms) - func.min(Claim.time_ms) > tolerance_ms,
            func.max(Claim.net_time_ms) - func.min(Claim.net_time_ms) > tolerance_ms,
        ))
    )
    query = claims.views_query().where(or_(
        tuple_(Claim.category_id, Claim.position).in_(placings_in_doubt),
        and_(Claim.athlete_id.is_not(None), tuple_(Claim.category_id, Claim.athlete_id).in_(athletes_in_doubt)),
    )).order_by(Claim.id)
    return claims.load_views(session, query)


def dispute_list(session: Session, scope: str | None = None,
                 tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> list[Dispute]:
    category_ids = None if scope is None else [c.id for c in catalog.categories_under(session, scope)]
    if category_ids == []:
        return []
    return find_disputes(_candidate_claims(session, category_ids, tolerance_ms), tolerance_ms)


def disputes(session: Session, scope: str | None = None,
             tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> list[dict[str, Any]]:
    return [
        {"category": d.category, "kind": d.kind, "position": d.position, "athlete": d.athlete,
         "claims": [c.to_json() for c in d.claims]}
        for d in dispute_list(session, scope, tolerance_ms)
    ]


def sources(session: Session, tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> list[dict[str, Any]]:
    """Each source with its number of claims and how many of them another source contradicts."""
    contradicted: dict[str, set[int]] = {}
    for dispute in dispute_list(session, None, tolerance_ms):
        for claim in dispute.claims:
            if any(other.source != claim.source for other in dispute.claims):
                contradicted.setdefault(claim.source, set()).add(claim.id)
    counts = dict(session.execute(select(Claim.source_id, func.count()).group_by(Claim.source_id)).all())
    return [
        {"slug": s.slug, "name": s.name, "kind": s.kind, "url": s.url, "claims": counts.get(s.id, 0),
         "contradicted": len(contradicted.get(s.slug, ()))}
        for s in session.execute(select(Source).order_by(Source.slug)).scalars()
    ]


def athlete_show(session: Session, name: str, tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> dict[str, Any]:
    """The athlete, their spellings, and every claim about them with the verdict of its placing."""
    athlete = athletes.find(session, name)
    own = claims.load_views(session, claims.views_query().where(Claim.athlete_id == athlete.id).order_by(Claim.id))
    category_ids = session.execute(
        select(Claim.category_id).where(Claim.athlete_id == athlete.id).distinct()).scalars().all()
    verdict_of = {
        c.id: p.verdict
        for p in placings(claims.load_views(session, claims.in_categories(category_ids)), tolerance_ms)
        for c in p.claims
    }
    return {**athletes.describe(session, athlete),
            "claims": [{"category": c.category, "verdict": verdict_of[c.id], **c.to_json()} for c in own]}

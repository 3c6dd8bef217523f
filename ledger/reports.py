"""What readers ask: results of a category, disputes under a scope, sources, one athlete's claims."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from ledger import athletes, catalog, claims, contests, corrections
from ledger.claims import ClaimView
from ledger.models import LIVE, Category, Claim, Contest, Source
from ledger.verdicts import (DEFAULT_TOLERANCE_MS, RETRACTED, Dispute, RulingView, Rulings, find_disputes,
                             placings)


def _ruling_json(ruling: RulingView | None, rulings: Rulings) -> dict[str, Any] | None:
    """A ruling in force, with the earlier rulings on the same question it superseded."""
    if ruling is None:
        return None
    return {**ruling.to_json(), "supersedes": [r.to_json() for r in rulings.superseded.get(ruling.id, [])]}


def claim_json(claim: ClaimView, rulings: Rulings) -> dict[str, Any]:
    """A claim as recorded, with its standing (live, accepted, overruled or retracted) and why, and
    any ruling in force on its athlete's status, shown beside it."""
    standing, ruling = rulings.standing(claim)
    status_ruling = rulings.on_status_of(claim)
    return claim.to_json(
        standing=standing,
        standing_reason=claim.retraction_reason if standing == RETRACTED else (ruling.reason if ruling else None),
        ruled_by=ruling.id if ruling else None, status_ruling=status_ruling.to_json() if status_ruling else None)


def standing_note(claim: dict[str, Any]) -> str | None:
    """`overruled: <reason>` for a table cell; nothing for a claim that simply counts."""
    standing = claim.get("standing")
    if standing in (None, "live"):
        return None
    return f"{standing}: {claim['standing_reason']}" if claim.get("standing_reason") else standing


def status_note(claim: dict[str, Any]) -> str | None:
    """`DQ by <body>: <reason>`: a status ruling shown beside the claims it affects."""
    ruling = claim.get("status_ruling")
    return None if ruling is None else f"{ruling['status']} by {ruling['decided_by']}: {ruling['reason']}"


def results(session: Session, category: str, tolerance_ms: int = DEFAULT_TOLERANCE_MS,
            include_retracted: bool = False) -> list[dict[str, Any]]:
    """Every placing with its verdict; retracted claims (and placings left with none) only on request."""
    found = catalog.find(session, Category, category)
    views = claims.load_views(session, claims.in_categories([found.id]).order_by(Claim.id))
    rulings = Rulings(corrections.load_rulings(session, [found.id]))
    disputed = _disputes_in(session, [found.id], tolerance_ms, rulings)
    shown = []
    for p in placings(views, tolerance_ms, rulings, disputed):
        if p.verdict == RETRACTED and not include_retracted:
            continue
        listed = p.claims  # one live claim, most often (a placing of one retracted claim is RETRACTED)
        if len(listed) > 1 and not include_retracted:
            listed = [c for c in listed if c.retracted_seq is None]
        shown.append({"category": p.category, "position": p.position, "verdict": p.verdict,
                      "ruling": _ruling_json(p.ruling, rulings),
                      "claims": [claim_json(c, rulings) for c in listed]})
    return shown


def _candidate_claims(session: Session, category_ids: list[int] | None) -> list[ClaimView]:
    """The live claims of contested groups (ledger.contests): the only ones that can hold a dispute."""
    found: dict[int, ClaimView] = {}
    for kind, column in ((contests.POSITION, Claim.position), (contests.ATHLETE, Claim.athlete_id)):
        contested = select(Contest.category_id, Contest.key).where(Contest.kind == kind)
        query = claims.views_query().where(LIVE)
        if category_ids is not None:
            contested = contested.where(Contest.category_id.in_(category_ids))
            query = query.where(Claim.category_id.in_(category_ids))
        for view in claims.load_views(session, query.where(tuple_(Claim.category_id, column).in_(contested))):
            found[view.id] = view
    return [found[claim_id] for claim_id in sorted(found)]


def _disputes_in(session: Session, category_ids: list[int] | None, tolerance_ms: int, rulings: Rulings) -> list[Dispute]:
    """Every dispute among the live claims of these categories (None: all), open and ruled."""
    return find_disputes(_candidate_claims(session, category_ids), tolerance_ms, rulings)


def dispute_list(session: Session, scope: str | None = None,
                 tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> tuple[list[Dispute], Rulings]:
    """Every dispute among live claims, open and ruled, with the rulings that weigh on them."""
    category_ids = None if scope is None else [c.id for c in catalog.categories_under(session, scope)]
    if category_ids == []:
        return [], Rulings()
    rulings = Rulings(corrections.load_rulings(session, category_ids))
    return _disputes_in(session, category_ids, tolerance_ms, rulings), rulings


def disputes(session: Session, scope: str | None = None, tolerance_ms: int = DEFAULT_TOLERANCE_MS,
             include_ruled: bool = False) -> list[dict[str, Any]]:
    """Open disputes; with `include_ruled`, also those a ruling settled, with the ruling."""
    found, rulings = dispute_list(session, scope, tolerance_ms)
    return [
        {"category": d.category, "kind": d.kind, "position": d.position, "athlete": d.athlete,
         "verdict": d.verdict, "ruling": _ruling_json(d.ruling, rulings),
         "claims": [claim_json(c, rulings) for c in d.claims]}
        for d in found if include_ruled or d.ruling is None
    ]


def sources(session: Session, tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> list[dict[str, Any]]:
    """Each source with its number of claims, how many it retracted, and how many of its live claims
    another source contradicts (in a dispute, open or ruled)."""
    contradicted: dict[str, set[int]] = {}
    for dispute in dispute_list(session, None, tolerance_ms)[0]:
        for claim in dispute.claims:
            if any(other.source != claim.source for other in dispute.claims):
                contradicted.setdefault(claim.source, set()).add(claim.id)
    counts = {source_id: (total, retracted) for source_id, total, retracted in session.execute(
        select(Claim.source_id, func.count(), func.count(Claim.retracted_seq)).group_by(Claim.source_id))}
    return [
        {"slug": s.slug, "name": s.name, "kind": s.kind, "url": s.url, "claims": counts.get(s.id, (0, 0))[0],
         "retracted": counts.get(s.id, (0, 0))[1], "contradicted": len(contradicted.get(s.slug, ()))}
        for s in session.execute(select(Source).order_by(Source.slug)).scalars()
    ]


def athlete_show(session: Session, name: str, tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> dict[str, Any]:
    """The athlete, their spellings, and every claim about them (retracted ones included, marked) with
    the verdict of its placing: found from the claims of those placings only, and the contests of
    their categories, however big the categories are."""
    athlete = athletes.find(session, name)
    about = Claim.athlete_id == athlete.id
    own = claims.load_views(session, claims.views_query().where(about).order_by(Claim.id))
    category_ids = session.execute(select(Claim.category_id).where(about).distinct()).scalars().all()
    placed = select(Claim.category_id, Claim.position).where(about, Claim.position.is_not(None))
    beside = claims.load_views(session, claims.views_query().where(tuple_(Claim.category_id, Claim.position).in_(placed)))
    rulings = Rulings(corrections.load_rulings(session, category_ids))
    disputed = _disputes_in(session, category_ids, tolerance_ms, rulings)
    groups = sorted({c.id: c for c in (*own, *beside)}.values(), key=lambda c: c.id)
    verdict_of = {c.id: p.verdict for p in placings(groups, tolerance_ms, rulings, disputed) for c in p.claims}
    return {**athletes.describe(session, athlete),
            "claims": [{"category": c.category, "verdict": verdict_of[c.id], **claim_json(c, rulings)} for c in own]}

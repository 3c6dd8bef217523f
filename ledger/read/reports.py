"""What readers ask: results of a category, disputes under a scope, sources, one athlete's claims.

Results, disputes and an athlete's claims come as a ClaimReport, from which JSON and tables
(ledger.output.claim_columns) are each built only when asked for: a category can hold 50,000 claims.
"""

from __future__ import annotations

from typing import Any, Iterable, NamedTuple

from sqlalchemy import func, select, tuple_, union
from sqlalchemy.orm import Session

from ledger.core import models
from ledger.core.models import Category, Citation, Claim, Contest, Source
from ledger.core.views import ClaimView
from ledger.projection import contests, lookup
from ledger.read import athletes, claims, derived, figures
from ledger.read.bib_disputes import bib_disputes
from ledger.read.search import one_athlete
from ledger.read.rulings import load_rulings
from ledger.read.verdicts import (
    DEFAULT_TOLERANCE_MS,
    DISQUALIFIED,
    LIVE,
    OVERRULED,
    RETRACTED,
    Dispute,
    Lines,
    Rulings,
    RulingView,
    find_disputes,
    line_count,
    placing_groups,
    placings,
)


def _ruling_json(ruling: RulingView | None, rulings: Rulings) -> dict[str, Any] | None:
    """A ruling in force, with the earlier rulings on the same question it superseded."""
    if ruling is None:
        return None
    return {**ruling.to_json(), "supersedes": [r.to_json() for r in rulings.superseded.get(ruling.id, [])]}


def standing_of(claim: ClaimView, rulings: Rulings) -> tuple[str, str | None, RulingView | None]:
    """A claim's standing (live, accepted, overruled or retracted), why, and the ruling that decided it."""
    standing, ruling = rulings.standing(claim)
    if standing == RETRACTED:
        return standing, claim.retraction_reason, None
    return standing, ruling.reason if ruling else None, ruling


def claim_json(claim: ClaimView, rulings: Rulings) -> dict[str, Any]:
    """A claim as recorded, with its standing and why, and any ruling in force on its athlete's
    status, shown beside it."""
    standing, reason, ruling = standing_of(claim, rulings)
    status_ruling = rulings.on_status_of(claim)
    return claim.to_json(standing, reason, ruling.id if ruling else None,
                         status_ruling.to_json() if status_ruling else None)


# Claims as a report lists them, under the JSON fields of what holds them (a placing, a dispute):
# a plain tuple, as a report of a big category holds one a placing.
Held = tuple[dict[str, Any], list[ClaimView]]


class ClaimReport(NamedTuple):
    """Claims under what holds them, with the rulings that give each its standing."""

    held: list[Held]
    rulings: Rulings

    def to_json(self) -> list[dict[str, Any]]:
        rulings = self.rulings
        ruled = bool(rulings.placing or rulings.status)  # else only a retraction gives a claim a standing
        found = [dict(fields, claims=[claim_json(c, rulings) if ruled or c.retracted_seq is not None
                                      else c.to_json(LIVE, None, None, None) for c in listed])
                 for fields, listed in self.held]
        for item, (fields, listed) in zip(found, self.held):
            if fields.get("kind") == "bib":  # its claims come from any category of the race: each says which
                for claim, view in zip(item["claims"], listed):
                    claim["category"] = view.category
            if "derived_from" in fields:  # a derived category: the source's own place beside the rank
                for claim, view in zip(item["claims"], listed):
                    claim["overall_position"] = view.overall_position
            if "official_position" in fields:  # --standings: each claim's official place beside its own
                for claim in item["claims"]:
                    claim["official_position"] = (None if claim["standing"] in (DISQUALIFIED, RETRACTED)
                                                  else fields["official_position"])
        return found


def results_report(session: Session, category: str, tolerance_ms: int = DEFAULT_TOLERANCE_MS,
                   include_retracted: bool = False, standings: bool = False) -> ClaimReport:
    """Every placing with its verdict; retracted claims (and placings left with none) only on request.
    With `standings`, each placing's official place after disqualifications (see `official_order`)."""
    found = lookup.find(session, Category, category)
    if found.derived_from_id is not None:  # ranked from another category's claims (ledger.read.derived)
        shown = derived.derived_placings(session, found, tolerance_ms, include_retracted)
        return ClaimReport(shown, Rulings())
    views = claims.load_views(session, claims.in_categories([found.id]).order_by(Claim.id))
    rulings = Rulings(load_rulings(session, [found.id]))
    lines = Lines(claims.reliance_pairs(session))
    disputed = find_disputes(_contested_among(session, found.id, views), tolerance_ms, rulings, lines)
    shown = shown_placings(placing_groups(views, tolerance_ms, rulings, disputed, lines), rulings, include_retracted)
    if standings:
        official_order(shown, rulings)
    return ClaimReport(shown, rulings)


def shown_placings(groups: Iterable[tuple[str, int | None, str, list[ClaimView], RulingView | None]],
                   rulings: Rulings, include_retracted: bool) -> list[Held]:
    """The placings `results` shows of `placing_groups`, with their fields: retracted claims (and
    placings left with none) only on request."""
    shown = []
    for category, position, verdict, listed, ruling in groups:
        if verdict == RETRACTED and not include_retracted:
            continue
        if len(listed) > 1 and not include_retracted:  # one live claim, most often
            listed = [c for c in listed if c.retracted_seq is None]
        shown.append((placing_fields(category, position, verdict, listed, ruling, rulings), listed))
    return shown


def official_order(shown: list[Held], rulings: Rulings) -> None:
    """The official order, as a view: a placing whose athlete a ruling in force disqualified has no
    official place, and the places below move up (`official_position`), unless the ruling vacates
    it (`vacated`: the place stays empty). Every claim stays as its source made it."""
    removed = 0
    for fields, listed in shown:
        position, live = fields["position"], [c for c in listed if c.retracted_seq is None]
        fields["official_position"], fields["vacated"] = None, False
        if position is None or not live:
            continue
        ruling = rulings.placing.get((fields["category"], position))
        holders = {ruling.accepted_athlete_id} if ruling is not None else {c.athlete_id for c in live}
        said = [rulings.status.get((fields["category"], a)) for a in holders if a is not None]
        if holders and len(said) == len(holders) and all(r is not None and r.status == "DQ" for r in said):
            fields["vacated"] = any(r.vacate for r in said)
            removed += 0 if fields["vacated"] else 1
        else:
            fields["official_position"] = position - removed


def placing_fields(category: str, position: int | None, verdict: str, listed: list[ClaimView],
                   ruling: RulingView | None, rulings: Rulings) -> dict[str, Any]:
    """A placing's JSON fields above its claims: `lines` counts the independent lines its live claims
    stand on (`agreed` needs two)."""
    return {"category": category, "position": position, "verdict": verdict,
            "lines": ((0 if listed[0].retracted_seq is not None else 1) if len(listed) == 1  # most placings
                      else line_count(c for c in listed if c.retracted_seq is None)),
            "ruling": _ruling_json(ruling, rulings)}


def _contested_among(session: Session, category_id: int, views: list[ClaimView]) -> list[ClaimView]:
    """`_candidate_claims` of one category, picked from its claims already read, not read again."""
    keys: dict[str, set[int]] = {contests.POSITION: set(), contests.ATHLETE: set()}
    for kind, key in session.execute(select(Contest.kind, Contest.key).where(Contest.category_id == category_id)):
        keys[kind].add(key)
    positions, athletes = keys[contests.POSITION], keys[contests.ATHLETE]
    return [v for v in views if v.retracted_seq is None and (v.position in positions or v.athlete_id in athletes)]


def _candidate_claims(session: Session, category_ids: list[int] | None) -> list[ClaimView]:
    """The live claims of contested groups (ledger.projection.contests): the only ones that can hold a dispute."""
    found: dict[int, ClaimView] = {}
    for kind, column in ((contests.POSITION, Claim.position), (contests.ATHLETE, Claim.athlete_id)):
        contested = select(Contest.category_id, Contest.key).where(Contest.kind == kind)
        query = claims.views_query().where(models.NOT_RETRACTED)
        if category_ids is not None:
            contested = contested.where(Contest.category_id.in_(category_ids))
            query = query.where(Claim.category_id.in_(category_ids))
        for view in claims.load_views(session, query.where(tuple_(Claim.category_id, column).in_(contested))):
            found[view.id] = view
    return [found[claim_id] for claim_id in sorted(found)]


def _disputes_in(session: Session, category_ids: list[int] | None, tolerance_ms: int, rulings: Rulings) -> list[Dispute]:
    """Every dispute among the live claims of these categories (None: all), open and ruled."""
    return find_disputes(_candidate_claims(session, category_ids), tolerance_ms, rulings,
                         Lines(claims.reliance_pairs(session)))


def dispute_list(session: Session, scope: str | None = None,
                 tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> tuple[list[Dispute], Rulings]:
    """Every dispute among live claims, open and ruled, with the rulings that weigh on them."""
    category_ids = None if scope is None else [c.id for c in lookup.categories_under(session, scope)]
    if category_ids == []:
        return [], Rulings()
    rulings = Rulings(load_rulings(session, category_ids))
    return _disputes_in(session, category_ids, tolerance_ms, rulings) + bib_disputes(session, category_ids), rulings


def disputes_report(session: Session, scope: str | None = None, tolerance_ms: int = DEFAULT_TOLERANCE_MS,
                    include_ruled: bool = False) -> ClaimReport:
    """Open disputes; with `include_ruled`, also those a ruling settled, with the ruling."""
    found, rulings = dispute_list(session, scope, tolerance_ms)
    return dispute_report([d for d in found if include_ruled or d.ruling is None], rulings)


def dispute_report(found: Iterable[Dispute], rulings: Rulings) -> ClaimReport:
    """Disputes as `disputes` lists them, each with the ruling that settled it (and a bib dispute's bib)."""
    return ClaimReport([
        ({"category": d.category, "kind": d.kind, "position": d.position, "athlete": d.athlete,
          "verdict": d.verdict, "ruling": _ruling_json(d.ruling, rulings), **({"bib": d.bib} if d.kind == "bib" else {})},
         d.claims)
        for d in found
    ], rulings)


def disputes_with_figures(session: Session, scope: str | None = None, tolerance_ms: int = DEFAULT_TOLERANCE_MS,
                          include_ruled: bool = False, weighing: figures.Weighing = figures.DEFAULT_WEIGHING,
                          ) -> tuple[ClaimReport, list[dict[str, Any]]]:
    """`disputes_report`, and beside it the figure disputes (`kind: figure`) under the same scope,
    which may also be a topic: a topic holds figures, never placings."""
    if scope is not None and figures.is_topic(session, scope):
        placing = ClaimReport([], Rulings())
    else:
        placing = disputes_report(session, scope, tolerance_ms, include_ruled)
    return placing, figures.dispute_items(session, scope, weighing, include_ruled)


def sources(session: Session, tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> list[dict[str, Any]]:
    """Each source with its claims: how many, made directly (`direct`), reached us only through
    another source's report (`via_others`: it is the claimant, `via` is set), reported for others
    (`for_others`: claims of other claimants it carried, as a claim's `via` or in a citation),
    contradicted by an independent line (in a dispute, open or ruled, beside a claim of another line
    of evidence: ledger.read.verdicts.Lines), overruled by a ruling in force, and retracted."""
    contradicted: dict[str, set[int]] = {}
    for dispute in dispute_list(session, None, tolerance_ms)[0]:
        for claim in dispute.claims:
            if any(other.line != claim.line for other in dispute.claims):
                contradicted.setdefault(claim.source, set()).add(claim.id)
    counts = {source_id: (total, retracted, via) for source_id, total, retracted, via in session.execute(
        select(Claim.source_id, func.count(), func.count(Claim.retracted_seq), func.count(Claim.via_id))
        .group_by(Claim.source_id))}
    carried = union(
        select(Claim.via_id.label("source_id"), Claim.id.label("claim_id")).where(Claim.via_id.is_not(None)),
        select(Citation.via_id, Citation.claim_id).join(Claim, Claim.id == Citation.claim_id)
        .where(Citation.via_id.is_not(None), Citation.via_id != Claim.source_id)).subquery()
    for_others = dict(session.execute(select(carried.c.source_id, func.count()).group_by(carried.c.source_id)).all())
    overruled = _overruled(session)
    found = []
    for s in session.execute(select(Source).order_by(Source.slug)).scalars():
        total, retracted, via = counts.get(s.id, (0, 0, 0))
        found.append({"slug": s.slug, "name": s.name, "kind": s.kind, "url": s.url, "claims": total,
                      "direct": total - via, "via_others": via, "for_others": for_others.get(s.id, 0),
                      "contradicted": len(contradicted.get(s.slug, ())), "overruled": overruled.get(s.slug, 0),
                      "retracted": retracted})
    return found


def _overruled(session: Session) -> dict[str, int]:
    """How many claims of each source (by slug) a ruling in force overruled: only the claims at ruled
    placings are read."""
    rulings = Rulings(load_rulings(session))
    if not rulings.placing:
        return {}
    ruled = {(category, position) for category, position in rulings.placing}
    query = claims.views_query().where(models.NOT_RETRACTED, Category.slug.in_(sorted({c for c, _ in ruled})),
                                       Claim.position.in_(sorted({p for _, p in ruled if p is not None})))
    counted: dict[str, int] = {}
    for claim in claims.load_views(session, query):
        if (claim.category, claim.position) in ruled and rulings.placing_standing(claim)[0] == OVERRULED:
            counted[claim.source] = counted.get(claim.source, 0) + 1
    return counted


def athlete_report(session: Session, name: str,
                   tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> tuple[dict[str, Any], ClaimReport]:
    """The athlete and their spellings, and every claim about them (retracted ones included, marked),
    each held by its category and the verdict of its placing: found from the claims of those
    placings only, and the contests of their categories, however big the categories are."""
    athlete = one_athlete(session, name)
    about = Claim.athlete_id == athlete.id
    own = claims.load_views(session, claims.views_query().where(about).order_by(Claim.id))
    category_ids = session.execute(select(Claim.category_id).where(about).distinct()).scalars().all()
    placed = select(Claim.category_id, Claim.position).where(about, Claim.position.is_not(None))
    beside = claims.load_views(session, claims.views_query().where(tuple_(Claim.category_id, Claim.position).in_(placed)))
    rulings = Rulings(load_rulings(session, category_ids))
    disputed = _disputes_in(session, category_ids, tolerance_ms, rulings)
    groups = sorted({c.id: c for c in (*own, *beside)}.values(), key=lambda c: c.id)
    lined = {c.id: (p.verdict, c) for p in placings(groups, tolerance_ms, rulings, disputed,
                                                     Lines(claims.reliance_pairs(session))) for c in p.claims}
    held = [({"category": c.category, "verdict": lined[c.id][0]}, [lined[c.id][1]]) for c in own]
    return athletes.profile(session, athlete), ClaimReport(held, rulings)


def athlete_json(described: dict[str, Any], report: ClaimReport) -> dict[str, Any]:
    """An `athlete_report` as JSON: the athlete, then their claims, each led by its category and verdict."""
    return {**described, "claims": [{**fields, **claim_json(claim, report.rulings)} for fields, (claim,) in report.held]}

"""Bib disputes: within a race, one bib given to names that cannot be one runner's.

Writers link claims that give a race's bib with a compatible name (ledger.projection.bibs) to the
bib's runner, whichever source made them; a name that does not fit is never merged. Such a bib is
listed here as a dispute of kind `bib`, with every live claim of the race that gives it (from any
of its categories) and the start list's entrant, shown as a claim of the start list's source with
no id. Only the bibs `bib_contest` holds are read: ledger.projection.bibs keeps there the bibs given
to two athletes under names that cannot be one runner's. They are listed in the order of their
first claim (the earliest live claim giving the bib), which names one (ledger.read.paging pages them
by it).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.core.models import LIVE_BIBS, Athlete, BibContest, Category, Claim, Entrant, Race, Source
from ledger.core.views import ClaimView
from ledger.projection.bibs import current_entrants
from ledger.read import claims
from ledger.read.verdicts import Dispute


def _entrant_view(race_slug: str, entrant: Entrant, source: tuple[str, str], athlete: str | None) -> ClaimView:
    return ClaimView(None, race_slug, source[0], source[1], entrant.athlete_id, athlete, None, entrant.name, None,
                     None, 0, None, 0, None, None, None, None, bib=entrant.bib)


def first_claim(claims: Iterable[ClaimView]) -> int:
    """A bib dispute's first claim: the earliest one giving the bib (the start list's entry has no id)."""
    return min(c.id for c in claims if c.id is not None)


def bib_disputes(session: Session, category_ids: Iterable[int] | None) -> list[Dispute]:
    """Every bib of the races of these categories (None: every race) that names two runners, whose
    later claim is in one of the categories, by first claim."""
    wanted = None if category_ids is None else set(category_ids)
    races = select(Category.race_id)
    if wanted is not None:
        races = races.where(Category.id.in_(sorted(wanted)))
    race_ids = set(session.execute(races.distinct()).scalars())
    if not race_ids:
        return []
    suspects = set(map(tuple, session.execute(select(BibContest.race_id, BibContest.bib)
                                              .where(BibContest.race_id.in_(sorted(race_ids))))))
    entrants: dict[tuple[int, str], Entrant] = {}
    for race_id in sorted({r for r, _ in suspects}):
        bibs = sorted(b for r, b in suspects if r == race_id)
        for start in range(0, len(bibs), 500):
            for entrant in session.execute(current_entrants(race_id).where(Entrant.bib.in_(bibs[start:start + 500]))
                                           ).scalars():
                entrants[(race_id, entrant.bib)] = entrant
    if not suspects:
        return []
    views = _views(session, suspects)
    slugs = dict(session.execute(select(Race.id, Race.slug).where(Race.id.in_(sorted(race_ids)))).all())
    sources = {i: (s, k) for i, s, k in session.execute(select(Source.id, Source.slug, Source.kind))}
    found = []
    for (race_id, bib), listed in views.items():
        entrant = entrants.get((race_id, bib))
        sides = list(listed)
        if entrant is not None:
            athlete = session.get(Athlete, entrant.athlete_id)
            sides.insert(0, _entrant_view(slugs[race_id], entrant, sources[entrant.source_id],
                                          athlete.name if athlete else None))
        if not listed:
            continue
        later = max(listed, key=lambda v: v.id)
        if wanted is not None and session.execute(select(Category.id).where(Category.slug == later.category)).scalar() \
                not in wanted:
            continue
        found.append(Dispute(later.category, "bib", None, None, sides, bib=bib))
    return sorted(found, key=lambda d: first_claim(d.claims))


def _views(session: Session, suspects: set[tuple[int, str]]) -> dict[tuple[int, str], list[ClaimView]]:
    """The live claims giving each suspect bib in its race."""
    found: dict[tuple[int, str], list[ClaimView]] = defaultdict(list)
    by_race: dict[int, list[str]] = defaultdict(list)
    for race_id, bib in suspects:
        by_race[race_id].append(bib)
    for race_id, bibs in by_race.items():
        for start in range(0, len(bibs), 500):
            query = (claims.views_query().where(Category.race_id == race_id, LIVE_BIBS,
                                                Claim.bib.in_(sorted(bibs[start:start + 500]))).order_by(Claim.id))
            for view in claims.load_views(session, query):
                found[(race_id, view.bib)].append(view)
    return found

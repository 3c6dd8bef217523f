"""A race's entrants as its start lists give them: the newest row of each bib, with its athlete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.core.models import Athlete, Event, Race, Source
from ledger.core.rules import age_on
from ledger.projection import lookup
from ledger.projection.bibs import current_entrants


def bib_order(bib: str | None) -> tuple:
    """Bibs as a race numbers them: 2 before 10, then any that are not numbers."""
    if bib is None:
        return (2, 0, "")
    return (0, int(bib), bib) if bib.isascii() and bib.isdigit() else (1, 0, bib)


def entrants(session: Session, race_slug: str) -> list[dict[str, Any]]:
    """Each entrant of the race in bib order, as the newest start list that gives the bib says."""
    race = lookup.find(session, Race, race_slug)
    day = session.execute(select(Event.date).where(Event.id == race.event_id)).scalar_one()
    rows = session.execute(current_entrants(race.id)).scalars().all()
    names = dict(session.execute(select(Athlete.id, Athlete.name)
                                 .where(Athlete.id.in_({r.athlete_id for r in rows}))).all()) if rows else {}
    sources = dict(session.execute(select(Source.id, Source.slug)).all()) if rows else {}
    return [{"race": race.slug, "bib": r.bib, "name": r.name, "athlete_id": r.athlete_id,
             "athlete": names.get(r.athlete_id), "sex": r.sex,
             "birth_date": r.birth_date.isoformat() if r.birth_date else None, "born": r.born,
             "age": age_on(day, r.birth_date, r.born, r.age), "nationality": r.nationality, "club": r.club,
             "category": r.start_category, "source": sources.get(r.source_id), "seq": r.seq}
            for r in sorted(rows, key=lambda r: bib_order(r.bib))]

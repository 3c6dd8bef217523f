"""Athletes as readers see them: each with the other spellings of their name."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.core.models import Alias, Athlete
from ledger.projection import lookup


def spellings(session: Session, athlete_id: int) -> list[str]:
    return list(session.execute(
        select(Alias.name).where(Alias.athlete_id == athlete_id).order_by(Alias.seq, Alias.name)).scalars())


def current_id(session: Session, athlete_id: int) -> int:
    """The id an athlete's record lives under now: the athlete's own, or the one it was merged into."""
    return lookup.athlete_by_id(session, athlete_id).id


def profile(session: Session, athlete: Athlete) -> dict[str, Any]:
    return {"id": athlete.id, "name": athlete.name, "nationality": athlete.nationality,
            "born": athlete.born, "aliases": [s for s in spellings(session, athlete.id) if s != athlete.name]}


def list_all(session: Session) -> list[dict[str, Any]]:
    others: dict[int, list[str]] = {}
    for athlete_id, name in session.execute(
            select(Alias.athlete_id, Alias.name).join(Athlete).where(Alias.name != Athlete.name)
            .order_by(Alias.seq, Alias.name)):
        others.setdefault(athlete_id, []).append(name)
    return [{"id": a.id, "name": a.name, "nationality": a.nationality, "born": a.born,
             "aliases": others.get(a.id, [])}
            for a in session.execute(select(Athlete).where(Athlete.merged_into.is_(None))
                                     .order_by(Athlete.name, Athlete.id)).scalars()]

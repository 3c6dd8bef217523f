"""Listing events, races and categories."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.core.models import Event, Race
from ledger.projection.lookup import categories_under, find


def list_events(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(select(Event).order_by(Event.date, Event.slug)).scalars()
    return [{"slug": e.slug, "name": e.name, "date": e.date.isoformat(), "place": e.place} for e in rows]


def list_races(session: Session, event: str | None = None) -> list[dict[str, Any]]:
    query = select(Race, Event.slug).join(Event, Race.event_id == Event.id).order_by(Race.slug)
    if event:
        query = query.where(Event.id == find(session, Event, event).id)
    return [{"slug": r.slug, "name": r.name, "distance_m": r.distance_m, "event": ev}
            for r, ev in session.execute(query)]


def event(session: Session, slug: str) -> Event:
    """An event, or the error naming the closest slug."""
    return find(session, Event, slug)


def race(session: Session, slug: str) -> tuple[Race, Event]:
    """A race and its event, or the error naming the closest slug."""
    found = find(session, Race, slug)
    return found, session.get(Event, found.event_id)


def list_categories(session: Session, scope: str | None = None) -> list[dict[str, Any]]:
    return [{"slug": c.slug, "name": c.name, "sex": c.sex, "division": c.division,
             "age_min": c.age_min, "age_max": c.age_max} for c in categories_under(session, scope)]

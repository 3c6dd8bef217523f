"""Events, races, categories and sources: adding them, finding them by slug, listing them."""

from __future__ import annotations

import difflib
from typing import Any, Sequence, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import journal, validate
from ledger.errors import LedgerError
from ledger.models import Category, Event, Race, Source

Model = TypeVar("Model", Event, Race, Category, Source)


def _did_you_mean(session: Session, model: type[Model], slug: str) -> str:
    known = session.execute(select(model.slug)).scalars().all()
    close = difflib.get_close_matches(slug, known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def find(session: Session, model: type[Model], slug: str) -> Model:
    """The row with this slug, or an error that suggests the closest one."""
    row = session.execute(select(model).where(model.slug == slug)).scalar_one_or_none()
    if row is None:
        what = model.__tablename__
        raise LedgerError(f"no {what} {slug!r}{_did_you_mean(session, model, slug)}")
    return row


def _ensure_new(session: Session, model: type[Model], slug: str) -> None:
    if session.execute(select(model.id).where(model.slug == slug)).first():
        raise LedgerError(f"{model.__tablename__} {slug!r} already exists")


def _parent(session: Session, model: type[Model], slug: str) -> Model:
    return find(session, model, slug.rsplit("/", 1)[0])


def _clean(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if value is not None}


def add_event(session: Session, by: str, slug: str, name: str, date: str, place: str | None) -> int:
    validate.slug(slug, 1, "event")
    body = {"slug": slug, "name": validate.text(name, "--name"), "date": validate.date(date), "place": place}
    _ensure_new(session, Event, slug)
    body["id"] = journal.next_id(session, Event.id)
    return journal.append(session, "event", _clean(body), by)


def add_race(session: Session, by: str, slug: str, name: str, distance_m: int) -> int:
    validate.slug(slug, 2, "race")
    body = {"slug": slug, "name": validate.text(name, "--name"),
            "distance_m": validate.positive(distance_m, "distance")}
    _parent(session, Event, slug)
    _ensure_new(session, Race, slug)
    body["id"] = journal.next_id(session, Race.id)
    return journal.append(session, "race", body, by)


def add_category(session: Session, by: str, slug: str, name: str, sex: str | None = None,
                 division: str | None = None, age_min: int | None = None, age_max: int | None = None) -> int:
    validate.slug(slug, 3, "category")
    if age_min is not None and age_max is not None and age_min > age_max:
        raise LedgerError(f"bad age range {age_min}-{age_max}: the minimum is above the maximum")
    body = {"slug": slug, "name": validate.text(name, "--name"),
            "sex": validate.choice(sex, validate.SEXES, "sex") if sex else None,
            "division": division, "age_min": age_min, "age_max": age_max}
    _parent(session, Race, slug)
    _ensure_new(session, Category, slug)
    body["id"] = journal.next_id(session, Category.id)
    return journal.append(session, "category", _clean(body), by)


def add_source(session: Session, by: str, slug: str, name: str, kind: str, url: str | None = None) -> int:
    validate.slug(slug, 1, "source")
    body = {"slug": slug, "name": validate.text(name, "--name"),
            "kind": validate.choice(kind, validate.SOURCE_KINDS, "source kind"), "url": url}
    _ensure_new(session, Source, slug)
    body["id"] = journal.next_id(session, Source.id)
    return journal.append(session, "source", _clean(body), by)


def list_events(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(select(Event).order_by(Event.date, Event.slug)).scalars()
    return [{"slug": e.slug, "name": e.name, "date": e.date.isoformat(), "place": e.place} for e in rows]


def list_races(session: Session, event: str | None = None) -> list[dict[str, Any]]:
    query = select(Race, Event.slug).join(Event, Race.event_id == Event.id).order_by(Race.slug)
    if event:
        query = query.where(Event.id == find(session, Event, event).id)
    return [{"slug": r.slug, "name": r.name, "distance_m": r.distance_m, "event": ev}
            for r, ev in session.execute(query)]


def categories_under(session: Session, scope: str | None) -> Sequence[Category]:
    """Categories below an event, race or category slug (all of them when scope is None)."""
    query = select(Category).order_by(Category.slug)
    if scope:
        depth = scope.count("/") + 1
        model = {1: Event, 2: Race, 3: Category}.get(depth)
        if model is None:
            raise LedgerError(f"bad scope {scope!r}: expected EVENT, EVENT/RACE or EVENT/RACE/CATEGORY")
        find(session, model, scope)
        query = query.where((Category.slug == scope) | Category.slug.startswith(scope + "/", autoescape=True))
    return session.execute(query).scalars().all()


def list_categories(session: Session, scope: str | None = None) -> list[dict[str, Any]]:
    return [{"slug": c.slug, "name": c.name, "sex": c.sex, "division": c.division,
             "age_min": c.age_min, "age_max": c.age_max} for c in categories_under(session, scope)]

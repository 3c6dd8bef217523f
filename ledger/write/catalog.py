"""Events, races, categories and sources: adding them, finding them by slug, listing them."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.core import rules
from ledger.core.errors import LedgerError
from ledger.core.models import Category, Event, Race, Reliance, Source
from ledger.journal.chain import next_id
from ledger.projection import lookup
from ledger.projection.record import record

Model = TypeVar("Model", Event, Race, Category, Source)


def _ensure_new(session: Session, model: type[Model], slug: str) -> None:
    if session.execute(select(model.id).where(model.slug == slug)).first():
        raise LedgerError(f"{model.__tablename__} {slug!r} already exists")


def _parent(session: Session, model: type[Model], slug: str) -> Model:
    return lookup.find(session, model, slug.rsplit("/", 1)[0])


def _clean(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if value is not None}


def add_event(session: Session, by: str, slug: str, name: str, date: str, place: str | None) -> int:
    rules.slug(slug, 1, "event")
    body = {"slug": slug, "name": rules.text(name, "--name"), "date": rules.date(date), "place": place}
    _ensure_new(session, Event, slug)
    body["id"] = next_id(session, Event.id)
    return record(session, "event", _clean(body), by)


def add_race(session: Session, by: str, slug: str, name: str, distance_m: int) -> int:
    rules.slug(slug, 2, "race")
    body = {"slug": slug, "name": rules.text(name, "--name"),
            "distance_m": rules.positive(distance_m, "distance")}
    _parent(session, Event, slug)
    _ensure_new(session, Race, slug)
    body["id"] = next_id(session, Race.id)
    return record(session, "race", body, by)


def add_category(session: Session, by: str, slug: str, name: str, sex: str | None = None,
                 division: str | None = None, age_min: int | None = None, age_max: int | None = None,
                 derived_from: str | None = None) -> int:
    """A category; `derived_from` makes it one derived by its sex and age rule over the entrants from
    another category of the same race (an age group ranked from the overall order)."""
    rules.slug(slug, 3, "category")
    if age_min is not None and age_max is not None and age_min > age_max:
        raise LedgerError(f"bad age range {age_min}-{age_max}: the minimum is above the maximum")
    body = {"slug": slug, "name": rules.text(name, "--name"),
            "sex": rules.sex(sex) if sex else None,
            "division": division, "age_min": age_min, "age_max": age_max}
    race = _parent(session, Race, slug)
    _ensure_new(session, Category, slug)
    if derived_from is not None:
        parent = lookup.find(session, Category, derived_from)
        if parent.race_id != race.id:
            raise LedgerError(f"--derived-from {parent.slug!r} is not a category of {race.slug}; a derived category "
                              "ranks a category of its own race")
        if parent.derived_from_id is not None:
            raise LedgerError(f"--derived-from {parent.slug!r} is itself derived; derive from the category whose "
                              "claims it ranks")
        if sex is None and age_min is None and age_max is None:
            raise LedgerError("a derived category needs a rule: --sex, --age-min or --age-max")
        body["derived_from"] = parent.slug
    body["id"] = next_id(session, Category.id)
    return record(session, "category", _clean(body), by)


def add_source(session: Session, by: str, slug: str, name: str, kind: str, url: str | None = None,
               relies_on: tuple[str, ...] = ()) -> int:
    """A source, maybe depending on others it repeats (a wire copy): see `relies`."""
    rules.slug(slug, 1, "source")
    body: dict[str, Any] = {"slug": slug, "name": rules.text(name, "--name"),
                            "kind": rules.source_kind(kind), "url": url}
    _ensure_new(session, Source, slug)
    others = sorted({lookup.find(session, Source, other).slug for other in relies_on})
    if others:
        body["relies_on"] = others
    body["id"] = next_id(session, Source.id)
    return record(session, "source", _clean(body), by)


def relies(session: Session, by: str, slug: str, other: str, reason: str) -> int:
    """Declare that source `slug` depends on `other`: their claims count as one line of evidence."""
    source, relied_on = lookup.find(session, Source, slug), lookup.find(session, Source, other)
    if source.id == relied_on.id:
        raise LedgerError(f"source {slug!r} cannot rely on itself")
    if session.execute(select(Reliance.seq).where(Reliance.source_id == source.id,
                                                  Reliance.relies_on_id == relied_on.id)).first():
        raise LedgerError(f"source {source.slug!r} is already recorded as relying on {relied_on.slug!r}")
    body = {"source": source.slug, "relies_on": relied_on.slug, "reason": rules.text(reason, "--reason", "reason")}
    return record(session, "source-relies", body, by)

"""Figures: topics, and numbers a source states about a subject, their retraction and rulings on them.

A figure is recorded as the source stated it: exact decimal text, a point or a low and high bound,
a unit, a kind and its period or date. Whether its values make sense as a figure (numbers, low
not above high, a period for a kind over a period, a date for at-date) is the comparison rule's to
say (ledger.core.figure_rule `check_shape`, which `add` calls first, whoever calls it); this module
checks what only the ledger knows: the subject, measure, sources and unit.

Measures are made by the figures that use them: the first figure of a new measure slug names it
(`measure_name`), so a mistyped slug is refused with a suggestion instead of silently starting a
measure whose figures would never be compared with the others.
"""

from __future__ import annotations

import datetime as dt
import difflib
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.core import limits, rules
from ledger.core.errors import LedgerError
from ledger.core.figure_rule import Moment, check_shape
from ledger.core.models import (
    Category,
    Event,
    Figure,
    FigureRuling,
    Measure,
    Race,
    Source,
    Topic,
)
from ledger.journal.chain import next_id
from ledger.projection import lookup
from ledger.projection.record import record

# Units a figure may count in. Persons first; currencies by their ISO 4217 code. Two figures in
# different units are never compared (the rule says so), so one spelling per unit matters.
UNITS = ("persons", "households", "tonnes", "km", "m", "percent",
         "USD", "EUR", "GBP", "CHF", "CNY", "HKD", "JPY", "KRW", "KPW", "RUB", "AUD", "SGD")


def _one_slug(value: str, what: str) -> str:
    try:
        return rules.slug(value, 1, what)
    except LedgerError:
        raise LedgerError(f"bad {what} slug {value!r}: expected lowercase letters, digits and hyphens, "
                          "e.g. dprk-famine") from None


def add_topic(session: Session, by: str, slug: str, name: str) -> int:
    """A subject of figures that is not a race; returns the entry's seq."""
    _one_slug(slug, "topic")
    name = rules.text(name, "--name")
    if session.execute(select(Topic.id).where(Topic.slug == slug)).first():
        raise LedgerError(f"topic {slug!r} already exists")
    if session.execute(select(Event.id).where(Event.slug == slug)).first():
        raise LedgerError(f"{slug!r} is an event already; give the topic a slug of its own")
    return record(session, "topic", {"id": next_id(session, Topic.id), "slug": slug, "name": name}, by)


def unit(value: str) -> str:
    """One of UNITS (currency codes in any case), or an error that lists them."""
    for known in UNITS:
        if value == known or (known.isupper() and value.upper() == known):
            return known
    close = difflib.get_close_matches(value, UNITS, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise LedgerError(f"unknown unit {value!r}: {hint}expected one of {', '.join(UNITS)}")


def subject(session: Session, slug: str) -> tuple[str, str]:
    """The slug and its kind (topic, event, race or category) of what a figure is about."""
    limits.text(slug, "slug", "subject")
    depth = slug.count("/") + 1
    if depth in (2, 3):
        model = Race if depth == 2 else Category
        return lookup.find(session, model, slug).slug, model.__tablename__
    if depth != 1:
        raise LedgerError(f"bad subject {slug!r}: expected a topic, EVENT, EVENT/RACE or EVENT/RACE/CATEGORY")
    found = [model.__tablename__ for model in (Topic, Event)
             if session.execute(select(model.id).where(model.slug == slug)).first()]
    if len(found) == 1:
        return slug, found[0]
    if found:
        raise LedgerError(f"{slug!r} is both a topic and an event; a figure cannot say which it is about")
    known = [*session.execute(select(Topic.slug)).scalars(), *session.execute(select(Event.slug)).scalars()]
    close = difflib.get_close_matches(slug, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? or add" if close else "add"
    raise LedgerError(f"no topic or event {slug!r}; {hint} a topic with: raceledger topic add {slug} --name NAME")


def _measure(session: Session, slug: str, name: str | None) -> dict[str, Any]:
    """The body's measure fields: its slug, and for a new measure its id and name."""
    _one_slug(slug, "measure")
    found = session.execute(select(Measure).where(Measure.slug == slug)).scalar_one_or_none()
    if found is not None:
        if name is not None and rules.text(name, "--measure-name") != found.name:
            raise LedgerError(f"measure {slug!r} is named {found.name!r} already; drop --measure-name")
        return {"measure": slug}
    if name is None:
        known = session.execute(select(Measure.slug)).scalars().all()
        close = difflib.get_close_matches(slug, known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? If not, " if close else ""
        raise LedgerError(f"no measure {slug!r} yet; {hint}name the new measure with --measure-name, "
                          f"e.g. --measure-name {slug.replace('-', ' ').capitalize()!r}")
    return {"measure": slug, "measure_id": next_id(session, Measure.id),
            "measure_name": rules.text(name, "--measure-name")}


def _moment(moment: Moment) -> str:
    return moment.isoformat() if isinstance(moment, dt.date) else f"{moment:04d}"


def _amount(value: Decimal) -> str:
    """Exact decimal text, as typed (2750.50 keeps its zero); `check_shape` has checked it is a number."""
    return f"{value:f}"


def add(session: Session, by: str, about: str, measure: str, source: str, *, low: Decimal, high: Decimal,
        unit_name: str, kind: str, approximately: bool = False, period: tuple[Moment, Moment] | None = None,
        at: Moment | None = None, method: str | None = None, measure_name: str | None = None,
        via: str | None = None, url: str | None = None, quote: str | None = None,
        published: str | None = None) -> int:
    """Record one figure, refused unless the rule can weigh its shape (`check_shape`); returns its id."""
    check_shape(low, high, unit_name, kind, approximately, period, at)
    body: dict[str, Any] = {"low": _amount(low), "high": _amount(high), "approximately": approximately,
                            "unit": unit(unit_name), "kind": kind}
    body["subject"], body["subject_kind"] = subject(session, about)
    body.update(_measure(session, measure, measure_name))
    body["source"] = lookup.find(session, Source, source).slug
    if via is not None:
        body["via"] = lookup.find(session, Source, via).slug
    if period is not None:
        body["period"] = [_moment(period[0]), _moment(period[1])]
    if at is not None:
        body["at"] = _moment(at)
    if method is not None:
        body["method"] = rules.text(method, "--method", "method")
    citation = {"url": url, "quote": quote,
                "published": rules.date(published, "--published date") if published else None}
    if any(citation.values()):
        body["citation"] = {key: value for key, value in citation.items() if value is not None}
    body["id"] = next_id(session, Figure.id)
    record(session, "figure", body, by)
    return body["id"]


def _figure(session: Session, figure_id: int) -> Figure:
    figure = session.get(Figure, limits.whole(figure_id, "id", "figure id"))
    if figure is None:
        raise LedgerError(f"no figure {figure_id}; figure ids are shown by: raceledger figures")
    return figure


def retract(session: Session, by: str, figure_id: int, reason: str) -> int:
    """The source withdrew or corrected the figure: it stays shown but is never weighed. Returns the seq."""
    reason = rules.text(reason, "--reason", "reason")
    figure = _figure(session, figure_id)
    if figure.retracted_seq is not None:
        raise LedgerError(f"figure {figure_id} was already retracted by journal entry {figure.retracted_seq} "
                          f"({figure.retraction_reason}); nothing was written")
    return record(session, "figure-retract", {"figure": figure_id, "reason": reason}, by)


def rule(session: Session, by: str, figure_id: int, decided_by: str, reason: str, decided: str | None = None) -> int:
    """An official body decides that one figure holds for its subject and measure; returns the ruling's id."""
    body: dict[str, Any] = {"accept": figure_id, "by": rules.text(decided_by, "--by", "decided by"),
                            "reason": rules.text(reason, "--reason", "reason")}
    if decided:
        body["decided"] = rules.date(decided, "--decided date")
    figure = _figure(session, figure_id)
    if figure.retracted_seq is not None:
        raise LedgerError(f"figure {figure_id} is retracted ({figure.retraction_reason}); accept a live figure")
    body["id"] = next_id(session, FigureRuling.id)
    record(session, "figure-rule", body, by)
    return body["id"]

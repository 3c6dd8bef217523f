"""Derived tables from journal entries: `apply` is a pure function of each entry, per kind."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ledger.core.errors import LedgerError
from ledger.core.models import (
    NOT_RETRACTED,
    Alias,
    Athlete,
    Category,
    Citation,
    Claim,
    Event,
    Figure,
    FigureRuling,
    Measure,
    Race,
    Reliance,
    Ruling,
    Source,
    Topic,
)
from ledger.core.names import name_key
from ledger.projection import bibs, contests, scopes
from ledger.projection.batch import finish_entry
from ledger.projection.import_rows import import_entry
from ledger.projection.merge import merge_entry
from ledger.projection.origin import origin_entry
from ledger.store import bulk

Body = dict[str, Any]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _id_of(session: Session, model, slug: str) -> int:
    found = session.execute(select(model.id).where(model.slug == slug)).scalar()
    if found is None:
        raise LedgerError(f"journal refers to unknown {model.__tablename__} {slug!r}")
    return found


def _event(session: Session, seq: int, body: Body) -> None:
    session.execute(insert(Event).values(
        id=body["id"], slug=body["slug"], name=body["name"], date=_date(body["date"]),
        place=body.get("place"), seq=seq))


def _race(session: Session, seq: int, body: Body) -> None:
    event_slug = body["slug"].rsplit("/", 1)[0]
    session.execute(insert(Race).values(
        id=body["id"], event_id=_id_of(session, Event, event_slug), slug=body["slug"],
        name=body["name"], distance_m=body["distance_m"], seq=seq))


def _category(session: Session, seq: int, body: Body) -> None:
    race_slug = body["slug"].rsplit("/", 1)[0]
    session.execute(insert(Category).values(
        id=body["id"], race_id=_id_of(session, Race, race_slug), slug=body["slug"], name=body["name"],
        sex=body.get("sex"), division=body.get("division"),
        age_min=body.get("age_min"), age_max=body.get("age_max"), seq=seq,
        derived_from_id=_id_of(session, Category, body["derived_from"]) if "derived_from" in body else None))


def _source(session: Session, seq: int, body: Body) -> None:
    session.execute(insert(Source).values(
        id=body["id"], slug=body["slug"], name=body["name"], kind=body["kind"],
        url=body.get("url"), seq=seq))
    for other in body.get("relies_on", []):
        session.execute(insert(Reliance).values(
            source_id=body["id"], relies_on_id=_id_of(session, Source, other), seq=seq, reason=None))


def _source_relies(session: Session, seq: int, body: Body) -> None:
    session.execute(insert(Reliance).values(
        source_id=_id_of(session, Source, body["source"]), relies_on_id=_id_of(session, Source, body["relies_on"]),
        seq=seq, reason=body["reason"]))


def _athlete(session: Session, seq: int, body: Body) -> None:
    session.execute(insert(Athlete).values(
        id=body["id"], name=body["name"], key=name_key(body["name"]), nationality=body.get("nationality"),
        born=body.get("born"), seq=seq))
    # The display name's key is on the athlete row; the alias table holds the other spellings.
    spellings = {name_key(n): n for n in body.get("aliases", []) if n != body["name"]}
    if spellings:
        session.execute(insert(Alias), [
            {"athlete_id": body["id"], "key": key, "name": name, "seq": seq} for key, name in spellings.items()
        ])


def claim_row(session: Session, seq: int, body: Body) -> dict[str, Any]:
    """The claim table row for a claim body (shared with bulk kinds that carry many claims)."""
    citation = body.get("citation", {})
    return {
        "id": body["id"], "seq": seq,
        "category_id": _id_of(session, Category, body["category"]),
        "source_id": _id_of(session, Source, body["source"]),
        "via_id": _id_of(session, Source, body["via"]) if "via" in body else None,
        "athlete_id": body.get("athlete"), "unnamed": body.get("unnamed"),
        "as_written": body.get("as_written"), "position": body.get("position"),
        "time_ms": body.get("time_ms"), "time_decimals": body.get("time_decimals", 0),
        "net_time_ms": body.get("net_time_ms"), "net_time_decimals": body.get("net_time_decimals", 0),
        "status": body["status"], "status_note": body.get("status_note"), "url": citation.get("url"), "quote": citation.get("quote"),
        "published": _date(citation.get("published")), "retrieved": _date(citation.get("retrieved")),
    }


def _claim(session: Session, seq: int, body: Body) -> None:
    row = claim_row(session, seq, body)
    session.execute(insert(Claim).values(**row))
    contests.refresh(session, row["category_id"], () if row["position"] is None else (row["position"],),
                     () if row["athlete_id"] is None else (row["athlete_id"],))


def _cite(session: Session, seq: int, body: Body) -> None:
    citation = body["citation"]
    session.execute(insert(Citation).values(
        seq=seq, claim_id=body["claim"], via_id=_id_of(session, Source, body["via"]) if "via" in body else None,
        url=citation.get("url"), quote=citation.get("quote"), published=_date(citation.get("published")),
        retrieved=_date(citation.get("retrieved"))))


def _retract(session: Session, seq: int, body: Body) -> None:
    done = session.execute(update(Claim).where(Claim.id == body["claim"], NOT_RETRACTED)
                           .values(retracted_seq=seq, retraction_reason=body["reason"]))
    if done.rowcount != 1:
        raise LedgerError(f"journal entry {seq} retracts claim {body['claim']}, which is unknown or already retracted")
    contests.refresh_claims(session, (body["claim"],))
    bibs.refresh_claims(session, (body["claim"],))


def _rule(session: Session, seq: int, body: Body) -> None:
    session.execute(insert(Ruling).values(
        id=body["id"], seq=seq, category_id=_id_of(session, Category, body["category"]),
        position=body.get("position"), accepted_claim_id=body.get("accept"), athlete_id=body.get("athlete"),
        status=body.get("status"), decided_by=body["by"], reason=body["reason"], decided=_date(body.get("decided")),
        vacate=body.get("vacate")))


def _entrants(session: Session, seq: int, body: Body) -> None:
    """A start list: the athletes it makes (new ids consecutive in row order), then a row per entrant,
    written in bulk (ledger.store.bulk): a start list can hold tens of thousands of runners."""
    race_id = _id_of(session, Race, body["race"])
    source_id = _id_of(session, Source, body["source"])
    expected, athletes, entrants = body["first_athlete_id"], [], []
    for row in body["entrants"]:
        get = row.get
        if row["athlete"] >= body["first_athlete_id"]:
            if row["athlete"] != expected:
                raise LedgerError(f"journal entry {seq}: line {row['line']} creates athlete #{row['athlete']}, "
                                  f"expected #{expected} (new athletes are numbered in row order)")
            athletes.append((expected, row["name"], name_key(row["name"]), get("nationality"), get("born"), seq))
            expected += 1
        entrants.append((race_id, row["bib"], seq, row["athlete"], source_id, row["line"], row["name"], get("sex"),
                         get("birth_date"), get("born"), get("age"), get("nationality"), get("club"), get("group")))
    insert_rows = bulk.inserter(session)
    if athletes:
        insert_rows("athlete", ("id", "name", "key", "nationality", "born", "seq"), athletes)
    insert_rows("entrant", ("race_id", "bib", "seq", "athlete_id", "source_id", "line", "name", "sex", "birth_date",
                            "born", "age", "nationality", "club", "start_category"), entrants)
    bibs.refresh(session, race_id)


def _topic(session: Session, seq: int, body: Body) -> None:
    session.execute(insert(Topic).values(id=body["id"], slug=body["slug"], name=body["name"], seq=seq))


def _measure_id(session: Session, seq: int, body: Body) -> int:
    """The figure's measure: made by this entry when it names a new one (`measure_name`)."""
    if "measure_name" in body:
        session.execute(insert(Measure).values(
            id=body["measure_id"], slug=body["measure"], name=body["measure_name"], seq=seq))
    return _id_of(session, Measure, body["measure"])


def _figure(session: Session, seq: int, body: Body) -> None:
    citation, period = body.get("citation", {}), body.get("period") or (None, None)
    session.execute(insert(Figure).values(
        id=body["id"], seq=seq, subject=body["subject"], subject_kind=body["subject_kind"],
        measure_id=_measure_id(session, seq, body), low=body["low"], high=body["high"],
        approximately=body["approximately"], unit=body["unit"], kind=body["kind"],
        period_start=period[0], period_end=period[1], at=body.get("at"), method=body.get("method"),
        source_id=_id_of(session, Source, body["source"]),
        via_id=_id_of(session, Source, body["via"]) if "via" in body else None,
        url=citation.get("url"), quote=citation.get("quote"), published=_date(citation.get("published"))))


def _figure_retract(session: Session, seq: int, body: Body) -> None:
    done = session.execute(update(Figure).where(Figure.id == body["figure"], Figure.retracted_seq.is_(None))
                           .values(retracted_seq=seq, retraction_reason=body["reason"]))
    if done.rowcount != 1:
        raise LedgerError(f"journal entry {seq} retracts figure {body['figure']}, "
                          "which is unknown or already retracted")


def _figure_rule(session: Session, seq: int, body: Body) -> None:
    session.execute(insert(FigureRuling).values(
        id=body["id"], seq=seq, figure_id=body["accept"], decided_by=body["by"], reason=body["reason"],
        decided=_date(body.get("decided"))))


HANDLERS: dict[str, Callable[[Session, int, Body], None]] = {
    "event": _event,
    "race": _race,
    "category": _category,
    "source": _source,
    "athlete": _athlete,
    "claim": _claim,
    "import": import_entry,
    "merge": merge_entry,
    "cite": _cite,
    "source-relies": _source_relies,
    "retract": _retract,
    "rule": _rule,
    "entrants": _entrants,
    "finish": finish_entry,
    "topic": _topic,
    "figure": _figure,
    "figure-retract": _figure_retract,
    "figure-rule": _figure_rule,
    "origin": origin_entry,
}


def apply(session: Session, seq: int, kind: str, body: Body) -> None:
    try:
        handler = HANDLERS[kind]
    except KeyError:
        raise LedgerError(f"journal entry {seq} has unknown kind {kind!r}") from None
    handler(session, seq, body)
    scopes.touch(session, seq, kind, body)

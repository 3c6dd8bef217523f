"""Athletes and their spellings: adding them and finding them by any name they are known by."""

from __future__ import annotations

import difflib
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ledger import journal, validate
from ledger.errors import LedgerError
from ledger.models import Alias, Athlete
from ledger.names import name_key


def matching(session: Session, name: str) -> list[Athlete]:
    """Athletes (not merged into another) whose name or any other spelling has the same key as `name`."""
    key = name_key(name)
    by_alias = select(Alias.athlete_id).where(Alias.key == key)
    return list(session.execute(
        select(Athlete).where(Athlete.merged_into.is_(None), or_(Athlete.key == key, Athlete.id.in_(by_alias)))
        .order_by(Athlete.id)).scalars())


def by_id(session: Session, athlete_id: int) -> Athlete:
    """The athlete with this id, or the one it was merged into (merged records live on as spellings)."""
    athlete = session.get(Athlete, athlete_id)
    if athlete is None:
        raise LedgerError(f"no athlete with id #{athlete_id}")
    while athlete.merged_into is not None:
        athlete = session.get(Athlete, athlete.merged_into)
    return athlete


def find(session: Session, name: str) -> Athlete:
    """One athlete by name, alias or `#ID`; an error if none or several match."""
    if name.startswith("#") and name[1:].isdigit():
        return by_id(session, int(name[1:]))
    found = matching(session, name)
    if len(found) > 1:
        ids = ", ".join(f"#{a.id} {a.name}" for a in found)
        raise LedgerError(f"{name!r} matches {len(found)} athletes ({ids}); name one by its id, e.g. '#{found[0].id}'")
    if not found:
        known = [*session.execute(select(Athlete.name).where(Athlete.merged_into.is_(None))).scalars(),
                 *session.execute(select(Alias.name)).scalars()]
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.7)
        hint = f"did you mean {close[0]!r}? or add" if close else "add"
        raise LedgerError(f"no athlete {name!r}; {hint} them with: raceledger athlete add {name!r}")
    return found[0]


def add(session: Session, by: str, name: str, nationality: str | None = None, born: int | None = None,
        aliases: tuple[str, ...] = ()) -> int:
    name = validate.text(name, "athlete name")
    body: dict[str, Any] = {"name": name}
    if nationality:
        body["nationality"] = validate.nationality(nationality)
    if born is not None:
        body["born"] = validate.birth_year(born)
    spellings = [validate.text(a, "--alias") for a in aliases]
    if spellings:
        body["aliases"] = spellings
    body["id"] = journal.next_id(session, Athlete.id)
    return journal.append(session, "athlete", body, by)


def spellings(session: Session, athlete_id: int) -> list[str]:
    return list(session.execute(
        select(Alias.name).where(Alias.athlete_id == athlete_id).order_by(Alias.seq, Alias.name)).scalars())


def describe(session: Session, athlete: Athlete) -> dict[str, Any]:
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

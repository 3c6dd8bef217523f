"""Athletes and their spellings: adding them and finding them by any name they are known by."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ledger.core import rules
from ledger.core.models import Athlete
from ledger.journal.chain import next_id
from ledger.projection.record import record


def add(session: Session, by: str, name: str, nationality: str | None = None, born: int | None = None,
        aliases: tuple[str, ...] = ()) -> int:
    name = rules.text(name, "athlete name")
    body: dict[str, Any] = {"name": name}
    if nationality:
        body["nationality"] = rules.nationality(nationality)
    if born is not None:
        body["born"] = rules.birth_year(born)
    spellings = [rules.text(a, "--alias") for a in aliases]
    if spellings:
        body["aliases"] = spellings
    body["id"] = next_id(session, Athlete.id)
    return record(session, "athlete", body, by)

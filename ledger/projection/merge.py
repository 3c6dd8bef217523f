"""The projection of a `merge` entry: two athlete records found to be one person."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ledger.core.errors import LedgerError
from ledger.core.models import Alias, Athlete, Category, Claim, Entrant, Ruling
from ledger.projection import bibs, contests


def merge_entry(session: Session, seq: int, body: dict[str, Any]) -> None:
    """OTHER is the same person as KEEP: its claims move to KEEP, its spellings become KEEP's.

    OTHER's own row stays (marked merged_into), as do the names its claims were written with.
    KEEP takes OTHER's nationality and birth year only where it has none.
    """
    keep_id, other_id = body["keep"], body["other"]
    keep, other = session.get(Athlete, keep_id), session.get(Athlete, other_id)
    for athlete, number in ((keep, keep_id), (other, other_id)):
        if athlete is None:
            raise LedgerError(f"journal entry {seq} merges unknown athlete #{number}")
        if athlete.merged_into is not None:
            raise LedgerError(f"journal entry {seq} merges #{number}, already merged into #{athlete.merged_into}")
    if keep_id == other_id:
        raise LedgerError(f"journal entry {seq} merges athlete #{keep_id} with itself")
    taken = set(session.execute(select(Alias.key).where(Alias.athlete_id == keep_id)).scalars())
    spellings = [(other.key, other.name)]
    spellings += session.execute(select(Alias.key, Alias.name).where(Alias.athlete_id == other_id)
                                 .order_by(Alias.seq, Alias.name)).all()
    added = []
    for spelling_key, spelling in spellings:
        if spelling_key not in taken and spelling != keep.name:
            taken.add(spelling_key)
            added.append({"athlete_id": keep_id, "key": spelling_key, "name": spelling, "seq": seq})
    if added:
        session.execute(insert(Alias), added)
    fill = {}
    if keep.nationality is None and other.nationality is not None:
        fill["nationality"] = other.nationality
    if keep.born is None and other.born is not None:
        fill["born"] = other.born
    if fill:
        session.execute(update(Athlete).where(Athlete.id == keep_id).values(**fill))
    session.execute(update(Athlete).where((Athlete.id == other_id) | (Athlete.merged_into == other_id))
                    .values(merged_into=keep_id))
    moved: dict[int, set[int]] = {}
    for category_id, position in session.execute(
            select(Claim.category_id, Claim.position).where(Claim.athlete_id == other_id)):
        positions = moved.setdefault(category_id, set())
        if position is not None:
            positions.add(position)
    session.execute(update(Claim).where(Claim.athlete_id == other_id).values(athlete_id=keep_id))
    session.execute(update(Ruling).where(Ruling.athlete_id == other_id).values(athlete_id=keep_id))
    races = set(session.execute(select(Entrant.race_id).where(Entrant.athlete_id == other_id)).scalars())
    session.execute(update(Entrant).where(Entrant.athlete_id == other_id).values(athlete_id=keep_id))
    races |= set(session.execute(select(Category.race_id).where(Category.id.in_(sorted(moved)))).scalars())
    for race_id in sorted(races):  # one runner fewer holding these races' bibs
        bibs.refresh(session, race_id)
    for category_id, positions in moved.items():  # one identity fewer at these placings
        contests.refresh(session, category_id, positions, (keep_id, other_id))
    session.expire_all()

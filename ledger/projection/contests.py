"""Contests: the placings and athletes of a category whose live claims could disagree.

Finding disputes by grouping every claim at read time costs seconds on a ledger of a million
claims, so each entry that adds, retracts or moves claims refreshes the groups it touched, in
its own transaction, and readers visit only the claims of contested groups. A group is contested
when its live claims could disagree under any tolerance: at one placing, two identities (every
unnamed athlete counts as one); for one athlete, two positions, statuses, times or net times.
Whether they do disagree (the tolerance, ties, rulings) is for ledger.read.verdicts to say.
"""

from __future__ import annotations

from itertools import islice
from typing import Iterable, Iterator

from sqlalchemy import bindparam, delete, func, insert, literal_column, or_, select
from sqlalchemy.orm import Session

from ledger.core.models import NOT_RETRACTED, Claim, Contest

POSITION, ATHLETE = "position", "athlete"
# Every group of the category (instead of a list of positions or athletes).
EVERY = None
# Keys per IN list: well inside every database's limit on bound parameters.
_BATCH = 500


def _batches(keys: Iterable[int]) -> Iterator[list[int]]:
    iterator = iter(sorted(set(keys)))
    while batch := list(islice(iterator, _BATCH)):
        yield batch


def _contested(kind: str, column, category_id: int):
    """The rows of `contest` for one kind: a query over the category's live claims, grouped."""
    if kind == POSITION:
        identity = func.coalesce(Claim.athlete_id, 0)
        disagree = func.min(identity) != func.max(identity)
    else:
        disagree = or_(*(func.min(c) != func.max(c) for c in (Claim.position, Claim.status, Claim.time_ms,
                                                               Claim.net_time_ms)))
    return (select(Claim.category_id, literal_column(f"'{kind}'"), column)
            .where(Claim.category_id == category_id, NOT_RETRACTED, column.is_not(None))
            .group_by(Claim.category_id, column).having(disagree))


def _refresh(session: Session, kind: str, column, category_id: int, keys: Iterable[int] | None) -> None:
    stale = delete(Contest).where(Contest.category_id == category_id, Contest.kind == kind)
    query = _contested(kind, column, category_id)
    if keys is EVERY:
        session.execute(stale)
        session.execute(insert(Contest).from_select(["category_id", "kind", "key"], query))
        return
    for batch in _batches(keys):
        session.execute(stale.where(Contest.key.in_(batch)))
        session.execute(insert(Contest).from_select(["category_id", "kind", "key"], query.where(column.in_(batch))))


def refresh(session: Session, category_id: int, positions: Iterable[int] | None = (),
            athletes: Iterable[int] | None = ()) -> None:
    """Recompute these placings and athletes of a category (EVERY: all of them) from its live claims."""
    _refresh(session, POSITION, Claim.position, category_id, positions)
    _refresh(session, ATHLETE, Claim.athlete_id, category_id, athletes)


def shared(session: Session, category_id: int, positions: set[int], athletes: set[int]) -> bool:
    """Whether a live claim of the category already holds one of these positions or athletes: only
    then can new claims with them make or change a contest, since a group of one claim contests
    nothing. Past _BATCH keys, whether the category has any live claim at all."""
    if len(positions) + len(athletes) > _BATCH:
        return session.connection().execute(_ANY_LIVE, {"category": category_id}).first() is not None
    return session.connection().execute(_HELD, {"category": category_id, "positions": sorted(positions),
                                                "athletes": sorted(athletes)}).first() is not None


_LIVE_IN = (Claim.category_id == bindparam("category"), NOT_RETRACTED)
_ANY_LIVE = select(Claim.id).where(*_LIVE_IN).limit(1)
_HELD = select(Claim.id).where(*_LIVE_IN, or_(Claim.position.in_(bindparam("positions", expanding=True)),
                                               Claim.athlete_id.in_(bindparam("athletes", expanding=True)))).limit(1)


def refresh_claims(session: Session, claim_ids: Iterable[int]) -> None:
    """Recompute the groups these claims belong to (after they were retracted, say)."""
    groups: dict[int, tuple[set[int], set[int]]] = {}
    for batch in _batches(claim_ids):
        for category_id, position, athlete_id in session.execute(
                select(Claim.category_id, Claim.position, Claim.athlete_id).where(Claim.id.in_(batch))):
            positions, athletes = groups.setdefault(category_id, (set(), set()))
            if position is not None:
                positions.add(position)
            if athlete_id is not None:
                athletes.add(athlete_id)
    for category_id, (positions, athletes) in groups.items():
        refresh(session, category_id, positions, athletes)

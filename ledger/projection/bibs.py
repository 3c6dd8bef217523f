"""A race's runners by bib: the start list's entrants and the bibs sources gave with their claims.

The bib is how a race knows a runner. Every writer that meets a bib in a race (a start list, a
results file, a finish order) asks `RaceBibs` who holds it, so that one runner is one athlete
whichever source names them; a name that does not fit the bib's runner is never merged with them
(ledger.read.bib_disputes lists it).
"""

from __future__ import annotations

from itertools import islice
from typing import Iterable

from sqlalchemy import bindparam, delete, func, insert, null, select, union_all
from sqlalchemy.orm import Session

from ledger.core.models import LIVE_BIBS, Athlete, BibContest, Category, Claim, Entrant
from ledger.core.names import name_key, order_free


class Holder:
    """Who holds a bib in a race: the athlete, and the names they go by there (keys made when asked)."""

    __slots__ = ("athlete_id", "names", "_keys")

    def __init__(self, athlete_id: int, names: list[str]) -> None:
        self.athlete_id, self.names, self._keys = athlete_id, names, None

    @property
    def keys(self) -> frozenset[str]:
        """The order-free keys of the names (`Korir, Wesley` and `Wesley Korir` give one)."""
        if self._keys is None:
            self._keys = frozenset(order_free(name_key(n)) for n in self.names if n)
        return self._keys


def current_entrants(race_id: int):
    """The newest entrant row of each bib of a race: a later start list changes what an earlier said."""
    newest = (select(Entrant.bib, func.max(Entrant.seq).label("seq")).where(Entrant.race_id == race_id)
              .group_by(Entrant.bib).subquery())
    return (select(Entrant).join(newest, (Entrant.bib == newest.c.bib) & (Entrant.seq == newest.c.seq))
            .where(Entrant.race_id == race_id))


def _claimed(race_id: int):
    """The race's live claims that give a bib, earliest first: the first holds a bib no start list gives."""
    return (select(Claim.bib, Claim.athlete_id).join(Category, Claim.category_id == Category.id)
            .where(Category.race_id == race_id, LIVE_BIBS, Claim.athlete_id.is_not(None)).order_by(Claim.id))


def holders(session: Session, race_id: int) -> dict[str, int]:
    """Each bib of one race and the athlete who holds it, by RaceBibs' rule without the names: all
    that a finish order by bib needs, in two plain queries."""
    connection = session.connection()
    # current_entrants' rule in one index scan: a bib's rows come oldest first, so the newest stays.
    listed = select(Entrant.bib, Entrant.athlete_id).where(Entrant.race_id == race_id).order_by(Entrant.bib, Entrant.seq)
    held: dict[str, int] = dict(connection.execute(listed).all())
    for bib, athlete_id in connection.execute(_claimed(race_id)):
        held.setdefault(bib, athlete_id)
    return held


class RaceBibs:
    """Each bib of one race with the athlete who holds it and the names they go by there (loaded once
    per write, no query per row), for writers that match a name to a bib.

    The start list speaks first; a bib it does not give is held by the athlete of the earliest live
    claim that gives it."""

    def __init__(self, session: Session, race_id: int) -> None:
        self.race_id = race_id
        self.by_bib: dict[str, Holder] = {}
        self.bib_of: dict[int, str] = {}
        connection = session.connection()  # plain rows: a start list or a race's claims can be long
        listed = (current_entrants(race_id).join(Athlete, Entrant.athlete_id == Athlete.id)
                  .with_only_columns(Entrant.bib, Entrant.athlete_id, Entrant.name, Athlete.name))
        for bib, athlete_id, written, name in connection.execute(listed):
            self._hold(bib, athlete_id, [written, name])
        claimed = _claimed(race_id).join(Athlete, Claim.athlete_id == Athlete.id).add_columns(Claim.as_written, Athlete.name)
        for bib, athlete_id, written, name in connection.execute(claimed):
            holder = self.by_bib.get(bib)
            if holder is None:
                self._hold(bib, athlete_id, [written, name])
            elif holder.athlete_id == athlete_id and written and written not in holder.names:
                holder.names.append(written)

    def _hold(self, bib: str, athlete_id: int, names: list[str]) -> None:
        self.by_bib[bib] = Holder(athlete_id, names)
        self.bib_of.setdefault(athlete_id, bib)

    def athlete(self, bib: str | None, name: str) -> int | None:
        """The athlete who holds `bib` in this race, when `name` fits them; None otherwise."""
        if not bib:
            return None
        holder = self.by_bib.get(bib)
        if holder is None or order_free(name_key(name)) not in holder.keys:
            return None
        return holder.athlete_id

    def holds_other_bib(self, athlete_id: int, bib: str | None) -> bool:
        """The athlete runs this race under another bib: a row with `bib` is someone else."""
        held = self.bib_of.get(athlete_id)
        return held is not None and bib is not None and held != bib


# --- bib contests: the bibs a race's live claims or start list give to names of two runners -------

EVERY = None


def side_key(as_written: str | None, athlete: str | None) -> str:
    """The name one side of a bib goes by (a claim's name as written, else its athlete's; an
    entrant's name), as a key that compatible names share (ledger.core.names.compatible)."""
    return order_free(name_key(as_written or athlete or ""))


def refresh(session: Session, race_id: int, bibs: Iterable[str] | None = EVERY) -> None:
    """Recompute these bibs of a race (EVERY: all of them) from its live claims and current entrants."""
    if bibs is EVERY:
        _refresh(session, race_id, None)
        return
    wanted = iter(sorted(set(b for b in bibs if b is not None)))
    while batch := list(islice(wanted, 500)):
        _refresh(session, race_id, batch)


def _refresh(session: Session, race_id: int, batch: list[str] | None) -> None:
    """A bib is contested when its live claims and entrant name two athletes by names that cannot be
    one runner's. Two athlete records under compatible names (namesakes a ledger recorded before
    claims were linked by bib) are one runner: no dispute, so no row for a reader to filter out.

    The bibs given to two athletes are read first, then their names by those bibs, 500 at a time: as
    one statement (names where the bib is in a subquery), PostgreSQL without statistics (a `load`,
    one transaction) planned it as a loop over the race's claims that took minutes."""
    claimed = (select(Claim.bib.label("bib"), Claim.athlete_id.label("athlete_id"))
               .join(Category, Claim.category_id == Category.id)
               .where(Category.race_id == race_id, LIVE_BIBS, Claim.athlete_id.is_not(None)))
    listed = current_entrants(race_id).with_only_columns(Entrant.bib.label("bib"),
                                                         Entrant.athlete_id.label("athlete_id"))
    stale = delete(BibContest).where(BibContest.race_id == race_id)
    if batch is not None:
        claimed, listed = claimed.where(Claim.bib.in_(batch)), listed.where(Entrant.bib.in_(batch))
        stale = stale.where(BibContest.bib.in_(batch))
    both = union_all(claimed, listed).subquery()
    connection = session.connection()
    shared = iter(connection.execute(select(both.c.bib).group_by(both.c.bib)  # given to two athletes
                                     .having(func.min(both.c.athlete_id) != func.max(both.c.athlete_id))).scalars().all())
    names: dict[str, set[str]] = {}
    while bibs := list(islice(shared, 500)):
        for bib, written, athlete in connection.execute(_SAID, {"race": race_id, "bibs": bibs}):
            names.setdefault(bib, set()).add(written or athlete or "")
    session.execute(stale)
    contested = [{"race_id": race_id, "bib": bib} for bib, said in names.items()  # one spelling: one runner
                 if len(said) > 1 and len({side_key(name, None) for name in said}) > 1]
    if contested:
        session.execute(insert(BibContest), contested)


# The names that live claims and current entrants of race :race give with bibs :bibs.
_SAID = union_all(
    select(Claim.bib, Claim.as_written, Athlete.name).join(Category, Claim.category_id == Category.id)
    .outerjoin(Athlete, Claim.athlete_id == Athlete.id)
    .where(Category.race_id == bindparam("race"), LIVE_BIBS, Claim.bib.in_(bindparam("bibs", expanding=True))),
    current_entrants(bindparam("race")).with_only_columns(Entrant.bib, Entrant.name, null())
    .where(Entrant.bib.in_(bindparam("bibs", expanding=True))))


def race_has_bibs(session: Session, race_id: int) -> bool:
    """Whether any live claim or entrant of the race gives a bib yet."""
    claimed = (select(Claim.id).join(Category, Claim.category_id == Category.id)
               .where(Category.race_id == race_id, LIVE_BIBS).limit(1))
    listed = select(Entrant.seq).where(Entrant.race_id == race_id).limit(1)
    return any(session.execute(q).first() is not None for q in (claimed, listed))


def race_of(session: Session, category_id: int) -> int:
    return session.execute(select(Category.race_id).where(Category.id == category_id)).scalar_one()


def refresh_claims(session: Session, claim_ids: Iterable[int]) -> None:
    """Recompute the bibs these claims give (after they were withdrawn or moved)."""
    found: dict[int, set[str]] = {}
    ids = iter(sorted(set(claim_ids)))
    while batch := list(islice(ids, 500)):
        for race_id, bib in session.execute(select(Category.race_id, Claim.bib).join(Category, Claim.category_id == Category.id)
                                            .where(Claim.id.in_(batch), Claim.bib.is_not(None))):
            found.setdefault(race_id, set()).add(bib)
    for race_id, bibs in found.items():
        refresh(session, race_id, bibs)

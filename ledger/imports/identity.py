"""Athlete identity for imports: link only on an exact, uncontradicted, unique match; report the rest.

A row links to an existing athlete when its name key (case, accents, hyphens, spaces) equals the
key of exactly one athlete's name or other spelling, and nationality and birth year, where both
sides have them, agree. Anything less creates a new athlete: two records of one person can be
merged later (`athlete merge`), two people wrongly made one cannot be told apart again. Near
misses (another spelling, a transliteration, surname first) are reported, never merged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.core.models import Alias, Athlete

NO_MATCH = 0
AMBIGUOUS = -1      # the name is the name of several athletes
CONTRADICTED = -2   # the name matches, nationality or birth year does not

_DOUBLES = re.compile(r"(.)\1+")
# Spelling differences transliterations make (Mikhail / Michail, Jon / John, Ph / F, W / V, Y / I, Qv / Qu).
_FOLDS = (("ph", "f"), ("h", ""), ("qu", "kv"), ("c", "k"), ("q", "k"), ("w", "v"), ("y", "i"), ("j", "i"),
          ("z", "s"))

Known = tuple[int, "str | None", "int | None"]
# How many other athletes a report names for one possible duplicate.
SHOWN = 5


def fold(key: str) -> str:
    """A looser key: parts in sorted order (surname first or last), common transliterations folded."""
    parts = []
    for part in key.split():
        for old, new in _FOLDS:
            part = part.replace(old, new)
        parts.append(_DOUBLES.sub(r"\1", part))
    return " ".join(sorted(parts))


@dataclass(frozen=True)
class Duplicate:
    """A new athlete that may be the same person as existing ones (shown after an import)."""

    athlete: int
    name: str
    line: int
    others: tuple[int, ...]  # the first few
    reason: str
    count: int = 0  # how many others in all


class Directory:
    """Every live athlete by name key, loaded once per import: no query per row."""

    def __init__(self, session: Session) -> None:
        self.by_key: dict[str, list[Known]] = {}
        live = Athlete.merged_into.is_(None)
        # Through Core in chunks, unpacked as plain tuples, one nationality text shared by all who hold
        # it: on a ledger of a million athletes, 60% of the time and a third of the memory of ORM rows.
        connection = session.connection()
        rows = connection.execute(select(Athlete.key, Athlete.id, Athlete.nationality, Athlete.born).where(live)
                                  .execution_options(yield_per=10_000))  # fetched in chunks, not row by row
        codes: dict[str | None, str | None] = {}
        for key, athlete, nationality, born in rows:  # one row per athlete: no repeats
            known = (athlete, codes.setdefault(nationality, nationality), born)
            found = self.by_key.get(key)
            if found is None:
                self.by_key[key] = [known]
            else:
                found.append(known)
        spellings = connection.execute(select(Alias.key, Athlete.id, Athlete.nationality, Athlete.born)
                                       .join(Athlete, Alias.athlete_id == Athlete.id).where(live))
        for key, *known in spellings:  # few; one may repeat its athlete's own key
            found = self.by_key.setdefault(key, [])
            if all(k[0] != known[0] for k in found):
                found.append(tuple(known))
        self._folded: dict[str, list[str]] | None = None

    def __bool__(self) -> bool:
        return bool(self.by_key)

    def match(self, key: str, nationality: str | None, born: int | None) -> int:
        """The id of the one athlete this name, nationality and birth year identify, else a code < 1."""
        found = self.by_key.get(key)
        if not found:
            return NO_MATCH
        if len(found) > 1:
            return AMBIGUOUS
        athlete, their_nationality, their_born = found[0]
        if (nationality and their_nationality and nationality != their_nationality) or (
                born and their_born and born != their_born):
            return CONTRADICTED
        return athlete

    def named(self, key: str, limit: int = SHOWN) -> tuple[tuple[int, ...], int]:
        """The first `limit` athletes with this name key, and how many there are."""
        found = self.by_key.get(key, ())
        return tuple(k[0] for k in found[:limit]), len(found)

    def similar(self, key: str, limit: int = SHOWN) -> tuple[tuple[int, ...], int]:
        """Athletes whose name differs from `key` but folds to the same looser key (first `limit`, count)."""
        if self._folded is None:
            self._folded = {}
            for known_key, found in self.by_key.items():
                self._folded.setdefault(fold(known_key), []).append(known_key)
        ids = [k[0] for other in self._folded.get(fold(key), ()) if other != key for k in self.by_key[other]]
        return tuple(sorted(ids)[:limit]), len(ids)


def athlete_labels(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """`#ID Name (NAT, born YEAR)` for each id, for reports."""
    wanted = sorted(set(ids))
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        for a in session.execute(select(Athlete.id, Athlete.name, Athlete.nationality, Athlete.born)
                                 .where(Athlete.id.in_(wanted[start:start + 500]))):
            extra = ", ".join(x for x in (a.nationality, f"born {a.born}" if a.born else None) if x)
            found[a.id] = f"#{a.id} {a.name}" + (f" ({extra})" if extra else "")
    return found

"""Finding athletes by name, whatever the case, accents, hyphens and order of the name's parts.

A name is found when each word of the query starts one of its words, under any spelling: "Geoffrey
Kirui" finds "Kirui, Geoffrey", "kopec" finds "Wojciech Kopeć". The query's longest word narrows
the name keys (ledger.core.names) in SQL; every word is then checked against each key found.
"""

from __future__ import annotations

import difflib
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ledger.core import limits
from ledger.core.errors import LedgerError
from ledger.core.models import Alias, Athlete
from ledger.core.names import name_key
from ledger.projection import lookup
from ledger.read.athletes import profile

MAX_RESULTS = 100
# Names a query may match and still be ordered in one statement (as `athlete list` orders them);
# a query matching more (a common first name in a million athletes) is ordered among the first found.
MAX_MATCHES = 20_000


def _like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _word_starts(column, word: str):
    """The key has a word starting with `word`."""
    escaped = _like(word)
    return or_(column.like(f"{escaped}%", escape="\\"), column.like(f"% {escaped}%", escape="\\"))


def _matches(words: list[str], key: str) -> bool:
    parts = key.split()
    return all(any(part.startswith(word) for part in parts) for word in words)


def _found(session: Session, statement, words: list[str]) -> set[int]:
    """Ids whose key (read from its index alone) has each word starting one of its words."""
    return {athlete_id for athlete_id, key in session.execute(statement) if _matches(words, key)}


def search_athletes(session: Session, query: str, limit: int = MAX_RESULTS) -> list[dict[str, Any]]:
    """Athletes (not merged into another) a name finds, as `athlete list` shows them and in its order."""
    words = name_key(limits.text(query, "name", "search")).split()  # a name's limits: no stray bytes reach SQL
    if not words:
        return []
    longest = max(words, key=len)
    ids = sorted(_found(session, select(Athlete.id, Athlete.key).where(_word_starts(Athlete.key, longest)), words)
                 | _found(session, select(Alias.athlete_id, Alias.key).where(_word_starts(Alias.key, longest)), words))
    found = session.execute(select(Athlete).where(Athlete.id.in_(ids[:MAX_MATCHES]), Athlete.merged_into.is_(None))
                            .order_by(Athlete.name, Athlete.id).limit(limit)).scalars()
    return [profile(session, athlete) for athlete in found]


def _near(session: Session, name: str) -> list[str]:
    """Names (and other spellings) close to `name`, any order of its parts, for a lookup that failed."""
    key = " ".join(sorted(name_key(name).split()))
    known = {n: " ".join(sorted(name_key(n).split())) for n in (
        *session.execute(select(Athlete.name).where(Athlete.merged_into.is_(None))).scalars(),
        *session.execute(select(Alias.name)).scalars())}
    by_key: dict[str, list[str]] = {}
    for shown, k in known.items():
        by_key.setdefault(k, []).append(shown)
    close = difflib.get_close_matches(key, list(by_key), n=3, cutoff=0.6)
    return [shown for k in close for shown in by_key[k]][:3]


def one_athlete(session: Session, name: str) -> Athlete:
    """The athlete a reader names: by any spelling or `#ID` (ledger.projection.lookup), else by a
    search (`athlete find`'s rule: either name order, a part of a name) that finds exactly one. A
    failed lookup suggests the near names; several matches are listed to choose from by id."""
    if lookup.is_id(name):
        return lookup.athlete(session, name)
    if lookup.matching_athletes(session, name):
        return lookup.athlete(session, name)  # one, or the error naming the several by id
    found = search_athletes(session, name, limit=6)
    if len(found) == 1:
        return lookup.athlete_by_id(session, found[0]["id"])
    if found:
        shown = ", ".join(f"#{a['id']} {a['name']}" for a in found[:5])
        raise LedgerError(f"{name!r} matches {'more than 5' if len(found) > 5 else len(found)} athletes ({shown}); "
                          f"name one by its id, e.g. '#{found[0]['id']}'")
    near = _near(session, name)
    hint = f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else \
        "; list athletes with: raceledger athlete find PART-OF-A-NAME"
    raise LedgerError(f"no athlete {name!r}{hint}")

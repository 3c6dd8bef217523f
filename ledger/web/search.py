"""Finding athletes by name, whatever the case, accents, hyphens and order of the name's parts.

A name is found when each word of the query starts one of its words, under any spelling: "Geoffrey
Kirui" finds "Kirui, Geoffrey", "kopec" finds "Wojciech Kopeć". The query's longest word narrows
the name keys (ledger.core.names) in SQL; every word is then checked against each key found.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ledger.core.models import Alias, Athlete
from ledger.core.names import name_key
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
    words = name_key(query).split()
    if not words:
        return []
    longest = max(words, key=len)
    ids = sorted(_found(session, select(Athlete.id, Athlete.key).where(_word_starts(Athlete.key, longest)), words)
                 | _found(session, select(Alias.athlete_id, Alias.key).where(_word_starts(Alias.key, longest)), words))
    found = session.execute(select(Athlete).where(Athlete.id.in_(ids[:MAX_MATCHES]), Athlete.merged_into.is_(None))
                            .order_by(Athlete.name, Athlete.id).limit(limit)).scalars()
    return [profile(session, athlete) for athlete in found]

"""The projection of a `finish` entry: claims given in one go (a finish order by bib, a line typed at
the finish) and, when the source sent them as its whole current word (`--supersedes`), the claims of
the source they withdraw as corrections (see ledger.imports.supersede).

A finish entry's claims carry their ids, athletes and places, so a replay rebuilds the same rows. A
claim gives its status only when it is not FIN: most of an order finishes, and every value of an
entry is checked, hashed and read back (entries recorded before this say FIN too).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ledger.core.errors import LedgerError
from ledger.core.rules import FINISHED
from ledger.core.models import Category, Source
from ledger.projection import contests
from ledger.projection.import_rows import withdraw
from ledger.store import bulk


# Built once per model: a live line at the finish is an entry of its own.
_ID_OF = {model: select(model.id).where(model.slug == bindparam("slug")) for model in (Category, Source)}


def _id_of(session: Session, model, slug: str, seq: int) -> int:
    found = session.connection().execute(_ID_OF[model], {"slug": slug}).scalar()
    if found is None:
        raise LedgerError(f"journal entry {seq} refers to unknown {model.__tablename__} {slug!r}")
    return found


# The columns a finish claim can fill (the others stay NULL): a bound value costs at every row.
FINISH_COLUMNS = ("id", "seq", "category_id", "source_id", "athlete_id", "position", "time_ms", "time_decimals",
                  "net_time_decimals", "status", "bib", "status_note")

# Past this many keys, a category's contests are refreshed in one grouped scan, not key by key.
KEYED_LIMIT = 500


def finish_entry(session: Session, seq: int, body: dict[str, Any]) -> None:
    """The claims, then the withdrawals, then the contests they may make. A finish claim's athlete
    is the runner who holds its bib in the race (ledger.imports.finish), so it never gives a bib to
    a second athlete: bib contests change only through the claims it withdraws."""
    category_id = _id_of(session, Category, body["category"], seq)
    source_id = _id_of(session, Source, body["source"], seq)
    positions: set[int] = set()
    athletes: set[int] = set()
    rows, placed = [], 0
    for c in body["claims"]:  # one pass: an order can hold tens of thousands of runners
        position = c.get("position")
        if position is not None:
            positions.add(position)
            placed += 1
        athletes.add(c["athlete"])
        rows.append((c["id"], seq, category_id, source_id, c["athlete"], position, c.get("time_ms"),
                     c.get("time_decimals", 0), 0, c.get("status", FINISHED), c.get("bib"), c.get("status_note")))
    # The entry's own claims never share a place or a runner (ledger.imports.finish numbers them and
    # refuses a bib twice); a replayed body is checked all the same.
    own_groups = len(athletes) == len(rows) and len(positions) == placed
    contested = not own_groups or contests.shared(session, category_id, positions, athletes)
    if rows:
        bulk.inserter(session)("claim", FINISH_COLUMNS, rows)
    if body.get("withdraws"):
        withdraw(session, seq, source_id, body["withdraws"], body["reason"])
    if contested:
        contests.refresh(session, category_id, contests.EVERY if len(positions) > KEYED_LIMIT else positions,
                         contests.EVERY if len(athletes) > KEYED_LIMIT else athletes)

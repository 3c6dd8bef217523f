"""A category followed as it is written (`results CATEGORY --follow`): its claims as they stand, then
each claim recorded after them, each as `results -f json` holds it, with its category; and how far
its race has come, as its web page says it (`progress`).

Claims are never changed, only added (a retraction is a new entry about an old claim), so what is
new is the claims past the newest one shown: `newest_claim` is one index seek a poll, and only when
it moves are the new claims read, each with the placing that gives it its standing and line.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.core.errors import LedgerError
from ledger.core.models import Category, Claim, JournalEntry
from ledger.projection import lookup
from ledger.read import claims, queries
from ledger.read.paging import placing_of
from ledger.read.reports import claim_json, results_report


class Followed(NamedTuple):
    """What a poll starts from: the category's id, and the newest claim already shown (0: none)."""

    category_id: int
    newest: int


def standing(session: Session, slug: str, tolerance_ms: int,
             include_retracted: bool = False) -> tuple[list[dict[str, Any]], Followed]:
    """The category's claims as `results` lists them, placing by placing, each with its category;
    and where following them starts."""
    found = lookup.find(session, Category, slug)
    if found.derived_from_id is not None:
        raise LedgerError(f"{slug} is derived from another category and holds no claims of its own: follow that "
                          "category instead")
    listed = [{**claim, "category": slug} for placing in results_report(session, slug, tolerance_ms,
                                                                          include_retracted).to_json()
              for claim in placing["claims"]]
    return listed, Followed(found.id, newest_claim(session, found.id))


def newest_claim(session: Session, category_id: int) -> int:
    """The id of the category's newest claim (0: none yet)."""
    return session.execute(select(func.max(Claim.id)).where(Claim.category_id == category_id)).scalar() or 0


def claims_after(session: Session, followed: Followed, tolerance_ms: int) -> list[dict[str, Any]]:
    """The category's claims recorded after `followed.newest`, oldest first, each as its placing
    shows it now (its standing, its line of evidence), with its category."""
    new = claims.load_views(session, claims.views_query()
                            .where(Claim.category_id == followed.category_id, Claim.id > followed.newest)
                            .order_by(Claim.id))
    if not new:
        return []
    _, rulings = queries.rulings(session, [followed.category_id])
    found = []
    for view in new:
        _, listed = placing_of(session, view, followed.category_id, tolerance_ms, rulings)
        shown = next(c for c in listed if c.id == view.id)  # as its placing holds it: with its line there
        found.append({**claim_json(shown, rulings), "category": view.category})
    return found


class Progress(NamedTuple):
    """How far a category's race has come: its newest claim's entry and when it was recorded, and
    the furthest place a live claim gives (None: none gives one)."""

    seq: int
    recorded_at: str
    furthest_place: int | None


def progress(session: Session, category_id: int) -> Progress | None:
    """The category's progress (None: it holds no claim): two index seeks, whatever its size."""
    newest = newest_claim(session, category_id)
    if not newest:
        return None
    seq, recorded_at = session.execute(select(JournalEntry.seq, JournalEntry.recorded_at)
                                       .join(Claim, Claim.seq == JournalEntry.seq).where(Claim.id == newest)).one()
    furthest = session.execute(select(func.max(Claim.position))
                               .where(Claim.category_id == category_id, Claim.retracted_seq.is_(None))).scalar()
    return Progress(seq, recorded_at, furthest)

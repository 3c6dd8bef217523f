"""A source's whole current word on a category (`--supersedes`), and its repeats refused without it.

Timing companies send results again and again during a race. Taken with `--supersedes`, a file
(or a finish order) is the source's whole current word on the category: of that source's live
claims there, however they were recorded (`claim`, `import`, `finish`), those it repeats stay as
they are, changed or missing ones are withdrawn by the source as corrections, and new ones are
added, in one entry. Without it, a file that repeats placings the source already claims is refused
with that advice, instead of doubling them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.core.errors import LedgerError
from ledger.core.models import NOT_RETRACTED, Claim

Signature = tuple[Any, ...]


def signature(athlete_id: int | None, unnamed: str | None, position: int | None, time_ms: int | None,
              net_time_ms: int | None, status: str) -> Signature:
    """What makes a claim the same claim again: who, where, in what time, with what status."""
    return (athlete_id, unnamed if athlete_id is None else None, position, time_ms, net_time_ms, status)


class Superseding:
    """The source's live claims in the category, matched one for one against what the new word repeats."""

    def __init__(self, session: Session, category_id: int, source_id: int) -> None:
        self._waiting: dict[Signature, list[int]] = defaultdict(list)
        self.positions: set[int] = set()
        for claim_id, athlete_id, unnamed, position, time_ms, net_ms, status in session.execute(
                select(Claim.id, Claim.athlete_id, Claim.unnamed, Claim.position, Claim.time_ms, Claim.net_time_ms,
                       Claim.status)
                .where(Claim.category_id == category_id, Claim.source_id == source_id, NOT_RETRACTED)
                .order_by(Claim.id)):
            self._waiting[signature(athlete_id, unnamed, position, time_ms, net_ms, status)].append(claim_id)
            if position is not None:
                self.positions.add(position)
        self.kept = 0

    def __bool__(self) -> bool:
        return bool(self._waiting)

    def repeats(self, sig: Signature) -> bool:
        """True (and that claim is kept) when a live claim of the source says just this."""
        waiting = self._waiting.get(sig)
        if not waiting:
            return False
        waiting.pop(0)
        self.kept += 1
        return True

    def withdrawn(self) -> list[int]:
        """The live claims the new word did not repeat: changed or missing, withdrawn as corrections."""
        return sorted(i for ids in self._waiting.values() for i in ids)


def reason(source: str, what: str) -> str:
    return f"superseded by {source}'s whole current word ({what})"


def refuse_repeats(where: str, repeated: int, source: str, category: str) -> LedgerError:
    return LedgerError(
        f"{where} repeats {repeated} placing{'s' if repeated != 1 else ''} {source} already claims in {category}; "
        "to take it as the source's whole current word (repeats kept, changes and omissions withdrawn as "
        "corrections, new ones added), add --supersedes; to record it twice on purpose, add --again")

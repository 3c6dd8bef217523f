"""Plain values that several layers pass around: a claim and a ruling as readers see them, a head."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

from ledger.core.times import format_ms


class ClaimView(NamedTuple):
    """A claim as readers see it, with its category, source and athlete resolved.

    A tuple, so that reading the 50,000 claims of a category makes one cheap object per row."""

    id: int
    category: str
    source: str
    source_kind: str
    athlete_id: int | None
    athlete: str | None
    unnamed: str | None
    as_written: str | None
    position: int | None
    time_ms: int | None
    time_decimals: int
    net_time_ms: int | None
    net_time_decimals: int
    status: str
    url: str | None
    quote: str | None
    published: dt.date | None
    retracted_seq: int | None = None  # the journal entry that withdrew it; None while it counts
    retraction_reason: str | None = None
    status_note: str | None = None  # what the source wrote beside the status: `TR 54.7.3` of `DQ TR 54.7.3`

    @property
    def time(self) -> str | None:
        return None if self.time_ms is None else format_ms(self.time_ms, self.time_decimals)

    @property
    def net_time(self) -> str | None:
        return None if self.net_time_ms is None else format_ms(self.net_time_ms, self.net_time_decimals)

    @property
    def who(self) -> str:
        """The athlete's name, or the source's description of an athlete it did not name."""
        return self.athlete if self.athlete is not None else f"(unnamed: {self.unnamed})"

    def to_json(self, standing: str, standing_reason: str | None, ruled_by: int | None,
                status_ruling: dict[str, Any] | None) -> dict[str, Any]:
        """The claim as JSON, with the standing a report gives it (ledger.read.reports.claim_json)."""
        return {
            "id": self.id, "athlete": self.athlete, "unnamed": self.unnamed, "as_written": self.as_written,
            "source": self.source, "source_kind": self.source_kind, "position": self.position,
            "time": self.time, "net_time": self.net_time,
            "status": self.status, "status_note": self.status_note, "url": self.url, "quote": self.quote,
            "published": self.published.isoformat() if self.published else None,
            "standing": standing, "standing_reason": standing_reason, "ruled_by": ruled_by,
            "status_ruling": status_ruling,
        }


@dataclass(frozen=True)
class RulingView:
    """An official decision: `accepted_claim_id` holds for a placing, or an athlete's status is `status`."""

    id: int
    seq: int
    category: str
    position: int | None
    accepted_claim_id: int | None
    accepted_athlete_id: int | None  # whom the accepted claim names (None: unnamed)
    athlete_id: int | None
    athlete: str | None
    status: str | None
    decided_by: str
    reason: str
    decided: dt.date | None

    @property
    def on_placing(self) -> bool:
        return self.accepted_claim_id is not None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "seq": self.seq, "category": self.category, "position": self.position,
                "accepted_claim": self.accepted_claim_id, "athlete": self.athlete, "status": self.status,
                "decided_by": self.decided_by, "reason": self.reason,
                "decided": self.decided.isoformat() if self.decided else None}


class Head(NamedTuple):
    """The newest entry of a journal: its seq and hash (`SEQ:HASH` identifies the whole history)."""

    seq: int
    hash: str

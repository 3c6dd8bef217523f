"""Plain values that several layers pass around: a claim and a ruling as readers see them, a head."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

from ledger.core.times import format_ms


class Citation(NamedTuple):
    """Where a claim was seen: a report's address and words, who published it (`via`, when not the
    claimant) and when it was published and read."""

    url: str | None
    quote: str | None
    via: str | None
    published: dt.date | None
    retrieved: dt.date | None

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "quote": self.quote, "via": self.via,
                "published": self.published.isoformat() if self.published else None,
                "retrieved": self.retrieved.isoformat() if self.retrieved else None}


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
    via: str | None = None  # the source whose report carried the claim; None when the claimant is cited directly
    via_kind: str | None = None
    retrieved: dt.date | None = None
    more_citations: tuple[Citation, ...] | None = None  # from `cite` entries, oldest first (None: none)
    # Its line of evidence in its placing (ledger.read.verdicts.Lines), when that is not its source.
    joined_line: str | None = None
    bib: str | None = None  # the runner's bib, as the source gave it
    overall_position: int | None = None  # in a derived category: the source's own place (ledger.read.derived)
    nationality: str | None = None  # the athlete's: a table tells namesakes apart by it (ledger.read.claim_show)

    @property
    def line(self) -> str:
        return self.joined_line or self.source

    @property
    def citations(self) -> list[Citation]:
        """Every place the claim was seen: its own citation first (when it has one), then the others."""
        more = self.more_citations or ()
        if self.url is None and self.quote is None and self.via is None and self.published is None \
                and self.retrieved is None:  # most claims of an import without --url: no tuple made
            return list(more)
        return [Citation(self.url, self.quote, self.via, self.published, self.retrieved), *more]

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
        """The claim as JSON, with the standing a report gives it (ledger.read.reports.claim_json) and
        its line of evidence. `url`, `quote` and `published` mirror the first citation.

        Written out field by field, not through the properties: a report of a big category makes
        one per claim, and its own citation's dict is made here from the same texts."""
        (claim_id, _, source, source_kind, _, athlete, unnamed, as_written, position, time_ms, time_decimals,
         net_time_ms, net_time_decimals, status, url, quote, published, _, _, status_note, via, via_kind, retrieved,
         more, joined_line, bib, _, _) = self
        published = None if published is None else published.isoformat()
        retrieved = None if retrieved is None else retrieved.isoformat()
        if url is None and quote is None and via is None and published is None and retrieved is None:
            citations = [c.to_json() for c in more] if more else []
        else:
            citations = [{"url": url, "quote": quote, "via": via, "published": published, "retrieved": retrieved}]
            if more:
                citations += [c.to_json() for c in more]
        return {
            "id": claim_id, "athlete": athlete, "unnamed": unnamed, "as_written": as_written,
            "source": source, "source_kind": source_kind, "via": via, "via_kind": via_kind,
            "position": position, "time": None if time_ms is None else format_ms(time_ms, time_decimals),
            "net_time": None if net_time_ms is None else format_ms(net_time_ms, net_time_decimals),
            "status": status, "status_note": status_note, "url": url, "quote": quote,
            "published": published, "retrieved": retrieved, "citations": citations, "line": joined_line or source,
            "standing": standing, "standing_reason": standing_reason, "ruled_by": ruled_by,
            "status_ruling": status_ruling, "bib": bib,
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
    vacate: bool = False  # a disqualification that leaves its place empty: nobody moves up

    @property
    def on_placing(self) -> bool:
        return self.accepted_claim_id is not None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "seq": self.seq, "category": self.category, "position": self.position,
                "accepted_claim": self.accepted_claim_id, "athlete": self.athlete, "status": self.status,
                "decided_by": self.decided_by, "reason": self.reason,
                "decided": self.decided.isoformat() if self.decided else None,
                **({"vacate": True} if self.vacate else {})}


class Head(NamedTuple):
    """The newest entry of a journal: its seq and hash (`SEQ:HASH` identifies the whole history)."""

    seq: int
    hash: str

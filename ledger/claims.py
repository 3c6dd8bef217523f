"""Claims: recording one source's assertion, and reading claims back as plain values."""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, NamedTuple

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ledger import athletes, catalog, journal, validate
from ledger.errors import LedgerError
from ledger.models import Athlete, Category, Claim, Source
from ledger.times import format_ms, parse_time


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
    status_note: str | None = None  # what a results file wrote beside the status: `TR 54.7.3` of `DQ TR 54.7.3`

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
        """The claim as JSON, with the standing a report gives it (ledger.reports.claim_json)."""
        return {
            "id": self.id, "athlete": self.athlete, "unnamed": self.unnamed, "as_written": self.as_written,
            "source": self.source, "source_kind": self.source_kind, "position": self.position,
            "time": self.time, "net_time": self.net_time,
            "status": self.status, "status_note": self.status_note, "url": self.url, "quote": self.quote,
            "published": self.published.isoformat() if self.published else None,
            "standing": standing, "standing_reason": standing_reason, "ruled_by": ruled_by,
            "status_ruling": status_ruling,
        }


def views_query() -> Select:
    """Claims joined to what names them; callers add their own filters."""
    return (
        select(Claim.id, Category.slug, Source.slug, Source.kind, Claim.athlete_id, Athlete.name,
               Claim.unnamed, Claim.as_written, Claim.position, Claim.time_ms, Claim.time_decimals,
               Claim.net_time_ms, Claim.net_time_decimals, Claim.status, Claim.url, Claim.quote,
               Claim.published, Claim.retracted_seq, Claim.retraction_reason, Claim.status_note)
        .join(Category, Claim.category_id == Category.id)
        .join(Source, Claim.source_id == Source.id)
        .outerjoin(Athlete, Claim.athlete_id == Athlete.id)
    )


def load_views(session: Session, query: Select) -> list[ClaimView]:
    """The query's rows as ClaimViews (through Core: plain column rows need no ORM loading)."""
    return list(map(ClaimView._make, session.connection().execute(query).all()))


def _time_fields(prefix: str, text: str | None) -> dict[str, int]:
    if text is None:
        return {}
    parsed = parse_time(text)
    fields = {f"{prefix}_ms": parsed.ms}
    if parsed.decimals:
        fields[f"{prefix}_decimals"] = parsed.decimals
    return fields


def _status(status: str | None, position: int | None, has_time: bool) -> str:
    """FIN unless said otherwise; a non-finisher cannot hold a placing."""
    if status is None:
        if position is None and not has_time:
            raise LedgerError("a claim needs at least one of --position, --time, --net-time or --status")
        return "FIN"
    status = validate.choice(status, validate.STATUSES, "status")
    if status != "FIN" and position is not None:
        raise LedgerError(f"a claim with status {status} cannot have a position; drop --position or use FIN")
    return status


def add(session: Session, by: str, category: str, source: str, *, athlete: str | None = None,
        unnamed: str | None = None, written_as: str | None = None, position: int | None = None,
        time: str | None = None, net_time: str | None = None, status: str | None = None,
        url: str | None = None, quote: str | None = None, published: str | None = None,
        retrieved: str | None = None) -> int:
    """Record one claim; returns the new claim's id."""
    if (athlete is None) == (unnamed is None):
        raise LedgerError("give exactly one of --athlete NAME or --unnamed TEXT")
    if position is not None:
        validate.positive(position, "position")
    body: dict[str, Any] = {**_time_fields("time", time), **_time_fields("net_time", net_time)}
    body["status"] = _status(status, position, bool(body))
    citation = {"url": url, "quote": quote,
                "published": validate.date(published, "--published date") if published else None,
                "retrieved": validate.date(retrieved, "--retrieved date") if retrieved else None}
    body["category"] = catalog.find(session, Category, category).slug
    body["source"] = catalog.find(session, Source, source).slug
    if athlete is not None:
        body["athlete"] = athletes.find(session, athlete).id
        body["as_written"] = validate.text(written_as or athlete, "athlete name")
    else:
        body["unnamed"] = validate.text(unnamed or "", "--unnamed")
        if written_as:
            body["as_written"] = written_as
    if position is not None:
        body["position"] = position
    if any(citation.values()):
        body["citation"] = {k: v for k, v in citation.items() if v is not None}
    body["id"] = journal.next_id(session, Claim.id)
    journal.append(session, "claim", body, by)
    return body["id"]


def in_categories(category_ids: Iterable[int]) -> Select:
    return views_query().where(Claim.category_id.in_(list(category_ids)))

"""Claims: recording one source's assertion, and reading claims back as plain values."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ledger.core import rules
from ledger.core.errors import LedgerError
from ledger.core.models import Claim, Source
from ledger.core.times import parse_time
from ledger.journal.chain import next_id
from ledger.projection import lookup
from ledger.projection.record import record


def _time_fields(prefix: str, text: str | None) -> dict[str, int]:
    if text is None:
        return {}
    parsed = parse_time(text)
    fields = {f"{prefix}_ms": parsed.ms}
    if parsed.decimals:
        fields[f"{prefix}_decimals"] = parsed.decimals
    return fields


def _status(status: str | None, position: int | None, has_time: bool) -> dict[str, str]:
    """The body's status, FIN unless said otherwise, and the note the source wrote beside it (`DQ TR
    54.7.3`), as an import keeps it; a non-finisher cannot hold a placing."""
    if status is None:
        if position is None and not has_time:
            raise LedgerError("a claim needs at least one of --position, --time, --net-time or --status")
        return {"status": "FIN"}
    said = rules.status(status)
    if said.code != "FIN" and position is not None:
        raise LedgerError(f"a claim with status {said.code} cannot have a position; drop --position or use FIN")
    return {"status": said.code} if said.note is None else {"status": said.code, "status_note": said.note}


def _citation(url: str | None, quote: str | None, published: str | None, retrieved: str | None) -> dict[str, str]:
    """Where a claim was seen: the report's address and words, and when it was published and read."""
    citation = {"url": url, "quote": quote,
                "published": rules.date(published, "--published date") if published else None,
                "retrieved": rules.date(retrieved, "--retrieved date") if retrieved else None}
    return {key: value for key, value in citation.items() if value is not None}


def add(session: Session, by: str, category: str, source: str, *, athlete: str | None = None,
        unnamed: str | None = None, written_as: str | None = None, position: int | None = None,
        time: str | None = None, net_time: str | None = None, status: str | None = None,
        url: str | None = None, quote: str | None = None, published: str | None = None,
        retrieved: str | None = None, via: str | None = None) -> int:
    """Record one claim by `source` (its claimant), seen directly or in `via`'s report; returns its id."""
    if (athlete is None) == (unnamed is None):
        raise LedgerError("give exactly one of --athlete NAME or --unnamed TEXT")
    if position is not None:
        rules.position(position)
    body: dict[str, Any] = {**_time_fields("time", time), **_time_fields("net_time", net_time)}
    body.update(_status(status, position, bool(body)))
    citation = _citation(url, quote, published, retrieved)
    body["category"] = lookup.claimable(session, category).slug
    body["source"] = lookup.find(session, Source, source).slug
    body.update(lookup.via(session, via, body["source"]))
    if athlete is not None:
        body["athlete"] = lookup.athlete(session, athlete).id
        # `#ID` names the athlete, not what the source wrote: the name as written is kept only when given.
        if written_as or not lookup.is_id(athlete):
            body["as_written"] = rules.text(written_as or athlete, "athlete name")
    else:
        body["unnamed"] = rules.text(unnamed or "", "--unnamed", "description")
        if written_as:
            body["as_written"] = written_as
    if position is not None:
        body["position"] = position
    if citation:
        body["citation"] = citation
    body["id"] = next_id(session, Claim.id)
    record(session, "claim", body, by)
    return body["id"]


def cite(session: Session, by: str, claim_id: int, *, url: str | None = None, quote: str | None = None,
         via: str | None = None, published: str | None = None, retrieved: str | None = None) -> int:
    """One more place the claim was seen (the same claim, not a second one); returns the entry's seq."""
    citation = _citation(url, quote, published, retrieved)
    if not citation.keys() & {"url", "quote"}:
        raise LedgerError("a citation needs --url or --quote (or both): where the claim was seen, or its words")
    claim = lookup.claim(session, claim_id)
    claimant = session.get(Source, claim.source_id).slug
    return record(session, "cite", {"claim": claim_id, "citation": citation, **lookup.via(session, via, claimant)}, by)

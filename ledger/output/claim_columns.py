"""A report's claims as a table: one row per claim, led by the fields of what holds it (its placing
or its dispute), with the claim's standing and any status ruling beside it; and one claim whole
(`claim show`).

Built column by column from the claims themselves, not from the report's JSON: for the 50,000
claims of a big category that is one list per column, not two dicts per row.

A table names each claim's claimant (`source`) and the source whose report carried it (`via`), and
marks where it was seen (`cite`: `[1]`, `[2,3]`); the numbered citations follow the table, each
with its address, dates and quote. CSV and TSV, one row per claim, carry the claim's own citation
in columns instead (`url`, `published`, `retrieved`, `quote`), as its JSON does.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from ledger.core.views import Citation, ClaimView
from ledger.output.render import Columns, wrapped_lines
from ledger.read.reports import ClaimReport, standing_of
from ledger.read.verdicts import LIVE, Rulings

# A citation as the list under a table numbers it: who published the document (the claim's `via`,
# else its claimant), its address, words and dates (dates, or their ISO text). One document cited
# by many claims (a results file's address on every claim it held) is one number.
Cited = tuple[str, str | None, str | None, Any, Any]


def _standing_note(claim: ClaimView, rulings: Rulings) -> str | None:
    """`overruled: <reason>`; nothing for a claim that simply counts."""
    standing, reason, _ = standing_of(claim, rulings)
    if standing == LIVE:
        return None
    return f"{standing}: {reason}" if reason else standing


def _status_note(claim: ClaimView, rulings: Rulings) -> str | None:
    """`DQ by <body>: <reason>`: a ruling on the athlete's status, beside the claims it affects."""
    ruling = rulings.on_status_of(claim)
    return None if ruling is None else f"{ruling.status} by {ruling.decided_by}: {ruling.reason}"


def _iso(day: Any) -> str | None:
    return None if day is None else day.isoformat()


def columns(report: ClaimReport, keys: Sequence[str], table: bool = True,
            labels: Mapping[int, str] | None = None) -> Columns:
    """The report's claims, each led by the `keys` fields of what holds it: for a table (`table`),
    with citation marks and the citations listed under it, each athlete as `labels` names them
    (claim id: `Anna Nowak #12 (POL)`, where two athletes share a name); for CSV and TSV, with the
    claim's own citation and the athlete's id in columns."""
    rulings = report.rulings
    claims = [claim for _, listed in report.held for claim in listed]
    found = Columns(position=[c.position for c in claims])
    for key in keys:
        found[key] = [fields[key] for fields, listed in report.held for _ in listed]
    if any(c.overall_position is not None for c in claims):  # a derived category's claims: the source's place
        found["overall"] = [c.overall_position for c in claims]
    found["claim"] = [c.id for c in claims]
    found["athlete"] = [labels.get(c.id, c.who) for c in claims] if labels else [c.who for c in claims]
    if not table:  # namesakes told apart in a spreadsheet too
        found["athlete_id"] = [c.athlete_id for c in claims]
    found["bib"] = [c.bib for c in claims]
    found["as_written"] = [None if c.as_written == c.athlete else c.as_written for c in claims]
    found["source"] = [c.source for c in claims]
    found["source_kind"] = [c.source_kind for c in claims]
    found["via"] = [c.via for c in claims]
    found["time"] = [c.time for c in claims]
    found["net_time"] = [c.net_time for c in claims]
    # `DQ TR 54.7.3`: the status as the file wrote it, which an import reads back the same way
    found["status"] = [c.status if c.status_note is None else f"{c.status} {c.status_note}" for c in claims]
    ruled = bool(rulings.placing or rulings.status)  # else only a retraction gives a standing
    found["standing"] = [_standing_note(c, rulings) if ruled or c.retracted_seq is not None else None for c in claims]
    found["ruling"] = [_status_note(c, rulings) for c in claims] if rulings.status else [None] * len(claims)
    if table:
        marks, cited = citation_marks(claims)
        found["cite"] = marks
        return found.laid_out(liftable=(*keys, "status", "source_kind"), optional=("source_kind",),
                              below=lambda width, _: citation_list(cited, width))
    found["url"] = [c.url for c in claims]
    found["published"] = [_iso(c.published) for c in claims]
    found["retrieved"] = [_iso(c.retrieved) for c in claims]
    found["quote"] = [c.quote for c in claims]
    return found


def citation_marks(claims: Iterable[ClaimView]) -> tuple[list[str | None], list[Cited]]:
    """Each claim's mark (`[1]`, `[2,3]`; None when it cites nothing) and the citations they number."""
    numbers: dict[Cited, int] = {}
    marks: list[str | None] = []
    alone: dict[Cited, str] = {}  # the mark of a claim citing only its own document: one per import, mostly
    for claim in claims:
        if claim.url is None and claim.quote is None and claim.via is None and not claim.more_citations \
                and claim.published is None and claim.retrieved is None:
            marks.append(None)  # most claims of an import without --url: nothing to number
            continue
        if not claim.more_citations:
            cited = _cited(claim, claim)  # its own citation's fields are the claim's: no Citation made
            mark = alone.get(cited)
            if mark is None:
                mark = alone[cited] = f"[{numbers.setdefault(cited, len(numbers) + 1)}]"
            marks.append(mark)
            continue
        mine = dict.fromkeys(numbers.setdefault(_cited(claim, c), len(numbers) + 1) for c in claim.citations)
        marks.append(f"[{','.join(map(str, mine))}]")
    return marks, list(numbers)


def _cited(claim: ClaimView, citation: Citation | ClaimView) -> Cited:
    return citation.via or claim.source, citation.url, citation.quote, citation.published, citation.retrieved


def citation_list(cited: Sequence[Cited], width: int | None, heading: str | None = "Citations:") -> list[str]:
    """The numbered citations: who published the document, its address and dates, then its words
    (a quote is always the words of the document cited: `quoted from` its publisher)."""
    lines = [heading] if cited and heading else []
    for n, (publisher, url, quote, published, retrieved) in enumerate(cited, 1):
        mark = f"[{n}] "
        where = ", ".join(filter(None, (publisher, url, published and f"published {published}",
                                        retrieved and f"retrieved {retrieved}")))
        lines += wrapped_lines(where, width, " " * len(mark), mark)
        if quote is not None:
            lines += wrapped_lines(f'quoted from {publisher}: "{quote}"', width, " " * len(mark))
    return lines


# --- one claim whole ---------------------------------------------------------------------------------


def _ruling_line(ruling: dict[str, Any]) -> str:
    decided = f" on {ruling['decided']}" if ruling.get("decided") else ""
    if ruling.get("accepted_claim") is not None:
        what = f"position {ruling['position']} goes to claim {ruling['accepted_claim']}"
    else:
        what = f"{ruling['athlete']} is {ruling['status']}"
    return (f"ruling {ruling['id']} (journal entry {ruling['seq']}): {what}, by {ruling['decided_by']}{decided}: "
            f"{ruling['reason']}")


def _entry(entry: dict[str, Any]) -> str:
    return (f"journal entry {entry['seq']}, hash {entry['hash']}, at {entry['recorded_at']} "
            f"by {entry['recorded_by']}")


def _placing_line(record: dict[str, Any]) -> str:
    placing = record["placing"]
    where = f"position {placing['position']}" if placing["position"] is not None else "unplaced"
    live = [c for c in placing["claims"] if c["standing"] != "retracted"]
    lines = list(dict.fromkeys(c["line"] for c in live))
    count = placing["lines"]
    on = ("one line of evidence" if count == 1 else f"{count} independent lines of evidence") + (
        f" ({', '.join(lines)})" if lines else "")
    others = [str(c["id"]) for c in placing["claims"] if c["id"] != record["id"]]
    beside = f"; beside it claim{'s' if len(others) > 1 else ''} {', '.join(others)}" if others else ""
    return f"{where} of {record['category']}: {placing['verdict']}, on {on}{beside}"


def _result(record: dict[str, Any]) -> str:
    parts = [f"position {record['position']}" if record["position"] is not None else None,
             record["time"] and f"time {record['time']}", record["net_time"] and f"net time {record['net_time']}",
             " ".join(filter(None, (record["status"], record["status_note"])))]
    return ", ".join(filter(None, parts))


def claim_lines(record: dict[str, Any], width: int | None = None) -> list[str]:
    """`claim show`: the claim (as ledger.read.claim_show gives it, with the ledger's `head` now)
    whole, one field a line, then its citations and their quotes; inert, long values wrapped to `width`."""
    if record["athlete"] is not None:
        athlete = f"{record['athlete']} #{record['athlete_id']}"
    else:
        athlete = f"(unnamed: {record['unnamed']})"
    if record["as_written"] not in (None, record["athlete"]):
        athlete += f", written {record['as_written']}"
    standing = record["standing"] + (f": {record['standing_reason']}" if record["standing_reason"] else "")
    retraction = record["retraction"]
    fields = [
        ("claim", f"{record['id']} in {record['category']}"),
        ("athlete", athlete),
        ("result", _result(record)),
        ("claimant", f"{record['source']} ({record['source_kind']})"),
        ("via", f"{record['via']} ({record['via_kind']})" if record["via"] else None),
        ("line", record["line"] if record["line"] != record["source"] else None),
        ("standing", standing),
        ("placing", _placing_line(record)),
        *(("ruling", _ruling_line(r)) for r in record["rulings"]),
        ("retracted", f"{retraction['reason']} ({_entry(retraction['entry'])})" if retraction else None),
        ("recorded", _entry(record["recorded"])),
        ("head", f"{record['head']['seq']}:{record['head']['hash']} (the ledger now)"),
    ]
    lines = []
    for name, value in fields:
        if value is not None:
            lines += wrapped_lines(value, width, " " * 11, f"{name + ':':11}")
    cited = [(c["via"] or record["source"], c["url"], c["quote"], c["published"], c["retrieved"])
             for c in record["citations"]]
    return lines + (citation_list(cited, width, "citations:") if cited else ["citations: none"])


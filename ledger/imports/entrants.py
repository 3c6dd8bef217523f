"""Recording a start list: a race's entrants by bib, one journal entry for the whole list, or nothing.

Each bib belongs to one athlete in the race: the one who already holds it there when the name fits
(an earlier start list, a source's claim with that bib), else an existing athlete by the importer's
fail-safe rule (ledger.imports.identity: an exact, uncontradicted, unique name, and not one who runs
this race under another bib), else a new athlete. A later start list adds and changes entrants:
its rows are new entrant rows, the newest row of a bib is the entrant.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.core.errors import LedgerError
from ledger.core.models import Athlete, Event, Race, Source
from ledger.imports import identity, importer, resultsfile, startlist
from ledger.journal import chain
from ledger.projection import lookup
from ledger.projection.bibs import RaceBibs
from ledger.projection.record import record

KIND = "entrants"


@dataclass
class EntrantsReport:
    race: str
    seq: int = 0
    rows: int = 0
    new_athletes: int = 0
    linked: int = 0
    changed: int = 0
    problems: list[str] = field(default_factory=list)


def race_day(session: Session, race: Race) -> Any:
    return session.execute(select(Event.date).where(Event.id == race.event_id)).scalar_one()


def import_entrants(session: Session, by: str, race_slug: str, path: str, source: str,
                    stdin: BinaryIO | None = None) -> EntrantsReport:
    """Record the start list in FILE as one `entrants` entry; every bad line raises, nothing written."""
    race = lookup.find(session, Race, race_slug)
    source_row = lookup.find(session, Source, source)
    day = race_day(session, race)
    with importer.open_input(path, stdin) as found:
        delimiter, header = importer.read_header(found)
        cols = startlist.columns(header, found.where)
        problems = resultsfile.Problems(found.where)
        with open(found.local, "rb") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            try:
                read = list(startlist.entries(text, delimiter, cols, day, problems))
            except UnicodeDecodeError:
                raise resultsfile.not_utf8(found.where, resultsfile.first_bad_line(found.local)) from None
        if problems.error_count:
            raise importer.ImportFailed(
                f"{found.where}: {problems.bad_lines} bad line{'s' if problems.bad_lines != 1 else ''}; "
                "no entrant was recorded (fix them and import the start list again)",
                problems.errors, problems.error_count, [])
        if not read:
            raise LedgerError(f"{found.where}: no entrants; expected a header line, then one runner a line")
        file = {"name": found.name, "sha256": found.sha256}
    bibs = RaceBibs(session, race.id)
    directory = identity.Directory(session)
    held = [bibs.athlete(e.bib, e.name) for e in read]
    candidates = [None if h is not None else directory.match(e.key, e.nationality, e.born)
                  for e, h in zip(read, held)]
    taken = set(h for h in held if h is not None)
    counts = Counter(c for c in candidates if c is not None and c > 0)
    first_athlete = next_athlete = chain.next_id(session, Athlete.id)
    report = EntrantsReport(race.slug, rows=len(read))
    rows = []
    for entry, holder, candidate in zip(read, held, candidates):
        if holder is not None:
            athlete = holder
            report.linked += 1
        elif (candidate is not None and candidate > 0 and counts[candidate] == 1 and candidate not in taken
              and not bibs.holds_other_bib(candidate, entry.bib)):
            athlete = candidate
            report.linked += 1
        else:
            athlete, next_athlete = next_athlete, next_athlete + 1
            report.new_athletes += 1
        if entry.bib in bibs.by_bib and bibs.by_bib[entry.bib].athlete_id != athlete:
            report.changed += 1
        rows.append(entry.to_body(athlete))
    body = {"race": race.slug, "source": source_row.slug, "file": file, "first_athlete_id": first_athlete,
            "entrants": rows}
    report.seq = record(session, KIND, body, by)
    return report


def summary(report: EntrantsReport) -> str:
    changed = f", {report.changed} bib{'s' if report.changed != 1 else ''} now held by another runner" \
        if report.changed else ""
    return (f"Recorded {report.rows} entrant{'s' if report.rows != 1 else ''} of {report.race} as journal entry "
            f"{report.seq}: {report.new_athletes} new athlete{'s' if report.new_athletes != 1 else ''}, "
            f"{report.linked} linked to existing ones{changed}.")

"""Finish order by bib: lines `BIB [TIME] [STATUS]` as runners cross the line, numbered in order.

The order of the lines is the order of the finish: finishers are placed 1, 2, 3... (non-finishers,
`DNF`, `DNS`, `DQ`, get no place), TIME is the gun time, so it never falls down the order. Each bib
is the race's (a start list's entrant, or a bib a source gave with a claim): its athlete is who the
race knows by it. A whole order is one entry, all or nothing (every bad line named, as `import`
does, unless skip_invalid); `live` lines are one entry each, recorded at once, places continuing
from the source's last place in the category.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ledger.core import limits, row_tree, rules
from ledger.core.errors import LedgerError
from ledger.core.models import NOT_RETRACTED, Category, Claim, Entrant, Source
from ledger.core.rules import Status
from ledger.core.times import RaceTime, format_ms, parse_time
from ledger.imports import supersede
from ledger.imports.importer import ImportFailed
from ledger.journal.chain import next_id
from ledger.projection import lookup
from ledger.projection import bibs as race_bibs
from ledger.projection.record import record
from ledger.store.engine import transaction

KIND = "finish"
_SPLIT = re.compile(r"[\s,;]+")
USAGE = "expected BIB [TIME] [STATUS], e.g. '123 2:31:07' or '45 DNF'"


class FinishLine(NamedTuple):
    bib: str
    time: RaceTime | None
    status: Status | None

    @property
    def finished(self) -> bool:
        return self.status is None or self.status.code == rules.FINISHED


def parse_line(text: str) -> FinishLine | None:
    """One line of a finish order: None for a blank line or a `#` comment, else its bib, time and status."""
    tokens = text.split() if "," not in text and ";" not in text else _SPLIT.split(text.strip())
    if not tokens or tokens[0].startswith("#"):
        return None
    bib, rest = limits.text(tokens[0], "bib"), tokens[1:]
    time = status = None
    if rest and rest[0][:1].isdigit():
        time = parse_time(rest.pop(0))
    if rest:
        status = rules.status_word(" ".join(rest))
        if status is None:
            raise LedgerError(f"{' '.join(rest)!r} is neither a time nor a status: {USAGE}")
    if status is not None and status.note is not None:
        limits.text(status.note, "note", "status note")
    return FinishLine(bib, time, status)


@dataclass(frozen=True)
class FinishRequest:
    category: str
    source: str
    where: str = "<stdin>"
    skip_invalid: bool = False
    supersedes: bool = False
    again: bool = False


@dataclass
class FinishReport:
    category: str
    source: str
    seq: int | None = None
    finishers: int = 0
    others: int = 0
    kept: int = 0
    withdrawn: int = 0
    added: int = 0
    skipped: list[str] = field(default_factory=list)
    skipped_count: int = 0


def _claim(claim_id: int, line: int, bib: str, athlete: int, position: int | None, said: FinishLine) -> dict[str, Any]:
    claim: dict[str, Any] = {"id": claim_id, "line": line, "bib": bib, "athlete": athlete}
    if position is None:  # a non-finisher; a finisher's status, FIN, goes without saying (projection.batch)
        claim["status"] = said.status.code
    else:
        claim["position"] = position
    if said.time is not None:
        claim["time_ms"] = said.time.ms
        if said.time.decimals:
            claim["time_decimals"] = said.time.decimals
    if said.status is not None and said.status.note:
        claim["status_note"] = said.status.note
    return claim


def _time(ms: int) -> str:
    return format_ms(ms, 3).rstrip("0").rstrip(".")


def record_finish(session: Session, by: str, request: FinishRequest, lines: Iterable[str]) -> FinishReport:
    """A whole finish order as one `finish` entry (or, superseding, the source's whole current word)."""
    category = lookup.claimable(session, request.category)
    source = lookup.find(session, Source, request.source)
    holders = race_bibs.holders(session, category.race_id)
    problems: list[str] = []
    count = 0
    seen: dict[str, int] = {}
    claims: list[dict[str, Any]] = []
    last: tuple[int, int] | None = None  # the line and time of the last line that gave one
    place = 0
    first_id = next_id(session, Claim.id)
    for number, text in enumerate(lines, 1):
        try:
            said = parse_line(text)
            if said is None:
                continue
            holder = holders.get(said.bib)
            if holder is None:
                raise LedgerError(f"unknown bib {said.bib}: no entrant of the race and no claim gives it "
                                  "(record the start list with: raceledger entrants import)")
            if said.bib in seen:
                raise LedgerError(f"bib {said.bib} is also on line {seen[said.bib]}")
            if said.time is not None and last is not None and said.time.ms < last[1]:
                raise LedgerError(f"time {said.time} is earlier than {_time(last[1])} on line {last[0]}: "
                                  "a gun time never falls down the order")
        except LedgerError as exc:
            count += 1
            if len(problems) < 50:
                problems.append(f"{request.where}:{number}: {exc}")
            continue
        seen[said.bib] = number
        if said.time is not None:
            last = (number, said.time.ms)
        position = None
        if said.finished:
            place += 1
            position = place
        claims.append(_claim(first_id + len(claims), number, said.bib, holder, position, said))
    if count and not request.skip_invalid:
        raise ImportFailed(f"{request.where}: {count} bad line{'s' if count != 1 else ''}; nothing was recorded "
                           "(fix them, or record the good lines with --skip-invalid)", problems, count, [])
    report = FinishReport(category.slug, source.slug, skipped=problems, skipped_count=count)
    report.finishers = place
    report.others = len(claims) - place
    body: dict[str, Any] = {"category": category.slug, "source": source.slug}
    own = supersede.Superseding(session, category.id, source.id)
    if request.supersedes:
        fresh = [c for c in claims if not own.repeats(supersede.signature(
            c["athlete"], None, c.get("position"), c.get("time_ms"), None, c.get("status", rules.FINISHED)))]
        for n, c in enumerate(fresh):
            c["id"] = first_id + n
        report.kept, report.added, withdrawn = own.kept, len(fresh), own.withdrawn()
        report.withdrawn = len(withdrawn)
        claims = fresh
        if withdrawn:
            body.update(withdraws=withdrawn, reason=supersede.reason(source.slug, f"a finish order ({request.where})"))
        if not claims and not withdrawn:
            return report
    else:
        if not claims:
            raise LedgerError(f"{request.where}: no finish lines; expected {USAGE}, one a line")
        repeated = sum(1 for c in claims if c.get("position") in own.positions) if own.positions else 0
        if repeated and not request.again:
            raise supersede.refuse_repeats(request.where, repeated, source.slug, category.slug)
        report.added = len(claims)
    body["claims"] = claims
    body[row_tree.FORM_KEY] = row_tree.FORM  # the rows form: each claim can be proven alone
    report.seq = record(session, KIND, body, by)
    return report


def summary(report: FinishReport) -> str:
    if report.seq is None:
        return (f"No change: the finish order repeats all {report.kept} live claims of {report.source} in "
                f"{report.category}; nothing was written.")
    done = (f"Recorded {report.finishers} finisher{'s' if report.finishers != 1 else ''}"
            + (f" and {report.others} non-finisher{'s' if report.others != 1 else ''}" if report.others else "")
            + f" in {report.category} (source {report.source}) as journal entry {report.seq}")
    if report.kept or report.withdrawn:
        done += f": {report.kept} kept, {report.withdrawn} withdrawn as corrections, {report.added} added"
    if report.skipped_count:
        done += f"; {report.skipped_count} bad line{'s' if report.skipped_count != 1 else ''} skipped"
    return done + "."


# --- live: a line at a time, each its own entry ---------------------------------------------------


# A live line's reads, built once (bound by name when run): at a line typed every second, building
# a statement costs several times running it.
_BIB, _RACE, _CATEGORY, _SOURCE = (bindparam(n) for n in ("bib", "race", "category", "source"))
_OWN = (Claim.category_id == _CATEGORY, Claim.source_id == _SOURCE, NOT_RETRACTED)
_ENTRANT = (select(Entrant.athlete_id).where(Entrant.race_id == _RACE, Entrant.bib == _BIB)
            .order_by(Entrant.seq.desc()).limit(1))
_CLAIMED_BIB = (select(Claim.athlete_id).join(Category, Claim.category_id == Category.id)
                .where(Category.race_id == _RACE, Claim.bib == _BIB, NOT_RETRACTED, Claim.athlete_id.is_not(None))
                .order_by(Claim.id).limit(1))
_CROSSED = select(Claim.id).where(*_OWN, Claim.bib == _BIB).limit(1)
_LAST = (select(Claim.position, Claim.time_ms).where(*_OWN, Claim.position.is_not(None))
         .order_by(Claim.position.desc()).limit(1))


@dataclass(frozen=True)
class LiveTarget:
    """What every live line is recorded against, found once."""

    category: str
    category_id: int
    race_id: int
    source: str
    source_id: int


def live_target(session: Session, category: str, source: str) -> LiveTarget:
    found = lookup.claimable(session, category)
    by = lookup.find(session, Source, source)
    return LiveTarget(found.slug, found.id, found.race_id, by.slug, by.id)


def _holder(session: Session, target: LiveTarget, bib: str) -> int | None:
    """The athlete who holds the bib in the race: the newest start list's entrant, else the first live claim giving it."""
    run = session.connection().execute
    found = run(_ENTRANT, {"race": target.race_id, "bib": bib}).scalar()
    if found is not None:
        return found
    return run(_CLAIMED_BIB, {"race": target.race_id, "bib": bib}).scalar()


class LiveClaim(NamedTuple):
    """A line recorded at the finish: its claim, the place it took (None for a non-finisher), its bib."""

    claim_id: int
    place: int | None
    bib: str


def live_line(session: Session, by: str, target: LiveTarget, text: str) -> LiveClaim | None:
    """Record one line typed or piped at the finish as its own entry; None for a blank line. The
    place continues from the source's last place in the category, so a restarted feed goes on
    where it stopped."""
    said = parse_line(text)
    if said is None:
        return None
    athlete = _holder(session, target, said.bib)
    if athlete is None:
        raise LedgerError(f"unknown bib {said.bib}: no entrant of the race and no claim gives it")
    run, own = session.connection().execute, {"category": target.category_id, "source": target.source_id}
    if run(_CROSSED, {**own, "bib": said.bib}).first() is not None:
        raise LedgerError(f"bib {said.bib} has crossed the line already ({target.source} has a claim with it)")
    last = run(_LAST, own).first()
    place, last_time = (last[0], last[1]) if last is not None else (0, None)
    if said.time is not None and last_time is not None and said.time.ms < last_time:
        raise LedgerError(f"time {said.time} is earlier than {_time(last_time)} of place {place}: "
                          "a gun time never falls down the order")
    position = place + 1 if said.finished else None
    claim = _claim(next_id(session, Claim.id), 0, said.bib, athlete, position, said)
    del claim["line"]
    record(session, KIND, {"category": target.category, "source": target.source, "claims": [claim]}, by)
    return LiveClaim(claim["id"], position, said.bib)


class LiveOutcome(NamedTuple):
    """What became of one line of a live feed: recorded (`claim`), or refused and why (`refused`)."""

    line: int
    claim: LiveClaim | None
    refused: str | None


def record_live(engine: Engine, by: str, category: str, source: str, lines: Iterable[str]) -> Iterator[LiveOutcome]:
    """`finish --live`: each line recorded at once in a transaction of its own, its outcome yielded
    as it is known; a refused line records nothing and the feed goes on (it can be sent again).
    Blank lines and comments yield nothing."""
    with transaction(engine) as session:
        target = live_target(session, category, source)
    for number, text in enumerate(lines, 1):
        try:
            with transaction(engine) as session:
                done = live_line(session, by, target, text)
        except LedgerError as exc:
            yield LiveOutcome(number, None, str(exc))
            continue
        if done is not None:
            yield LiveOutcome(number, done, None)

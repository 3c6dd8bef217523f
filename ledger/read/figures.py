"""What readers ask of figures: every figure under a scope with its verdict, one figure whole, and the
pairs of figures that conflict (`kind: figure` in `raceledger disputes`).

Each figure is weighed by ledger.core.figure_rule against the other live figures of its subject and
measure. A retracted figure is shown (verdict `retracted`, no comparisons) but never weighed. A
ruling accepts one figure of a subject and measure: the verdicts stay what the rule says of the
numbers, but the accepted figure's standing is `accepted`, figures the rule finds in dispute with it
are `overruled`, and a dispute between two figures one of which is accepted or overruled is settled
(verdict `ruled`, listed by `disputes --all`). The newest ruling on a live figure is in force.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, NamedTuple

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from ledger.core import limits
from ledger.core.errors import LedgerError
from ledger.core.models import (
    Category,
    Event,
    Figure,
    FigureRuling,
    JournalEntry,
    Measure,
    Race,
    Source,
    Topic,
)
from ledger.projection import lookup
from ledger.core.figure_rule import (
    AT_DATE,
    DEFAULT_TOLERANCE_PCT,
    DISPUTED,
    ComparedWith,
    Estimate,
    Period,
    parse_amount,
    parse_moment,
    standings,
)

RETRACTED = "retracted"  # the verdict of a retracted figure: shown, never weighed
RULED = "ruled"  # a figure dispute a ruling settled
LIVE, ACCEPTED, OVERRULED = "live", "accepted", "overruled"  # standings beside RETRACTED


def parse_tolerance_pct(text: str) -> Decimal:
    """`--tolerance-pct`: an exact percentage from 0 to 100."""
    value = parse_amount(text)
    if value > 100:
        raise LedgerError(f"bad tolerance {text!r}: expected a percentage from 0 to 100")
    return value


@dataclass(frozen=True)
class FigureRow:
    """A figure as recorded, with the journal entry that recorded it."""

    id: int
    seq: int
    entry_hash: str
    subject: str
    subject_kind: str
    measure: str
    measure_name: str
    low: str
    high: str
    approximately: bool
    unit: str
    kind: str
    period_start: str | None
    period_end: str | None
    at: str | None
    method: str | None
    source: str
    source_kind: str
    via: str | None
    via_kind: str | None
    url: str | None
    quote: str | None
    published: dt.date | None
    retracted_seq: int | None
    retraction_reason: str | None

    @property
    def period(self) -> Period | None:
        if self.period_start is None:
            return None
        return Period(parse_moment(self.period_start), parse_moment(self.period_end))

    @property
    def label(self) -> str:
        return f"figure {self.id} ({self.source})"

    def estimate(self) -> Estimate:
        return Estimate(self.id, Decimal(self.low), Decimal(self.high), self.unit, self.kind, self.approximately,
                        self.period, parse_moment(self.at) if self.at else None, self.label)

    def amount(self) -> str:
        """220,000 or 300,000-800,000, with "around" when the source said so."""
        low, high = f"{Decimal(self.low):,f}", f"{Decimal(self.high):,f}"
        stated = low if low == high else f"{low}-{high}"
        return f"around {stated}" if self.approximately else stated

    def when(self) -> str:
        if self.kind == AT_DATE:
            return f"at {self.at}" if self.at else "date not given"
        return f"over {self.period}" if self.period else "period not given"

    def described(self) -> str:
        """One line: `#9 220,000 persons in total over 1995-1998 (dprk-foreign-ministry via ...)`."""
        period = self.period
        words = {
            "total": f"in total over {period}" if period else "in total, period not given",
            "per-year": f"a year on average over {period}" if period else "a year on average, period not given",
            "peak-year": f"in the peak year of {period}" if period else "in the peak year, period not given",
            AT_DATE: f"at {self.at}" if self.at else "at a date not given",
        }[self.kind]
        via = f" via {self.via}" if self.via else ""
        return f"#{self.id} {self.amount()} {self.unit} {words} ({self.source}{via})"


class RulingRow(NamedTuple):
    id: int
    seq: int
    figure_id: int
    decided_by: str
    reason: str
    decided: dt.date | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "seq": self.seq, "accepted_figure": self.figure_id, "decided_by": self.decided_by,
                "reason": self.reason, "decided": self.decided.isoformat() if self.decided else None}


class Assessed(NamedTuple):
    """A figure with the rule's verdict, its comparisons, and its standing under rulings and retraction."""

    row: FigureRow
    verdict: str
    comparisons: tuple[ComparedWith, ...]
    standing: str
    standing_reason: str | None
    ruling: RulingRow | None

    def to_json(self) -> dict[str, Any]:
        row = self.row
        return {
            "id": row.id, "subject": row.subject, "measure": row.measure,
            "value": row.low if row.low == row.high else None, "low": row.low, "high": row.high,
            "approximately": row.approximately, "unit": row.unit, "kind": row.kind,
            "period": [row.period_start, row.period_end] if row.period_start else None, "at": row.at,
            "source": row.source, "via": row.via, "quote": row.quote, "url": row.url,
            "verdict": self.verdict, "comparisons": [c.as_json() for c in self.comparisons],
            "subject_kind": row.subject_kind, "measure_name": row.measure_name, "method": row.method,
            "source_kind": row.source_kind, "via_kind": row.via_kind,
            "published": row.published.isoformat() if row.published else None,
            "standing": self.standing, "standing_reason": self.standing_reason,
            "ruling": self.ruling.to_json() if self.ruling else None,
            "seq": row.seq, "entry_hash": row.entry_hash,
        }


class Weighing(NamedTuple):
    """How figures are weighed: the rule's tolerance for "around" and the window for at-date figures."""

    tolerance_pct: Decimal = DEFAULT_TOLERANCE_PCT
    window: dt.timedelta | None = None


DEFAULT_WEIGHING = Weighing()


# --- reading -----------------------------------------------------------------------------------------


@functools.cache
def _rows_query():
    """Every figure row with what is shown beside it: built once (a results page reads it each time)."""
    via = aliased(Source)
    return (
        select(Figure.id, Figure.seq, JournalEntry.entry_hash, Figure.subject, Figure.subject_kind, Measure.slug,
               Measure.name, Figure.low, Figure.high, Figure.approximately, Figure.unit, Figure.kind,
               Figure.period_start, Figure.period_end, Figure.at, Figure.method, Source.slug, Source.kind,
               via.slug, via.kind, Figure.url, Figure.quote, Figure.published, Figure.retracted_seq,
               Figure.retraction_reason)
        .join(Measure, Figure.measure_id == Measure.id)
        .join(Source, Figure.source_id == Source.id)
        .outerjoin(via, Figure.via_id == via.id)
        .join(JournalEntry, JournalEntry.seq == Figure.seq)
    )


def is_topic(session: Session, scope: str) -> bool:
    """A topic slug (and not also an event's): it holds figures, never placings."""
    limits.text(scope, "slug", "scope")
    return (session.execute(select(Topic.id).where(Topic.slug == scope)).first() is not None
            and session.execute(select(Event.id).where(Event.slug == scope)).first() is None)


def in_scope(session: Session, scope: str):
    """Figures about the scope: a topic, or an event, race or category and everything beneath it."""
    if is_topic(session, scope):
        return (Figure.subject == scope) & (Figure.subject_kind == "topic")
    depth = scope.count("/") + 1
    model = {1: Event, 2: Race, 3: Category}.get(depth)
    if model is None:
        raise LedgerError(f"bad scope {limits.shortened(scope)}: expected a topic, EVENT, EVENT/RACE or EVENT/RACE/CATEGORY")
    if depth == 1 and session.execute(select(Event.id).where(Event.slug == scope)).first() is None:
        known = [*session.execute(select(Topic.slug)).scalars(), *session.execute(select(Event.slug)).scalars()]
        close = difflib.get_close_matches(scope, known, n=1, cutoff=0.6)
        raise LedgerError(f"no topic or event {limits.shortened(scope)}" + (f"; did you mean {close[0]!r}?" if close else ""))
    lookup.find(session, model, scope)
    return (Figure.subject_kind != "topic") & or_(Figure.subject == scope,
                                                  Figure.subject.startswith(scope + "/", autoescape=True))


@functools.cache
def _rulings_query():
    return (select(FigureRuling.id, FigureRuling.seq, FigureRuling.figure_id, FigureRuling.decided_by,
                   FigureRuling.reason, FigureRuling.decided)
            .join(Figure, FigureRuling.figure_id == Figure.id).order_by(FigureRuling.id))


@functools.cache
def _about_queries():
    """The figures about some subjects (`subjects`, bound when read) and their rulings, built once."""
    where = (Figure.subject_kind != "topic") & Figure.subject.in_(bindparam("subjects", expanding=True))
    return _rows_query().where(where), _rulings_query().where(where)


def _load(session: Session, query, values: dict[str, Any] | None = None) -> list[FigureRow]:
    """The figures a statement of `_rows_query` reads, in the order of subject, measure and id,
    sorted here so both databases give one order."""
    return sorted((FigureRow(*row) for row in session.execute(query, values)), key=lambda r: (r.subject, r.measure, r.id))


def _load_rulings(session: Session, query, values: dict[str, Any] | None = None) -> dict[int, list[RulingRow]]:
    """The rulings a statement of `_rulings_query` reads, by the figure they accept, oldest first."""
    found: dict[int, list[RulingRow]] = defaultdict(list)
    for row in session.execute(query, values):
        found[row.figure_id].append(RulingRow(*row))
    return found


def _groups(rows: Iterable[FigureRow]) -> dict[tuple[bool, str, str], list[FigureRow]]:
    """Figures of one subject and measure: the only ones the rule compares."""
    found: dict[tuple[bool, str, str], list[FigureRow]] = defaultdict(list)
    for row in rows:
        found[(row.subject_kind == "topic", row.subject, row.measure)].append(row)
    return found


def _assess_group(group: list[FigureRow], rulings: dict[int, list[RulingRow]], weighing: Weighing) -> list[Assessed]:
    """The group's figures weighed by the rule; the newest ruling on one of its live figures in force."""
    live = {row.id: row for row in group if row.retracted_seq is None}
    found = standings([row.estimate() for row in live.values()], weighing.tolerance_pct, weighing.window)
    in_force = max((r for figure_id in live for r in rulings.get(figure_id, ())), default=None, key=lambda r: r.id)
    assessed = []
    for row in group:
        if row.id not in live:
            assessed.append(Assessed(row, RETRACTED, (), RETRACTED, row.retraction_reason, None))
            continue
        verdict, comparisons = found[row.id]
        standing, reason, ruling = LIVE, None, None
        if in_force is not None and in_force.figure_id == row.id:
            standing, reason, ruling = ACCEPTED, in_force.reason, in_force
        elif in_force is not None and any(c.with_id == in_force.figure_id and c.verdict == DISPUTED
                                          for c in comparisons):
            standing, reason, ruling = OVERRULED, in_force.reason, in_force
        assessed.append(Assessed(row, verdict, comparisons, standing, reason, ruling))
    return assessed


def assessed(session: Session, scope: str | None = None, weighing: Weighing = DEFAULT_WEIGHING) -> list[Assessed]:
    """Every figure under the scope (a topic, event, race or category; None: all), grouped by subject
    and measure, each weighed against the others of its group."""
    return _assessed_where(session, None if scope is None else in_scope(session, scope), weighing)


def about_and_above(session: Session, slug: str, weighing: Weighing = DEFAULT_WEIGHING) -> list[Assessed]:
    """Figures about an event, race or category itself and about what holds it (a category's race
    and event): the figures a results view shows beside its placings."""
    parts = slug.split("/")
    values = {"subjects": ["/".join(parts[:depth]) for depth in range(1, len(parts) + 1)]}
    rows_query, rulings_query = _about_queries()
    return _weighed(_load(session, rows_query, values), _load_rulings(session, rulings_query, values), weighing)


def _assessed_where(session: Session, where, weighing: Weighing) -> list[Assessed]:
    rows, rulings = _rows_query(), _rulings_query()
    if where is not None:
        rows, rulings = rows.where(where), rulings.where(where)
    return _weighed(_load(session, rows), _load_rulings(session, rulings), weighing)


def _weighed(rows: list[FigureRow], rulings: dict[int, list[RulingRow]], weighing: Weighing) -> list[Assessed]:
    return [figure for group in _groups(rows).values() for figure in _assess_group(group, rulings, weighing)]


def one(session: Session, figure_id: int, weighing: Weighing = DEFAULT_WEIGHING) -> Assessed:
    """One figure whole, weighed against the other figures of its subject and measure."""
    (found,) = [a for a in group_of(session, figure_id, weighing) if a.row.id == figure_id]
    return found


def group_of(session: Session, figure_id: int, weighing: Weighing = DEFAULT_WEIGHING) -> list[Assessed]:
    """Every figure of the figure's subject and measure, each weighed against the others."""
    figure = session.get(Figure, limits.whole(figure_id, "id", "figure id"))
    if figure is None:
        raise LedgerError(f"no figure {figure_id}; figure ids are shown by: raceledger figures")
    same = (Figure.subject == figure.subject) & (Figure.subject_kind == figure.subject_kind) & \
        (Figure.measure_id == figure.measure_id)
    return _assessed_where(session, same, weighing)


# --- pairs and disputes ---------------------------------------------------------------------------------


class Pair(NamedTuple):
    """Two live figures of one subject and measure, and what the rule says of them."""

    first: Assessed
    second: Assessed
    verdict: str
    why: str

    @property
    def settled_by(self) -> RulingRow | None:
        """The ruling in force when it accepts or overrules either figure."""
        for figure in (self.first, self.second):
            if figure.standing in (ACCEPTED, OVERRULED):
                return figure.ruling
        return None

    def to_json(self) -> dict[str, Any]:
        return {"subject": self.first.row.subject, "measure": self.first.row.measure, "verdict": self.verdict,
                "why": self.why, "figures": [self.first.to_json(), self.second.to_json()]}


def pairs(found: list[Assessed]) -> list[Pair]:
    """Each unordered pair of live figures of one subject and measure, once, in the order of their ids."""
    by_id = {figure.row.id: figure for figure in found}
    listed = []
    for figure in found:
        for compared in figure.comparisons:
            if compared.with_id > figure.row.id and compared.with_id in by_id:
                listed.append(Pair(figure, by_id[compared.with_id], compared.verdict, compared.why))
    return listed


def dispute_items(session: Session, scope: str | None = None, weighing: Weighing = DEFAULT_WEIGHING,
                  include_ruled: bool = False) -> list[dict[str, Any]]:
    """Figure disputes as `raceledger disputes -f json` lists them beside placing disputes: one per
    disputed pair, with the keys every dispute has (`category` is the subject when that is a
    category; `position` and `athlete` are null; `claims` is empty: the figures are under `figures`)."""
    items = []
    for pair in pairs(assessed(session, scope, weighing)):
        ruling = pair.settled_by
        if pair.verdict != DISPUTED or (ruling is not None and not include_ruled):
            continue
        subject = pair.first.row
        items.append({
            "category": subject.subject if subject.subject_kind == "category" else None, "kind": "figure",
            "position": None, "athlete": None, **pair.to_json(), "verdict": RULED if ruling else DISPUTED,
            "ruling": ruling.to_json() if ruling else None, "claims": [],
        })
    return items


def topics(session: Session) -> list[dict[str, Any]]:
    """Each topic with the number of figures about it."""
    counts = dict(session.execute(select(Figure.subject, func.count()).where(Figure.subject_kind == "topic")
                                  .group_by(Figure.subject)).all())
    return [{"slug": slug, "name": name, "figures": counts.get(slug, 0)}
            for slug, name in sorted(session.execute(select(Topic.slug, Topic.name)).all())]

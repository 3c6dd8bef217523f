"""Which pages an entry can change: `scope_seq` keeps the last entry that touched each race and each
event, and the last entry that can change pages across them (`across`), so the web view keeps a
page until an entry that can change it is recorded, not until any entry is (ledger.web.app).

A race is the unit below the event: a category's page shows bib disputes, which its race's other
categories' claims decide, and a derived category is ranked from its parent's claims and the
race's entrants; so anything in a category is a change to every page of its race. What a race's
pages show from above it (the event's figures) moves the race on too. `across` is for what pages
of every race show: athletes merged (their names, their claims' grouping), reliance between
sources, sources, topics and their figures, the log's origin, and any kind not named here.

Written once per entry and scope, never once per row: an import of 500,000 rows into one category
writes two rows (its race, its event), however many athletes and claims it holds.
"""

from __future__ import annotations

import functools
from itertools import islice
from typing import Any, Callable, Iterable

from sqlalchemy import Executable, select
from sqlalchemy.orm import Session

from ledger.core.models import Category, Claim, Figure, Race, ScopeSeq

RACE, EVENT, ACROSS = "race", "event", "across"
Body = dict[str, Any]


def _up(slug: str, depth: int) -> str:
    """The event (depth 1) or race (depth 2) a slug lies in."""
    return "/".join(slug.split("/")[:depth])


def _claim_categories(session: Session, claim_ids: Iterable[int]) -> set[str]:
    ids, found = iter(claim_ids), set()
    while batch := list(islice(ids, 500)):
        found.update(session.execute(select(Category.slug).join(Claim, Claim.category_id == Category.id)
                                     .where(Claim.id.in_(batch)).distinct()).scalars())
    return found


def _subject(session: Session, subject: str, subject_kind: str) -> set[str] | None:
    """The races a figure about `subject` is shown on (None: a topic's, shown across)."""
    if subject_kind == "topic":
        return None
    if subject_kind == "event":
        return {subject, *session.execute(select(Race.slug).where(Race.slug.startswith(subject + "/",
                                                                                        autoescape=True))).scalars()}
    return {_up(subject, 2)}


def _figure(session: Session, body: Body) -> set[str] | None:
    return _subject(session, body["subject"], body["subject_kind"])


def _of_figure(session: Session, body: Body) -> set[str] | None:
    figure_id = body.get("figure", body.get("accept"))
    subject, kind = session.execute(select(Figure.subject, Figure.subject_kind).where(Figure.id == figure_id)).one()
    return _subject(session, subject, kind)


def _import(session: Session, body: Body) -> set[str]:
    header = body["header"]
    touched = {header["race"] if "race" in header else header["category"]}
    return touched | _claim_categories(session, header.get("withdraws", ()))


def _finish(session: Session, body: Body) -> set[str]:
    return {body["category"]} | _claim_categories(session, body.get("withdraws", ()))


# Each kind's slugs (events, races or categories) whose pages it can change; None: pages across
# them all; a kind not named here is taken as across.
TOUCHES: dict[str, Callable[[Session, Body], set[str] | None]] = {
    "event": lambda s, b: {b["slug"]},
    "race": lambda s, b: {b["slug"]},
    "category": lambda s, b: {b["slug"], *([b["derived_from"]] if "derived_from" in b else [])},
    "athlete": lambda s, b: set(),  # a new record: no page shows it until a claim or entrant names it
    "claim": lambda s, b: {b["category"]},
    "import": _import,
    "cite": lambda s, b: _claim_categories(s, [b["claim"]]),
    "retract": lambda s, b: _claim_categories(s, [b["claim"]]),
    "rule": lambda s, b: {b["category"]},
    "entrants": lambda s, b: {b["race"]},
    "finish": _finish,
    "figure": _figure,
    "figure-retract": _of_figure,
    "figure-rule": _of_figure,
}


def _keys(slugs: set[str] | None) -> set[tuple[str, str]]:
    """The scope_seq rows slugs move on: each one's race and event (an event alone: just it)."""
    if slugs is None:
        return {(ACROSS, "")}
    found = {(EVENT, _up(slug, 1)) for slug in slugs}
    found.update((RACE, _up(slug, 2)) for slug in slugs if "/" in slug)
    return found


def touch(session: Session, seq: int, kind: str, body: Body) -> None:
    """Move on the scopes entry `seq` can change, once each (run after its rows are written)."""
    touches = TOUCHES.get(kind)
    found = _keys(None if touches is None else touches(session, body))
    if not found:
        return
    session.execute(_upsert(session.get_bind().dialect.name),
                    [{"kind": k, "scope": s, "seq": seq} for k, s in sorted(found)])


@functools.cache
def _upsert(dialect: str) -> Executable:
    """A scope_seq row's upsert, built once a dialect: every entry runs it (the record path)."""
    if dialect == "postgresql":  # imported only here: a SQLite reader never loads it
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(ScopeSeq)
    return statement.on_conflict_do_update(index_elements=["kind", "scope"], set_={"seq": statement.excluded.seq})

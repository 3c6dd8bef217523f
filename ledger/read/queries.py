"""The reads of a page (the web view's, the static report's), each statement built once, at import.

SQLAlchemy takes about as long to build a statement as SQLite takes to run one of these, and a
page makes several; built once, each runs with bound values through the session's connection.
Live claims are read through the partial indexes on them (`retracted_seq IS NULL`), the few
withdrawn claims a page shows with `all=1` (or a claim's page) through theirs.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, NamedTuple, Sequence

from sqlalchemy import Select, and_, bindparam, func, or_, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, aliased

from ledger.core.canonical import GENESIS_HASH
from ledger.core.models import (
    NOT_RETRACTED,
    RETRACTED,
    Athlete,
    Category,
    Claim,
    Contest,
    Event,
    JournalEntry,
    Race,
    Reliance,
    Ruling,
    ScopeSeq,
    Source,
)
from ledger.core.views import ClaimView, RulingView
from ledger.projection import lookup
from ledger.projection.scopes import ACROSS, EVENT, RACE
from ledger.read import claims
from ledger.read.rulings import load_rulings
from ledger.read.verdicts import Lines, Rulings

# Values per IN list: well inside every database's limit on bound parameters.
BATCH = 500

_VIEWS = claims.views_query()
_IN_CATEGORY = Claim.category_id == bindparam("category")
# The joined category's id, not the claim's column: so SQLite (which keeps no statistics here)
# reads lists of positions or athletes through the partial indexes on live claims, not through the
# index of all a category's claims, 50,000 rows.
_JOINED_CATEGORY = Category.id == bindparam("category")

CLAIMS_BETWEEN = _VIEWS.where(_JOINED_CATEGORY, Claim.position.between(bindparam("low"), bindparam("high")),
                              NOT_RETRACTED)
CLAIMS_AT = _VIEWS.where(_JOINED_CATEGORY, Claim.position.in_(bindparam("positions", expanding=True)), NOT_RETRACTED)
CLAIMS_UNPLACED = _VIEWS.where(_JOINED_CATEGORY, Claim.position.is_(None), NOT_RETRACTED)
CLAIMS_OF_ATHLETES = _VIEWS.where(_JOINED_CATEGORY, Claim.athlete_id.in_(bindparam("athletes", expanding=True)),
                                  NOT_RETRACTED)
# Withdrawn claims (retracted, or withdrawn by a source's superseding word) through their own
# partial index (migration 0007).
CLAIMS_RETRACTED = _VIEWS.where(_IN_CATEGORY, RETRACTED)
CLAIM = _VIEWS.add_columns(Claim.seq, Claim.category_id).where(Claim.id == bindparam("id"))
POSITIONS_AFTER = (select(Claim.position).where(_IN_CATEGORY, Claim.position > bindparam("after"), NOT_RETRACTED)
                   .distinct().order_by(Claim.position).limit(bindparam("limit")))
# Contest groups by ranges of keys (a page's positions, the ids of the athletes it names), not
# lists: a list of a hundred bound values costs more to send than the few extra rows cost to skip.
CONTESTED = union_all(*(
    select(Contest.kind, Contest.key).where(Contest.category_id == bindparam("category"), Contest.kind == kind,
                                            Contest.key.between(bindparam(f"{kind}_low"), bindparam(f"{kind}_high")))
    for kind in ("position", "athlete")))
_CONTESTED_POSITIONS_FROM = (select(Contest.key).where(Contest.category_id == bindparam("category"),
                                                       Contest.kind == "position", Contest.key >= bindparam("start"))
                             .order_by(Contest.key).limit(bindparam("limit")).scalar_subquery())
CLAIMS_AT_CONTESTED = _VIEWS.where(_JOINED_CATEGORY, Claim.position.in_(_CONTESTED_POSITIONS_FROM), NOT_RETRACTED)
CONTESTED_ATHLETES = (select(Athlete.name, Contest.key).join(Athlete, Athlete.id == Contest.key)
                      .where(Contest.category_id == bindparam("category"), Contest.kind == "athlete"))
ANY_RULING_IN = select(Ruling.id).where(Ruling.category_id.in_(bindparam("categories", expanding=True))).limit(1)
ANY_RULING_ON = select(Ruling.id).where(Ruling.category_id == bindparam("category")).limit(1)
ANY_RULING = select(Ruling.id).limit(1)
CATEGORY = (select(Category.id, Category.slug, Category.name, Race.slug, Race.name, Event.slug, Event.name)
            .join(Race, Category.race_id == Race.id).join(Event, Race.event_id == Event.id)
            .where(Category.slug == bindparam("slug")))
CATEGORIES = select(Category.id, Category.slug)
CATEGORIES_UNDER = CATEGORIES.where(or_(Category.slug == bindparam("scope"), Category.slug.like(bindparam("prefix"))))
ENTRIES = select(JournalEntry.seq, JournalEntry.kind, JournalEntry.entry_hash, JournalEntry.recorded_at,
                 JournalEntry.recorded_by).where(JournalEntry.seq.in_(bindparam("seqs", expanding=True)))
CLAIMS_IN = (select(Claim.id, Claim.athlete_id, Source.slug).join(Source, Claim.source_id == Source.id)
             .where(Claim.category_id.in_(bindparam("categories", expanding=True))).order_by(Claim.id))
SEQS = select(Claim.id, Claim.seq).where(Claim.id.in_(bindparam("ids", expanding=True)))
HEAD = (select(JournalEntry.seq, JournalEntry.entry_hash, JournalEntry.recorded_at)
        .order_by(JournalEntry.seq.desc()).limit(1))


def _newest(kind, scope):
    """The newest entry that can change the pages of a race or event (`kind`, `scope`: values or
    expressions), or of every page (across); the head while the scope has none (no such page)."""
    newest = func.coalesce(
        select(func.max(ScopeSeq.seq)).where(or_(and_(ScopeSeq.kind == kind, ScopeSeq.scope == scope),
                                                 and_(ScopeSeq.kind == ACROSS, ScopeSeq.scope == ""))).scalar_subquery(),
        select(func.max(JournalEntry.seq)).scalar_subquery())
    # `seq <= newest`, the first such entry going down (the entry `newest` itself: seqs have no gaps),
    # rather than `seq = newest`: SQLite reads that through the covering index ix_journal_head, where
    # an equality on the rowid would read the row, walking a large body's pages to the hash after it.
    return (select(JournalEntry.seq, JournalEntry.entry_hash, JournalEntry.recorded_at)
            .where(JournalEntry.seq <= newest).order_by(JournalEntry.seq.desc()).limit(1))


SCOPE_HEAD = _newest(bindparam("kind"), bindparam("scope"))
# A claim's page shows its placing, its category's rulings and its own entries: its race's.
CLAIM_HEAD = _newest(RACE, select(Race.slug).join(Category, Category.race_id == Race.id)
                     .join(Claim, Claim.category_id == Category.id).where(Claim.id == bindparam("claim")).scalar_subquery())
CLAIM_SCOPE = "claim"  # a claim's page's scope kind (its scope the claim's id)
_RELYING, _RELIED = aliased(Source, name="relying"), aliased(Source, name="relied")
# Sources that rely on others, as a source's page names them (the verdicts read ledger.read.claims.reliance_pairs).
RELIANCE_OF = (select(_RELYING.slug, _RELIED.slug, Reliance.reason)
               .join(_RELYING, Reliance.source_id == _RELYING.id).join(_RELIED, Reliance.relies_on_id == _RELIED.id)
               .where(or_(_RELYING.slug == bindparam("slug"), _RELIED.slug == bindparam("slug")))
               .order_by(_RELYING.slug, _RELIED.slug))
# Every (source, source it relies on) pair, as ledger.read.claims.reliance_pairs reads them for the
# verdicts; built here once (an aliased join built anew cost a millisecond, a third of a claim's page).
RELIANCE_PAIRS = (select(_RELYING.slug, _RELIED.slug).select_from(Reliance)
                  .join(_RELYING, Reliance.source_id == _RELYING.id).join(_RELIED, Reliance.relies_on_id == _RELIED.id)
                  .order_by(Reliance.seq))
# What a request reads once, kept in its session's `info` (one read-only transaction a request).
_LINES = "raceledger.web.lines"


class Named(NamedTuple):
    slug: str
    name: str


class CategoryNames(NamedTuple):
    id: int
    category: Named
    race: Named
    event: Named


def batches(values: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def rows(session: Session, statement, **values: Any) -> list[Any]:
    return session.connection().execute(statement, values).all()


def views(session: Session, statement, **values: Any) -> list[ClaimView]:
    """The claims `statement` reads, with their further citations (as ledger.read.claims.load_views)."""
    return claims.with_citations(session, list(map(ClaimView._make, rows(session, statement, **values))))


def lines(session: Session) -> Lines:
    """The ledger's lines of evidence (which sources rely on which), read once a request."""
    if _LINES not in session.info:
        session.info[_LINES] = Lines([tuple(pair) for pair in rows(session, RELIANCE_PAIRS)])
    return session.info[_LINES]


def reliance(session: Session, slug: str) -> list[tuple[str, str, str | None]]:
    """(source, the source it relies on, why) for every reliance a source is part of, either way."""
    return [tuple(row) for row in rows(session, RELIANCE_OF, slug=slug)]


def views_of(session: Session, statement, key: str, many: Iterable[Any], **values: Any) -> list[ClaimView]:
    """`views` with an IN list of any length, a batch at a time."""
    found: list[ClaimView] = []
    for batch in batches(sorted(set(many))):
        found += views(session, statement, **{key: batch}, **values)
    return found


def retracted(session: Session, category_id: int, keep: Callable[[ClaimView], bool]) -> list[ClaimView]:
    """The category's withdrawn claims that `keep` picks."""
    return [v for v in views(session, CLAIMS_RETRACTED, category=category_id) if keep(v)]


def rulings(session: Session, category_ids: list[int] | None) -> tuple[list[RulingView], Rulings]:
    """Every ruling in these categories (None: all), superseded ones included; and those in force.
    Most ledgers hold none: one cheap look says so."""
    if category_ids is None:
        probe = rows(session, ANY_RULING)
    elif len(category_ids) == 1:
        probe = rows(session, ANY_RULING_ON, category=category_ids[0])
    else:
        probe = [row for batch in batches(category_ids) for row in rows(session, ANY_RULING_IN, categories=batch)]
    if not probe:
        return [], Rulings()
    found = load_rulings(session, category_ids)
    return found, Rulings(found)


def category(session: Session, slug: str) -> CategoryNames:
    """A category with its race and event, or the error naming the closest slug."""
    found = rows(session, CATEGORY, slug=slug)
    if not found:
        lookup.find(session, Category, slug)  # raises, suggesting the closest
    category_id, slug, name, race_slug, race_name, event_slug, event_name = found[0]
    return CategoryNames(category_id, Named(slug, name), Named(race_slug, race_name), Named(event_slug, event_name))


def categories_under(session: Session, scope: str | None) -> list[tuple[int, str]]:
    """(id, slug) of the categories under a scope, by slug as Python orders text (as reports do)."""
    found = rows(session, CATEGORIES) if scope is None else rows(session, CATEGORIES_UNDER, scope=scope,
                                                                  prefix=scope + "/%")
    if scope is not None:
        found = [(i, s) for i, s in found if s == scope or s.startswith(scope + "/")]  # LIKE may ignore case
        if not found:
            lookup.categories_under(session, scope)  # an unknown scope raises, naming the closest
    return sorted(((i, s) for i, s in found), key=lambda pair: pair[1])


def ledger_head(reader: Session | Connection) -> dict[str, Any]:
    """The newest journal entry as a page shows it: `seq`, `hash` and when it was recorded (seq 0
    for an empty ledger). What a page's freshness (its ETag) depends on."""
    found = reader.execute(HEAD).all()
    return head_of(found[0] if found else None)


def catalog_scope(slug: str) -> tuple[str, str]:
    """What an EVENT, EVENT/RACE or EVENT/RACE/CATEGORY page depends on: its event, or its race
    (a category's page shows what its race's other categories decide: ledger.projection.scopes)."""
    parts = slug.split("/")
    return (EVENT, parts[0]) if len(parts) == 1 else (RACE, "/".join(parts[:2]))


def scope_query(kind: str, scope: str) -> tuple[Select, dict[str, Any]]:
    """The statement, and its values, that reads the newest entry a page of `kind` (race, event or
    claim) and `scope` (a slug, a claim's id) depends on."""
    return (CLAIM_HEAD, {"claim": int(scope)}) if kind == CLAIM_SCOPE else (SCOPE_HEAD, {"kind": kind, "scope": scope})


def scope_head(reader: Session | Connection, kind: str, scope: str) -> dict[str, Any]:
    """The newest entry that can change the pages of a race, an event or a claim (`kind`, `scope`),
    as ledger_head gives the head: what a scoped page's ETag depends on."""
    statement, values = scope_query(kind, scope)
    found = reader.execute(statement, values).all()
    return head_of(found[0] if found else None)


def head_of(row: Sequence[Any] | None) -> dict[str, Any]:
    """The head from a row HEAD read (None: no entry yet)."""
    if row is None:
        return {"seq": 0, "hash": GENESIS_HASH, "recorded_at": None}
    seq, entry_hash, recorded_at = row
    return {"seq": seq, "hash": entry_hash, "recorded_at": recorded_at}


def claims_in(session: Session, category_ids: list[int]) -> list[tuple[int, int | None, str]]:
    """(claim id, athlete id, source slug) of every claim in these categories, by id."""
    found = [tuple(row) for batch in batches(category_ids) for row in rows(session, CLAIMS_IN, categories=batch)]
    return found if len(category_ids) <= BATCH else sorted(found)


def seqs(session: Session, claim_ids: Iterable[int]) -> dict[int, int]:
    """The journal entry that recorded each claim."""
    return {claim_id: seq for batch in batches(claim_ids) for claim_id, seq in rows(session, SEQS, ids=batch)}


def entries(session: Session, seqs: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Journal entries by seq: what proves when and by whom something was recorded."""
    found: dict[int, dict[str, Any]] = {}
    for batch in batches(sorted(set(seqs))):
        for seq, kind, entry_hash, at, by in rows(session, ENTRIES, seqs=batch):
            found[seq] = {"seq": seq, "kind": kind, "hash": entry_hash, "recorded_at": at, "recorded_by": by}
    return found

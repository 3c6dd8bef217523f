"""SQLAlchemy models: the journal (the truth) and the tables projected from it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Optional

from sqlalchemy import (
    CHAR,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Derived ids are assigned by the service and carried in the journal body, so a replay
# reproduces them exactly (a database sequence would not survive rolled-back transactions).
IntId = Annotated[int, mapped_column(Integer, primary_key=True, autoincrement=False)]
Slug = Annotated[str, mapped_column(String(200), unique=True)]
Name = Annotated[str, mapped_column(String(300))]
Seq = Annotated[int, mapped_column(ForeignKey("journal.seq"))]


# Claims that count toward verdicts: not retracted. Partial indexes use the same predicate.
NOT_RETRACTED = text("retracted_seq IS NULL")
# Withdrawn claims, which a placing still shows: their own small partial index (migration 0007).
RETRACTED = text("retracted_seq IS NOT NULL")
# Live claims that give a bib: a race's runners by bib (migration 0008).
LIVE_BIBS = text("retracted_seq IS NULL AND bib IS NOT NULL")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class JournalEntry(Base):
    """One write: append-only, each entry hashing the one before it."""

    __tablename__ = "journal"
    # The head's fields without the row (migration 0012): a body before them is never read to reach them.
    __table_args__ = (Index("ix_journal_head", "seq", "entry_hash", "recorded_at"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(40))
    # NULL for a large entry (an import): its canonical body is in journal_chunk, read with journal.body_pieces.
    body: Mapped[Optional[str]] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(CHAR(64))
    entry_hash: Mapped[str] = mapped_column(CHAR(64), unique=True)
    recorded_at: Mapped[str] = mapped_column(String(40))
    recorded_by: Mapped[str] = mapped_column(String(200))


class JournalChunk(Base):
    """A piece of a large entry's canonical body (about 1 MB, split at a row boundary), in order of n."""

    __tablename__ = "journal_chunk"

    seq: Mapped[int] = mapped_column(ForeignKey("journal.seq"), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[str] = mapped_column(Text)


class TreeNode(Base):
    """The hash of a complete subtree of the journal's RFC 6962 Merkle tree (ledger.core.merkle): the
    2**level leaves ending at entry `seq`, level >= 4 (ledger.journal.tree.LOWEST; smaller ones are
    hashed from the entries' own entry_hash). Written by the append that completes it, in that
    entry's transaction, so any proof takes O(log n) reads."""

    __tablename__ = "tree_node"

    seq: Mapped[int] = mapped_column(ForeignKey("journal.seq"), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(CHAR(64))


class LogOrigin(Base):
    """The log's name in its checkpoints (c2sp.org/tlog-checkpoint), set once by an `origin` entry."""

    __tablename__ = "log_origin"

    seq: Mapped[int] = mapped_column(ForeignKey("journal.seq"), primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))


class Event(Base):
    __tablename__ = "event"

    id: Mapped[IntId]
    slug: Mapped[Slug]
    name: Mapped[Name]
    date: Mapped[dt.date] = mapped_column(Date)
    place: Mapped[Optional[str]] = mapped_column(String(300))
    seq: Mapped[Seq]


class Race(Base):
    __tablename__ = "race"

    id: Mapped[IntId]
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    slug: Mapped[Slug]
    name: Mapped[Name]
    distance_m: Mapped[int] = mapped_column(Integer)
    seq: Mapped[Seq]


class Category(Base):
    __tablename__ = "category"

    id: Mapped[IntId]
    race_id: Mapped[int] = mapped_column(ForeignKey("race.id"), index=True)
    slug: Mapped[Slug]
    name: Mapped[Name]
    sex: Mapped[Optional[str]] = mapped_column(String(1))
    division: Mapped[Optional[str]] = mapped_column(String(100))
    age_min: Mapped[Optional[int]] = mapped_column(SmallInteger)
    age_max: Mapped[Optional[int]] = mapped_column(SmallInteger)
    # A category derived by a rule (sex, age) over the entrants from this one's overall order.
    derived_from_id: Mapped[Optional[int]] = mapped_column(ForeignKey("category.id"))
    seq: Mapped[Seq]


class Source(Base):
    __tablename__ = "source"

    id: Mapped[IntId]
    slug: Mapped[Slug]
    name: Mapped[Name]
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[Optional[str]] = mapped_column(Text)
    seq: Mapped[Seq]


class Athlete(Base):
    __tablename__ = "athlete"

    id: Mapped[IntId]
    name: Mapped[Name]
    # The name's matching key (names.name_key); the alias table holds only the other spellings.
    key: Mapped[str] = mapped_column(String(300), index=True)
    nationality: Mapped[Optional[str]] = mapped_column(String(3))
    born: Mapped[Optional[int]] = mapped_column(SmallInteger)
    # Set by a merge: this record is the same person as `merged_into`; its claims moved there.
    merged_into: Mapped[Optional[int]] = mapped_column(ForeignKey("athlete.id"), index=True)
    seq: Mapped[Seq]


class Alias(Base):
    """The other spellings an athlete is known by (the display name's key is on the athlete row)."""

    __tablename__ = "alias"

    athlete_id: Mapped[int] = mapped_column(ForeignKey("athlete.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    name: Mapped[Name]
    seq: Mapped[Seq]

    __table_args__ = (Index("ix_alias_key", "key"),)


class Claim(Base):
    """One source's assertion about one placing: the unit everything else is derived from."""

    __tablename__ = "claim"

    id: Mapped[IntId]
    seq: Mapped[Seq]
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    athlete_id: Mapped[Optional[int]] = mapped_column(ForeignKey("athlete.id"))
    unnamed: Mapped[Optional[str]] = mapped_column(Text)
    as_written: Mapped[Optional[str]] = mapped_column(String(300))
    position: Mapped[Optional[int]] = mapped_column(Integer)
    time_ms: Mapped[Optional[int]] = mapped_column(Integer)
    time_decimals: Mapped[int] = mapped_column(SmallInteger, default=0)
    net_time_ms: Mapped[Optional[int]] = mapped_column(Integer)
    net_time_decimals: Mapped[int] = mapped_column(SmallInteger, default=0)
    status: Mapped[str] = mapped_column(String(3))
    url: Mapped[Optional[str]] = mapped_column(Text)
    quote: Mapped[Optional[str]] = mapped_column(Text)
    published: Mapped[Optional[dt.date]] = mapped_column(Date)
    retrieved: Mapped[Optional[dt.date]] = mapped_column(Date)
    bib: Mapped[Optional[str]] = mapped_column(String(20))
    # What a results file wrote beside the status, e.g. the rule a disqualification cites.
    status_note: Mapped[Optional[str]] = mapped_column(Text)
    # Set by a retraction: the claim stays, but no longer counts toward verdicts and disputes.
    retracted_seq: Mapped[Optional[int]] = mapped_column(ForeignKey("journal.seq"))
    retraction_reason: Mapped[Optional[str]] = mapped_column(Text)
    # The source that reported the claim, when we know it only through that report: the citation
    # (url, quote, dates) is that report's; None when the claimant (`source_id`) is cited directly.
    via_id: Mapped[Optional[int]] = mapped_column(ForeignKey("source.id"))

    __table_args__ = (
        # Covering scans over live claims for position disputes and athlete disputes. Migrations 0002
        # and 0007 make these partial on PostgreSQL too; `postgresql_where` here would make every command on
        # SQLite import the PostgreSQL dialect, 50 ms (tests/test_migrations.py checks both).
        Index("ix_claim_placing", "category_id", "position", "athlete_id", "source_id", "time_ms", sqlite_where=NOT_RETRACTED),
        Index("ix_claim_athlete", "category_id", "athlete_id", "position", "status", "time_ms", "net_time_ms",
              sqlite_where=NOT_RETRACTED),
        Index("ix_claim_retracted", "category_id", "position", "athlete_id", sqlite_where=RETRACTED),
        Index("ix_claim_bib", "category_id", "bib", "athlete_id", sqlite_where=LIVE_BIBS),
        Index("ix_claim_category", "category_id"),
        Index("ix_claim_source", "source_id"),
        Index("ix_claim_athlete_id", "athlete_id"),
    )


class Citation(Base):
    """A further place a claim was seen (a `cite` entry): the claim's own citation is on its row."""

    __tablename__ = "citation"

    seq: Mapped[int] = mapped_column(ForeignKey("journal.seq"), primary_key=True, autoincrement=False)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    via_id: Mapped[Optional[int]] = mapped_column(ForeignKey("source.id"))
    url: Mapped[Optional[str]] = mapped_column(Text)
    quote: Mapped[Optional[str]] = mapped_column(Text)
    published: Mapped[Optional[dt.date]] = mapped_column(Date)
    retrieved: Mapped[Optional[dt.date]] = mapped_column(Date)


class Reliance(Base):
    """A source that depends on another (a wire copy, a paper repeating state media): their claims are
    one line of evidence, never two that agree."""

    __tablename__ = "reliance"

    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"), primary_key=True)
    relies_on_id: Mapped[int] = mapped_column(ForeignKey("source.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(ForeignKey("journal.seq"))
    reason: Mapped[Optional[str]] = mapped_column(Text)


class Contest(Base):
    """A group of live claims that may hold a dispute: one placing, or one athlete, in a category.

    Kept up to date by every entry that adds, retracts or moves claims (ledger.projection.contests), so that
    reading disputes visits these groups' claims only, never every claim of the ledger.
    """

    __tablename__ = "contest"

    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # "position" or "athlete"
    key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # the position or athlete id


class Ruling(Base):
    """An official decision: a claim holds for a placing, or an athlete's status (e.g. DQ).

    The newest ruling on a placing (or on an athlete's status) is the one in force; earlier ones
    stay, superseded, for history.
    """

    __tablename__ = "ruling"

    id: Mapped[IntId]
    seq: Mapped[Seq]
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    position: Mapped[Optional[int]] = mapped_column(Integer)
    accepted_claim_id: Mapped[Optional[int]] = mapped_column(ForeignKey("claim.id"), index=True)
    athlete_id: Mapped[Optional[int]] = mapped_column(ForeignKey("athlete.id"), index=True)
    status: Mapped[Optional[str]] = mapped_column(String(3))
    decided_by: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text)
    decided: Mapped[Optional[dt.date]] = mapped_column(Date)
    # A disqualification that leaves its place empty (`rule --vacate`): nobody moves up.
    vacate: Mapped[Optional[bool]] = mapped_column(Boolean)


class Entrant(Base):
    """A runner on a race's start list: the bib is how the race knows them. A later start list adds
    a row for the bib; the newest row (highest seq) of a race's bib is its entrant."""

    __tablename__ = "entrant"

    race_id: Mapped[int] = mapped_column(ForeignKey("race.id"), primary_key=True)
    bib: Mapped[str] = mapped_column(String(20), primary_key=True)
    seq: Mapped[int] = mapped_column(ForeignKey("journal.seq"), primary_key=True, autoincrement=False)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athlete.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    line: Mapped[int] = mapped_column(Integer)
    name: Mapped[Name]
    sex: Mapped[Optional[str]] = mapped_column(String(1))
    birth_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    born: Mapped[Optional[int]] = mapped_column(SmallInteger)
    age: Mapped[Optional[int]] = mapped_column(SmallInteger)
    nationality: Mapped[Optional[str]] = mapped_column(String(3))
    club: Mapped[Optional[str]] = mapped_column(String(300))
    start_category: Mapped[Optional[str]] = mapped_column(String(300))

    __table_args__ = (Index("ix_entrant_athlete", "race_id", "athlete_id"),)


class BibContest(Base):
    """A bib of a race that live claims or the start list give to two athletes under names that
    cannot be one runner's: a bib dispute (ledger.read.bib_disputes). Kept up to date by every entry
    that adds, withdraws or moves claims with bibs, or lists entrants (ledger.projection.bibs), so
    reading disputes never groups a race's claims."""

    __tablename__ = "bib_contest"

    race_id: Mapped[int] = mapped_column(ForeignKey("race.id"), primary_key=True)
    bib: Mapped[str] = mapped_column(String(20), primary_key=True)


class ScopeSeq(Base):
    """The last entry that can change a scope's pages (ledger.projection.scopes): `race` and
    `event` by slug, and `across` (scope "") for entries that change verdicts or names everywhere.
    One row per scope, moved on by each entry that touches it, never one per claim."""

    __tablename__ = "scope_seq"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    seq: Mapped[Seq]


class ImportFile(Base):
    """A results file imported by one journal entry: found by SHA-256 to refuse importing it twice."""

    __tablename__ = "import_file"

    seq: Mapped[int] = mapped_column(ForeignKey("journal.seq"), primary_key=True, autoincrement=False)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(CHAR(64))
    row_count: Mapped[int] = mapped_column(Integer)
    first_claim_id: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_import_file_sha256", "sha256", "category_id", "source_id"),)


# --- figures: numbers a source states, with ranges, units and periods (ledger.core.figure_rule) ---


class Topic(Base):
    """A subject of figures that is not a race, e.g. `dprk-famine`: a slug of its own."""

    __tablename__ = "topic"

    id: Mapped[IntId]
    slug: Mapped[Slug]
    name: Mapped[Name]
    seq: Mapped[Seq]


class Measure(Base):
    """What a figure counts (participants, deaths, fee): named by the first figure entry that uses it."""

    __tablename__ = "measure"

    id: Mapped[IntId]
    slug: Mapped[Slug]
    name: Mapped[Name]
    seq: Mapped[Seq]


class Figure(Base):
    """One source's number about a subject, as stated: exact decimal text (never a float), a point
    when low equals high. Period ends and `at` are a year (`1995`) or a day (`1995-07-01`)."""

    __tablename__ = "figure"

    id: Mapped[IntId]
    seq: Mapped[Seq]
    # An event, race or category slug, or a topic slug: `subject_kind` says which.
    subject: Mapped[str] = mapped_column(String(200))
    subject_kind: Mapped[str] = mapped_column(String(8))
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"))
    low: Mapped[str] = mapped_column(Text)
    high: Mapped[str] = mapped_column(Text)
    approximately: Mapped[bool] = mapped_column(Boolean)
    unit: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[Optional[str]] = mapped_column(String(10))
    period_end: Mapped[Optional[str]] = mapped_column(String(10))
    at: Mapped[Optional[str]] = mapped_column(String(10))
    method: Mapped[Optional[str]] = mapped_column(Text)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"), index=True)
    via_id: Mapped[Optional[int]] = mapped_column(ForeignKey("source.id"))
    url: Mapped[Optional[str]] = mapped_column(Text)
    quote: Mapped[Optional[str]] = mapped_column(Text)
    published: Mapped[Optional[dt.date]] = mapped_column(Date)
    # Set by a figure-retract entry: the figure stays shown, but is never weighed.
    retracted_seq: Mapped[Optional[int]] = mapped_column(ForeignKey("journal.seq"))
    retraction_reason: Mapped[Optional[str]] = mapped_column(Text)

    __table_args__ = (Index("ix_figure_subject", "subject", "measure_id"),)


class FigureRuling(Base):
    """An official decision that one figure holds for its subject and measure; the newest is in force."""

    __tablename__ = "figure_ruling"

    id: Mapped[IntId]
    seq: Mapped[Seq]
    figure_id: Mapped[int] = mapped_column(ForeignKey("figure.id"), index=True)
    decided_by: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text)
    decided: Mapped[Optional[dt.date]] = mapped_column(Date)

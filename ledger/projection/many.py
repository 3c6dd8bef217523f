"""Projections of the kinds that write many rows or change identities: `import` and `merge`.

Like every projection these are functions of the entry (and of the rows earlier entries made):
an import's body carries every id it creates, so replaying it anywhere rebuilds the same rows.
Derived rows are written through the DBAPI cursor in batches (see ledger.store.bulk).
"""

from __future__ import annotations

import json
import sqlite3
from itertools import islice
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ledger.core.errors import LedgerError
from ledger.core.models import LIVE, Alias, Athlete, Category, Claim, Ruling, Source
from ledger.core.names import name_key
from ledger.projection import contests
from ledger.store import bulk

# The columns of an import body's rows, in order (the body names them in its header too).
IMPORT_COLUMNS = ("line", "position", "bib", "name", "athlete", "nationality", "born", "sex",
                  "time_ms", "time_decimals", "net_time_ms", "net_time_decimals", "status", "note")
ATHLETE_COLUMNS = ("id", "name", "key", "nationality", "born", "seq")
CLAIM_COLUMNS = ("id", "seq", "category_id", "source_id", "athlete_id", "unnamed", "as_written", "position",
                 "time_ms", "time_decimals", "net_time_ms", "net_time_decimals", "status", "url", "published",
                 "retrieved", "bib", "status_note")
IMPORT_FILE_COLUMNS = ("seq", "category_id", "source_id", "file_name", "sha256", "row_count", "first_claim_id")
BATCH_ROWS = 5_000


def _field(name: str) -> str:
    """SQLite: the value of an import row's column, from the row's JSON text (json_each's `value`)."""
    return f"json_extract(value, '$[{IMPORT_COLUMNS.index(name)}]')"


_ATHLETE, _NAME = _field("athlete"), _field("name")
# An import body's rows (a JSON array of them) as claims: CLAIM_COLUMNS, in order, as `tuples` makes them.
_CLAIMS_FROM_JSON = (
    f"INSERT INTO claim ({', '.join(CLAIM_COLUMNS)}) SELECT :first + key, :seq, :category, :source, {_ATHLETE}, "
    f"CASE WHEN {_ATHLETE} IS NULL THEN {_NAME} END, CASE WHEN {_ATHLETE} IS NOT NULL THEN {_NAME} END, "
    + ", ".join(map(_field, ("position", "time_ms", "time_decimals", "net_time_ms", "net_time_decimals", "status")))
    + f", :url, :published, :retrieved, {_field('bib')}, {_field('note')} FROM json_each(:rows)"
)
# New athletes as [id, name, key, nationality, born] arrays.
_ATHLETES_FROM_JSON = (
    f"INSERT INTO athlete ({', '.join(ATHLETE_COLUMNS)}) SELECT "
    + ", ".join(f"json_extract(value, '$[{i}]')" for i in range(5)) + ", :seq FROM json_each(:athletes)"
)
_encode_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
# Existing athletes an import links whose groups are refreshed one by one; past this many, the
# whole category's athlete groups are refreshed in one grouped scan.
LINKED_LIMIT = 10_000
# Positions below this are tracked in a byte array (at most this many bytes); higher ones in a set.
PLACED_LIMIT = 1 << 24


def _id_of(session: Session, model, slug: str, seq: int) -> int:
    found = session.execute(select(model.id).where(model.slug == slug)).scalar()
    if found is None:
        raise LedgerError(f"journal entry {seq} refers to unknown {model.__tablename__} {slug!r}")
    return found


def _batches(rows: Iterable[list[Any]]) -> Iterator[list[list[Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH_ROWS)):
        yield batch


class ImportRows:
    """The derived rows of one import entry, written batch by batch: claims and new athletes.

    A row's athlete is an existing id, a new id (at or above the header's first_athlete_id, new
    ids consecutive in row order: the athlete is created from the row), or null for an athlete
    the source did not name (the row's name is then the source's description). `tuples` is pure
    Python and `write` only uses the connection, so an import can run them in another thread.

    Only some groups can become contested (ledger.projection.contests): the athletes it links (a new athlete
    has one claim), and placings it shares with earlier claims of the category or gives to two
    rows; `finish` refreshes those.
    """

    def __init__(self, session: Session, seq: int, header: dict[str, Any]) -> None:
        if header.get("columns") != list(IMPORT_COLUMNS):
            raise LedgerError(f"journal entry {seq}: unknown import row layout {header.get('columns')!r}")
        self.session, self.seq, self.header = session, seq, header
        self.category_id = _id_of(session, Category, header["category"], seq)
        self.source_id = _id_of(session, Source, header["source"], seq)
        citation = header.get("citation") or {}
        self.citation = citation.get("url"), citation.get("published"), citation.get("retrieved")
        self.first_claim = self.next_claim = header["first_claim_id"]
        self.first_athlete = self.next_athlete = header["first_athlete_id"]
        self.insert = bulk.inserter(session)
        self.driver = session.connection().connection.driver_connection
        self.had_claims = session.execute(
            select(Claim.id).where(Claim.category_id == self.category_id, LIVE).limit(1)).first() is not None
        self.placed = bytearray()  # a byte per position up to the highest seen, 1 once a row has it
        self.shared: set[int] = set()  # positions given to more than one row (and, past the array, all)
        self.linked: set[int] | None = set()  # existing athletes the rows name; None: too many to list

    def tuples(self, batch: list[list[Any]], claims_too: bool = True) -> tuple[list[tuple], list[tuple]]:
        """The batch's new athletes and its claims as table rows (claims left out if not wanted)."""
        seq, category_id, source_id, first_athlete = self.seq, self.category_id, self.source_id, self.first_athlete
        url, published, retrieved = self.citation
        claim_id, next_athlete, key = self.next_claim, self.next_athlete, name_key
        athletes: list[tuple] = []
        claims: list[tuple] = []
        add_athlete, add_claim = athletes.append, claims.append if claims_too else None
        placed, linked = self.placed, self.linked
        for line, position, bib, name, athlete, nat, born, _sex, t, td, nt, ntd, status, note in batch:
            if position is not None:
                if position < len(placed):
                    if placed[position]:
                        self.shared.add(position)
                    placed[position] = 1
                else:
                    self._place(position)
            if athlete is None:
                unnamed, written = name, None
            else:
                unnamed, written = None, name
                if athlete >= first_athlete:
                    if athlete != next_athlete:
                        raise LedgerError(f"journal entry {seq}: line {line} creates athlete #{athlete}, "
                                          f"expected #{next_athlete} (new athletes are numbered in row order)")
                    add_athlete((athlete, name, key(name), nat, born, seq))
                    next_athlete += 1
                elif linked is not None:
                    linked.add(athlete)
                    if len(linked) > LINKED_LIMIT:
                        linked = self.linked = None
            if add_claim is not None:
                add_claim((claim_id, seq, category_id, source_id, athlete, unnamed, written, position, t, td, nt,
                           ntd, status, url, published, retrieved, bib, note))
            claim_id += 1
        self.next_claim, self.next_athlete = claim_id, next_athlete
        return athletes, claims

    def _place(self, position: int) -> None:
        """Note a position past the byte array: grow it (up to a limit), else remember it as shared."""
        if position < PLACED_LIMIT:
            self.placed.extend(bytes(max(position + 1, 2 * len(self.placed)) - len(self.placed)))
            self.placed[position] = 1
        else:
            self.shared.add(position)

    def reads_json(self) -> bool:
        """Whether this SQLite has its JSON functions (built in since 3.38; an option before)."""
        try:
            self.driver.execute("SELECT json_extract('[1]', '$[0]')")
        except sqlite3.OperationalError:
            return False
        return True

    def from_json(self, batch: list[list[Any]], rows_json: str) -> Callable[[], None]:
        """SQLite: a write of the batch's rows from `rows_json`, their canonical text as a JSON array.

        SQLite reads the text itself (json_each), so the write is two statements that run without
        the GIL: a writer thread inserting them leaves the caller's thread free to parse the next
        rows (executemany takes the GIL back for every row). The caller's thread only makes the new
        athletes' rows, whose name keys SQLite cannot compute.
        """
        first_claim = self.next_claim
        athletes = _encode_json([row[:5] for row in self.tuples(batch, claims_too=False)[0]])
        url, published, retrieved = self.citation
        claims = {"first": first_claim, "seq": self.seq, "category": self.category_id, "source": self.source_id,
                  "url": url, "published": published, "retrieved": retrieved, "rows": rows_json}
        driver = self.driver

        def write() -> None:
            if athletes != "[]":
                driver.execute(_ATHLETES_FROM_JSON, {"seq": self.seq, "athletes": athletes})
            driver.execute(_CLAIMS_FROM_JSON, claims)
        return write

    def write(self, athletes: list[tuple], claims: list[tuple]) -> None:
        if athletes:
            self.insert("athlete", ATHLETE_COLUMNS, athletes)
        if claims:
            self.insert("claim", CLAIM_COLUMNS, claims)

    def add(self, batch: list[list[Any]]) -> None:
        self.write(*self.tuples(batch))

    def finish(self) -> None:
        """After every row: the imported file's record and the contests the rows may have made (through
        the writer thread, if one is open, so after the rows it is still writing)."""
        file = self.header["file"]
        row = (self.seq, self.category_id, self.source_id, file["name"], file["sha256"],
               self.next_claim - self.first_claim, self.first_claim)
        positions = contests.EVERY if self.had_claims else self.shared
        athletes = contests.EVERY if self.linked is None else self.linked
        bulk.submit(self.session, self.insert, "import_file", IMPORT_FILE_COLUMNS, [row])
        bulk.submit(self.session, contests.refresh, self.session, self.category_id, positions, athletes)


def import_entry(session: Session, seq: int, body: dict[str, Any]) -> None:
    """An import body `{"header": {...}, "rows": iterable of rows, ...}`: see ImportRows.

    On SQLite the inserts run in a writer thread while the next rows are read and parsed.
    """
    rows = ImportRows(session, seq, body["header"])
    with bulk.background(session):
        for batch in _batches(body["rows"]):
            bulk.submit(session, rows.write, *rows.tuples(batch))
        rows.finish()


def merge_entry(session: Session, seq: int, body: dict[str, Any]) -> None:
    """OTHER is the same person as KEEP: its claims move to KEEP, its spellings become KEEP's.

    OTHER's own row stays (marked merged_into), as do the names its claims were written with.
    KEEP takes OTHER's nationality and birth year only where it has none.
    """
    keep_id, other_id = body["keep"], body["other"]
    keep, other = session.get(Athlete, keep_id), session.get(Athlete, other_id)
    for athlete, number in ((keep, keep_id), (other, other_id)):
        if athlete is None:
            raise LedgerError(f"journal entry {seq} merges unknown athlete #{number}")
        if athlete.merged_into is not None:
            raise LedgerError(f"journal entry {seq} merges #{number}, already merged into #{athlete.merged_into}")
    if keep_id == other_id:
        raise LedgerError(f"journal entry {seq} merges athlete #{keep_id} with itself")
    taken = set(session.execute(select(Alias.key).where(Alias.athlete_id == keep_id)).scalars())
    spellings = [(other.key, other.name)]
    spellings += session.execute(select(Alias.key, Alias.name).where(Alias.athlete_id == other_id)
                                 .order_by(Alias.seq, Alias.name)).all()
    added = []
    for spelling_key, spelling in spellings:
        if spelling_key not in taken and spelling != keep.name:
            taken.add(spelling_key)
            added.append({"athlete_id": keep_id, "key": spelling_key, "name": spelling, "seq": seq})
    if added:
        session.execute(insert(Alias), added)
    fill = {}
    if keep.nationality is None and other.nationality is not None:
        fill["nationality"] = other.nationality
    if keep.born is None and other.born is not None:
        fill["born"] = other.born
    if fill:
        session.execute(update(Athlete).where(Athlete.id == keep_id).values(**fill))
    session.execute(update(Athlete).where((Athlete.id == other_id) | (Athlete.merged_into == other_id))
                    .values(merged_into=keep_id))
    moved: dict[int, set[int]] = {}
    for category_id, position in session.execute(
            select(Claim.category_id, Claim.position).where(Claim.athlete_id == other_id)):
        positions = moved.setdefault(category_id, set())
        if position is not None:
            positions.add(position)
    session.execute(update(Claim).where(Claim.athlete_id == other_id).values(athlete_id=keep_id))
    session.execute(update(Ruling).where(Ruling.athlete_id == other_id).values(athlete_id=keep_id))
    for category_id, positions in moved.items():  # one identity fewer at these placings
        contests.refresh(session, category_id, positions, (keep_id, other_id))
    session.expire_all()

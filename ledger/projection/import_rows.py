"""The projection of an `import` entry: a claim per row, and the athletes the rows create.

Like every projection it is a function of the entry (and of the rows earlier entries made): an
import's body carries every id it creates, so replaying it anywhere rebuilds the same rows. Rows are
written through the DBAPI cursor in batches (see ledger.store.bulk), from the body's rows as they
are read, so memory does not grow with the file.
"""

from __future__ import annotations

from itertools import islice
from typing import Any, Iterable, Iterator

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ledger.core import limits, rules
from ledger.core.errors import LedgerError
from ledger.core.models import NOT_RETRACTED, Category, Claim, Race, Source
from ledger.core.names import name_key
from ledger.projection import bibs, contests
from ledger.store import bulk

# The columns of an import body's rows, in order (the body names them in its header too).
IMPORT_COLUMNS = ("line", "position", "bib", "name", "athlete", "nationality", "born", "sex",
                  "time_ms", "time_decimals", "net_time_ms", "net_time_decimals", "status", "note")
ATHLETE_COLUMNS = ("id", "name", "key", "nationality", "born", "seq")
CLAIM_COLUMNS = ("id", "seq", "category_id", "source_id", "athlete_id", "unnamed", "as_written", "position",
                 "time_ms", "time_decimals", "net_time_ms", "net_time_decimals", "status", "url", "published",
                 "retrieved", "bib", "status_note", "via_id")
IMPORT_FILE_COLUMNS = ("seq", "category_id", "source_id", "file_name", "sha256", "row_count", "first_claim_id")
# Columns a row may carry after IMPORT_COLUMNS, in this order: its index in the header's `categories`
# (a file of several rankings, made categories of header["race"]) and in its `sources` (--source-column).
EXTRA_COLUMNS = ("category", "source")
_EXTRAS = {EXTRA_COLUMNS, EXTRA_COLUMNS[:1], EXTRA_COLUMNS[1:]}
BATCH_ROWS = 5_000


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
        columns = header.get("columns") or []
        self.extra = tuple(columns[len(IMPORT_COLUMNS):])
        if columns[:len(IMPORT_COLUMNS)] != list(IMPORT_COLUMNS) or self.extra not in {(), *_EXTRAS}:
            raise LedgerError(f"journal entry {seq}: unknown import row layout {header.get('columns')!r}")
        self.session, self.seq, self.header = session, seq, header
        self.category_ids = self._categories(session, seq, header)
        self.category_id = self.category_ids[0]
        self.source_ids = [_id_of(session, Source, slug, seq) for slug in header.get("sources", [header["source"]])]
        self.source_id = _id_of(session, Source, header["source"], seq)
        citation = header.get("citation") or {}
        self.citation = citation.get("url"), citation.get("published"), citation.get("retrieved")
        self.via_id = _id_of(session, Source, header["via"], seq) if "via" in header else None
        self.first_claim = self.next_claim = header["first_claim_id"]
        self.first_athlete = self.next_athlete = header["first_athlete_id"]
        self.insert = bulk.inserter(session)
        self.race_id = bibs.race_of(session, self.category_id)
        self.race_had_bibs = bibs.race_has_bibs(session, self.race_id)
        self.had_claims = session.execute(
            select(Claim.id).where(Claim.category_id == self.category_id, NOT_RETRACTED).limit(1)).first() is not None
        self.placed = bytearray()  # a byte per position up to the highest seen, 1 once a row has it
        self.shared: set[int] = set()  # positions given to more than one row (and, past the array, all)
        self.linked: set[int] | None = set()  # existing athletes the rows name; None: too many to list
        self.bibbed = False  # a row gives a bib: its race's bib contests may change

    @staticmethod
    def _categories(session: Session, seq: int, header: dict[str, Any]) -> list[int]:
        """The entry's categories: one, or a file's rankings, those new made here (the race's, by their ids)."""
        if "categories" not in header:
            return [_id_of(session, Category, header["category"], seq)]
        race_id = _id_of(session, Race, header["race"], seq)
        ids = []
        for made in header["categories"]:
            if "id" in made:
                if not made["slug"].startswith(header["race"] + "/"):
                    raise LedgerError(f"journal entry {seq} makes category {made['slug']!r} outside its race")
                rules.slug(made["slug"], 3, "category")  # a loaded entry is held to what an import writes
                limits.text(made["name"], "name")
                limits.whole(made["id"], "id")
                session.execute(insert(Category).values(id=made["id"], race_id=race_id, slug=made["slug"],
                                                        name=made["name"], seq=seq))
                ids.append(made["id"])
            else:
                ids.append(_id_of(session, Category, made["slug"], seq))
        return ids

    def tuples(self, batch: list[list[Any]]) -> tuple[list[tuple], list[tuple]]:
        """The batch's new athletes and its claims as table rows: the one code that turns rows into claims."""
        if self.extra:
            return self._keyed_tuples(batch)
        seq, category_id, source_id, first_athlete = self.seq, self.category_id, self.source_id, self.first_athlete
        url, published, retrieved = self.citation
        via_id = self.via_id
        claim_id, next_athlete, key = self.next_claim, self.next_athlete, name_key
        athletes: list[tuple] = []
        claims: list[tuple] = []
        add_athlete, add_claim = athletes.append, claims.append
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
            if bib is not None:
                self.bibbed = True
            add_claim((claim_id, seq, category_id, source_id, athlete, unnamed, written, position, t, td, nt,
                           ntd, status, url, published, retrieved, bib, note, via_id))
            claim_id += 1
        self.next_claim, self.next_athlete = claim_id, next_athlete
        return athletes, claims

    def _keyed_tuples(self, batch: list[list[Any]]) -> tuple[list[tuple], list[tuple]]:
        """`tuples` for rows carrying their category and source (EXTRA_COLUMNS); a new athlete several
        sources name is made by its first row."""
        at_category = self.extra.index("category") + len(IMPORT_COLUMNS) if "category" in self.extra else -1
        at_source = self.extra.index("source") + len(IMPORT_COLUMNS) if "source" in self.extra else -1
        url, published, retrieved = self.citation
        athletes: list[tuple] = []
        claims: list[tuple] = []
        for row in batch:
            line, position, bib, name, athlete, nat, born, _sex, t, td, nt, ntd, status, note = row[:len(IMPORT_COLUMNS)]
            category_id = self.category_ids[row[at_category]] if at_category >= 0 else self.category_id
            source_id = self.source_ids[row[at_source]] if at_source >= 0 else self.source_id
            if athlete is None:
                unnamed, written = name, None
            else:
                unnamed, written = None, name
                if athlete == self.next_athlete:
                    athletes.append((athlete, name, name_key(name), nat, born, self.seq))
                    self.next_athlete += 1
                elif athlete > self.next_athlete:
                    raise LedgerError(f"journal entry {self.seq}: line {line} creates athlete #{athlete}, "
                                      f"expected #{self.next_athlete} (new athletes are numbered in row order)")
            claims.append((self.next_claim, self.seq, category_id, source_id, athlete, unnamed, written, position, t,
                           td, nt, ntd, status, url, published, retrieved, bib, note, self.via_id))
            self.next_claim += 1
        self.linked = None
        return athletes, claims

    def _place(self, position: int) -> None:
        """Note a position past the byte array: grow it (up to a limit), else remember it as shared."""
        if position < PLACED_LIMIT:
            self.placed.extend(bytes(max(position + 1, 2 * len(self.placed)) - len(self.placed)))
            self.placed[position] = 1
        else:
            self.shared.add(position)

    def write(self, athletes: list[tuple], claims: list[tuple]) -> None:
        if athletes:
            self.insert("athlete", ATHLETE_COLUMNS, athletes)
        if claims:
            self.insert("claim", CLAIM_COLUMNS, claims)

    def finish(self) -> None:
        """After every row: the imported file's record and the contests the rows may have made."""
        file = self.header["file"]
        row = (self.seq, self.category_id, self.source_id, file["name"], file["sha256"],
               self.next_claim - self.first_claim, self.first_claim)
        positions = contests.EVERY if self.had_claims or self.extra else self.shared
        athletes = contests.EVERY if self.linked is None else self.linked
        self.insert("import_file", IMPORT_FILE_COLUMNS, [row])
        for category_id in dict.fromkeys(self.category_ids):
            contests.refresh(self.session, category_id, positions, athletes)
        # One file's bibs are its own, unless the race had bibs already or the file holds several sources.
        if self.bibbed and (self.race_had_bibs or self.extra):
            bibs.refresh(self.session, self.race_id)
        if self.header.get("withdraws"):  # --supersedes: what the source's new word no longer says
            withdraw(self.session, self.seq, self.source_id, self.header["withdraws"], self.header["reason"])


def withdraw(session: Session, seq: int, source_id: int, claim_ids: list[int], reason: str) -> None:
    """The source withdraws these live claims of its own (a correction, `--supersedes`): each stays, marked."""
    ids = iter(claim_ids)
    while batch := list(islice(ids, 500)):
        done = session.execute(update(Claim).where(Claim.id.in_(batch), Claim.source_id == source_id, NOT_RETRACTED)
                               .values(retracted_seq=seq, retraction_reason=reason))
        if done.rowcount != len(batch):
            raise LedgerError(f"journal entry {seq} withdraws claims that are unknown, another source's, "
                              "or already retracted")
    contests.refresh_claims(session, claim_ids)
    bibs.refresh_claims(session, claim_ids)


def check_row(row: list[Any]) -> None:
    """An import row from outside the ledger (a loaded export) held to what an import writes itself:
    SQLite would store any value, PostgreSQL would refuse it mid-load."""
    for index in row[len(IMPORT_COLUMNS):]:
        if index.__class__ is not int or not 0 <= index < 1 << 20:
            raise LedgerError(f"bad category or source index {index!r}")
    row = row[:len(IMPORT_COLUMNS)]
    line, position, bib, name, athlete, nationality, born, sex, time, decimals, net, net_decimals, status, note = row
    limits.whole(line, "id", "line")
    for value, kind in ((position, "position"), (athlete, "id"), (time, "time"), (net, "time")):
        if value is not None:
            limits.whole(value, kind)
    for value, kind in ((bib, "bib"), (name, "name"), (note, "note")):
        if value is not None or kind == "name":
            limits.text(value, kind)
    if nationality is not None and rules.nationality(nationality) != nationality:
        raise LedgerError(f"bad nationality {nationality!r}")
    if born is not None:
        rules.birth_year(born)
    if sex not in (None, *rules.SEXES) or status not in rules.STATUSES or decimals not in range(4) \
            or net_decimals not in range(4):
        raise LedgerError(f"bad sex, status or decimals: {sex!r}, {status!r}, {decimals!r}, {net_decimals!r}")


def import_entry(session: Session, seq: int, body: dict[str, Any]) -> None:
    """An import body `{"header": {...}, "rows": iterable of rows, ...}`: see ImportRows."""
    rows = ImportRows(session, seq, body["header"])
    for batch in _batches(body["rows"]):
        rows.write(*rows.tuples(batch))
    rows.finish()

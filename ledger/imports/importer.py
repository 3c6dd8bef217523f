"""Importing a results file: one file, one journal entry, one claim per row, or nothing at all.

One streaming pass reads the file, so memory stays flat whatever its size: each row is read and
checked (ledger.imports.resultsfile), its athlete decided (ledger.imports.identity, the directory
loaded once), then rows go in batches to the body's canonical text, hashed and spooled to a
temporary file piece by piece (a dry run keeps nothing). The entry is then recorded like any other
large one (ledger.projection.record.record_chunked): the journal row, then its chunks and claims
projected from the spooled body by the same code that `load` and `verify --deep` replay it with.
A bad row (unless skip_invalid) or any error leaves the caller's transaction to roll back: nothing
is written, nor the rejects file. If two rows match one existing athlete, the pass runs again linking
neither.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Callable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.core import limits, row_tree, rules
from ledger.core.errors import LedgerError
from ledger.core.models import Athlete, Category, Claim, Event, ImportFile, Race, Source
from ledger.core.names import name_key
from ledger.core.progress import Progress, silent
from ledger.imports import identity, rankings, resultsfile, supersede
from ledger.journal import bodies, chain
from ledger.projection import lookup
from ledger.projection.bibs import RaceBibs
from ledger.projection.import_rows import IMPORT_COLUMNS
from ledger.projection.record import record_chunked
from ledger.store import bulk
from ledger.store.files import written_whole

# Rows handed to the writer at a time: big enough for executemany, small enough that the few
# batches in flight stay a few megabytes.
BATCH_ROWS = 2_000
READ_BLOCK = 1 << 20
MAX_DUPLICATES = 200
STDIN = "-"
KIND = "import"


@dataclass(frozen=True)
class ImportRequest:
    """What `raceledger import` was asked to do."""

    category: str
    source: str
    path: str
    maps: tuple[str, ...] = ()
    dry_run: bool = False
    skip_invalid: bool = False
    rejects: str | None = None
    again: bool = False
    url: str | None = None
    published: str | None = None
    via: str | None = None  # the source that republished the file, when it is not the claimant's own
    supersedes: bool = False  # the file is the source's whole current word on the category (imports.supersede)
    split_by: str | None = None  # a column, or "section": one ranking (category of the race) per value
    source_column: str | None = None  # a column holding each row's source (a results CSV of a disputed category)


@dataclass
class ImportReport:
    where: str
    category: str
    source: str
    dry_run: bool
    seq: int | None = None
    rows: int = 0
    rejected: int = 0
    new_athletes: int = 0
    linked: int = 0
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0
    duplicates: list[identity.Duplicate] = field(default_factory=list)
    duplicate_count: int = 0
    names: dict[int, str] = field(default_factory=dict)
    kept: int = 0  # --supersedes: the source's claims the file repeats, left as they are
    withdrawn: int = 0  # ... and those it changes or leaves out, withdrawn as corrections
    used_columns: tuple[tuple[str, str], ...] = ()
    reasons: tuple[tuple[str, str], ...] = ()  # each ignored column, and why
    guesses: tuple[str, ...] = ()  # what the importer decided that the header alone did not say
    rankings: list[tuple[str, int, bool]] = field(default_factory=list)  # category slug, rows, made now


class ImportFailed(LedgerError):
    """Bad rows: the message is one line, `problems` the first of them as FILE:LINE: message."""

    def __init__(self, message: str, problems: list[str], total: int, warnings: list[str]) -> None:
        super().__init__(message)
        self.problems = problems
        self.more = total - len(problems)
        self.warnings = warnings


# --- the input file -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Input:
    local: str       # a path to read (standard input is spooled to a temporary file first)
    where: str       # how messages name it
    name: str        # the file name the journal records
    size: int
    sha256: str


@contextmanager
def _input(path: str, stdin: BinaryIO | None) -> Iterator[_Input]:
    if path != STDIN:
        if not os.path.isfile(path):
            raise LedgerError(f"no file {path!r}" if not os.path.exists(path) else f"{path!r} is not a file")
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            while block := f.read(READ_BLOCK):
                digest.update(block)
        yield _Input(path, path, os.path.basename(path), os.path.getsize(path), digest.hexdigest())
        return
    stream = stdin if stdin is not None else sys.stdin.buffer
    digest, size = hashlib.sha256(), 0
    with tempfile.NamedTemporaryFile(prefix="raceledger-stdin-", suffix=".csv") as spool:
        while block := stream.read(READ_BLOCK):
            digest.update(block)
            spool.write(block)
            size += len(block)
        spool.flush()
        yield _Input(spool.name, "<stdin>", STDIN, size, digest.hexdigest())


def _lines(path: str) -> Iterator[str]:
    """The file's lines decoded one at a time (a bad byte further down does not stop the header)."""
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            yield line.decode("utf-8-sig" if number == 1 else "utf-8")


def _header(source: _Input) -> tuple[str, list[str]]:
    """The delimiter (sniffed from the header line) and the header's column names."""
    try:
        delimiter = resultsfile.sniff_delimiter(next((line for line in _lines(source.local) if line.strip()), ""))
        for record in csv.reader(_lines(source.local), delimiter=delimiter):
            if record and any(value.strip() for value in record):
                return delimiter, record
    except UnicodeDecodeError:
        raise resultsfile.not_utf8(source.where, resultsfile.first_bad_line(source.local)) from None
    except csv.Error as exc:
        raise LedgerError(f"{source.where}:1: cannot read the header line ({exc})") from None
    raise LedgerError(f"{source.where}: the file is empty; expected a header line, then one line per result")


SAMPLE_ROWS = 200


def _sample(source: _Input, delimiter: str, columns: list[str]) -> list[list[str]]:
    """The first rows after the header (the header repeated further down aside): what the header's
    guesses are checked against, once per file."""
    header = [c.strip() for c in columns]
    try:
        records = rankings.records_after_header(_lines(source.local), delimiter)
        return [record for _, record in zip(range(SAMPLE_ROWS), records)
                if [v.strip() for v in record[:len(header)]] != header]
    except (UnicodeDecodeError, csv.Error):
        return []  # the pass over the rows names the line


class _Counted(io.RawIOBase):
    """A binary file that reports how many bytes have been read (for a progress bar)."""

    def __init__(self, raw: BinaryIO, advance: Callable[[int], None]) -> None:
        self._raw, self._advance = raw, advance

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._raw.readinto(buffer)
        self._advance(n or 0)
        return n


class _Rejects:
    """Rejected rows, exactly as read, after their line and reason: a CSV another import can read.
    Written whole or not at all (ledger.store.files): it appears only when the import gets through."""

    def __init__(self, stack: ExitStack, path: str, delimiter: str, header: list[str]) -> None:
        self._writer = csv.writer(stack.enter_context(written_whole(path)), delimiter=delimiter, lineterminator="\n")
        self._writer.writerow(["line", "reason", *header])

    def __call__(self, line: int, reason: str, record: list[str]) -> None:
        self._writer.writerow([line, reason, *record])


# --- where a pass's body goes ------------------------------------------------------------------


class _Spool:
    """The body's canonical text, spooled to a temporary file piece by piece while the pass runs:
    its hash needs every row, so the journal entry (and then its projection) can only follow."""

    def __init__(self, stack: ExitStack) -> None:
        self._file = stack.enter_context(tempfile.TemporaryFile(prefix="raceledger-body-"))
        self._sizes: list[int] = []

    def add(self, text: str) -> None:
        data = text.encode("utf-8")
        self._file.write(data)
        self._sizes.append(len(data))

    def pieces(self) -> Iterator[str]:
        self._file.seek(0)
        for size in self._sizes:
            yield self._file.read(size).decode("utf-8")


# --- the pass -----------------------------------------------------------------------------------


@dataclass
class _Outcome:
    problems: resultsfile.Problems
    rows: int = 0
    linked: int = 0
    new_athletes: int = 0
    conflicts: set[int] = field(default_factory=set)
    duplicates: list[identity.Duplicate] = field(default_factory=list)
    duplicate_count: int = 0
    sha256: str = ""
    repeated: int = 0  # rows giving a placing the source already claims in the category
    notes: list[str] = field(default_factory=list)  # what reading the times assumed (resultsfile.rows)
    hints: list[str] = field(default_factory=list)  # why clashing places may be several rankings


def _decoded(rows: Iterator[list[Any]], source: _Input) -> Iterator[list[Any]]:
    try:
        yield from rows
    except UnicodeDecodeError:
        raise resultsfile.not_utf8(source.where, resultsfile.first_bad_line(source.local)) from None


class _Body:
    """The entry's canonical body, built as rows come and spooled piece by piece; in the rows form
    (ledger.core.row_tree), so its hash covers the header, the summary and the root over the rows."""

    def __init__(self, header: dict[str, Any], spool: _Spool) -> None:
        self._encoder = bodies.PieceEncoder(header)
        self._spool = spool

    def add(self, batch: list[list[Any]]) -> None:
        piece = self._encoder.add(batch)
        if piece is not None:
            self._spool.add(piece)

    def close(self, summary: dict[str, Any]) -> str:
        """The last piece (the summary); returns the SHA-256 the entry's hash covers."""
        self._spool.add(self._encoder.close(summary))
        return hashlib.sha256(self._encoder.hashed().encode()).hexdigest()


@dataclass(frozen=True)
class _Plan:
    """What every pass over one file shares: the file, how to read it, and the entry to be."""

    source: _Input
    delimiter: str
    columns: list[str]
    mapping: resultsfile.Mapping
    race: resultsfile.Race
    directory: identity.Directory
    header: dict[str, Any]
    bibs: RaceBibs
    claimed: frozenset[int]  # the positions the source's live claims in the category give
    superseding: Callable[[], supersede.Superseding] | None = None
    parts: rankings.Parts | None = None  # several rankings or sources: each row's indexes (see rankings)


class _Pass:
    """Reads the file once: checks, identities, body text and row batches (see the module doc)."""

    def __init__(self, plan: _Plan, refused: frozenset[int]) -> None:
        self.source, self.delimiter, self.mapping, self.race = plan.source, plan.delimiter, plan.mapping, plan.race
        self.directory, self.header, self.refused = plan.directory, plan.header, refused
        self.bibs, self.claimed, self.parts = plan.bibs, plan.claimed, plan.parts
        self.own = plan.superseding() if plan.superseding is not None else None

    def run(self, spool: _Spool | None, reject, advance) -> _Outcome:
        """One pass; the body's text goes to `spool` (None on a dry run, which only checks)."""
        out = _Outcome(resultsfile.Problems(self.source.where))
        body = _Body(self.header, spool) if spool is not None else None
        match = self.directory.match if self.directory else None
        refused, linked_by = self.refused, {}
        first_athlete = next_athlete = self.header["first_athlete_id"]
        batch: list[list[Any]] = []
        by_bib = self.bibs.athlete if self.bibs.by_bib else None
        claimed, own = self.claimed, self.own
        held_rows = 0
        columns = self.header["columns"]
        src_at = columns.index("source") if "source" in columns else -1
        made: dict[tuple, list[tuple[int, set[int]]]] = {}
        with open(self.source.local, "rb") as raw:
            binary = io.BufferedReader(_Counted(raw, advance), READ_BLOCK) if advance else raw
            text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
            rows = resultsfile.rows(text, self.delimiter, self.mapping, self.race, out.problems, reject, self.parts,
                                    out.notes, out.hints)
            for row in _decoded(rows, self.source):
                held = by_bib(row[2], row[3]) if by_bib is not None and row[2] is not None and not row[4] else None
                if row[4]:
                    row[4] = None
                elif held is not None:  # the race's runner with this bib, whichever source named them
                    row[4] = held
                    held_rows += 1
                elif src_at >= 0:
                    next_athlete = self._of_sources(row, src_at, match, linked_by, made, next_athlete)
                else:
                    candidate = match(name_key(row[3]), row[5], row[6]) if match is not None else 0
                    if candidate > 0 and self.bibs.holds_other_bib(candidate, row[2]):
                        candidate = identity.NO_MATCH  # they run this race under another bib: someone else
                    if candidate > 0 and candidate not in refused and candidate not in linked_by:
                        linked_by[candidate] = row[0]
                        row[4] = candidate
                    else:
                        if candidate > 0 and candidate not in refused:
                            out.conflicts.add(candidate)
                        row[4] = next_athlete
                        next_athlete += 1
                        if match is not None:
                            self._review(out, row, candidate)
                if claimed and row[1] in claimed:
                    out.repeated += 1
                if own is not None and own.repeats(supersede.signature(
                        row[4], row[3] if row[4] is None else None, row[1], row[8], row[10], row[12])):
                    continue  # the source says it again: its claim stays as it is
                batch.append(row)
                if len(batch) == BATCH_ROWS:
                    if body is not None:
                        body.add(batch)
                    out.rows += len(batch)
                    batch = []
        if body is not None:
            body.add(batch)
            out.sha256 = body.close({"rejected": out.problems.bad_lines, "rows": out.rows + len(batch)})
        out.rows += len(batch)
        out.linked = len(linked_by) + held_rows
        out.new_athletes = next_athlete - first_athlete
        return out

    def _of_sources(self, row: list[Any], src_at: int, match, linked_by: dict, made: dict, next_athlete: int) -> int:
        """--source-column: rows of different sources naming one athlete are one athlete (each source
        names an athlete once); an existing athlete is linked as for one source. Returns the next new id."""
        key = name_key(row[3])
        candidate = match(key, row[5], row[6]) if match is not None else 0
        if candidate > 0 and (candidate, row[src_at]) not in linked_by:
            linked_by[(candidate, row[src_at])] = row[0]
            row[4] = candidate
            return next_athlete
        same = made.setdefault((key, row[5], row[6]), [])
        for athlete, sources in same:
            if row[src_at] not in sources:
                sources.add(row[src_at])
                row[4] = athlete
                return next_athlete
        same.append((next_athlete, {row[src_at]}))
        row[4] = next_athlete
        return next_athlete + 1

    def _review(self, out: _Outcome, row: list[Any], candidate: int) -> None:
        """Note a new athlete that may be someone the ledger knows (never linked: see identity)."""
        key = name_key(row[3])
        if candidate == identity.AMBIGUOUS:
            (others, count), reason = self.directory.named(key), "has the name of several athletes:"
        elif candidate == identity.CONTRADICTED:
            (others, count), reason = (self.directory.named(key),
                                       "has the name, but another nationality or birth year, of")
        elif candidate > 0:
            (others, count), reason = ((candidate,), 1), "has the name of an athlete whom several rows of the file match:"
        else:
            (others, count), reason = self.directory.similar(key), "has a name like"
        if others:
            out.duplicate_count += 1
            if len(out.duplicates) < MAX_DUPLICATES:
                out.duplicates.append(identity.Duplicate(row[4], row[3], row[0], others, reason, count))


# --- the import ---------------------------------------------------------------------------------


def _race_of_race(session: Session, race: Race) -> tuple[int, int]:
    distance, date = session.execute(
        select(Race.distance_m, Event.date).join(Event, Race.event_id == Event.id).where(Race.id == race.id)).one()
    return distance, date.year


class _Target:
    """Where the rows of a file of several rankings or sources go: the race's categories (made if
    missing) and the sources, listed in the entry's header; each row carries its indexes."""

    def __init__(self, session: Session, request: ImportRequest, source: _Input, delimiter: str, columns: list[str],
                 mapping: resultsfile.Mapping, category: Category | None, race: Race, source_row: Source | None):
        self.parts = rankings.Parts(position=mapping.index["position"])
        self.header: dict[str, Any] = {}
        self.extra_columns: list[str] = []
        self.made: list[tuple[str, int, bool]] = []
        self.said: dict[str, str] = {}  # why a column the rows do not read is still used
        self.source_ids: list[int] = []
        self.new: list[dict[str, Any]] = []  # the categories the entry makes: numbered once the chain is locked
        self.first_category, self.first_source = category, source_row
        if request.supersedes:
            raise LedgerError("--supersedes takes one source's word on one category: it goes with neither "
                              "--split-by, --source-column nor a race")
        if category is not None and request.split_by:
            raise LedgerError(f"--split-by makes one category per ranking under a race: give the race "
                              f"{race.slug!r}, not the category {category.slug!r}")
        if request.via and request.source_column:
            raise LedgerError("--via names who republished one source's file: with --source-column each row has "
                              "its own source; drop --via")
        if category is None:
            self._rankings(session, request, source, delimiter, columns, mapping, race)
        if request.source_column:
            self._sources(session, request, source, delimiter, columns)

    def _column(self, columns: list[str], name: str, option: str, where: str) -> int:
        keys = [resultsfile.header_key(c) for c in columns]
        if resultsfile.header_key(name) not in keys:
            raise LedgerError(f"bad {option} {name!r}: {where} has no such column; its columns are "
                              + ", ".join(repr(c) for c in columns))
        return keys.index(resultsfile.header_key(name))

    def _records(self, source: _Input, delimiter: str):
        try:
            yield from rankings.records_after_header(_lines(source.local), delimiter)
        except UnicodeDecodeError:
            raise resultsfile.not_utf8(source.where, resultsfile.first_bad_line(source.local)) from None
        except csv.Error as exc:
            raise LedgerError(f"{source.where}: {exc}") from None

    def _rankings(self, session: Session, request: ImportRequest, source: _Input, delimiter: str,
                  columns: list[str], mapping: resultsfile.Mapping, race: Race) -> None:
        split = request.split_by
        if split is None:
            self.parts.category = rankings.SIZE
        elif split.strip().casefold() == rankings.SECTION:
            self.parts.category = rankings.SECTION
        else:
            self.parts.category = self._column(columns, split, "--split-by", source.where)
            self.said[columns[self.parts.category]] = "its values name the rankings (--split-by)"
        found = rankings.scan(self._records(source, delimiter), columns, self.parts, mapping.index["bib"])
        if split is None and len(found) < 2:
            raise LedgerError(f"{request.category} is a race: name one of its categories (RACE/CATEGORY), or split "
                              "the file into one category per ranking with --split-by COLUMN (or section)")
        if not found:
            raise LedgerError(f"{source.where}: no rows to import")
        listed, slugs = [], set()
        for index, ranking in enumerate(found):
            slug = f"{race.slug}/{rankings.slug_of(ranking.name)}"
            while slug in slugs:
                slug += "-2"
            slugs.add(slug)
            existing = session.execute(select(Category).where(Category.slug == slug)).scalar()
            if existing is not None:
                existing = lookup.claimable(session, slug)  # a derived category's places are a view
            entry = {"slug": limits.text(slug, "slug"), "name": limits.text(ranking.name, "name")}
            if existing is None:
                self.new.append(entry)
            elif self.first_category is None:
                self.first_category = existing
            listed.append(entry)
            self.parts.categories[ranking.key] = index
            self.made.append((slug, ranking.rows, existing is None))
        self.header.update(race=race.slug, categories=listed)
        self.extra_columns.append("category")

    def _sources(self, session: Session, request: ImportRequest, source: _Input, delimiter: str,
                 columns: list[str]) -> None:
        self.parts.source = column = self._column(columns, request.source_column, "--source-column", source.where)
        self.said[columns[column]] = "each row's source (--source-column)"
        written: dict[str, str] = {}
        for record in self._records(source, delimiter):
            if column < len(record) and record[column].strip():
                written.setdefault(record[column].strip().casefold(), record[column].strip())
        if not written:
            raise LedgerError(f"{source.where}: the column {columns[column]!r} names no source")
        found = [lookup.find(session, Source, text) for text in written.values()]
        self.parts.sources.update((key, index) for index, key in enumerate(written))
        self.first_source = self.first_source or found[0]
        self.header["sources"] = [row.slug for row in found]
        self.source_ids = [row.id for row in found]
        self.extra_columns.append("source")

    def number(self, session: Session) -> None:
        """The ids of the categories the entry makes, taken under the chain's lock (as its claims' are)."""
        first = chain.next_id(session, Category.id)
        for offset, entry in enumerate(self.new):
            entry["id"] = first + offset

    def check_empty(self, session: Session, category: Category, again: bool) -> None:
        """--source-column into a category: a results CSV goes back into a category that holds none of its
        sources' claims (else every claim would be there twice), unless --again says so on purpose."""
        held = session.execute(select(Source.slug).join(Claim, Claim.source_id == Source.id).where(
            Claim.category_id == category.id, Claim.source_id.in_(self.source_ids)).distinct()).scalars().all()
        if held and not again:
            raise LedgerError(f"{category.slug} already holds claims from {', '.join(sorted(held))}: import a "
                              "results file with --source-column into a category without them (or add --again)")


def _race_of(session: Session, category: Category) -> resultsfile.Race:
    distance, date = session.execute(
        select(Race.distance_m, Event.date).join(Event, Race.event_id == Event.id)
        .where(Race.id == category.race_id)).one()
    return resultsfile.Race(distance, date.year, category.sex)


def _already_imported(session: Session, sha256: str, category: Category, source: Source) -> int | None:
    return session.execute(select(ImportFile.seq).where(
        ImportFile.sha256 == sha256, ImportFile.category_id == category.id, ImportFile.source_id == source.id)
        .order_by(ImportFile.seq)).scalar()


def _citation(request: ImportRequest) -> dict[str, str] | None:
    citation = {"url": limits.text(request.url, "url", "--url") if request.url else None,
                "published": rules.date(request.published, "--published date") if request.published else None}
    return {k: v for k, v in citation.items() if v} or None


def _check_request(request: ImportRequest) -> None:
    if request.rejects and not request.skip_invalid:
        raise LedgerError("--rejects FILE goes with --skip-invalid (without it, a bad row stops the import)")
    if request.skip_invalid and not request.rejects and not request.dry_run:
        raise LedgerError("--skip-invalid needs --rejects FILE, so that no rejected row is lost")


def import_file(session: Session, by: str, request: ImportRequest, stdin: BinaryIO | None = None,
                progress: Progress = silent) -> ImportReport:
    """Import one results file as one journal entry (or, with dry_run, only check it)."""
    _check_request(request)
    citation = _citation(request)
    keyed = bool(request.split_by or request.source_column) or request.category.count("/") == 1
    category = None if keyed and request.category.count("/") == 1 else lookup.claimable(session, request.category)
    race_row = lookup.find(session, Race, request.category.rsplit("/", 1)[0] if category else request.category)
    if not request.source and not request.source_column:
        raise LedgerError("name the file's source with --source SLUG (or, a column per row, --source-column COLUMN)")
    source_row = lookup.find(session, Source, request.source) if request.source else None
    with ExitStack() as stack:
        source = stack.enter_context(_input(request.path, stdin))
        delimiter, columns = _header(source)
        sample = _sample(source, delimiter, columns)
        mapping = resultsfile.resolve_mapping(columns, request.maps, source.where, sample)
        target = _Target(session, request, source, delimiter, columns, mapping, category, race_row, source_row) \
            if keyed else None
        into_race = category is None
        if target is not None:
            category, source_row = target.first_category, target.first_source
        earlier = _already_imported(session, source.sha256, category, source_row) if category is not None else None
        if earlier is not None and not request.again and not request.supersedes:
            raise LedgerError(f"{source.where} was already imported into {category.slug} from {source_row.slug} "
                              f"(journal entry {earlier}, SHA-256 {source.sha256[:12]}...); "
                              "to import it again, add --again")
        directory = identity.Directory(session)
        previous = chain.reserve(session) if not request.dry_run else chain.head(session)
        header = {
            "category": None if into_race else category.slug, "source": source_row.slug, "citation": citation,
            **lookup.via(session, request.via, source_row.slug),
            "file": {"name": limits.text(source.name, "file name", "results file name"), "sha256": source.sha256,
                     "bytes": source.size},
            "mapping": [list(pair) for pair in mapping.pairs], "delimiter": delimiter,
            "columns": list(IMPORT_COLUMNS),
            "first_claim_id": chain.next_id(session, Claim.id),
            "first_athlete_id": chain.next_id(session, Athlete.id),
            row_tree.FORM_KEY: row_tree.FORM,
        }
        if target is not None:
            target.number(session)
            if into_race:
                del header["category"]
            else:
                target.check_empty(session, category, request.again)
            header.update(target.header)
            header["columns"] = list(IMPORT_COLUMNS) + target.extra_columns
            own = supersede.Superseding(session, -1, source_row.id)
            plan = _Plan(source, delimiter, columns, mapping, resultsfile.Race(*_race_of_race(session, race_row),
                         None if into_race else category.sex),
                         directory, header, RaceBibs(session, race_row.id), frozenset(), None, target.parts)
        else:
            own = supersede.Superseding(session, category.id, source_row.id)
            plan = _Plan(source, delimiter, columns, mapping, _race_of(session, category), directory, header,
                         RaceBibs(session, category.race_id), frozenset(own.positions),
                         (lambda: supersede.Superseding(session, category.id, source_row.id)) if request.supersedes
                         else None)
        stack.enter_context(bulk.sqlite_cache(session))
        # A dry run writes no file: its report counts the rows --rejects would get.
        writes_rejects = request.rejects and not request.dry_run
        rejects = _Rejects(stack, request.rejects, delimiter, columns) if writes_rejects else None
        refused: frozenset[int] = frozenset()
        if request.supersedes:  # which of the source's claims the file leaves out is known after a pass
            refused, withdrawn = _withdrawn(plan)
            if withdrawn:
                header.update(withdraws=withdrawn, reason=supersede.reason(source_row.slug, f"the file {source.name}"))
        while True:
            outcome, spool = _attempt(stack, request, plan, refused, rejects, progress)
            if not outcome.conflicts:
                break
            refused = refused | outcome.conflicts  # link none of them: run the pass again
            rejects = None  # which rows are bad does not depend on linking: they are written once
        problems = outcome.problems
        if problems.error_count and not request.skip_invalid:
            raise ImportFailed(
                f"{source.where}: {problems.bad_lines} bad row{'s' if problems.bad_lines != 1 else ''}; nothing was "
                "imported (fix them, or import the good rows with --skip-invalid --rejects FILE)"
                + "".join(f"; {hint}" for hint in outcome.hints),
                problems.errors, problems.error_count, problems.warnings)
        if outcome.repeated and not request.again and not request.supersedes:
            raise supersede.refuse_repeats(source.where, outcome.repeated, source_row.slug, category.slug)
        withdrawing = len(header.get("withdraws", ()))
        if outcome.rows == 0 and request.supersedes:
            if not withdrawing:
                return ImportReport(source.where, category.slug, source_row.slug, request.dry_run,
                                    kept=len(own.withdrawn()))
        elif outcome.rows == 0:
            raise LedgerError(f"{source.where}: no rows to import"
                              + (f" ({problems.bad_lines} rejected)" if problems.bad_lines else ""))
        into = category.slug if target is None or "categories" not in header else race_row.slug
        sources = source_row.slug if target is None or "sources" not in header else ", ".join(header["sources"])
        report = ImportReport(
            source.where, into, sources, request.dry_run, None, outcome.rows, problems.bad_lines,
            outcome.new_athletes, outcome.linked, problems.warnings, problems.warning_count,
            outcome.duplicates, outcome.duplicate_count, used_columns=mapping.pairs,
            reasons=tuple((c, target.said.get(c, why) if target is not None else why) for c, why in mapping.reasons),
            guesses=mapping.guesses + tuple(outcome.notes), rankings=target.made if target is not None else [])
        if request.supersedes:
            report.withdrawn = withdrawing
            report.kept = len(own.withdrawn()) - withdrawing
        if outcome.duplicates:
            report.names = identity.athlete_labels(session, [o for d in outcome.duplicates for o in d.others])
        if request.dry_run:
            return report
        with progress(f"Writing {outcome.rows} claims", outcome.rows) as advance:
            report.seq = record_chunked(session, previous, KIND, outcome.sha256, spool.pieces(), by, advance)
        return report


def _withdrawn(plan: _Plan) -> tuple[frozenset[int], list[int]]:
    """A checking pass (no body kept) of a superseding file: the athletes no row may link (as the
    import's own passes settle them) and the source's live claims the file does not repeat."""
    refused: frozenset[int] = frozenset()
    while True:
        probe = _Pass(plan, refused)
        outcome = probe.run(None, None, None)
        if not outcome.conflicts:
            return refused, probe.own.withdrawn()
        refused = refused | outcome.conflicts


def _attempt(stack: ExitStack, request: ImportRequest, plan: _Plan, refused: frozenset[int],
             rejects: _Rejects | None, progress: Progress) -> tuple[_Outcome, _Spool | None]:
    """One pass over the file, its body spooled (unless a dry run): dropped if it must run again."""
    spool = None if request.dry_run else _Spool(stack)
    with progress(f"Importing {plan.source.name}", plan.source.size) as advance:
        outcome = _Pass(plan, refused).run(spool, rejects, advance if progress is not silent else None)
    return outcome, spool


def summary(report: ImportReport) -> str:
    """One line saying what the import did (or, on a dry run, would do)."""
    athletes = (f"{report.new_athletes} new athlete{'s' if report.new_athletes != 1 else ''}, "
                f"{report.linked} linked to existing ones")
    rejected = f"; {report.rejected} row{'s' if report.rejected != 1 else ''} rejected" if report.rejected else ""
    what = (f"{report.rows} claim{'s' if report.rows != 1 else ''} from {report.where} into {report.category} "
            f"(source {report.source})")
    if report.dry_run:
        return f"Dry run, nothing written: importing would record {what}: {athletes}{rejected}."
    if report.seq is None:
        return (f"No change: {report.where} repeats all {report.kept} live claims of {report.source} in "
                f"{report.category}; nothing was written.")
    kept = (f"; {report.kept} of the source's claims kept, {report.withdrawn} withdrawn as corrections"
            if report.kept or report.withdrawn else "")
    return f"Imported {what} as journal entry {report.seq}: {athletes}{rejected}{kept}."


def reading_lines(report: ImportReport) -> list[str]:
    """How the file was read: the columns used, those ignored and why, what was guessed, the rankings made."""
    lines = []
    if report.guesses or report.rankings or report.reasons or report.dry_run:  # a dry run is for checking it
        lines.append("Columns: " + ", ".join(f"{column} = {field}" for column, field in report.used_columns) + ".")
    if report.reasons:
        lines.append("Ignored columns: " + "; ".join(f"{column} ({why})" for column, why in report.reasons)
                     + " (read one with --map COLUMN=FIELD).")
    lines.extend(f"Guessed: {guess}." for guess in report.guesses)
    made_by = "would be made by the import" if report.dry_run else "made by this import"
    for slug, rows, made in report.rankings:
        lines.append(f"Ranking {slug}: {rows} row{'s' if rows != 1 else ''}"
                     + (f" (category {made_by})." if made else "."))
    return lines


def duplicate_lines(report: ImportReport) -> list[str]:
    """Possible duplicates: the new athlete, the line that made it, and whom it may be."""
    lines = []
    for d in report.duplicates:
        others = ", ".join(report.names.get(o, f"#{o}") for o in d.others)
        if d.count > len(d.others):
            others += f" and {d.count - len(d.others)} more"
        lines.append(f"  #{d.athlete} {d.name} (line {d.line}) {d.reason} {others}")
    if report.duplicate_count > len(report.duplicates):
        lines.append(f"  ... and {report.duplicate_count - len(report.duplicates)} more")
    return lines


# What other readers of files from outside (start lists, finish orders) share with the importer.
open_input = _input
read_lines = _lines
read_header = _header

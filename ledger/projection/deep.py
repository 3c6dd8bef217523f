"""`verify --deep`: replay the journal into a scratch SQLite database with ledger.projection.replay (as `load`
does), then compare every derived table with the ledger's, row by row, both read in primary-key
order (streaming: one row at a time).

A derived row edited, added or removed behind the journal's back shows up as a difference naming the
entry that made the row.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from typing import Any, Iterator

from sqlalchemy import String, Table, event, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ledger.core.errors import LedgerError
from ledger.core.models import Base
from ledger.journal.chain import STREAM_BATCH
from ledger.journal.verify import Report
from ledger.projection import replay
from ledger.projection.replay import SourceEntry

# Tables that hold the journal itself (the truth, checked by hashing), not derived from it.
JOURNAL_TABLES = frozenset({"journal", "journal_chunk"})


def derived_tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in JOURNAL_TABLES]


def _ordered(table: Table, dialect: str) -> list[Any]:
    """Primary-key order that is the same on both sides: code-point order for text keys."""
    columns = list(table.primary_key.columns)
    return [c.collate("C") if dialect == "postgresql" and isinstance(c.type, String) else c for c in columns]


def _rows(conn: Connection, table: Table) -> Iterator[tuple[tuple, dict[str, Any]]]:
    query = select(table).order_by(*_ordered(table, conn.dialect.name)).execution_options(yield_per=STREAM_BATCH)
    keys = [c.name for c in table.primary_key.columns]
    for row in conn.execute(query):
        values = dict(row._mapping)
        yield tuple(values[k] for k in keys), values


def _unsynchronised(dbapi_connection, _record) -> None:
    """A scratch database thrown away after the check need not survive a power cut."""
    dbapi_connection.execute("PRAGMA synchronous = OFF")


def _label(table: Table, key: tuple) -> str:
    return f"{table.name} {key[0] if len(key) == 1 else key}"


class DeepCheck:
    """Replays the ledger's journal into a scratch database (ledger.projection.replay, as `load` does), then
    compares every derived table with the ledger's."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.current: int | None = None

    def _tracked(self, entries: Iterator[SourceEntry]) -> Iterator[SourceEntry]:
        for entry in entries:
            self.current = entry.seq
            yield entry

    def run(self, ledger: Session) -> None:
        with _scratch() as scratch:
            try:
                replay.replay(scratch, self._tracked(replay.from_session(ledger)))
            except LedgerError as exc:
                self.report.add(self.current, f"replaying the journal fails here ({_unloaded(str(exc))}); "
                                              "derived tables were not compared")
                return
            for table in derived_tables():
                self._compare_table(table, _rows(ledger.connection(), table), _rows(scratch.connection(), table))

    def _compare_table(self, table: Table, ours: Iterator, replayed: Iterator) -> None:
        report, done = self.report, object()
        a, b = next(ours, done), next(replayed, done)
        while a is not done or b is not done:
            if b is done or (a is not done and a[0] < b[0]):
                report.add(a[1].get("seq"), f"{_label(table, a[0])} is in the ledger, but no journal entry makes it")
                a = next(ours, done)
            elif a is done or b[0] < a[0]:
                report.add(b[1].get("seq"), f"{_label(table, b[0])} is missing from the ledger (the journal makes it)")
                b = next(replayed, done)
            else:
                for column, value in b[1].items():
                    if a[1][column] != value:
                        report.add(b[1].get("seq"), f"{_label(table, a[0])}: {column} is {a[1][column]!r} in the "
                                                    f"ledger but {value!r} by replaying the journal")
                report.rows_compared += 1
                a, b = next(ours, done), next(replayed, done)


def _unloaded(message: str) -> str:
    """A replay error as verify reports it: without load's closing words."""
    return message.removesuffix("; nothing was loaded")


@contextmanager
def _scratch() -> Iterator[Session]:
    """An empty ledger in a temporary SQLite file, thrown away afterwards (never committed)."""
    from ledger.store.engine import Target, make_engine
    from ledger.store.migrate import upgrade

    folder = tempfile.mkdtemp(prefix="raceledger-verify-")
    try:
        engine = make_engine(Target(f"sqlite:///{os.path.join(folder, 'replay.db')}", "scratch database"), write=True)
        event.listen(engine, "connect", _unsynchronised)
        upgrade(engine)
        session = Session(engine)
        try:
            session.begin()
            yield session
        finally:
            session.rollback()
            session.close()
            engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def compare(ledger: Session, report: Report) -> None:
    """`verify --deep`'s second half (ledger.journal.verify.verify calls it once the chain holds)."""
    DeepCheck(report).run(ledger)

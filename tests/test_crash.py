"""Crash safety: an import killed with SIGKILL midway leaves the ledger exactly as it was.

A real `raceledger import` process (its own interpreter, engine and connection) imports a file of
ROWS generated rows; the test waits until it is demonstrably inside its transaction, kills it with
SIGKILL (no handler, no rollback, no cleanup: as a crash or the OOM killer would), and then checks
that the ledger is the one it was before: same head, same row count and highest id in every table,
`verify --head --deep` clean. Then a normal import must still work at once: PostgreSQL released the
killed backend's advisory lock, SQLite recovered its WAL (the uncommitted frames are ignored).

Two moments are killed: `locked` (the import holds the ledger's write lock: SQLite's BEGIN
IMMEDIATE, PostgreSQL's advisory lock) and `writing` (its transaction has written: SQLite's WAL holds
megabytes of uncommitted frames; on PostgreSQL the transaction has an xid and is at its COPYs: the
journal row and its chunks are in, the derived rows going in).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest

from ledger.store import engine as ledger_db
from ledger.store import locking

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX only")

CATEGORY = "city-2025/marathon/open"
HEADER = "Place,Bib,Name,Nat,Time\n"
# Large enough that the import is still running seconds after it starts (SQLite ~9 s, PostgreSQL ~15 s
# on a 2-core machine), small enough to generate in well under a second.
ROWS = 200_000
SMALL_ROWS = 20
# Every wait is bounded by this; a wait that runs out fails the test, saying what never happened.
WAIT_S = 60
# SQLite: the WAL must grow by this much during the import to count as "writing" (its page cache
# is 8 MB, so uncommitted pages spill to the WAL well before the end of a 200,000-row import).
WAL_GROWTH = 4 << 20
NATIONS = ("POL", "PRK", "USA", "GBR", "KEN", "ETH", "JPN", "POR")


def results_file(path: Path, rows: int, first_bib: int, name: str) -> Path:
    """A results file with the common headers: places 1..rows, times rising, unique names."""
    lines = [HEADER]
    for i in range(rows):
        seconds = 2 * 3600 + i // 8
        lines.append(f"{i + 1},{first_bib + i},{name} {i:06d},{NATIONS[i % len(NATIONS)]},"
                     f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> Path:
    return results_file(tmp_path_factory.mktemp("crash") / "big.csv", ROWS, 10_000, "Runner")


@pytest.fixture
def with_history(ledger, tmp_path):
    """A ledger with history: a catalog, an earlier import (chunks, athletes, claims) and a claim."""
    for args in [("event", "add", "city-2025", "--name", "City Marathon", "--date", "2025-10-12"),
                 ("race", "add", "city-2025/marathon", "--name", "Marathon", "--distance", "42195"),
                 ("category", "add", CATEGORY, "--name", "Open"),
                 ("source", "add", "timing", "--name", "Official timing", "--kind", "official"),
                 ("source", "add", "gazette", "--name", "The Gazette", "--kind", "press"),
                 ("import", CATEGORY, str(results_file(tmp_path / "earlier.csv", 50, 1, "Earlier")),
                  "--source", "timing"),
                 ("claim", CATEGORY, "--source", "gazette", "--athlete", "Earlier 000000", "--position", "1",
                  "--time", "2:00:00")]:
        result = ledger(*args)
        assert result.exit_code == 0, (args, result.output)
    return ledger


# --- what "exactly as before" means ---------------------------------------------------------------


def snapshot(run, db: str) -> dict:
    """The head, `info`, and for every table its row count and highest id, read straight from the database."""
    from sqlalchemy import inspect, text

    info = json.loads(run("info", "-f", "json").stdout)
    state = {"head": run("head").stdout.strip(),
             "info": {k: info[k] for k in ("journal_entries", "claims", "athletes", "head_seq", "head_hash")}}
    engine, _ = ledger_db.open_engine(db, write=False)
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            for name in sorted(inspector.get_table_names()):
                columns = {c["name"] for c in inspector.get_columns(name)}
                top = ", MAX(id)" if "id" in columns else ""
                state[name] = tuple(conn.execute(text(f"SELECT COUNT(*){top} FROM {name}")).one())
    finally:
        engine.dispose()
    return state


def assert_verifies(run, head: str) -> None:
    result = run("verify", "--head", head, "--deep")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Verified "), result.stdout


# --- the process to kill --------------------------------------------------------------------------


class Import:
    """`raceledger import` in a process of its own, its output kept in files for failure messages."""

    def __init__(self, db: str, path: Path, workdir: Path) -> None:
        self.out, self.err = workdir / "import.out", workdir / "import.err"
        env = {k: v for k, v in os.environ.items() if not k.startswith("RACELEDGER_")}
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cli", "--db", db, "--as", "crasher", "import", CATEGORY, str(path),
                 "--source", "timing", "--again"],  # --again: its places repeat the earlier file's
                cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)

    def output(self) -> str:
        return f"stdout: {self.out.read_text()[-1000:]!r}; stderr: {self.err.read_text()[-2000:]!r}"

    def wait_until(self, condition: Callable[[], bool], what: str) -> None:
        """Poll `condition` until it holds; fail (killing the import) if the import ends first or time runs out."""
        deadline = time.monotonic() + WAIT_S
        while not condition():
            if self.process.poll() is not None:
                pytest.fail(f"the import ended (exit {self.process.returncode}) before {what}; "
                            f"make ROWS larger? {self.output()}")
            if time.monotonic() > deadline:
                self.process.kill()
                self.process.wait()
                pytest.fail(f"no sign within {WAIT_S} s that {what}; {self.output()}")
            time.sleep(0.02)

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        try:
            self.process.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the import (pid {self.process.pid}) did not die within {WAIT_S} s of SIGKILL")
        assert self.process.returncode == -signal.SIGKILL, (
            f"the import exited {self.process.returncode} before SIGKILL reached it; {self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


# --- watching the import from outside: SQLite -----------------------------------------------------


def wal_size(db: str) -> int:
    try:
        return os.path.getsize(db + "-wal")
    except FileNotFoundError:
        return 0


def sqlite_write_lock_taken(db: str) -> bool:
    """True when another connection holds the database's write lock (BEGIN IMMEDIATE fails at once)."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
        return True
    finally:
        conn.close()


# --- watching the import from outside: PostgreSQL -------------------------------------------------


class PgWatch:
    """A connection of the test's own that looks at the import's backend in the server's views."""

    # pg_locks shows a bigint advisory key as classid (high 32 bits), objid (low 32 bits), objsubid 1.
    KEY = {"classid": locking.PG_WRITE_LOCK >> 32, "objid": locking.PG_WRITE_LOCK & 0xFFFFFFFF}

    def __init__(self, db: str) -> None:
        from sqlalchemy import create_engine

        self.engine = create_engine(db, isolation_level="AUTOCOMMIT")
        self.conn = self.engine.connect()

    def close(self) -> None:
        self.conn.close()
        self.engine.dispose()

    def lock_holders(self) -> list[int]:
        """Backends holding the ledger's write lock (the advisory lock) in this database."""
        from sqlalchemy import text

        return list(self.conn.execute(text(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
            " AND classid = :classid AND objid = :objid"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"), self.KEY).scalars())

    def copying(self, pid: int) -> bool:
        """True when backend `pid`'s transaction has written (it was given an xid) and is at its COPYs:
        the journal row and its chunks are in, the derived rows going in."""
        from sqlalchemy import text

        return self.conn.execute(text(
            "SELECT backend_xid IS NOT NULL AND query LIKE 'COPY %' FROM pg_stat_activity WHERE pid = :pid"),
            {"pid": pid}).scalar() is True

    def alive(self, pid: int) -> bool:
        from sqlalchemy import text

        return self.conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                                 {"pid": pid}).scalar() > 0


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {WAIT_S} s: {what}")
        time.sleep(0.02)


# --- the tests ------------------------------------------------------------------------------------


def kill_sqlite_import(db: str, big_file: Path, tmp_path: Path, moment: str) -> None:
    wal_before = wal_size(db)
    victim = Import(db, big_file, tmp_path)
    try:
        victim.wait_until(lambda: sqlite_write_lock_taken(db), "it held the write lock")
        if moment == "writing":
            victim.wait_until(lambda: wal_size(db) >= wal_before + WAL_GROWTH,
                              f"its WAL grew by {WAL_GROWTH >> 20} MB")
        victim.kill()
    finally:
        victim.stop()
    if moment == "writing":  # a hot WAL: uncommitted frames the next opener must ignore
        assert wal_size(db) >= wal_before + WAL_GROWTH


def kill_postgresql_import(db: str, big_file: Path, tmp_path: Path, moment: str) -> None:
    watch = PgWatch(db)
    try:
        assert watch.lock_holders() == [], "someone holds the ledger's write lock before the import starts"
        victim = Import(db, big_file, tmp_path)
        try:
            holders: list[int] = []

            def locked() -> bool:
                holders[:] = watch.lock_holders()
                return bool(holders)

            victim.wait_until(locked, "it held the advisory lock")
            backend = holders[0]
            if moment == "writing":
                victim.wait_until(lambda: watch.copying(backend), "its transaction was copying derived rows")
            victim.kill()
        finally:
            victim.stop()
        # The server sees the client's socket close, aborts the transaction and ends the backend;
        # a lock left behind would make every later writer wait and then fail as "busy".
        wait_for(lambda: not watch.alive(backend), f"the killed import's backend {backend} ended")
        assert watch.lock_holders() == [], "the killed import's advisory lock is still held"
    finally:
        watch.close()


@pytest.mark.parametrize("moment", ["locked", "writing"])
def test_an_import_killed_midway_leaves_the_ledger_as_it_was(with_history, db, tmp_path, big_file, moment):
    before = snapshot(with_history, db)

    if "://" in db:
        kill_postgresql_import(db, big_file, tmp_path, moment)
    else:
        kill_sqlite_import(db, big_file, tmp_path, moment)

    after = snapshot(with_history, db)
    assert after == before, "the killed import left a trace (or committed before it was killed)"
    assert_verifies(with_history, before["head"])
    if "://" not in db:
        conn = sqlite3.connect(db)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            conn.close()

    # No stale lock, no hot journal in the way: a normal import goes through at once, numbered as
    # if the killed one had never run.
    small = results_file(tmp_path / "small.csv", SMALL_ROWS, 900_000, "Later")
    result = with_history("import", CATEGORY, str(small), "--source", "timing", "--again")  # its places repeat
    assert result.exit_code == 0, result.output
    seq = before["info"]["head_seq"] + 1
    assert f"as journal entry {seq}:" in result.stdout
    final = snapshot(with_history, db)
    assert final["info"]["claims"] == before["info"]["claims"] + SMALL_ROWS
    assert final["info"]["athletes"] == before["info"]["athletes"] + SMALL_ROWS
    assert final["claim"][1] == before["claim"][1] + SMALL_ROWS  # ids carry on where they stopped
    assert final["athlete"][1] == before["athlete"][1] + SMALL_ROWS
    assert final["info"]["head_seq"] == seq
    assert_verifies(with_history, final["head"])
    assert with_history("verify", "--head", before["head"]).exit_code == 0  # the old head is still in the chain

"""Many writers at once: nothing lost, no fork, the chain intact; a busy ledger retries, then says so."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ledger.core.canonical import GENESIS_HASH, chain_hash, sha256_hex
from ledger.store import engine as ledger_db
from ledger.store import locking

WORKER = Path(__file__).with_name("append_worker.py")
WRITERS = 8
CLAIMS_EACH = 100
CATEGORY = "city-2025/marathon/open"


def setup_race(ledger) -> None:
    for args in [("event", "add", "city-2025", "--name", "City Marathon", "--date", "2025-10-12"),
                 ("race", "add", "city-2025/marathon", "--name", "Marathon", "--distance", "42195"),
                 ("category", "add", CATEGORY, "--name", "Open"),
                 ("source", "add", "timing", "--name", "Official timing", "--kind", "official")]:
        result = ledger(*args)
        assert result.exit_code == 0, result.output


def journal(db: str) -> list:
    """Every journal row in seq order, read straight from the database."""
    from sqlalchemy import text

    engine, _ = ledger_db.open_engine(db, write=False)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(
                "SELECT seq, kind, body, prev_hash, entry_hash, recorded_at, recorded_by FROM journal ORDER BY seq")))
    finally:
        engine.dispose()


def assert_chain_whole(rows: list) -> None:
    """Seq 1..N without a gap, each entry linked to the one before and hashing to what it says."""
    assert [row.seq for row in rows] == list(range(1, len(rows) + 1))
    previous = GENESIS_HASH
    for row in rows:
        assert row.prev_hash == previous, f"entry {row.seq} does not link to entry {row.seq - 1}"
        expected = chain_hash(row.prev_hash, row.seq, row.kind, row.recorded_at, row.recorded_by, sha256_hex(row.body))
        assert row.entry_hash == expected, f"entry {row.seq} does not hash to its entry_hash"
        previous = row.entry_hash


def start_writers(db: str, tmp_path: Path) -> list[subprocess.Popen]:
    go = tmp_path / "go"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RACELEDGER_")}
    writers = [subprocess.Popen([sys.executable, str(WORKER), db, str(w), str(CLAIMS_EACH), str(go), CATEGORY,
                                 "timing"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
               for w in range(WRITERS)]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"go.ready{w}").exists() for w in range(WRITERS)):
        if time.monotonic() > deadline or any(p.poll() is not None for p in writers):
            for p in writers:
                p.kill()
            pytest.fail("the writers did not all start: " + " | ".join(p.stderr.read() for p in writers if p.poll()))
        time.sleep(0.01)
    go.touch()
    return writers


def test_concurrent_writers_lose_nothing_and_keep_one_chain(ledger, db, tmp_path):
    setup_race(ledger)
    before = len(journal(db))

    writers = start_writers(db, tmp_path)
    failures = []
    for w, process in enumerate(writers):
        _, stderr = process.communicate(timeout=180)
        if process.returncode:
            failures.append(f"writer {w} exited {process.returncode}: {stderr.strip()[-2000:]}")
    assert not failures, "\n".join(failures)

    rows = journal(db)
    assert len(rows) == before + WRITERS * CLAIMS_EACH
    assert_chain_whole(rows)
    import json

    marks = [json.loads(row.body)["unnamed"] for row in rows if row.kind == "claim"]
    assert sorted(marks) == sorted(f"w{w}-{i}" for w in range(WRITERS) for i in range(CLAIMS_EACH))
    assert {row.recorded_by for row in rows[before:]} == {f"worker-{w}" for w in range(WRITERS)}
    info = ledger("info", "-f", "json")
    assert '"claims": 800' in info.stdout


# --- a writer that holds the lock too long ------------------------------------------------------


class WriteLock:
    """Holds the ledger's write lock from outside, as a slow writer in another process would."""

    def __init__(self, db: str):
        self.db = db
        self.conn = None

    def take(self) -> None:
        if "://" not in self.db:
            self.conn = sqlite3.connect(self.db, isolation_level=None, check_same_thread=False)
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            import psycopg
            from sqlalchemy.engine import make_url

            url = make_url(self.db)
            self.conn = psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database,
                                        password=url.password, autocommit=True)
            self.conn.execute("SELECT pg_advisory_lock(%s)", (locking.PG_WRITE_LOCK,))

    def release(self) -> None:
        if self.conn is not None:
            if isinstance(self.conn, sqlite3.Connection):
                self.conn.execute("ROLLBACK")
            self.conn.close()
            self.conn = None


@pytest.fixture
def short_waits(monkeypatch):
    """Lock waits of 0.3 s instead of 10 s, so a busy ledger shows up quickly."""
    monkeypatch.setattr(ledger_db, "BUSY_TIMEOUT_MS", 300)
    monkeypatch.setattr(locking, "ATTEMPTS", 2)


def test_a_writer_gives_up_with_a_clear_error_when_the_lock_stays_taken(ledger, db, short_waits):
    setup_race(ledger)
    before = len(journal(db))
    lock = WriteLock(db)
    lock.take()
    try:
        started = time.monotonic()
        result = ledger("source", "add", "gazette", "--name", "The Gazette", "--kind", "press")
        waited = time.monotonic() - started
    finally:
        lock.release()
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the ledger is busy: another writer held its write lock for ")
    assert result.stderr.endswith("over 2 tries; nothing was written, try again later\n")
    assert waited >= 0.5
    assert len(journal(db)) == before


def test_a_writer_retries_and_succeeds_once_the_lock_is_released(ledger, db, short_waits, monkeypatch):
    monkeypatch.setattr(locking, "ATTEMPTS", 10)
    setup_race(ledger)
    lock = WriteLock(db)
    lock.take()
    release = threading.Timer(0.8, lock.release)
    release.start()
    try:
        result = ledger("source", "add", "gazette", "--name", "The Gazette", "--kind", "press")
    finally:
        release.join()
    assert result.exit_code == 0, result.output
    assert_chain_whole(journal(db))


def test_readers_do_not_wait_for_a_writer(ledger, db, short_waits):
    setup_race(ledger)
    lock = WriteLock(db)
    lock.take()
    try:
        started = time.monotonic()
        results = [ledger(*args) for args in (("info",), ("event", "list"), ("disputes",), ("sources",))]
        elapsed = time.monotonic() - started
    finally:
        lock.release()
    assert [r.exit_code for r in results] == [0, 0, 0, 0], [r.output for r in results]
    assert elapsed < 0.3 * len(results)

"""A SQLite ledger in a folder its reader may not write (a read-only deployment) is read as an
immutable snapshot: every reading command, `report`, `verify` and the web view answer as usual and
nothing is made beside the file. When a -wal file beside it still holds the last writes, one
`Error:` line says a writer must checkpoint it first: never a silently shorter history.

SQLite-only by nature: a PostgreSQL ledger has no file or folder. The folder is made unwritable for
real (tests/frozen.py), so SQLite itself meets the condition.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from frozen import frozen
from starlette.testclient import TestClient
from test_read_only import READS

from cli import cli
from ledger.core.errors import LedgerError
from ledger.store.engine import open_engine
from ledger.web.app import make_app

AMATEUR = "pyongyang-2025/marathon/amateur-men"
# The reading commands of test_read_only, and the rest that only read (`report` writes elsewhere).
EVERY_READ = [*READS, ("info", "-f", "json"), ("figures", "-f", "json"), ("topic", "list", "-f", "csv"),
              ("figure", "show", "10", "-f", "json"), ("verify", "--deep"), ("--read-only", "head")]


def on(db: Path):
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, ["--db", str(db), "--as", "tester", *args])


def listing(folder: Path) -> dict[str, tuple[int, int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    return result.stderr


@pytest.fixture
def ledger(tmp_path) -> Path:
    """The demo ledger, alone in a folder of its own."""
    db = tmp_path / "deploy" / "ledger.db"
    db.parent.mkdir()
    assert on(db)("demo").exit_code == 0
    assert os.listdir(db.parent) == ["ledger.db"]
    return db


def leave_writes_in_the_wal(db: Path) -> None:
    """`athlete add Late Entry` while another process has the ledger open, which is then killed: no
    one checkpoints, so that write is in ledger.db-wal alone."""
    code = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('SELECT count(*) FROM journal'); "
            "print('open', flush=True); sys.stdin.read()")
    holder = subprocess.Popen([sys.executable, "-c", code, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline() == b"open\n"
        assert on(db)("athlete", "add", "Late Entry").exit_code == 0
    finally:
        holder.kill()
        holder.wait()
    assert Path(f"{db}-wal").stat().st_size > 0


def test_every_reading_command_answers_as_before_and_nothing_is_made_beside_the_file(ledger, tmp_path):
    run = on(ledger)
    answers = {}
    for args in EVERY_READ:
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        answers[args] = result.stdout
    before = listing(ledger.parent)
    with frozen(ledger.parent):
        for args in EVERY_READ:
            result = run(*args)
            assert (result.exit_code, result.stdout) == (0, answers[args]), (args, result.output)
        report = run("report", "pyongyang-2025", "--out", str(tmp_path / "site"))
        assert report.exit_code == 0, report.output
        assert listing(ledger.parent) == before
    assert (tmp_path / "site" / "index.html").is_file()


def test_the_web_view_serves_the_snapshot(ledger):
    before = listing(ledger.parent)
    with frozen(ledger.parent):
        engine, target = open_engine(str(ledger), write=False, read_only=True)  # as `serve` opens it
        try:
            assert target.immutable and target.read_only
            client = TestClient(make_app(engine))
            for path in ("/", "/disputes", f"/{AMATEUR}", f"/{AMATEUR}.json", "/claims/5", "/figures"):
                assert client.get(path).status_code == 200, path
        finally:
            engine.dispose()
        assert listing(ledger.parent) == before
    engine, target = open_engine(str(ledger), write=False, read_only=True)
    engine.dispose()
    assert not target.immutable  # a folder the reader may write: SQLite's usual shared reading


def test_serve_says_it_serves_an_immutable_snapshot(ledger, tmp_path):
    from test_slow_clients import answer, serving

    before = listing(ledger.parent)
    with frozen(ledger.parent), serving(str(ledger), tmp_path) as served:
        with served.connect() as sock:
            assert answer(sock, f"/{AMATEUR}").startswith(b"HTTP/1.1 200")
        log = served.stop()
        assert listing(ledger.parent) == before
    said = log.splitlines()
    assert said[1] == (f"{ledger} lies in a folder this user may not write: it is served as an immutable "
                       "snapshot, and writes made to it after now are not shown until a restart."), log


def test_last_writes_still_in_the_wal_are_one_error_never_a_shorter_history(ledger, tmp_path):
    leave_writes_in_the_wal(ledger)
    before = listing(ledger.parent)
    run = on(ledger)
    with frozen(ledger.parent):
        for args in [("head",), ("verify",), ("athlete", "list"), ("--read-only", "results", AMATEUR),
                     ("report", "--out", str(tmp_path / "site"))]:
            error = one_error_line(run(*args))
            assert error == (
                f"Error: {ledger}'s last writes are still in its write-ahead log {ledger}-wal, which a reader "
                f"that may not write the folder cannot read; a writer must checkpoint it first, e.g. by "
                f"running raceledger --db {ledger} init (which changes nothing else), or "
                f"sqlite3 {ledger} 'PRAGMA wal_checkpoint(TRUNCATE)'\n")
        with pytest.raises(LedgerError, match="last writes are still in its write-ahead log"):
            open_engine(str(ledger), write=False, read_only=True)  # as `serve` opens it
        assert listing(ledger.parent) == before
    assert not (tmp_path / "site").exists()
    assert run("init").exit_code == 0  # the writer checkpoints, as the error says
    assert os.listdir(ledger.parent) == ["ledger.db"]
    with frozen(ledger.parent):
        assert "Late Entry" in run("athlete", "list").stdout


def test_a_write_is_one_error_and_nothing_is_made(ledger, tmp_path):
    run = on(ledger)
    head = run("head").stdout
    before = listing(ledger.parent)
    with frozen(ledger.parent):
        for args in [("athlete", "add", "Anna Nowak"), ("init",)]:
            assert one_error_line(run(*args)) == (
                f"Error: cannot write {ledger}: this user may not write its folder {ledger.parent}, "
                "where SQLite keeps its write-ahead log; nothing was written\n")
        fresh = ledger.parent / "new.db"
        assert "may not write its folder" in one_error_line(on(fresh)("load", str(tmp_path / "none.jsonl")))
        assert listing(ledger.parent) == before
        assert run("head").stdout == head

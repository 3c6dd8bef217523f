"""No traceback for any OS condition, and every promise kept: a command that fails or is interrupted
says so in one line (`Error: ...`, or `Interrupted; nothing was written.` with exit 130) and leaves
nothing half-written: no `.partial`, no temporary file, no rejects file, no new database.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import city_marathon, connect, ctrl_c_as_at_a_terminal, ok

from cli import cli

CAT = "city-2025/marathon/open"
HEADER = "Place,Bib,Name,Nat,Time\n"
GOOD = HEADER + "1,101,Anna Nowak,POL,2:31:07\n2,102,Maria Silva,POR,2:31:40\n"
BAD = HEADER + "1,101,Anna Nowak,POL,2:31:07\nx,102,Maria Silva,POR,2:31:40\n"

def on(db: str):
    """The CLI on a database of the test's own (a SQLite path or URL), whatever `db` the test runs on."""
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None):
        result = runner.invoke(cli, ["--db", db, "--as", "tester", *args], input=input)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    return invoke


@pytest.fixture
def city(tmp_path):
    """The City Marathon (one category, one source) in a SQLite ledger of its own, in a folder of its
    own: for what does not depend on the database."""
    (tmp_path / "ledger").mkdir()
    run = on(str(tmp_path / "ledger" / "ledger.db"))
    ok(run("init"))
    for args in city_marathon({"open": ("Open", "F")}):
        ok(run(*args))
    return run


def one_error_line(result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def leftovers(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if ".partial" in name or name.startswith("tmp"))


# --- export: where it writes ---------------------------------------------------------------------


def test_export_into_a_missing_folder_or_onto_a_directory_is_one_error_line(city, tmp_path):
    missing = tmp_path / "no" / "such" / "x.jsonl"
    assert "No such file or directory" in one_error_line(city("export", str(missing)))
    assert not (tmp_path / "no").exists()
    (tmp_path / "folder").mkdir()
    assert "is a directory" in one_error_line(city("export", str(tmp_path / "folder")))
    assert os.listdir(tmp_path / "folder") == [] and leftovers(tmp_path) == []


@pytest.mark.parametrize("stop", [KeyboardInterrupt(), OSError(errno.ENOSPC, "No space left on device")])
def test_a_failed_or_interrupted_export_leaves_the_file_as_it_was(city, tmp_path, monkeypatch, stop):
    import ledger.journal.export

    def half(session, out, progress):
        out.write('{"body":{}')
        raise stop

    path = tmp_path / "ledger.jsonl"
    path.write_text("the export before\n")
    monkeypatch.setattr(ledger.journal.export, "export_journal", half)
    result = city("export", str(path))
    if isinstance(stop, KeyboardInterrupt):
        assert (result.exit_code, result.stderr.strip()) == (130, "Interrupted; nothing was written.")
    else:
        assert one_error_line(result) == f"Error: cannot write {path}: No space left on device; nothing was written\n"
    assert path.read_text() == "the export before\n" and leftovers(tmp_path) == []


def test_an_interrupted_export_to_standard_output_says_it_is_incomplete(city, monkeypatch):
    import ledger.journal.export

    def half(session, out, progress):
        out.write('{"body":{}')
        raise KeyboardInterrupt

    monkeypatch.setattr(ledger.journal.export, "export_journal", half)
    result = city("export")
    assert result.exit_code == 130
    assert result.stderr.strip() == "Interrupted; the export into standard output is incomplete."


def test_export_writes_into_a_device_and_a_full_disk_is_an_error(city):
    assert one_error_line(city("export", "/dev/full")) == "Error: cannot write /dev/full: No space left on device\n"
    assert ok(city("export", "/dev/null")) == ""
    for device in ("/dev/full", "/dev/null"):
        assert stat.S_ISCHR(os.stat(device).st_mode), f"{device} was replaced"


def test_export_writes_into_a_fifo_and_a_symlinks_target(city, tmp_path):
    expected = tmp_path / "plain.jsonl"
    ok(city("export", str(expected)))
    fifo, received = tmp_path / "fifo", []
    os.mkfifo(fifo)
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    ok(city("export", str(fifo)))
    reader.join(10)
    assert received == [expected.read_bytes()] and stat.S_ISFIFO(os.stat(fifo).st_mode)

    (tmp_path / "real").mkdir()
    target, link = tmp_path / "real" / "ledger.jsonl", tmp_path / "link.jsonl"
    target.write_text("old\n")
    link.symlink_to(target)
    ok(city("export", str(link)))
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == expected.read_bytes()
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "real") == []


# --- database errors -----------------------------------------------------------------------------


def test_a_write_into_a_read_only_sqlite_file_is_one_error_line(city, tmp_path):
    before = ok(city("head"))
    immutable = on(f"sqlite:///file:{tmp_path / 'ledger' / 'ledger.db'}?mode=ro&immutable=1&uri=true")
    path = tmp_path / "results.csv"
    path.write_text(GOOD)
    for args in (("import", CAT, str(path), "--source", "timing"),
                 ("event", "add", "other-2025", "--name", "Other", "--date", "2025-01-01")):
        assert "readonly database" in one_error_line(immutable(*args))
    assert ok(immutable("head")) == before == ok(city("head"))


@pytest.mark.parametrize("error, message", [
    ("refused", "Error: database error: attempt to write a readonly database"),
    ("lost", "Error: lost the connection to the database: server closed the connection unexpectedly"),
    ("interface", "Error: lost the connection to the database: connection already closed"),
    ("disk", "Error: No space left on device"),
])
def test_a_database_or_os_error_no_command_caught_is_one_error_line(city, monkeypatch, error, message):
    import ledger.store.engine
    from sqlalchemy.exc import InterfaceError, OperationalError

    raised = {
        "refused": OperationalError("UPDATE", {}, Exception("attempt to write a readonly database")),
        "lost": OperationalError("SELECT", {}, Exception("server closed the connection\nunexpectedly"),
                                 connection_invalidated=True),
        "interface": InterfaceError("SELECT", {}, Exception("connection already closed")),
        "disk": OSError(errno.ENOSPC, "No space left on device"),
    }[error]

    def fails(engine, target):
        raise raised

    monkeypatch.setattr(ledger.store.engine, "upgrade_ledger", fails)
    assert one_error_line(city("init")) == message + "\n"


def test_a_lost_connection_inside_a_transaction_says_nothing_was_written(city, monkeypatch):
    import ledger.write.catalog
    from sqlalchemy.exc import OperationalError

    def lost(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("server closed the connection"), connection_invalidated=True)

    monkeypatch.setattr(ledger.write.catalog, "add_source", lost)
    assert one_error_line(city("source", "add", "gazette", "--name", "The Gazette", "--kind", "press")) == (
        "Error: lost the connection to the database, nothing was written: server closed the connection\n")


def test_an_interrupt_that_breaks_the_connection_is_still_an_interrupt(city, tmp_path):
    """Ctrl-C inside a statement makes SQLAlchemy drop the connection; the cleanup that follows
    (the bulk import's pragmas on it) fails, and that failure must not replace the interrupt."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def interrupt(conn, cursor, statement, *args):
        if statement.startswith("INSERT INTO journal"):
            raise KeyboardInterrupt

    before = ok(city("head"))
    path = tmp_path / "results.csv"
    path.write_text(GOOD)
    event.listen(Engine, "before_cursor_execute", interrupt)
    try:
        result = city("import", CAT, str(path), "--source", "timing")
    finally:
        event.remove(Engine, "before_cursor_execute", interrupt)
    assert (result.exit_code, result.stderr.strip()) == (130, "Interrupted; nothing was written.")
    assert ok(city("head")) == before


# --- load ----------------------------------------------------------------------------------------


def ledger_tables(db: str) -> list[str]:
    from sqlalchemy import inspect

    with connect(db) as conn:
        return inspect(conn).get_table_names()


def assert_no_ledger(db: str) -> None:
    if "://" in db:
        assert ledger_tables(db) == []
    else:
        assert not [name for name in os.listdir(Path(db).parent) if name.startswith(Path(db).name)]


def test_loading_nothing_is_refused_from_a_file_and_from_standard_input(run, db, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    from_file = one_error_line(run("load", str(empty)))
    assert from_file == f"Error: {empty}: no journal entries to load (an empty ledger is made with: raceledger init)\n"
    assert_no_ledger(db)
    assert one_error_line(run("load", "-", input="")) == from_file.replace(str(empty), "<stdin>")
    assert_no_ledger(db)


def test_a_failed_load_leaves_no_new_database_but_keeps_an_empty_ledger(run, db, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not an export\n")
    assert "not a journal entry line" in one_error_line(run("load", str(bad)))
    assert_no_ledger(db)
    ok(run("init"))
    assert "not a journal entry line" in one_error_line(run("load", str(bad)))
    assert json.loads(ok(run("info", "-f", "json")))["journal_entries"] == 0


# --- import: what it writes besides the ledger -----------------------------------------------------


def test_a_dry_run_writes_no_rejects_file(city, tmp_path):
    (tmp_path / "files").mkdir()
    path, rejects = tmp_path / "files" / "results.csv", tmp_path / "files" / "rejects.csv"
    path.write_text(BAD)
    refused = city("import", CAT, str(path), "--source", "timing", "--dry-run", "--skip-invalid", "--rejects",
                   str(rejects))
    assert one_error_line(refused, 2).startswith("Error: --rejects writes a file; --dry-run writes nothing: drop one")
    checked = ok(city("import", CAT, str(path), "--source", "timing", "--dry-run", "--skip-invalid"))
    assert checked.startswith("Dry run, nothing written: importing would record 1 claim") and "1 row rejected" in checked
    assert os.listdir(tmp_path / "files") == ["results.csv"]


def test_a_failed_import_leaves_no_rejects_file(city, tmp_path):
    (tmp_path / "files").mkdir()
    path, rejects = tmp_path / "files" / "results.csv", tmp_path / "files" / "rejects.csv"
    path.write_text(HEADER + "x,102,Maria Silva,POR,2:31:40\n")
    result = city("import", CAT, str(path), "--source", "timing", "--skip-invalid", "--rejects", str(rejects))
    assert "no rows to import" in one_error_line(result)
    assert os.listdir(tmp_path / "files") == ["results.csv"]


# --- Ctrl-C and SIGTERM on a real process ----------------------------------------------------------


ROWS = 200_000  # the import takes seconds: the signal lands while it reads, or while it writes
WAIT_S = 60


def big_results(path: Path) -> Path:
    lines = [HEADER]
    for i in range(ROWS):
        seconds = 2 * 3600 + 600 + i // 8
        lines.append(f"{i + 1},{i + 10},Runner {i:06d},POL,{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}\n")
    lines[1000] = "x,5,Bad Position,POL,2:00:00\n"  # a rejected row, so that --rejects has a file to write
    path.write_text("".join(lines))
    return path


def interrupted_import(db: Path, results: Path, tmp: Path, signum: int, ready) -> subprocess.CompletedProcess:
    """`raceledger import - < RESULTS` as a process of its own, sent `signum` once `ready()` holds."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("RACELEDGER_")}, "TMPDIR": str(tmp)}
    with open(results, "rb") as stdin:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "--db", str(db), "import", CAT, "-", "--source", "timing",
             "--skip-invalid", "--rejects", str(db.parent / "rejects.csv")],
            stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=Path(__file__).parent.parent,
            preexec_fn=ctrl_c_as_at_a_terminal)
        try:
            deadline = time.monotonic() + WAIT_S
            while not ready() and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            assert process.poll() is None, f"the import ended before the signal: {process.communicate()}"
            process.send_signal(signum)
            out, err = process.communicate(timeout=WAIT_S)
        finally:
            if process.poll() is None:
                process.kill()
    return subprocess.CompletedProcess(process.args, process.returncode, out.decode(), err.decode())


def test_ctrl_c_and_sigterm_stop_an_import_cleanly_and_write_nothing(city, tmp_path):
    folder, tmp = tmp_path / "ledger", tmp_path / "tmp"
    tmp.mkdir()
    db = folder / "ledger.db"
    head = ok(city("head"))
    results = big_results(tmp_path / "big.csv")

    def spooling() -> bool:
        return any(name.startswith("raceledger-stdin-") for name in os.listdir(tmp))

    def writing() -> bool:  # the transaction has written megabytes to the write-ahead log
        return os.path.exists(f"{db}-wal") and os.path.getsize(f"{db}-wal") > 4 << 20

    for signum, ready, code, said in [(signal.SIGINT, spooling, 130, "Interrupted"),
                                      (signal.SIGINT, writing, 130, "Interrupted"),
                                      (signal.SIGTERM, writing, 143, "Terminated")]:
        done = interrupted_import(db, results, tmp, signum, ready)
        assert (done.returncode, done.stderr.strip()) == (code, f"{said}; nothing was written."), done.stderr[-2000:]
        assert ok(city("head")) == head
        assert os.listdir(tmp) == [], "a temporary file outlived the import"
        assert sorted(os.listdir(folder)) == ["ledger.db"], "a rejects file or .partial outlived the import"

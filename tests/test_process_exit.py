"""The console script ends as Python ends: atexit handlers run, output is whole, the ledger closed,
the exit code kept.

Run as a real process (`cli.main`, the console script's entry point), since CliRunner never ends one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# The console script, with an atexit handler registered first (as a library or a profiler would).
SCRIPT = ("import atexit, sys; atexit.register(lambda: print('atexit ran', file=sys.stderr)); "
          "sys.argv = ['raceledger', *sys.argv[1:]]; import cli; cli.main()")


def raceledger(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RACELEDGER_")}
    return subprocess.run([sys.executable, "-c", SCRIPT, "--db", str(db), *args], capture_output=True,
                          env=env, cwd=Path(__file__).resolve().parent.parent, timeout=120)


def test_a_command_prints_everything_runs_atexit_and_closes_the_ledger(tmp_path):
    db = tmp_path / "ledger.db"
    done = raceledger(db, "demo", "-f", "json")
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith(b"]") and b'"kind": "position"' in done.stdout
    assert done.stderr.endswith(b"atexit ran\n")
    # SQLite checkpoints and removes its write-ahead log when the last connection closes.
    assert not Path(f"{db}-wal").exists()
    listed = raceledger(db, "results", "pyongyang-2025/marathon/amateur-men")
    assert listed.returncode == 0 and b"Wojciech Kopec" in listed.stdout


def test_output_written_to_standard_output_is_whole(tmp_path):
    db = tmp_path / "ledger.db"
    assert raceledger(db, "demo").returncode == 0
    assert raceledger(db, "export", str(tmp_path / "ledger.jsonl")).returncode == 0
    piped = raceledger(db, "export")
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == (tmp_path / "ledger.jsonl").read_bytes()
    assert piped.stderr == b"atexit ran\n"


def test_an_error_keeps_its_message_and_exit_code_and_runs_atexit(tmp_path):
    db = tmp_path / "ledger.db"
    assert raceledger(db, "init").returncode == 0
    done = raceledger(db, "results", "nowhere/race/category")
    assert done.returncode == 1
    assert done.stderr.startswith(b"Error: no category 'nowhere/race/category'")
    assert done.stderr.endswith(b"atexit ran\n")
    usage = raceledger(db, "results")
    assert usage.returncode == 2 and usage.stderr.startswith(b"Error: ")
    assert usage.stderr.endswith(b"atexit ran\n")

"""The console script ends without Python's teardown: output flushed, ledger closed, exit code kept.

Run as a real process (`python -m cli`), since the shortcut is in `cli.main`, which CliRunner skips.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def raceledger(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RACELEDGER_")}
    return subprocess.run([sys.executable, "-m", "cli", "--db", str(db), *args], capture_output=True, text=True,
                          env=env, cwd=Path(__file__).resolve().parent.parent, timeout=120)


def test_a_command_prints_everything_and_closes_the_ledger(tmp_path):
    db = tmp_path / "ledger.db"
    done = raceledger(db, "demo", "-f", "json")
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("]") and '"kind": "position"' in done.stdout
    # SQLite checkpoints and removes its write-ahead log when the last connection closes.
    assert not Path(f"{db}-wal").exists()
    listed = raceledger(db, "results", "pyongyang-2025/marathon/amateur-men")
    assert listed.returncode == 0 and "Wojciech Kopec" in listed.stdout


def test_an_error_keeps_its_message_and_exit_code(tmp_path):
    db = tmp_path / "ledger.db"
    assert raceledger(db, "init").returncode == 0
    done = raceledger(db, "results", "nowhere/race/category")
    assert done.returncode == 1
    assert done.stderr.startswith("Error: no category 'nowhere/race/category'")
    usage = raceledger(db, "results")
    assert usage.returncode == 2 and usage.stderr.startswith("Error: ")

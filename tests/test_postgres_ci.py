"""The PostgreSQL half of the suite never passes by skipping: it fails when its server is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def pytest_run(pg_url: str | None) -> subprocess.CompletedProcess:
    """Run one small test file's PostgreSQL cases in a child pytest."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RACELEDGER_")}
    if pg_url:
        env["RACELEDGER_TEST_PG_URL"] = pg_url
    return subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_info.py", "-k", "postgresql and empty_ledger", "-q", "-rs",
         "-p", "no:cacheprovider"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )


def test_an_unreachable_server_fails_the_postgresql_tests():
    child = pytest_run("postgresql+psycopg://postgres:pw@127.0.0.1:1/raceledger_test")
    assert child.returncode == 1, child.stdout
    assert "1 error" in child.stdout and "skipped" not in child.stdout
    assert "Connection refused" in child.stdout


def test_without_a_server_url_the_postgresql_tests_skip_saying_how_to_run_them():
    child = pytest_run(None)
    assert child.returncode == 0, child.stdout
    assert "1 skipped" in child.stdout
    assert "PostgreSQL tests need RACELEDGER_TEST_PG_URL=postgresql+psycopg://USER@HOST/DB (see README)" in child.stdout

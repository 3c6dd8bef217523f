"""Fixtures: every test that takes `db` runs on a SQLite file and on a real PostgreSQL server.

PostgreSQL tests need RACELEDGER_TEST_PG_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/raceledger_test).
Without it they skip, saying so; with it, an unreachable server fails them (never a silent skip).
"""

from __future__ import annotations

import os
from typing import Callable

import pytest
from click.testing import CliRunner, Result
from helpers import build

from cli import cli

PG_ENV = "RACELEDGER_TEST_PG_URL"


def _reset_postgres(url: str) -> None:
    """An empty public schema: each test starts from a database with no ledger in it."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_url() -> str | None:
    """A database of this test run's own on the server RACELEDGER_TEST_PG_URL names, dropped at the end.

    Its own database lets several test runs share one server without trampling each other.
    """
    base = os.environ.get(PG_ENV)
    if not base:
        yield None
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"raceledger_test_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path, pg_url) -> str:
    """A --db value for an empty (not yet initialised) ledger."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger.db")
    url = pg_url
    if not url:
        pytest.skip(f"PostgreSQL tests need {PG_ENV}=postgresql+psycopg://USER@HOST/DB (see README)")
    _reset_postgres(url)
    return url


Invoke = Callable[..., Result]


@pytest.fixture
def run(db) -> Invoke:
    """Run the CLI against `db`: run("results", "x", "-f", "json"). Fails the test on a traceback."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict | None = None) -> Result:
        result = runner.invoke(cli, ["--db", db, "--as", "tester", *args], input=input, env=env)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    return invoke


@pytest.fixture
def ledger(run) -> Invoke:
    """`run` on an initialised, empty ledger."""
    assert run("init").exit_code == 0
    return run


@pytest.fixture
def city(ledger, request) -> Invoke:
    """`ledger` holding the City Marathon as the test module describes it: the commands given by its
    `pytestmark = pytest.mark.city(COMMANDS)` (helpers.city_marathon builds the usual ones), run in turn."""
    marker = request.node.get_closest_marker("city")
    if marker is None:
        raise pytest.UsageError("the city fixture needs pytest.mark.city(COMMANDS) on the test or its module")
    build(ledger, marker.args[0])
    return ledger


@pytest.fixture
def demo(run) -> Invoke:
    """`run` on a ledger holding the Pyongyang 2025 example."""
    assert run("demo").exit_code == 0
    return run


@pytest.fixture
def client_of(db):
    """TestClients on the ledger at `db`, opened read-only as `raceledger serve` opens it:
    client_of(**options) passes make_app's options (base_url, publication, ...)."""
    from starlette.testclient import TestClient

    from ledger.store.engine import open_engine
    from ledger.web.app import make_app

    engines = []

    def make(**options) -> TestClient:
        engine, _ = open_engine(db, write=False, read_only=True)
        engines.append(engine)
        return TestClient(make_app(engine, **options))

    yield make
    for engine in engines:
        engine.dispose()

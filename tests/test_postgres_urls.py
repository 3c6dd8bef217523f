"""PostgreSQL URLs: every command takes one, and a password in one is never printed."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from cli import cli
from ledger.store.engine import SCHEMA_REVISION, resolve_target
from ledger.store.urls import mask_text, masked, scrub

SECRET = "s3cret-Pw"

# A server that is not there: connection errors must not echo the URL's password either.
NOWHERE = f"postgresql+psycopg://ann:{SECRET}@127.0.0.1:1/ledger"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def assert_masked(result) -> None:
    assert SECRET not in result.output
    assert SECRET not in (result.stderr or "")


def test_masked_hides_the_password_and_secret_parameters():
    url = make_url(f"postgresql+psycopg://ann:{SECRET}@db.example:5432/results?password={SECRET}&sslmode=require")
    shown = masked(url)
    assert shown == "postgresql+psycopg://ann:***@db.example:5432/results?password=***&sslmode=require"


def test_mask_text_hides_a_password_in_a_url_that_does_not_parse():
    assert mask_text(f"postgresql+psycopg://ann:{SECRET}@host:port/db") == "postgresql+psycopg://ann:***@host:port/db"
    assert mask_text(f"x://ann:p@ss@word@host/db?password={SECRET}") == "x://ann:***@host/db?password=***"


def test_scrub_puts_a_driver_message_on_one_line_and_masks_the_password():
    url = make_url(f"postgresql+psycopg://ann:{SECRET}@host/db")
    message = f'connection failed:\n\tpassword "{SECRET}" rejected for dsn postgresql://ann:{SECRET}@host/db'
    assert scrub(message, url) == 'connection failed: password "***" rejected for dsn postgresql://ann:***@host/db'


def test_a_plain_postgresql_url_uses_psycopg_3():
    target = resolve_target(f"postgresql://ann:{SECRET}@db.example/results")
    assert make_url(target.url).drivername == "postgresql+psycopg"
    assert target.display == "postgresql+psycopg://ann:***@db.example/results"


@pytest.mark.parametrize("args", [("init",), ("demo",), ("info",), ("results", "a/b/c"), ("disputes",),
                                  ("event", "add", "e", "--name", "E", "--date", "2025-01-01"),
                                  ("db", "grant-reader", "reporter")], ids=" ".join)
def test_an_unreachable_server_is_one_line_error_without_the_password(args):
    result = invoke("--db", NOWHERE, *args)
    assert result.exit_code == 1
    assert_masked(result)
    assert result.stdout == ""
    assert result.stderr.startswith("Error: cannot open postgresql+psycopg://ann:***@127.0.0.1:1/ledger: ")
    assert "Connection refused" in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize("url", [f"postgresql+psycopg://ann:{SECRET}@host:port/db",
                                 f"://ann:{SECRET}@host/db"])
def test_a_bad_url_is_reported_masked(url):
    result = invoke("--db", url, "info")
    assert result.exit_code == 1
    assert_masked(result)
    assert result.stderr.startswith("Error: bad database URL '")


def with_password(url: str, **query: str) -> str:
    """The test server's URL with a password added (the test server trusts local connections)."""
    return make_url(url).set(password=SECRET).update_query_dict(query).render_as_string(hide_password=False)


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_every_message_masks_the_password(db):
    url = with_password(db)
    shown = make_url(url).render_as_string(hide_password=True)
    for args in [("init",), ("demo",), ("info",), ("info", "-f", "json"), ("init",),
                 ("results", "pyongyang-2025/marathon/amateur-man"), ("event", "add", "bad", "--name", "x",
                                                                      "--date", "2025-02-30")]:
        result = invoke("--db", url, *args)
        assert_masked(result)
    assert json.loads(invoke("--db", url, "info", "-f", "json").stdout)["database"] == shown
    assert invoke("--db", url, "init").stdout == f"Ledger already current at {shown} (schema revision {SCHEMA_REVISION}).\n"


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_a_password_given_as_a_query_parameter_is_masked_too(db):
    url = with_password(db, password=SECRET)
    result = invoke("--db", url, "init")
    assert result.exit_code == 0, result.output
    assert_masked(result)
    assert "password=***" in result.stdout


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_plain_postgresql_urls_work_for_every_command(db):
    url = db.replace("postgresql+psycopg://", "postgresql://", 1)
    for args in [("init",), ("event", "add", "city-2025", "--name", "City", "--date", "2025-10-12"),
                 ("race", "add", "city-2025/10k", "--name", "10 km", "--distance", "10000"),
                 ("category", "add", "city-2025/10k/open", "--name", "Open"),
                 ("source", "add", "timing", "--name", "Timing", "--kind", "official"),
                 ("athlete", "add", "Anna Nowak"),
                 ("claim", "city-2025/10k/open", "--source", "timing", "--athlete", "Anna Nowak", "--position", "1"),
                 ("results", "city-2025/10k/open"), ("info",)]:
        result = invoke("--db", url, *args)
        assert result.exit_code == 0, (args, result.output)

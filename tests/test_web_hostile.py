"""The web view under attack (issue 20): redirects that stay on the site, requests bounded in every
part, a page cache bounded by what its pages cost, and a database that vanishes under the server.

Every test runs on SQLite and PostgreSQL unless it is about a SQLite file.
"""

from __future__ import annotations

import logging
import os
import shutil
import tracemalloc
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from ledger.core.limits import SHOWN
from ledger.store.engine import open_engine
from ledger.web.app import PageCache, make_app

AMATEUR = "pyongyang-2025/marathon/amateur-men"


@pytest.fixture
def served(demo, db):
    """The demo's web view, as `serve` opens it (its own read-only engine), and the engine."""
    engine, _ = open_engine(db, write=False, read_only=True)
    yield TestClient(make_app(engine), raise_server_exceptions=False), engine
    engine.dispose()


@pytest.fixture
def web(served) -> TestClient:
    return served[0]


def off_site(location: str) -> bool:
    """Whether a browser would leave the site for this Location (WHATWG: `\\` is `/` in a path)."""
    normal = location.replace("\\", "/")
    return not normal.startswith("/") or normal.startswith("//") or bool(urlsplit(normal).netloc)


@pytest.mark.parametrize("path", [
    "//evil.example/", "/%2F%2Fevil.example/", "/%2f/evil.example/", "/\\evil.example/", "/%5Cevil.example/",
    "/%5C%5Cevil.example/", "/\\/evil.example/", "/%09/evil.example/", "/pyongyang-2025/%2F%2Fevil.example/",
    "/.%2F%2Fevil.example/", "/pyongyang-2025//", "/pyongyang-2025/", f"/{AMATEUR}/", "/pyongyang-2025/.json",
    "/figures/10/", "/claims/1/", "/disputes/", "/figures/%0D%0A/", "/sources/dprk-state-media/",
])
def test_every_redirect_stays_on_the_site_or_the_request_is_a_404(web, path):
    # The path as sent (not read as a host), and a Host header of another site, which a redirect must not name.
    response = web.get(f"http://testserver{path}", headers={"host": "evil.example"}, follow_redirects=False)
    assert response.status_code in (308, 404), (path, response.status_code)
    if response.status_code == 308:
        location = response.headers["location"]
        assert not off_site(location), (path, location)
        assert web.get(location).status_code == 200, location


def test_the_trailing_slash_still_moves_to_the_page_and_a_merged_athlete_to_the_one_kept(web, demo):
    assert web.get("/pyongyang-2025/", follow_redirects=False).headers["location"] == "/pyongyang-2025"
    assert web.get(f"/{AMATEUR}.json/", follow_redirects=False).status_code == 404  # no page is named so
    assert demo("athlete", "add", "Someone Else").exit_code == 0
    other = demo("athlete", "show", "Someone Else", "-f", "json").output
    other_id = __import__("json").loads(other)["id"]
    assert demo("athlete", "merge", "#1", f"#{other_id}").exit_code == 0
    moved = web.get(f"/athletes/{other_id}?after=99&evil=//x", follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == "/athletes/1"


LONG = "x" * 5000


@pytest.mark.parametrize("address", [
    f"/search?q={LONG}", f"/disputes?scope={LONG}", f"/disputes?after={LONG}", f"/disputes?at={LONG}",
    f"/disputes?limit={LONG}", f"/disputes?all={LONG}", f"/{AMATEUR}?after={LONG}", f"/{AMATEUR}.json?at={LONG}",
    f"/figures?scope={LONG}", f"/history?after={LONG}", "/search?q=%00", "/search.json?q=a%00b",
    "/disputes?scope=%00", "/figures.json?scope=%1b%5b31m",
])
def test_an_over_long_or_unprintable_parameter_is_a_400_with_the_sites_error_page(web, address):
    response = web.get(address)
    assert response.status_code == 400, (address, response.text[:300])
    if ".json" in address:
        assert response.json()["status"] == 400
    else:
        assert "<!doctype html>" in response.text and "list of events" in response.text
    assert LONG[: SHOWN + 5] not in response.text  # a short prefix at most is echoed


@pytest.mark.parametrize("path", [f"/claims/{'9' * 5000}", f"/athletes/{'1' * 300}", f"/sources/{LONG}",
                                  f"/history/{LONG}", f"/{LONG}", f"/pyongyang-2025/{LONG}/x", f"/static/{LONG}",
                                  "/sources/%00", "/history/a%00", "/pyongyang-2025%00", "/figures/%ff"])
def test_an_over_long_path_segment_is_a_404_that_echoes_a_short_prefix(web, path):
    response = web.get(path)
    assert response.status_code == 404, path
    assert LONG[: SHOWN + 5] not in response.text and "9" * (SHOWN + 5) not in response.text


WITHIN = "a" * 190  # within every limit, so the ledger is asked, and its answer names it


@pytest.mark.parametrize("address", [f"/sources/{WITHIN}", f"/{WITHIN}", f"/pyongyang-2025/{WITHIN}",
                                     f"/history/{WITHIN}", f"/disputes?scope={WITHIN}", f"/figures?scope={WITHIN}",
                                     f"/disputes?after={WITHIN}:p1", f"/{AMATEUR}?after={WITHIN}"])
def test_an_error_page_echoes_a_short_prefix_of_what_was_asked(web, address):
    response = web.get(address)
    assert response.status_code in (400, 404), address
    assert WITHIN[: SHOWN + 5] not in response.text, address


def test_a_parameter_a_page_does_not_take_changes_neither_the_page_nor_the_cache(served):
    web, _ = served
    plain = web.get("/disputes")
    for extra in ("?utm=1", "?q=kopec", "?foo=1&bar=2", "?scope=", "?after="):
        other = web.get(f"/disputes{extra}")
        assert other.status_code == 200 and other.content == plain.content, extra
        assert other.headers["etag"] == plain.headers["etag"], extra
    cache = _cache_of(web)
    before = len(cache.pages)
    for n in range(50):
        assert web.get(f"/disputes?junk{n}={n}").status_code == 200
        assert web.get(f"/{AMATEUR}.json?q={n}").status_code == 200
    assert len(cache.pages) <= before + 1  # the results twin, once


def _cache_of(web: TestClient) -> PageCache:
    """The page cache behind a TestClient's app (the endpoint closures hold the Ledger)."""
    for route in web.app.app.routes:
        for cell in getattr(route.endpoint, "__closure__", None) or ():
            found = getattr(cell.cell_contents, "cache", None)
            if isinstance(found, PageCache):
                return found
    raise AssertionError("no page cache found")


def test_the_cache_counts_what_a_page_costs_in_memory_and_keeps_within_its_budget():
    budget = 2 * 1024 * 1024
    cache = PageCache(budget)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for n in range(5000):  # many small pages: the case counting bodies alone left unbounded
            tag = f'"{n}-{n:032x}"'
            cache.put(tag, b"<p>%d</p>" % n, "text/html", {"link": f"</x?after={n}>; rel=\"next\""} if n % 2 else {})
        held = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert len(cache.pages) < 5000  # the budget, not the count of bodies, dropped pages
    assert cache.bytes <= budget
    assert held <= cache.bytes * 1.1 + 64 * 1024, (held, cache.bytes)  # what is counted is what is held


def test_a_page_larger_than_an_eighth_of_the_budget_is_not_kept():
    cache = PageCache(8000)
    cache.put('"1-a"', b"x" * 1000, "text/html")
    assert cache.get('"1-a"') is None
    cache.put('"1-b"', b"x" * 100, "text/html")
    assert cache.get('"1-b"') is not None


def test_no_cache_keeps_nothing(demo, db):
    engine, _ = open_engine(db, write=False, read_only=True)
    try:
        web = TestClient(make_app(engine, cache_bytes=0))
        assert web.get("/disputes").status_code == 200
        with pytest.raises(AssertionError):
            _cache_of(web)
    finally:
        engine.dispose()


class Boom(Exception):
    pass


def test_an_internal_fault_is_a_500_page_logged_once_with_its_traceback(served, monkeypatch, caplog):
    web, _ = served
    from ledger.web import pages

    def broken(*_args, **_kwargs):
        raise Boom("a bug")

    monkeypatch.setattr(pages, "_figures_json", broken)
    caplog.set_level(logging.INFO)
    for _ in range(3):
        response = web.get("/figures")
        assert response.status_code == 500
        assert "logged" in response.text and "a bug" not in response.text and "Traceback" not in response.text
    faults = [r for r in caplog.records if r.name == "raceledger.web" and r.levelno >= logging.ERROR]
    assert len(faults) == 3  # one line a request
    assert [r.exc_info is not None for r in faults] == [True, False, False]  # the traceback once
    assert all("\n" not in r.getMessage() for r in faults)
    assert web.get("/figures.json").json()["status"] == 500


def _unavailable(response, fmt: str = "html") -> str:
    assert response.status_code == 503, response.text[:300]
    message = response.json()["error"] if fmt == "json" else response.text
    assert "nothing was written" not in message
    return message


def _no_traceback(caplog) -> None:
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]


@pytest.mark.parametrize("how", ["removed", "replaced", "emptied", "truncated", "damaged"])
def test_a_sqlite_file_changed_under_the_server_is_503_until_restart(demo, db, tmp_path, how, caplog):
    if not db.endswith(".db"):
        pytest.skip("a SQLite file: PostgreSQL has none")
    other = tmp_path / "other.db"
    shutil.copy(db, other)
    engine, _ = open_engine(db, write=False, read_only=True)
    web = TestClient(make_app(engine), raise_server_exceptions=False)
    assert web.get("/disputes").status_code == 200
    assert web.get(f"/{AMATEUR}").status_code == 200
    if how == "removed":
        os.remove(db)
    elif how == "replaced":
        os.replace(other, db)  # another ledger under the served name: never mixed into its pages
    elif how == "emptied":
        os.truncate(db, 0)
    elif how == "truncated":
        os.truncate(db, os.path.getsize(db) // 2)
    else:  # damaged in place: found when SQLite next reads the file, here on a new connection
        with open(db, "r+b") as f:
            f.write(b"\xff" * os.path.getsize(db))
        engine.pool.dispose()
    caplog.set_level(logging.INFO)
    for path in ("/disputes", f"/{AMATEUR}", f"/{AMATEUR}", "/claims/1", "/"):  # kept pages too
        message = _unavailable(web.get(path))
        assert "restart the server" in message, message
    assert "restart" in _unavailable(web.get("/disputes.json"), "json")
    if how == "replaced":
        os.replace(db, other)
        shutil.copy(other, db)  # even the same bytes again: a new file is not the one served
        assert web.get("/disputes").status_code == 503
    _no_traceback(caplog)
    engine.dispose()


def test_postgresql_lost_connections_are_503_and_the_server_recovers(served, db, caplog):
    if db.endswith(".db"):
        pytest.skip("a PostgreSQL server's connections")
    web, _ = served
    assert web.get("/disputes").status_code == 200
    caplog.set_level(logging.INFO)
    admin = create_engine(db, isolation_level="AUTOCOMMIT")
    try:
        statuses = []
        for path in ("/disputes", f"/{AMATEUR}", "/claims/1", "/sources"):
            with admin.connect() as conn:  # the database drops every other connection, as a restart does
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
            response = web.get(path)
            statuses.append(response.status_code)
            if response.status_code != 200:
                _unavailable(response)
        assert 503 in statuses
    finally:
        admin.dispose()
    for path in ("/disputes", f"/{AMATEUR}", "/claims/1", "/sources"):  # back, with no restart
        assert web.get(path).status_code == 200, path
    _no_traceback(caplog)

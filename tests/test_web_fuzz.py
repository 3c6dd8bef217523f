"""Fuzzing the web view (issue 20 point 10), beside the CLI's fuzz test: hypothesis drives every
route with hostile paths, parameters, headers and methods through Starlette's TestClient, on SQLite
and PostgreSQL. No request answers 5xx or logs a traceback, every body is inert (hostile text never
comes back as markup), every redirect stays on the site, and the ledger is as it was.

CI runs a derandomised (reproducible) set; `RACELEDGER_FUZZ_EXAMPLES=2000` runs that many random ones.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import quote, urlencode, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient
from test_fuzz_cli import fuzz, snapshot

from ledger.store.engine import open_engine
from ledger.web.app import make_app
from ledger.web.pages import PARAMETERS

# Markup that must never come back raw: if it did, a reader's browser would run or render it.
MARKER = '<b id="fz">'
PIECES = ["", "/", "//", "\\", "%2F", "%5C", "%00", "..", ".", ".json", "?", "#", "&", "=", "%", "%ff", "%ed%a0%80",
          "\u202e", "\u2069", "\x00", "\r\n", "\t", " ", "'", '"', MARKER, "javascript:alert(1)", "//evil.example",
          "pyongyang-2025", "marathon", "amateur-men", "1", "9" * 12, "²", "-1", "0", "x" * 700, "kopec", "state-media"]
ROUTES = ["", "index.json", "disputes", "search", "sources", "history", "figures", "figures/{}", "claims/{}",
          "athletes/{}", "sources/{}", "history/{}", "{}", "{}/{}", "{}/{}/{}", "static/{}",
          "pyongyang-2025/marathon/amateur-men", "pyongyang-2025/{}", "pyongyang-2025/marathon/{}"]
hostile = st.lists(st.sampled_from(PIECES) | st.text(max_size=12), max_size=4).map("".join)


@st.composite
def requests(draw):
    route = draw(st.sampled_from(ROUTES))
    raw = draw(st.booleans())  # sent as typed (slashes and all) or encoded as one segment each
    segments = [draw(hostile) for _ in range(route.count("{}"))]
    path = "/" + route.format(*[s if raw else quote(s, safe="") for s in segments])
    path = quote(path, safe="/%\\") + draw(st.sampled_from(["", "", ".json", "/", "//"]))
    names = st.sampled_from(sorted(PARAMETERS)) | st.sampled_from(["utm", "q[]", "", "scope\x00"])
    params = draw(st.lists(st.tuples(names, hostile), max_size=4))
    headers = draw(st.dictionaries(st.sampled_from(["if-none-match", "accept", "host", "x-forwarded-host",
                                                    "accept-language", "cookie"]),
                                   hostile.map(lambda s: s.encode("utf-8", "replace").replace(b"\r", b"")
                                               .replace(b"\n", b"").replace(b"\x00", b"")),  # bytes, as sent
                                   max_size=3))
    method = draw(st.sampled_from(["GET", "GET", "GET", "HEAD", "POST", "OPTIONS", "DELETE"]))
    return method, path + ("?" + urlencode(params) if params else ""), headers


@pytest.fixture
def fuzzed(demo, db):
    engine, _ = open_engine(db, write=False, read_only=True)
    before = snapshot(db)
    yield TestClient(make_app(engine), raise_server_exceptions=False)
    engine.dispose()
    assert snapshot(db) == before  # the head and every table's row count


def test_every_route_holds_against_hostile_requests(fuzzed, caplog):
    caplog.set_level(logging.WARNING)

    @fuzz(300)
    @given(requests())
    def check(request):
        method, address, headers = request
        caplog.clear()
        response = fuzzed.request(method, f"http://testserver{address}", headers=headers, follow_redirects=False)
        assert response.status_code < 500, (address, response.status_code, response.text[:500])
        assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR], address
        body = response.text
        assert MARKER not in body, address  # inert: hostile text comes back escaped, never as markup
        if "location" in response.headers:
            location = response.headers["location"].replace("\\", "/")
            assert location.startswith("/") and not location.startswith("//") and not urlsplit(location).netloc
        if response.headers.get("content-type", "").startswith("application/json") and method == "GET":
            json.loads(response.content)

    check()

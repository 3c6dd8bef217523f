"""The web view over HTTP (Starlette's TestClient) and the static report, on SQLite and PostgreSQL.

Every JSON twin is compared byte for byte with what the CLI prints with `-f json`; paged ones
are concatenated first.
"""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient
from helpers import MARATHON, build, city_marathon
from web_fixtures import (
    BIG,
    EVIDENCE_CLAIMS,
    HOSTILE_QUOTE,
    MEN,
    RELIANCE_REASON,
    WOMEN,
    evidence_commands,
    write_big,
    write_hostile,
    write_mixed,
    write_report,
)

from ledger.store.engine import open_engine, transaction
from ledger.web import report
from ledger.web.app import make_app
from ledger.web.headers import CONTENT_SECURITY_POLICY
from ledger.web.links import web_url

AMATEUR = "pyongyang-2025/marathon/amateur-men"


@pytest.fixture
def web(demo, client_of) -> TestClient:
    """The web view of the Pyongyang 2025 example."""
    return client_of()


@pytest.fixture
def mixed(db, run):
    """`run` on a ledger of agreeing, disputed, tied, retracted and ruled claims (tests/web_fixtures.py)."""
    write_mixed(db, seed=3)
    return run


@pytest.fixture
def evidence(run):
    """`run` on a ledger of claims made via another source's report, cited more than once, and of
    sources that rely on one another (tests/web_fixtures.py)."""
    for args in evidence_commands():
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
    return run


def cli_json(run, *args: str) -> bytes:
    result = run(*args, "-f", "json")
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def ok(response) -> bytes:
    assert response.status_code == 200, response.text
    return response.content


def pages_of(client: TestClient, path: str, **params) -> tuple[list, int]:
    """The items of every page of a paged JSON twin, following each page's next link in its HTML
    twin; and how many pages there were."""
    items, count, query = [], 0, dict(params)
    while True:
        count += 1
        items += json.loads(ok(client.get(f"{path}.json", params=query)))
        html = ok(client.get(path, params=query)).decode()
        found = re.search(r'rel="next" href="([^"]+)"', html)
        if not found:
            return items, count
        query = dict(parse_qsl(unescape(found.group(1)).split("?", 1)[1]))


# --- routes, status codes, headers -----------------------------------------------------------------


DEMO_PAGES = ["/", "/disputes", "/disputes?all=1", "/disputes?scope=pyongyang-2025", "/pyongyang-2025",
              "/pyongyang-2025/marathon", f"/{AMATEUR}", f"/{AMATEUR}?all=1", "/claims/5", "/athletes/3", "/sources",
              "/sources/dprk-state-media", "/history", "/history/pyongyang-2025", f"/history/{AMATEUR}", "/history/5",
              "/search?q=kopec", "/search", "/figures", "/figures?scope=dprk-famine", "/figures?scope=pyongyang-2025",
              "/figures/9", "/history/dprk-famine"]


def test_every_page_and_its_json_twin_answers_with_the_safety_headers(web):
    for path in DEMO_PAGES:
        base, _, query = path.partition("?")
        for address, kind in ((path, "text/html"), (f"{base if base != '/' else '/index'}.json" + (f"?{query}" if query else ""),
                                                   "application/json")):
            response = web.get(address)
            assert response.status_code == 200, (address, response.text)
            assert response.headers["content-type"].startswith(kind), address
            assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
            assert "script-src" not in CONTENT_SECURITY_POLICY and "default-src 'none'" in CONTENT_SECURITY_POLICY
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["etag"].startswith('W/"')  # weak: a page states the head it was made at
    css = web.get("/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_unknown_pages_are_404_with_a_friendly_page_or_json(web):
    for path in ["/nope", "/pyongyang-2025/nope", f"/{AMATEUR}/extra", "/pyongyang-2025/marathon/amateur-man",
                 "/claims/999", "/claims/abc", "/athletes/999", "/athletes/kopec", "/sources/nope", "/history/nope",
                 "/history/999", "/claims/99999999999999999999", "/claims/²", "/athletes/99999999999999999999",
                 "/athletes/²", "/history/99999999999999999999"]:
        response = web.get(path)
        assert response.status_code == 404, path
        assert "Nothing here" in response.text and "list of events" in response.text, path
        named = path.rsplit("/", 1)[1]
        # A page looked up in the ledger states its head; a path no page can have (a fourth
        # segment, a name that is no number) is refused before the ledger is read.
        assert ("Ledger head" in response.text) == (named in ("999", "nope", "amateur-man") or "history" in path), path
        twin = web.get(path + ".json")
        assert twin.status_code == 404 and json.loads(twin.content)["status"] == 404, path
    suggestion = web.get("/pyongyang-2025/marathon/amateur-man")
    assert "did you mean &#39;pyongyang-2025/marathon/amateur-men&#39;?" in suggestion.text


def test_bad_parameters_are_400(web):
    for path in [f"/{AMATEUR}?after=x", f"/{AMATEUR}?at=0", f"/{AMATEUR}?after=1&at=2", "/disputes?after=nope",
                 f"/disputes?after={AMATEUR}:a5", f"/{AMATEUR}?limit=0", f"/{AMATEUR}?limit=100000", "/disputes?all=maybe",
                 f"/{AMATEUR}?at=99999999999999999999", f"/{AMATEUR}?after=²", f"/{AMATEUR}?limit=²",
                 f"/{AMATEUR}?after=unplaced-99999999999999999999", f"/{AMATEUR}?limit={'9' * 5000}"]:
        assert web.get(path).status_code == 400, path


def test_only_get_and_head_are_answered(web):
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        for path in ("/", "/claims/5", "/static/style.css", "/nope"):
            response = web.request(method, path)
            assert response.status_code == 405, (method, path)
            assert response.headers["allow"] == "GET, HEAD"
            assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
            assert "read-only" in response.text
    head = web.head(f"/{AMATEUR}")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == web.get(f"/{AMATEUR}").headers["etag"]


def test_an_unchanged_ledger_answers_304_and_a_new_entry_changes_the_etag(web, demo):
    first = web.get(f"/{AMATEUR}")
    tag = first.headers["etag"]
    assert web.get(f"/{AMATEUR}", headers={"If-None-Match": tag}).status_code == 304
    assert web.get(f"/{AMATEUR}", headers={"If-None-Match": f'{tag.removeprefix("W/")}, "other"'}).status_code == 304
    assert web.get(f"/{AMATEUR}.json", headers={"If-None-Match": tag}).status_code == 200  # its own tag
    assert web.get(f"/{AMATEUR}?all=1", headers={"If-None-Match": tag}).status_code == 200
    result = demo("claim", AMATEUR, "--source", "rare-glimpse-inside", "--athlete", "Wojciech Kopec", "--position", "1")
    assert result.exit_code == 0, result.output
    again = web.get(f"/{AMATEUR}", headers={"If-None-Match": tag})
    assert again.status_code == 200 and again.headers["etag"] != tag


def test_the_server_opens_the_ledger_read_only(demo, db):
    from sqlalchemy import text

    engine, _ = open_engine(db, write=False, read_only=True)
    try:
        with pytest.raises(Exception, match="(?i)read.only|readonly"), transaction(engine) as session:
            session.execute(text("DELETE FROM journal"))
    finally:
        engine.dispose()


def test_serve_binds_the_loopback_address_by_default():
    import inspect

    from ledger.web import serve

    parameters = inspect.signature(serve.run).parameters
    assert parameters["host"].default == "127.0.0.1" and parameters["read_only"].default is True
    assert serve.address("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert serve.address("::1", 8080) == "http://[::1]:8080/"
    with pytest.raises(ValueError):
        serve.run("x.db", read_only=False)


# --- JSON twins are the CLI's output ---------------------------------------------------------------


def test_json_twins_are_the_cli_json_of_the_demo(web, demo):
    assert ok(web.get("/index.json")) == cli_json(demo, "event", "list")
    assert ok(web.get("/disputes.json")) == cli_json(demo, "disputes")
    assert ok(web.get("/disputes.json?all=1")) == cli_json(demo, "disputes", "--all")
    assert ok(web.get("/disputes.json?scope=pyongyang-2025")) == cli_json(demo, "disputes", "pyongyang-2025")
    assert ok(web.get("/pyongyang-2025.json")) == cli_json(demo, "race", "list", "pyongyang-2025")
    assert ok(web.get("/pyongyang-2025/marathon.json")) == cli_json(demo, "category", "list", "pyongyang-2025/marathon")
    assert ok(web.get(f"/{AMATEUR}.json")) == cli_json(demo, "results", AMATEUR)
    assert ok(web.get("/athletes/3.json")) == cli_json(demo, "athlete", "show", "#3")
    assert ok(web.get("/sources.json")) == cli_json(demo, "sources")
    every = json.loads(cli_json(demo, "sources"))
    assert json.loads(ok(web.get("/sources/dprk-state-media.json"))) == [s for s in every if s["slug"] == "dprk-state-media"]
    assert ok(web.get("/history.json")) == cli_json(demo, "history")
    assert ok(web.get("/history/pyongyang-2025.json")) == cli_json(demo, "history", "pyongyang-2025")
    assert ok(web.get("/history/5.json")) == cli_json(demo, "history", "5")
    for topic in json.loads(cli_json(demo, "topic", "list")):  # figure disputes: a topic's, and the last page's
        for flags in ((), ("--all",)):
            params = {"scope": topic["slug"], **({"all": "1"} if flags else {})}
            assert ok(web.get("/disputes.json", params=params)) == cli_json(demo, "disputes", topic["slug"], *flags)
            assert ok(web.get("/disputes", params=params)).count(b'class="dispute figure') == len(
                [d for d in json.loads(cli_json(demo, "disputes", topic["slug"], *flags)) if d["kind"] == "figure"])


def test_json_twins_are_the_cli_json_of_disputed_retracted_and_ruled_claims(mixed, client_of):
    web = client_of()
    for scope in (None, "city-2025", WOMEN, MEN):
        for flags in ((), ("--all",)):
            args = (["disputes"] + ([scope] if scope else []) + list(flags))
            params = {"scope": scope, "all": "1" if flags else None}
            items, count = pages_of(web, "/disputes", limit="3", **{k: v for k, v in params.items() if v})
            assert json.dumps(items) == json.dumps(json.loads(cli_json(mixed, *args))), args
            assert count > 1 or len(items) <= 3
    for category in (WOMEN, MEN):
        for flags in ((), ("--all",)):
            whole = cli_json(mixed, "results", category, *flags)
            params = {"all": "1"} if flags else {}
            assert ok(web.get(f"/{category}.json", params=params)) == whole
            items, count = pages_of(web, f"/{category}", limit="4", **params)
            assert count >= 3 and json.dumps(items) == json.dumps(json.loads(whole))
    for athlete_id in range(1, 13):
        assert ok(web.get(f"/athletes/{athlete_id}.json")) == cli_json(mixed, "athlete", "show", f"#{athlete_id}")


def test_a_claim_page_holds_the_claim_its_placing_rulings_retraction_and_entry(mixed, client_of):
    web = client_of()
    history = {e["seq"]: e for e in json.loads(cli_json(mixed, "history"))}
    for category in (WOMEN, MEN):
        for placing in json.loads(cli_json(mixed, "results", category, "--all")):
            for claim in placing["claims"]:
                record = json.loads(ok(web.get(f"/claims/{claim['id']}.json")))
                assert {k: record[k] for k in claim} == claim
                assert record["category"] == category and record["verdict"] == placing["verdict"]
                assert record["placing"] == placing
                assert (record["retraction"] is None) == (claim["standing"] != "retracted")
                entry = history[record["recorded"]["seq"]]
                assert entry["kind"] == record["recorded"]["kind"] and record["recorded"]["hash"]
                assert f"claim {claim['id']} " in entry["summary"]
                if claim["ruled_by"] is not None:
                    assert claim["ruled_by"] in [r["id"] for r in record["rulings"]]
                page = web.get(f"/claims/{claim['id']}").text
                assert f'id="claim-{claim["id"]}"' in page and record["recorded"]["hash"] in page


def test_a_dispute_says_what_it_disagrees_on_by_the_tolerance_that_found_it(run, db, tmp_path):
    """The words are the rule's (ledger.read.verdicts.disagreements) at the server's tolerance: two
    times 3 s apart differ at the default 1 s, not at 5 s, where only the places disagree."""
    build(run, [("init",), *city_marathon({"open-men": ("Open men", "M")}, ("timing", "gazette")),
                ("athlete", "add", "Jan Kowal"),
                ("claim", f"{MARATHON}/open-men", "--source", "timing", "--athlete", "Jan Kowal", "--position", "3",
                 "--time", "2:10:00"),
                ("claim", f"{MARATHON}/open-men", "--source", "gazette", "--athlete", "Jan Kowal", "--position", "4",
                 "--time", "2:10:03")])
    for tolerance_ms, said in ((1000, "disagree on position and time"), (5000, "disagree on position.")):
        engine, _ = open_engine(db, write=False, read_only=True)
        try:
            page = ok(TestClient(make_app(engine, tolerance_ms)).get("/disputes")).decode()
        finally:
            engine.dispose()
        assert f"Two claims about \u2068Jan Kowal\u2069 {said}" in unescape(page)
    done = run("report", "--out", str(tmp_path / "md"), "--markdown", "--tolerance", "5")
    assert done.exit_code == 0, done.output
    assert "Two claims about Jan Kowal disagree on position." in (tmp_path / "md" / "disputes.md").read_text()


# --- escaping, links, JSON-LD -----------------------------------------------------------------------


class Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "href" in attrs or "src" in attrs:
            self.hrefs.append(attrs.get("href") or attrs.get("src"))
        if tag == "script":
            self._script = attrs

    def handle_data(self, data):
        if self._script is not None:
            self.scripts.append((self._script, data))

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def parsed(html: str) -> Hrefs:
    parser = Hrefs()
    parser.feed(html)
    return parser


def test_a_hostile_source_is_escaped_and_its_script_url_is_no_link(db, client_of):
    claim_id = write_hostile(db)
    web = client_of()
    for path in (f"/{WOMEN}", f"/claims/{claim_id}", "/disputes", "/", "/sources", "/sources/prankster",
                 "/athletes/1", "/search?q=img"):
        html = ok(web.get(path)).decode()
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>Prankster" not in html, path
        found = parsed(html)
        assert all(not h.lower().startswith("javascript:") for h in found.hrefs), path
        assert all(attrs.get("type") == "application/ld+json" for attrs, _ in found.scripts), path
        for _, data in found.scripts:
            json.loads(data)  # the block holds data only, in one piece
            assert "</" not in data
    page = ok(web.get(f"/claims/{claim_id}")).decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="https://prank.example/&#34;onmouseover=&#34;alert(document.cookie)"' in page \
        or 'href="https://prank.example/%22onmouseover=%22alert(document.cookie)"' in page, page
    assert json.loads(ok(web.get(f"/claims/{claim_id}.json")))["quote"] == HOSTILE_QUOTE


def test_only_http_urls_are_links():
    assert web_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert web_url("HTTP://example.org") == "HTTP://example.org"
    for bad in ("javascript:alert(1)", " javascript:alert(1)", "JaVaScRiPt:x", "data:text/html,x", "/relative",
                "example.org", "ftp://example.org", "http:/nohost", "", None):
        assert web_url(bad) is None, bad


@given(st.lists(st.sampled_from(list(' "<>\\^`{|}#%\x00\x1f\x7fa1/?&=\u00e4\u202e') + ["%41"]), max_size=30).map("".join))
def test_an_href_is_a_valid_url_that_reads_back_as_the_address(tail):
    """The URL Standard's URL code points only (the Nu checker refuses the rest in an href), and
    percent-decoding gives back what the source wrote (issue 23 point 5)."""
    address = "https://e.example/" + tail
    href = web_url(address)
    assert href is not None and not re.search(r'[\x00-\x20"<>\\^`{|}\x7f]|%(?![0-9A-Fa-f]{2})', href)
    assert href.count("#") <= 1
    if "%" not in tail:  # a source's own `%41` is kept as written, so only then is decoding exact
        assert unquote(href) == address.strip()


def test_the_dispute_is_shown_side_by_side_with_its_verdict_in_words(web):
    html = ok(web.get("/disputes")).decode()
    assert 'id="d-pyongyang-2025.marathon.amateur-men.p1"' in html
    assert "Two sources name different athletes for place 1." in html
    assert 'id="claim-5"' in html and 'id="claim-6"' in html
    assert "a local athlete, not named by the source" in html and "Wojciech Kopec" in html
    assert f'href="/disputes?all=1&amp;at={AMATEUR.replace("/", "%2F")}%3Ap1&amp;scope=' in html
    results = ok(web.get(f"/{AMATEUR}")).decode()
    assert 'id="p-1"' in results and f'href="/{AMATEUR}?at=1#p-1"' in results


# --- paging --------------------------------------------------------------------------------------


def test_a_category_of_a_few_hundred_claims_is_paged(db, run, client_of):
    write_big(db, 300)
    web = client_of()
    whole = json.loads(cli_json(run, "results", BIG))
    assert len(whole) == 300
    items, count = pages_of(web, f"/{BIG}")
    assert count == 3 and items == whole
    first = json.loads(ok(web.get(f"/{BIG}.json")))
    assert [p["position"] for p in first] == list(range(1, 101))
    deep = json.loads(ok(web.get(f"/{BIG}.json?after=250")))
    assert [p["position"] for p in deep] == list(range(251, 301))
    at = json.loads(ok(web.get(f"/{BIG}.json?at=150&limit=5")))
    assert [p["position"] for p in at] == list(range(150, 155))
    assert 'rel="next" href="/city-2025/marathon/big?after=100"' in ok(web.get(f"/{BIG}")).decode()
    assert web.get(f"/{BIG}.json").headers["link"] == '</city-2025/marathon/big.json?after=100>; rel="next"'
    assert "link" not in web.get(f"/{BIG}.json?after=200").headers
    assert 'rel="next"' not in ok(web.get(f"/{BIG}?after=200")).decode()
    items, count = pages_of(web, "/disputes", limit="7")
    assert len(items) == 60 and count == 9  # 30 position disputes, then 30 athlete disputes
    assert json.dumps(items) == json.dumps(json.loads(cli_json(run, "disputes")))


def test_search_finds_athletes_whatever_the_case_accents_hyphens_and_order(web, demo):
    every = json.loads(cli_json(demo, "athlete", "list"))
    for query, name in [("kopec", "Wojciech Kopec"), ("Kopec Wojciech", "Wojciech Kopec"),
                        ("KOPEĆ, wojciech", "Wojciech Kopec"), ("kum dong pak", "Pak Kum-dong"),
                        ("Pak-Kum-Dong", "Pak Kum-dong"), ("su-gyong JON", "Jon Su-gyong"), ("Claus", "Claus Randrup")]:
        found = json.loads(ok(web.get("/search.json", params={"q": query})))
        assert [a["name"] for a in found] == [name], query
        assert all(a in every for a in found)
        assert f"/athletes/{found[0]['id']}" in ok(web.get("/search", params={"q": query})).decode()
    assert json.loads(ok(web.get("/search.json", params={"q": "Geoffrey Kirui"}))) == []
    assert json.loads(ok(web.get("/search.json"))) == []
    assert demo("athlete", "add", "Kirui, Geoffrey", "--nationality", "KEN").exit_code == 0
    for query in ("Geoffrey Kirui", "kirui geoffrey", "GEOFFREY", "Kirui"):
        assert [a["name"] for a in json.loads(ok(web.get("/search.json", params={"q": query})))] == ["Kirui, Geoffrey"]


def test_a_merged_athlete_moves_to_the_one_kept(web, demo):
    assert demo("athlete", "add", "W. Kopeć").exit_code == 0
    merged = demo("athlete", "merge", "Wojciech Kopec", "W. Kopeć")
    assert merged.exit_code == 0, merged.output
    moved = web.get("/athletes/6.json", follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == "/athletes/3.json"


# --- the static report -----------------------------------------------------------------------------


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_static_report_is_the_same_bytes_every_time_and_nowhere_depends_on_its_folder(mixed, db, tmp_path):
    one = write_report(db, tmp_path / "one")
    two = write_report(db, tmp_path / "elsewhere" / "two")
    assert one == two and len(set(one)) == len(one)
    first, second = files_of(tmp_path / "one"), files_of(tmp_path / "elsewhere" / "two")
    assert first == second and sorted(first) == sorted(one)
    for name, data in first.items():
        assert str(tmp_path).encode() not in data, name


def assert_links_resolve(out: Path, written: list[str]) -> None:
    """Every link of every HTML file written is relative and names a file written (and an anchor in it)."""
    for name in written:
        if not name.endswith(".html"):
            continue
        page = out / name
        for href in parsed(page.read_text(encoding="utf-8")).hrefs:
            if href.startswith(("http://", "https://")):
                continue
            target, _, fragment = href.partition("#")
            assert "?" not in target and not target.startswith("/"), (name, href)
            found = (page.parent / target).resolve() if target else page
            assert found.is_file(), (name, href)
            if fragment.startswith(("claim-", "p-")):
                assert f'id="{fragment}"' in found.read_text(encoding="utf-8"), (name, href)


def test_the_static_report_links_only_files_it_holds_and_its_twins_are_the_servers(mixed, db, tmp_path, client_of):
    out = tmp_path / "site"
    written = write_report(db, out)
    assert_links_resolve(out, written)
    web = client_of()
    for name in written:
        if name.endswith(".json") and "." not in name[:-5].rsplit("/", 1)[-1]:
            address = "/index.json" if name == "index.json" else f"/{name}"
            assert ok(web.get(address)) == (out / name).read_bytes(), name
    assert (out / "static" / "style.css").is_file()
    assert {f"{WOMEN}.html", f"{MEN}.after-100.html"} & set(written) == {f"{WOMEN}.html"}


def test_a_big_site_gives_pages_to_the_claims_not_alone_at_their_placing(db, run, tmp_path, monkeypatch):
    write_big(db, 300)
    monkeypatch.setattr(report, "MAX_CLAIM_PAGES", 100)
    written = write_report(db, tmp_path / "site")
    claims = {name for name in written if name.startswith("claims/") and name.endswith(".html")}
    disputed = {c["id"] for p in json.loads(cli_json(run, "results", BIG)) if p["verdict"] != "single-source"
                for c in p["claims"]}
    assert claims == {f"claims/{i}.html" for i in disputed} and len(claims) == 2 * 30 + 30
    assert_links_resolve(tmp_path / "site", written)
    assert 'href="../city-2025/marathon/big.html#claim-1"' in (tmp_path / "site" / "sources" / "timing.html").read_text()
    athletes = {name for name in written if name.startswith("athletes/") and name.endswith(".html")}
    assert athletes == {f"athletes/{j}.html" for i in range(10, 301, 10) for j in (i - 1, i)}  # named in a dispute


def test_a_scoped_reports_source_pages_list_the_claims_in_its_scope_alone(mixed, db, tmp_path, client_of):
    written = write_report(db, tmp_path / "site", WOMEN)
    page = (tmp_path / "site" / "sources" / "timing.html").read_text(encoding="utf-8")
    assert f"Its claims in {WOMEN}" in page and WOMEN in page and MEN not in page
    assert MEN in ok(client_of().get("/sources/timing")).decode()  # the server lists them all
    assert not any(name.startswith(MEN) for name in written)


def test_a_scoped_report_and_its_markdown_document(demo, db, tmp_path):
    written = write_report(db, tmp_path / "site", "pyongyang-2025/marathon")
    assert f"{AMATEUR}.html" in written and "pyongyang-2025.html" in written and "claims/5.html" in written
    assert "pyongyang-2025/10k.html" not in written and "history.html" not in written
    disputes = (tmp_path / "site" / "disputes.json").read_bytes()
    assert disputes == cli_json(demo, "disputes", "pyongyang-2025/marathon")
    assert write_report(db, tmp_path / "md", "pyongyang-2025", markdown=True) == ["disputes.md"]
    text = (tmp_path / "md" / "disputes.md").read_text(encoding="utf-8")
    assert "Two sources name different athletes for place 1." in text
    assert "- **dprk\\-state\\-media** says a local athlete, not named by the source: place 1 [1]" not in text
    assert "says a local athlete, not named by the source: place 1 [1]" in text
    assert "says Wojciech Kopec: place 1 [2]" in text
    assert "- **dprk-state-media** (via rare-glimpse-inside) says a local athlete" in text
    assert re.search(r"^1\. dprk.state.media \(state.media\), via rare.glimpse.inside, claim 5, "
                     r"quoted from rare.glimpse.inside: “Polish runner", text, re.MULTILINE)
    assert "raceledger verify --head" in text
    assert write_report(db, tmp_path / "md2", "pyongyang-2025", markdown=True) == ["disputes.md"]
    assert (tmp_path / "md2" / "disputes.md").read_bytes() == (tmp_path / "md" / "disputes.md").read_bytes()


def test_the_markdown_document_escapes_a_hostile_source(db, tmp_path):
    write_hostile(db)
    write_report(db, tmp_path, markdown=True)
    text = (tmp_path / "disputes.md").read_text(encoding="utf-8")
    assert "<script>" not in text and "\\<script\\>alert\\(1\\)\\</script\\>" in text
    assert "](javascript" not in text and "<javascript" not in text
    assert '<https://prank.example/"onmouseover="alert(document.cookie)>' in text  # one autolink, nothing after


def test_an_unknown_scope_writes_nothing(demo, db, tmp_path):
    from ledger.core.errors import LedgerError

    with pytest.raises(LedgerError, match="no event 'nope'"):
        write_report(db, tmp_path / "site", "nope")
    with pytest.raises(LedgerError, match="no event 'nope'"):
        write_report(db, tmp_path / "md", "nope", markdown=True)
    assert not (tmp_path / "site").exists() and not (tmp_path / "md").exists()


def test_an_interrupted_report_leaves_the_folder_as_it_was(demo, tmp_path, monkeypatch):
    out = tmp_path / "out" / "site"
    out.mkdir(parents=True)
    (out / "notes.txt").write_text("mine")
    (out / "index.html").write_text("the last report")

    def interrupted(site, found):
        site.write_file("disputes.html", b"half")
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(report, "_write_pages", interrupted)
        result = demo("report", "pyongyang-2025", "--out", str(out))
    assert result.exit_code == 130 and "Interrupted" in result.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == ["site"]  # no staging folder left
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "notes.txt"]
    assert (out / "index.html").read_text() == "the last report"
    written = demo("report", "pyongyang-2025", "--out", str(out))
    assert written.exit_code == 0, written.output
    assert (out / "notes.txt").read_text() == "mine" and (out / "disputes.html").is_file()
    assert (out / "index.html").read_text() != "the last report"


def test_a_report_into_a_file_is_one_error_line(demo, db, tmp_path):
    from ledger.core.errors import LedgerError

    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "taken").write_text("a file")
    result = demo("report", "--out", str(tmp_path / "out" / "taken"))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "is a file" in result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["taken"]
    with pytest.raises(LedgerError, match="it is a file, not a folder"):  # the library says so too
        write_report(db, tmp_path / "out" / "taken")


def test_pages_are_kept_by_etag_within_their_bytes():
    from ledger.web.app import PageCache

    unit = PageCache.cost('"1-a"', b"x" * 10, {})  # what keeping a page of 10 bytes costs (issue 20)
    cache = PageCache(max_bytes=8 * unit)
    cache.put('"1-a"', b"x" * 10, "text/html")
    cache.put('"1-b"', b"y" * 10, "application/json")
    assert cache.get('"1-a"') == (b"x" * 10, "text/html", {})  # now the most recently used
    for n in range(7):
        cache.put(f'"2-{n}"', b"z" * 10, "text/html")
    assert cache.get('"1-b"') is None and cache.get('"1-a"') is not None and cache.bytes == 8 * unit
    cache.put('"2-7"', b"z" * 10, "text/html")
    assert cache.get('"2-0"') is None and cache.get('"1-a"') is not None  # the least recently asked for goes
    cache.put('"3-big"', b"w" * 11, "text/html")  # more than an eighth of the budget: never kept
    assert cache.get('"3-big"') is None


def test_a_kept_page_is_the_page_made_again(demo, db, client_of):
    engine, _ = open_engine(db, write=False, read_only=True)
    try:
        kept, fresh = TestClient(make_app(engine)), TestClient(make_app(engine, cache_bytes=0))
        for path in (f"/{AMATEUR}", f"/{AMATEUR}.json", "/disputes", "/claims/5"):
            first, again = kept.get(path), kept.get(path)
            assert first.content == again.content == fresh.get(path).content
            assert first.headers["etag"] == again.headers["etag"] == fresh.get(path).headers["etag"]
    finally:
        engine.dispose()


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_a_reader_role_serves_every_page_and_the_pages_match(demo, db):
    """A role `db grant-reader` made (SELECT only) serves the web view: it only ever reads."""
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy import text as sql
    from sqlalchemy.engine import make_url

    role = f"web_reader_{uuid.uuid4().hex[:10]}"
    admin = create_engine(db)
    with admin.begin() as conn:
        conn.execute(sql(f'CREATE ROLE "{role}" LOGIN'))
    try:
        assert demo("db", "grant-reader", role).exit_code == 0
        owner, _ = open_engine(db, write=False, read_only=True)
        reader, _ = open_engine(make_url(db).set(username=role).render_as_string(hide_password=False),
                                write=False, read_only=True)
        try:
            as_owner, as_reader = TestClient(make_app(owner)), TestClient(make_app(reader, cache_bytes=0))
            for path in DEMO_PAGES:
                assert ok(as_reader.get(path)) == ok(as_owner.get(path)), path
        finally:
            owner.dispose()
            reader.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(sql(f'DROP OWNED BY "{role}"'))
            conn.execute(sql(f'DROP ROLE "{role}"'))
        admin.dispose()


# --- who said it and where: via, citations, lines of evidence --------------------------------------


def card(html: str, claim_id: int) -> str:
    """The HTML of a claim's card on a page."""
    start = html.index(f'id="claim-{claim_id}"')
    return html[start:html.index("</article>", start)]


def placing_html(html: str, position: int) -> str:
    """The HTML of a placing on a results page, up to the next placing."""
    at = html.index(f'id="p-{position}"')
    start, following = html.rindex("<", 0, at), html.find('id="p-', at + 1)
    return html[start:html.rindex("<", 0, following) if following != -1 else len(html)]


def test_json_twins_are_the_cli_json_of_claims_via_cited_and_relied_on(evidence, client_of):
    whole = json.loads(cli_json(evidence, "results", WOMEN))
    shown = {p["position"]: (p["verdict"], p["lines"]) for p in whole}
    assert shown == {1: ("single-source", 1), 2: ("agreed", 2), 3: ("single-source", 1), 4: ("disputed", 2),
                     5: ("single-source", 1)}
    first = {c["id"]: c for c in whole[0]["claims"]}[1]
    assert first["via"] == "gazette" and [c["via"] for c in first["citations"]] == ["gazette", None, "daily"]
    web = client_of()
    for flags in ((), ("--all",)):
        params = {"all": "1"} if flags else {}
        cli = cli_json(evidence, "results", WOMEN, *flags)
        assert ok(web.get(f"/{WOMEN}.json", params=params)) == cli
        items, count = pages_of(web, f"/{WOMEN}", limit="2", **params)
        assert count == 3 and json.dumps(items) == json.dumps(json.loads(cli))
        assert ok(web.get("/disputes.json", params=params)) == cli_json(evidence, "disputes", *flags)
    for placing in whole:
        for claim in placing["claims"]:
            record = json.loads(ok(web.get(f"/claims/{claim['id']}.json")))
            assert {k: record[k] for k in claim} == claim and record["placing"] == placing
    for athlete_id in range(1, 6):
        assert ok(web.get(f"/athletes/{athlete_id}.json")) == cli_json(evidence, "athlete", "show", f"#{athlete_id}")
    assert ok(web.get("/sources.json")) == cli_json(evidence, "sources")


def test_a_page_names_each_claims_claimant_its_reporter_every_citation_and_the_lines(evidence, client_of):
    web = client_of()
    results = ok(web.get(f"/{WOMEN}")).decode()
    first = placing_html(results, 1)
    assert "single-source" in first and "1 line of evidence" in first
    assert "Two sources give place 1: \u2068Anna Nowak\u2069; but one reports or relies on another" in first
    made_via = card(results, 1)
    assert 'Claimed by <a href="/sources/state-tv">state-tv</a>' in made_via
    assert 'via <a href="/sources/gazette">gazette</a>' in made_via
    for url, by, dates in (("https://gazette.example/state-tv-says", "gazette", ("published", "2025-10-13",
                                                                                "retrieved", "2025-10-15")),
                           ("https://state-tv.example/bulletin", "state-tv", ("published", "2025-10-12")),
                           ("https://daily.example/nowak", "daily", ("retrieved", "2025-10-16"))):
        cited = made_via[made_via.index(f'href="{url}"') - 400:made_via.index(f'href="{url}"') + 400]
        assert f'quoted from <a href="/sources/{by}">{by}</a>' in cited, url
        assert all(date in cited for date in dates), url
    assert made_via.count("<blockquote>") == 3 and made_via.count('rel="nofollow noopener noreferrer"') == 3
    assert "One line of evidence with" in made_via and "gazette" in made_via
    agreed = placing_html(results, 2)
    assert "2 independent lines" in agreed and "Three sources on two independent lines agree" in agreed
    assert "1 line of evidence" in placing_html(results, 3)
    alone = placing_html(results, 5)  # one claim, one citation: a row
    assert 'class="row single-source"' in alone and 'via <a href="/sources/gazette">gazette</a>' in alone
    assert "quoted from gazette:" in alone and 'href="https://gazette.example/fifth"' in alone

    page = ok(web.get("/claims/1")).decode()
    assert "1 line of evidence" in page and card(page, 1).count("<blockquote>") == 3
    assert "state-tv (reported by gazette) says \u2068Anna Nowak\u2069" in page  # isolated (issue 20 point 9)
    disputes = ok(web.get("/disputes")).decode()
    assert "2 independent lines" not in disputes  # a dispute has no verdict of lines
    fourth = card(disputes, 9)
    assert 'href="https://gazette.example/fourth"' in fourth and 'href="https://daily.example/fourth"' in fourth
    assert 'quoted from <a href="/sources/daily">daily</a>' in fourth
    relying = ok(web.get("/sources/daily")).decode()
    assert ('<a href="/sources/daily">daily</a> relies on <a href="/sources/wire">wire</a>: '
            f"{RELIANCE_REASON}").replace("'", "&#39;") in relying
    assert "relies on" in ok(web.get("/sources/wire")).decode()
    assert "relies on" not in ok(web.get("/sources/timing")).decode()
    state_tv = ok(web.get("/sources/state-tv")).decode()
    assert '<td><a href="/sources/gazette">gazette</a> <span class="meta">three citations</span></td>' in state_tv


def test_the_static_report_and_markdown_name_the_reporter_and_every_citation(evidence, db, tmp_path, client_of):
    out = tmp_path / "site"
    written = write_report(db, out)
    assert_links_resolve(out, written)
    web = client_of()
    for name in (f"{WOMEN}.json", "disputes.json", "claims/1.json", "claims/9.json"):
        assert ok(web.get(f"/{name}")) == (out / name).read_bytes(), name
    assert "1 line of evidence" in (out / f"{WOMEN}.html").read_text(encoding="utf-8")
    assert write_report(db, tmp_path / "md", markdown=True) == ["disputes.md"]
    text = (tmp_path / "md" / "disputes.md").read_text(encoding="utf-8")
    assert "- **state-tv** (via gazette) says Ivan Petrov: place 4 [2]" in text
    assert "- **timing** says Lars Hansen: place 4, time 2:30:00 [1]" in text
    assert ("2. state-tv (state-media), via gazette, claim 9, seen in 2 places:\n"
            "   - quoted from gazette: “State TV gave fourth place to Ivan Petrov”, <https://gazette.example/fourth>\n"
            "   - quoted from daily: “Petrov fourth, says State TV”, <https://daily.example/fourth>, published 2025-10-14"
            ) in text
    assert [claim_id for claim_id, _ in EVIDENCE_CLAIMS] == list(range(1, 11))



# --- figures (issue 15) ------------------------------------------------------------------------------


def test_figure_twins_are_the_cli_json_of_figures_and_figure_show(web, demo):
    assert ok(web.get("/figures.json")) == cli_json(demo, "figures")
    for topic in ("dprk-famine", "nk-refugees-china", "pyongyang-2025", "pyongyang-2025/marathon"):
        assert ok(web.get("/figures.json", params={"scope": topic})) == cli_json(demo, "figures", topic), topic
    for figure in json.loads(cli_json(demo, "figures")):
        assert ok(web.get(f"/figures/{figure['id']}.json")) == cli_json(demo, "figure", "show", str(figure["id"]))


def test_unknown_figures_and_scopes_are_404(web):
    for address in ("/figures/99", "/figures/99.json", "/figures/x", "/figures/00000000000000000000001",
                    "/figures?scope=no-such-topic", "/figures.json?scope=a/b/c/d"):
        response = web.get(address)
        assert response.status_code == 404, address
    assert "figures are numbered" in web.get("/figures/x").text


def _bars(html: str) -> list[str]:
    """The class of each bar drawn, in order."""
    return re.findall(r'<rect class="(bar[^"]*)"', html)


def test_the_famine_figures_are_drawn_on_one_axis_beside_the_rules_words(web, demo):
    html = ok(web.get("/figures", params={"scope": "dprk-famine"})).decode()
    assert html.count("<svg") == 1 and _bars(html) == ["bar point disputed live", "bar disputed live"]
    assert "#9 220,000, total, over 1995-1998 (dprk-foreign-ministry)" in html  # each bar says its kind
    assert "linear scale from zero" in html
    why = json.loads(cli_json(demo, "figures", "dprk-famine"))[0]["comparisons"][0]["why"]
    assert why.replace("'", "&#39;") in html  # the rule's derivation in words, as `figures -f json` gives it
    assert html.index("<svg") < html.index("What the rule says")
    assert 'href="/figures/9"' in html and 'href="/figures/10"' in html


def test_figures_spanning_orders_of_magnitude_are_drawn_on_a_log_scale(web, demo):
    demo("figure", "add", "nk-refugees-china", "refugees", "--source", "experts-2003", "--value", "3000",
         "--unit", "persons", "--kind", "at-date", "--at", "2003")
    html = ok(web.get("/figures", params={"scope": "nk-refugees-china"})).decode()
    assert "logarithmic scale" in html
    assert re.findall(r'<text class="tick"[^>]*>([^<]+)</text>', html) == ["1,000", "10,000", "100,000", "1,000,000"]


def test_a_figure_page_is_the_figure_whole_among_its_subject_and_measure(web, demo):
    html = ok(web.get("/figures/12")).decode()
    assert "A recent study by W. Courtland Robinson" in html and "not-comparable" in html
    assert "gives no date for its 10,000" in html  # what the rule says of its missing date
    assert len(_bars(html)) == 2 and sum("this" in b for b in _bars(html)) == 1
    assert 'class="label this"' in html and "raceledger verify --head" in html


def test_catalog_and_results_pages_list_the_figures_about_them(web):
    event = ok(web.get("/pyongyang-2025")).decode()
    assert sorted(int(n) for n in re.findall(r'<li id="figure-(\d+)">', event)) == list(range(1, 9))
    race = ok(web.get("/pyongyang-2025/half-marathon")).decode()
    assert re.findall(r'<li id="figure-(\d+)">', race) == ["6"]
    results = ok(web.get(f"/{AMATEUR}")).decode()
    assert sorted(int(n) for n in re.findall(r'<li id="figure-(\d+)">', results)) == [1, 2, 3, 4, 5]
    home = ok(web.get("/")).decode()
    assert 'href="/figures?scope=dprk-famine"' in home and 'href="/figures"' in home
    assert "Open disputes over figures" in home and 'id="figure-9"' in home and 'id="figure-10"' in home


def test_the_report_of_a_topic_and_of_the_whole_ledger_hold_the_figure_pages(demo, db, tmp_path, client_of):
    written = write_report(db, tmp_path / "topic", "dprk-famine")
    assert {"figures.html", "figures/9.html", "figures/10.html", "history/dprk-famine.html",
            "sources/house-irc-memo-1998.html"} <= set(written)
    assert_links_resolve(tmp_path / "topic", written)
    web = client_of()
    assert (tmp_path / "topic" / "figures.json").read_bytes() == ok(web.get("/figures.json?scope=dprk-famine"))
    assert (tmp_path / "topic" / "figures" / "9.json").read_bytes() == ok(web.get("/figures/9.json"))
    whole = write_report(db, tmp_path / "whole")
    assert {"figures.html", "figures.scope-dprk-famine.html", "figures/12.html"} <= set(whole)
    assert_links_resolve(tmp_path / "whole", whole)
    assert 'href="figures.scope-dprk-famine.html"' in (tmp_path / "whole" / "index.html").read_text()
    assert write_report(db, tmp_path / "md", "dprk-famine", markdown=True) == ["disputes.md"]
    text = (tmp_path / "md" / "disputes.md").read_text(encoding="utf-8")
    assert "says 220,000 persons, total over 1995-1998 [1]" in text
    assert "says 300,000-800,000 persons, peak-year [2]" in text


def test_bib_disputes_are_on_every_page_the_cli_lists_them_on(db, ledger, client_of, tmp_path):
    """A bib given to names that cannot be one runner's (issue 21) is a dispute on the web, in the
    static report and in the Markdown document as in `disputes -f json`: after the placing
    disputes, paged by its first claim (`CATEGORY:bN`), its start list entry shown without a claim."""
    run = ledger
    build(run, city_marathon({"open-women": ("Open women", "F"), "open-men": ("Open men", "M")}, ("timing", "gazette")))
    files = {"start.csv": "Bib,Name\n7,Anna Nowak\n8,Maria Silva\n9,Jon Williams\n",
             "t.csv": "Place,Bib,Name\n1,7,Anna Nowak\n2,8,Maria Silva\n",
             "g.csv": "Place,Bib,Name\n1,7,Eva Kern\n2,8,Maria Silva\n",
             "m.csv": "Place,Bib,Name\n1,9,Piotr Lis\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    for args in (("entrants", "import", MARATHON, "start.csv", "--source", "timing"),
                 ("import", MEN, "m.csv", "--source", "gazette"),
                 ("import", WOMEN, "t.csv", "--source", "timing"), ("import", WOMEN, "g.csv", "--source", "gazette")):
        result = run(*args[:-3], str(tmp_path / args[-3]), *args[-2:])
        assert result.exit_code == 0, result.output
    web = client_of()
    listed = json.loads(cli_json(run, "disputes"))
    assert [(d["kind"], d["category"], d.get("bib")) for d in listed] == [
        ("position", WOMEN, None), ("bib", MEN, "9"), ("bib", WOMEN, "7")]  # bibs by first claim: the men's came first
    assert ok(web.get("/disputes.json")) == cli_json(run, "disputes")
    assert ok(web.get("/disputes.json", params={"scope": WOMEN})) == cli_json(run, "disputes", WOMEN)
    items, count = pages_of(web, "/disputes", limit="1")
    assert (items, count) == (listed, 3)
    men_claim = listed[1]["claims"][1]["id"]
    html = ok(web.get("/disputes", params={"scope": MEN, "all": "1", "at": f"{MEN}:b{men_claim}"})).decode()
    assert f'id="d-{MEN.replace("/", ".")}.b{men_claim}"' in html
    assert "Bib \u20689\u2069 is given to two names that cannot be one runner" in html
    assert '<span class="permalink">Start list</span>' in html and "Piotr Lis" in html and "Jon Williams" in html
    assert web.get("/disputes", params={"at": f"{MEN}:b0"}).status_code == 400
    page = ok(web.get("/")).decode()
    assert "Piotr Lis" in page and "Eva Kern" in page  # the home page's newest disputes hold them too
    write_report(db, tmp_path / "site")
    assert (tmp_path / "site" / "disputes.json").read_bytes() == cli_json(run, "disputes", "--all")
    assert "Piotr Lis" in (tmp_path / "site" / "disputes.html").read_text(encoding="utf-8")
    assert run("report", "--out", str(tmp_path / "notes"), "--markdown").exit_code == 0
    [document] = (tmp_path / "notes").glob("*.md")
    text = document.read_text(encoding="utf-8")
    assert "### city-2025/marathon/open-men: bib 9" in text
    assert "- **timing**'s start list gives bib 9 to Jon Williams" in text


def test_a_category_page_says_when_its_newest_claim_came_and_the_furthest_place(db, ledger, client_of, tmp_path):
    """Readers see a race unfold (issue 25, point 4): the first page of a category says when its newest
    claim was recorded, in which entry, and the furthest place a live claim gives; a category with no
    claim says nothing of it."""
    build(ledger, city_marathon({"open-women": ("Open women", "F")}, ("timing",)))
    assert 'class="progress"' not in ok(client_of().get(f"/{WOMEN}")).decode()
    (tmp_path / "r.csv").write_text("Place,Name\n1,Anna Nowak\n2,Maria Silva\n", encoding="utf-8")
    assert ledger("import", WOMEN, str(tmp_path / "r.csv"), "--source", "timing").exit_code == 0
    assert ledger("claim", WOMEN, "--source", "timing", "--unnamed", "a late runner", "--position", "9").exit_code == 0
    assert ledger("retract", "3", "--reason", "typed in error").exit_code == 0
    [entry] = json.loads(cli_json(ledger, "history", "3"))[:1]
    page = ok(client_of().get(f"/{WOMEN}")).decode()
    assert f"(journal entry {entry['seq']}); the furthest place claimed is 2.</p>" in page
    assert "the furthest place claimed" not in ok(client_of().get(f"/{WOMEN}", params={"after": "1"})).decode()

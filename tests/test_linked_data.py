"""Linked data that consumers read (issue 23 point 6): each ruling's ClaimReview once, as a top-level
JSON-LD item on the page of the claim it accepts (a status ruling's on the athlete's page); absolute
addresses with `--base-url`, none of the site's own without it; every type and property valid in
the schema.org vocabulary (tests/schemaorg/vocabulary.json, an excerpt of it). Through the CLI, the
web view (Starlette's TestClient) and the static report, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from cli import cli

AMATEUR = "pyongyang-2025/marathon/amateur-men"
ELITE = "pyongyang-2025/marathon/elite-men"
BASE = "https://results.example.org/ledger"
VOCABULARY = json.loads((Path(__file__).parent / "schemaorg" / "vocabulary.json").read_text(encoding="utf-8"))
# Every key whose value is an address, in what linked_data.py emits or could.
ADDRESS_KEYS = {"url", "@id", "contentUrl", "sameAs", "mainEntityOfPage", "embedUrl", "thumbnailUrl"}
# The pages a ruling's review may not be on, beside those it is on.
OTHER_PAGES = ["", "disputes", "disputes?all=1", AMATEUR, ELITE, "pyongyang-2025", "claims/5", "claims/1",
               "athletes/3", "sources/rare-glimpse-inside", "history", "figures"]


class Head(HTMLParser):
    """The JSON-LD blocks and the canonical link of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self.canonical: list[str] = []
        self._in_block = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("type") == "application/ld+json":
            self._in_block = True
            self.blocks.append("")
        if tag == "link" and found.get("rel") == "canonical":
            self.canonical.append(found["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        self._in_block = False if tag == "script" else self._in_block

    def handle_data(self, data: str) -> None:
        if self._in_block:
            self.blocks[-1] += data


def head_of(html: str) -> tuple[list[dict[str, Any]], list[str]]:
    parser = Head()
    parser.feed(html)
    return [json.loads(block) for block in parser.blocks], parser.canonical


def reviews(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for item in items if item["@type"] == "ClaimReview"]


def addresses(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """(where, address) for every address-like key anywhere in an item."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in ADDRESS_KEYS:
                yield f"{where}.{key}", inner
            yield from addresses(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            yield from addresses(inner, f"{where}[{n}]")


def _ancestors(name: str) -> set[str]:
    found = {name}
    for parent in VOCABULARY["types"][name]:
        found |= _ancestors(parent)
    return found


def check_vocabulary(item: dict[str, Any], where: str = "") -> None:
    """Every @type is a schema.org type, and every property is one whose domain includes the
    type or a type it inherits from; an object's type is in the property's range (or below it)."""
    kind = item["@type"]
    assert kind in VOCABULARY["types"], f"{where}: {kind} is not in tests/schemaorg/vocabulary.json"
    lineage = _ancestors(kind)
    for key, value in item.items():
        if key.startswith("@"):
            continue
        assert key in VOCABULARY["properties"], f"{where}.{key}: no such property in the excerpt"
        known = VOCABULARY["properties"][key]
        assert lineage & set(known["domainIncludes"]), f"{where}.{key} is not a property of {kind}"
        for inner in value if isinstance(value, list) else [value]:
            if isinstance(inner, dict):
                assert _ancestors(inner["@type"]) & set(known["rangeIncludes"]), f"{where}.{key}: {inner['@type']}"
                check_vocabulary(inner, f"{where}.{key}")


@pytest.fixture
def ruled(demo):
    """The demo, with two citations of claim 6 (the later one recorded first), a ruling that
    accepts claim 6 for place 1, and a status ruling on Pak Kum-dong (#1, two sources' claims)."""
    for args in (("cite", "6", "--via", "rare-glimpse-inside", "--url", "https://rgi.example/later",
                  "--quote", "Kopec won", "--published", "2025-04-09"),
                 ("cite", "6", "--via", "rare-glimpse-inside", "--url", "https://rgi.example/first",
                  "--quote", "Kopec first", "--published", "2025-04-08"),
                 ("rule", AMATEUR, "--position", "1", "--accept", "6", "--by", "Jury of appeal",
                  "--reason", "Finish-line video", "--decided", "2025-04-07"),
                 ("rule", ELITE, "--athlete", "Pak Kum-dong", "--status", "DQ", "--by", "Referee",
                  "--reason", "Rule 144.3(a)")):
        done = demo(*args)
        assert done.exit_code == 0, (args, done.output)
    return demo


@pytest.fixture
def served(ruled, client_of):
    """A TestClient on the ruled demo for a base URL (None: none given), opened as `serve` opens it."""
    return lambda base_url: client_of(base_url=base_url)


def page(client: TestClient, path: str) -> tuple[list[dict[str, Any]], list[str]]:
    answer = client.get("/" + path)
    assert answer.status_code == 200, (path, answer.text)
    return head_of(answer.text)


def assert_reviews_where_rulings_belong(read, claim_page: str, athlete_page: str, url_of) -> None:
    """`read(path)` gives a page's items and canonical links; `url_of(path)` its address (or None)."""
    accepted, _ = read(claim_page)
    (review,) = reviews(accepted)
    assert review["@context"] == "https://schema.org" and review["claimReviewed"] == (
        f"wojciech-kopec: Wojciech Kopec, place 1 in {AMATEUR}")
    assert review["itemReviewed"] == {"@type": "Claim", "author": {"@type": "Person", "name": "wojciech-kopec"},
                                      "firstAppearance": {"@type": "CreativeWork", "url": "https://rgi.example/first"}}
    assert review["author"] == {"@type": "Organization", "name": "Jury of appeal"}
    assert review["reviewRating"]["alternateName"] == "accepted"
    assert len(review["datePublished"]) == 10 and review["datePublished"][:2] == "20"
    assert review.get("url") == url_of(claim_page)
    on_athlete, _ = read(athlete_page)
    (status,) = reviews(on_athlete)
    assert status["claimReviewed"] == f"rare-glimpse-inside, dprk-state-media: Pak Kum-dong's result in {ELITE}"
    assert status["itemReviewed"]["author"] == [{"@type": "Organization", "name": "rare-glimpse-inside"},
                                                {"@type": "Organization", "name": "dprk-state-media"}]
    assert status["reviewRating"]["alternateName"] == "status DQ" and status.get("url") == url_of(athlete_page)
    for other in OTHER_PAGES:
        items, _ = read(other)
        assert reviews(items) == [], other
        assert [item["@type"] for item in items] == ["Dataset"] and "review" not in items[0], other
    for path in [claim_page, athlete_page, *OTHER_PAGES]:
        items, canonical = read(path)
        for item in items:
            check_vocabulary(item, path)
            for where, address in addresses(item):
                assert address.startswith(("https://", "http://")), (path, where, address)
                if url_of(path) is None:
                    assert where.endswith("firstAppearance.url"), (path, where, address)  # a citation's, not ours
        assert canonical == ([] if url_of(path) is None else [url_of(path)]), path


def test_the_web_view_without_a_base_url_names_none_of_its_pages(served):
    client = served(None)
    assert_reviews_where_rulings_belong(lambda path: page(client, path), "claims/6", "athletes/1", lambda path: None)


def test_the_web_view_with_a_base_url_names_its_pages_absolutely(served):
    client = served(BASE + "/")
    absolute = {"claims/6": f"{BASE}/claims/6", "athletes/1": f"{BASE}/athletes/1"}
    assert_reviews_where_rulings_belong(lambda path: page(client, path), "claims/6", "athletes/1",
                                        lambda path: absolute.get(path) or f"{BASE}/{path}")
    (dataset,), _ = page(client, AMATEUR)
    assert dataset["url"] == f"{BASE}/{AMATEUR}"
    assert dataset["distribution"]["contentUrl"] == f"{BASE}/{AMATEUR}.json"
    # Pages of other bytes, other tags: a server without the base URL never shares one with it.
    assert client.get("/claims/6").headers["etag"] != served(None).get("/claims/6").headers["etag"]


def static_reader(site: Path):
    def read(path: str) -> tuple[list[dict[str, Any]], list[str]]:
        name = {"": "index", "disputes?all=1": "disputes.all-1"}.get(path, path)
        return head_of((site / f"{name}.html").read_text(encoding="utf-8"))
    return read


def test_the_report_with_a_base_url_names_its_files_absolutely(ruled, tmp_path):
    done = ruled("report", "--out", str(tmp_path / "site"), "--base-url", BASE)
    assert done.exit_code == 0, done.output
    names = {"": "index", "disputes?all=1": "disputes.all-1"}
    assert_reviews_where_rulings_belong(static_reader(tmp_path / "site"), "claims/6", "athletes/1",
                                        lambda path: f"{BASE}/{names.get(path, path)}.html")
    every = {p.relative_to(tmp_path / "site").as_posix(): reviews(head_of(p.read_text(encoding="utf-8"))[0])
             for p in (tmp_path / "site").rglob("*.html")}
    assert {name for name, found in every.items() if found} == {"claims/6.html", "athletes/1.html"}
    assert sum(len(found) for found in every.values()) == 2


def test_the_report_without_a_base_url_names_none_of_its_files(ruled, tmp_path):
    done = ruled("report", "--out", str(tmp_path / "site"))
    assert done.exit_code == 0, done.output
    assert_reviews_where_rulings_belong(static_reader(tmp_path / "site"), "claims/6", "athletes/1", lambda path: None)
    for html in (tmp_path / "site").rglob("*.html"):
        items, canonical = head_of(html.read_text(encoding="utf-8"))
        assert canonical == [] and "distribution" not in items[0], html
        assert all(where.endswith("firstAppearance.url") for item in items for where, _ in addresses(item)), html


@pytest.mark.parametrize("command", [["serve"], ["report", "--out", "site"]], ids=["serve", "report"])
@pytest.mark.parametrize("value", ["ftp://x", "example.org", "http://", "http://a\x01b.example", "https://x.example/?q=1",
                                   "/relative/path", ""])
def test_a_base_url_that_is_not_an_absolute_http_address_is_a_usage_error(command, value, tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), *command, "--base-url", value])
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--base-url'" in result.output
    assert not (tmp_path / "x.db").exists() and not (tmp_path / "site").exists()


def test_serve_hands_its_base_url_to_the_server(monkeypatch, tmp_path):
    import ledger.web.serve

    seen = {}
    monkeypatch.setattr(ledger.web.serve, "run", lambda db, host, port, **options: seen.update(options))
    args = ["--db", str(tmp_path / "x.db"), "serve"]
    assert CliRunner().invoke(cli, [*args, "--base-url", BASE + "/"]).exit_code == 0
    assert seen["base_url"] == BASE  # one form: no slash at the end, as pages' paths begin with one
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert seen["base_url"] is None


def test_the_markdown_document_takes_no_base_url(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "report", "--out", str(tmp_path / "notes"),
                                      "--markdown", "--base-url", BASE])
    assert result.exit_code == 2
    assert "--base-url names the HTML pages' addresses; the Markdown document (--markdown) has none" in result.output


def test_the_vocabulary_check_would_see_a_property_of_another_type():
    """Guards the check itself: a Claim has no reviewRating, a Dataset is no Rating's author's type."""
    with pytest.raises(AssertionError, match="not a property of Claim"):
        check_vocabulary({"@type": "Claim", "reviewRating": {"@type": "Rating"}})
    with pytest.raises(AssertionError, match="author"):
        check_vocabulary({"@type": "Claim", "author": {"@type": "Dataset"}})
    with pytest.raises(AssertionError, match="Fact is not"):
        check_vocabulary({"@type": "Fact"})

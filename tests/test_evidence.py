"""On whose word: a claim's claimant and the source that reported it, further citations, sources that
rely on others, and agreement counted only between independent lines of evidence."""

from __future__ import annotations

import pytest
from helpers import as_json, city_marathon, ok
from hypothesis import given
from hypothesis import strategies as st

from ledger.core.views import ClaimView
from ledger.read.verdicts import Lines, line_count

CAT = "city-2025/marathon/open-women"
URL = "https://gazette.example/results"

pytestmark = pytest.mark.city([
    *city_marathon({"open-women": ("Open women", "F")}, sources=("timing", "gazette", "state-tv")),
    ("athlete", "add", "Anna Nowak"),
])


def placing(run, position: int = 1) -> dict:
    return next(p for p in as_json(run("results", CAT, "-f", "json")) if p["position"] == position)


def claim(run, source: str, *extra: str) -> None:
    ok(run("claim", CAT, "--source", source, "--athlete", "Anna Nowak", "--position", "1", *extra))


def test_a_claim_via_another_source_keeps_its_claimant_and_credits_the_report(city):
    claim(city, "state-tv", "--via", "gazette", "--url", URL, "--quote", "State TV named Nowak the winner",
          "--published", "2025-10-13", "--retrieved", "2025-10-14")
    (found,) = placing(city)["claims"]
    assert (found["source"], found["source_kind"], found["via"], found["via_kind"]) == (
        "state-tv", "state-media", "gazette", "press")
    assert found["citations"] == [{"url": URL, "quote": "State TV named Nowak the winner", "via": "gazette",
                                   "published": "2025-10-13", "retrieved": "2025-10-14"}]
    assert (found["url"], found["retrieved"]) == (URL, "2025-10-14")


def test_a_claim_via_its_own_claimant_is_refused(city):
    result = city("claim", CAT, "--source", "gazette", "--via", "gazette", "--athlete", "Anna Nowak",
                  "--position", "1")
    assert result.exit_code == 1 and "is the claimant itself" in result.stderr


def test_the_same_claim_seen_twice_is_one_claim_with_two_citations(city):
    claim(city, "timing", "--url", "https://timing.example/1", "--quote", "1. Nowak")
    (first,) = placing(city)["claims"]
    ok(city("cite", str(first["id"]), "--via", "gazette", "--url", URL, "--quote", "Nowak won",
            "--published", "2025-10-13"))
    (found,) = placing(city)["claims"]
    assert [(c["url"], c["via"]) for c in found["citations"]] == [("https://timing.example/1", None), (URL, "gazette")]
    assert (found["url"], found["quote"]) == ("https://timing.example/1", "1. Nowak")  # the first, mirrored
    assert "cite" in ok(city("history", CAT))


@pytest.mark.parametrize("args, says", [
    (("cite", "1"), "a citation needs --url or --quote"),
    (("cite", "999", "--url", URL), "no claim 999"),
    (("cite", "1", "--url", "javascript:alert(1)"), "expected an http:// or https:// address"),
    (("cite", "1", "--url", URL, "--via", "timing"), "is the claimant itself"),
    (("source", "relies", "gazette", "gazette", "--reason", "x"), "cannot rely on itself"),
    (("source", "relies", "gazette", "nope", "--reason", "x"), "no source 'nope'"),
])
def test_bad_citations_and_reliances_are_one_error_and_write_nothing(city, args, says):
    claim(city, "timing")
    head = ok(city("head"))
    result = city(*args)
    assert result.exit_code == 1 and says in result.stderr, result.stderr
    assert ok(city("head")) == head


def test_two_independent_sources_agree_and_a_report_of_one_does_not(city):
    claim(city, "timing")
    claim(city, "gazette")
    assert (placing(city)["verdict"], placing(city)["lines"]) == ("agreed", 2)
    claim(city, "state-tv", "--via", "timing")  # a third claim, reached through timing's report
    assert (placing(city)["verdict"], placing(city)["lines"]) == ("agreed", 2)
    lines = {c["source"]: c["line"] for c in placing(city)["claims"]}
    assert lines == {"timing": "timing", "gazette": "gazette", "state-tv": "timing"}


def test_a_source_declared_to_rely_on_another_is_one_line_with_it(city):
    claim(city, "timing")
    claim(city, "gazette")
    ok(city("source", "relies", "gazette", "timing", "--reason", "prints timing's list unedited"))
    found = placing(city)
    assert (found["verdict"], found["lines"]) == ("single-source", 1)
    assert {c["line"] for c in found["claims"]} == {"timing"}
    again = city("source", "relies", "gazette", "timing", "--reason", "again")
    assert again.exit_code == 1 and "already recorded" in again.stderr


def test_a_source_added_relying_on_another_counts_with_it(city):
    ok(city("source", "add", "wire", "--name", "Wire", "--kind", "press", "--relies-on", "state-tv"))
    claim(city, "state-tv")
    claim(city, "wire")
    assert (placing(city)["verdict"], placing(city)["lines"]) == ("single-source", 1)


def test_claims_that_disagree_are_disputed_even_on_one_line(city):
    ok(city("athlete", "add", "Eva Berg"))
    claim(city, "timing")
    ok(city("claim", CAT, "--source", "state-tv", "--via", "timing", "--athlete", "Eva Berg", "--position", "1"))
    assert (placing(city)["verdict"], placing(city)["lines"]) == ("disputed", 1)


def test_an_imported_file_republished_by_another_source_is_via_it(city, tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("Place,Name,Time\n1,Anna Nowak,2:31:07\n", encoding="utf-8")
    ok(city("import", CAT, str(path), "--source", "timing", "--via", "gazette", "--url", URL))
    (found,) = placing(city)["claims"]
    assert (found["source"], found["via"], found["url"]) == ("timing", "gazette", URL)


def test_citations_via_and_reliance_are_exported_verified_and_loaded_alike(city, tmp_path):
    claim(city, "state-tv", "--via", "gazette", "--quote", "as reported")
    ok(city("cite", "1", "--via", "timing", "--url", URL))
    ok(city("source", "relies", "gazette", "timing", "--reason", "copies timing"))
    ok(city("source", "add", "wire", "--name", "Wire", "--kind", "press", "--relies-on", "gazette"))
    assert "Verified" in ok(city("verify", "--deep"))
    ok(city("export", str(tmp_path / "a.jsonl")))
    from test_exchange import on

    copy = on(str(tmp_path / "copy.db"))
    ok(copy("load", str(tmp_path / "a.jsonl")))
    ok(copy("export", str(tmp_path / "b.jsonl")))
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert as_json(copy("results", CAT, "-f", "json")) == as_json(city("results", CAT, "-f", "json"))


# --- the rule, as a property ------------------------------------------------------------------------

SLUGS = ["a", "b", "c", "d"]


def view(claim_id: int, source: str, via: str | None) -> ClaimView:
    return ClaimView(claim_id, "e/r/c", source, "press", 1, "X", None, None, 1, None, 0, None, 0, "FIN",
                     None, None, None, via=via)


claims_strategy = st.lists(st.tuples(st.sampled_from(SLUGS), st.one_of(st.none(), st.sampled_from(SLUGS))),
                           min_size=1, max_size=6).map(
    lambda pairs: [view(i, s, v if v != s else None) for i, (s, v) in enumerate(pairs, 1)])
reliance_strategy = st.lists(st.tuples(st.sampled_from(SLUGS), st.sampled_from(SLUGS)).filter(lambda p: p[0] != p[1]),
                             max_size=3)


@given(claims_strategy, reliance_strategy, st.tuples(st.sampled_from(SLUGS), st.sampled_from(SLUGS)))
def test_lines_never_outnumber_sources_and_a_declared_reliance_never_adds_one(claims, reliance, more):
    lined = Lines(reliance).of(claims)
    assert 1 <= line_count(lined) <= len({c.source for c in claims})
    assert [c.id for c in lined] == [c.id for c in claims]
    for c in lined:  # a claim and the report it came through are one line
        if c.via is not None:
            assert c.line == next(o.line for o in lined if o.id == c.id)
            assert all(o.line == c.line for o in lined if o.source in (c.source, c.via))
    if more[0] != more[1]:
        assert line_count(Lines([*reliance, more]).of(claims)) <= line_count(lined)
    if not reliance and all(c.via is None for c in claims):
        assert line_count(lined) == len({c.source for c in claims})

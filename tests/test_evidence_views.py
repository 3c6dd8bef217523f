"""On whose word, in every view (issue 13): tables name each claim's claimant and the source whose
report carried it, mark its citations and list them under the table with their quotes; `claim show
ID` shows one claim whole; tables fit the terminal; `sources` counts claims by how they reached us;
`history` summarises citations and reliance.
"""

from __future__ import annotations

import csv
import io
import os
import re

import pytest
from helpers import MARATHON, as_json, city_marathon, connect, ok
from sqlalchemy import text

from ledger.output.render import Columns, render

WOMEN = f"{MARATHON}/open-women"
RESULTS = "https://timing.example/results"
GAZETTE_A, GAZETTE_B, GAZETTE_C = (f"https://gazette.example/{page}" for page in "abc")
STATE_TV_WORDS = "State TV reported that Anna Nowak won the race."
CITED_WORDS = "Nowak (POL) won in 2:31:07, the timing company's results show."
GAZETTE_WORDS = "Our reporter saw Anna Nowak of the Czech Republic cross the line first."

# Two athletes named Anna Nowak (ids 1 and 2). Claims 1-5 in open women: timing's results file
# gives #1 first and #2 second (claims 1, 2: one document); State TV's word that #1 won reached us
# only through the Gazette (claim 3, via); the Gazette's own reporter says #2 won (claim 4); State
# TV's claim 5 is retracted. Claim 1 is cited again, in the Gazette. A ruling gives first place to
# claim 1, overruling claim 4.
pytestmark = pytest.mark.city([
    *city_marathon({"open-women": ("Open women", "F")}, ("timing", "gazette", "state-tv")),
    ("athlete", "add", "Anna Nowak", "--nationality", "POL"),
    ("athlete", "add", "Anna Nowak", "--nationality", "CZE"),
    ("claim", WOMEN, "--source", "timing", "--athlete", "#1", "--position", "1", "--time", "2:31:07",
     "--url", RESULTS, "--published", "2025-10-12", "--retrieved", "2025-10-13"),
    ("claim", WOMEN, "--source", "timing", "--athlete", "#2", "--position", "2", "--time", "2:32:00",
     "--url", RESULTS, "--published", "2025-10-12", "--retrieved", "2025-10-13"),
    ("claim", WOMEN, "--source", "state-tv", "--via", "gazette", "--athlete", "#1", "--position", "1",
     "--url", GAZETTE_A, "--quote", STATE_TV_WORDS, "--published", "2025-10-13"),
    ("claim", WOMEN, "--source", "gazette", "--athlete", "#2", "--position", "1", "--url", GAZETTE_C,
     "--quote", GAZETTE_WORDS),
    ("claim", WOMEN, "--source", "state-tv", "--athlete", "#2", "--position", "3"),
    ("retract", "5", "--reason", "State TV corrected its bulletin"),
    ("cite", "1", "--via", "gazette", "--url", GAZETTE_B, "--quote", CITED_WORDS, "--published", "2025-10-14"),
    ("rule", WOMEN, "--position", "1", "--accept", "1", "--by", "Referee", "--reason", "Photo finish",
     "--decided", "2025-10-15"),
])

WIDE = ("--width", "0")


def rows(table: str) -> dict[int, str]:
    """The first line of each claim's row in a `results` table (position, verdict, claim, ...), by claim id."""
    return {int(found.group(1)): line for line in table.splitlines()
            if (found := re.match(r"\d+\s+\S+\s+(\d+)\s", line))}


def citation_list(table: str) -> str:
    return table[table.index("Citations:"):]


# --- citations in tables ----------------------------------------------------------------------------


def test_a_results_table_names_claimant_and_via_and_marks_the_citations(city):
    table = ok(city("results", WOMEN, *WIDE))
    header = table.splitlines()[0].split()
    assert header[header.index("source"):][:3] == ["source", "source_kind", "via"] and header[-1] == "cite"
    assert "quote" not in header and "url" not in header
    by_claim = rows(table)
    assert re.search(r"\stiming\s+official\s+.*\[1,2\]$", by_claim[1])
    assert re.search(r"\sstate-tv\s+state-media\s+gazette\s.*\[3\]$", by_claim[3])
    assert by_claim[4].endswith("[4]")
    assert by_claim[2].endswith("[1]")  # the same results file as claim 1: one citation, one number


def test_the_citations_are_listed_under_the_table_each_with_its_quote(city):
    listed = citation_list(ok(city("results", WOMEN, "--width", "200")))
    assert listed.splitlines() == [
        "Citations:",
        f"[1] timing, {RESULTS}, published 2025-10-12, retrieved 2025-10-13",
        f"[2] gazette, {GAZETTE_B}, published 2025-10-14",
        f'    quoted from gazette: "{CITED_WORDS}"',
        f"[3] gazette, {GAZETTE_A}, published 2025-10-13",
        f'    quoted from gazette: "{STATE_TV_WORDS}"',
        f"[4] gazette, {GAZETTE_C}",
        f'    quoted from gazette: "{GAZETTE_WORDS}"',
    ]


def test_a_quote_is_always_credited_to_the_document_s_publisher_the_via(city):
    listed = citation_list(ok(city("disputes", WOMEN, "--all")))
    assert "quoted from state-tv" not in listed  # State TV's words reached us in the Gazette's
    assert 'quoted from gazette: "State TV reported that Anna Nowak won the race."' in " ".join(listed.split())


def test_athlete_show_and_disputes_mark_citations_too(city):
    shown = ok(city("athlete", "show", "#2"))
    assert "Citations:" in shown and GAZETTE_C in shown
    disputed = ok(city("disputes", WOMEN, "--all", *WIDE))
    assert disputed.splitlines()[0].split()[-1] == "cite" and "Citations:" in disputed


def test_a_table_without_citations_lists_none(city):
    ok(city("claim", WOMEN, "--source", "timing", "--athlete", "#1", "--time", "2:31:07", "--status", "FIN"))
    assert "Citations:" in ok(city("results", WOMEN))
    ok(city("category", "add", f"{MARATHON}/masters", "--name", "Masters"))
    ok(city("claim", f"{MARATHON}/masters", "--source", "timing", "--athlete", "#1", "--position", "1"))
    table = ok(city("results", f"{MARATHON}/masters", *WIDE))
    assert "Citations:" not in table and "cite" not in table.splitlines()[0].split()


def test_csv_carries_via_and_the_claim_s_own_citation_one_row_a_claim(city):
    rows = list(csv.DictReader(io.StringIO(ok(city("results", WOMEN, "-f", "csv")))))
    assert [int(r["claim"]) for r in rows] == [1, 3, 4, 2]
    claim = {int(r["claim"]): r for r in rows}
    assert {key: claim[1][key] for key in ("source", "via", "url", "published", "retrieved", "quote")} == {
        "source": "timing", "via": "", "url": RESULTS, "published": "2025-10-12", "retrieved": "2025-10-13",
        "quote": ""}
    assert {key: claim[3][key] for key in ("source", "via", "url", "published", "quote")} == {
        "source": "state-tv", "via": "gazette", "url": GAZETTE_A, "published": "2025-10-13", "quote": STATE_TV_WORDS}
    assert "Citations" not in ok(city("results", WOMEN, "-f", "csv"))
    tsv = ok(city("results", WOMEN, "-f", "tsv")).splitlines()
    assert tsv[0].split("\t")[-4:] == ["url", "published", "retrieved", "quote"] and len(tsv) == 5


def test_json_keeps_every_citation(city):
    (first, *_) = as_json(city("results", WOMEN, "-f", "json"))
    claim = next(c for c in first["claims"] if c["id"] == 1)
    assert [c["url"] for c in claim["citations"]] == [RESULTS, GAZETTE_B]


def test_text_in_the_citation_list_is_inert(city):
    """A bidi override shows as its escape, a tab too (it would shift what follows); a line break
    in a quote starts a paragraph."""
    ok(city("cite", "4", "--via", "state-tv", "--quote", "first\tline \u202eevil\nsecond line"))
    table = ok(city("results", WOMEN))
    assert "\u202e" not in table and "\t" not in table
    assert 'quoted from state-tv: "first\\tline \\u202eevil\n    second line"' in table


def test_two_athletes_of_one_name_are_told_apart_by_id_and_nationality(city):
    table = ok(city("results", WOMEN, *WIDE))
    assert "Anna Nowak #1 (POL)" in rows(table)[1] and "Anna Nowak #2 (CZE)" in rows(table)[2]
    assert as_json(city("results", WOMEN, "-f", "json"))[0]["claims"][0]["athlete"] == "Anna Nowak"  # data as is
    spreadsheet = list(csv.DictReader(io.StringIO(ok(city("results", WOMEN, "-f", "csv")))))
    assert {r["athlete_id"] for r in spreadsheet if r["athlete"] == "Anna Nowak"} == {"1", "2"}
    ok(city("category", "add", f"{MARATHON}/masters", "--name", "Masters"))
    ok(city("claim", f"{MARATHON}/masters", "--source", "timing", "--athlete", "#1", "--position", "1"))
    alone = ok(city("results", f"{MARATHON}/masters", *WIDE))
    assert "Anna Nowak" in alone and "#1" not in alone  # no one else of that name in the table


# --- claim show ---------------------------------------------------------------------------------------


def test_claim_show_prints_the_claim_whole(city, db):
    shown = ok(city("claim", "show", "3", "--width", "200"))
    with connect(db) as conn:
        seq, entry_hash = conn.execute(text(
            "SELECT j.seq, j.entry_hash FROM journal j JOIN claim c ON c.seq = j.seq WHERE c.id = 3")).one()
    head = ok(city("head")).strip()
    fields = dict(re.match(r"(\w+): +(.*)", line).groups() for line in shown.splitlines()
                  if re.match(r"[a-z]+: ", line))
    assert fields["claim"] == f"3 in {WOMEN}"
    assert fields["athlete"] == "Anna Nowak #1"
    assert fields["claimant"] == "state-tv (state-media)"
    assert fields["via"] == "gazette (press)"
    assert fields["standing"] == "live"
    assert fields["placing"].startswith(f"position 1 of {WOMEN}: ruled, on 2 independent lines of evidence")
    assert fields["ruling"] == ("ruling 1 (journal entry " + str(_ruling_seq(db)) + "): position 1 goes to claim 1, "
                                "by Referee on 2025-10-15: Photo finish")
    assert fields["recorded"].startswith(f"journal entry {seq}, hash {entry_hash}, at ")
    assert fields["head"] == f"{head} (the ledger now)"
    assert shown.splitlines()[-3:] == ["citations:", f"[1] gazette, {GAZETTE_A}, published 2025-10-13",
                                       f'    quoted from gazette: "{STATE_TV_WORDS}"']


def _ruling_seq(db: str) -> int:
    with connect(db) as conn:
        return conn.execute(text("SELECT seq FROM ruling WHERE id = 1")).scalar()


def test_claim_show_of_an_overruled_and_of_a_retracted_claim(city):
    overruled = ok(city("claim", "show", "4"))
    assert "standing:  overruled: Photo finish" in overruled
    retracted = ok(city("claim", "show", "5", "--width", "200"))
    assert re.search(r"^retracted: State TV corrected its bulletin \(journal entry \d+, hash [0-9a-f]{64}", retracted,
                     re.M)
    assert "citations: none" in retracted


def test_claim_show_as_json(city):
    shown = as_json(city("claim", "show", "1", "-f", "json"))
    assert (shown["id"], shown["category"], shown["source"], shown["standing"], shown["verdict"]) == (
        1, WOMEN, "timing", "accepted", "ruled")
    assert [c["url"] for c in shown["citations"]] == [RESULTS, GAZETTE_B]
    assert shown["placing"]["lines"] == 2 and [c["id"] for c in shown["placing"]["claims"]] == [1, 3, 4]
    assert [r["id"] for r in shown["rulings"]] == [1] and shown["retraction"] is None
    assert shown["recorded"]["kind"] == "claim" and re.fullmatch("[0-9a-f]{64}", shown["recorded"]["hash"])
    assert f"{shown['head']['seq']}:{shown['head']['hash']}" == ok(city("head")).strip()
    placed = next(p for p in as_json(city("results", WOMEN, "-f", "json")) if p["position"] == 1)
    assert shown["placing"]["claims"] == placed["claims"]  # the claims as `results` gives them


def test_claim_keeps_recording_and_usage_shows_both_forms(city):
    assert ok(city("claim", WOMEN, "--source", "gazette", "--athlete", "#1", "--position", "4")) == "Recorded claim 6.\n"
    usage = ok(city("claim", "--help")).splitlines()  # (the test runner calls the program `cli`)
    assert re.fullmatch(r"Usage: \S+ claim \[OPTIONS\] CATEGORY --source SLUG \.\.\.", usage[0])
    assert usage[1].split()[:1] + usage[1].split()[2:] == ["or:", "claim", "show", "CLAIM_ID", "[-f", "FORMAT]",
                                                           "[--width", "COLUMNS]"]
    assert "raceledger claim show 5" in ok(city("claim", "--help"))


@pytest.mark.parametrize("args, message", [
    (("claim", WOMEN, "--position", "4"), "Error: Missing option '--source'."),
    (("claim", "show"), "Error: Missing argument 'CLAIM_ID'."),
    (("claim", "show", "x"), "Error: Invalid value for 'CLAIM_ID': a claim id is digits, not 'x'"),
    (("claim", "show", "3", "--source", "timing"), "Error: No such option '--source'. Did you mean '--tolerance'?"),
    (("claim", WOMEN, "--source", "timing", "--position", "4", "-f", "json"), "Error: No such option '-f'."),
    (("claim", WOMEN, "3", "--source", "timing"), "Error: Got unexpected extra argument (3)"),
    (("claim", "show", "3", "-f", "csv"),
     "Error: Invalid value for '-f' / '--format': claim show prints text (a table format) or JSON: use -f json"),
])
def test_claim_usage_errors_are_one_line(city, args, message):
    """`claim show` is a subcommand of `claim`: its usage errors point to its own help."""
    done = city(*args)
    assert (done.exit_code, done.stdout) == (2, "")
    command = "claim show" if args[1] == "show" else "claim"
    assert re.fullmatch(re.escape(message) + rf" \(see '\S+ {command} --help'\)\n", done.stderr)


def test_claim_show_of_an_unknown_claim_is_an_error(city):
    done = city("claim", "show", "99")
    assert (done.exit_code, done.stderr) == (1, "Error: no claim 99; claim ids are shown by: raceledger results "
                                                "CATEGORY\n")


# --- sources ------------------------------------------------------------------------------------------


def test_sources_count_claims_by_how_they_reached_us(city):
    counted = {s["slug"]: s for s in as_json(city("sources", "-f", "json"))}
    keys = ("claims", "direct", "via_others", "for_others", "contradicted", "overruled", "retracted")
    assert {slug: tuple(s[key] for key in keys) for slug, s in counted.items()} == {
        "timing": (2, 2, 0, 0, 2, 0, 0),  # both in disputes with the Gazette's line
        "gazette": (1, 1, 0, 2, 1, 1, 0),  # carried claim 3 (via) and claim 1 (a citation)
        "state-tv": (2, 1, 1, 0, 1, 0, 1),
    }
    assert list(counted["timing"])[:4] == ["slug", "name", "kind", "url"]


def test_a_claim_beside_only_its_own_line_is_not_contradicted(city):
    ok(city("source", "relies", "timing", "gazette", "--reason", "prints the Gazette's results"))
    counted = {s["slug"]: s["contradicted"] for s in as_json(city("sources", "-f", "json"))}
    assert counted == {"timing": 0, "gazette": 0, "state-tv": 0}  # one line now: no independent contradiction


def test_the_sources_table_fits_and_names_the_sources_under_it(city):
    table = ok(city("sources", "--width", "100"))
    assert max(map(len, table.splitlines())) <= 100
    assert "state-tv (state-media): State TV" in table
    assert ok(city("sources", "--width", "0")).splitlines()[0].split() == [
        "slug", "name", "kind", "claims", "direct", "via_others", "for_others", "contradicted", "overruled",
        "retracted"]


# --- history --------------------------------------------------------------------------------------


def test_history_summarises_citations_reliance_and_via(city):
    ok(city("source", "relies", "state-tv", "gazette", "--reason", "reads the Gazette on air"))
    summaries = {e["kind"]: e["summary"] for e in as_json(city("history", "-f", "json"))}
    assert summaries["cite"] == f"citation of claim 1: gazette {GAZETTE_B}"
    assert summaries["source-relies"] == "state-tv relies on gazette: reads the Gazette on air"
    claim_3 = next(e["summary"] for e in as_json(city("history", "3", "-f", "json")) if e["kind"] == "claim")
    assert claim_3 == f"claim 3 in {WOMEN}: state-tv (via gazette) says Anna Nowak, position 1"


def test_history_of_a_claim_holds_its_citations_and_its_sources_reliance(city):
    ok(city("source", "relies", "state-tv", "gazette", "--reason", "reads the Gazette on air"))
    assert [e["kind"] for e in as_json(city("history", "1", "-f", "json"))] == ["claim", "cite", "rule"]
    assert [e["kind"] for e in as_json(city("history", "3", "-f", "json"))] == ["claim", "rule", "source-relies"]
    assert "cite" in [e["kind"] for e in as_json(city("history", WOMEN, "-f", "json"))]


def test_a_citation_without_an_address_is_summarised_by_its_words(city):
    ok(city("cite", "2", "--quote", "Nowak (CZE) second in 2:32:00"))
    cited = [e["summary"] for e in as_json(city("history", "2", "-f", "json")) if e["kind"] == "cite"]
    assert cited == ['citation of claim 2: "Nowak (CZE) second in 2:32:00"']


# --- fitting the terminal -----------------------------------------------------------------------------


DEMO_VIEWS = [("demo",), *[("results", f"pyongyang-2025/marathon/{c}") for c in ("elite-men", "elite-women", "amateur-men")],
              ("disputes", "--all"), ("history",), ("figures",), ("figure", "show", "10"), ("race", "list", "pyongyang-2025")]


@pytest.fixture
def no_terminal(monkeypatch):
    """No COLUMNS and no terminal on standard output: tables fit 100 columns."""
    def no_size(*_):
        raise OSError("not a terminal")

    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(os, "get_terminal_size", no_size)


@pytest.mark.parametrize("args", DEMO_VIEWS, ids=" ".join)
def test_the_demo_views_fit_100_columns(demo, args, no_terminal):
    for shown in (ok(demo(*args, "--width", "100")), ok(demo(*args, env={"COLUMNS": None}))):
        assert max(map(len, shown.splitlines())) <= 100, shown


def test_tables_fit_the_terminal_s_columns(city):
    wide = ok(city("results", WOMEN, *WIDE))
    assert max(map(len, wide.splitlines())) > 120
    assert max(map(len, ok(city("results", WOMEN, env={"COLUMNS": "100"})).splitlines())) <= 100
    assert max(map(len, ok(city("results", WOMEN, "-f", "grid", "--width", "110")).splitlines())) <= 110


def test_a_table_too_wide_says_what_every_row_shares_above_itself(demo):
    fitted = ok(demo("disputes", "pyongyang-2025", "--width", "100")).splitlines()
    assert fitted[:3] == ["category: pyongyang-2025/marathon/amateur-men", "kind: position", "status: FIN"]
    wide = ok(demo("disputes", "pyongyang-2025", "--width", "0")).splitlines()
    assert wide[0].split()[:3] == ["position", "category", "kind"]


def test_render_fits_a_table_in_turn_lifting_leaving_out_and_wrapping():
    def table() -> Columns:
        return Columns(kind=["same", "same"], note=["x", "y"], athlete=["Anna Maria Nowak-Kowalska", "Jo"],
                       source=["dprk-state-media", "timing"]).laid_out(
            liftable=("kind",), optional=("note",), below=lambda width, gone: [f"left out: {sorted(gone)}"])

    assert render(None, "simple", table, width=200).decode().splitlines()[0].split() == [
        "kind", "note", "athlete", "source"]
    assert render(None, "simple", table, width=200).decode().splitlines()[-1] == "left out: []"
    narrow = render(None, "simple", table, width=40).decode().splitlines()
    assert narrow[0] == "kind: same" and narrow[-1] == "left out: ['note']"
    assert narrow[1].split() == ["athlete", "source"]
    assert max(map(len, narrow)) <= 40
    assert [line.split()[0] for line in narrow[3:5]] == ["Anna", "Nowak-Kowalska"]  # at its spaces first

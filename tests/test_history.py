"""`history`: every journal entry that touched a scope or a claim, in order; `head`: SEQ:HASH to publish."""

from __future__ import annotations

import json
import re

import pytest

AMATEUR = "pyongyang-2025/marathon/amateur-men"
KEYS = ["seq", "kind", "recorded_at", "recorded_by", "summary"]


def history(run, *args: str) -> list[dict]:
    done = run("history", *args, "-f", "json")
    assert done.exit_code == 0, done.stderr
    return json.loads(done.stdout)


def test_history_without_a_target_is_the_whole_journal_in_order(demo):
    entries = history(demo)
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    assert list(entries[0]) == KEYS
    assert entries[0]["kind"] == "event"
    assert entries[0]["summary"] == ("event pyongyang-2025: Pyongyang International Marathon, 2025-04-06, "
                                     "Pyongyang; start and finish at Kim Il-sung Stadium")
    assert {e["recorded_by"] for e in entries} == {"tester"}
    assert all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$", e["recorded_at"]) for e in entries)
    assert int(demo("head").stdout.split(":")[0]) == entries[-1]["seq"]


def test_history_of_a_category_is_its_own_entry_claims_and_corrections(demo):
    claims = {c["source"]: c["id"] for p in json.loads(demo("results", AMATEUR, "-f", "json").stdout)
              for c in p["claims"]}
    demo("retract", str(claims["dprk-state-media"]), "--reason", "withdrawn")
    demo("rule", AMATEUR, "--position", "1", "--accept", str(claims["wojciech-kopec"]), "--by", "Jury",
         "--reason", "Video", "--decided", "2025-04-07")
    entries = history(demo, AMATEUR)
    assert [e["kind"] for e in entries] == ["category", "claim", "claim", "retract", "rule"]
    assert entries[0]["summary"] == f"category {AMATEUR}: Amateur men"
    assert entries[1]["summary"] == (f"claim {claims['dprk-state-media']} in {AMATEUR}: dprk-state-media "
                                     "(via rare-glimpse-inside) says (unnamed: a local athlete, not named by the "
                                     "source), position 1")
    assert entries[2]["summary"] == (f"claim {claims['wojciech-kopec']} in {AMATEUR}: wojciech-kopec "
                                     "(via rare-glimpse-inside) says Wojciech Kopec, position 1")
    assert entries[4]["summary"] == (f"ruling 1 in {AMATEUR}: position 1 goes to claim {claims['wojciech-kopec']} "
                                     "(by Jury on 2025-04-07: Video)")
    assert entries == sorted(entries, key=lambda e: e["seq"])


def test_history_of_an_event_covers_its_races_and_categories(demo):
    kinds = [e["kind"] for e in history(demo, "pyongyang-2025")]
    assert kinds[:8] == ["event", "race", "race", "race", "race", "category", "category", "category"]
    assert kinds.count("claim") == 6
    assert "source" not in kinds and "athlete" not in kinds


def test_history_of_a_race_starts_with_the_race_and_holds_the_figures_about_it(demo):
    found = history(demo, "pyongyang-2025/half-marathon")
    assert [e["kind"] for e in found] == ["race", "figure"]
    assert found[1]["summary"].startswith("figure 6 on pyongyang-2025/half-marathon, fee: rare-glimpse-inside says")


def test_history_of_an_event_holds_figures_about_it_and_beneath_it_not_a_topic(demo):
    figured = [e["summary"].split(",")[0] for e in history(demo, "pyongyang-2025") if e["kind"] == "figure"]
    assert figured == [f"figure {n} on {subject}" for n, subject in [
        (1, "pyongyang-2025"), (2, "pyongyang-2025"), (3, "pyongyang-2025"), (4, "pyongyang-2025"),
        (5, "pyongyang-2025/marathon"), (6, "pyongyang-2025/half-marathon"), (7, "pyongyang-2025/10k"),
        (8, "pyongyang-2025/5k")]]


def test_history_of_a_claim_includes_rulings_on_its_placing_and_athlete(demo):
    claims = {c["source"]: c["id"] for p in json.loads(demo("results", AMATEUR, "-f", "json").stdout)
              for c in p["claims"]}
    demo("rule", AMATEUR, "--position", "1", "--accept", str(claims["wojciech-kopec"]), "--by", "Jury", "--reason", "Video")
    demo("rule", AMATEUR, "--athlete", "Wojciech Kopec", "--status", "DQ", "--by", "Federation", "--reason", "Rule 5")
    state = history(demo, str(claims["dprk-state-media"]))
    assert [e["kind"] for e in state] == ["claim", "rule"]  # overruled by ruling 1; the DQ is about Kopec
    kopec = history(demo, str(claims["wojciech-kopec"]))
    assert [e["kind"] for e in kopec] == ["claim", "rule", "rule"]
    assert kopec[2]["summary"] == f"ruling 2 in {AMATEUR}: Wojciech Kopec is DQ (by Federation: Rule 5)"


def test_history_table_shows_seq_kind_who_when_and_summary(demo):
    table = demo("history", AMATEUR, "--width", "0").stdout
    header = table.splitlines()[0].split()
    assert header == KEYS
    assert "wojciech-kopec (via rare-glimpse-inside) says Wojciech Kopec" in table


def test_a_history_too_wide_says_who_recorded_it_all_once_above_the_table(demo):
    table = demo("history", AMATEUR, "--width", "100").stdout
    assert table.splitlines()[0] == "recorded_by: tester"
    assert table.splitlines()[1].split() == [key for key in KEYS if key != "recorded_by"]
    assert max(map(len, table.splitlines())) <= 100


@pytest.mark.parametrize("target, message", [
    ("999", "Error: no claim 999; claim ids are shown by: raceledger results CATEGORY"),
    ("pyongyang-2025/marathon/amateur-man", "Error: no category 'pyongyang-2025/marathon/amateur-man'; "
                                            "did you mean 'pyongyang-2025/marathon/amateur-men'?"),
    ("a/b/c/d", "Error: bad scope 'a/b/c/d': expected EVENT, EVENT/RACE or EVENT/RACE/CATEGORY"),
])
def test_history_of_something_unknown_is_an_error(demo, target, message):
    done = demo("history", target)
    assert (done.exit_code, done.stdout, done.stderr) == (1, "", message + "\n")


def test_history_of_an_empty_ledger_is_empty(ledger):
    assert history(ledger) == []
    assert "no journal entries" in ledger("history").stdout


# --- head ---------------------------------------------------------------------------------------


def test_head_prints_seq_colon_hash_of_the_last_entry(demo):
    entries = history(demo)
    printed = demo("head").stdout
    assert re.fullmatch(r"\d+:[0-9a-f]{64}\n", printed)
    assert int(printed.split(":")[0]) == entries[-1]["seq"]
    as_json = json.loads(demo("head", "-f", "json").stdout)
    assert f"{as_json['seq']}:{as_json['hash']}\n" == printed
    assert list(as_json) == ["seq", "hash"]


def test_head_moves_with_each_entry(demo):
    before = demo("head").stdout
    demo("source", "add", "gazette", "--name", "Gazette", "--kind", "press")
    after = demo("head").stdout
    assert int(after.split(":")[0]) == int(before.split(":")[0]) + 1
    assert after.split(":")[1] != before.split(":")[1]


def test_head_of_an_empty_ledger_is_the_genesis(ledger):
    assert ledger("head").stdout == "0:" + "0" * 64 + "\n"


def test_head_takes_table_formats_too(demo):
    assert demo("head", "-f", "csv").stdout.splitlines()[0] == "seq,hash"
    bad = demo("head", "-f", "nope")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("Error: Invalid value for '-f' / '--format': unknown format 'nope'")


def test_an_all_digit_event_slug_is_a_scope_when_no_claim_has_that_id(ledger):
    assert ledger("event", "add", "2025", "--name", "Year race", "--date", "2025-01-01").exit_code == 0
    assert [e["kind"] for e in history(ledger, "2025")] == ["event"]

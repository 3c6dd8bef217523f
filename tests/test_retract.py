"""Retractions: a withdrawn claim stops counting toward verdicts and disputes but stays visible,
marked retracted with the reason (`results --all`, `athlete show`, `history`)."""

from __future__ import annotations

import json

import pytest

AMATEUR = "pyongyang-2025/marathon/amateur-men"


def json_of(run, *args: str):
    """The -f json output of a command that must succeed."""
    done = run(*args, "-f", "json")
    assert done.exit_code == 0, done.stderr
    return json.loads(done.stdout)


def claim_of(run, source: str, category: str = AMATEUR) -> int:
    return next(c["id"] for p in json_of(run, "results", category, "--all") for c in p["claims"] if c["source"] == source)


def retract_state_media(run):
    claim_id = claim_of(run, "dprk-state-media")
    done = run("retract", str(claim_id), "--reason", "State media corrected its report")
    assert done.exit_code == 0, done.stderr
    return claim_id, done


def test_retracting_prints_the_claim_and_the_entry(demo):
    before = int(demo("head").stdout.split(":")[0])
    claim_id, done = retract_state_media(demo)
    assert done.stdout == f"Retracted claim {claim_id} (journal entry {before + 1}).\n"


def test_a_retracted_claim_no_longer_disputes_the_placing(demo):
    retract_state_media(demo)
    assert json_of(demo, "disputes", "pyongyang-2025") == []
    assert json_of(demo, "disputes", "pyongyang-2025", "--all") == []
    [placing] = json_of(demo, "results", AMATEUR)
    assert placing["verdict"] == "single-source"
    assert [c["source"] for c in placing["claims"]] == ["wojciech-kopec"]


def test_results_all_shows_the_retracted_claim_marked_with_its_reason(demo):
    claim_id, _ = retract_state_media(demo)
    [placing] = json_of(demo, "results", AMATEUR, "--all")
    assert placing["verdict"] == "single-source"
    retracted = next(c for c in placing["claims"] if c["id"] == claim_id)
    assert retracted["standing"] == "retracted"
    assert retracted["standing_reason"] == "State media corrected its report"
    assert retracted["unnamed"] == "a local athlete, not named by the source"
    table = demo("results", AMATEUR, "--all", "-f", "tsv").stdout  # the table cells a table format wraps
    assert "\tretracted: State media corrected its report\t" in table
    assert "standing" in demo("results", AMATEUR, "--all", "--width", "0").stdout.splitlines()[0]
    assert "retracted" not in demo("results", AMATEUR).stdout


def test_a_placing_whose_claims_are_all_retracted_shows_only_with_all(demo):
    for source in ("dprk-state-media", "wojciech-kopec"):
        demo("retract", str(claim_of(demo, source)), "--reason", "withdrawn")
    assert json_of(demo, "results", AMATEUR) == []
    [placing] = json_of(demo, "results", AMATEUR, "--all")
    assert placing["verdict"] == "retracted"
    assert {c["standing"] for c in placing["claims"]} == {"retracted"}


def test_athlete_show_lists_a_retracted_claim_marked(demo):
    kopec = claim_of(demo, "wojciech-kopec")
    demo("retract", str(kopec), "--reason", "Kopec deleted his post")
    shown = json_of(demo, "athlete", "show", "Wojciech Kopec")
    [claim] = shown["claims"]
    assert (claim["id"], claim["standing"], claim["standing_reason"]) == (kopec, "retracted", "Kopec deleted his post")
    assert claim["verdict"] == "single-source"  # the state-media claim alone now holds the placing
    assert "\tretracted: Kopec deleted his post\t" in demo("athlete", "show", "Wojciech Kopec", "-f", "tsv").stdout


def test_history_of_the_claim_shows_the_retraction(demo):
    claim_id, _ = retract_state_media(demo)
    entries = json_of(demo, "history", str(claim_id))
    assert [e["kind"] for e in entries] == ["claim", "retract"]
    assert entries[1]["summary"] == f"claim {claim_id} retracted: State media corrected its report"
    assert entries[1]["recorded_by"] == "tester"


def test_sources_count_retracted_claims_and_drop_the_contradiction(demo):
    retract_state_media(demo)
    found = {s["slug"]: s for s in json_of(demo, "sources")}
    assert (found["dprk-state-media"]["claims"], found["dprk-state-media"]["retracted"]) == (3, 1)
    assert found["wojciech-kopec"]["contradicted"] == 0


def test_a_retracted_claim_no_longer_makes_an_athlete_dispute(ledger):
    for args in [
        ("event", "add", "city-2025", "--name", "City", "--date", "2025-10-12"),
        ("race", "add", "city-2025/marathon", "--name", "Marathon", "--distance", "42195"),
        ("category", "add", "city-2025/marathon/open", "--name", "Open"),
        ("source", "add", "timing", "--name", "Timing", "--kind", "official"),
        ("source", "add", "gazette", "--name", "Gazette", "--kind", "press"),
        ("athlete", "add", "Anna Nowak"),
        ("claim", "city-2025/marathon/open", "--source", "timing", "--athlete", "Anna Nowak", "--time", "2:31:07"),
        ("claim", "city-2025/marathon/open", "--source", "gazette", "--athlete", "Anna Nowak", "--time", "2:35:00"),
    ]:
        done = ledger(*args)
        assert done.exit_code == 0, done.stderr
    assert [d["kind"] for d in json_of(ledger, "disputes")] == ["athlete"]
    ledger("retract", "2", "--reason", "typo: 2:31:07")
    assert json_of(ledger, "disputes") == []


# --- errors: one line, nothing written ----------------------------------------------------------


def test_retracting_an_unknown_claim_is_an_error(demo):
    before = demo("head").stdout
    done = demo("retract", "999", "--reason", "x")
    assert (done.exit_code, done.stdout) == (1, "")
    assert done.stderr == "Error: no claim 999; claim ids are shown by: raceledger results CATEGORY\n"
    assert demo("head").stdout == before


def test_retracting_twice_is_an_error_naming_the_first_retraction(demo):
    claim_id, first = retract_state_media(demo)
    seq = first.stdout.split("journal entry ")[1].rstrip(").\n")
    before = demo("head").stdout
    done = demo("retract", str(claim_id), "--reason", "again")
    assert done.exit_code == 1
    assert done.stderr == (f"Error: claim {claim_id} was already retracted by journal entry {seq} "
                           "(State media corrected its report); nothing was written\n")
    assert demo("head").stdout == before


@pytest.mark.parametrize("args, code", [(["1", "--reason", "  "], 1), (["1"], 2), (["one", "--reason", "x"], 2)])
def test_a_retraction_needs_a_claim_id_and_a_reason(demo, args, code):
    done = demo("retract", *args)
    assert done.exit_code == code
    assert done.stderr.startswith("Error: ") and len(done.stderr.splitlines()) == 1

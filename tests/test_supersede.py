"""`import|finish ... --supersedes`: a timer's provisional, then final, file as its whole current word
(issue 21, point 3); a repeating file refused without it."""

from __future__ import annotations

import pytest
from helpers import MARATHON, as_json, city_marathon, ok

WOMEN = f"{MARATHON}/open-women"
HEADER = "Place,Bib,Name,Time\n"
PROVISIONAL = HEADER + "1,7,Anna Nowak,2:31:07\n2,8,Maria Silva,2:31:40\n3,9,Eva Kern,2:33:00\n"
FINAL = HEADER + "1,7,Anna Nowak,2:31:07\n2,9,Eva Kern,2:31:50\n3,10,Ida Berg,2:34:00\n"

pytestmark = pytest.mark.city(city_marathon({"open-women": ("Open women", "F")}, ("timing", "gazette")))


def write(tmp_path, text: str, name: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def claims(run, *extra: str) -> list[tuple]:
    return [(c["id"], p["position"], c["athlete"], c["time"], c["standing"])
            for p in as_json(run("results", WOMEN, "-f", "json", *extra)) for c in p["claims"]]


def entries(run) -> int:
    return as_json(run("info", "-f", "json"))["journal_entries"]


def test_a_second_file_repeating_the_sources_placings_is_refused_with_advice(city, tmp_path):
    ok(city("import", WOMEN, write(tmp_path, PROVISIONAL, "provisional.csv"), "--source", "timing"))
    before = entries(city)
    final = write(tmp_path, FINAL, "final.csv")
    failed = city("import", WOMEN, final, "--source", "timing")
    assert failed.exit_code == 1
    assert failed.stderr == (f"Error: {final} repeats 3 placings timing already claims in {WOMEN}; to take it as the "
                             "source's whole current word (repeats kept, changes and omissions withdrawn as "
                             "corrections, new ones added), add --supersedes; to record it twice on purpose, add "
                             "--again\n")
    assert entries(city) == before
    assert ok(city("import", WOMEN, final, "--source", "timing", "--again")).startswith("Imported 3 claims")


def test_the_final_file_keeps_repeats_withdraws_changes_and_adds_new_ones_in_one_entry(city, tmp_path):
    ok(city("import", WOMEN, write(tmp_path, PROVISIONAL, "provisional.csv"), "--source", "timing"))
    before = entries(city)
    done = ok(city("import", WOMEN, write(tmp_path, FINAL, "final.csv"), "--source", "timing", "--supersedes"))
    assert done.endswith("1 new athlete, 2 linked to existing ones; 1 of the source's claims kept, 2 withdrawn "
                         "as corrections.\n")
    assert entries(city) == before + 1
    assert claims(city) == [(1, 1, "Anna Nowak", "2:31:07", "live"), (4, 2, "Eva Kern", "2:31:50", "live"),
                            (5, 3, "Ida Berg", "2:34:00", "live")]
    withdrawn = [c for c in claims(city, "--all") if c[4] == "retracted"]
    assert [c[:3] for c in withdrawn] == [(2, 2, "Maria Silva"), (3, 3, "Eva Kern")]
    reason = as_json(city("results", WOMEN, "-f", "json", "--all"))[1]["claims"][0]["standing_reason"]
    assert reason == "superseded by timing's whole current word (the file final.csv)"
    # The same word again changes nothing, and says so.
    again = ok(city("import", WOMEN, str(tmp_path / "final.csv"), "--source", "timing", "--supersedes"))
    assert again == f"No change: {tmp_path / 'final.csv'} repeats all 3 live claims of timing in {WOMEN}; nothing was written.\n"
    assert entries(city) == before + 1
    assert ok(city("verify", "--deep")).startswith(f"Verified {before + 1} entries")


def test_superseding_covers_claims_however_they_were_recorded_and_leaves_other_sources_alone(city, tmp_path):
    ok(city("athlete", "add", "Anna Nowak"))
    ok(city("claim", WOMEN, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:31:07"))
    ok(city("claim", WOMEN, "--source", "timing", "--athlete", "Anna Nowak", "--position", "2", "--time", "2:31:08"))
    ok(city("claim", WOMEN, "--source", "gazette", "--athlete", "Anna Nowak", "--position", "2"))
    ok(city("import", WOMEN, write(tmp_path, HEADER + "1,7,Anna Nowak,2:31:07\n", "one.csv"), "--source", "timing",
            "--supersedes"))
    assert [(c[0], c[4]) for c in claims(city, "--all")] == [(1, "live"), (2, "retracted"), (3, "live")]


def test_a_finish_order_supersedes_an_imported_file(city, tmp_path):
    start = write(tmp_path, "Bib,Name\n7,Anna Nowak\n8,Maria Silva\n9,Eva Kern\n10,Ida Berg\n", "start.csv")
    ok(city("entrants", "import", MARATHON, start, "--source", "timing"))
    ok(city("import", WOMEN, write(tmp_path, PROVISIONAL, "provisional.csv"), "--source", "timing"))
    refused = city("finish", WOMEN, "--source", "timing", input="7 2:31:07\n")
    assert refused.exit_code == 1 and "add --supersedes" in refused.stderr
    done = ok(city("finish", WOMEN, "--source", "timing", "--supersedes", input="7 2:31:07\n9 2:31:50\n10 2:34:00\n8 DNF\n"))
    assert done == (f"Recorded 3 finishers and 1 non-finisher in {WOMEN} (source timing) as journal entry 8: "
                    "1 kept, 2 withdrawn as corrections, 3 added.\n")
    assert [c[1:4] for c in claims(city)] == [(1, "Anna Nowak", "2:31:07"), (2, "Eva Kern", "2:31:50"),
                                              (3, "Ida Berg", "2:34:00"), (None, "Maria Silva", None)]
    assert ok(city("verify", "--deep")).startswith("Verified 8 entries")

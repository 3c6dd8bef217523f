"""`verify`: a clean ledger always verifies (plain, --deep, --head); problems are named by seq.

Tampering with a real database file is in test_tamper.py; the checks themselves are tested here on
entries made up in memory.
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest

from ledger.core.canonical import GENESIS_HASH, body_hash, canonical_json, chain_hash
from ledger.core.views import Head
from ledger.journal.verify import (
    MAX_PROBLEMS,
    ChainCheck,
    Report,
    outcome,
    parse_head,
    report_lines,
)

AMATEUR = "pyongyang-2025/marathon/amateur-men"
VERIFIED = re.compile(r"^Verified (\d+) entries; head (\d+):([0-9a-f]{64})\.\n$")


def verify(run, *args: str):
    return run("verify", *args)


def test_a_clean_ledger_verifies_printing_entries_checked_and_head(demo):
    head = demo("head").stdout.strip()
    done = verify(demo)
    assert done.exit_code == 0, done.stdout + done.stderr
    match = VERIFIED.match(done.stdout)
    assert match, done.stdout
    assert f"{match.group(2)}:{match.group(3)}" == head
    assert match.group(1) == match.group(2)
    assert done.stderr == ""


def test_a_clean_ledger_verifies_deep(demo):
    done = verify(demo, "--deep")
    assert done.exit_code == 0, done.stdout + done.stderr
    assert re.match(r"^Verified \d+ entries and \d+ derived rows against a replay; head \d+:[0-9a-f]{64}\.\n$",
                    done.stdout)


def test_a_ledger_with_corrections_verifies_deep(demo):
    claims = {c["source"]: c["id"] for p in json.loads(demo("results", AMATEUR, "-f", "json").stdout)
              for c in p["claims"]}
    assert demo("retract", str(claims["dprk-state-media"]), "--reason", "withdrawn").exit_code == 0
    assert demo("rule", AMATEUR, "--position", "1", "--accept", str(claims["wojciech-kopec"]), "--by", "Jury",
                "--reason", "Video", "--decided", "2025-04-07").exit_code == 0
    assert demo("rule", AMATEUR, "--athlete", "Wojciech Kopec", "--status", "DQ", "--by", "Jury", "--reason", "R").exit_code == 0
    assert demo("athlete", "add", "Anna Nowak", "--alias", "Anna Nowakowa", "--born", "1990").exit_code == 0
    done = verify(demo, "--deep", "-f", "json")
    assert done.exit_code == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] and report["deep"] and report["problems"] == []
    assert report["rows_compared"] >= report["entries"]


def test_a_published_head_still_in_the_chain_verifies_after_later_entries(demo):
    published = demo("head").stdout.strip()
    demo("source", "add", "gazette", "--name", "Gazette", "--kind", "press")
    done = verify(demo, "--head", published)
    assert done.exit_code == 0, done.stdout + done.stderr


def test_the_current_head_verifies(demo):
    done = verify(demo, "--head", demo("head").stdout.strip(), "--deep")
    assert done.exit_code == 0, done.stdout + done.stderr


def test_a_head_from_another_ledger_does_not_verify(demo):
    seq = demo("head").stdout.split(":")[0]
    done = verify(demo, "--head", f"{seq}:{'ab' * 32}")
    assert done.exit_code == 1
    assert done.stdout.startswith(f"entry {seq}: the published head {seq}:{'ab' * 32} is not in the chain")
    assert done.stderr.startswith(f"Error: the ledger does not verify: 1 problem, the first at entry {seq} ")


def test_verify_json_reports_entries_head_and_problems(demo):
    done = verify(demo, "-f", "json")
    report = json.loads(done.stdout)
    assert set(report) >= {"ok", "entries", "head", "problems", "first_bad_seq", "warnings"}
    assert report["ok"] is True and report["first_bad_seq"] is None
    assert f"{report['head']['seq']}:{report['head']['hash']}" == demo("head").stdout.strip()


def test_an_empty_ledger_verifies(ledger):
    done = verify(ledger, "--deep")
    assert done.exit_code == 0
    assert done.stdout.startswith("Verified 0 entries")


@pytest.mark.parametrize("value", ["12", "12:abc", "x:" + "0" * 64, "-1:" + "0" * 64])
def test_a_malformed_head_is_an_error(demo, value):
    done = verify(demo, "--head", value)
    assert done.exit_code == 1 and done.stdout == ""
    assert done.stderr.startswith(f"Error: bad --head {value!r}: expected SEQ:HASH as printed by raceledger head")


def test_verify_takes_text_or_json_only(demo):
    done = verify(demo, "-f", "csv")
    assert done.exit_code == 2
    assert done.stderr.startswith("Error: Invalid value for '-f' / '--format': 'csv' is not one of 'text', 'json'.")


def test_verify_works_read_only(demo, db):
    from click.testing import CliRunner

    from cli import cli

    done = CliRunner().invoke(cli, ["--db", db, "--read-only", "verify", "--deep"])
    assert done.exit_code == 0, done.output


# --- the chain check on made-up entries ---------------------------------------------------------


def chain(n: int) -> list[SimpleNamespace]:
    rows, previous = [], GENESIS_HASH
    for seq in range(1, n + 1):
        body = canonical_json({"id": seq, "name": f"entry {seq}"})
        at, by = f"2025-04-06T00:00:{seq:02d}.000000+00:00", "tester"
        entry_hash = chain_hash(previous, seq, "source", at, by, body_hash([body]))
        rows.append(SimpleNamespace(seq=seq, kind="source", body=body, prev_hash=previous, entry_hash=entry_hash,
                                    recorded_at=at, recorded_by=by))
        previous = entry_hash
    return rows


def check(rows, published: Head | None = None) -> Report:
    report = Report()
    checker = ChainCheck(report, published)
    for row in rows:
        checker.entry(row.seq, row.kind, row.body, row.prev_hash, row.entry_hash, row.recorded_at, row.recorded_by)
    checker.finish()
    return report


def problems(report: Report) -> list[tuple[int | None, str]]:
    return [(p.seq, p.message.split(":")[0]) for p in report.problems]


def test_an_intact_chain_has_no_problems():
    rows = chain(5)
    report = check(rows, Head(3, rows[2].entry_hash))
    assert report.ok and report.checked == 5 and report.head == Head(5, rows[4].entry_hash)
    assert outcome(report) == f"Verified 5 entries; head 5:{rows[4].entry_hash}"


def test_a_changed_body_is_named_by_its_seq():
    rows = chain(5)
    rows[2].body = rows[2].body.replace("entry 3", "entry 8")
    assert problems(check(rows)) == [(3, "its content does not match its entry_hash")]


def test_a_changed_author_or_time_is_caught():
    rows = chain(3)
    rows[1].recorded_by = "someone else"
    rows[2].recorded_at = rows[2].recorded_at.replace("00:00:03", "00:00:09")
    assert [seq for seq, _ in problems(check(rows))] == [2, 3]


def test_a_rewritten_entry_with_a_recomputed_hash_breaks_the_next_link():
    rows = chain(5)
    rows[2].body = rows[2].body.replace("entry 3", "entry 8")
    rows[2].entry_hash = chain_hash(rows[2].prev_hash, 3, "source", rows[2].recorded_at, "tester",
                                    body_hash([rows[2].body]))
    assert problems(check(rows)) == [(4, "its prev_hash is not the hash of entry 3")]


def test_a_missing_entry_is_named():
    rows = chain(6)
    del rows[2]
    assert problems(check(rows)) == [(3, "entry 3 is missing")]
    del rows[2:4]
    assert check(rows).problems[0].message.startswith("entries 3-5 are missing: the journal jumps from entry 2 to 6")


def test_a_missing_first_entry_is_named():
    assert problems(check(chain(3)[1:])) == [(1, "entry 1 is missing")]


def test_swapped_entries_are_both_named():
    rows = chain(5)
    rows[1], rows[3] = SimpleNamespace(**{**vars(rows[3]), "seq": 2}), SimpleNamespace(**{**vars(rows[1]), "seq": 4})
    assert [seq for seq, _ in problems(check(rows))][:2] == [2, 2]
    assert {seq for seq, _ in problems(check(rows))} == {2, 3, 4, 5}


def test_truncation_is_caught_only_against_a_published_head():
    rows = chain(6)
    published = Head(6, rows[5].entry_hash)
    assert check(rows[:4]).ok
    report = check(rows[:4], published)
    assert problems(report) == [(5, "the published head 6")]
    assert "entries 5-6 were removed" in report.problems[0].message


def test_a_chain_rewritten_from_one_entry_on_is_caught_by_the_published_head():
    rows = chain(5)
    published = Head(5, rows[4].entry_hash)
    forged, previous = [], rows[1].entry_hash
    for row in rows[2:]:
        body = row.body.replace("entry", "forged")
        entry_hash = chain_hash(previous, row.seq, row.kind, row.recorded_at, row.recorded_by, body_hash([body]))
        forged.append(SimpleNamespace(**{**vars(row), "body": body, "prev_hash": previous, "entry_hash": entry_hash}))
        previous = entry_hash
    assert check(rows[:2] + forged).ok
    assert problems(check(rows[:2] + forged, published)) == [(5, "the published head 5")]


def test_problems_are_capped_and_counted():
    rows = chain(MAX_PROBLEMS + 20)
    for row in rows:
        row.recorded_by = "forger"
    report = check(rows)
    assert len(report.problems) == MAX_PROBLEMS and report.more == 20
    assert report_lines(report)[-1] == "... and 20 more problems"
    assert report.first_bad_seq == 1


@pytest.mark.parametrize("text, expected", [(f"7:{'a' * 64}", Head(7, "a" * 64)),
                                            (f" 7:{'A' * 64}\n", Head(7, "a" * 64))])
def test_parse_head(text, expected):
    assert parse_head(text) == expected


# --- after export and load; with imports ----------------------------------------------------------


RESULTS_CSV = ("Place,Bib,Name,Nat,Gun Time,Status\n"
               "1,101,Anna Nowak,POL,2:31:07,FIN\n"
               "2,102,Maria Silva,POR,2:31:40,FIN\n"
               ",103,Jon Su-gyong,PRK,DNF,\n")


@pytest.fixture
def full(demo, tmp_path):
    """The demo with an import, a merge, a retraction and rulings: every kind of entry."""
    results = tmp_path / "results.csv"
    results.write_text(RESULTS_CSV, encoding="utf-8")
    for args in [
        ("source", "add", "timing", "--name", "Official timing", "--kind", "official"),
        ("import", "pyongyang-2025/marathon/elite-women", str(results), "--source", "timing"),
        ("athlete", "add", "Kumdong Pak", "--nationality", "PRK"),
        ("athlete", "merge", "#1", "Kumdong Pak"),
        ("retract", "5", "--reason", "withdrawn"),
        ("rule", AMATEUR, "--position", "1", "--accept", "6", "--by", "Jury", "--reason", "Video"),
        ("rule", "pyongyang-2025/marathon/elite-women", "--athlete", "Maria Silva", "--status", "DQ",
         "--by", "Referee", "--reason", "Rule 144"),
    ]:
        done = demo(*args)
        assert done.exit_code == 0, (args, done.stdout, done.stderr)
    return demo


def test_a_ledger_with_every_kind_of_entry_verifies_deep(full):
    kinds = {e["kind"] for e in json.loads(full("history", "-f", "json").stdout)}
    assert {"import", "merge", "retract", "rule", "claim"} <= kinds
    done = full("verify", "--deep")
    assert done.exit_code == 0, done.stdout + done.stderr


def test_a_clean_ledger_verifies_after_export_and_load(full, tmp_path, pg_url):
    from click.testing import CliRunner

    from cli import cli

    exported = tmp_path / "ledger.jsonl"
    assert full("export", str(exported)).exit_code == 0
    copy = str(tmp_path / "copy.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", copy, "load", str(exported)]).exit_code == 0
    done = runner.invoke(cli, ["--db", copy, "verify", "--deep", "--head", full("head").stdout.strip()])
    assert done.exit_code == 0, done.output
    assert runner.invoke(cli, ["--db", copy, "head"]).stdout == full("head").stdout
    for args in (["results", AMATEUR, "--all", "-f", "json"], ["disputes", "--all", "-f", "json"],
                 ["history", "-f", "json"]):
        assert runner.invoke(cli, ["--db", copy, *args]).stdout == full(*args).stdout


def test_the_chain_check_holds_no_memory_per_entry():
    """Streaming: checking 20,000 entries needs no more memory than checking 2,000."""
    import tracemalloc

    def peak(n: int) -> int:
        rows = chain(n)
        tracemalloc.start()
        check(rows)
        found = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return found

    assert peak(20_000) < peak(2_000) + 64 * 1024


# --- abbreviated heads, and examples that work on any ledger (issue 22 point 2) ----------------------


def test_an_abbreviated_head_of_12_or_more_hex_digits_verifies(demo):
    seq, digest = demo("head").stdout.strip().split(":")
    for given in (f"{seq}:{digest[:12]}", f"{seq}:{digest[:12].upper()}...", f"{seq}:{digest[:40]}"):
        done = verify(demo, "--head", given)
        assert done.exit_code == 0, (given, done.stderr)


def test_an_abbreviated_head_not_in_the_chain_names_the_seq(demo):
    seq, digest = demo("head").stdout.strip().split(":")
    wrong = ("0" if digest[0] != "0" else "1") + digest[1:12]
    done = verify(demo, "--head", f"{seq}:{wrong}")
    assert done.exit_code == 1
    assert done.stdout.startswith(f"entry {seq}: the published head {seq}:{wrong}... is not in the chain")


@pytest.mark.parametrize("digits", [1, 4, 11])
def test_a_head_shorter_than_12_hex_digits_is_refused(demo, digits):
    seq, digest = demo("head").stdout.strip().split(":")
    value = f"{seq}:{digest[:digits]}"
    done = verify(demo, "--head", value)
    assert done.exit_code == 1 and done.stdout == ""
    assert done.stderr == (f"Error: bad --head {value!r}: expected SEQ:HASH as printed by raceledger head, "
                           f"e.g. 12:{'3f' * 32}, or the hash's first 12 or more hex digits, e.g. 12:{'3f' * 6}\n")


def _shell_examples(text: str) -> list[str]:
    return [line.split("#")[0].strip() for line in text.splitlines()
            if "raceledger head" in line or "verify --head" in line]


def test_the_readme_and_help_examples_that_need_a_head_take_it_from_raceledger_head(tmp_path):
    """Run as written, in a shell, on a ledger of their own: no example carries a made-up hash."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from click.testing import CliRunner

    from cli import cli

    root = Path(__file__).resolve().parent.parent
    readme = _shell_examples((root / "README.md").read_text(encoding="utf-8"))
    helped = _shell_examples(CliRunner().invoke(cli, ["verify", "--help"], prog_name="raceledger").stdout)
    assert any("verify --head" in line for line in readme) and any("verify --head" in line for line in helped)
    for line in readme + helped:
        assert not re.search(r"--head [0-9]", line), line
    commands = [line for line in readme + helped if line.startswith(("raceledger", "published="))]
    script = "set -e\nraceledger demo > /dev/null\n" + "\n".join(commands)
    env = {**os.environ, "RACELEDGER_DB": str(tmp_path / "ledger.db"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Verified ") == sum("verify --head" in line for line in commands) == 3

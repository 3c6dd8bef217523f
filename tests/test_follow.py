"""`results CATEGORY --follow` (issue 25, point 4): the claims as they stand, then each new claim as it
is recorded, until Ctrl-C; on SQLite and PostgreSQL, through the console script in its own process."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers import MARATHON, as_json, city_marathon, ctrl_c_as_at_a_terminal, ok

ROOT = Path(__file__).resolve().parent.parent
WOMEN = f"{MARATHON}/open-women"

pytestmark = pytest.mark.city(city_marathon({"open-women": ("Open women", "F")}, ("timing", "gazette")))


class Following:
    """A `results --follow` process, its output read line by line as it comes."""

    def __init__(self, db: str, *options: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RACELEDGER_")}
        self.process = subprocess.Popen(
            [sys.executable, "-c", "import cli; cli.main()", "--db", db, "results", WOMEN, "--follow",
             "--interval", "0.1", *options], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", preexec_fn=ctrl_c_as_at_a_terminal)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for text in self.process.stdout:
            self.lines.put(text)

    def next(self, count: int) -> list[str]:
        return [self.lines.get(timeout=60) for _ in range(count)]

    def interrupt(self) -> tuple[int, str]:
        """Ctrl-C: its exit code and what it wrote on stderr."""
        self.process.send_signal(signal.SIGINT)
        _, err = self.process.communicate(timeout=60)
        return self.process.returncode, err

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def claims_of(run) -> dict[int, dict]:
    """Every claim as `results --all -f json` holds it, by id, with its category."""
    return {c["id"]: {**c, "category": WOMEN} for p in as_json(run("results", WOMEN, "--all", "-f", "json"))
            for c in p["claims"]}


def test_follow_prints_the_claims_as_they_stand_then_each_new_one_as_results_json_holds_it(city, db, tmp_path):
    for source, text in (("timing", "1,Anna Nowak,2:30:00\n"), ("gazette", "1,Eva Kern,2:30:00\n")):  # a dispute
        (tmp_path / f"{source}.csv").write_text("Place,Name,Time\n" + text, encoding="utf-8")
        ok(city("import", WOMEN, str(tmp_path / f"{source}.csv"), "--source", source))
    following = Following(db, "-f", "jsonl")
    try:
        first = [json.loads(text) for text in following.next(2)]
        assert first == list(claims_of(city).values())
        ok(city("claim", WOMEN, "--source", "timing", "--unnamed", "a runner from Kaesong", "--position", "2",
                "--time", "2:31:00"))
        (tmp_path / "more.csv").write_text("Place,Name,Time\n3,Lena Berg,2:35:00\n4,Ida Holm,2:36:00\n", encoding="utf-8")
        ok(city("import", WOMEN, str(tmp_path / "more.csv"), "--source", "gazette"))
        ok(city("retract", "1", "--reason", "typed in error"))  # not a new claim: nothing printed for it
        new = [json.loads(text) for text in following.next(3)]
        assert [c["id"] for c in new] == [3, 4, 5]
        every = claims_of(city)
        assert new == [every[3], every[4], every[5]]
        assert set(new[0]) == set(every[1]) and new[0]["category"] == WOMEN
        code, err = following.interrupt()
        assert (code, err.strip()) == (130, f"Interrupted; followed {WOMEN}: 3 new claims shown.")  # no traceback
        assert following.lines.empty()
    finally:
        following.stop()


def test_follow_as_a_table_shows_source_text_inert(city, db):
    ok(city("claim", WOMEN, "--source", "timing", "--unnamed", "Anna \u202eNowak", "--position", "1"))
    following = Following(db)
    try:
        heading, rule, row = following.next(3)
        assert heading.split() == ["claim", "place", "bib", "athlete", "time", "status", "standing", "source"]
        assert set(rule.strip().replace(" ", "")) == {"-"}
        assert "\u202e" not in row and "(Anna \\u202eNowak)" in row and row.split()[:2] == ["1", "1"]
        ok(city("claim", WOMEN, "--source", "gazette", "--unnamed", "a runner from Kaesong", "--position", "2"))
        (new,) = following.next(1)
        assert new.split()[:2] == ["2", "2"] and "(a runner from Kaesong)" in new and new.rstrip().endswith("gazette")
        assert following.interrupt()[0] == 130
    finally:
        following.stop()


@pytest.mark.parametrize("options", [("-f", "json"), ("-f", "csv"), ("-f", "github"), ("--standings",)])
def test_follow_takes_a_table_or_json_lines_only(city, options):
    result = city("results", WOMEN, "--follow", *options)
    assert result.exit_code == 2 and "--follow prints a table of claims or, with -f jsonl, JSON lines" in result.output


def test_following_a_category_that_is_not_there_or_is_derived_is_one_error_line(city):
    result = city("results", f"{MARATHON}/nowhere", "--follow")
    assert result.exit_code == 1 and result.output.startswith("Error: ") and result.output.count("\n") == 1
    ok(city("category", "add", f"{MARATHON}/w40", "--name", "Women 40-44", "--sex", "F", "--age-min", "40",
            "--age-max", "44", "--derived-from", WOMEN))
    result = city("results", f"{MARATHON}/w40", "--follow")
    assert result.exit_code == 1 and "holds no claims of its own: follow that category instead" in result.output

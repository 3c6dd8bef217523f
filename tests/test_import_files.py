"""Generated results files either import exactly or fail naming exactly their bad lines."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ledger.core.times import format_ms

RACE = "gen-2025/marathon"
SOURCE = "timing"
_categories = itertools.count(1)

# A marathon cannot be run in 31:07 minutes: a two-part time there is h:mm (issue 22).
VALID_TIMES = {"2:31:07": (9067000, 0), "31:07": (112020000, 0), "41:07.5": (2467500, 1), "2:31:07.4": (9067400, 1), "2:31:07.04": (9067040, 2),
               "2:31:07.004": (9067004, 3), "3:02:00": (10920000, 0)}
TIME_STATUSES = {"DNF": "DNF", "dns": "DNS", "DQ": "DQ"}
BAD_TIMES = ["25:99:00", "2:31:7", "2:31:60"]
WORDS = ["abc"]  # a finisher's bad time; a non-finisher's no time (a DNF noting the words), with a warning
STATUSES = {"": None, "FIN": "FIN", "dnf": "DNF", "DNS": "DNS", "DQ TR 54.7.3": "DQ"}
BAD_STATUSES = ["XYZ", "finished"]
NAMES = ["Anna Nowak", "Kopeć, Wojciech", 'Jon "JJ" Su-gyong', "  Eva Berg  ", "Ola;Nordmann"]
BAD_NAMES = ["", "   ", "Maria\nSilva", "Eva\x1b[2JBerg"]  # a name is one line, free of control characters
POSITIONS = ["1", "2", "3", "4", ""]
BAD_POSITIONS = ["0", "x", "-1"]
BIBS = ["", "1", "2", "3", "A7", "12345678901234567890"]
BAD_BIBS = ["123456789012345678901"]

def _rows(clean: bool):
    """Rows of a file: from good values only (a file that must import), or from good and bad ones."""
    bad = (lambda values: []) if clean else (lambda values: values)
    return st.lists(st.fixed_dictionaries({
        "position": st.sampled_from(["next"] * 12 + ([""] * 4 if clean else POSITIONS + BAD_POSITIONS)),
        "bib": st.sampled_from(["next"] * 12 + ([""] * 2 if clean else BIBS + BAD_BIBS)),
        "name": st.sampled_from(NAMES * 6 + bad(BAD_NAMES)),
        "time": st.sampled_from([*VALID_TIMES] * 6 + ([""] if clean else [*TIME_STATUSES, ""] + BAD_TIMES + WORDS)),
        "status": st.sampled_from([""] * 20 + (["FIN"] if clean else list(STATUSES) + BAD_STATUSES)),
    }), min_size=1, max_size=8).map(lambda records: [
        {**row, "position": str(i + 1) if row["position"] == "next" else row["position"],
         "bib": str(100 + i) if row["bib"] == "next" else row["bib"]} for i, row in enumerate(records)])


rows = st.booleans().flatmap(_rows)
layouts = st.fixed_dictionaries({
    "delimiter": st.sampled_from([",", "\t", ";"]),
    "quoting": st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    "newline": st.sampled_from(["\n", "\r\n"]),
    "bom": st.booleans(),
})


def expected(records: list[dict]) -> tuple[list[tuple], set[int]]:
    """What a correct import makes of the rows: (claims, bad row indexes), worked out independently."""
    claims, bad, bibs, positions = [], set(), set(), {}
    for i, row in enumerate(records):
        errors = False
        name = row["name"].strip()
        errors |= not name or row["name"] in BAD_NAMES
        position = int(row["position"]) if row["position"].isdecimal() and row["position"] != "0" else None
        errors |= row["position"] in BAD_POSITIONS
        time = VALID_TIMES.get(row["time"])
        errors |= row["time"] in BAD_TIMES or row["status"] in BAD_STATUSES or row["bib"] in BAD_BIBS
        said = [s for s in (STATUSES.get(row["status"]), TIME_STATUSES.get(row["time"])) if s]
        if row["time"] in WORDS:
            errors |= position is not None or "FIN" in said or row["position"] in BAD_POSITIONS
            said = said or ["DNF"]
        errors |= len(set(said)) > 1
        status = said[0] if said else "FIN"
        errors |= not said and position is None and time is None
        errors |= status != "FIN" and position is not None
        if not errors and row["bib"]:
            errors |= row["bib"] in bibs
            bibs.add(row["bib"])
        if not errors and position is not None:
            given = time[0] if time else None
            errors |= positions.setdefault(position, given) != given
        if errors:
            bad.add(i)
        else:
            text = format_ms(*time) if time else None
            claims.append((position, name, text, status, row["bib"] or None))
    return claims, bad


def written(records: list[dict], layout: dict) -> tuple[bytes, list[int]]:
    """The file's bytes and the line each row starts on."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=layout["delimiter"], quoting=layout["quoting"], lineterminator=layout["newline"])
    writer.writerow(["Place", "Bib", "Name", "Gun Time", "Status"])
    starts = []
    for row in records:
        starts.append(len(re.findall(r"\r\n|\n", out.getvalue())) + 1)
        writer.writerow([row["position"], row["bib"], row["name"], row["time"], row["status"]])
    data = out.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data if layout["bom"] else data), starts


@pytest.fixture
def gen(ledger):
    for args in [("event", "add", "gen-2025", "--name", "Generated", "--date", "2025-05-01"),
                 ("race", "add", RACE, "--name", "Marathon", "--distance", "42195"),
                 ("source", "add", SOURCE, "--name", "Timing", "--kind", "official")]:
        assert ledger(*args).exit_code == 0
    return ledger


def journal_entries(run) -> int:
    return json.loads(run("info", "-f", "json").stdout)["journal_entries"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=rows, layout=layouts)
def test_a_generated_file_imports_exactly_or_names_its_bad_lines(gen, tmp_path, records, layout):
    category = f"{RACE}/c{next(_categories)}"
    assert gen("category", "add", category, "--name", "Generated").exit_code == 0
    data, starts = written(records, layout)
    path = tmp_path / "generated.csv"
    path.write_bytes(data)
    claims, bad = expected(records)
    event("bad rows" if bad else "imported")
    before = journal_entries(gen)
    result = gen("import", category, str(path), "--source", SOURCE)
    if bad:
        assert result.exit_code == 1, result.stdout
        # A failed import prints its warnings too (`FILE:LINE: warning: ...`): only errors name bad lines.
        reported = {int(m) for m in re.findall(rf"^{re.escape(str(path))}:(\d+): (?!warning: )", result.stderr,
                                               re.MULTILINE)}
        assert reported == {starts[i] for i in bad}
        assert journal_entries(gen) == before
        return
    assert result.exit_code == 0, result.stderr
    placings = json.loads(gen("results", category, "-f", "json").stdout)
    got = [(c["position"], c["as_written"], c["time"], c["status"]) for p in placings for c in p["claims"]]
    assert sorted(got, key=repr) == sorted([c[:4] for c in claims], key=repr)
    assert journal_entries(gen) == before + 1

"""`raceledger import`: formats, headers, every error with its line, nothing written on failure."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import as_json, city_marathon, ok

CAT = "city-2025/marathon/open-women"
OTHER_CAT = "city-2025/marathon/open-men"
HEADER = "Place,Bib,Name,Nat,YOB,Gun Time,Chip Time,Status\n"


# The City Marathon each test's `city` ledger starts from (see the `city` fixture in conftest.py): a marathon with a women's and a men's category, an official and a press source.
pytestmark = pytest.mark.city(city_marathon({"open-women": ("Open women", "F"), "open-men": ("Open men", "M")},
                              ("timing", "gazette")))


def write(tmp_path: Path, text: str, name: str = "results.csv", bom: bool = False) -> str:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return str(path)


def counts(run) -> tuple[int, int, int]:
    info = as_json(run("info", "-f", "json"))
    return info["journal_entries"], info["claims"], info["athletes"]


def claims_of(run, category: str = CAT) -> list[dict]:
    return [claim for placing in as_json(run("results", category, "-f", "json")) for claim in placing["claims"]]


def brief(run, category: str = CAT) -> list[tuple]:
    return [(c["position"], c["as_written"] or c["unnamed"], c["time"], c["net_time"], c["status"])
            for c in claims_of(run, category)]


def import_(run, path: str, *extra: str, category: str = CAT, source: str = "timing", input: str | None = None):
    return run("import", category, path, "--source", source, *extra, input=input)


# --- a good file --------------------------------------------------------------------------------


GOOD = HEADER + (
    "1,101,Anna Nowak,POL,1990,2:31:07,2:31:05,FIN\n"
    "2,102,Maria Silva,POR,1988,2:31:40.4,,\n"
    ",103,Jon Su-gyong,PRK,,DNF,,\n"
)


def test_a_file_becomes_one_journal_entry_and_one_claim_per_row(city, tmp_path):
    before = counts(city)
    result = import_(city, write(tmp_path, GOOD))
    assert ok(result).startswith(f"Imported 3 claims from {tmp_path / 'results.csv'} into {CAT} (source timing) "
                                 f"as journal entry {before[0] + 1}: 3 new athletes, 0 linked to existing ones.")
    assert counts(city) == (before[0] + 1, 3, 3)
    assert brief(city) == [(1, "Anna Nowak", "2:31:07", "2:31:05", "FIN"), (2, "Maria Silva", "2:31:40.4", None, "FIN"),
                           (None, "Jon Su-gyong", None, None, "DNF")]
    assert result.stderr == ""


def test_the_entry_is_an_import_with_the_file_name_sha256_mapping_and_row_count(city, tmp_path, db):
    import hashlib

    from ledger.journal.chain import body_pieces, stream
    from ledger.store.engine import open_engine, transaction

    path = write(tmp_path, GOOD)
    ok(import_(city, path))
    engine, _ = open_engine(db)
    with transaction(engine) as session:
        entry = list(stream(session))[-1]
        body = json.loads("".join(body_pieces(session, entry.seq, entry.body)))
    engine.dispose()
    assert entry.kind == "import" and entry.body is None
    header = body["header"]
    assert header["file"] == {"name": "results.csv", "sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest(),
                              "bytes": len(Path(path).read_bytes())}
    assert header["mapping"][0] == ["Place", "position"] and ["Chip Time", "net_time"] in header["mapping"]
    assert body["summary"] == {"rejected": 0, "rows": 3}
    assert len(body["rows"]) == 3


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_the_delimiter_is_sniffed_from_the_header(city, tmp_path, delimiter):
    ok(import_(city, write(tmp_path, GOOD.replace(",", delimiter))))
    assert len(claims_of(city)) == 3


def test_a_byte_order_mark_is_ignored(city, tmp_path):
    ok(import_(city, write(tmp_path, GOOD, bom=True)))
    assert brief(city)[0] == (1, "Anna Nowak", "2:31:07", "2:31:05", "FIN")


def test_standard_input_is_read_with_a_dash(city):
    result = import_(city, "-", input=GOOD)
    assert "from <stdin> into" in ok(result)
    assert len(claims_of(city)) == 3


def test_quoted_fields_keep_commas_and_later_lines_keep_their_numbers_but_a_name_keeps_no_newline(city, tmp_path):
    text = HEADER + '1,101,"Nowak, Anna",POL,,2:31:07,,\n2,102,"Maria\nSilva",POR,,2:31:40,,\n3,103,,POL,,2:32:00,,\n'
    result = import_(city, write(tmp_path, text))
    assert result.exit_code == 1
    assert f"{tmp_path / 'results.csv'}:3: name holds the control character '\\n' at character 6" in result.stderr
    assert f"{tmp_path / 'results.csv'}:5: missing name" in result.stderr  # the quoted newline is line 3-4
    text = text.replace("3,103,,", "3,103,Eva,").replace("Maria\nSilva", "Maria Silva")
    ok(import_(city, write(tmp_path, text)))
    assert [c[1] for c in brief(city)] == ["Nowak, Anna", "Maria Silva", "Eva"]


def test_first_and_last_name_columns_make_the_name(city, tmp_path):
    ok(import_(city, write(tmp_path, "Rank,First Name,Surname,Finish\n1,Anna,Nowak,2:31:07\n2,,Silva,2:32:00\n")))
    assert [c[1] for c in brief(city)] == ["Anna Nowak", "Silva"]


# A marathon run in 5:31 as m:ss would beat the world record: two-part times there are h:mm (issue 22).
@pytest.mark.parametrize("text,ms", [("2:05:31", "2:05:31"), ("5:31", "5:31:00"), ("45:31", "45:31:00"),
                                     ("2:05:31.4", "2:05:31.4"), ("2:05:31.40", "2:05:31.40"),
                                     ("2:05:31.004", "2:05:31.004"), ("105:00:01", "105:00:01")])
def test_times_in_every_form_keep_their_decimals(city, tmp_path, text, ms):
    ok(import_(city, write(tmp_path, f"Pos,Name,Time\n1,Anna,{text}\n")))
    assert brief(city)[0][2] == ms


def test_statuses_are_case_insensitive_and_a_disqualification_keeps_its_rule(city, tmp_path, db):
    from sqlalchemy import create_engine, text

    from ledger.store.engine import resolve_target

    file = "Pos,Name,Time,Status\n1,Anna,2:31:07,fin\n,Maria,,dnf\n,Jon,,Dns\n,Eva,2:40:00,DQ TR 54.7.3\n"
    ok(import_(city, write(tmp_path, file)))
    assert sorted(c[4] for c in brief(city)) == ["DNF", "DNS", "DQ", "FIN"]
    engine = create_engine(resolve_target(db).url)
    with engine.connect() as conn:
        notes = conn.execute(text("SELECT as_written, status_note FROM claim WHERE status_note IS NOT NULL")).all()
    engine.dispose()
    assert [tuple(n) for n in notes] == [("Eva", "TR 54.7.3")]
    eva = next(c for c in claims_of(city) if c["as_written"] == "Eva")
    assert (eva["status"], eva["status_note"]) == ("DQ", "TR 54.7.3")
    assert "DQ TR 54.7.3" in ok(city("results", CAT))  # in the table, as the file wrote it


def test_a_status_written_in_the_time_or_place_column_is_the_status(city, tmp_path):
    ok(import_(city, write(tmp_path, "Place,Name,Gun Time,Status\n1,Anna,2:31:07,\n,Maria,DNF,\nDNS,Jon,,\n"
                                     ",Eva,dq,DQ\n")))
    assert sorted((c[1], c[4], c[2]) for c in brief(city)) == [("Anna", "FIN", "2:31:07"), ("Eva", "DQ", None),
                                                              ("Jon", "DNS", None), ("Maria", "DNF", None)]


def test_a_tie_is_the_same_position_with_the_same_time(city, tmp_path):
    ok(import_(city, write(tmp_path, "Pos,Name,Time\n1,Anna,2:31:07\n1,Maria,2:31:07\n3,Jon,2:32:00\n")))
    assert [c[0] for c in brief(city)] == [1, 1, 3]


def test_the_citation_is_stored_on_every_claim(city, tmp_path):
    ok(import_(city, write(tmp_path, GOOD), "--url", "https://timing.example/r", "--published", "2025-10-13"))
    assert {(c["url"], c["published"]) for c in claims_of(city)} == {("https://timing.example/r", "2025-10-13")}


def test_a_bad_published_date_is_an_error_before_anything_is_read(city, tmp_path):
    result = import_(city, write(tmp_path, GOOD), "--published", "13/10/2025")
    assert result.exit_code == 1
    assert result.stderr == "Error: bad --published date '13/10/2025': expected YYYY-MM-DD, e.g. 2025-04-06\n"


def test_an_unnamed_row_from_results_output_stays_an_unnamed_athlete(city, tmp_path):
    ok(import_(city, write(tmp_path, "Pos,Athlete,Time\n1,(unnamed: a local athlete),2:31:07\n")))
    claim = claims_of(city)[0]
    assert (claim["athlete"], claim["unnamed"], claim["as_written"]) == (None, "a local athlete", None)


# --- headers and --map --------------------------------------------------------------------------


def test_common_header_spellings_are_read_case_insensitively(city, tmp_path):
    header = "OVERALL,No.,Runner,Gender,Country,Born,Official Time,Net Time,STATUS\n"
    ok(import_(city, write(tmp_path, header + "1,7,Anna Nowak,F,pol,1990,2:31:07,2:31:00,FIN\n")))
    claim = claims_of(city)[0]
    assert (claim["position"], claim["as_written"], claim["time"], claim["net_time"]) == (1, "Anna Nowak", "2:31:07",
                                                                                       "2:31:00")
    athlete = as_json(city("athlete", "show", "Anna Nowak", "-f", "json"))
    assert (athlete["nationality"], athlete["born"]) == ("POL", 1990)


def test_map_names_columns_the_aliases_do_not_know(city, tmp_path):
    path = write(tmp_path, "Rang,Startnummer,Läufer,Zeit,Verein\n1,7,Anna Nowak,2:31:07,LG Nord\n")
    result = import_(city, path, "--map", "Rang=position", "--map", "läufer=name", "--map", "ZEIT=time",
                     "--map", "Startnummer=bib")
    assert "Ignored columns: Verein" in result.stderr
    ok(result)
    assert brief(city) == [(1, "Anna Nowak", "2:31:07", None, "FIN")]


def test_two_time_columns_are_a_guess_said_and_map_overrides_it(city, tmp_path):
    path = write(tmp_path, "Place,Name,Time,Finish\n1,Anna,2:31:07,2:31:09\n")
    result = import_(city, path)
    assert "Guessed: time read from 'Time', not 'Finish' (--map 'Finish=time' to choose it)." in ok(result) + \
        result.stderr
    assert brief(city)[0][2] == "2:31:07"
    ok(import_(city, path, "--map", "Finish=time", "--again", category=OTHER_CAT))
    assert brief(city, OTHER_CAT)[0][2] == "2:31:09"


def test_map_ignore_drops_a_column(city, tmp_path):
    path = write(tmp_path, "Place,Name,Time,Finish\n1,Anna,2:31:07,garbage\n")
    result = import_(city, path, "--map", "Finish=ignore")
    assert "Finish (--map ignore)" in ok(result) + result.stderr
    assert import_(city, path, "--map", "Time=time", "--map", "Finish=time", category=OTHER_CAT).stderr == (
        f"Error: {path}: columns 'Time' and 'Finish' both hold time; choose one with --map 'Finish=ignore'\n")


@pytest.mark.parametrize("option,message", [
    ("Zeit", "bad --map 'Zeit': expected COLUMN=FIELD, e.g. --map 'Zeit=time'"),
    ("Zeit=speed", "bad --map 'Zeit=speed': unknown field 'speed'; fields are position, bib, name, first_name, "
                   "last_name, sex, nationality, birth_year, time, net_time, status, or ignore to skip a column"),
    ("Tempo=time", "bad --map 'Tempo=time': {path} has no column 'Tempo'; its columns are 'Place', 'Name', 'Zeit'"),
])
def test_a_bad_map_is_a_one_line_error(city, tmp_path, option, message):
    path = write(tmp_path, "Place,Name,Zeit\n1,Anna,2:31:07\n")
    result = import_(city, path, "--map", option)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {message.format(path=path)}\n"


def test_a_file_without_a_name_column_says_how_to_map_one(city, tmp_path):
    result = import_(city, write(tmp_path, "Place,Zeit\n1,2:31:07\n"))
    assert result.stderr.endswith("no name column (Name, Athlete, Runner, or First Name and Last Name); "
                                  "name it with --map COLUMN=name\n")


def test_the_header_aliases_cover_the_spellings_of_the_issue():
    from ledger.imports.resultsfile import resolve_mapping

    spellings = {
        "position": ["Place", "Pos", "Rank", "Overall"], "bib": ["Bib", "No", "Number"],
        "name": ["Name", "Athlete", "Runner"], "first_name": ["First Name"], "last_name": ["Last Name", "Surname"],
        "time": ["Gun Time", "Official Time", "Time", "Finish"], "net_time": ["Chip Time", "Net Time"],
        "nationality": ["Nat", "Country", "NOC", "Nationality"], "sex": ["Sex", "Gender"],
        "birth_year": ["YOB", "Born", "Birth Year"], "status": ["Status"],
    }
    for field, names in spellings.items():
        fillers = [] if field in ("name", "first_name", "last_name") else ["Runner"]
        fillers += [] if field in ("position", "time", "net_time", "status") else ["Status"]
        for spelling in names:
            for variant in (spelling, spelling.upper(), spelling.lower()):
                mapping = resolve_mapping([variant, *fillers], [], "f.csv")
                assert mapping.index[field] == 0, (field, variant)


# --- bad rows: every problem, with its line, and nothing written ---------------------------------


BAD = HEADER + (
    "1,101,Anna Nowak,POL,1990,2:31:07,,\n"      # 2: good
    "x,102,Maria Silva,POR,,2:31:40,,\n"         # 3: bad position
    "3,103,Jon Su-gyong,PRK,,2:3x:00,,\n"        # 4: bad time
    "4,104,Eva Berg,SWE,,2:33:00,,FINISHED\n"    # 5: unknown status
    "5,101,Ida Lund,SWE,,2:34:00,,\n"            # 6: duplicate bib
    "1,106,Ola Nordmann,NOR,,2:35:00,,\n"        # 7: position 1 again, another time
    "7,107,Kari Holm,NOR,,,,DNF\n"               # 8: position on a non-finisher
    "8,108,,NOR,,2:36:00,,\n"                    # 9: missing name
    "9,109,Per Dahl\n"                           # 10: wrong number of fields
)


def test_a_bad_file_writes_nothing_and_names_every_bad_line(city, tmp_path):
    path = write(tmp_path, BAD)
    before = counts(city)
    result = import_(city, path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path}:3: bad position 'x': expected a whole number such as 12",
        f"{path}:4: Gun Time: bad time '2:3x:00': expected H:MM:SS, M:SS or MM:SS (e.g. 2:05:31 or 2:05:31.4)",
        f"{path}:5: unknown status 'FINISHED': expected FIN, DNF, DNS or DQ",
        f"{path}:6: duplicate bib 101 (also on line 2)",
        f"{path}:7: position 1 is also on line 2 with 2:31:07, here with 2:35:00 (a tie needs the same time)",
        f"{path}:8: position 7 on a DNF row: only finishers hold a placing",
        f"{path}:9: missing name",
        f"{path}:10: expected 8 fields (as in the header), found 3",
        f"Error: {path}: 8 bad rows; nothing was imported (fix them, or import the good rows with "
        "--skip-invalid --rejects FILE)",
    ]
    assert counts(city) == before


def test_more_than_fifty_problems_are_capped_on_screen_with_a_count(city, tmp_path):
    path = write(tmp_path, "Pos,Name,Time\n" + "".join(f"{i},Runner {i},bad\n" for i in range(1, 81)))
    lines = import_(city, path).stderr.splitlines()
    assert len(lines) == 52
    assert lines[49].startswith(f"{path}:51: Time: bad time 'bad'")
    assert lines[50] == "... and 30 more problems"
    assert lines[51].startswith(f"Error: {path}: 80 bad rows; nothing was imported")


@pytest.mark.parametrize("text,problem", [
    ("0,Anna,2:31:07", "bad position '0': must be 1 or more"),
    ("-3,Anna,2:31:07", "bad position '-3': expected a whole number such as 12"),
    ("1,Anna,25:99:00", "Time: bad time '25:99:00': minutes must be below 60"),
    ("1,Anna,-2:31:07", "Time: bad time '-2:31:07': expected H:MM:SS, M:SS or MM:SS (e.g. 2:05:31 or 2:05:31.4), "
                        "or DNF, DNS, DQ"),
    (",Anna,", "no position, time or status"),
])
def test_each_kind_of_bad_value_is_named(city, tmp_path, text, problem):
    path = write(tmp_path, f"Pos,Name,Time\n{text}\n")
    assert import_(city, path).stderr.splitlines()[0] == f"{path}:2: {problem}"


def test_fields_past_the_header_are_ignored_with_one_warning(city, tmp_path):
    """Extra splits a timing export writes past its header: read without them (issue 22), said once."""
    path = write(tmp_path, "Pos,Name,Time\n1,Anna,2:31:07,1:15:02\n2,Eva,2:32:00,1:15:40,0:40:10\n")
    result = import_(city, path)
    assert result.stderr.splitlines()[0] == (f"{path}:2: warning: 4 fields where the header has 3: the fields past "
                                             "the header's are ignored (on this and every such line)")
    ok(result)
    assert [c[2] for c in brief(city)] == ["2:31:07", "2:32:00"]


def test_bad_codes_are_named(city, tmp_path):
    path = write(tmp_path, "Pos,Name,Nat,YOB,Sex\n1,Anna,Poland,1890,Q\n")
    assert import_(city, path).stderr.splitlines()[:3] == [
        f"{path}:2: bad nationality 'Poland': expected a three-letter code such as POL or PRK",
        f"{path}:2: bad birth year '1890': expected a year between 1900 and {__import__('datetime').date.today().year}",
        f"{path}:2: unknown sex 'Q': expected M, F or X",
    ]


def test_a_file_that_is_not_utf8_is_refused_with_its_line(city, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("Pos,Name,Time\n1,Anna,2:31:07\n2,Bj\xf6rk,2:32:00\n".encode("latin-1"))
    result = import_(city, str(path))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}:3: not UTF-8 text; save the file as UTF-8 (with or without BOM)\n"


@pytest.mark.parametrize("text,message", [
    ("", "the file is empty; expected a header line, then one line per result"),
    ("Pos,Name,Time\n", "no rows to import"),
])
def test_an_empty_file_is_an_error(city, tmp_path, text, message):
    path = write(tmp_path, text)
    assert import_(city, path).stderr == f"Error: {path}: {message}\n"


def test_unknown_category_source_or_file_are_one_line_errors(city, tmp_path):
    path = write(tmp_path, GOOD)
    assert import_(city, path, category="city-2025/marathon/open-woman").stderr == (
        f"Error: no category 'city-2025/marathon/open-woman'; did you mean '{CAT}'?\n")
    assert import_(city, path, source="timming").stderr == "Error: no source 'timming'; did you mean 'timing'?\n"
    assert import_(city, str(tmp_path / "missing.csv")).stderr == f"Error: no file '{tmp_path / 'missing.csv'}'\n"


# --- skipping bad rows --------------------------------------------------------------------------


def test_skip_invalid_imports_the_good_rows_and_keeps_every_rejected_row(city, tmp_path):
    path, rejects = write(tmp_path, BAD), tmp_path / "rejects.csv"
    result = import_(city, path, "--skip-invalid", "--rejects", str(rejects))
    assert "; 8 rows rejected." in ok(result)
    assert [c[1] for c in brief(city)] == ["Anna Nowak"]
    assert rejects.read_text(encoding="utf-8").splitlines() == [
        "line,reason,Place,Bib,Name,Nat,YOB,Gun Time,Chip Time,Status",
        "3,bad position 'x': expected a whole number such as 12,x,102,Maria Silva,POR,,2:31:40,,",
        '4,"Gun Time: bad time \'2:3x:00\': expected H:MM:SS, M:SS or MM:SS (e.g. 2:05:31 or 2:05:31.4)",'
        "3,103,Jon Su-gyong,PRK,,2:3x:00,,",
        "5,\"unknown status 'FINISHED': expected FIN, DNF, DNS or DQ\",4,104,Eva Berg,SWE,,2:33:00,,FINISHED",
        "6,duplicate bib 101 (also on line 2),5,101,Ida Lund,SWE,,2:34:00,,",
        "7,\"position 1 is also on line 2 with 2:31:07, here with 2:35:00 (a tie needs the same time)\","
        "1,106,Ola Nordmann,NOR,,2:35:00,,",
        "8,position 7 on a DNF row: only finishers hold a placing,7,107,Kari Holm,NOR,,,,DNF",
        "9,missing name,8,108,,NOR,,2:36:00,,",
        "10,\"expected 8 fields (as in the header), found 3\",9,109,Per Dahl",
    ]


def test_the_rejects_file_can_be_fixed_and_imported(city, tmp_path):
    path, rejects = write(tmp_path, HEADER + "1,1,Anna,POL,,2:31:07,,\n2,2,Maria,POR,,2:3x:40,,\n"), tmp_path / "r.csv"
    ok(import_(city, path, "--skip-invalid", "--rejects", str(rejects)))
    fixed = rejects.read_text(encoding="utf-8").replace("2:3x:40", "2:31:40")
    ok(import_(city, write(tmp_path, fixed, "fixed.csv")))
    assert [c[1] for c in brief(city)] == ["Anna", "Maria"]


@pytest.mark.parametrize("options,message", [
    (("--skip-invalid",), "--skip-invalid needs --rejects FILE, so that no rejected row is lost"),
    (("--rejects", "r.csv"), "--rejects FILE goes with --skip-invalid (without it, a bad row stops the import)"),
])
def test_skip_invalid_and_rejects_go_together(city, tmp_path, options, message):
    result = import_(city, write(tmp_path, GOOD), *options)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {message}\n"


# --- the same file twice, dry runs, warnings ----------------------------------------------------


def test_the_same_file_again_is_refused_unless_again(city, tmp_path):
    path = write(tmp_path, GOOD)
    ok(import_(city, path))
    before = counts(city)
    result = import_(city, path)
    assert result.exit_code == 1
    assert re.fullmatch(rf"Error: {re.escape(path)} was already imported into {CAT} from timing \(journal entry "
                        r"\d+, SHA-256 [0-9a-f]{12}\.\.\.\); to import it again, add --again\n", result.stderr)
    assert counts(city) == before
    ok(import_(city, path, "--again"))
    assert counts(city)[1] == 6


def test_the_same_file_for_another_source_or_category_is_no_repeat(city, tmp_path):
    path = write(tmp_path, GOOD)
    ok(import_(city, path))
    ok(import_(city, path, source="gazette"))
    ok(import_(city, path, category=OTHER_CAT))


def test_a_dry_run_checks_everything_and_writes_nothing(city, tmp_path):
    before = counts(city)
    result = import_(city, write(tmp_path, GOOD), "--dry-run")
    assert ok(result).startswith("Dry run, nothing written: importing would record 3 claims")
    assert result.stderr == ("Columns: Place = position, Bib = bib, Name = name, Nat = nationality, YOB = birth_year, "
                             "Gun Time = time, Chip Time = net_time, Status = status.\n")  # what a real run would read
    assert counts(city) == before
    bad = import_(city, write(tmp_path, BAD, "bad.csv"), "--dry-run")
    assert bad.exit_code == 1 and "bad.csv:3: bad position 'x'" in bad.stderr


def test_implausible_values_are_warnings_not_errors(city, tmp_path):
    path = write(tmp_path, "Pos,Name,Sex,YOB,Time,Chip Time\n1,Anna,F,1990,1:55:00,1:54:00\n2,Maria,M,2024,2:31:00,"
                           "2:32:00\n")
    result = import_(city, path)
    ok(result)
    assert result.stderr.splitlines() == [
        f"{path}:2: warning: time 1:54:00 is faster than the world record for 42195 m (about 2:00:35): check it",
        f"{path}:3: warning: net time 2:32:00 is longer than the gun time 2:31:00",
        f"{path}:3: warning: born 2024: 1 years old on race day",
        f"{path}:3: warning: sex M in a category for F",
    ]
    assert len(claims_of(city)) == 2


# --- progress and round trips -------------------------------------------------------------------


def test_no_progress_is_printed_when_stderr_is_not_a_terminal(city, tmp_path):
    big = "Pos,Name,Time\n" + "".join(f"{i},Runner {i},2:{10 + i // 3600 % 40}:{i % 60:02d}\n" for i in range(1, 3001))
    result = import_(city, write(tmp_path, big))
    ok(result)
    assert result.stderr == ""


def test_progress_bars_draw_on_a_terminal_only(monkeypatch):
    import io
    import sys

    from ledger.cli.printing import progress_bars
    from ledger.core.progress import silent

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    with progress_bars()("Importing results.csv", 100) as advance:
        advance(60)
        advance(40)
    assert "Importing results.csv" in screen.getvalue()
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert progress_bars() is silent


def test_results_csv_imports_back_as_the_same_placings(city, tmp_path):
    file = HEADER + ("1,101,Anna Nowak,POL,1990,2:31:07,2:31:05,FIN\n1,102,Maria Silva,POR,,2:31:07,,\n"
                     "3,103,\"Nowak, Ewa\",POL,,2:40:00.25,,\n,104,Jon Su-gyong,PRK,,DNF,,\n"
                     ",105,Eva Berg,SWE,,2:50:00,,DQ TR 54.7.3\n")
    ok(import_(city, write(tmp_path, file)))
    exported = ok(city("results", CAT, "-f", "csv"))
    ok(import_(city, write(tmp_path, exported, "results-export.csv"), category=OTHER_CAT))
    assert brief(city, OTHER_CAT) == brief(city, CAT)
    assert [c["status_note"] for c in claims_of(city, OTHER_CAT)] == [c["status_note"] for c in claims_of(city)]


def test_an_import_leaves_every_reference_whole(city, tmp_path, db):
    from sqlalchemy import create_engine, text

    from ledger.store.engine import resolve_target

    ok(import_(city, write(tmp_path, GOOD)))
    engine = create_engine(resolve_target(db).url)
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        orphans = conn.execute(text(
            "SELECT count(*) FROM claim c LEFT JOIN athlete a ON a.id = c.athlete_id LEFT JOIN journal j ON "
            "j.seq = c.seq WHERE (c.athlete_id IS NOT NULL AND a.id IS NULL) OR j.seq IS NULL")).scalar()
    engine.dispose()
    assert orphans == 0


def test_trusted_references_last_only_for_the_transaction(tmp_path):
    from sqlalchemy import event, text

    from ledger.store.bulk import trusted_references
    from ledger.store.engine import make_engine, resolve_target, transaction

    engine = make_engine(resolve_target(str(tmp_path / "x.db")))
    trusted_references(engine)
    returned = []
    event.listen(engine.pool, "checkin", lambda dbapi, _record: returned.append(
        dbapi.execute("PRAGMA foreign_keys").fetchone()[0]))
    with transaction(engine) as session:
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 0
    assert returned == [1]  # back in the pool with the checks on
    engine.dispose()


def test_an_import_of_thousands_of_rows_is_one_entry(city, tmp_path):
    rows = "".join(f"{i},{i},Runner {i},POL,,2:{30 + i // 60 % 30}:{i % 60:02d},,\n" for i in range(1, 2501))
    ok(import_(city, write(tmp_path, HEADER + rows)))
    assert len(claims_of(city)) == 2500
    export = ok(city("export"))
    assert export.count('"kind":"import"') == 1

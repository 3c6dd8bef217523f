"""Timing companies' exports as they come, imported without `--map` (issue 22).

Every file here is made up: fictional people in the shapes real exports take (a German ultra's
semicolon file, a French `Clt;Dossard;Nom` file, the Boston 2010 file's `3 / 22672` places in
decimal minutes, the Boston 2019 file's `Gender` column of places beside `M/F`). No row is copied.
"""

from __future__ import annotations

import json
import re

import pytest
from helpers import EVENT, MARATHON, as_json, city_marathon, ok

ULTRA = f"{EVENT}/100k"
OPEN = f"{MARATHON}/open"

pytestmark = pytest.mark.city(city_marathon({"open": ("Open", "X")}, ("timing", "gazette", "state-tv")) + [
    ("race", "add", ULTRA, "--name", "100 km", "--distance", "100000"),
    ("race", "add", f"{EVENT}/10k", "--name", "10 km", "--distance", "10000"),
    ("category", "add", f"{ULTRA}/all", "--name", "All"),
    ("category", "add", f"{EVENT}/10k/all", "--name", "All"),
])


def write(tmp_path, text: str, name: str = "results.csv", encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def claims_of(run, category: str) -> list[dict]:
    return [claim for placing in as_json(run("results", category, "-f", "json")) for claim in placing["claims"]]


def brief(run, category: str) -> list[tuple]:
    return [(c["position"], c["athlete"] or c["unnamed"], c["bib"], c["time"], c["net_time"], c["status"])
            for c in claims_of(run, category)]


def entries(run) -> int:
    return as_json(run("info", "-f", "json"))["journal_entries"]


def reading(result) -> list[str]:
    """What the importer said about its reading of the file (not the rows' warnings)."""
    return [line for line in result.stderr.splitlines() if line.startswith(("Columns:", "Ignored", "Guessed", "Ranking"))]


# --- a German ultra's export ----------------------------------------------------------------------


GERMAN = ("\ufeffPlatz;Startnr;Name;Vorname;Nation;Verein;AK;Laufzeit;Zielzeit\r\n"
          "1.;12;Muster;Hans;GER;LG Nord;M40;8:12:33;14:12:33\r\n"
          "2.;15;Beispiel;Karl;AUT;-;M45;8:40:10;14:40:10;50km 3:55:00;80km 6:30:00\r\n"
          "3.;31;Probe;Erika;SUI;TV Süd;W35;9:01:02,5;15:01:02\r\n"
          "-;17;Test;Otto;GER;-;M50;aufgegeben;-\r\n"
          "-;18;Kurz;Ida;GER;-;W40;nicht gestartet;-\r\n")


def test_a_german_semicolon_export_with_bom_and_crlf_imports_without_map(city, tmp_path):
    path = write(tmp_path, GERMAN)
    result = city("import", f"{ULTRA}/all", path, "--source", "timing")
    assert ok(result).startswith(f"Imported 5 claims from {path} into {ULTRA}/all")
    assert brief(city, f"{ULTRA}/all") == [
        (1, "Hans Muster", "12", "8:12:33", None, "FIN"), (2, "Karl Beispiel", "15", "8:40:10", None, "FIN"),
        (3, "Erika Probe", "31", "9:01:02.5", None, "FIN"), (None, "Ida Kurz", "18", None, None, "DNF"),
        (None, "Otto Test", "17", None, None, "DNF")]
    assert [c["status_note"] for c in claims_of(city, f"{ULTRA}/all")][3:] == ["nicht gestartet", "aufgegeben"]
    assert result.stderr.splitlines()[:3] == [
        f"{path}:3: warning: 11 fields where the header has 9: the fields past the header's are ignored "
        "(on this and every such line)",
        f"{path}:5: warning: Laufzeit 'aufgegeben' is not a time: read as no time (a non-finisher)",
        f"{path}:6: warning: Laufzeit 'nicht gestartet' is not a time: read as no time (a non-finisher)",
    ]
    assert reading(result) == [
        "Columns: Platz = position, Startnr = bib, Name = last_name, Vorname = first_name, Nation = nationality, "
        "Laufzeit = time.",
        "Ignored columns: Verein (a club); AK (an age class); Zielzeit (a clock time (later than 'Laufzeit' on "
        "every row read)) (read one with --map COLUMN=FIELD).",
        "Guessed: time read from 'Laufzeit', not 'Zielzeit' (--map 'Zielzeit=time' to choose it).",
        "Guessed: 'Name' beside 'Vorname' read as the surname.",
    ]


def test_map_overrides_the_guessed_time_column(city, tmp_path):
    path = write(tmp_path, "\n".join(GERMAN.splitlines()[:3]) + "\n")
    ok(city("import", f"{ULTRA}/all", path, "--source", "timing", "--map", "Zielzeit=time"))
    assert [c[3] for c in brief(city, f"{ULTRA}/all")] == ["14:12:33", "14:40:10"]
    # without the non-finishers' Laufzeit, their rows say nothing: the override is taken at its word
    result = city("import", OPEN, write(tmp_path, GERMAN, "all.csv"), "--source", "timing", "--map", "Zielzeit=time")
    assert result.stderr.splitlines()[1:3] == [f"{tmp_path / 'all.csv'}:5: no position, time or status",
                                               f"{tmp_path / 'all.csv'}:6: no position, time or status"]


def test_words_in_a_finishers_time_cell_are_still_a_bad_time(city, tmp_path):
    path = write(tmp_path, "Platz;Name;Laufzeit\n1.;Hans Muster;aufgegeben\n")
    result = city("import", f"{ULTRA}/all", path, "--source", "timing")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (f"{path}:2: Laufzeit: bad time 'aufgegeben': expected H:MM:SS, M:SS "
                                             "or MM:SS (e.g. 2:05:31 or 2:05:31.4), or DNF, DNS, DQ")


# --- a French export ------------------------------------------------------------------------------


def test_a_french_export_reads_clt_dossard_nom_prenom_and_tpsnet(city, tmp_path):
    text = ("Clt;Dossard;Nom;Prénom;Cat;Pays;Temps;TpsGun;TpsNet\n"
            "1;101;Dupont;Jean;SEH;FRA;2h31m07s;2h31m07s;2h31m05s\n"
            "2;102;Martin;Paule;SEF;BEL;2h32m10s;2h32m10s;2h32m01s\n"
            "DSQ;104;Petit;Luc;SEH;FRA;-;-;-\n")
    result = city("import", OPEN, write(tmp_path, text), "--source", "timing")
    ok(result)
    assert brief(city, OPEN) == [(1, "Jean Dupont", "101", "2:31:07", "2:31:05", "FIN"),
                                 (2, "Paule Martin", "102", "2:32:10", "2:32:01", "FIN"),
                                 (None, "Luc Petit", "104", None, None, "DQ")]
    assert "Guessed: time read from 'Temps', not 'TpsGun' (--map 'TpsGun=time' to choose it)." in reading(result)


def test_names_written_surname_first_are_read_given_name_first_and_said(city, tmp_path):
    ok(city("athlete", "add", "Jean Dupont", "--nationality", "FRA"))
    text = "Clt;Dos;Nom;Temps\n1;7;DUPONT Jean;2:31:07\n2;8;DE LA TOUR Anne-Marie;2:40:00\n3;9;Eva Berg;2:41:00\n"
    path = write(tmp_path, text)
    result = city("import", OPEN, path, "--source", "timing")
    assert "1 linked to existing ones" in ok(result)
    assert [c[1] for c in brief(city, OPEN)] == ["Jean Dupont", "Anne-Marie DE LA TOUR", "Eva Berg"]
    assert ("Guessed: names are written SURNAME First (2 of the first 3): 'DUPONT Jean' is read as 'Jean DUPONT' "
            "(--map 'Nom=name' to keep each as written).") in reading(result)
    ok(city("import", f"{ULTRA}/all", path, "--source", "timing", "--map", "Nom=name"))
    assert [c[1] for c in brief(city, f"{ULTRA}/all")][:2] == ["DUPONT Jean", "DE LA TOUR Anne-Marie"]


# --- Boston's shapes: places with their ranking's size, decimal minutes, Gender holding places -------


BOSTON_2010 = (
    "division,name,city,gender,age,official,bib,overall,state,genderdiv,net,country\n"
    '1        / 12,"Rollo, Aaron",Tintown,M,37,86.88,W1,1        / 15,,1        / 13,,RSA\n'
    '3        / 900,"Quill, Bert",Oakvale,M,29,128.65,1,3        / 2000,,3        / 1200,,ETH\n'
    '3        / 800,"Vance, Cora",Elmfield,F,33,148.58,F1,58       / 2000,,3        / 800,,KEN\n'
    '2        / 12,"Stave, Dario",Cedarton,M,46,86.93,W2,2        / 15,GA,2        / 13,,USA\n'
    '1        / 900,"Orme, Emil",Ashby,M,21,125.87,6,1        / 2000,,1        / 1200,,KEN\n'
    '-,"Kettle, Gus B.",Rio Verde,M,29,110.65,W25,3        / 15,PR,3        / 13,,USA\n'
    '1        / 17,"Urey, Ivo",Roveredo,M,36,88.73,201,1        / 20,,1        / 17,,SUI\n'
    '2        / 17,"Welk, Jan",Long Beach,M,38,91.37,202,2        / 20,CA,2        / 17,,USA\n'
)


def test_places_with_ranking_sizes_split_a_race_file_into_rankings_named_by_bib_prefix_or_size(city, tmp_path):
    before = entries(city)
    result = city("import", MARATHON, write(tmp_path, BOSTON_2010), "--source", "timing")
    assert ok(result).startswith(f"Imported 8 claims from {tmp_path / 'results.csv'} into {MARATHON} (source timing) "
                                 f"as journal entry {before + 1}:")
    assert entries(city) == before + 1
    assert reading(result) == [
        "Columns: name = name, gender = sex, official = time, bib = bib, overall = position, net = net_time, "
        "country = nationality.",
        "Ignored columns: division (places within a division (numbers)); city (a home town); age (an age); "
        "state (a state); genderdiv (places among one sex (numbers)) (read one with --map COLUMN=FIELD).",
        "Guessed: official: decimal numbers read as minutes (128.65 = 2:08:39).",
        f"Ranking {MARATHON}/w: 3 rows (category made by this import).",
        f"Ranking {MARATHON}/2000: 3 rows (category made by this import).",
        f"Ranking {MARATHON}/20: 2 rows (category made by this import).",
    ]
    assert brief(city, f"{MARATHON}/2000") == [(1, "Orme, Emil", "6", "2:05:52.2", None, "FIN"),
                                               (3, "Quill, Bert", "1", "2:08:39", None, "FIN"),
                                               (58, "Vance, Cora", "F1", "2:28:34.8", None, "FIN")]
    assert [c[0] for c in brief(city, f"{MARATHON}/w")] == [1, 2, 3]
    categories = {c["slug"]: c["name"] for c in as_json(city("category", "list", "-f", "json"))}
    assert (categories[f"{MARATHON}/w"], categories[f"{MARATHON}/20"]) == ("W", "20")


def test_a_race_file_of_one_ranking_asks_for_a_category(city, tmp_path):
    path = write(tmp_path, "Place,Name,Time\n1,Anna Nowak,2:31:07\n")
    result = city("import", MARATHON, path, "--source", "timing")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {MARATHON} is a race: name one of its categories (RACE/CATEGORY), or split the "
                             "file into one category per ranking with --split-by COLUMN (or section)\n")


BOSTON_2019 = ("Bib,Name,Age,M/F,City,State,Country,Citizen,,5K,10K,Half,Pace,Proj Time,Official Time,Overall,Gender,"
               "Division\n"
               '1,"Orme, Emil",29,M,Ashby,,KEN,,,0:15:05,0:30:12,1:04:10,0:04:56,-,2:07:57,1,1,1\n'
               'F1,"Vance, Cora",33,F,Elmfield,,KEN,,,0:17:05,0:34:12,1:12:10,0:05:36,-,2:23:31,30,1,1\n')


@pytest.mark.parametrize("repeated", [False, True])
def test_a_gender_column_of_places_beside_m_f_is_ignored_and_said(city, tmp_path, repeated):
    lines = BOSTON_2019.splitlines(keepends=True)
    path = write(tmp_path, "".join(lines[:2] + lines[:1] * repeated + lines[2:]))  # a header again: still places
    result = city("import", OPEN, path, "--source", "timing")
    ok(result)
    assert [(c["position"], c["time"]) for c in claims_of(city, OPEN)] == [(1, "2:07:57"), (30, "2:23:31")]
    said = reading(result)
    assert said[0] == ("Columns: Bib = bib, Name = name, M/F = sex, Country = nationality, Official Time = time, "
                       "Overall = position.")
    assert said[1] == ("Ignored columns: Age (an age); City (a home town); State (a state); Citizen (a citizenship); "
                       "column 9 (a column without a header); 5K (a split time); 10K (a split time); Half (a split "
                       "time); Pace (a pace); Proj Time (a projected time); Gender (it holds numbers (places among "
                       "one sex), not sexes); Division (places within a division (numbers)) (read one with --map "
                       "COLUMN=FIELD).")
    assert said[2] == ("Guessed: 'Gender' holds numbers, so it is read as places among one sex and ignored "
                       "(--map 'Gender=sex' to read it as the sex).")
    overridden = city("import", f"{ULTRA}/all", path, "--source", "timing", "--map", "Gender=sex")
    assert overridden.exit_code == 1
    assert f"{path}:2: unknown sex '1': expected M, F or X" in overridden.stderr
    assert ("Guessed: the header line is repeated 1 time(s) further down: skipped." in said) is repeated


# --- times --------------------------------------------------------------------------------------


@pytest.mark.parametrize("race,text,time,said", [
    (ULTRA, "12:31", "12:31:00", True),       # 12 minutes for 100 km is impossible: h:mm
    (f"{EVENT}/10k", "31:07", "0:31:07", False),  # a possible 10 km time: m:ss
    (ULTRA, "12h34m56s", "12:34:56", False),
    (ULTRA, "26:01:02", "26:01:02", False),    # over 24 hours
])
def test_two_part_and_long_times_are_read_by_the_race_distance(city, tmp_path, race, text, time, said):
    result = city("import", f"{race}/all", write(tmp_path, f"Place,Name,Time\n1,Anna Nowak,{text}\n"),
                  "--source", "timing")
    ok(result)
    assert claims_of(city, f"{race}/all")[0]["time"] == time
    note = ("Guessed: Time: two-part times read as h:mm (2:31 = 2:31:00), since as m:ss they would beat the world "
            "record for 100000 m (about 5:00:57).")
    assert (note in reading(result)) is said


# --- several rankings in one file ---------------------------------------------------------------


SPLIT = ("Platz;Startnr;Name;Zeit;Wertung\n"
         "1.;1;Hans Muster;8:12:33;Männer\n"
         "1.;31;Erika Probe;9:01:02;Frauen\n"
         "2.;15;Karl Beispiel;8:40:10;Männer\n"
         "1.;S1;Staffel Nord;7:55:00;Staffel 4×25 km\n"
         "2.;33;Ida Kurz;10:02:00;Frauen\n")


def test_split_by_a_column_records_each_ranking_in_its_own_category_in_one_entry(city, tmp_path):
    ok(city("category", "add", f"{ULTRA}/frauen", "--name", "Frauen", "--sex", "F"))
    before = entries(city)
    result = city("import", ULTRA, write(tmp_path, SPLIT), "--source", "timing", "--split-by", "wertung")
    ok(result)
    assert entries(city) == before + 1
    assert reading(result)[-3:] == [f"Ranking {ULTRA}/manner: 2 rows (category made by this import).",
                                    f"Ranking {ULTRA}/frauen: 2 rows.",
                                    f"Ranking {ULTRA}/staffel-4-25-km: 1 row (category made by this import)."]
    assert "Wertung (its values name the rankings (--split-by))" in reading(result)[1]
    assert [(c[0], c[1]) for c in brief(city, f"{ULTRA}/manner")] == [(1, "Hans Muster"), (2, "Karl Beispiel")]
    assert [(c[0], c[1]) for c in brief(city, f"{ULTRA}/frauen")] == [(1, "Erika Probe"), (2, "Ida Kurz")]
    made = {c["slug"]: c["name"] for c in as_json(city("category", "list", "-f", "json"))}
    assert made[f"{ULTRA}/staffel-4-25-km"] == "Staffel 4×25 km"
    history = as_json(city("history", f"{ULTRA}/staffel-4-25-km", "-f", "json"))
    assert [h["seq"] for h in history] == [before + 1]
    assert f"into {ULTRA} (3 categories) from timing: claims 1-5" in history[0]["summary"]


def test_a_dry_run_of_a_split_says_which_categories_would_be_made_and_makes_none(city, tmp_path):
    before = as_json(city("category", "list", "-f", "json"))
    result = city("import", ULTRA, write(tmp_path, SPLIT), "--source", "timing", "--split-by", "Wertung", "--dry-run")
    assert ok(result).startswith("Dry run, nothing written")
    assert f"Ranking {ULTRA}/manner: 2 rows (category would be made by the import)." in reading(result)
    assert as_json(city("category", "list", "-f", "json")) == before


def test_split_by_section_reads_the_parts_a_repeated_header_starts(city, tmp_path):
    text = ("Pos,Bib,Name,Time\n1,1,Ann Aby,2:31:07\n2,2,Bea Bly,2:32:00\n"
            "Pos,Bib,Name,Time\n1,11,Cal Coe,2:20:00\n")
    result = city("import", MARATHON, write(tmp_path, text), "--source", "timing", "--split-by", "section")
    ok(result)
    assert reading(result)[-2:] == [f"Ranking {MARATHON}/section-1: 2 rows (category made by this import).",
                                    f"Ranking {MARATHON}/section-2: 1 row (category made by this import)."]
    assert [c[1] for c in brief(city, f"{MARATHON}/section-2")] == ["Cal Coe"]


def test_a_repeated_header_in_one_ranking_is_skipped_and_said(city, tmp_path):
    text = "Pos,Bib,Name,Time\n1,1,Ann Aby,2:31:07\nPos,Bib,Name,Time\n2,2,Bea Bly,2:32:00\n"
    result = city("import", OPEN, write(tmp_path, text), "--source", "timing", "--map", "Pos=ignore")
    ok(result)
    assert [c[1] for c in brief(city, OPEN)] == ["Ann Aby", "Bea Bly"]
    assert "Guessed: the header line is repeated 1 time(s) further down: skipped." in reading(result)


@pytest.mark.parametrize("args,message", [
    (("--split-by", "Course"), "bad --split-by 'Course': {path} has no such column; its columns are 'Platz', "
                               "'Startnr', 'Name', 'Zeit', 'Wertung'"),
    (("--split-by", "Wertung", "--supersedes"), "--supersedes takes one source's word on one category: it goes with "
                                                "neither --split-by, --source-column nor a race"),
])
def test_a_bad_split_is_one_error_line_and_writes_nothing(city, tmp_path, args, message):
    path = write(tmp_path, SPLIT)
    before = as_json(city("info", "-f", "json"))
    result = city("import", ULTRA, path, "--source", "timing", *args)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {message.format(path=path)}\n"
    assert as_json(city("info", "-f", "json")) == before


def test_split_by_into_a_category_is_refused(city, tmp_path):
    result = city("import", f"{ULTRA}/all", write(tmp_path, SPLIT), "--source", "timing", "--split-by", "Wertung")
    assert result.stderr == (f"Error: --split-by makes one category per ranking under a race: give the race "
                             f"'{ULTRA}', not the category '{ULTRA}/all'\n")


def test_a_bad_row_in_a_split_file_writes_no_category(city, tmp_path):
    path = write(tmp_path, SPLIT.replace("9:01:02", "9:0x:02"))
    before = as_json(city("category", "list", "-f", "json"))
    result = city("import", ULTRA, path, "--source", "timing", "--split-by", "Wertung")
    assert result.exit_code == 1 and result.stderr.splitlines()[-1].startswith(f"Error: {path}: 1 bad row;")
    assert as_json(city("category", "list", "-f", "json")) == before


# --- a disputed category's results CSV goes back in ------------------------------------------------


def test_a_disputed_categorys_results_csv_imports_back_with_source_column(city, tmp_path):
    ok(city("import", OPEN, write(tmp_path, "Place,Bib,Name,Time\n1,7,Anna Nowak,2:31:07\n2,8,Eva Berg,2:32:00\n"
                                  ",9,Ida Lund,DNF\n"), "--source", "timing"))
    ok(city("athlete", "add", "Kim Song-hui", "--nationality", "PRK"))
    ok(city("claim", OPEN, "--source", "state-tv", "--athlete", "Kim Song-hui", "--position", "1", "--time", "2:30:00"))
    ok(city("claim", OPEN, "--source", "gazette", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:31:07"))
    ok(city("claim", OPEN, "--source", "gazette", "--unnamed", "a local runner", "--position", "2"))
    ok(city("import", OPEN, write(tmp_path, "Place,Name,Time\n2,\"Berg, Eva\",2:32:00\n", "tv.csv"),
            "--source", "state-tv"))
    ok(city("athlete", "merge", "Eva Berg", "Berg, Eva"))  # its claim keeps the name state TV wrote
    original = as_json(city("results", OPEN, "-f", "json"))
    assert "disputed" in {p["verdict"] for p in original}
    exported = write(tmp_path, ok(city("results", OPEN, "-f", "csv")), "disputed.csv")
    ok(city("category", "add", f"{MARATHON}/copy", "--name", "Copy"))
    before = entries(city)
    result = city("import", f"{MARATHON}/copy", exported, "--source-column", "source")
    said = re.search(r"\(source ([^)]*)\)", ok(result)).group(1)
    assert sorted(said.split(", ")) == ["gazette", "state-tv", "timing"]
    assert entries(city) == before + 1
    copy = as_json(city("results", f"{MARATHON}/copy", "-f", "json"))

    def shape(placings):
        return [(p["position"], p["verdict"], sorted(((c["athlete"], c["as_written"], c["unnamed"], c["source"],
                                                       c["time"], c["status"], c["bib"]) for c in p["claims"]),
                                                     key=repr)) for p in placings]

    assert shape(copy) == shape(original)
    assert ("Eva Berg", "Berg, Eva") in {(c["athlete"], c["as_written"]) for p in copy for c in p["claims"]}
    again = city("import", f"{MARATHON}/copy", exported, "--source-column", "source")
    assert again.exit_code == 1 and again.stderr.startswith("Error: ")


@pytest.mark.parametrize("args,message", [
    (("--source-column", "source", "--source", "timing"), "--source-column reads each row's source from the file: "
                                                          "drop --source"),
    ((), "name the file's source: --source SLUG (or --source-column COLUMN)"),
])
def test_source_and_source_column_go_one_at_a_time(city, tmp_path, args, message):
    result = city("import", OPEN, write(tmp_path, "Place,Name,Time,Source\n1,Anna,2:31:07,timing\n"), *args)
    assert result.exit_code == 2 and message in result.stderr


def test_an_unknown_source_in_the_source_column_is_one_error(city, tmp_path):
    path = write(tmp_path, "Place,Name,Time,Source\n1,Anna,2:31:07,timing\n1,Eva,2:30:00,timming\n")
    before = entries(city)
    result = city("import", OPEN, path, "--source-column", "Source")
    assert result.exit_code == 1
    assert result.stderr == "Error: no source 'timming'; did you mean 'timing'?\n"
    assert entries(city) == before


# --- the journal entries replay -------------------------------------------------------------------


def test_split_and_source_column_imports_replay_in_verify_deep_and_export_load(city, tmp_path, db):
    from click.testing import CliRunner

    from cli import cli

    ok(city("import", ULTRA, write(tmp_path, SPLIT), "--source", "timing", "--split-by", "Wertung"))
    ok(city("import", MARATHON, write(tmp_path, BOSTON_2010, "b.csv"), "--source", "gazette"))
    ok(city("claim", OPEN, "--source", "state-tv", "--athlete", "Hans Muster", "--position", "1"))
    exported = write(tmp_path, ok(city("results", f"{ULTRA}/manner", "-f", "csv")), "m.csv")
    ok(city("import", OPEN, exported, "--source-column", "source"))
    assert ok(city("verify", "--deep")).startswith("Verified ")
    dump = tmp_path / "ledger.jsonl"
    ok(city("export", str(dump)))
    copy_db = str(tmp_path / "copy.db")
    runner = CliRunner()
    loaded = runner.invoke(cli, ["--db", copy_db, "load", str(dump)])
    assert loaded.exit_code == 0, loaded.output
    for args in (("results", f"{ULTRA}/staffel-4-25-km", "-f", "json"), ("results", OPEN, "-f", "json"),
                 ("category", "list", "-f", "json"), ("athlete", "list", "-f", "json")):
        assert runner.invoke(cli, ["--db", copy_db, *args]).stdout == ok(city(*args)), args
    assert json.loads(runner.invoke(cli, ["--db", copy_db, "verify", "--deep", "-f", "json"]).stdout)["ok"]


@pytest.mark.parametrize("text,hint", [
    (BOSTON_2010, "its places carry rankings of different sizes (2000, 20, 15): import it into the race, one "
                  "category per ranking"),
    ("Pos,Name,Time\n1,Ann Aby,2:31:07\nPos,Name,Time\n1,Cal Coe,2:20:00\n",
     "a repeated header line starts each ranking: import it into the race with --split-by section"),
    (SPLIT, "if its places restart for each ranking, import it into the race with --split-by COLUMN"),
])
def test_a_file_of_several_rankings_refused_by_a_category_says_how_to_split_it(city, tmp_path, text, hint):
    path = write(tmp_path, text)
    result = city("import", OPEN, path, "--source", "timing")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].endswith(f"--skip-invalid --rejects FILE); {hint}")


def test_rankings_of_a_race_are_not_checked_against_one_existing_categorys_sex(city, tmp_path):
    ok(city("category", "add", f"{ULTRA}/frauen", "--name", "Frauen", "--sex", "F"))
    text = "Platz;Name;Sex;Zeit;Wertung\n1.;Erika Probe;F;9:01:02;Frauen\n1.;Hans Muster;M;8:12:33;Männer\n"
    result = city("import", ULTRA, write(tmp_path, text), "--source", "timing", "--split-by", "Wertung")
    ok(result)
    assert "warning" not in result.stderr


@pytest.mark.parametrize("text,args,problem", [
    ("Platz;Name;Zeit;Wertung\n1.;Hans Muster;8:12:33;Männer\n1.;Erika Probe;9:01:02;\n", ("--split-by", "Wertung"),
     "3: no ranking: the --split-by column is blank"),
    ("Place,Name,Time\n1 / 5,Ann Aby,8:31:07\n2,Bea Bly,8:32:00\n1 / 3,Cal Coe,8:33:00\n", (),
     "3: no ranking: its place does not give its ranking's size (3 / 4660)"),
])
def test_a_row_without_a_ranking_is_a_bad_row(city, tmp_path, text, args, problem):
    path = write(tmp_path, text)
    result = city("import", ULTRA, path, "--source", "timing", *args)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{path}:{problem}"


def test_a_row_without_a_source_in_the_source_column_is_a_bad_row(city, tmp_path):
    path = write(tmp_path, "Place,Name,Time,Source\n1,Anna Nowak,2:31:07,timing\n2,Eva Berg,2:32:00,\n")
    result = city("import", OPEN, path, "--source-column", "source")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{path}:3: no source: the --source-column column is blank"


def test_words_in_a_time_cell_are_held_to_a_notes_limits(city, tmp_path):
    path = write(tmp_path, "Pos,Name,Time\n1,Ann Aby,8:31:07\n,Bea Bly," + "x" * 400 + "\n,Cal Coe,ab\x1b[2Jc\n")
    result = city("import", f"{ULTRA}/all", path, "--source", "timing")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(
        f"{path}:3: Time: words in a time cell is too long: at most 300 characters, got 'xxxx")
    assert f"{path}:4: Time: words in a time cell holds the control character '\\x1b' at character 3" in result.stderr


@pytest.mark.parametrize("made,message", [
    ({"slug": f"{MARATHON}/Bad Slug", "name": "Bad", "id": 90}, "bad category slug"),
    ({"slug": f"{ULTRA}/other-race", "name": "Other", "id": 90}, "outside its race"),
    ({"slug": f"{MARATHON}/ok", "name": "a\x1b[2J", "id": 90}, "control character"),
])
def test_an_import_entry_from_outside_cannot_make_a_bad_category(city, db, made, message):
    """`load` replays an import's header as written: the categories it makes are held to `category add`'s rules."""
    from sqlalchemy.orm import Session

    from ledger.core.errors import LedgerError
    from ledger.projection.import_rows import IMPORT_COLUMNS, ImportRows
    from ledger.store.engine import open_engine

    engine, _ = open_engine(db)
    try:
        with Session(engine) as session:
            header = {"race": MARATHON, "categories": [made], "source": "timing", "citation": {},
                      "columns": [*IMPORT_COLUMNS, "category"], "first_claim_id": 1, "first_athlete_id": 1}
            with pytest.raises(LedgerError, match=message):
                ImportRows(session, 99, header)
            session.rollback()
    finally:
        engine.dispose()


def test_a_german_start_list_reads_name_beside_vorname_as_the_surname(city, tmp_path):
    path = write(tmp_path, "Startnr;Name;Vorname;Nation\n12;Muster;Hans;GER\n31;Probe;Erika;SUI\n")
    ok(city("entrants", "import", ULTRA, path, "--source", "timing"))
    assert [e["name"] for e in as_json(city("entrants", ULTRA, "-f", "json"))] == ["Hans Muster", "Erika Probe"]

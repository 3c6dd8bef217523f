"""Reading a results file from a timing company: columns, rows, and every problem with its line.

The file is CSV or TSV (delimiter sniffed from the header line), UTF-8 with or without a BOM.
Common header spellings are recognised case-insensitively; `--map COLUMN=FIELD` names the rest.
Each cell is read by its column kind's parser (`parse_status`, `parse_clock`, ...), which applies the
rule of ledger.core.rules or ledger.core.times that the single-claim commands apply too, and returns
the value or a Problem. Each row is checked on its own and against the rows before it (a bib used
twice, one position given two different times). Problems are collected, never raised one at a time,
so a user sees every bad line at once; implausible values are warnings.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterator, NamedTuple, Sequence, TextIO

from ledger.core import limits, rules
from ledger.core.errors import LedgerError
from ledger.core.rules import Status
from ledger.core.times import RaceTime, format_ms, parse_time
from ledger.imports import notations
from ledger.imports.notations import Ranked

if TYPE_CHECKING:
    from ledger.imports.rankings import Parts

FIELDS = ("position", "bib", "name", "first_name", "last_name", "sex", "nationality", "birth_year",
          "time", "net_time", "status")
IGNORE = "ignore"
HEADER_ALIASES = {
    "position": ("place", "pos", "rank", "overall", "position", "placing", "overall place", "overall rank",
                 "platz", "pl", "gesamtplatz", "clt", "clas", "classement", "rang"),
    "bib": ("bib", "no", "number", "bib no", "bib number", "nr", "startnr", "startnummer", "start nr", "stnr",
            "dossard", "doss"),
    "name": ("name", "athlete", "runner", "full name", "athlete name", "starter", "teilnehmer", "laufer", "nom prenom",
             "nom et prenom"),
    "first_name": ("first name", "firstname", "given name", "forename", "vorname", "prenom"),
    "last_name": ("last name", "lastname", "surname", "family name", "nachname", "familienname", "nom"),
    "sex": ("sex", "gender", "m f", "mf", "geschlecht", "sexe"),
    "nationality": ("nat", "country", "noc", "nationality", "nation", "pays", "land", "nationalitat"),
    "birth_year": ("yob", "born", "birth year", "year of birth", "jahrgang", "jg", "annee", "annee de naissance"),
    "time": ("gun time", "official time", "time", "finish", "finish time", "official", "bruttozeit", "laufzeit",
             "endzeit", "zielzeit", "zeit", "gesamtzeit", "temps", "temps officiel", "tpsgun", "tps gun", "temps reel"),
    "net_time": ("chip time", "net time", "net", "nettozeit", "tpsnet", "tps net", "temps net", "chip"),
    "status": ("status", "statut"),
}
# Among several columns naming one field, the earlier spelling wins (a gun time over a finish clock time).
_PREFERENCE = {alias: rank for aliases in HEADER_ALIASES.values() for rank, alias in enumerate(aliases)}
_PREFERENCE.update({"laufzeit": 1, "zielzeit": 50, "time": 2, "temps": 2})
# Columns a person recognises as something the ledger does not keep: ignored, saying what they are.
KNOWN_OTHERS = {
    "club": "a club", "verein": "a club", "team": "a team", "city": "a home town", "state": "a state",
    "ort": "a home town", "ville": "a home town", "age": "an age", "alter": "an age", "cat": "a category",
    "categorie": "a category", "kategorie": "a category", "ak": "an age class", "klasse": "a class",
    "division": "a division", "genderdiv": "a place among one sex", "citizen": "a citizenship",
    "pace": "a pace", "proj time": "a projected time", "allure": "a pace", "vitesse": "a speed",
    "half": "a split time", "halbmarathon": "a split time", "semi": "a split time", "split": "a split time",
}
_SPLIT = re.compile(r"^(?:\d+(?: \d+)? ?(?:k|km|mi|mile|miles)|km ?\d+(?: \d+)?)$")  # 5K, 10 km, km 30, 21.1 km
# Ignored columns that hold places (`3 / 4660`, `12`): said so, as the Gender and Division columns.
_PLACES_OF = {"a division": "places within a division", "a category": "places within a category",
              "an age class": "places within an age class", "a class": "places within a class",
              "a place among one sex": "places among one sex"}
_ALIAS_TO_FIELD = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")

_UNNAMED = re.compile(r"^\(unnamed: (.+)\)$", re.DOTALL)

MAX_NAME, MAX_BIB = limits.TEXTS["name"].most, limits.TEXTS["bib"].most
# Road world records (men's, the fastest overall) in ms at their distances in metres: a time
# faster than these, scaled to the race's distance, is a warning.
WORLD_RECORDS = {5000: 769_000, 10000: 1_584_000, 21097: 3_402_000, 42195: 7_235_000}
_CACHE_LIMIT = 200_000
_ARRAY_LIMIT = 1 << 21


def first_bad_line(path: str) -> int:
    """The line holding the first byte that is not UTF-8 (0 when there is none)."""
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


def not_utf8(where: str, line: int) -> LedgerError:
    return LedgerError(f"{where}:{line}: not UTF-8 text; save the file as UTF-8 (with or without BOM)")


def header_key(text: str) -> str:
    """A header as a person reads it: case, accents, a BOM and punctuation aside (`Prénom` = `prenom`)."""
    folded = unicodedata.normalize("NFKD", text.replace("\ufeff", "").casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(_NON_ALNUM.sub(" ", folded).split())


@dataclass(frozen=True)
class Mapping:
    """Which column holds which field: `index[field]` is a column number, -1 when absent.

    `reasons` pairs each unused column with why; `guesses` are what the header alone did not settle
    (which of two time columns, a sex column holding places), said so that `--map` can override them.
    """

    header: tuple[str, ...]
    index: dict[str, int]
    pairs: tuple[tuple[str, str], ...]
    reasons: tuple[tuple[str, str], ...] = ()
    guesses: tuple[str, ...] = ()
    surname_first: bool = False  # names written `DUPONT Jean`: each read as `Jean DUPONT` (notations)
    written: int = -1  # a results CSV's as_written column: the name as its source wrote it, where given

    def column(self, name: str) -> str:
        return self.header[self.index[name]]


def _overrides(header: Sequence[str], keys: list[str], overrides: Sequence[str], where: str) -> dict[int, str]:
    chosen: dict[int, str] = {}
    for override in overrides:
        column, sep, target = override.partition("=")
        target = target.strip().lower().replace("-", "_")
        if not sep or not column.strip():
            raise LedgerError(f"bad --map {override!r}: expected COLUMN=FIELD, e.g. --map 'Zeit=time'")
        if target not in (*FIELDS, IGNORE):
            raise LedgerError(f"bad --map {override!r}: unknown field {target!r}; fields are {', '.join(FIELDS)}, "
                              f"or {IGNORE} to skip a column")
        where_column = [i for i, key in enumerate(keys) if key == header_key(column)]
        if not where_column:
            raise LedgerError(f"bad --map {override!r}: {where} has no column {column.strip()!r}; its columns are "
                              + ", ".join(repr(h) for h in header))
        for i in where_column:
            chosen[i] = target
    return chosen


def _values(sample: Sequence[Sequence[str]], i: int) -> list[str]:
    return [v for v in (r[i].strip() for r in sample if i < len(r)) if v and v not in notations.MISSING]


def _numbers(values: list[str]) -> bool:
    """Values a sex column holding places would have: numbers (`12`, `3 / 4660`)."""
    return bool(values) and all(v.rstrip(".").isdigit() or notations.ranked(v) for v in values)


def _later(sample: Sequence[Sequence[str]], clock: int, chosen: int) -> bool:
    """Whether column `clock` is a time of day beside the race time in `chosen`: later on every sampled row."""
    pairs = 0
    for r in sample:
        if max(clock, chosen) >= len(r):
            continue
        try:
            a, b = parse_time(r[clock]).ms, parse_time(r[chosen]).ms
        except LedgerError:
            continue
        if a <= b:
            return False
        pairs += 1
    return pairs > 0


def resolve_mapping(header: Sequence[str], overrides: Sequence[str], where: str,
                    sample: Sequence[Sequence[str]] = ()) -> Mapping:
    """Fields by header spelling (checked against the first rows, `sample`), then `COLUMN=FIELD` overrides.

    Decided once per file: the rows are then read by the columns chosen here, at no cost per row.
    """
    keys = [header_key(h) for h in header]
    forced = _overrides(header, keys, overrides, where)
    reasons: dict[int, str] = {}
    guesses: list[str] = []
    candidates: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        if i in forced:
            continue
        target = _ALIAS_TO_FIELD.get(key) or (key.replace(" ", "_") if key.replace(" ", "_") in FIELDS else None)
        if target is not None:
            candidates.setdefault(target, []).append(i)
        elif key in KNOWN_OTHERS:
            reasons[i] = KNOWN_OTHERS[key]
            if reasons[i] in _PLACES_OF and _numbers(_values(sample, i)):
                reasons[i] = f"{_PLACES_OF[reasons[i]]} (numbers)"
        elif _SPLIT.match(key):
            reasons[i] = "a split time"
        elif not key:
            reasons[i] = "a column without a header"
    for target in set(forced.values()) - {IGNORE}:
        for i in candidates.pop(target, []):
            reasons[i] = f"--map gives {target} to another column"
    for i in candidates.get("sex", [])[:]:
        if _numbers(_values(sample, i)):
            candidates["sex"].remove(i)
            reasons[i] = "it holds numbers (places among one sex), not sexes"
            guesses.append(f"{header[i]!r} holds numbers, so it is read as places among one sex and ignored "
                           f"(--map '{header[i]}=sex' to read it as the sex)")
    chosen = dict(forced)
    for target, columns in candidates.items():
        columns.sort(key=lambda i: _PREFERENCE.get(keys[i], 99))
        chosen[columns[0]] = target
        for i in columns[1:]:
            if target == "time" and _later(sample, i, columns[0]):
                reasons[i] = f"a clock time (later than {header[columns[0]]!r} on every row read)"
            else:
                reasons[i] = f"another {target} column; {header[columns[0]]!r} was chosen"
            guesses.append(f"{target} read from {header[columns[0]]!r}, not {header[i]!r} "
                           f"(--map '{header[i]}={target}' to choose it)")
    index = {name: -1 for name in FIELDS}
    for i, target in sorted(chosen.items()):
        if target != IGNORE:
            if index[target] >= 0:
                raise LedgerError(f"{where}: columns {header[index[target]]!r} and {header[i]!r} both hold "
                                  f"{target}; choose one with --map '{header[i]}={IGNORE}'")
            index[target] = i
        else:
            reasons[i] = "--map ignore"
    _names(header, index, forced, guesses)
    flip = _surname_first(header, index, forced, sample, guesses)
    if index["name"] < 0 and index["first_name"] < 0 and index["last_name"] < 0:
        raise LedgerError(f"{where}: no name column (Name, Athlete, Runner, or First Name and Last Name); "
                          "name it with --map COLUMN=name")
    if index["name"] >= 0 and (index["first_name"] >= 0 or index["last_name"] >= 0):
        raise LedgerError(f"{where}: both a full name column and first/last name columns; "
                          f"choose with --map '{header[index['name']]}={IGNORE}'")
    if all(index[f] < 0 for f in ("position", "time", "net_time", "status")):
        raise LedgerError(f"{where}: no result column (Place, Time, Chip Time or Status); "
                          "name one with --map COLUMN=FIELD")
    used = {i: f for f, i in index.items() if i >= 0}
    written = keys.index("as written") if "as written" in keys and index["name"] >= 0 else -1
    if written >= 0 and written not in forced:  # `results -f csv` gives it beside the athlete's name
        used[written] = "name where given"
    else:
        written = -1
    ignored = tuple(i for i in range(len(header)) if i not in used)
    return Mapping(tuple(header), index, tuple((header[i], used[i]) for i in sorted(used)),
                   tuple((_shown(header, i), reasons.get(i, "not a field the ledger keeps")) for i in ignored),
                   tuple(guesses), flip, written)


def _shown(header: Sequence[str], i: int) -> str:
    return header[i] if header[i].strip() else f"column {i + 1}"


def _surname_first(header: Sequence[str], index: dict[str, int], forced: dict[int, str],
                   sample: Sequence[Sequence[str]], guesses: list[str]) -> bool:
    """Whether the file writes its names `DUPONT Jean`: most names of several words in the first rows do."""
    at = index["name"]
    if at < 0 or at in forced:
        return False
    names = [v for v in _values(sample, at) if len(v.split()) > 1]
    flipped = [(v, notations.surname_first(v)) for v in names]
    shaped = [pair for pair in flipped if pair[1] is not None]
    if not shaped or 2 * len(shaped) <= len(names):
        return False
    written, read = shaped[0]
    guesses.append(f"names are written SURNAME First ({len(shaped)} of the first {len(names)}): {written!r} is "
                   f"read as {read!r} (--map '{header[at]}=name' to keep each as written)")
    return True


def _names(header: Sequence[str], index: dict[str, int], forced: dict[int, str], guesses: list[str]) -> None:
    """`Name` beside `Vorname` is the surname; French `Nom` alone is the whole name (`NOWAK Anna`)."""
    name, first, last = index["name"], index["first_name"], index["last_name"]
    if name >= 0 and first >= 0 and last < 0 and name not in forced:
        index["last_name"], index["name"] = name, -1
        guesses.append(f"{header[name]!r} beside {header[first]!r} read as the surname")
    elif last >= 0 and first < 0 and name < 0 and last not in forced and header_key(header[last]) == "nom":
        index["name"], index["last_name"] = last, -1


def sniff_delimiter(first_line: str) -> str:
    """Tab, semicolon or comma: whichever the header line holds most of (comma when none)."""
    counts = {d: first_line.count(d) for d in ("\t", ";", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class Problems:
    """Errors and warnings as `FILE:LINE: message`: all counted, the first `keep` of each kept."""

    where: str
    keep: int = 50
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    bad_lines: int = 0

    def error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < self.keep:
            self.errors.append(f"{self.where}:{line}: {message}")

    def warning(self, line: int, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < self.keep:
            self.warnings.append(f"{self.where}:{line}: warning: {message}")


@dataclass(frozen=True)
class Race:
    """What a row is checked against: the race's distance, the event's year, the category's sex."""

    distance_m: int
    year: int
    sex: str | None

    def fastest_ms(self) -> int:
        """The world record scaled (Riegel) from the nearest record distance to this race."""
        nearest = min(WORLD_RECORDS, key=lambda d: abs(d - self.distance_m))
        return int(WORLD_RECORDS[nearest] * (self.distance_m / nearest) ** 1.06)


class _Seen:
    """Values seen on earlier rows, with their line: compact arrays for small numbers, else a dict.

    Memory stays a few bytes per bib or position, not a Python object each (500,000 rows).
    """

    def __init__(self, with_values: bool = True) -> None:
        self.lines = array("i")
        self.values = array("q") if with_values else None
        self.other: dict = {}

    def get(self, key) -> tuple[int, int] | None:
        if key.__class__ is int and key < len(self.lines):
            line = self.lines[key]
            return (line, self.values[key] if self.values is not None else 0) if line else None
        return self.other.get(key)

    def reserve(self, size: int) -> None:
        """Room for keys below `size` (the arrays grow in place, so callers may hold them)."""
        grow = min(size, _ARRAY_LIMIT) - len(self.lines)
        if grow > 0:
            self.lines.frombytes(bytes(self.lines.itemsize * grow))
            if self.values is not None:
                self.values.frombytes(bytes(self.values.itemsize * grow))

    def put(self, key, line: int, value: int = 0) -> None:
        if key.__class__ is int and key < _ARRAY_LIMIT:
            if key >= len(self.lines):
                self.reserve(max(key + 1, 2 * len(self.lines)))
            self.lines[key] = line
            if self.values is not None:
                self.values[key] = value
        else:
            self.other[key] = (line, value)


class Problem(NamedTuple):
    """Why a cell holds no value: cached like a value, reported with the row's line."""

    message: str


class Name(NamedTuple):
    """The athlete as a row writes them; `unnamed` when the row describes one: `(unnamed: a local runner)`."""

    text: str
    unnamed: bool = False


def _checked(rule: Callable[[str], object]) -> Callable[[str], object]:
    """A rule of ledger.core.rules as a cell's parser: the value it gives, or its complaint as a Problem."""

    def parse(text: str):
        try:
            return rule(text)
        except LedgerError as exc:
            return Problem(str(exc))

    return parse


parse_status: Callable[[str], Status | Problem] = _checked(rules.status)
parse_nationality: Callable[[str], str | Problem] = _checked(rules.nationality)
parse_birth_year: Callable[[str], int | Problem] = _checked(rules.birth_year)
parse_sex: Callable[[str], str | Problem] = _checked(rules.sex)


def parse_position(text: str) -> int | notations.Ranked | Status | Problem | None:
    """A position cell: a placing (`3`, `3.`, `3 / 4660` with its ranking's size), the status of an
    athlete without one (`DNF`, `DSQ`), or None for a dash."""
    if text.strip() in notations.MISSING:
        return None
    try:
        return rules.position(text)
    except LedgerError as exc:
        said = rules.status_word(text)
        if said is not None:
            return said
        found = notations.ranked(text)
        if found is not None and found.position <= found.size:
            try:
                return notations.Ranked(rules.position(found.position), found.size)
            except LedgerError as bad:
                return Problem(str(bad))
        return Problem(str(exc))


def clock_parser(fastest_ms: int) -> tuple[Callable[[str], object], set[str]]:
    """A time column's cell parser for one race, and the notations it had to assume (see notations)."""
    read = notations.Clock(fastest_ms)

    def parse_clock(text: str) -> RaceTime | Status | notations.Word | Problem | None:
        """A time, the status of an athlete without one (`DNF`), words (`aufgegeben`), or None when blank.

        A text starting with a letter is a status or words; any other is meant as a time.
        """
        text = text.strip()
        if not text or text in notations.MISSING:
            return None
        said = None if text[0].isdigit() else rules.status_word(text)
        if said is not None:
            return said
        try:
            found = parse_time(text)  # most times: as the ledger writes them, and possible for the race
            if found.ms >= fastest_ms:
                return found
        except LedgerError:
            pass
        try:
            return read(text)
        except LedgerError as exc:
            if not text[0].isalpha():  # meant as a time (`2:3x:00`, `-2:31:07`): what a time looks like
                return Problem(str(exc) if text[0].isdigit() else f"{exc}, or DNF, DNS, DQ")
        try:  # words (`aufgegeben`): kept as a non-finisher's note, so held to a note's limits
            return notations.Word(limits.text(text, "note", "words in a time cell"))
        except LedgerError as exc:
            return Problem(str(exc))

    return parse_clock, read.seen


def parse_name(text: str) -> Name | Problem:
    """A name cell, stripped: a name, an unnamed athlete's description, or a Problem."""
    if not text:
        return Problem("missing name")
    try:
        limits.text(text, "name")
    except LedgerError as exc:
        return Problem(str(exc))
    found = _UNNAMED.match(text)
    return Name(found.group(1).strip(), True) if found else Name(text)


class _Parsed(dict):
    """One cell parser's values by the exact text: each text is parsed once (up to a limit), blank is None."""

    def __init__(self, parse: Callable[[str], object]) -> None:
        super().__init__({"": None, **dict.fromkeys(notations.MISSING)})
        self.parse = parse

    def __missing__(self, text: str):
        value = self.parse(text)
        if len(self) < _CACHE_LIMIT:
            self[text] = value
        return value


class Cells(NamedTuple):
    """A row's values as `settle` makes them of its cells: each a value or None, no Problem left."""

    name: str
    unnamed: bool
    status: Status | None
    position: int | None
    time: RaceTime | None
    net_time: RaceTime | None
    nationality: str | None
    born: int | None
    sex: str | None
    bib: str


# [line, position, bib, name, unnamed, nationality, born, sex, time_ms, time_decimals, net_time_ms,
#  net_time_decimals, status, note]: an import body's row layout, with `unnamed` (True when the
# name is a source's description of an athlete it did not name) where the athlete id goes.
Row = list
_FINISHED = Status("FIN")
_NO_TIME = (None, 0)


def rows(text: TextIO, delimiter: str, mapping: Mapping, race: Race, problems: Problems,
         reject: Callable[[int, str, list[str]], None] | None = None, parts: Parts | None = None,
         notes: list[str] | None = None, hints: list[str] | None = None) -> Iterator[Row]:
    """Every good row of the file (after its header) as a normalised Row; problems go to `problems`.

    A bad row is not yielded: its problems are recorded and, when `reject` is given, it is handed
    over with its line and reason, exactly as it was read. With `parts`, each row ends with the
    indexes of its ranking and source (ledger.imports.rankings). What the reading of times had to
    assume goes to `notes` once the file is read; how a file refused for clashing places may be
    several rankings, to `hints`.
    """
    reader = csv.reader(text, delimiter=delimiter)
    reading = _Reading(mapping, race, problems, reject, parts)
    try:
        yield from _rows(reader, reading)
    except csv.Error as exc:
        raise LedgerError(f"{problems.where}:{reader.line_num}: {exc}") from None
    if notes is not None:
        column = next((mapping.column(f) for f in ("time", "net_time") if mapping.index[f] >= 0), "time")
        notes.extend(notations.said(reading.notations, column, reading.fastest, race.distance_m))
        if reading.section > 1 and (parts is None or parts.category != "section"):
            notes.append(f"the header line is repeated {reading.section - 1} time(s) further down: skipped")
    if hints is not None and reading.clashes and not reading.keyed:
        sizes = sorted({v.size for v in reading.places.values() if v.__class__ is Ranked}, reverse=True)
        if len(sizes) > 1:
            sizes = ", ".join(str(size) for size in sizes[:5])
            hints.append(f"its places carry rankings of different sizes ({sizes}): import it into the race, "
                         "one category per ranking")
        elif reading.section > 1:
            hints.append("a repeated header line starts each ranking: import it into the race with --split-by section")
        elif reading.clashes >= max(2, reading.placed() // 10):  # not one mistyped place: a pattern
            hints.append("if its places restart for each ranking, import it into the race with --split-by COLUMN")


def _rows(reader, reading: _Reading) -> Iterator[Row]:
    """The hot loop: each cell looked up among the texts its column kind has parsed; odd rows aside."""
    for header in reader:
        if header and any(value.strip() for value in header):
            break
    i_name, i_first, i_last, i_pos, i_status, i_time, i_net, i_nat, i_born, i_sex, i_bib = reading.columns
    statuses, places, clocks = reading.statuses, reading.places, reading.clocks
    codes, years, sexes = reading.codes, reading.years, reading.sexes
    bib_lines, place_lines, place_times = reading.bibs.lines, reading.places_seen.lines, reading.places_seen.values
    fastest, year, odd_sexes = reading.fastest, reading.race.year, reading.odd_sexes
    unsafe = limits.UNSAFE.search
    width, line_end = len(reading.mapping.header), reader.line_num
    keyed, part_of = reading.keyed, reading.part
    flip, i_written = reading.mapping.surname_first, reading.mapping.written
    renaming, part = flip or i_written >= 0, None
    if keyed:  # places restart in each ranking: every place is checked in its own ranking
        place_lines = array("i")
    by_source = keyed and reading.parts.source >= 0
    if by_source:  # each source gives a bib once: every bib is checked among its source's
        bib_lines = array("i")
    for record in reader:
        line, line_end = line_end + 1, reader.line_num
        if len(record) != width and not reading.misshapen(line, record):
            continue
        record.append("")  # an absent field (index -1) reads as empty
        name = record[i_name].strip() if i_name >= 0 else f"{record[i_first].strip()} {record[i_last].strip()}".strip()
        if renaming:  # a results CSV's as_written, names written SURNAME First
            if i_written >= 0:
                name = record[i_written].strip() or name
            if flip:
                name = notations.surname_first(name) or name
        text = record[i_pos]  # up to 9 plain digits is a placing within every bound; the rest is parsed
        if len(text) < 10 and text.isdecimal() and text[0] in "123456789":
            position = int(text)
        else:
            position = places[text]
            if position.__class__ is Ranked:  # `3 / 4660`: the size is read off the cell again where needed
                position = position.position
        status, time, net = statuses[record[i_status]], clocks[record[i_time]], clocks[record[i_net]]
        nationality, born, sex, bib = codes[record[i_nat]], years[record[i_born]], sexes[record[i_sex]], record[i_bib]
        unnamed = False
        # Only rows that every check of `settle` would pass go by quickly.
        if (not name or len(name) > MAX_NAME or name[0] == "(" or len(bib) > MAX_BIB or unsafe(name) or unsafe(bib)
                or status.__class__ is Problem or nationality.__class__ is Problem or born.__class__ is Problem
                or sex.__class__ is Problem or (position.__class__ is not int and position is not None)
                or (time.__class__ is not RaceTime and time is not None)
                or (net.__class__ is not RaceTime and net is not None)
                or (status is None and position is None and time is None and net is None)
                or (position is not None and status is not None and status.code != "FIN")):
            if reading.repeated_header(line, record):
                continue
            found = reading.settle(line, name, status, position, time, net, nationality, born, sex, bib)
            if found.__class__ is list:
                reading.refuse(line, found, record[:-1])
                continue
            name, unnamed, status, position, time, net, nationality, born, sex, bib = found
        if keyed:
            part = part_of(record)
            if part.__class__ is str:
                reading.refuse(line, [part], record[:-1])
                continue
        bib = bib.strip() or None
        if bib is not None:
            number = int(bib) if bib.isascii() and bib.isdigit() and bib[0] != "0" else _ARRAY_LIMIT
            if number < len(bib_lines) and not bib_lines[number]:
                bib_lines[number] = line
            elif (clash := reading.bib(bib, line, part[-1] if by_source else None)) is not None:
                if clash:
                    reading.refuse(line, [clash], record[:-1])
                    continue
                bib = None
        time_ms, time_dec = time or _NO_TIME
        if position is not None:
            given = -1 if time_ms is None else time_ms
            if position < len(place_lines) and not place_lines[position]:
                place_lines[position], place_times[position] = line, given
            elif (clash := reading.position(position, line, given, part)) is not None:
                reading.refuse(line, [clash], record[:-1])
                continue
        net_ms, net_dec = net or _NO_TIME
        code, note = status or _FINISHED
        if code == "FIN" and ((time_ms is not None and time_ms < fastest) or (net_ms is not None and net_ms < fastest)):
            reading.too_fast(line, time_ms, net_ms)
        if net_ms is not None and time_ms is not None and net_ms > time_ms:
            reading.warn(line, f"net time {net} is longer than the gun time {time}")
        if born is not None and not 6 <= year - born <= 100:
            reading.warn(line, f"born {born}: {year - born} years old on race day")
        if sex in odd_sexes:
            reading.warn(line, f"sex {sex} in a category for {reading.race.sex}")
        row = [line, position, bib, name, unnamed, nationality, born, sex, time_ms, time_dec, net_ms, net_dec,
               code, note]
        if keyed:
            row.extend(part)
        yield row


class _Reading:
    """One file's reading: a cache per column kind, what earlier rows used, and the slow paths of odd rows."""

    def __init__(self, mapping: Mapping, race: Race, problems: Problems,
                 reject: Callable[[int, str, list[str]], None] | None, parts: Parts | None = None) -> None:
        self.mapping, self.race, self.problems, self.reject = mapping, race, problems, reject
        self.parts = parts
        self.keyed = parts is not None and parts.keyed
        self.section, self.longer, self.clashes = 1, 0, 0
        clock, self.notations = clock_parser(race.fastest_ms())
        self.columns = tuple(mapping.index[f] for f in ("name", "first_name", "last_name", "position", "status", "time",
                                                        "net_time", "nationality", "birth_year", "sex", "bib"))
        self.statuses, self.places, self.clocks = _Parsed(parse_status), _Parsed(parse_position), _Parsed(clock)
        self.codes, self.years, self.sexes = _Parsed(parse_nationality), _Parsed(parse_birth_year), _Parsed(parse_sex)
        self.bibs, self.places_seen = _Seen(with_values=False), _Seen()
        self.bibs.reserve(1 << 16)
        self.places_seen.reserve(1 << 16)
        self.fastest = race.fastest_ms()
        self.odd_sexes = frozenset(rules.SEXES) - {race.sex} if race.sex in ("M", "F") else frozenset()
        time, net = (mapping.column(f) if mapping.index[f] >= 0 else f for f in ("time", "net_time"))
        position = mapping.column("position") if mapping.index["position"] >= 0 else ""
        # The cells that may say a status, in column order: the name a clash gives each, its problems' prefix.
        self.sayers = (("status", ""), (position, ""), (time, f"{time}: "), (net, f"{net}: "))

    def settle(self, line: int, name: str, status: Status | Problem | None,
               place: int | notations.Ranked | Status | Problem | None,
               gun: RaceTime | Status | notations.Word | Problem | None,
               chip: RaceTime | Status | notations.Word | Problem | None,
               nationality: str | Problem | None, born: int | Problem | None, sex: str | Problem | None,
               bib: str) -> Cells | list[str]:
        """A row the quick test passed by, cell by cell as parsed: its values, or every problem, in column order."""
        named = parse_name(name)
        errors = [named.message] if named.__class__ is Problem else []
        if place.__class__ is Ranked:
            place = place.position
        finisher = place is not None or (status.__class__ is Status and status.code == "FIN")
        gun, chip, words = self._words(line, finisher, gun, chip)
        if words is not None and status is None and place is None:
            status = Status("DNF", words)
        said = by = None
        for cell, (column, prefix) in zip((status, place, gun, chip), self.sayers):
            if cell.__class__ is Problem:
                errors.append(prefix + cell.message)
            elif cell.__class__ is not Status:
                continue
            elif said is None:
                said, by = cell, column
            else:
                if cell.code != said.code:
                    errors.append(f"{by} says {said.code} but {column} says {cell.code}")
                said = said if said.note else Status(said.code, cell.note)
        position = place if place.__class__ is int else None
        time = gun if gun.__class__ is RaceTime else None
        net = chip if chip.__class__ is RaceTime else None
        if said is None and position is None and time is None and net is None:
            errors.append("no position, time or status")
        elif said is not None and said.code != "FIN" and position is not None:
            errors.append(f"position {position} on a {said.code} row: only finishers hold a placing")
        for cell in (nationality, born, sex):
            if cell.__class__ is Problem:
                errors.append(cell.message)
        try:
            limits.text(bib.strip(), "bib")
        except LedgerError as exc:
            errors.append(str(exc))
        return errors or Cells(named.text, named.unnamed, said, position, time, net, nationality, born, sex, bib)

    def _words(self, line: int, finisher: bool, gun, chip):
        """Words in a time cell (`aufgegeben`): a non-finisher's are no time (said, and kept as the DNF's note);
        a finisher's (placed, or FIN) are a bad time."""
        words = None
        cells = []
        for cell, (column, _) in zip((gun, chip), self.sayers[2:]):
            if cell.__class__ is notations.Word:
                if not finisher:
                    self.warn(line, f"{column} {limits.shortened(cell.text)} is not a time: read as no time "
                                    "(a non-finisher)")
                    words = words or cell.text
                    cell = None
                else:
                    cell = Problem(f"bad time {cell.text!r}: expected H:MM:SS, M:SS or MM:SS (e.g. 2:05:31 or "
                                   "2:05:31.4), or DNF, DNS, DQ")
            cells.append(cell)
        return cells[0], cells[1], words

    def misshapen(self, line: int, record: list[str]) -> bool:
        """A row without the header's number of fields: more (extra splits) are read without the extras, said;
        a blank line is skipped, anything shorter refused. True when the row is to be read."""
        width = len(self.mapping.header)
        if len(record) > width:
            self.longer += 1
            if self.longer == 1:
                self.warn(line, f"{len(record)} fields where the header has {width}: the fields past the header's "
                                "are ignored (on this and every such line)")
            del record[width:]
            return True
        if record and (len(record) > 1 or record[0].strip()):
            self.refuse(line, [f"expected {width} fields (as in the header), found {len(record)}"], record)
        return False

    def repeated_header(self, line: int, record: list[str]) -> bool:
        """The header line again further down (a new section): skipped, and it starts the next section."""
        if [v.strip() for v in record[:-1]] != [h.strip() for h in self.mapping.header]:
            return False
        self.section += 1
        return True

    def placed(self) -> int:
        """How many places the file gave (ties once), counted once it is read."""
        seen = self.places_seen
        return len(seen.lines) - seen.lines.count(0) + len(seen.other)

    def part(self, record: list[str]) -> list[int] | str:
        """The row's ranking and claimant as indexes into the importer's lists, or why there is none."""
        return self.parts.of(record, self.section)

    def bib(self, bib: str, line: int, source: int | None = None) -> str | None:
        """A bib the quick path did not settle: a repeat, one too big for the array, or one of a source's
        (--source-column: each source gives a bib once). "" for a dash: no bib."""
        if bib in notations.MISSING:
            return ""
        key = int(bib) if bib.isdigit() and bib.isascii() and bib[0] != "0" else bib  # one text, one number
        if source is not None:
            key = (source, key)
        earlier = self.bibs.get(key)
        if earlier is not None:
            return f"duplicate bib {bib} (also on line {earlier[0]})"
        self.bibs.put(key, line)
        return None

    def position(self, position: int, line: int, given: int, part: list[int] | None = None) -> str | None:
        """A position the quick path did not settle: a tie, a clash, one beyond the array, or one in a ranking."""
        key = position if part is None else (*part, position)
        earlier = self.places_seen.get(key)
        if earlier is None:
            self.places_seen.put(key, line, given)
            return None
        if earlier[1] == given:
            return None
        self.clashes += 1
        then = "no time" if earlier[1] < 0 else format_ms(earlier[1], 3).rstrip("0").rstrip(".")
        now = "no time" if given < 0 else format_ms(given, 3).rstrip("0").rstrip(".")
        return (f"position {position} is also on line {earlier[0]} with {then}, here with {now} "
                "(a tie needs the same time)")

    def refuse(self, line: int, errors: list[str], record: list[str]) -> None:
        self.problems.bad_lines += 1
        for message in errors:
            self.problems.error(line, message)
        if self.reject:
            self.reject(line, "; ".join(errors), record)

    def warn(self, line: int, message: str) -> None:
        """Values each fine on their own that together look wrong: said, not refused."""
        self.problems.warning(line, message)

    def too_fast(self, line: int, time_ms: int | None, net_ms: int | None) -> None:
        quickest = min(ms for ms in (time_ms, net_ms) if ms is not None)
        self.warn(line, f"time {format_ms(quickest)} is faster than the world record for {self.race.distance_m} m "
                        f"(about {format_ms(self.fastest)}): check it")

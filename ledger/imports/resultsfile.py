"""Reading a results file from a timing company: columns, rows, and every problem with its line.

The file is CSV or TSV (delimiter sniffed from the header line), UTF-8 with or without a BOM.
Common header spellings are recognised case-insensitively; `--map COLUMN=FIELD` names the rest.
Each row is checked on its own (times, positions, statuses, codes) and against the rows before it
(a bib used twice, one position given two different times). Problems are collected, never raised
one at a time, so a user sees every bad line at once; implausible values are warnings.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from array import array
from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence, TextIO

from ledger.core.errors import LedgerError
from ledger.core.times import format_ms, parse_time

FIELDS = ("position", "bib", "name", "first_name", "last_name", "sex", "nationality", "birth_year",
          "time", "net_time", "status")
IGNORE = "ignore"
HEADER_ALIASES = {
    "position": ("place", "pos", "rank", "overall", "position", "placing", "overall place", "overall rank"),
    "bib": ("bib", "no", "number", "bib no", "bib number", "nr"),
    "name": ("name", "athlete", "runner", "full name", "athlete name"),
    "first_name": ("first name", "firstname", "given name", "forename"),
    "last_name": ("last name", "lastname", "surname", "family name"),
    "sex": ("sex", "gender"),
    "nationality": ("nat", "country", "noc", "nationality"),
    "birth_year": ("yob", "born", "birth year", "year of birth"),
    "time": ("gun time", "official time", "time", "finish", "finish time"),
    "net_time": ("chip time", "net time"),
    "status": ("status",),
}
_ALIAS_TO_FIELD = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")

STATUSES = {"FIN": "FIN", "DNF": "DNF", "DNS": "DNS", "DQ": "DQ", "DSQ": "DQ"}
_STATUS_WORD = re.compile(r"^(FIN|DNF|DNS|DQ|DSQ)(?:$|[^0-9A-Z](.*)$)", re.IGNORECASE | re.DOTALL)
_UNNAMED = re.compile(r"^\(unnamed: (.+)\)$", re.DOTALL)
_NATIONALITY = re.compile(r"^[A-Z]{3}$")
SEXES = {"M": "M", "MALE": "M", "MEN": "M", "F": "F", "W": "F", "FEMALE": "F", "WOMEN": "F", "X": "X"}

MAX_NAME, MAX_BIB = 300, 20
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
    return " ".join(_NON_ALNUM.sub(" ", text.casefold()).split())


@dataclass(frozen=True)
class Mapping:
    """Which column holds which field: `index[field]` is a column number, -1 when absent."""

    header: tuple[str, ...]
    index: dict[str, int]
    pairs: tuple[tuple[str, str], ...]
    ignored: tuple[str, ...]

    def column(self, name: str) -> str:
        return self.header[self.index[name]]


def resolve_mapping(header: Sequence[str], overrides: Sequence[str], where: str) -> Mapping:
    """Fields by header spelling, then `COLUMN=FIELD` overrides (FIELD may be `ignore`)."""
    keys = [header_key(h) for h in header]
    chosen: dict[int, str] = {}
    for i, key in enumerate(keys):
        if key in _ALIAS_TO_FIELD:
            chosen[i] = _ALIAS_TO_FIELD[key]
        elif key.replace(" ", "_") in FIELDS:
            chosen[i] = key.replace(" ", "_")
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
    index = {name: -1 for name in FIELDS}
    for i, target in sorted(chosen.items()):
        if target == IGNORE:
            continue
        if index[target] >= 0:
            raise LedgerError(f"{where}: columns {header[index[target]]!r} and {header[i]!r} both hold {target}; "
                              f"choose one with --map '{header[i]}={IGNORE}'")
        index[target] = i
    if index["name"] < 0 and index["first_name"] < 0 and index["last_name"] < 0:
        raise LedgerError(f"{where}: no name column (Name, Athlete, Runner, or First Name and Last Name); "
                          "name it with --map COLUMN=name")
    if index["name"] >= 0 and (index["first_name"] >= 0 or index["last_name"] >= 0):
        raise LedgerError(f"{where}: both a full name column and first/last name columns; "
                          f"choose with --map '{header[index['name']]}={IGNORE}'")
    if all(index[f] < 0 for f in ("position", "time", "net_time", "status")):
        raise LedgerError(f"{where}: no result column (Place, Time, Chip Time or Status); "
                          "name one with --map COLUMN=FIELD")
    used = {i for i, t in chosen.items() if t != IGNORE}
    return Mapping(tuple(header), index, tuple((header[i], chosen[i]) for i in sorted(used)),
                   tuple(h for i, h in enumerate(header) if i not in used))


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


def _status_of(text: str) -> tuple[str, str | None] | None:
    """`DQ TR 54.7.3` -> ("DQ", "TR 54.7.3"); None when the text is no status."""
    match = _STATUS_WORD.match(text)
    if not match:
        return None
    return STATUSES[match.group(1).upper()], (match.group(2) or "").strip(" :-()[]") or None


# [line, position, bib, name, unnamed, nationality, born, sex, time_ms, time_decimals, net_time_ms,
#  net_time_decimals, status, note]: an import body's row layout, with `unnamed` (True when the
# name is a source's description of an athlete it did not name) where the athlete id goes.
Row = list


def rows(text: TextIO, delimiter: str, mapping: Mapping, race: Race, problems: Problems,
         reject: Callable[[int, str, list[str]], None] | None = None) -> Iterator[Row]:
    """Every good row of the file (after its header) as a normalised Row; problems go to `problems`.

    A bad row is not yielded: its problems are recorded and, when `reject` is given, it is handed
    over with its line and reason, exactly as it was read.
    """
    reader = csv.reader(text, delimiter=delimiter)
    try:
        yield from _rows(reader, mapping, race, problems, reject)
    except csv.Error as exc:
        raise LedgerError(f"{problems.where}:{reader.line_num}: {exc}") from None


def _rows(reader, mapping: Mapping, race: Race, problems: Problems,
          reject: Callable[[int, str, list[str]], None] | None) -> Iterator[Row]:
    """The hot loop: one pass, caches for repeated texts (times, codes, years), slow paths aside."""
    for header in reader:
        if header and any(value.strip() for value in header):
            break
    checker = _Checker(mapping, race)
    index = mapping.index
    i_pos, i_bib, i_name, i_first, i_last = (index[f] for f in ("position", "bib", "name", "first_name", "last_name"))
    i_sex, i_nat, i_born, i_time, i_net, i_status = (
        index[f] for f in ("sex", "nationality", "birth_year", "time", "net_time", "status"))
    columns = len(mapping.header)
    clocks, statuses, codes, years, sexes = checker.clocks, checker.statuses, checker.codes, checker.years, checker.sexes
    bib_lines, position_lines, position_times = checker.bibs.lines, checker.positions.lines, checker.positions.values
    fastest, year, race_sex = checker.fastest, race.year, race.sex
    line_end = reader.line_num
    for record in reader:
        line, line_end = line_end + 1, reader.line_num
        if len(record) != columns:
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            checker.reject(problems, reject, line, [f"expected {columns} fields (as in the header), "
                                                    f"found {len(record)}"], record)
            continue
        record.append("")  # an absent field (index -1) reads as empty
        errors: list[str] | None = None

        name = record[i_name].strip() if i_name >= 0 else f"{record[i_first].strip()} {record[i_last].strip()}".strip()
        unnamed = False
        if not name or len(name) > MAX_NAME or name[0] == "(":
            name, unnamed, errors = checker.odd_name(name, errors)

        status, note, said = "FIN", None, None
        text = record[i_status]
        if text:
            found = statuses.get(text)
            if found is None:
                found = checker.status(text)
            if found[0] is None:
                errors = checker.add(errors, found[1])
            else:
                status, note, said = found[0], found[1], "status"

        position = None
        text = record[i_pos]
        if text:
            if text.isdecimal() and text[0] != "0":
                position = int(text)
            else:
                position, status, note, said, errors = checker.odd_position(text, status, note, said, errors)

        time_ms = net_ms = None
        time_dec = net_dec = 0
        text = record[i_time]
        if text:
            found = clocks.get(text)
            if found is None:
                found = checker.clock(text, i_time)
            if found[0].__class__ is int:
                time_ms, time_dec = found
            else:
                status, note, said, errors = checker.clock_word(found, i_time, status, note, said, errors)
        text = record[i_net]
        if text:
            found = clocks.get(text)
            if found is None:
                found = checker.clock(text, i_net)
            if found[0].__class__ is int:
                net_ms, net_dec = found
            else:
                status, note, said, errors = checker.clock_word(found, i_net, status, note, said, errors)

        if said is None and position is None and time_ms is None and net_ms is None:
            errors = checker.add(errors, "no position, time or status")
        elif status != "FIN" and position is not None:
            errors = checker.add(errors, f"position {position} on a {status} row: only finishers hold a placing")

        nationality = None
        text = record[i_nat]
        if text:
            nationality = codes.get(text, False)
            if nationality is False:
                nationality = checker.nationality(text)
            if nationality is None:
                errors = checker.add(errors, f"bad nationality {text.strip()!r}: expected a three-letter code "
                                             "such as POL or PRK")
        born = None
        text = record[i_born]
        if text:
            born = years.get(text, False)
            if born is False:
                born = checker.birth_year(text)
            if born is None:
                errors = checker.add(errors, f"bad birth year {text.strip()!r}: expected a year between 1900 and "
                                             f"{checker.this_year}")
        sex = None
        text = record[i_sex]
        if text:
            sex = sexes.get(text, False)
            if sex is False:
                sex = checker.sex(text)
            if sex is None:
                errors = checker.add(errors, f"unknown sex {text.strip()!r}: expected M, F or X")

        bib = record[i_bib]
        if bib:
            bib = bib.strip() or None
            if bib is not None and len(bib) > MAX_BIB:
                errors = checker.add(errors, f"bib longer than {MAX_BIB} characters")
        else:
            bib = None

        if errors is None:
            if bib is not None:
                if bib.isdecimal() and bib[0] != "0" and (number := int(bib)) < len(bib_lines) and not bib_lines[number]:
                    bib_lines[number] = line
                else:
                    errors = checker.bib(bib, line)
            if position is not None and errors is None:
                given = -1 if time_ms is None else time_ms
                if position < len(position_lines):
                    if not position_lines[position]:
                        position_lines[position] = line
                        position_times[position] = given
                    elif position_times[position] != given:
                        errors = checker.position_clash(position, position_lines[position], position_times[position],
                                                        time_ms)
                else:
                    errors = checker.position(position, line, given, time_ms)
        if errors is not None:
            checker.reject(problems, reject, line, errors, record[:-1])
            continue

        if status == "FIN":
            quickest = time_ms if net_ms is None or (time_ms is not None and time_ms < net_ms) else net_ms
            if quickest is not None and quickest < fastest:
                problems.warning(line, f"time {format_ms(quickest)} is faster than the world record for "
                                       f"{race.distance_m} m (about {format_ms(fastest)}): check it")
        if net_ms is not None and time_ms is not None and net_ms > time_ms:
            problems.warning(line, f"net time {format_ms(net_ms, net_dec)} is longer than the gun time "
                                   f"{format_ms(time_ms, time_dec)}")
        if born is not None and not 6 <= year - born <= 100:
            problems.warning(line, f"born {born}: {year - born} years old on race day")
        if sex is not None and sex != race_sex and race_sex in ("M", "F"):
            problems.warning(line, f"sex {sex} in a category for {race_sex}")

        yield [line, position, bib, name, unnamed, nationality, born, sex, time_ms, time_dec, net_ms, net_dec,
               status, note]


class _Checker:
    """Caches and the slow paths of the row loop: anything unusual is handled here, once per text."""

    def __init__(self, mapping: Mapping, race: Race) -> None:
        self.header = mapping.header
        self.position_column = mapping.header[mapping.index["position"]] if mapping.index["position"] >= 0 else ""
        self.clocks: dict[str, tuple] = {}
        self.statuses: dict[str, tuple] = {}
        self.codes: dict[str, str | None] = {}
        self.years: dict[str, int | None] = {}
        self.sexes: dict[str, str | None] = {}
        self.bibs, self.positions = _Seen(with_values=False), _Seen()
        self.bibs.reserve(1 << 16)
        self.positions.reserve(1 << 16)
        self.fastest = race.fastest_ms()
        self.this_year = dt.date.today().year

    @staticmethod
    def add(errors: list[str] | None, message: str) -> list[str]:
        if errors is None:
            return [message]
        errors.append(message)
        return errors

    def _remember(self, cache: dict, text: str, value):
        if len(cache) < _CACHE_LIMIT:
            cache[text] = value
        return value

    def odd_name(self, name: str, errors):
        if not name:
            return name, False, self.add(errors, "missing name")
        if len(name) > MAX_NAME:
            return name, False, self.add(errors, f"name longer than {MAX_NAME} characters")
        found = _UNNAMED.match(name)
        return (found.group(1).strip(), True, errors) if found else (name, False, errors)

    def status(self, text: str) -> tuple:
        found = _status_of(text.strip())
        value = found if found is not None else (None, f"unknown status {text.strip()!r}: expected FIN, DNF, DNS or DQ")
        return self._remember(self.statuses, text, value)

    def _said(self, found: tuple, by: str, status: str, note, said, errors):
        """A second place saying the status (time column, position column): it must agree."""
        if said is None:
            return found[0], found[1], by, errors
        if found[0] != status:
            errors = self.add(errors, f"{said} says {status} but {by} says {found[0]}")
        return status, note or found[1], said, errors

    def odd_position(self, text: str, status: str, note, said, errors):
        bare = text.strip().rstrip(".").lstrip("=")
        if bare.isdecimal() and int(bare) >= 1:
            return int(bare), status, note, said, errors
        if bare.isdecimal():
            return None, status, note, said, self.add(errors, f"bad position {text.strip()!r}: must be 1 or more")
        found = _status_of(text.strip())
        if found is not None:
            return (None, *self._said(found, self.position_column, status, note, said, errors))
        return None, status, note, said, self.add(errors, f"bad position {text.strip()!r}: expected a whole number "
                                                          "such as 12")

    def clock(self, text: str, column: int) -> tuple:
        stripped = text.strip()
        if not stripped:
            return self._remember(self.clocks, text, ("empty",))
        if stripped[0].isdigit():
            try:
                value = parse_time(stripped)
                return self._remember(self.clocks, text, (value.ms, value.decimals))
            except LedgerError as exc:
                return ("error", str(exc))
        found = _status_of(stripped)
        if found is not None:
            return self._remember(self.clocks, text, ("status", found))
        return ("error", f"bad time {stripped!r}: expected H:MM:SS, M:SS or MM:SS (e.g. 2:05:31 or 2:05:31.4), "
                         "or DNF, DNS, DQ")

    def clock_word(self, found: tuple, column: int, status: str, note, said, errors):
        if found[0] == "empty":
            return status, note, said, errors
        if found[0] == "error":
            return status, note, said, self.add(errors, f"{self.header[column]}: {found[1]}")
        return self._said(found[1], self.header[column], status, note, said, errors)

    def nationality(self, text: str) -> str | None:
        code = text.strip().upper()
        return self._remember(self.codes, text, code if _NATIONALITY.match(code) else None)

    def birth_year(self, text: str) -> int | None:
        value = text.strip()
        year = int(value) if value.isdecimal() and 1900 <= int(value) <= self.this_year else None
        return self._remember(self.years, text, year)

    def sex(self, text: str) -> str | None:
        return self._remember(self.sexes, text, SEXES.get(text.strip().upper()))

    def bib(self, bib: str, line: int) -> list[str] | None:
        """A bib the fast path did not settle: a repeat, or one too long for the array."""
        key = int(bib) if bib.isdecimal() and bib[0] != "0" else bib
        earlier = self.bibs.get(key)
        if earlier is not None:
            return [f"duplicate bib {bib} (also on line {earlier[0]})"]
        self.bibs.put(key, line)
        return None

    def position(self, position: int, line: int, given: int, time_ms: int | None) -> list[str] | None:
        """A position beyond the array: grow it, or keep it in the dict."""
        earlier = self.positions.get(position)
        if earlier is None:
            self.positions.put(position, line, given)
            return None
        return None if earlier[1] == given else self.position_clash(position, earlier[0], earlier[1], time_ms)

    @staticmethod
    def position_clash(position: int, line: int, then_ms: int, now_ms: int | None) -> list[str]:
        then = "no time" if then_ms < 0 else format_ms(then_ms, 3).rstrip("0").rstrip(".")
        now = "no time" if now_ms is None else format_ms(now_ms, 3).rstrip("0").rstrip(".")
        return [f"position {position} is also on line {line} with {then}, here with {now} (a tie needs the same time)"]

    @staticmethod
    def reject(problems: Problems, reject, line: int, errors: list[str], record: list[str]) -> None:
        problems.bad_lines += 1
        for message in errors:
            problems.error(line, message)
        if reject:
            reject(line, "; ".join(errors), record)

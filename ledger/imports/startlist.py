"""Reading a start list: one runner a line (bib, name, sex, birth date, year or age, nationality,
club, category), every problem with its line.

The file is CSV or TSV like a results file (ledger.imports.resultsfile: the same delimiter sniffing,
header spellings and cell rules), with the columns a start list has instead of results. A bib given
twice, or one person (the same name, any order, and the same birth date, year or age) given two
bibs, is an error naming both lines; namesakes who differ in those are different people.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator, NamedTuple, TextIO

from ledger.core import limits, rules
from ledger.core.errors import LedgerError
from ledger.core.names import name_key, order_free
from ledger.imports import resultsfile

FIELDS = ("bib", "name", "first_name", "last_name", "sex", "birth_date", "birth_year", "age", "nationality",
          "club", "category")
HEADER_ALIASES = {
    **{f: resultsfile.HEADER_ALIASES[f] for f in ("bib", "name", "first_name", "last_name", "sex", "nationality")},
    "birth_date": ("birth date", "date of birth", "dob", "birthdate", "birthday"),
    "birth_year": ("yob", "born", "birth year", "year of birth", "year"),
    "age": ("age", "age on race day"),
    "club": ("club", "team", "affiliation"),
    "category": ("category", "cat", "class", "division", "age group", "agegroup"),
}
_ALIAS_TO_FIELD = {alias: f for f, aliases in HEADER_ALIASES.items() for alias in aliases}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Columns:
    """Which column holds which field (-1 when absent)."""

    index: dict[str, int]
    width: int


def columns(header: list[str], where: str) -> Columns:
    index = {f: -1 for f in FIELDS}
    for i, text in enumerate(header):
        found = _ALIAS_TO_FIELD.get(resultsfile.header_key(text))
        if found is not None and index[found] < 0:
            index[found] = i
    if index["name"] >= 0 and index["first_name"] >= 0 and index["last_name"] < 0:  # `Name` beside `Vorname`
        index["last_name"], index["name"] = index["name"], -1
    if index["bib"] < 0:
        raise LedgerError(f"{where}: no bib column (Bib, No, Number); a start list gives each runner's bib")
    if index["name"] < 0 and index["first_name"] < 0 and index["last_name"] < 0:
        raise LedgerError(f"{where}: no name column (Name, or First Name and Last Name)")
    return Columns(index, len(header))


class Entry(NamedTuple):
    """One runner of a start list as read, with the line it is on (a tuple: a list has thousands)."""

    line: int
    bib: str
    name: str
    sex: str | None
    birth_date: str | None
    born: int | None
    age: int | None
    nationality: str | None
    club: str | None
    category: str | None
    key: str  # the name's key (ledger.core.names), made once

    def who(self) -> tuple[str, Any]:
        """What makes two lines one person: the name (any order) and the birth date, year or age given."""
        return order_free(self.key), (self.birth_date, self.born, self.age)

    def to_body(self, athlete: int) -> dict[str, Any]:
        """The entrant as its entry's body holds it: the fields the line gave (a list has thousands)."""
        row: dict[str, Any] = {"line": self.line, "bib": self.bib, "name": self.name, "athlete": athlete}
        if self.sex is not None:
            row["sex"] = self.sex
        if self.birth_date is not None:
            row["birth_date"] = self.birth_date
        if self.born is not None:
            row["born"] = self.born
        if self.age is not None:
            row["age"] = self.age
        if self.nationality is not None:
            row["nationality"] = self.nationality
        if self.club is not None:
            row["club"] = self.club
        if self.category is not None:
            row["group"] = self.category
        return row


def _born(text: str, race_day: dt.date) -> tuple[str | None, int | None]:
    """A birth cell: a date (YYYY-MM-DD) or a year."""
    if _DATE.match(text):
        when = rules.date(text, "birth date")
        if when > race_day.isoformat():
            raise LedgerError(f"birth date {when} is after race day ({race_day.isoformat()})")
        return when, int(when[:4])
    return None, rules.birth_year(text)


def _age(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise LedgerError(f"bad age {text!r}: expected whole years on race day, e.g. 34")
    return limits.whole(int(text), "age")


class _Cells:
    """Reads a line's cells by the header's columns. The cells a start list repeats (sex, birth
    date, nationality, club, category) are checked once per distinct text: a list has tens of
    thousands of lines and a few thousand such values."""

    def __init__(self, cols: Columns, race_day: dt.date) -> None:
        def born(text: str) -> tuple[str | None, int | None]:
            return _born(text, race_day)

        rules_by_field: dict[str, Callable[[str], Any]] = {
            "sex": rules.sex,
            "birth_date": born,
            "birth_year": born,
            "age": _age,
            "nationality": rules.nationality,
            "club": lambda text: limits.text(text, "name", "club"),
            "category": lambda text: limits.text(text, "name", "category"),
        }
        at = cols.index
        # (field, column, rule, what each text seen so far gave), for the columns the file has
        self.repeated = [(field, at[field], rule, {}) for field, rule in rules_by_field.items() if at[field] >= 0]
        self.bib, self.name = at["bib"], at["name"]
        self.first_name, self.last_name = at["first_name"], at["last_name"]

    def entry(self, record: list[str], line: int) -> Entry:
        if self.name >= 0:
            name = record[self.name].strip()
        else:
            first = record[self.first_name].strip() if self.first_name >= 0 else ""
            last = record[self.last_name].strip() if self.last_name >= 0 else ""
            name = f"{first} {last}".strip()
        if not name:
            raise LedgerError("missing name")
        limits.text(name, "name")
        bib = record[self.bib].strip()
        if not bib:
            raise LedgerError("missing bib")
        limits.text(bib, "bib")
        value: dict[str, Any] = {}
        for field, column, rule, seen in self.repeated:
            text = record[column].strip()
            if text and not (field == "birth_year" and "birth_date" in value):  # a birth date says the year
                found = seen.get(text)
                if found is None:
                    found = seen[text] = rule(text)
                value[field] = found
        birth_date, born = value.get("birth_date") or value.get("birth_year") or (None, None)
        return Entry(line, bib, name, value.get("sex"), birth_date, born, value.get("age"), value.get("nationality"),
                     value.get("club"), value.get("category"), name_key(name))


def entries(text: TextIO, delimiter: str, cols: Columns, race_day: dt.date,
            problems: resultsfile.Problems) -> Iterator[Entry]:
    """Every good line after the header; each problem (a bad cell, a bib twice, a person twice) goes
    to `problems` with its line."""
    reader = csv.reader(text, delimiter=delimiter)
    for header in reader:
        if header and any(value.strip() for value in header):
            break
    cells = _Cells(cols, race_day)
    bibs: dict[str, int] = {}
    people: dict[tuple[str, Any], tuple[int, str]] = {}
    end = reader.line_num
    try:
        for record in reader:
            line, end = end + 1, reader.line_num
            if not record or (not record[0].strip() and not any(v.strip() for v in record)):  # a blank line
                continue
            if len(record) != cols.width:
                _refuse(problems, line, f"expected {cols.width} fields (as in the header), found {len(record)}")
                continue
            try:
                entry = cells.entry(record, line)
            except LedgerError as exc:
                _refuse(problems, line, str(exc))
                continue
            if entry.bib in bibs:
                _refuse(problems, line, f"bib {entry.bib} is also on line {bibs[entry.bib]}")
                continue
            person = entry.who()
            earlier = people.get(person)
            if earlier is not None:
                _refuse(problems, line, f"{entry.name} (bib {entry.bib}) is also on line {earlier[0]} with bib "
                                        f"{earlier[1]}: one person, two bibs (namesakes need a birth date, "
                                        "year or age that tells them apart)")
                continue
            bibs[entry.bib] = line
            people[person] = (line, entry.bib)
            yield entry
    except csv.Error as exc:
        raise LedgerError(f"{problems.where}:{reader.line_num}: {exc}") from None


def _refuse(problems: resultsfile.Problems, line: int, message: str) -> None:
    problems.bad_lines += 1
    problems.error(line, message)


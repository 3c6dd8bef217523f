"""A file holding several rankings, or claims of several sources: which rows belong together.

`--split-by COLUMN` puts each value of a column (a course, a competition) in its own category;
`--split-by section` each part of the file that a repeated header line starts; places written with
their ranking's size (`3 / 22672`) in rows of different sizes are split by size on their own.
`--source-column COLUMN` reads each row's claimant from a column. The importer scans the file for
the rankings first (their categories head the journal entry), then each row is given the indexes
of its ranking and its source in the entry's lists.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

from ledger.imports import notations

SECTION = "section"
SIZE = "size"
_BIB_PREFIX = re.compile(r"^([A-Za-z]+)")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug_of(name: str) -> str:
    """A category's slug from a ranking's name: lowercase ASCII, accents folded, hyphens (`Männer` -> `manner`,
    `Staffel 4×25 km` -> `staffel-4-25-km`)."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    ascii_only = "".join(c if c.isascii() else "-" for c in folded if not unicodedata.combining(c))
    return _NOT_SLUG.sub("-", ascii_only).strip("-")[:60].strip("-") or "blank"


@dataclass
class Parts:
    """How a row finds its ranking (`category`: a column's index, SECTION or SIZE) and its source column."""

    category: int | str | None = None
    position: int = -1
    source: int = -1
    categories: dict = field(default_factory=dict)  # a ranking's key -> its index in the entry's list
    sources: dict[str, int] = field(default_factory=dict)  # a source's slug as written -> its index
    sizes: dict[str, int | None] = field(default_factory=dict)  # a place's text -> its ranking's size

    @property
    def keyed(self) -> bool:
        return self.category is not None or self.source >= 0

    def key(self, record: list[str], section: int):
        """The row's ranking key: the column's value, the section's number, or its places' size (None: none)."""
        if self.category == SECTION:
            return section
        if self.category == SIZE:
            text = record[self.position] if self.position >= 0 else ""
            size = self.sizes.get(text, -1)
            if size == -1:  # each distinct place text is read once
                found = notations.ranked(text)
                size = self.sizes[text] = found.size if found is not None else None
            return size
        return record[self.category].strip()

    def of(self, record: list[str], section: int) -> list[int] | str:
        """The row's indexes (ranking, then source, as the entry's rows carry them), or why it has none."""
        out = []
        if self.category is not None:
            key = self.key(record, section)
            if key not in self.categories:
                if self.category == SIZE:
                    return "no ranking: its place does not give its ranking's size (3 / 4660)"
                return "no ranking: the --split-by column is blank"
            out.append(self.categories[key])
        if self.source >= 0:
            written = record[self.source].strip().casefold()
            if written not in self.sources:
                return "no source: the --source-column column is blank"
            out.append(self.sources[written])
        return out


@dataclass
class Ranking:
    key: object
    name: str
    rows: int = 0


def scan(records: Iterable[list[str]], header: list[str], parts: Parts, bib: int) -> list[Ranking]:
    """The rankings of a file, in the order their first rows come (records: the rows after the header)."""
    found: dict = {}
    prefixes: dict = {}
    section, width = 1, len(header)
    stripped = [h.strip() for h in header]
    for record in records:
        if not record or not any(v.strip() for v in record):
            continue
        if [v.strip() for v in record[:width]] == stripped:
            section += 1
            continue
        if len(record) < width:
            continue
        key = parts.key(record, section)
        if key is None or key == "":
            continue
        ranking = found.get(key)
        if ranking is None:
            ranking = found[key] = Ranking(key, str(key) if parts.category != SECTION else f"Section {key}")
        ranking.rows += 1
        if parts.category == SIZE:
            match = _BIB_PREFIX.match(record[bib].strip()) if bib >= 0 else None
            prefixes.setdefault(key, set()).add(match.group(1).upper() if match else "")
    for key, ranking in found.items():
        shared = prefixes.get(key, set())
        if len(shared) == 1 and "" not in shared:
            ranking.name = next(iter(shared))
    return list(found.values())


def records_after_header(lines: Iterable[str], delimiter: str) -> Iterable[list[str]]:
    reader = csv.reader(lines, delimiter=delimiter)
    for record in reader:
        if record and any(v.strip() for v in record):
            break
    yield from reader

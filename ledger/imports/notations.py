"""How timing companies write places and times, read into the ledger's values.

Each function reads one cell's text and is cached per distinct text by the caller, so however many
notations are tried, a row costs a dictionary lookup. What a reading had to assume (decimal numbers
as minutes, a two-part time as h:mm) is noted in `seen`, so the importer says it once per file.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

from ledger.core.errors import LedgerError
from ledger.core.times import LONGEST_MS, RaceTime, format_ms, parse_time

# A dash of any width stands for "no value" in every column.
MISSING = frozenset({"-", "–", "—", "--", "n/a"})
_RANKED = re.compile(r"^\s*(\d{1,10})\.?\s*/\s*(\d{1,10})\s*$", re.ASCII)
_UNITS = re.compile(r"^(?:(\d{1,3})\s*h\s*)?(?:(\d{1,2})\s*(?:m|min|')\s*)?(?:(\d{1,2})(?:[.,](\d{1,3}))?\s*(?:s|\")?)?$",
                    re.IGNORECASE | re.ASCII)
_DECIMAL_MINUTES = re.compile(r"^(\d{1,5})[.,](\d{1,4})$", re.ASCII)
_TWO_PART = re.compile(r"^(\d{1,2}):(\d{2})$", re.ASCII)
_DECIMAL_COMMA = re.compile(r"^(\d+:\d{2}(?::\d{2})?),(?=\d{1,3}$)", re.ASCII)  # 9:01:02,5 as German exports write it

DECIMAL_MINUTES = "decimal minutes"
HOURS_MINUTES = "h:mm"


def _capitals(word: str) -> bool:
    """A word written in capitals, as a surname is in `DUPONT Jean` (two letters at least: not an initial)."""
    return word.isupper() and sum(c.isalpha() for c in word) >= 2


def surname_first(name: str) -> str | None:
    """`DUPONT Jean` (a surname in capitals, then the given names) as `Jean DUPONT`, else None.

    Only the order changes, never a letter: name matching ignores case, so `Jean DUPONT` is `Jean Dupont`.
    """
    words = name.split()
    surname = 0
    while surname < len(words) and _capitals(words[surname]):
        surname += 1
    if surname == 0 or surname == len(words) or any(_capitals(w) for w in words[surname:]):
        return None
    return " ".join(words[surname:] + words[:surname])


class Ranked(NamedTuple):
    """A place written with the size of its ranking: `3 / 4660` is 3rd of 4,660."""

    position: int
    size: int


class Word(NamedTuple):
    """A time cell holding words, not a time (`aufgegeben`): no time, if the row is a non-finisher's."""

    text: str


def ranked(text: str) -> Ranked | None:
    """`3 / 4660` (spaces of any width, `3. / 4660` too) as a Ranked place, else None."""
    found = _RANKED.match(text)
    return Ranked(int(found.group(1)), int(found.group(2))) if found else None


def _units(text: str) -> RaceTime | None:
    """`12h34m56s`, `3h05'`, `45m12s`, `2h 31m`: hours, minutes and seconds each marked."""
    if not any(c in text for c in "hHmM's\""):
        return None
    found = _UNITS.match(text.strip())
    if not found or not any(found.group(i) for i in (1, 2, 3)):
        return None
    hours, minutes, seconds, fraction = found.groups()
    if int(minutes or 0) >= 60 or int(seconds or 0) >= 60:
        return None
    fraction = fraction or ""
    ms = ((int(hours or 0) * 60 + int(minutes or 0)) * 60 + int(seconds or 0)) * 1000
    ms += int(fraction.ljust(3, "0")) if fraction else 0
    return RaceTime(ms, len(fraction)) if ms <= LONGEST_MS else None


def _comma(text: str) -> RaceTime | None:
    """`9:01:02,5`: a decimal comma, as German and French exports write it."""
    if "," not in text or not _DECIMAL_COMMA.match(text):
        return None
    try:
        return parse_time(_DECIMAL_COMMA.sub(r"\1.", text))
    except LedgerError:
        return None


def _minutes(text: str) -> RaceTime | None:
    """`128.65` minutes: 2:08:39; the decimals kept are those the milliseconds need."""
    found = _DECIMAL_MINUTES.match(text)
    if not found:
        return None
    ms = Decimal(f"{found.group(1)}.{found.group(2)}") * 60_000
    whole = int(ms.to_integral_value())
    if whole > LONGEST_MS:
        return None
    decimals = 0 if whole % 1000 == 0 else 1 if whole % 100 == 0 else 2 if whole % 10 == 0 else 3
    return RaceTime(whole, decimals)


class Clock:
    """A time column's reader for one race: every notation a timing company uses (see the module doc)."""

    def __init__(self, fastest_ms: int) -> None:
        self.fastest_ms = fastest_ms
        self.seen: set[str] = set()

    def __call__(self, text: str) -> RaceTime:
        """A time, or LedgerError saying what a time looks like."""
        text = text.strip()
        try:
            found = parse_time(text)
        except LedgerError as exc:
            other = _comma(text) or _units(text)
            if other is None:
                other = _minutes(text)
                if other is None:
                    raise exc from None
                self.seen.add(DECIMAL_MINUTES)
            return other
        if found.ms < self.fastest_ms and found.decimals == 0 and _TWO_PART.match(text):
            hours_minutes = RaceTime(found.ms * 60)
            if hours_minutes.ms <= LONGEST_MS:
                self.seen.add(HOURS_MINUTES)
                return hours_minutes
        return found


def said(seen: set[str], column: str, fastest_ms: int, distance_m: int) -> list[str]:
    """What a time column's reading assumed, in words, once per file."""
    notes = []
    if DECIMAL_MINUTES in seen:
        notes.append(f"{column}: decimal numbers read as minutes (128.65 = {format_ms(7_719_000)})")
    if HOURS_MINUTES in seen:
        notes.append(f"{column}: two-part times read as h:mm (2:31 = 2:31:00), since as m:ss they would beat "
                     f"the world record for {distance_m} m (about {format_ms(fastest_ms)})")
    return notes

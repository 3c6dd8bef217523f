"""What a valid value is, said once: slugs, dates, codes, and a result's status, position and birth year.

The single-claim commands and results files call the same rules: each takes the value as given (text,
or a number from an option), returns what is recorded, or raises LedgerError saying what was expected.
Times are in ledger.core.times.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from ledger.core import limits
from ledger.core.errors import LedgerError

_SEGMENT = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NATIONALITY = re.compile(r"^[A-Z]{3}$")
# A status word, then nothing or a note after a separator: `DNF`, `dq`, `DQ TR 54.7.3`, `DSQ (TR 17.3)`.
# The note is one line of at most the note's limit (ledger.core.limits), like any text a source wrote.
_STATUS = re.compile(r"^(FIN|DNF|DNS|DQ|DSQ)(?:$|[^0-9A-Z\x00-\x1f\x7f-\x9f]([^\x00-\x1f\x7f-\x9f\ud800-\udfff]{0,%d})$)"
                     % limits.TEXTS["note"].most, re.IGNORECASE)
_STATUS_CODES = {"FIN": "FIN", "DNF": "DNF", "DNS": "DNS", "DQ": "DQ", "DSQ": "DQ"}
_SEX_WORDS = {"M": "M", "MALE": "M", "MEN": "M", "F": "F", "W": "F", "FEMALE": "F", "WOMEN": "F", "X": "X"}

SOURCE_KINDS = ("official", "organizer", "state-media", "press", "participant", "tour-operator", "other")
STATUSES = ("FIN", "DNF", "DNS", "DQ")  # what is recorded; DSQ is read as DQ
FINISHED = "FIN"
SEXES = ("M", "F", "X")  # what is recorded; MALE, MEN, W, FEMALE and WOMEN are read too
FIRST_BIRTH_YEAR = 1900
LAST_POSITION = limits.WHOLES["position"].most  # the largest placing, on every database


class Status(NamedTuple):
    """A result's status and what the source wrote beside it: `DQ TR 54.7.3` is ("DQ", "TR 54.7.3")."""

    code: str
    note: str | None = None


def slug(value: str, depth: int, what: str) -> str:
    """A slug of `depth` lowercase, hyphenated segments joined by '/' (event/race/category)."""
    parts = value.split("/")
    if len(parts) != depth or not all(_SEGMENT.match(p) for p in parts):
        shape = "/".join(["EVENT", "RACE", "CATEGORY"][:depth]) if what != "source" else "SLUG"
        raise LedgerError(
            f"bad {what} slug {value!r}: expected {shape} in lowercase letters, digits and hyphens"
        )
    return value


def date(value: str, what: str = "date") -> str:
    try:
        if not _DATE.match(value):
            raise ValueError
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise LedgerError(f"bad {what} {value!r}: expected YYYY-MM-DD, e.g. 2025-04-06") from None


def source_kind(value: str) -> str:
    kind = value.lower()
    if kind not in SOURCE_KINDS:
        raise LedgerError(f"unknown source kind {value!r}: expected one of {', '.join(SOURCE_KINDS)}")
    return kind


def status_word(text: str) -> Status | None:
    """The status `text` says, or None when it says none: a time or position column may hold one too."""
    match = _STATUS.match(text.strip())
    if not match:
        return None
    return Status(_STATUS_CODES[match.group(1).upper()], (match.group(2) or "").strip(" :-()[]") or None)


def status(text: str) -> Status:
    """FIN, DNF, DNS or DQ (DSQ too) in any case, maybe followed by a note: `DQ TR 54.7.3`."""
    found = status_word(text)
    if found is None:
        raise LedgerError(f"unknown status {limits.shortened(text.strip())}: expected {_listed(STATUSES)}")
    return found


def status_alone(text: str, note_goes: str) -> str:
    """A status where no note is kept (one claim, a ruling): the note's place is named instead."""
    found = status(text)
    if found.note is not None:
        raise LedgerError(f"status {text.strip()!r} carries a note; give {found.code} alone and put "
                          f"{found.note!r} in {note_goes}")
    return found.code


def sex(text: str) -> str:
    """M, F or X, or the words results files use for them (Male, Women, W, ...), in any case."""
    code = _SEX_WORDS.get(text.strip().upper())
    if code is None:
        raise LedgerError(f"unknown sex {text.strip()!r}: expected {_listed(SEXES)}")
    return code


def nationality(text: str) -> str:
    code = text.strip().upper()
    if not _NATIONALITY.match(code):
        raise LedgerError(f"bad nationality {text.strip()!r}: expected a three-letter code such as POL or PRK")
    return code


def _listed(codes: tuple[str, ...]) -> str:
    return f"{', '.join(codes[:-1])} or {codes[-1]}"


def _number(value: int | str) -> int | None:
    """An option's number, or a whole number written in a file's cell (None when it is not one).

    A cell of more than 18 digits reads as 10**18, beyond every bound, without converting its digits.
    """
    if isinstance(value, int):
        return value
    value = value.strip()
    return (int(value) if len(value) <= 18 else 10**18) if value.isdecimal() else None


def _shown(value: int | str) -> str:
    return repr(value.strip()) if isinstance(value, str) else str(value)


def position(value: int | str) -> int:
    """A placing, 1 or more; a file may write it `12.` or `=12` (a tie), as results lists print it."""
    number = _number(value.strip().rstrip(".").lstrip("=") if isinstance(value, str) else value)
    if number is None:
        raise LedgerError(f"bad position {_shown(value)}: expected a whole number such as 12")
    if number < 1:
        raise LedgerError(f"bad position {_shown(value)}: must be 1 or more")
    if number > LAST_POSITION:
        raise LedgerError(f"bad position {_shown(value)}: must be at most {LAST_POSITION}")
    return number


def birth_year(value: int | str) -> int:
    """A year from 1900 to this one: anything else is a slip of the keyboard, not an athlete."""
    year, this_year = _number(value), dt.date.today().year
    if year is None or not FIRST_BIRTH_YEAR <= year <= this_year:
        raise LedgerError(f"bad birth year {_shown(value)}: expected a year between {FIRST_BIRTH_YEAR} and "
                          f"{this_year}")
    return year


def positive(value: int, what: str) -> int:
    if value <= 0:
        raise LedgerError(f"bad {what} {value}: must be 1 or more")
    return value


def text(value: str, what: str, kind: str = "name") -> str:
    """Text a user typed, stripped: not empty, and within the limits of its kind (ledger.core.limits)."""
    value = value.strip()
    if not value:
        raise LedgerError(f"{what} must not be empty")
    return limits.text(value, kind, what)


def age_on(day: dt.date, birth_date: dt.date | None, born: int | None, age: int | None) -> int | None:
    """Age on race day: from the birth date, else the birth year (the age reached that year), else as given."""
    if birth_date is not None:
        return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
    if born is not None:
        return day.year - born
    return age

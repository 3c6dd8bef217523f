"""Checks on user input that every service shares: slugs, dates, codes."""

from __future__ import annotations

import datetime as dt
import re

from ledger.core.errors import LedgerError

_SEGMENT = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NATIONALITY = re.compile(r"^[A-Z]{3}$")

SOURCE_KINDS = ("official", "organizer", "state-media", "press", "participant", "tour-operator", "other")
STATUSES = ("FIN", "DNF", "DNS", "DQ")
SEXES = ("M", "F", "X")


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


def choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    normalised = value.upper() if allowed is not SOURCE_KINDS else value.lower()
    if normalised not in allowed:
        raise LedgerError(f"unknown {what} {value!r}: expected one of {', '.join(allowed)}")
    return normalised


def nationality(value: str) -> str:
    code = value.strip().upper()
    if not _NATIONALITY.match(code):
        raise LedgerError(f"bad nationality {value!r}: expected a three-letter code such as POL or PRK")
    return code


def positive(value: int, what: str) -> int:
    if value <= 0:
        raise LedgerError(f"bad {what} {value}: must be 1 or more")
    return value


def birth_year(value: int) -> int:
    if not 1900 <= value <= dt.date.today().year:
        raise LedgerError(f"bad birth year {value}: expected a year between 1900 and now")
    return value


def text(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise LedgerError(f"{what} must not be empty")
    return value

"""How large a value may be and which characters it may hold: one table, the same on every database.

SQLite stores any length and any integer; PostgreSQL refuses a name past its column or a number past
32 bits. So every value is held to the smaller of the two before anything is written, and a ledger
one database accepts loads into the other. Writers name the field as the user typed it (`--name`);
`check_entry` holds every journal entry to the same table on its way in, loaded ones too.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from ledger.core.errors import LedgerError

LARGEST = 2**31 - 1  # the largest integer an integer column holds on every database


class Text(NamedTuple):
    """At most `most` characters; `lines` lets the text keep newlines and tabs (quotes, reasons)."""

    most: int
    lines: bool = False


class Whole(NamedTuple):
    least: int
    most: int


# What each kind of text may be. Names are of events, races, categories, sources, athletes (and
# their other spellings), topics and measures.
TEXTS: dict[str, Text] = {
    "slug": Text(200),
    "name": Text(300),
    "place": Text(300),
    "division": Text(100),
    "description": Text(300),  # an unnamed athlete, as the source described them
    "bib": Text(20),
    "url": Text(2000),
    "quote": Text(10_000, lines=True),
    "reason": Text(2_000, lines=True),
    "note": Text(300),  # what a source wrote beside a status: `TR 54.7.3`
    "method": Text(2_000, lines=True),
    "decided by": Text(300),
    "recorded by": Text(200),
    "file name": Text(300),
    "amount": Text(40),  # a figure's exact decimal text
    "origin": Text(200),  # the log's name in its checkpoints and its signing key's name
}

WHOLES: dict[str, Whole] = {
    "id": Whole(1, LARGEST),
    "position": Whole(1, LARGEST),
    "distance": Whole(1, LARGEST),  # metres
    "time": Whole(0, LARGEST),  # milliseconds: 596:31:23.647
    "age": Whole(0, 150),
}

URL_SCHEMES = ("http", "https")
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f]|[\ud800-\udfff]")  # controls, and halves of a character
_UNSAFE_IN_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]|[\ud800-\udfff]")
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://[^/?#\s]+")
SHOWN = 40


def shortened(value: Any) -> str:
    """The value as an error message shows it: quoted, escaped, and cut to SHOWN characters."""
    if isinstance(value, str) and len(value) > SHOWN:
        return f"{value[:SHOWN]!r}… ({len(value)} characters)"
    return repr(value) if isinstance(value, str) else str(value)


def text(value: str, kind: str, what: str | None = None) -> str:
    """`value` if it fits TEXTS[kind]; an error naming `what` (the option, say), the limit and the value."""
    limit, what = TEXTS[kind], what or kind
    if len(value) > limit.most:
        raise LedgerError(f"{what} is too long: at most {limit.most} characters, got {shortened(value)}")
    bad = (_UNSAFE_IN_LINES if limit.lines else UNSAFE).search(value)
    if bad is not None:
        allowed = "; only newlines and tabs are allowed" if limit.lines else ""
        found = "a byte that is not UTF-8" if "\ud800" <= bad.group() <= "\udfff" else "the control character"
        raise LedgerError(f"{what} holds {found} {bad.group()!r} at character {bad.start() + 1}"
                          f"{allowed}: {shortened(value)}")
    if kind == "url":
        url(value, what)
    return value


def url(value: str, what: str = "url") -> str:
    """An http or https address with a host: a citation must be a page a reader can open."""
    found = _URL.match(value)
    if found is None or found.group(1).lower() not in URL_SCHEMES:
        raise LedgerError(f"bad {what} {shortened(value)}: expected an http:// or https:// address")
    return value


def base_url(value: str, what: str = "--base-url") -> str:
    """Where a site is published, as `serve`/`report --base-url` take it: a URL by `text`'s rule,
    with no `?query` or `#fragment` (a page's path is put after it), and no `/` at its end."""
    text(value, "url", what)
    if "?" in value or "#" in value:
        raise LedgerError(f"bad {what} {shortened(value)}: expected an address without ?query or #fragment, "
                          "e.g. https://results.example.org/ledger")
    return value.rstrip("/")


def whole(value: int, kind: str, what: str | None = None) -> int:
    """`value` if it lies within WHOLES[kind]; an error naming `what`, the range and the value."""
    limit, what = WHOLES[kind], what or kind
    if not limit.least <= value <= limit.most:
        shown = str(value) if len(str(value)) <= SHOWN else f"{str(value)[:SHOWN]}… ({len(str(value))} digits)"
        raise LedgerError(f"bad {what} {shown}: must be from {limit.least} to {limit.most}")
    return value


def number_text(value: str, kind: str, what: str) -> int | None:
    """A whole number written as text (`#12`'s 12, a history target) within WHOLES[kind], or None
    when `value` is not plain ASCII digits."""
    if not (value.isascii() and value.isdecimal()):
        return None
    if len(value) > len(str(LARGEST)):  # beyond every range: said without converting every digit
        limit = WHOLES[kind]
        raise LedgerError(f"bad {what} {shortened(value)[1:-1] if len(value) <= SHOWN else shortened(value)}: "
                          f"must be from {limit.least} to {limit.most}")
    return whole(int(value), kind, what)


# The fields of journal entry bodies, by key, and what each holds: `check_entry` applies them.
ENTRY_FIELDS: dict[str, str] = {
    "slug": "slug", "category": "slug", "source": "slug", "via": "slug", "measure": "slug", "subject": "slug",
    "relies_on": "slug",
    "name": "name", "as_written": "name", "aliases": "name", "measure_name": "name",
    "place": "place", "division": "division", "unnamed": "description", "bib": "bib", "url": "url",
    "quote": "quote", "reason": "reason", "status_note": "note", "method": "method", "by": "decided by",
    "low": "amount", "high": "amount", "origin": "origin",
    "id": "id", "claim": "id", "accept": "id", "athlete": "id", "figure": "id", "measure_id": "id",
    "keep": "id", "other": "id",
    "position": "position", "distance_m": "distance", "time_ms": "time", "net_time_ms": "time",
    "age_min": "age", "age_max": "age",
}


def check_entry(kind: str, body: Any, recorded_by: str) -> None:
    """Every value of a journal entry's body within its limit; a key not in ENTRY_FIELDS (a date, a
    status) has its own rule, but no control character or broken one reaches a database by it."""
    text(recorded_by, "recorded by", "who records the entry (--as)")
    _check(kind, None, body)


# Per key, what its flat values must pass, for the fast test in _check: a text's length and
# pattern (a URL's form is left to `text`), a whole number's range. A value that fails it goes
# through `text`, `whole` or the control-character test for its message.
_TEXT_TEST = {key: (TEXTS[field].most, _UNSAFE_IN_LINES if TEXTS[field].lines else UNSAFE, field == "url")
              for key, field in ENTRY_FIELDS.items() if field in TEXTS}
_WHOLE_TEST = {key: WHOLES[field] for key, field in ENTRY_FIELDS.items() if field in WHOLES}


def _check(kind: str, key: str | None, value: Any) -> None:
    if value.__class__ is dict:  # a large body is many dicts of flat values: those are tested here
        for inner, item in value.items():
            flat = item.__class__
            if flat is str:
                test = _TEXT_TEST.get(inner)
                if test is None:
                    if UNSAFE.search(item) is None:
                        continue
                elif len(item) <= test[0] and test[1].search(item) is None and not test[2]:
                    continue
            elif flat is int:
                limit = _WHOLE_TEST.get(inner)
                if limit.least <= item <= limit.most if limit is not None else -LARGEST <= item <= LARGEST:
                    continue
            elif item is None or flat is bool:
                continue
            _check_one(kind, inner, item)
    else:
        _check_one(kind, key, value)


def _check_one(kind: str, key: str | None, value: Any) -> None:
    if isinstance(value, dict):
        _check(kind, key, value)
    elif isinstance(value, list):
        for item in value:
            _check(kind, key, item)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if key in ENTRY_FIELDS and ENTRY_FIELDS[key] in WHOLES:
            whole(value, ENTRY_FIELDS[key], f"{kind} {key}")
        elif abs(value) > LARGEST:
            raise LedgerError(f"{kind} {key} is out of range: {shortened(value)}")
    elif isinstance(value, str):
        field = ENTRY_FIELDS.get(key or "")
        if field in TEXTS:
            text(value, field, f"{kind} {key.replace('_', ' ')}")
        elif UNSAFE.search(value):
            raise LedgerError(f"{kind} {key} holds a control character: {shortened(value)}")

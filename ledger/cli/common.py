"""What every command shares: the global options' values, option values checked once by the library rule
that holds them (a bad one is a usage error, exit 2), the output options, and pausing the collector."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, AnyStr, Callable

import click

from ledger.core import limits
from ledger.core.errors import LedgerError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@dataclass(frozen=True)
class Options:
    """The root group's --db, --as and --read-only, handed to every command through its context."""

    db: str
    user: str | None
    read_only: bool = False


class Checked(click.ParamType):
    """A value a `ledger` function parses (raising LedgerError); a bad one is a usage error (exit 2)."""

    def __init__(self, name: str, parse: Callable[[str], Any]) -> None:
        self.name, self.parse = name, parse

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return self.parse(value)
        except LedgerError as exc:
            self.fail(str(exc), param, ctx)


def _format(value: str) -> str:
    from ledger.output.render import check_format

    return check_format(value)


def _tolerance(value: str) -> int:
    from ledger.core.times import parse_tolerance

    return parse_tolerance(value)


FORMAT = Checked("format", _format)

FORMAT_OR_TEXT = Checked("format", lambda value: value if value == "text" else _format(value))

TOLERANCE_MS = Checked("seconds", _tolerance)

BASE_URL = Checked("url", limits.base_url)


def output_option(func: Callable) -> Callable:
    return click.option(
        "-f", "--format", "fmt", type=FORMAT, default="simple", show_default=True, metavar="FORMAT",
        help="json, jsonl, csv, tsv, or a tabulate table format (simple, github, grid, ...).",
    )(func)


def tolerance_option(func: Callable) -> Callable:
    return click.option(
        "--tolerance", "tolerance_ms", type=TOLERANCE_MS, default="1", show_default=True, metavar="SECONDS",
        help="Times further apart than this disagree (seconds, e.g. 1 or 0.5).",
    )(func)


def width_option(func: Callable) -> Callable:
    return click.option(
        "--width", type=click.IntRange(min=0), metavar="COLUMNS",
        help="Fit tables to this many columns [default: the terminal's width, else 100; 0: never narrow them].",
    )(func)


def pauses_collector(command: Callable) -> Callable:
    """The one place the cyclic collector is paused (ledger.output.collector): for the whole of a
    command that builds a large report before printing it, or imports a file (for `results`, all but
    --follow, which never ends by itself)."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        from ledger.output.collector import paused

        with paused():
            return command(*args, **kwargs)

    return run


# The most a key, a signed note or a proof file is read for: each is a few kilobytes (a proof
# carries one entry, or one row of it), and a file with no end (/dev/zero) must not fill memory.
SMALL_FILE_CHARS = 16 << 20


def read_text(path: str) -> str:
    """A small text file a command is given (a key, a signed note, a proof): bytes that are not UTF-8
    become U+FFFD, which the parsers then refuse with what they expected."""
    with open(path, encoding="utf-8", errors="replace") as found:
        return _small(path, found.read(SMALL_FILE_CHARS + 1))


def read_bytes(path: str) -> bytes:
    """A small file's bytes, as `read_text` bounds them (a proof is checked byte for byte)."""
    with open(path, "rb") as found:
        return _small(path, found.read(SMALL_FILE_CHARS + 1))


def _small(path: str, data: AnyStr) -> AnyStr:
    if len(data) > SMALL_FILE_CHARS:
        raise LedgerError(f"{path} holds more than {SMALL_FILE_CHARS >> 20} MB: not a key, a signed note or a proof")
    return data

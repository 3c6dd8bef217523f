"""Printing: records in the chosen format fitted to the width, the figures beside a table, progress bars."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import click

from ledger.output.inert import visible


def table_width(width: int | None) -> int:
    """The width tables fit: --width, else the terminal's (COLUMNS, else the terminal of standard
    output, else 100)."""
    import shutil

    return shutil.get_terminal_size((100, 24)).columns if width is None else width


def emit(records: Any, fmt: str, flat: Callable | None = None, empty: str = "nothing to show",
         width: int | None = None) -> None:
    """Print `records` (or what the function `records` builds) in `fmt` (ledger.output.render), a
    table fitted to `width` (`table_width`)."""
    from ledger.output.render import render

    click.echo(render(records, fmt, flat, empty, table_width(width)), nl=False)


def is_table(fmt: str) -> bool:
    return fmt not in ("json", "jsonl", "csv", "tsv")


def claim_table(report: Any, keys: tuple[str, ...], fmt: str = "simple", labels: Any = None) -> Any:
    """A row per claim of a report, led by the fields of what holds it (ledger.output.claim_columns):
    for a table, with citation marks and the citations under it, athletes who share a name told
    apart by `labels`; for CSV and TSV, with each claim's own citation in columns."""
    from ledger.output import claim_columns

    return claim_columns.columns(report, keys, is_table(fmt), labels)


def figures_beside(session: Any, slug: str | None, fmt: str, above: bool = False) -> list[Any]:
    """For a table of a category's results, or of an event's or race's catalog: the figures about
    it (`above`: and about what holds it; otherwise about what lies beneath it), weighed. JSON, CSV
    and TSV stay the command's own records."""
    if slug is None or not is_table(fmt):
        return []
    from ledger.read import figures

    return figures.about_and_above(session, slug) if above else figures.assessed(session, slug)


def emit_figures_beside(found: list[Any], title: str, fmt: str, width: int | None) -> None:
    """The figures `figures_beside` found, under the table, as `raceledger figures` lists them."""
    if found:
        from ledger.output import figure_columns

        click.echo(f"\n{title}:")
        emit(found, fmt, lambda: figure_columns.figure_table(found), width=width)


def athlete_labels(report: Any, fmt: str) -> Any:
    """For a table: how it names athletes who share a name with another in it (ledger.read.claim_show)."""
    if not is_table(fmt):
        return None
    from ledger.read.claim_show import athlete_labels as labels

    return labels(claim for _, listed in report.held for claim in listed)


def progress_bars() -> Callable:
    """Bars on stderr when it is a terminal; nothing extra at all when it is not (pipes, CI, logs)."""
    from ledger.core.progress import silent

    if not sys.stderr.isatty():
        return silent

    @contextmanager
    def bar(label: str, total: int) -> Iterator[Callable[[int], None]]:
        with click.progressbar(length=max(total, 1), label=visible(label), file=sys.stderr) as shown:
            yield shown.update

    return bar


def echo_capped(lines: list[str], more: int, what: str) -> None:

    for line in lines:
        click.echo(visible(line), err=True)
    if more > 0:
        click.echo(f"... and {more} more {what}", err=True)

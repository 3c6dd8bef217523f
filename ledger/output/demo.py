"""What `demo` prints: the example's disputes and, as a table, why each placing stands as it does,
the event's figures and the topics' figures compared. JSON and CSV give the disputes alone, as
`raceledger disputes EVENT` does, so that a script reads the same keys from both."""

from __future__ import annotations

import textwrap
from typing import Any, NamedTuple

from ledger.output import figure_columns, why
from ledger.output.render import render
from ledger.projection import lookup
from ledger.read import figures, reports
from ledger.read.reports import ClaimReport


class Shown(NamedTuple):
    """What `demo` shows of an event and its topics, read in one session."""

    event: str
    topics: tuple[str, ...]
    disputes: ClaimReport
    figure_disputes: list[dict[str, Any]]
    event_figures: list[Any]
    compared: list[Any]
    placings: list[dict[str, Any]]


def read(session: Any, event: str, topics: tuple[str, ...], tolerance_ms: int) -> Shown:
    found, figure_disputes = reports.disputes_with_figures(session, event, tolerance_ms)
    compared = [pair for topic in topics for pair in figures.pairs(figures.assessed(session, topic))]
    placings = [placing for category in lookup.categories_under(session, event)
                for placing in reports.results_report(session, category.slug, tolerance_ms).to_json()]
    return Shown(event, topics, found, figure_disputes, figures.assessed(session, event), compared, placings)


def text(shown: Shown, fmt: str, width: int) -> bytes:
    """The disputes in `fmt`; for a table, then the reasons, figures and comparisons, fitted to `width`
    columns (0: never narrowed)."""
    parts = [f"Disputes in {shown.event}:\n".encode()] if fmt == "simple" else []
    parts.append(figure_columns.disputes_output(shown.disputes, shown.figure_disputes, ("category", "kind"), fmt,
                                                width))
    if not figure_columns.is_table(fmt):
        return b"".join(parts)
    parts.append(f"\nWhy each placing of {shown.event} stands as it does:\n".encode())
    for placing in shown.placings:
        reason = why.reason(placing)
        wrapped = textwrap.fill(reason, width, subsequent_indent="  ", break_on_hyphens=False) if width else reason
        parts.append(f"{wrapped}\n".encode())
    parts.append(f"\nFigures of {shown.event}:\n".encode())
    parts.append(render(shown.event_figures, fmt, lambda: figure_columns.figure_table(shown.event_figures),
                        "no figures", width))
    parts.append(f"\nFigures compared, on {' and '.join(shown.topics)}:\n".encode())
    parts.append(render(shown.compared, fmt, lambda: figure_columns.pair_table(shown.compared),
                        "no figures to compare", width))
    return b"".join(parts)

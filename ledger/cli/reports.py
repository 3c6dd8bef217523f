"""Reading what the ledger holds: `results`, `disputes` and `history`."""

from __future__ import annotations

from typing import Any

import click

from ledger.cli.common import output_option, pauses_collector, tolerance_option, width_option
from ledger.cli.figures import weighing, weighing_options
from ledger.cli.printing import athlete_labels, claim_table, emit, emit_figures_beside, figures_beside, table_width
from ledger.cli.sessions import reading


@click.command()
@click.argument("category", metavar="CATEGORY")
@click.option("--all", "show_all", is_flag=True, help="Also show retracted claims, marked with the reason.")
@click.option("--standings", is_flag=True,
              help="The official order after disqualifications: each placing's official place, the places below "
                   "a DQ moved up (or left empty by --vacate); every claim as its source made it.")
@tolerance_option
@output_option
@width_option
@click.pass_context
@pauses_collector
def results(ctx: click.Context, category: str, show_all: bool, standings: bool, tolerance_ms: int, fmt: str,
            width: int | None) -> None:
    """Every placing of a category, its claims and its verdict.

    Verdicts: agreed (two independent lines of evidence concur), single-source, disputed, ruled (an
    official ruling chose a claim; the others stay listed as overruled). Retracted claims count for
    nothing. Each claim names its claimant (source), the source whose report carried it (via) and
    where it was seen ([1]): the citations follow the table, with their quotes. The figures about the
    category, its race and its event (the runners, the fee...) close a table; JSON and CSV hold
    the placings alone.

    \b
    Example:
        raceledger results pyongyang-2025/marathon/amateur-men --all
        raceledger results pyongyang-2025/marathon/elite-men --standings
    """
    from ledger.read import reports

    with reading(ctx) as session:
        found = reports.results_report(session, category, tolerance_ms, include_retracted=show_all,
                                       standings=standings)
        labels = athlete_labels(found, fmt)
        about = figures_beside(session, category, fmt, above=True)
    keys = ("verdict", "official") if standings else ("verdict",)
    if any("unplaced" in fields for fields, _ in found.held):  # a derived category: why a claim has no place
        keys += ("unplaced",)
    emit(found.to_json, fmt, lambda: claim_table(_official_words(found) if standings else found, keys, fmt, labels),
         "no claims", width)
    emit_figures_beside(about, f"Figures about {category}, its race and its event", fmt, width)


def _official_words(report: Any) -> Any:
    """For a table of --standings: each placing's official place, `DQ`, or `vacated`."""
    return report._replace(held=[(dict(fields, official=(fields["official_position"] if fields["official_position"]
                                                         is not None else "vacated" if fields["vacated"] else
                                                         "DQ" if fields["position"] is not None else None)), listed)
                                 for fields, listed in report.held])


@click.command()
@click.argument("scope", required=False, metavar="[SCOPE]")
@click.option("--all", "show_all", is_flag=True, help="Also list disputes a ruling settled, with the ruling.")
@tolerance_option
@weighing_options
@output_option
@width_option
@click.pass_context
@pauses_collector
def disputes(ctx: click.Context, scope: str | None, show_all: bool, tolerance_ms: int, tolerance_pct: Any,
             window: int | None, fmt: str, width: int | None) -> None:
    """Every open dispute under an event, race or category slug, or a topic (everywhere without one).

    A position dispute: sources give one placing to different athletes (an unnamed athlete
    included). An athlete dispute: claims about one athlete disagree on position, status or time.
    A figure dispute: two figures of one subject and measure that cannot both hold, with the rule's
    derivation in words (see `raceledger figures`).
    Retracted claims and figures do not count; a dispute an official ruling settled is listed with --all.

    \b
    Example:
        raceledger disputes pyongyang-2025 -f json
        raceledger disputes dprk-famine
    """
    from ledger.output.figure_columns import disputes_output
    from ledger.read import reports

    with reading(ctx) as session:
        found, figure_disputes = reports.disputes_with_figures(session, scope, tolerance_ms, show_all,
                                                               weighing(tolerance_pct, window))
        labels = athlete_labels(found, fmt)
    keys = ("category", "kind", "verdict") if show_all else ("category", "kind")
    click.echo(disputes_output(found, figure_disputes, keys, fmt, table_width(width), labels), nl=False)


@click.command()
@click.argument("target", required=False, metavar="[SCOPE | CLAIM_ID]")
@output_option
@width_option
@click.pass_context
@pauses_collector
def history(ctx: click.Context, target: str | None, fmt: str, width: int | None) -> None:
    """Every journal entry that touched an event, race, category or claim, in order (all without one).

    Each with its seq, kind, who recorded it, when, and a one-line summary.

    \b
    Example:
        raceledger history pyongyang-2025/marathon/amateur-men
        raceledger history 6 -f json
    """
    from ledger.output.listings import history_table
    from ledger.read import history as journal_history

    with reading(ctx) as session:
        found = journal_history.entries(session, target)
    emit(found, fmt, lambda: history_table(found), "no journal entries", width)


COMMANDS = (results, disputes, history)  # added to the root group by cli.py

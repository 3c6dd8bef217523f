"""Reading what the ledger holds: `results`, `disputes` and `history`."""

from __future__ import annotations

from typing import Any

import click

from ledger.cli.common import output_option, pauses_collector, tolerance_option, width_option
from ledger.cli.figures import weighing, weighing_options
from ledger.cli.printing import athlete_labels, claim_table, emit, emit_figures_beside, figures_beside, table_width
from ledger.cli.sessions import opened, reading


@click.command()
@click.argument("category", metavar="CATEGORY")
@click.option("--all", "show_all", is_flag=True, help="Also show retracted claims, marked with the reason.")
@click.option("--standings", is_flag=True,
              help="The official order after disqualifications: each placing's official place, the places below "
                   "a DQ moved up (or left empty by --vacate); every claim as its source made it.")
@click.option("--follow", is_flag=True,
              help="Print the category's claims as they stand, then each new claim as it is recorded, until "
                   "Ctrl-C: a table row each, or with -f jsonl one JSON object a line (a claim as in -f json, "
                   "with its category).")
@click.option("--interval", type=click.FloatRange(min=0.1, max=3600), default=1.0, show_default=True,
              metavar="SECONDS", help="With --follow: how often to look for new claims.")
@tolerance_option
@output_option
@width_option
@click.pass_context
def results(ctx: click.Context, category: str, show_all: bool, standings: bool, follow: bool, interval: float,
            tolerance_ms: int, fmt: str, width: int | None) -> None:
    """Every placing of a category, its claims and its verdict.

    Verdicts: agreed (two independent lines of evidence concur), single-source, disputed, ruled (an
    official ruling chose a claim; the others stay listed as overruled). Retracted claims count for
    nothing. Each claim names its claimant (source), the source whose report carried it (via) and
    where it was seen ([1]): the citations follow the table, with their quotes. The figures about the
    category, its race and its event (the runners, the fee...) close a table; JSON and CSV hold
    the placings alone.

    With --follow, a race unfolds on the terminal: claims, not placings, a line each, as they are
    recorded (by `finish --live` at the line, an import, a typed claim); a retraction of a claim
    already shown is not a new claim. Ctrl-C stops it (exit 130). `--follow -f jsonl` feeds another
    program (docs/raceday.md).

    \b
    Example:
        raceledger results pyongyang-2025/marathon/amateur-men --all
        raceledger results pyongyang-2025/marathon/elite-men --standings
    """
    if follow:
        from ledger.output import stream

        if standings or fmt not in stream.FORMATS:
            raise click.UsageError("--follow prints a table of claims or, with -f jsonl, JSON lines; it takes no "
                                   "--standings and no other format")
        _follow(ctx, category, show_all, tolerance_ms, fmt, interval)
    else:
        _results(ctx, category, show_all, standings, tolerance_ms, fmt, width)


@pauses_collector
def _results(ctx: click.Context, category: str, show_all: bool, standings: bool, tolerance_ms: int, fmt: str,
             width: int | None) -> None:
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


def _follow(ctx: click.Context, category: str, show_all: bool, tolerance_ms: int, fmt: str, interval: float) -> None:
    """`results --follow`: the claims as they stand, then a poll every `interval` seconds (one index
    seek while nothing is new), each in its own snapshot, printing what it finds. The collector
    runs: this never ends by itself."""
    import time

    from ledger.output import stream
    from ledger.read import follow
    from ledger.store.engine import transaction

    engine = opened(ctx, write=False)
    with transaction(engine) as session:
        shown, followed = follow.standing(session, category, tolerance_ms, show_all)
    if fmt != "jsonl":
        click.echo(stream.header(), nl=False)
    for claim in shown:
        click.echo(stream.line(claim, fmt), nl=False)
    new = 0
    try:
        while True:
            time.sleep(interval)
            with transaction(engine) as session:
                if follow.newest_claim(session, followed.category_id) == followed.newest:
                    continue
                found = follow.claims_after(session, followed, tolerance_ms)
            for claim in found:
                click.echo(stream.line(claim, fmt), nl=False)
            if found:
                new += len(found)
                followed = followed._replace(newest=found[-1]["id"])
    except KeyboardInterrupt as exc:
        exc.add_note(f"followed {category}: {new} new claim{'s' if new != 1 else ''} shown")
        raise
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

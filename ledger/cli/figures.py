"""Figures: numbers with ranges, units and periods, weighed by ledger.core.figure_rule; and their topics."""

from __future__ import annotations

from typing import Any, Callable

import click

from ledger.cli.common import CONTEXT, Checked, output_option, width_option
from ledger.cli.printing import emit, table_width
from ledger.cli.sessions import reading, writing
from ledger.core.errors import LedgerError


def _figure_rule() -> Any:
    from ledger.core import figure_rule

    return figure_rule


def _figure_kind(value: str) -> str:
    if value not in _figure_rule().KINDS:
        raise LedgerError(f"unknown kind {value!r}: expected one of {', '.join(_figure_rule().KINDS)}")
    return value


def _tolerance_pct(value: str) -> Any:
    from ledger.read.figures import parse_tolerance_pct

    return parse_tolerance_pct(value)


AMOUNT = Checked("number", lambda value: _figure_rule().parse_amount(value))

PERIOD = Checked("period", lambda value: _figure_rule().Period.parse(value))

MOMENT = Checked("date", lambda value: _figure_rule().parse_moment(value))

FIGURE_KIND = Checked("kind", _figure_kind)

TOLERANCE_PCT = Checked("percent", _tolerance_pct)


def weighing_options(func: Callable) -> Callable:
    """--tolerance-pct and --window: how the rule weighs figures (ledger.read.figures.Weighing)."""
    func = click.option(
        "--window", type=click.IntRange(0, 36_525), metavar="DAYS",
        help="Compare at-date figures up to this many days apart, 0 to 36525 (default: only at the same date; a bare "
             "year holds every day of it).",
    )(func)
    return click.option(
        "--tolerance-pct", type=TOLERANCE_PCT, default=str(_figure_rule().DEFAULT_TOLERANCE_PCT),
        show_default=True, metavar="PERCENT", help="Widen figures a source gave as 'around' by this percentage.",
    )(func)


def weighing(tolerance_pct: Any, window: int | None) -> Any:
    import datetime as dt

    from ledger.read.figures import Weighing

    return Weighing(tolerance_pct, None if window is None else dt.timedelta(days=window))


@click.group(context_settings=CONTEXT)
def topic() -> None:
    """Add and list topics: subjects of figures that are not races (a famine, refugees).

    \b
    Example:
        raceledger topic add nk-tourism --name "Foreign tourists in North Korea"
        raceledger topic list
    """


@topic.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="The topic's name.")
@click.pass_context
def topic_add(ctx: click.Context, slug: str, name: str) -> None:
    """Add a topic, a subject of figures with a slug of its own.

    \b
    Example:
        raceledger topic add nk-tourism --name "Foreign tourists in North Korea"
    """
    from ledger.write import figures

    with writing(ctx) as (session, by):
        seq = figures.add_topic(session, by, slug, name)
    click.echo(f"Added topic {slug} (journal entry {seq}).")


@topic.command("list")
@output_option
@click.pass_context
def topic_list(ctx: click.Context, fmt: str) -> None:
    """List topics and how many figures each holds.

    \b
    Example:
        raceledger topic list -f json
    """
    from ledger.read import figures

    with reading(ctx) as session:
        emit(figures.topics(session), fmt, empty="no topics")


@click.group(context_settings=CONTEXT)
def figure() -> None:
    """Add, show, retract and rule on figures: numbers a source states, with their range, unit and period.

    \b
    Example:
        raceledger figure add dprk-famine deaths --source dprk-foreign-ministry --value 220000 --unit persons \\
            --kind total --period 1995..1998 --measure-name Deaths
        raceledger figure show 9
    """


@figure.command("add")
@click.argument("subject", metavar="SUBJECT")
@click.argument("measure", metavar="MEASURE")
@click.option("--source", required=True, metavar="SLUG", help="Who states the figure (the claimant).")
@click.option("--value", type=AMOUNT, metavar="N", help="The number, when the source gives one (exact decimal).")
@click.option("--low", type=AMOUNT, metavar="N", help="The lower bound of a range the source gives (with --high).")
@click.option("--high", type=AMOUNT, metavar="N", help="The upper bound of that range (with --low).")
@click.option("--approximately", is_flag=True,
              help="The source says 'around' or 'about': the rule widens it by --tolerance-pct.")
@click.option("--unit", required=True, metavar="U",
              help="persons, households, tonnes, km, m, percent, or a currency code: USD, EUR, CNY, KPW, ...")
@click.option("--kind", required=True, type=FIGURE_KIND, metavar="total|per-year|peak-year|at-date",
              help="A total over the period, the average a year, the worst single year, or a count at a date.")
@click.option("--period", type=PERIOD, metavar="START..END",
              help="Years or days the figure covers, e.g. 1995..1998 (not for at-date).")
@click.option("--at", type=MOMENT, metavar="DATE", help="The year or day an at-date count holds at, e.g. 2003.")
@click.option("--method", metavar="TEXT", help="How the source arrived at the figure.")
@click.option("--measure-name", metavar="NAME",
              help="Names MEASURE when no figure used it before (a new measure needs a name).")
@click.option("--via", metavar="SLUG", help="The source that reported it (the citation is that report's).")
@click.option("--url", metavar="U", help="Where it was said.")
@click.option("--quote", metavar="Q", help="What was said, word for word.")
@click.option("--published", metavar="YYYY-MM-DD", help="When it was published.")
@click.pass_context
def figure_add(ctx: click.Context, subject: str, measure: str, source: str, value: Any, low: Any, high: Any,
               approximately: bool, unit: str, kind: str, period: Any, at: Any, **cited: Any) -> None:
    """Record a number one source states: a point or a range, with its unit, kind and period or date.

    SUBJECT is a topic, an event, a race or a category slug; MEASURE a slug such as participants,
    fee or deaths (name a new one with --measure-name).

    \b
    Example:
        raceledger figure add dprk-famine deaths --source house-irc-memo-1998 --via rare-glimpse-inside \\
            --low 300000 --high 800000 --unit persons --kind peak-year --quote "A 1998 memo ..."
        raceledger figure add pyongyang-2025/marathon fee --source rare-glimpse-inside --value 155 \\
            --approximately --unit USD --kind at-date --at 2025-04-06
    """
    from ledger.write import figures

    if value is not None and (low is not None or high is not None):
        raise click.UsageError("give --value N, or --low N --high N, not both", ctx)
    if value is None and (low is None or high is None):
        raise click.UsageError("give --value N, or both --low N and --high N", ctx)
    low, high = (value, value) if value is not None else (low, high)
    with writing(ctx) as (session, by):
        figure_id = figures.add(session, by, subject, measure, source, low=low, high=high, unit_name=unit,
                                kind=kind, approximately=approximately, at=at,
                                period=None if period is None else (period.start, period.end), **cited)
    click.echo(f"Recorded figure {figure_id}.")


@figure.command("show")
@click.argument("figure_id", type=int, metavar="ID")
@weighing_options
@output_option
@width_option
@click.pass_context
def figure_show(ctx: click.Context, figure_id: int, tolerance_pct: Any, window: int | None, fmt: str,
                width: int | None) -> None:
    """One figure whole: as stated, its verdict, how it compares with each other figure of its subject
    and measure (the rule's derivation in words), and the journal entry that recorded it.

    \b
    Example:
        raceledger figure show 9
        raceledger figure show 11 --window 365 -f json
    """
    from ledger.output import figure_columns
    from ledger.read import figures

    with reading(ctx) as session:
        found = figures.one(session, figure_id, weighing(tolerance_pct, window))
    table = figure_columns.is_table(fmt)
    if table:
        click.echo("\n".join(figure_columns.figure_lines(found, table_width(width) or None)) + "\n")
    emit(found.to_json, fmt, lambda: figure_columns.comparison_table(found, table),
         figure_columns.no_comparisons(found), width)


@figure.command("retract")
@click.argument("figure_id", type=int, metavar="ID")
@click.option("--reason", required=True, help="Why the source withdrew or corrected the figure.")
@click.pass_context
def figure_retract(ctx: click.Context, figure_id: int, reason: str) -> None:
    """Withdraw a figure: it stays recorded and shown, but is never weighed against the others.

    \b
    Example:
        raceledger figure retract 12 --reason "The study was revised in 2012"
    """
    from ledger.write import figures

    with writing(ctx) as (session, by):
        seq = figures.retract(session, by, figure_id, reason)
    click.echo(f"Retracted figure {figure_id} (journal entry {seq}).")


@figure.command("rule")
@click.argument("figure_id", type=int, metavar="ID")
@click.option("--by", "decided_by", required=True, metavar="BODY", help="Who decided: a statistics office, ...")
@click.option("--reason", required=True, help="Why this figure holds.")
@click.option("--decided", metavar="YYYY-MM-DD", help="When it was decided.")
@click.pass_context
def figure_rule(ctx: click.Context, figure_id: int, decided_by: str, reason: str, decided: str | None) -> None:
    """Record an official ruling that one figure holds for its subject and measure.

    Verdicts stay what the rule says of the numbers; the figure's standing becomes accepted, the
    figures in dispute with it overruled, and their disputes settled (shown by `disputes --all`).

    \b
    Example:
        raceledger figure rule 1 --by "Organising committee" --reason "Start list of 6 April"
    """
    from ledger.write import figures

    with writing(ctx) as (session, by):
        ruling = figures.rule(session, by, figure_id, decided_by, reason, decided)
    click.echo(f"Recorded figure ruling {ruling}.")


@click.command("figures")
@click.argument("scope", required=False, metavar="[SCOPE]")
@weighing_options
@output_option
@width_option
@click.pass_context
def figures_command(ctx: click.Context, scope: str | None, tolerance_pct: Any, window: int | None,
                    fmt: str, width: int | None) -> None:
    """Every figure of a topic, or of an event, race or category and what lies beneath it (all
    without one), with its verdict against the other figures of its subject and measure.

    Verdicts: single-source (nothing to compare with), consistent (the intervals overlap once on one
    footing), disputed (they cannot both hold), not-comparable (different units, or periods and
    dates that cannot be put on one footing), retracted (shown, never weighed).

    \b
    Example:
        raceledger figures pyongyang-2025
        raceledger figures dprk-famine -f json
    """
    from ledger.output import figure_columns
    from ledger.read import figures

    with reading(ctx) as session:
        found = figures.assessed(session, scope, weighing(tolerance_pct, window))
    emit(lambda: [f.to_json() for f in found], fmt,
         lambda: figure_columns.figure_table(found, figure_columns.is_table(fmt)), "no figures", width)


COMMANDS = (topic, figure, figures_command)  # added to the root group by cli.py

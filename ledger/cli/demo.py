"""`demo`: the Pyongyang 2025 example, loaded once, and its disputes."""

from __future__ import annotations

import click

from ledger.cli.common import output_option, tolerance_option, width_option
from ledger.cli.printing import emit, table_width
from ledger.cli.sessions import upgraded, where, writing
from ledger.output.inert import visible


@click.command()
@tolerance_option
@output_option
@width_option
@click.pass_context
def demo(ctx: click.Context, tolerance_ms: int, fmt: str, width: int | None) -> None:
    """Load the Pyongyang 2025 example (once) and print its disputes.

    Creates the database if needed; running it again adds nothing. The table also shows the race's
    figures, and the article's famine and refugee figures compared by the rule, with its reasons
    (JSON and CSV give the disputes alone, as `raceledger disputes pyongyang-2025` does).

    \b
    Example:
        raceledger demo
    """
    import textwrap

    from ledger.output import figure_columns, why
    from ledger.projection import lookup
    from ledger.read import figures, reports
    from ledger.write import demo as example

    upgraded(ctx)
    shown = where(ctx).display
    with writing(ctx) as (session, by):
        if not example.is_loaded(session):
            example.load(session, by)
            click.echo(visible(f"Loaded the Pyongyang 2025 example into {shown}."), err=True)
        elif not example.has_figures(session):  # loaded by a version before figures
            example.load_figures(session, by)
            click.echo(visible(f"Added the article's figures to the Pyongyang 2025 example in {shown}."), err=True)
        else:
            click.echo(visible(f"The Pyongyang 2025 example is already in {shown}."), err=True)
        found, figure_disputes = reports.disputes_with_figures(session, example.EVENT, tolerance_ms)
        event_figures = figures.assessed(session, example.EVENT)
        compared = [pair for topic in example.TOPICS for pair in figures.pairs(figures.assessed(session, topic))]
        placed = [placing for category in lookup.categories_under(session, example.EVENT)
                  for placing in reports.results_report(session, category.slug, tolerance_ms).to_json()]
    if fmt == "simple":
        click.echo(f"Disputes in {example.EVENT}:")
    click.echo(figure_columns.disputes_output(found, figure_disputes, ("category", "kind"), fmt, table_width(width)),
               nl=False)
    if figure_columns.is_table(fmt):  # JSON and CSV stay the disputes alone, as `disputes EVENT` gives them
        click.echo(f"\nWhy each placing of {example.EVENT} stands as it does:")
        fit = table_width(width)
        for placing in placed:
            reason = why.reason(placing)
            click.echo(textwrap.fill(reason, fit, subsequent_indent="  ", break_on_hyphens=False) if fit else reason)
        click.echo(f"\nFigures of {example.EVENT}:")
        emit(event_figures, fmt, lambda: figure_columns.figure_table(event_figures), "no figures", width)
        click.echo(f"\nFigures compared, on {' and '.join(example.TOPICS)}:")
        emit(compared, fmt, lambda: figure_columns.pair_table(compared), "no figures to compare", width)


COMMANDS = (demo,)  # added to the root group by cli.py

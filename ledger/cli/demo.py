"""`demo`: the Pyongyang 2025 example, loaded once, and its disputes."""

from __future__ import annotations

import click

from ledger.cli.common import output_option, tolerance_option, width_option
from ledger.cli.printing import table_width
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
    from ledger.output import demo as shown
    from ledger.write import demo as example

    upgraded(ctx)
    where_shown = where(ctx).display
    with writing(ctx) as (session, by):
        done = example.ensure(session, by)
        found = shown.read(session, example.EVENT, example.TOPICS, tolerance_ms)
    said = {example.LOADED: f"Loaded the Pyongyang 2025 example into {where_shown}.",
            example.FIGURES_ADDED: f"Added the article's figures to the Pyongyang 2025 example in {where_shown}.",
            example.PRESENT: f"The Pyongyang 2025 example is already in {where_shown}."}
    click.echo(visible(said[done]), err=True)
    click.echo(shown.text(found, fmt, table_width(width)), nl=False)


COMMANDS = (demo,)  # added to the root group by cli.py

"""Athletes: add, list, find, show and merge."""

from __future__ import annotations

import click

from ledger.cli.common import CONTEXT, output_option, pauses_collector, tolerance_option, width_option
from ledger.cli.printing import claim_table, emit
from ledger.cli.sessions import reading, writing
from ledger.output.inert import visible


@click.group(context_settings=CONTEXT)
def athlete() -> None:
    """Add, list, show and merge athletes.

    \b
    Example:
        raceledger athlete add "Anna Nowak" --nationality POL
        raceledger athlete show kopec
    """


@athlete.command("add")
@click.argument("name")
@click.option("--nationality", metavar="CODE", help="IOC or ISO 3166 alpha-3 code, e.g. POL.")
@click.option("--born", type=int, metavar="YEAR", help="Birth year.")
@click.option("--alias", "aliases", multiple=True, metavar="NAME", help="Another spelling (repeatable).")
@click.pass_context
def athlete_add(ctx: click.Context, name: str, nationality: str | None, born: int | None,
                aliases: tuple[str, ...]) -> None:
    """Add an athlete, with other spellings of their name.

    \b
    Example:
        raceledger athlete add "Wojciech Kopec" --nationality POL --alias "Wojciech Kopeć"
    """
    from ledger.write import athletes

    with writing(ctx) as (session, by):
        seq = athletes.add(session, by, name, nationality, born, aliases)
    click.echo(visible(f"Added athlete {name} (journal entry {seq})."))


@athlete.command("list")
@output_option
@click.pass_context
@pauses_collector
def athlete_list(ctx: click.Context, fmt: str) -> None:
    """List athletes and their other spellings.

    \b
    Example:
        raceledger athlete list -f csv
    """
    from ledger.read import athletes

    with reading(ctx) as session:
        found = athletes.list_all(session)
    emit(found, fmt, lambda: [{**a, "aliases": "; ".join(a["aliases"])} for a in found], "no athletes")


@athlete.command("find")
@click.argument("text")
@output_option
@click.pass_context
def athlete_find(ctx: click.Context, text: str, fmt: str) -> None:
    """Athletes whose name has each word of TEXT starting one of its words: either name order, any
    case or accents, other spellings too (the web view's search, the same rule).

    \b
    Example:
        raceledger athlete find "kopec"
        raceledger athlete find "Kum Pak"
    """
    from ledger.read.search import search_athletes

    with reading(ctx) as session:
        found = search_athletes(session, text)
    emit(found, fmt, lambda: [{**a, "aliases": "; ".join(a["aliases"])} for a in found], "no athletes")


@athlete.command("show")
@click.argument("name")
@tolerance_option
@output_option
@width_option
@click.pass_context
def athlete_show(ctx: click.Context, name: str, tolerance_ms: int, fmt: str, width: int | None) -> None:
    """Every claim about one athlete (by any spelling, or #ID), with its verdict.

    NAME may give the parts of a name in either order ("Kum-dong Pak"), or a part of a name that
    one athlete alone has (`athlete find`'s rule); a name that matches nobody gets the near names.

    \b
    Example:
        raceledger athlete show "wojciech kopeć"
    """
    from ledger.read import reports

    with reading(ctx) as session:
        described, found = reports.athlete_report(session, name, tolerance_ms)
    if fmt not in ("json", "jsonl", "csv", "tsv"):
        aliases = f"; also written {', '.join(described['aliases'])}" if described["aliases"] else ""
        click.echo(visible(f"{described['name']} (#{described['id']}, "
                           f"{described['nationality'] or 'nationality unknown'}){aliases}"))
    emit(lambda: reports.athlete_json(described, found), fmt,
         lambda: claim_table(found, ("category", "verdict"), fmt), "no claims", width)


@athlete.command("merge")
@click.argument("keep")
@click.argument("other")
@click.pass_context
def athlete_merge(ctx: click.Context, keep: str, other: str) -> None:
    """Record that OTHER is the same person as KEEP (names or #IDs): OTHER's claims move to KEEP.

    Claims keep the name as their source wrote it; OTHER's spellings become KEEP's.

    \b
    Example:
        raceledger athlete add "Wojciech Kopeć"
        raceledger athlete merge '#3' '#6'
    """
    from ledger.write import merge

    with writing(ctx) as (session, by):
        done = merge.merge(session, by, keep, other)
    click.echo(visible(f"Merged #{done['other']} {done['other_name']} into #{done['keep']} {done['keep_name']} "
                       f"(journal entry {done['seq']}); {done['claims']} claims moved."))


COMMANDS = (athlete,)  # added to the root group by cli.py

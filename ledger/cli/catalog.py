"""What claims are about and who makes them: events, races, categories and sources."""

from __future__ import annotations

import click

from ledger.cli.common import CONTEXT, output_option, pauses_collector, tolerance_option, width_option
from ledger.cli.printing import emit, emit_figures_beside, figures_beside
from ledger.cli.sessions import reading, writing


@click.group(context_settings=CONTEXT)
def event() -> None:
    """Add and list events.

    \b
    Example:
        raceledger event add city-2025 --name "City Marathon" --date 2025-10-12
        raceledger event list
    """


@event.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="The event's name.")
@click.option("--date", required=True, metavar="YYYY-MM-DD", help="The day it was held.")
@click.option("--place", help="Where it was held.")
@click.pass_context
def event_add(ctx: click.Context, slug: str, name: str, date: str, place: str | None) -> None:
    """Add an event.

    \b
    Example:
        raceledger event add city-2025 --name "City Marathon" --date 2025-10-12 --place "City"
    """
    from ledger.write import catalog

    with writing(ctx) as (session, by):
        seq = catalog.add_event(session, by, slug, name, date, place)
    click.echo(f"Added event {slug} (journal entry {seq}).")


@event.command("list")
@output_option
@click.pass_context
def event_list(ctx: click.Context, fmt: str) -> None:
    """List events.

    \b
    Example:
        raceledger event list -f json
    """
    from ledger.read import catalog

    with reading(ctx) as session:
        emit(catalog.list_events(session), fmt, empty="no events")


@click.group(context_settings=CONTEXT)
def race() -> None:
    """Add and list races (EVENT/RACE).

    \b
    Example:
        raceledger event add city-2025 --name "City Marathon" --date 2025-10-12
        raceledger race add city-2025/marathon --name Marathon --distance 42195
        raceledger race list city-2025
    """


@race.command("add")
@click.argument("slug", metavar="EVENT/RACE")
@click.option("--name", required=True, help="The race's name.")
@click.option("--distance", required=True, type=int, metavar="METRES", help="Distance in metres, e.g. 42195.")
@click.pass_context
def race_add(ctx: click.Context, slug: str, name: str, distance: int) -> None:
    """Add a race to an event.

    \b
    Example:
        raceledger event add city-2025 --name "City Marathon" --date 2025-10-12
        raceledger race add city-2025/marathon --name Marathon --distance 42195
    """
    from ledger.write import catalog

    with writing(ctx) as (session, by):
        seq = catalog.add_race(session, by, slug, name, distance)
    click.echo(f"Added race {slug} (journal entry {seq}).")


@race.command("list")
@click.argument("event", required=False)
@output_option
@width_option
@click.pass_context
def race_list(ctx: click.Context, event: str | None, fmt: str, width: int | None) -> None:
    """List races, all or those of one event.

    As a table, an event's races are followed by the figures about the event and its races (the
    runners, the fees...; see `raceledger figures`).

    \b
    Example:
        raceledger race list pyongyang-2025
    """
    from ledger.read import catalog

    with reading(ctx) as session:
        races = catalog.list_races(session, event)
        about = figures_beside(session, event, fmt)
    emit(races, fmt, empty="no races", width=width)
    emit_figures_beside(about, f"Figures about {event} and its races", fmt, width)


@click.group(context_settings=CONTEXT)
def category() -> None:
    """Add and list categories (EVENT/RACE/CATEGORY).

    \b
    Example:
        raceledger event add city-2025 --name "City Marathon" --date 2025-10-12
        raceledger race add city-2025/marathon --name Marathon --distance 42195
        raceledger category add city-2025/marathon/open-women --name "Open women" --sex F
        raceledger category list city-2025
    """


@category.command("add")
@click.argument("slug", metavar="EVENT/RACE/CATEGORY")
@click.option("--name", required=True, help="The category's name.")
@click.option("--sex", metavar="M|F|X", help="Sex of the category.")
@click.option("--division", metavar="D", help="Division: elite, amateur, masters, ...")
@click.option("--age-min", type=int, help="Youngest age in the category.")
@click.option("--age-max", type=int, help="Oldest age in the category.")
@click.option("--derived-from", metavar="CATEGORY",
              help="Rank this category from another of the race (the overall order) by its --sex and age rule "
                   "over the entrants: an age group derived, never claimed.")
@click.pass_context
def category_add(ctx: click.Context, slug: str, name: str, sex: str | None, division: str | None,
                 age_min: int | None, age_max: int | None, derived_from: str | None) -> None:
    """Add a category to a race.

    With --derived-from, the category's results rank each source's claims in that category of the
    athletes the rule matches (sex; age on race day from the start list's birth date, else birth
    year, else the age given): places 1, 2, 3..., each claim keeping the source's own place.

    \b
    Example:
        raceledger event add city-2025 --name "City Marathon" --date 2025-10-12
        raceledger race add city-2025/marathon --name Marathon --distance 42195
        raceledger category add city-2025/marathon/open-women --name "Open women" --sex F --division open
        raceledger category add city-2025/marathon/w40 --name "Women 40-44" --sex F --age-min 40 --age-max 44 \\
            --derived-from city-2025/marathon/open-women
    """
    from ledger.write import catalog

    with writing(ctx) as (session, by):
        seq = catalog.add_category(session, by, slug, name, sex, division, age_min, age_max, derived_from)
    click.echo(f"Added category {slug} (journal entry {seq}).")


@category.command("list")
@click.argument("scope", required=False)
@output_option
@width_option
@click.pass_context
def category_list(ctx: click.Context, scope: str | None, fmt: str, width: int | None) -> None:
    """List categories, all or those under an event or race.

    As a table, they are followed by the figures about that event or race and what it holds.

    \b
    Example:
        raceledger category list pyongyang-2025/marathon
    """
    from ledger.read import catalog

    with reading(ctx) as session:
        found = catalog.list_categories(session, scope)
        about = figures_beside(session, scope, fmt)
    emit(found, fmt, empty="no categories", width=width)
    emit_figures_beside(about, f"Figures about {scope} and what it holds", fmt, width)


@click.group(context_settings=CONTEXT)
def source() -> None:
    """Add sources (see `raceledger sources` to list them).

    \b
    Example:
        raceledger source add timing --name "Official timing" --kind official
    """


@source.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="The source's name.")
@click.option("--kind", required=True, metavar="KIND",
              help="official, organizer, state-media, press, participant, tour-operator or other.")
@click.option("--url", help="Where the source publishes.")
@click.option("--relies-on", "relies_on", multiple=True, metavar="SLUG",
              help="A source this one repeats (a wire copy): their claims are one line of evidence. Repeatable.")
@click.pass_context
def source_add(ctx: click.Context, slug: str, name: str, kind: str, url: str | None, relies_on: tuple[str, ...]) -> None:
    """Add a source of claims.

    \b
    Example:
        raceledger source add kcna --name "Korean Central News Agency" --kind state-media
        raceledger source add daily --name "The Daily" --kind press --relies-on kcna
    """
    from ledger.write import catalog

    with writing(ctx) as (session, by):
        seq = catalog.add_source(session, by, slug, name, kind, url, relies_on)
    click.echo(f"Added source {slug} (journal entry {seq}).")


@source.command("relies")
@click.argument("slug")
@click.argument("other")
@click.option("--reason", required=True, help="How you know SLUG repeats OTHER.")
@click.pass_context
def source_relies(ctx: click.Context, slug: str, other: str, reason: str) -> None:
    """Record that source SLUG depends on OTHER: agreement between them is one line of evidence, not two.

    \b
    Example:
        raceledger source add daily --name "The Daily" --kind press
        raceledger source relies daily dprk-state-media --reason "prints state media's wire copy unedited"
    """
    from ledger.write import catalog

    with writing(ctx) as (session, by):
        seq = catalog.relies(session, by, slug, other, reason)
    click.echo(f"Recorded that {slug} relies on {other} (journal entry {seq}).")


@click.command()
@tolerance_option
@output_option
@width_option
@click.pass_context
@pauses_collector
def sources(ctx: click.Context, tolerance_ms: int, fmt: str, width: int | None) -> None:
    """List sources and their claims: how many; made directly; reached us via others (it is the
    claimant, another's report carried them); reported for others (it is the via); contradicted by an
    independent line of evidence in a dispute; overruled by a ruling; retracted.

    \b
    Example:
        raceledger sources -f github
    """
    from ledger.output.listings import sources_table
    from ledger.read import reports

    with reading(ctx) as session:
        found = reports.sources(session, tolerance_ms)
    emit(found, fmt, lambda: sources_table(found), "no sources", width)


COMMANDS = (event, race, category, source, sources)  # added to the root group by cli.py

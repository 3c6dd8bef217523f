"""The `raceledger` command: parse, call `ledger`, render. No logic lives here.

SQLAlchemy is imported only inside commands, so `--help` and `--version` stay instant.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import click

from ledger import __version__
from ledger.errors import LedgerError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class LedgerGroup(click.Group):
    """Every error, usage errors included, is one `Error: ...` line on stderr: never a traceback."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            super().main(args, prog_name or "raceledger", complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
            click.echo(f"Error: {exc.format_message()}{hint}", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"Error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except LedgerError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        sys.exit(0)


@dataclass(frozen=True)
class Options:
    db: str
    user: str | None


@contextmanager
def writing(ctx: click.Context) -> Iterator[tuple[Any, str]]:
    """A session for one write (one journal entry, one transaction) and who records it."""
    from ledger.db import open_engine, transaction
    from ledger.journal import default_user

    options: Options = ctx.find_object(Options)
    engine, _ = open_engine(options.db)
    with transaction(engine) as session:
        yield session, options.user or default_user()


@contextmanager
def reading(ctx: click.Context) -> Iterator[Any]:
    from ledger.db import open_engine, transaction

    engine, _ = open_engine(ctx.find_object(Options).db, write=False)
    with transaction(engine) as session:
        yield session


def output_option(func: Callable) -> Callable:
    return click.option(
        "-f", "--format", "fmt", default="simple", show_default=True, metavar="FORMAT",
        help="json, jsonl, csv, tsv, or a tabulate table format (simple, github, grid, ...).",
    )(func)


def tolerance_option(func: Callable) -> Callable:
    return click.option(
        "--tolerance", default="1", show_default=True, metavar="SECONDS",
        help="Times further apart than this disagree (seconds, e.g. 1 or 0.5).",
    )(func)


def emit(records: Any, fmt: str, flat: Callable | None = None, empty: str = "nothing to show") -> None:
    from ledger.render import render

    click.echo(render(records, fmt, flat, empty), nl=False)


def checked(fmt: str, tolerance: str | None = None) -> int | None:
    """Reject a bad --format or --tolerance before any work starts."""
    from ledger.render import check_format
    from ledger.times import parse_tolerance

    check_format(fmt)
    return None if tolerance is None else parse_tolerance(tolerance)


def claim_rows(items: list[dict], keys: tuple[str, ...]) -> list[dict]:
    """One table row per claim, led by the fields of what holds it (placing or dispute)."""
    rows = []
    for item in items:
        for claim in item["claims"]:
            who = claim["athlete"] if claim["athlete"] is not None else f"(unnamed: {claim['unnamed']})"
            rows.append({"position": claim["position"], **{k: item[k] for k in keys}, "claim": claim["id"],
                         "athlete": who, "as_written": claim["as_written"], "source": claim["source"],
                         "source_kind": claim["source_kind"], "time": claim["time"], "net_time": claim["net_time"], "status": claim["status"],
                         "quote": claim["quote"]})
    return rows


@click.group(cls=LedgerGroup, context_settings=CONTEXT)
@click.option("--db", envvar="RACELEDGER_DB", default="raceledger.db", show_default=True, metavar="PATH-OR-URL",
              help="SQLite file path, or a SQLAlchemy URL such as postgresql+psycopg://user@host/db "
                   "[env RACELEDGER_DB].")
@click.option("--as", "user", envvar="RACELEDGER_USER", metavar="NAME",
              help="Who records the entries this command writes [env RACELEDGER_USER; default: OS user].")
@click.version_option(__version__, "-V", "--version", prog_name="raceledger")
@click.pass_context
def cli(ctx: click.Context, db: str, user: str | None) -> None:
    """A race-results ledger in which every result is a sourced claim.

    Sources that agree settle a placing; sources that disagree are shown side by side.

    \b
    Example:
        raceledger demo
        raceledger disputes pyongyang-2025 -f json
    """
    ctx.obj = Options(db, user)


@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the ledger database, or upgrade it to this version's schema.

    \b
    Example:
        raceledger --db results.db init
    """
    from ledger.db import SCHEMA_REVISION, open_engine, schema_revision
    from ledger.migrate import upgrade

    engine, target = open_engine(ctx.find_object(Options).db, create=True)
    before = schema_revision(engine, target)
    upgrade(engine)
    state = "created" if before is None else ("already current" if before == SCHEMA_REVISION else "upgraded")
    click.echo(f"Ledger {state} at {target.display} (schema revision {SCHEMA_REVISION}).")


@cli.command()
@tolerance_option
@output_option
@click.pass_context
def demo(ctx: click.Context, tolerance: str, fmt: str) -> None:
    """Load the Pyongyang 2025 example (once) and print its disputes.

    Creates the database if needed; running it again adds nothing.

    \b
    Example:
        raceledger demo
    """
    from ledger import demo as example, reports
    from ledger.db import open_engine, transaction
    from ledger.journal import default_user
    from ledger.migrate import upgrade

    tolerance_ms = checked(fmt, tolerance)
    options: Options = ctx.find_object(Options)
    engine, target = open_engine(options.db, create=True)
    upgrade(engine)
    with transaction(engine) as session:
        if example.is_loaded(session):
            click.echo(f"The Pyongyang 2025 example is already in {target.display}.", err=True)
        else:
            example.load(session, options.user or default_user())
            click.echo(f"Loaded the Pyongyang 2025 example into {target.display}.", err=True)
        found = reports.disputes(session, example.EVENT, tolerance_ms)
    if fmt == "simple":
        click.echo(f"Disputes in {example.EVENT}:")
    emit(found, fmt, lambda: claim_rows(found, ("category", "kind")), "no disputes")


# --- events, races, categories, sources ---------------------------------------------------------


@cli.group(context_settings=CONTEXT)
def event() -> None:
    """Add and list events."""


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
        raceledger event add pyongyang-2025 --name "Pyongyang International Marathon" --date 2025-04-06
    """
    from ledger import catalog

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
    from ledger import catalog

    checked(fmt)
    with reading(ctx) as session:
        emit(catalog.list_events(session), fmt, empty="no events")


@cli.group(context_settings=CONTEXT)
def race() -> None:
    """Add and list races (EVENT/RACE)."""


@race.command("add")
@click.argument("slug", metavar="EVENT/RACE")
@click.option("--name", required=True, help="The race's name.")
@click.option("--distance", required=True, type=int, metavar="METRES", help="Distance in metres, e.g. 42195.")
@click.pass_context
def race_add(ctx: click.Context, slug: str, name: str, distance: int) -> None:
    """Add a race to an event.

    \b
    Example:
        raceledger race add pyongyang-2025/marathon --name "Full marathon" --distance 42195
    """
    from ledger import catalog

    with writing(ctx) as (session, by):
        seq = catalog.add_race(session, by, slug, name, distance)
    click.echo(f"Added race {slug} (journal entry {seq}).")


@race.command("list")
@click.argument("event", required=False)
@output_option
@click.pass_context
def race_list(ctx: click.Context, event: str | None, fmt: str) -> None:
    """List races, all or those of one event.

    \b
    Example:
        raceledger race list pyongyang-2025
    """
    from ledger import catalog

    checked(fmt)
    with reading(ctx) as session:
        emit(catalog.list_races(session, event), fmt, empty="no races")


@cli.group(context_settings=CONTEXT)
def category() -> None:
    """Add and list categories (EVENT/RACE/CATEGORY)."""


@category.command("add")
@click.argument("slug", metavar="EVENT/RACE/CATEGORY")
@click.option("--name", required=True, help="The category's name.")
@click.option("--sex", metavar="M|F|X", help="Sex of the category.")
@click.option("--division", metavar="D", help="Division: elite, amateur, masters, ...")
@click.option("--age-min", type=int, help="Youngest age in the category.")
@click.option("--age-max", type=int, help="Oldest age in the category.")
@click.pass_context
def category_add(ctx: click.Context, slug: str, name: str, sex: str | None, division: str | None,
                 age_min: int | None, age_max: int | None) -> None:
    """Add a category to a race.

    \b
    Example:
        raceledger category add pyongyang-2025/marathon/amateur-men --name "Amateur men" --sex M --division amateur
    """
    from ledger import catalog

    with writing(ctx) as (session, by):
        seq = catalog.add_category(session, by, slug, name, sex, division, age_min, age_max)
    click.echo(f"Added category {slug} (journal entry {seq}).")


@category.command("list")
@click.argument("scope", required=False)
@output_option
@click.pass_context
def category_list(ctx: click.Context, scope: str | None, fmt: str) -> None:
    """List categories, all or those under an event or race.

    \b
    Example:
        raceledger category list pyongyang-2025/marathon
    """
    from ledger import catalog

    checked(fmt)
    with reading(ctx) as session:
        emit(catalog.list_categories(session, scope), fmt, empty="no categories")


@cli.group(context_settings=CONTEXT)
def source() -> None:
    """Add sources (see `raceledger sources` to list them)."""


@source.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="The source's name.")
@click.option("--kind", required=True, metavar="KIND",
              help="official, organizer, state-media, press, participant, tour-operator or other.")
@click.option("--url", help="Where the source publishes.")
@click.pass_context
def source_add(ctx: click.Context, slug: str, name: str, kind: str, url: str | None) -> None:
    """Add a source of claims.

    \b
    Example:
        raceledger source add kcna --name "Korean Central News Agency" --kind state-media
    """
    from ledger import catalog

    with writing(ctx) as (session, by):
        seq = catalog.add_source(session, by, slug, name, kind, url)
    click.echo(f"Added source {slug} (journal entry {seq}).")


@cli.command()
@tolerance_option
@output_option
@click.pass_context
def sources(ctx: click.Context, tolerance: str, fmt: str) -> None:
    """List sources, their number of claims and how many another source contradicts.

    \b
    Example:
        raceledger sources -f github
    """
    from ledger import reports

    tolerance_ms = checked(fmt, tolerance)
    with reading(ctx) as session:
        emit(reports.sources(session, tolerance_ms), fmt, empty="no sources")


# --- athletes and claims ------------------------------------------------------------------------


@cli.group(context_settings=CONTEXT)
def athlete() -> None:
    """Add, list and show athletes."""


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
    from ledger import athletes

    with writing(ctx) as (session, by):
        seq = athletes.add(session, by, name, nationality, born, aliases)
    click.echo(f"Added athlete {name} (journal entry {seq}).")


@athlete.command("list")
@output_option
@click.pass_context
def athlete_list(ctx: click.Context, fmt: str) -> None:
    """List athletes and their other spellings.

    \b
    Example:
        raceledger athlete list -f csv
    """
    from ledger import athletes

    checked(fmt)
    with reading(ctx) as session:
        found = athletes.list_all(session)
    emit(found, fmt, lambda: [{**a, "aliases": "; ".join(a["aliases"])} for a in found], "no athletes")


@athlete.command("show")
@click.argument("name")
@tolerance_option
@output_option
@click.pass_context
def athlete_show(ctx: click.Context, name: str, tolerance: str, fmt: str) -> None:
    """Every claim about one athlete (by any spelling, or #ID), with its verdict.

    \b
    Example:
        raceledger athlete show "wojciech kopeć"
    """
    from ledger import reports

    tolerance_ms = checked(fmt, tolerance)
    with reading(ctx) as session:
        shown = reports.athlete_show(session, name, tolerance_ms)
    if fmt not in ("json", "jsonl", "csv", "tsv"):
        aliases = f"; also written {', '.join(shown['aliases'])}" if shown["aliases"] else ""
        click.echo(f"{shown['name']} (#{shown['id']}, {shown['nationality'] or 'nationality unknown'}){aliases}")
    emit(shown, fmt, lambda: claim_rows([{**c, "claims": [c]} for c in shown["claims"]], ("category", "verdict")),
         "no claims")


@cli.command()
@click.argument("category", metavar="CATEGORY")
@click.option("--source", required=True, metavar="SLUG", help="Who makes the claim.")
@click.option("--athlete", metavar="NAME", help="The athlete (any known spelling, or #ID).")
@click.option("--unnamed", metavar="TEXT", help="An athlete the source did not name, as it described them.")
@click.option("--written-as", metavar="NAME", help="The name exactly as the source wrote it (default: --athlete).")
@click.option("--position", type=int, help="Placing in the category.")
@click.option("--time", metavar="T", help="Official (gun) time, H:MM:SS[.f].")
@click.option("--net-time", metavar="T", help="Net (chip) time, H:MM:SS[.f].")
@click.option("--status", metavar="S", help="FIN, DNF, DNS or DQ (default FIN).")
@click.option("--url", metavar="U", help="Where the source said it.")
@click.option("--quote", metavar="Q", help="What the source said, word for word.")
@click.option("--published", metavar="YYYY-MM-DD", help="When the source published it.")
@click.option("--retrieved", metavar="YYYY-MM-DD", help="When it was read.")
@click.pass_context
def claim(ctx: click.Context, category: str, source: str, athlete: str | None, unnamed: str | None,
          **fields: Any) -> None:
    """Record what one source says about one placing.

    \b
    Example:
        raceledger claim pyongyang-2025/marathon/amateur-men --source kcna \\
            --unnamed "a local athlete" --position 1 --quote "..."
    """
    from ledger import claims

    if (athlete is None) == (unnamed is None):
        raise click.UsageError("give exactly one of --athlete NAME or --unnamed TEXT", ctx)
    with writing(ctx) as (session, by):
        claim_id = claims.add(session, by, category, source, athlete=athlete, unnamed=unnamed, **fields)
    click.echo(f"Recorded claim {claim_id}.")


# --- reading ------------------------------------------------------------------------------------


@cli.command()
@click.argument("category", metavar="CATEGORY")
@tolerance_option
@output_option
@click.pass_context
def results(ctx: click.Context, category: str, tolerance: str, fmt: str) -> None:
    """Every placing of a category, its claims and its verdict.

    Verdicts: agreed (sources concur), single-source, disputed.

    \b
    Example:
        raceledger results pyongyang-2025/marathon/amateur-men
    """
    from ledger import reports

    tolerance_ms = checked(fmt, tolerance)
    with reading(ctx) as session:
        found = reports.results(session, category, tolerance_ms)
    emit(found, fmt, lambda: claim_rows(found, ("verdict",)), "no claims")


@cli.command()
@click.argument("scope", required=False, metavar="[SCOPE]")
@tolerance_option
@output_option
@click.pass_context
def disputes(ctx: click.Context, scope: str | None, tolerance: str, fmt: str) -> None:
    """Every dispute under an event, race or category slug (everywhere without one).

    A position dispute: sources give one placing to different athletes (an unnamed athlete
    included). An athlete dispute: claims about one athlete disagree on position, status or time.

    \b
    Example:
        raceledger disputes pyongyang-2025 -f json
    """
    from ledger import reports

    tolerance_ms = checked(fmt, tolerance)
    with reading(ctx) as session:
        found = reports.disputes(session, scope, tolerance_ms)
    emit(found, fmt, lambda: claim_rows(found, ("category", "kind")), "no disputes")


def main() -> None:
    cli(prog_name="raceledger")


if __name__ == "__main__":
    main()

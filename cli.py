"""The `raceledger` command: parse, call `ledger`, render. No logic lives here.

SQLAlchemy is imported only inside commands, so `--help` and `--version` stay instant.
"""

from __future__ import annotations

import functools
import math
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import click

from ledger import __version__
from ledger.core.errors import LedgerError
from ledger.output.inert import visible

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
            click.echo(_error_line(f"{exc.format_message()}{hint}"), err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(_error_line(exc.format_message()), err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.exceptions.Abort as exc:
            interrupt = exc.__cause__  # click turns Ctrl-C into Abort
            if not isinstance(interrupt, KeyboardInterrupt):
                click.echo("Aborted.", err=True)
                sys.exit(1)
        except KeyboardInterrupt as exc:
            interrupt = exc
        except Exception as exc:
            # An error raised while an interrupt unwinds (a connection it broke, say) is that interrupt.
            interrupt = exc.__context__
            while interrupt is not None and not isinstance(interrupt, KeyboardInterrupt):
                interrupt = interrupt.__context__
            if interrupt is None:
                from ledger.store.engine import failure

                message = failure(exc)
                if message is None:
                    raise  # a bug: its traceback is worth having
                click.echo(_error_line(message), err=True)
                sys.exit(1)
        else:
            sys.exit(0)
        import signal

        # Ctrl-C, or SIGTERM (main() raises it as KeyboardInterrupt(SIGTERM)): the transaction was
        # rolled back and temporary files removed; a command that did something anyway noted what.
        signum = next((arg for arg in interrupt.args if isinstance(arg, int)), signal.SIGINT)
        done = "; ".join(getattr(interrupt, "__notes__", ())) or "nothing was written"
        click.echo(visible(f"{'Terminated' if signum == signal.SIGTERM else 'Interrupted'}; {done}."), err=True)
        sys.exit(128 + signum)


def _error_line(message: str) -> str:
    """`Error: ` and the message on one line, whatever the message holds (a value a user typed, say)."""
    return f"Error: {visible(message)}"


@dataclass(frozen=True)
class Options:
    db: str
    user: str | None
    read_only: bool = False


# --- option values: each checked once, by the library rule that holds it, before any work starts ---


class Checked(click.ParamType):
    """A value a `ledger` function parses (raising LedgerError); a bad one is a usage error (exit 2)."""

    def __init__(self, name: str, parse: Callable[[str], Any]) -> None:
        self.name, self.parse = name, parse

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return self.parse(value)
        except LedgerError as exc:
            self.fail(str(exc), param, ctx)


def _format(value: str) -> str:
    from ledger.output.render import check_format

    return check_format(value)


def _tolerance(value: str) -> int:
    from ledger.core.times import parse_tolerance

    return parse_tolerance(value)


FORMAT = Checked("format", _format)
FORMAT_OR_TEXT = Checked("format", lambda value: value if value == "text" else _format(value))
TOLERANCE_MS = Checked("seconds", _tolerance)


def output_option(func: Callable) -> Callable:
    return click.option(
        "-f", "--format", "fmt", type=FORMAT, default="simple", show_default=True, metavar="FORMAT",
        help="json, jsonl, csv, tsv, or a tabulate table format (simple, github, grid, ...).",
    )(func)


def tolerance_option(func: Callable) -> Callable:
    return click.option(
        "--tolerance", "tolerance_ms", type=TOLERANCE_MS, default="1", show_default=True, metavar="SECONDS",
        help="Times further apart than this disagree (seconds, e.g. 1 or 0.5).",
    )(func)


# --- opening the ledger: one way per mode (read, write, bulk write, create/upgrade, load) ----------


def where(ctx: click.Context) -> Any:
    """Where the --db ledger lives (`ledger.store.engine.Target`), with a name safe to print."""
    from ledger.store.engine import resolve_target

    options = ctx.find_object(Options)
    return resolve_target(options.db, options.read_only)


def opened(ctx: click.Context, write: bool = True, create: bool = False) -> Any:
    """The --db ledger's engine for this command, closed when it ends (SQLite then checkpoints its
    WAL). Under --read-only a command that writes is refused before anything is opened (the
    connections would refuse its writes as well). Every mode below starts here; `db grant-reader`,
    which runs its own statements, takes the engine itself."""
    from ledger.store.engine import open_engine

    options = ctx.find_object(Options)
    if write:
        refuse_read_only(ctx)
    engine, _ = open_engine(options.db, create=create, write=write, read_only=options.read_only)
    ctx.call_on_close(engine.dispose)
    return engine


def refuse_read_only(ctx: click.Context) -> None:
    """Under --read-only, a command that writes is refused (`opened` asks; a command that reads its
    input before opening the ledger asks first, so the refusal never depends on that input)."""
    from ledger.store.access import read_only_refusal

    if ctx.find_object(Options).read_only:
        raise read_only_refusal(" ".join(["raceledger", *ctx.command_path.split()[1:]]))


@contextmanager
def reading(ctx: click.Context) -> Iterator[Any]:
    """Read mode: a session of a reading command."""
    from ledger.store.engine import transaction

    with transaction(opened(ctx, write=False)) as session:
        yield session


@contextmanager
def writing(ctx: click.Context, bulk: bool = False) -> Iterator[tuple[Any, str]]:
    """Write mode: a session for one write (one journal entry, one transaction) and who records it.
    Bulk write mode (`import`) is the same, but the importer vouches for every reference it writes."""
    from ledger.journal.chain import default_user
    from ledger.store.bulk import trusted_references
    from ledger.store.engine import transaction

    engine = opened(ctx)
    if bulk:
        trusted_references(engine)
    with transaction(engine) as session:
        yield session, ctx.find_object(Options).user or default_user()


def upgraded(ctx: click.Context) -> str | None:
    """Create/upgrade mode: the ledger created, or upgraded to this version's schema; returns the
    schema revision it had before (None: it was new)."""
    from ledger.store.engine import upgrade_ledger

    return upgrade_ledger(opened(ctx, create=True), where(ctx))


@contextmanager
def loading(ctx: click.Context) -> Iterator[Any]:
    """Load mode: a session on a new ledger (or an empty one of this version) to replay an export into;
    a load that fails leaves no ledger (nor SQLite file) where there was none."""
    from ledger.store.engine import ready_for_load, transaction

    new_file = where(ctx).file_missing
    engine = opened(ctx, create=True)
    with ready_for_load(engine, where(ctx), new_file), transaction(engine) as session:
        yield session


def pauses_collector(command: Callable) -> Callable:
    """The one place the cyclic collector is paused (ledger.output.collector): for the whole of a
    command that builds a large report before printing it, or imports a file."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        from ledger.output.collector import paused

        with paused():
            return command(*args, **kwargs)

    return run


# --- printing -----------------------------------------------------------------------------------


def width_option(func: Callable) -> Callable:
    return click.option(
        "--width", type=click.IntRange(min=0), metavar="COLUMNS",
        help="Fit tables to this many columns [default: the terminal's width, else 100; 0: never narrow them].",
    )(func)


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


def athlete_labels(session: Any, report: Any, fmt: str) -> Any:
    """For a table: how it names athletes who share a name with another in it (ledger.read.claim_show)."""
    if not is_table(fmt):
        return None
    from ledger.read.claim_show import athlete_labels as labels

    return labels(session, (claim for _, listed in report.held for claim in listed))


@click.group(cls=LedgerGroup, context_settings=CONTEXT)
@click.option("--db", envvar="RACELEDGER_DB", default="raceledger.db", show_default=True, metavar="PATH-OR-URL",
              help="SQLite file path, or a SQLAlchemy URL such as postgresql+psycopg://user@host/db "
                   "[env RACELEDGER_DB].")
@click.option("--as", "user", envvar="RACELEDGER_USER", metavar="NAME",
              help="Who records the entries this command writes [env RACELEDGER_USER; default: OS user].")
@click.option("--read-only", is_flag=True, envvar="RACELEDGER_READ_ONLY",
              help="Open the ledger read-only: reading commands work, write commands fail "
                   "[env RACELEDGER_READ_ONLY=1].")
@click.version_option(__version__, "-V", "--version", prog_name="raceledger")
@click.pass_context
def cli(ctx: click.Context, db: str, user: str | None, read_only: bool) -> None:
    """A race-results ledger in which every result is a sourced claim.

    Sources that agree settle a placing; sources that disagree are shown side by side.

    \b
    Example:
        raceledger demo
        raceledger disputes pyongyang-2025 -f json
    """
    ctx.obj = Options(db, user, read_only)


@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the ledger database, or upgrade it to this version's schema.

    \b
    Example:
        raceledger --db results.db init
    """
    from ledger.store.engine import SCHEMA_REVISION

    before = upgraded(ctx)
    state = "created" if before is None else ("already current" if before == SCHEMA_REVISION else "upgraded")
    click.echo(visible(f"Ledger {state} at {where(ctx).display} (schema revision {SCHEMA_REVISION})."))


@cli.command()
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


# --- events, races, categories, sources ---------------------------------------------------------


@cli.group(context_settings=CONTEXT)
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
        raceledger event add pyongyang-2025 --name "Pyongyang International Marathon" --date 2025-04-06
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


@cli.group(context_settings=CONTEXT)
def race() -> None:
    """Add and list races (EVENT/RACE).

    \b
    Example:
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
        raceledger race add pyongyang-2025/marathon --name "Full marathon" --distance 42195
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


@cli.group(context_settings=CONTEXT)
def category() -> None:
    """Add and list categories (EVENT/RACE/CATEGORY).

    \b
    Example:
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
        raceledger category add pyongyang-2025/marathon/amateur-men --name "Amateur men" --sex M --division amateur
        raceledger category add city-2025/marathon/w40 --name "Women 40-44" --sex F --age-min 40 --age-max 44 \
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


@cli.group(context_settings=CONTEXT)
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
        raceledger source relies daily kcna --reason "prints KCNA's wire copy unedited"
    """
    from ledger.write import catalog

    with writing(ctx) as (session, by):
        seq = catalog.relies(session, by, slug, other, reason)
    click.echo(f"Recorded that {slug} relies on {other} (journal entry {seq}).")


@cli.command()
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


# --- athletes and claims ------------------------------------------------------------------------


@cli.group(context_settings=CONTEXT)
def athlete() -> None:
    """Add, list, show and merge athletes.

    \b
    Example:
        raceledger athlete add "Wojciech Kopec" --nationality POL
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


class ClaimCommand(click.Command):
    """`claim`, whose usage shows its two forms: recording a claim, and `claim show CLAIM_ID`."""

    def format_usage(self, ctx: click.Context, formatter: Any) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIONS] CATEGORY --source SLUG ...")
        formatter.write_usage(ctx.command_path, "show CLAIM_ID [-f FORMAT] [--width COLUMNS]", "   or: ")


# What `claim show` takes; every other option of `claim` records a claim.
SHOW_OPTIONS = ("fmt", "tolerance_ms", "width")


@cli.command(cls=ClaimCommand)
@click.argument("category", metavar="CATEGORY")
@click.argument("claim_id", required=False, metavar="[CLAIM_ID]")
@click.option("--source", metavar="SLUG", help="Who makes the claim: its claimant (required to record one).")
@click.option("--via", metavar="SLUG",
              help="The source whose report carried the claim, when we know it only through that report; "
                   "--url, --quote and the dates are then that report's.")
@click.option("--athlete", metavar="NAME", help="The athlete (any known spelling, or #ID).")
@click.option("--unnamed", metavar="TEXT", help="An athlete the source did not name, as it described them.")
@click.option("--written-as", metavar="NAME",
              help="The name exactly as the source wrote it (default: --athlete; with --athlete '#ID', none is kept "
                   "unless given).")
@click.option("--position", type=int, help="Placing in the category.")
@click.option("--time", metavar="T", help="Official (gun) time, H:MM:SS[.f].")
@click.option("--net-time", metavar="T", help="Net (chip) time, H:MM:SS[.f].")
@click.option("--status", metavar="S",
              help="FIN, DNF, DNS or DQ (default FIN), with any note the source wrote: 'DQ TR 54.7.3'.")
@click.option("--url", metavar="U", help="Where the claim was seen (the --via report's address, if any).")
@click.option("--quote", metavar="Q", help="The words of the document at --url, word for word.")
@click.option("--published", metavar="YYYY-MM-DD", help="When that document was published.")
@click.option("--retrieved", metavar="YYYY-MM-DD", help="When you read it.")
@tolerance_option
@output_option
@width_option
@click.pass_context
def claim(ctx: click.Context, category: str, claim_id: str | None, source: str | None, athlete: str | None,
          unnamed: str | None, fmt: str, tolerance_ms: int, width: int | None, **fields: Any) -> None:
    """Record what one source says about one placing; or, as `claim show CLAIM_ID`, show one claim whole.

    --source is the claimant: who asserts the result. When we know the claim only because another
    source reported it, --via names that source, and the citation (--url, --quote) is its report.

    `claim show CLAIM_ID` prints the claim with its claimant, via, every citation with its quote,
    its standing, its placing's verdict and lines of evidence, the rulings on it, its retraction,
    the journal entry (seq and hash) that recorded it and the ledger's head now (-f json: as JSON).
    -f, --tolerance and --width are for `claim show` only.

    \b
    Example:
        raceledger claim pyongyang-2025/marathon/amateur-men --source kcna \\
            --unnamed "a local athlete" --position 1 --quote "..."
        raceledger claim pyongyang-2025/marathon/amateur-men --source kcna --via gazette \\
            --unnamed "a local athlete" --position 1 --url https://gazette.example/x --quote "..."
        raceledger claim show 5
    """
    from click.core import ParameterSource

    given = {name for name in ctx.params if ctx.get_parameter_source(name) != ParameterSource.DEFAULT}
    if category == "show":  # a category slug always holds two '/': `show` is never one
        if claim_id is None:
            raise click.UsageError("claim show needs the claim's id: raceledger claim show CLAIM_ID", ctx)
        if given - {"category", "claim_id", *SHOW_OPTIONS}:
            raise click.UsageError("claim show CLAIM_ID takes only -f, --tolerance and --width", ctx)
        show_claim(ctx, claim_id, fmt, tolerance_ms, width)
        return
    if claim_id is not None:
        raise click.UsageError(f"got an unexpected extra argument ({claim_id})", ctx)
    if given & set(SHOW_OPTIONS):
        raise click.UsageError("-f, --tolerance and --width go with claim show CLAIM_ID", ctx)
    if source is None:
        raise click.MissingParameter(ctx=ctx, param=next(p for p in ctx.command.params if p.name == "source"))
    from ledger.write import claims

    with writing(ctx) as (session, by):
        recorded = claims.add(session, by, category, source, athlete=athlete, unnamed=unnamed, **fields)
    click.echo(f"Recorded claim {recorded}.")


def show_claim(ctx: click.Context, claim_id: str, fmt: str, tolerance_ms: int, width: int | None) -> None:
    """`claim show CLAIM_ID`: the claim whole (ledger.read.claim_show), with the ledger's head now."""
    from ledger.core import limits
    from ledger.journal.chain import head
    from ledger.output.claim_columns import claim_lines
    from ledger.read.claim_show import claim_show

    if fmt in ("csv", "tsv"):
        raise click.UsageError("claim show prints text (a table format) or JSON: use -f json", ctx)
    number = limits.number_text(claim_id.strip(), "id", "claim id")
    if number is None:
        raise click.UsageError(f"claim show needs a claim id (digits), not {visible(repr(claim_id))}", ctx)
    with reading(ctx) as session:
        record = claim_show(session, number, tolerance_ms)
        now = head(session)
    record["head"] = {"seq": now.seq, "hash": now.hash}
    if fmt in ("json", "jsonl"):
        emit(record, fmt)
    else:
        click.echo("\n".join(claim_lines(record, table_width(width) or None)))


@cli.command()
@click.argument("claim_id", type=int, metavar="CLAIM_ID")
@click.option("--url", metavar="U", help="Where the claim was seen.")
@click.option("--quote", metavar="Q", help="The words of the document at --url, word for word.")
@click.option("--via", metavar="SLUG", help="The source whose report this is, when not the claimant.")
@click.option("--published", metavar="YYYY-MM-DD", help="When that document was published.")
@click.option("--retrieved", metavar="YYYY-MM-DD", help="When you read it.")
@click.pass_context
def cite(ctx: click.Context, claim_id: int, **citation: Any) -> None:
    """Add a citation to a claim: the same claim seen in another place (a journal entry).

    The same claim in two reports is one claim with two citations, not two claims.

    \b
    Example:
        raceledger cite 6 --via gazette --url https://gazette.example/y --quote "..." --published 2025-04-07
    """
    from ledger.write import claims

    with writing(ctx) as (session, by):
        seq = claims.cite(session, by, claim_id, **citation)
    click.echo(f"Added a citation to claim {claim_id} (journal entry {seq}).")


# --- figures: numbers with ranges, units and periods, weighed by ledger.core.figure_rule --------


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


@cli.group(context_settings=CONTEXT)
def topic() -> None:
    """Add and list topics: subjects of figures that are not races (a famine, refugees).

    \b
    Example:
        raceledger topic add dprk-famine --name "The North Korean famine of the late 1990s"
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
        raceledger topic add nk-refugees-china --name "North Korean refugees hiding in China"
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


@cli.group(context_settings=CONTEXT)
def figure() -> None:
    """Add, show, retract and rule on figures: numbers a source states, with their range, unit and period.

    \b
    Example:
        raceledger figure add dprk-famine deaths --source choe --value 220000 --unit persons \\
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


@cli.command("figures")
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


# --- reading ------------------------------------------------------------------------------------


@cli.command()
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
        raceledger results city-2025/marathon/open-women --standings
    """
    from ledger.read import reports

    with reading(ctx) as session:
        found = reports.results_report(session, category, tolerance_ms, include_retracted=show_all,
                                       standings=standings)
        labels = athlete_labels(session, found, fmt)
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


@cli.command()
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
        labels = athlete_labels(session, found, fmt)
    keys = ("category", "kind", "verdict") if show_all else ("category", "kind")
    click.echo(disputes_output(found, figure_disputes, keys, fmt, table_width(width), labels), nl=False)


# --- corrections and proof ----------------------------------------------------------------------


@cli.command()
@click.argument("claim_id", type=int, metavar="CLAIM_ID")
@click.option("--reason", required=True, help="Why the source withdrew or corrected the claim.")
@click.pass_context
def retract(ctx: click.Context, claim_id: int, reason: str) -> None:
    """Withdraw a claim: it stays recorded and shown, but no longer counts toward verdicts or disputes.

    \b
    Example:
        raceledger retract 9 --reason "The source corrected its report on 8 April"
    """
    from ledger.write import corrections

    with writing(ctx) as (session, by):
        seq = corrections.retract(session, by, claim_id, reason)
    click.echo(f"Retracted claim {claim_id} (journal entry {seq}).")


@cli.command()
@click.argument("category", metavar="CATEGORY")
@click.option("--position", type=int, help="The placing ruled on (with --accept).")
@click.option("--accept", "claim_id", type=int, metavar="CLAIM_ID", help="The claim that holds for that placing.")
@click.option("--athlete", metavar="NAME", help="The athlete whose status is ruled on (with --status).")
@click.option("--status", metavar="S", help="The status ruled: DQ (or FIN to reinstate, DNF, DNS).")
@click.option("--by", "decided_by", required=True, metavar="BODY",
              help="Who decided: referee, jury of appeal, federation, integrity unit ...")
@click.option("--reason", required=True, help="Why, with the rule reference.")
@click.option("--decided", metavar="YYYY-MM-DD", help="When it was decided.")
@click.option("--vacate", is_flag=True,
              help="With --status DQ: leave the athlete's place empty in the standings; nobody moves up.")
@click.pass_context
def rule(ctx: click.Context, category: str, position: int | None, claim_id: int | None, athlete: str | None,
         status: str | None, decided_by: str, reason: str, decided: str | None, vacate: bool) -> None:
    """Record an official ruling: which claim holds for a placing, or an athlete's status.

    The placing's verdict becomes `ruled`; the other claims stay listed as overruled. A later ruling
    on the same placing or status (an appeal) supersedes the earlier one; history shows both.
    A DQ makes the athlete's claims `disqualified` and moves the places below up in `results
    --standings` (--vacate leaves the place empty instead); FIN reinstates a disqualified athlete.

    \b
    Example:
        raceledger rule pyongyang-2025/marathon/amateur-men --position 1 --accept 9 \\
            --by "Jury of appeal" --reason "Finish-line video" --decided 2025-04-07
        raceledger rule city-2025/marathon/open-women --athlete "Anna Nowak" --status DQ \\
            --by "Referee" --reason "Rule 144.3(a): unauthorised pacing"
    """
    from ledger.write import corrections

    on_placing = position is not None or claim_id is not None
    if on_placing == (athlete is not None or status is not None):
        raise click.UsageError("give either --position N --accept CLAIM_ID or --athlete NAME --status S", ctx)
    if vacate and on_placing:
        raise click.UsageError("--vacate goes with --athlete NAME --status DQ", ctx)
    if on_placing and (position is None or claim_id is None):
        raise click.UsageError("--position and --accept go together", ctx)
    if not on_placing and (athlete is None or status is None):
        raise click.UsageError("--athlete and --status go together", ctx)
    with writing(ctx) as (session, by):
        if on_placing:
            ruling = corrections.rule_placing(session, by, category, position, claim_id, decided_by, reason, decided)
        else:
            ruling = corrections.rule_status(session, by, category, athlete, status, decided_by, reason, decided,
                                             vacate)
    click.echo(f"Recorded ruling {ruling}.")


@cli.command()
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
        raceledger history 9 -f json
    """
    from ledger.output.listings import history_table
    from ledger.read import history as journal_history

    with reading(ctx) as session:
        found = journal_history.entries(session, target)
    emit(found, fmt, lambda: history_table(found), "no journal entries", width)


@cli.command()
@click.option("-f", "--format", "fmt", type=FORMAT_OR_TEXT, default="text", show_default=True, metavar="FORMAT",
              help="text (SEQ:HASH), json, jsonl, csv, tsv or a tabulate table format.")
@click.pass_context
def head(ctx: click.Context, fmt: str) -> None:
    """Print the journal's head as SEQ:HASH, for a reporter to publish (and `verify --head` to check).

    Two ledgers with the same head hold the same history.

    \b
    Example:
        raceledger head
    """
    from ledger.journal import chain

    with reading(ctx) as session:
        found = chain.head(session)
    if fmt == "text":
        click.echo(f"{found.seq}:{found.hash}")
    else:
        emit({"seq": found.seq, "hash": found.hash}, fmt, lambda: [{"seq": found.seq, "hash": found.hash}])


@cli.command()
@click.option("--head", "published", metavar="SEQ:HASH",
              help="A head published earlier (as `raceledger head` prints it, or its hash's first 12 or more hex "
                   "digits): check it is still in the chain at that seq.")
@click.option("--deep", is_flag=True, help="Also replay the journal into a scratch database and compare "
                                           "every derived table row by row.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              metavar="FORMAT", help="text or json.")
@click.pass_context
def verify(ctx: click.Context, published: str | None, deep: bool, fmt: str) -> None:
    """Check the whole hash chain from the first entry; exit 1 naming every bad seq found.

    \b
    Example:
        published=$(raceledger head)        # publish it; later:
        raceledger verify --head "$published" --deep
        raceledger verify --head "$(raceledger head | sed -E 's/(:.{12}).*/\\1/')"   # 12 hex digits do
    """
    from ledger.journal import verify as checking

    compare = None
    if deep:  # the replay machinery is loaded only when it will run
        from ledger.projection.deep import compare
    head_seen = checking.parse_head(published) if published else None
    with reading(ctx) as session:
        report = checking.verify(session, head_seen, compare)
    for warning in report.warnings:
        click.echo(visible(f"Warning: {warning}"), err=True)
    if fmt == "json":
        emit(report.to_json(), "json")
    else:
        for line in checking.report_lines(report):
            click.echo(visible(line))
    if not report.ok:
        raise LedgerError(checking.outcome(report))
    if fmt == "text":
        click.echo(checking.outcome(report) + ".")


@cli.command()
@output_option
@click.pass_context
def info(ctx: click.Context, fmt: str) -> None:
    """Where the ledger lives, its schema revision, its size and its head hash.

    Two ledgers with the same head hash hold the same history. A password in the URL is masked.

    \b
    Example:
        raceledger --db postgresql+psycopg://reporter@db.example/results --read-only info -f json
    """
    from ledger.read import info as about

    target = where(ctx)
    with reading(ctx) as session:
        found = about.summary(session, target.display, target.read_only)
    emit(found, fmt, lambda: about.as_rows(found, columns=fmt in ("csv", "tsv")))


# --- publishing: the web view and the static report -----------------------------------------------


def _header_timeout(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not (math.isfinite(value) and value > 0):
        raise click.BadParameter(f"{value} is not a positive number of seconds, e.g. --header-timeout 10")
    return value


def _max_connections(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    from ledger.web.guard import RESERVE, connection_room

    if value is not None and value > connection_room():
        raise click.BadParameter(f"{value} connections need {value + RESERVE} open files, but this process may open "
                                 f"{connection_room() + RESERVE} (ulimit -n); raise that limit or ask for fewer")
    return value


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDRESS",
              help="Address to listen on; the default keeps the web view on this machine.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on; 0 takes a free one, announced.")
@click.option("--header-timeout", type=float, default=10.0, show_default=True, metavar="SECONDS",
              callback=_header_timeout,
              help="Close a connection whose request head is not whole this long after the server waits for it.")
@click.option("--max-connections", type=click.IntRange(min=1), metavar="N", callback=_max_connections,
              help="Connections open at once; at the limit the one whose request head has waited longest is "
                   "closed to make room. [default: 1000, or the open-file limit (ulimit -n) less 64 if lower]")
@click.option("--cache-mb", type=click.IntRange(min=0), default=64, show_default=True, metavar="N",
              help="Megabytes of pages kept for answering again, per server process; 0 keeps none.")
@tolerance_option
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, header_timeout: float, max_connections: int | None,
          cache_mb: int, tolerance_ms: int) -> None:
    """Serve a read-only web view of the ledger: disputes side by side, each page also as JSON.

    The ledger is opened read-only (SQLite mode=ro, PostgreSQL read-only transactions) and only
    GET and HEAD are answered. Every page's footer shows the head to check it with `verify --head`.
    Clients that send their request slowly, or too many at once, are closed rather than let hold
    the server (warnings about them are logged at most once a minute). Stop it with Ctrl+C.

    \b
    Example:
        raceledger demo
        raceledger serve
        raceledger serve --host 0.0.0.0 --port 8080
        raceledger serve --header-timeout 5 --max-connections 200 --cache-mb 0
    """
    from ledger.web.serve import run

    run(ctx.find_object(Options).db, host, port, tolerance_ms=tolerance_ms, header_timeout=header_timeout,
        max_connections=max_connections, cache_bytes=cache_mb * 1024 * 1024,
        announce=lambda line: click.echo(visible(line), err=True))


@cli.command()
@click.argument("scope", required=False, metavar="[SCOPE]")
@click.option("--out", "out_dir", required=True, metavar="DIR", type=click.Path(file_okay=False),
              callback=lambda ctx, param, value: value or param.type.fail("it is empty; name a folder, e.g. --out site"),
              help="Folder to write into (made if missing; files of the same names are replaced).")
@click.option("--markdown", is_flag=True,
              help="Write one Markdown document of the scope's disputes, with numbered citations, instead.")
@tolerance_option
@click.pass_context
@pauses_collector
def report(ctx: click.Context, scope: str | None, out_dir: str, markdown: bool, tolerance_ms: int) -> None:
    """Write the web view's pages of an event, race, category or topic (the whole ledger without one) as files.

    HTML pages with their JSON twins and one stylesheet, linked relatively: the folder works from a
    file system or any static host. The same ledger gives the same bytes. The pages are moved into
    DIR only once all are written, so an interrupted report leaves DIR as it was; files of other
    names already in DIR stay. Nothing moves while any page's path in DIR is taken by a symbolic
    link, a folder where a file goes or a file where a folder goes: the error names it. DIR itself
    may be a link. A topic's report holds its figures, their disputes and sources.

    \b
    Example:
        raceledger report pyongyang-2025 --out site
        raceledger report pyongyang-2025 --out notes --markdown
        raceledger report dprk-famine --out famine
    """
    from ledger.web.report import write_site

    with reading(ctx) as session:
        written = write_site(session, scope, out_dir, markdown, tolerance_ms)
    what = "the Markdown document" if markdown else f"{len(written)} files (open {out_dir}/index.html)"
    click.echo(visible(f"Wrote {what} of {scope or 'the whole ledger'} to {out_dir}."))


# --- database administration --------------------------------------------------------------------


@cli.group("db", context_settings=CONTEXT)
def db_group() -> None:
    """Administer the ledger's database (PostgreSQL reader roles).

    \b
    Example:
        raceledger --db postgresql+psycopg://owner@host/results db grant-reader reporter
    """


@db_group.command("grant-reader")
@click.argument("role")
@click.pass_context
def db_grant_reader(ctx: click.Context, role: str) -> None:
    """Let an existing PostgreSQL role read the ledger: SELECT on its tables, nothing more.

    Run it again after `raceledger init` upgrades the schema, so new tables are readable too.

    \b
    Example:
        raceledger --db postgresql+psycopg://owner@db.example/results db grant-reader reporter
    """
    from ledger.store.access import grant_reader

    tables = grant_reader(opened(ctx), role)
    click.echo(visible(f"Role {role} may now read {where(ctx).display} "
                       f"(SELECT only on {len(tables)} tables: {', '.join(tables)})."))


# --- imports, exchange and merges ---------------------------------------------------------------


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


@cli.command("import")
@click.argument("category", metavar="CATEGORY|RACE")
@click.argument("file", metavar="FILE")
@click.option("--source", metavar="SLUG", help="Who published the file (e.g. the timing company).")
@click.option("--split-by", metavar="COLUMN|section",
              help="Into a RACE: one ranking per value of COLUMN (a course, a competition, a sex), or per part of "
                   "the file a repeated header starts (section): each a category of the race, made if missing.")
@click.option("--source-column", metavar="COLUMN",
              help="Each row's source from COLUMN (existing source slugs), instead of --source: a results CSV of a "
                   "disputed category goes back in.")
@click.option("--map", "maps", multiple=True, metavar="COLUMN=FIELD",
              help="Read COLUMN as FIELD (position, bib, name, first_name, last_name, sex, nationality, "
                   "birth_year, time, net_time, status, or ignore); repeatable.")
@click.option("--dry-run", is_flag=True,
              help="Check the file and say what would be imported; write nothing (no --rejects file either).")
@click.option("--skip-invalid", is_flag=True, help="Import the good rows; write the bad ones to --rejects.")
@click.option("--rejects", metavar="FILE", help="Where --skip-invalid writes rejected rows (with line and reason).")
@click.option("--again", is_flag=True, help="Import a file already imported for this category and source, or one "
              "repeating placings the source already claims: recorded twice, on purpose.")
@click.option("--supersedes", is_flag=True,
              help="The file is the source's whole current word on the category (a timer's updated results): "
                   "claims it repeats stay, changed or missing ones are withdrawn as corrections, new ones added.")
@click.option("--url", metavar="U", help="Where the results were published.")
@click.option("--published", metavar="YYYY-MM-DD", help="When they were published.")
@click.option("--via", metavar="SLUG",
              help="The source that republished the file (a newspaper printing official results), when it is "
                   "not --source's own; --url and --published are then that source's.")
@click.pass_context
@pauses_collector
def import_results(ctx: click.Context, category: str, file: str, source: str | None, split_by: str | None,
                   source_column: str | None, maps: tuple[str, ...],
                   dry_run: bool, skip_invalid: bool, rejects: str | None, again: bool, supersedes: bool,
                   url: str | None, published: str | None, via: str | None) -> None:
    """Import a results file (CSV or TSV, `-` for stdin): one journal entry, one claim per row.

    Headers are read as a person reads them, in English, German or French (Platz, Startnr, Laufzeit
    beside a Zielzeit clock time; Clt, Dossard, Nom, Temps, TpsNet); places as 3, 3., 3 / 4660, DSQ
    or -; times as 2:08:39, 2:08:39,5, 128.65 (decimal minutes), 2h08m39s, over 24 hours, and 2:31 as
    h:mm where m:ss would beat the world record for the race's distance; names SURNAME First as
    First SURNAME. Words in a non-finisher's time cell (aufgegeben) are no time; fields past the
    header (extra splits) are ignored: both with a warning. The importer says which columns it
    used, which it ignored and why, and what it guessed (which of two time columns, a Gender column
    holding places); --map overrides a guess.

    A file of several rankings goes into a RACE, one category per ranking, made if missing (its
    slug from the ranking's name): --split-by COLUMN, --split-by section (parts a repeated header
    starts), or on its own where places carry different ranking sizes (3 / 22672 and 1 / 29).
    --source-column puts a results CSV of a disputed category back, each row under its source.

    A file with any bad row imports nothing and every bad line is shown as FILE:LINE: message.
    A row links to the race's runner with its bib when the name fits (any order), else to an
    existing athlete only on an exact, uncontradicted, unique name match. A second file from the
    same source that repeats its placings is refused: --supersedes takes it as the source's
    whole current word (a provisional file, then the final one), --again records it twice.

    \b
    Example:
        raceledger import city-2025/marathon/open-women results.csv --source timing
        raceledger import city-2025/marathon/open-women - --source timing --map "Gender=sex" < export.tsv
        raceledger import city-2025/marathon/open-women final.csv --source timing --supersedes
        raceledger import city-2025/marathon ergebnisse.csv --source timing --split-by Wertung
        raceledger import city-2025/marathon boston-style.csv --source timing   # places 3 / 22672
        raceledger results city-2025/marathon/open-women -f csv > disputed.csv
        raceledger import city-2025/marathon/copy disputed.csv --source-column source
    """
    from ledger.imports.importer import (
        ImportFailed,
        ImportRequest,
        duplicate_lines,
        import_file,
        reading_lines,
        summary,
    )

    if dry_run and rejects:
        raise click.UsageError("--rejects writes a file; --dry-run writes nothing: drop one", ctx)
    if source and source_column:
        raise click.UsageError("--source-column reads each row's source from the file: drop --source", ctx)
    if not source and not source_column:
        raise click.UsageError("name the file's source: --source SLUG (or --source-column COLUMN)", ctx)
    request = ImportRequest(category, source or "", file, maps, dry_run, skip_invalid, rejects, again, url, published,
                            via, supersedes, split_by, source_column)
    stdin = sys.stdin.buffer if file == "-" else None
    try:
        if dry_run:
            with reading(ctx) as session:
                report = import_file(session, "", request, stdin, progress_bars())
        else:
            with writing(ctx, bulk=True) as (session, by):
                report = import_file(session, by, request, stdin, progress_bars())
    except ImportFailed as failed:
        echo_capped(failed.warnings, 0, "warnings")
        echo_capped(failed.problems, failed.more, "problems")
        raise
    echo_capped(report.warnings, report.warning_count - len(report.warnings), "warnings")
    for line in reading_lines(report):
        click.echo(visible(line), err=True)
    click.echo(visible(summary(report)))
    if report.duplicates:
        click.echo(f"Possible duplicates ({report.duplicate_count}); if one is the same person, merge them with "
                   "raceledger athlete merge KEEP OTHER (e.g. '#12' '#345'):")
        click.echo("\n".join(map(visible, duplicate_lines(report))))


@cli.command("finish")
@click.argument("category", metavar="CATEGORY")
@click.argument("file", required=False, metavar="[FILE]")
@click.option("--source", required=True, metavar="SLUG", help="Who saw the finish (the timer, the official at the line).")
@click.option("--skip-invalid", is_flag=True, help="Record the good lines; the bad ones are named and left out.")
@click.option("--supersedes", is_flag=True,
              help="Take the lines as the source's whole current word on the category: repeats stay, changed or "
                   "missing claims are withdrawn as corrections, new ones added.")
@click.option("--again", is_flag=True, help="Record placings the source already claims a second time, on purpose.")
@click.option("--live", is_flag=True,
              help="Record each line at once as its own entry (a timer at the line); a bad line is answered and "
                   "can be sent again.")
@click.pass_context
def finish(ctx: click.Context, category: str, file: str | None, source: str, skip_invalid: bool, supersedes: bool,
           again: bool, live: bool) -> None:
    """Record the finish order by bib: lines `BIB [TIME] [STATUS]` from FILE or standard input.

    Finishers are placed 1, 2, 3... in the order of the lines; DNF, DNS and DQ lines get no place.
    TIME is the gun time. The bibs are the race's (`entrants import`). The whole order is one entry:
    an unknown bib, a bib twice, or a time earlier than the line before is named with its line, and
    nothing is recorded (unless --skip-invalid). With --live, each line is recorded at once and the
    web view shows it; places continue from the source's last place (also after a restart).

    \b
    Example:
        printf '101 2:31:07\\n57 2:31:40\\n12 DNF\\n' | raceledger finish city-2025/marathon/open-women --source timing
        raceledger finish city-2025/marathon/open-women --source timing order.txt --supersedes
        raceledger finish city-2025/marathon/open-women --source line-judge --live
    """
    from ledger.imports import finish as finishing
    from ledger.imports.importer import ImportFailed

    if live and (supersedes or skip_invalid or again):
        raise click.UsageError("--live records line by line; --supersedes, --skip-invalid and --again are for a "
                               "whole order", ctx)
    refuse_read_only(ctx)
    if file is not None and file != "-" and not os.path.isfile(file):
        raise LedgerError(f"no file {file!r}" if not os.path.exists(file) else f"{file!r} is not a file")
    import contextlib
    import io

    stream = open(file, encoding="utf-8") if file not in (None, "-") else \
        io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8")
    with stream if file not in (None, "-") else contextlib.nullcontext(stream):
        if live:
            return _finish_live(ctx, category, source, stream)
        request = finishing.FinishRequest(category, source, file if file not in (None, "-") else "<stdin>",
                                          skip_invalid, supersedes, again)
        try:
            with writing(ctx) as (session, by):
                report = finishing.record_finish(session, by, request, stream)
        except ImportFailed as failed:
            echo_capped(failed.problems, failed.more, "problems")
            raise
        except UnicodeDecodeError:
            raise LedgerError(f"{request.where}: not UTF-8 text; save it as UTF-8") from None
    echo_capped(report.skipped, report.skipped_count - len(report.skipped), "problems")
    click.echo(visible(finishing.summary(report)))


def _finish_live(ctx: click.Context, category: str, source: str, stream: Any) -> None:
    """`finish --live`: each line its own transaction, answered at once."""
    from ledger.imports import finish as finishing
    from ledger.journal.chain import default_user
    from ledger.store.engine import transaction

    engine = opened(ctx)
    by = ctx.find_object(Options).user or default_user()
    with transaction(engine) as session:
        target = finishing.live_target(session, category, source)
    recorded = refused = 0
    try:
        for number, text in enumerate(stream, 1):
            try:
                with transaction(engine) as session:
                    done = finishing.live_line(session, by, target, text)
            except LedgerError as exc:
                refused += 1
                click.echo(visible(f"line {number}: refused, nothing recorded: {exc}; send it again"), err=True)
                continue
            if done is not None:
                recorded += 1
                claim_id, place = done
                where = f"place {place}" if place is not None else "no place"
                click.echo(visible(f"line {number}: bib {text.split()[0]}, {where} (claim {claim_id})"))
    except KeyboardInterrupt as exc:
        exc.add_note(f"{recorded} line{'s' if recorded != 1 else ''} recorded before it")
        raise
    if refused:
        raise LedgerError(f"{refused} line{'s' if refused != 1 else ''} refused (named above); {recorded} recorded")


class EntrantsGroup(click.Group):
    """`entrants RACE` lists a race's entrants; `entrants import RACE FILE` records a start list."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["list", *args]
        return super().parse_args(ctx, args)


@cli.group(cls=EntrantsGroup, context_settings=CONTEXT)
def entrants() -> None:
    """A race's start list: its entrants by bib (`entrants RACE`), and recording one (`entrants import`).

    \b
    Example:
        raceledger entrants import city-2025/marathon start.csv --source timing
        raceledger entrants city-2025/marathon -f json
    """


@entrants.command("import")
@click.argument("race", metavar="EVENT/RACE")
@click.argument("file", metavar="FILE")
@click.option("--source", required=True, metavar="SLUG", help="Who published the start list (the organiser, ...).")
@click.pass_context
def entrants_import(ctx: click.Context, race: str, file: str, source: str) -> None:
    """Record a start list (CSV or TSV, `-` for stdin) as one journal entry: a runner a line.

    Columns (header spellings as `import` reads them): Bib, Name (or First Name and Last Name),
    and any of Sex, Birth Date (YYYY-MM-DD), Born/YOB (a year), Age (on race day), Nationality,
    Club, Category. Each bib belongs to one athlete in the race: the one who holds it already when
    the name fits, else an existing athlete on an exact, uncontradicted name match, else a new one.
    A bib twice, or one person (same name, same birth date, year or age) with two bibs, is an error
    naming both lines, and nothing is recorded. A later start list adds and changes entrants.

    \b
    Example:
        raceledger entrants import city-2025/marathon start.csv --source organiser
        printf 'Bib,Name,Sex,Born\\n7,Anna Nowak,F,1990\\n' | raceledger entrants import city-2025/marathon - --source organiser
    """
    from ledger.imports.entrants import import_entrants, summary
    from ledger.imports.importer import ImportFailed

    stdin = sys.stdin.buffer if file == "-" else None
    try:
        with writing(ctx) as (session, by):
            report = import_entrants(session, by, race, file, source, stdin)
    except ImportFailed as failed:
        echo_capped(failed.problems, failed.more, "problems")
        raise
    click.echo(visible(summary(report)))


@entrants.command("list")
@click.argument("race", metavar="EVENT/RACE")
@output_option
@width_option
@click.pass_context
def entrants_list(ctx: click.Context, race: str, fmt: str, width: int | None) -> None:
    """A race's entrants in bib order, as the newest start list giving each bib says (also `entrants RACE`).

    \b
    Example:
        raceledger entrants city-2025/marathon
    """
    from ledger.read.entrants import entrants as listed

    with reading(ctx) as session:
        found = listed(session, race)
    shown = ("bib", "name", "athlete_id", "sex", "birth_date", "born", "age", "nationality", "club", "category",
             "source")
    emit(found, fmt, lambda: [{k: e[k] for k in shown} for e in found], "no entrants", width)


@cli.command("export")
@click.argument("file", required=False, metavar="[FILE]")
@click.pass_context
def export_ledger(ctx: click.Context, file: str | None) -> None:
    """Write the whole journal as JSON Lines, one entry a line, to FILE or standard output.

    `raceledger load` rebuilds the same ledger from it; exporting that again gives the same bytes.

    \b
    Example:
        raceledger export ledger.jsonl
        raceledger export | gzip > ledger.jsonl.gz
    """
    from ledger.journal.export import export_journal
    from ledger.store.files import is_stream, text_over, written_whole

    to_file = file is not None and file != "-"
    streamed = not to_file or is_stream(file)  # written into as it goes, not renamed into place at the end
    # What an interrupt has left, if not nothing (LedgerGroup.main says it).
    done = f"the export into {file if to_file else 'standard output'} is incomplete" if streamed else None
    try:
        with reading(ctx) as session:
            if to_file:
                with written_whole(file) as out:
                    head = export_journal(session, out, progress_bars())
                done = f"{file} was written whole"
                click.echo(visible(f"Exported {head.seq} journal entries to {file}; head {head.seq}:{head.hash}."),
                           err=True)
            else:
                with text_over(sys.stdout.buffer) as out:
                    export_journal(session, out, progress_bars())
    except KeyboardInterrupt as interrupt:
        if done:
            interrupt.add_note(done)
        raise


@cli.command("load")
@click.argument("file", metavar="FILE")
@click.pass_context
def load_ledger(ctx: click.Context, file: str) -> None:
    """Replay an exported journal (FILE, or `-` for stdin) into a new, empty ledger.

    Every entry's link and hash is checked; at the first mismatch nothing is written and the
    line is named.

    \b
    Example:
        raceledger --db copy.db load ledger.jsonl
    """
    from ledger.projection.load import load_journal

    with loading(ctx) as session:
        if file == "-":
            head = load_journal(session, sys.stdin.buffer, "<stdin>", progress_bars())
        else:
            try:
                stream = open(file, "rb")
            except OSError as exc:
                raise click.FileError(file, exc.strerror)
            with stream:
                head = load_journal(session, stream, file, progress_bars())
    click.echo(visible(f"Loaded {head.seq} journal entries into {where(ctx).display}; head {head.seq}:{head.hash}."))


@athlete.command("merge")
@click.argument("keep")
@click.argument("other")
@click.pass_context
def athlete_merge(ctx: click.Context, keep: str, other: str) -> None:
    """Record that OTHER is the same person as KEEP (names or #IDs): OTHER's claims move to KEEP.

    Claims keep the name as their source wrote it; OTHER's spellings become KEEP's.

    \b
    Example:
        raceledger athlete merge '#3' '#1207'
    """
    from ledger.write import merge

    with writing(ctx) as (session, by):
        done = merge.merge(session, by, keep, other)
    click.echo(visible(f"Merged #{done['other']} {done['other_name']} into #{done['keep']} {done['keep_name']} "
                       f"(journal entry {done['seq']}); {done['claims']} claims moved."))


def main() -> None:
    """The console script, and the one place that decides how its process ends: as Python ends it
    (atexit handlers run, streams flush, the ledger closes), with the objects the command leaves
    frozen first, so that the collection at interpreter exit does not scan them all once more.

    SIGTERM unwinds like Ctrl-C (the transaction rolled back, temporary files removed), as a
    KeyboardInterrupt carrying its number, which LedgerGroup.main reports (exit 143). Installed here,
    not at import: a program that imports cli keeps its own handlers."""
    import gc
    import signal

    def terminated(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(signum)

    signal.signal(signal.SIGTERM, terminated)
    try:
        cli(prog_name="raceledger")
    finally:
        # Every command ends here (cli exits by SystemExit). A freeze, not an immediate exit or a
        # disabled collector: atexit handlers and finalizers still run, and `serve` keeps collecting.
        gc.freeze()


if __name__ == "__main__":
    main()

"""Race day: the start list (`entrants`) and the finish order by bib (`finish`)."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from ledger.cli.common import CONTEXT, Options, output_option, width_option
from ledger.cli.printing import echo_capped, emit
from ledger.cli.sessions import opened, reading, refuse_read_only, writing
from ledger.core.errors import LedgerError
from ledger.output.inert import visible


@click.command("finish")
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
    """`finish --live`: each line answered as it is recorded (ledger.imports.finish.record_live)."""
    from ledger.imports.finish import record_live
    from ledger.journal.chain import default_user

    recorded = refused = 0
    try:
        for said in record_live(opened(ctx), ctx.find_object(Options).user or default_user(), category, source, stream):
            if said.claim is None:
                refused += 1
                click.echo(visible(f"line {said.line}: refused, nothing recorded: {said.refused}; send it again"), err=True)
                continue
            recorded += 1
            where = f"place {said.claim.place}" if said.claim.place is not None else "no place"
            click.echo(visible(f"line {said.line}: bib {said.claim.bib}, {where} (claim {said.claim.claim_id})"))
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


@click.group(cls=EntrantsGroup, context_settings=CONTEXT)
def entrants() -> None:
    """A race's start list: its entrants by bib (`entrants RACE`), and recording one (`entrants import`).

    \b
    Example:
        raceledger source add organiser --name "Organising committee" --kind organizer
        printf 'Bib,Name,Sex\\n7,Anna Nowak,F\\n' > start.csv
        raceledger entrants import pyongyang-2025/marathon start.csv --source organiser
        raceledger entrants pyongyang-2025/marathon -f json
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
        raceledger source add organiser --name "Organising committee" --kind organizer
        printf 'Bib,Name,Sex,Born\\n7,Anna Nowak,F,1990\\n' | \\
            raceledger entrants import pyongyang-2025/marathon - --source organiser
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
        raceledger entrants pyongyang-2025/marathon
    """
    from ledger.read.entrants import entrants as listed

    with reading(ctx) as session:
        found = listed(session, race)
    shown = ("bib", "name", "athlete_id", "sex", "birth_date", "born", "age", "nationality", "club", "category",
             "source")
    emit(found, fmt, lambda: [{k: e[k] for k in shown} for e in found], "no entrants", width)


COMMANDS = (finish, entrants)  # added to the root group by cli.py

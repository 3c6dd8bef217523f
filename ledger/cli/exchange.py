"""Files in and out: `import` a results file, `export` the journal, `load` it into a new ledger."""

from __future__ import annotations

import sys
from typing import Any

import click

from ledger.cli.common import pauses_collector
from ledger.cli.printing import echo_capped, progress_bars
from ledger.cli.sessions import loading, reading, where, writing
from ledger.output.inert import visible


@click.command("import")
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


@click.command("export")
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
    from ledger.journal.export import export_to

    def written(head: Any) -> None:
        click.echo(visible(f"Exported {head.seq} journal entries to {file}; head {head.seq}:{head.hash}."), err=True)

    with reading(ctx) as session:  # an interrupt says what it left (LedgerGroup.main)
        export_to(session, file, sys.stdout.buffer, progress_bars(), written)


@click.command("load")
@click.argument("file", metavar="FILE")
@click.pass_context
def load_ledger(ctx: click.Context, file: str) -> None:
    """Replay an exported journal (FILE, or `-` for stdin) into a new, empty ledger.

    Every entry's link and hash is checked; at the first mismatch nothing is written and the
    line is named.

    \b
    Example:
        raceledger export ledger.jsonl
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


COMMANDS = (import_results, export_ledger, load_ledger)  # added to the root group by cli.py

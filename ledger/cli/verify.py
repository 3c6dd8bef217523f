"""Proof of the history: `head` to publish, `verify` to check the chain against it."""

from __future__ import annotations

import click

from ledger.cli.common import FORMAT_OR_TEXT
from ledger.cli.printing import emit
from ledger.cli.sessions import reading
from ledger.core.errors import LedgerError
from ledger.output.inert import visible


@click.command()
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


@click.command()
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


COMMANDS = (head, verify)  # added to the root group by cli.py

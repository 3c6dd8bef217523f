"""Proof of the history: `head` to publish, `verify` to check the chain against it."""

from __future__ import annotations

import click

from ledger.cli.common import FORMAT_OR_TEXT, read_text
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
@click.option("--checkpoint", "old_note", type=click.Path(exists=True, dir_okay=False), metavar="OLD_NOTE",
              help="A signed checkpoint published earlier (raceledger checkpoint --sign): check this ledger extends "
                   "it (needs --key).")
@click.option("--key", "key_file", type=click.Path(exists=True, dir_okay=False), metavar="VKEY_FILE",
              help="The verifier key the --checkpoint is signed with (raceledger key generate printed it).")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              metavar="FORMAT", help="text or json.")
@click.pass_context
def verify(ctx: click.Context, published: str | None, deep: bool, old_note: str | None, key_file: str | None,
           fmt: str) -> None:
    """Check the whole hash chain from the first entry; exit 1 naming every bad seq found.

    With --checkpoint OLD_NOTE --key VKEY_FILE, also check that this ledger extends a signed checkpoint
    published earlier: its signature, its origin, and this ledger's root at its tree size (a history
    edited, cut or forked since fails, naming the tree size and the roots expected and found).

    \b
    Example:
        published=$(raceledger head)        # publish it; later:
        raceledger verify --head "$published" --deep
        raceledger verify --head "$(raceledger head | sed -E 's/(:.{12}).*/\\1/')"   # 12 hex digits do
        raceledger checkpoint --origin results.example.org/pyongyang-2025
        raceledger key generate results.example.org/pyongyang-2025 --out demo.key > demo.vkey
        raceledger checkpoint --sign demo.key > checkpoint.txt
        raceledger verify --checkpoint checkpoint.txt --key demo.vkey
    """
    if (old_note is None) != (key_file is None):
        raise click.UsageError("--checkpoint and --key go together: the checkpoint is checked with the key")
    from ledger.journal import verify as checking

    compare = None
    if deep:  # the replay machinery is loaded only when it will run
        from ledger.projection.deep import compare
    head_seen = checking.parse_head(published) if published else None
    old = None
    if old_note is not None:  # a file that is not a signed checkpoint under this key is refused before any work
        from ledger.core import checkpoint, note
        from ledger.read.proofs import extends

        old = checkpoint.open_signed(read_text(old_note), note.parse_verifier(read_text(key_file)))
    extended = None  # whether the ledger extends the checkpoint, once its own entries verify
    with reading(ctx) as session:
        report = checking.verify(session, head_seen, compare)
        if old is not None and report.ok:
            why_not = extends(session, old)
            extended = why_not is None
            if why_not is not None:
                report.add(None, why_not)
    for warning in report.warnings:
        click.echo(visible(f"Warning: {warning}"), err=True)
    if fmt == "json":
        found = report.to_json()
        if old is not None:
            found["checkpoint"] = {"origin": old.origin, "size": old.size, "extended": extended}
        emit(found, "json")
    else:
        for line in checking.report_lines(report):
            click.echo(visible(line))
    if not report.ok:
        raise LedgerError(checking.outcome(report))
    if fmt == "text":
        click.echo(checking.outcome(report) + ".")
        if old is not None:
            from ledger.core.checkpoint import entries

            click.echo(visible(f"The ledger extends the checkpoint of {entries(old.size)} of {old.origin}."))


COMMANDS = (head, verify)  # added to the root group by cli.py

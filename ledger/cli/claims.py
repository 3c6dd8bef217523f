"""Claims and their corrections: `claim`, `claim show`, `cite`, `retract` and `rule`."""

from __future__ import annotations

from typing import Any

import click

from ledger.cli.common import FORMAT, Checked, tolerance_option, width_option
from ledger.cli.printing import emit, table_width
from ledger.cli.sessions import reading, writing
from ledger.core.errors import LedgerError


class ClaimCommand(click.Command):
    """`claim CATEGORY ...`, whose usage (`claim --help`) shows both forms of `claim`."""

    def format_usage(self, ctx: click.Context, formatter: Any) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIONS] CATEGORY --source SLUG ...")
        formatter.write_usage(ctx.command_path, "show CLAIM_ID [-f FORMAT] [--width COLUMNS]", "   or: ")


class ClaimGroup(click.Group):
    """`claim show CLAIM_ID` is a subcommand; any other `claim ...` is `record`'s, as its own command
    named `claim` (its help, its errors), since a category slug always holds two '/': never `show`."""

    def __init__(self, record: click.Command, **attrs: Any) -> None:
        super().__init__(record.name, help=record.help, **attrs)
        self.record = record

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        if args[:1] == ["show"]:
            return super().make_context(info_name, args, parent, **extra)
        return self.record.make_context(info_name, args, parent, **extra)


@click.command("claim", cls=ClaimCommand)
@click.argument("category", metavar="CATEGORY")
@click.option("--source", required=True, metavar="SLUG", help="Who makes the claim: its claimant.")
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
@click.pass_context
def record(ctx: click.Context, category: str, source: str, **fields: Any) -> None:
    """Record what one source says about one placing; or, as `claim show CLAIM_ID`, show one claim whole.

    --source is the claimant: who asserts the result. When we know the claim only because another
    source reported it, --via names that source, and the citation (--url, --quote) is its report.

    `claim show CLAIM_ID` prints the claim with its claimant, via, every citation with its quote,
    its standing, its placing's verdict and lines of evidence, the rulings on it, its retraction,
    the journal entry (seq and hash) that recorded it and the ledger's head now (-f json: as JSON);
    see `claim show --help`.

    \b
    Example:
        raceledger claim pyongyang-2025/marathon/amateur-men --source dprk-state-media \\
            --unnamed "a local athlete" --position 1 --quote "..."
        raceledger claim pyongyang-2025/marathon/amateur-men --source dprk-state-media --via rare-glimpse-inside \\
            --unnamed "a local athlete" --position 1 --quote "..."
        raceledger claim show 5
    """
    from ledger.write import claims

    with writing(ctx) as (session, by):
        recorded = claims.add(session, by, category, source, **fields)
    click.echo(f"Recorded claim {recorded}.")


def _claim_id(value: str) -> int:
    """Digits, or a usage error; whether a claim may have that id is the reader's to say (exit 1)."""
    digits = value.strip()
    if not (digits.isascii() and digits.isdecimal()):
        raise LedgerError(f"a claim id is digits, not {value!r}")
    return int(digits)


def _text_or_json(value: str) -> str:
    if value in ("csv", "tsv"):
        raise LedgerError("claim show prints text (a table format) or JSON: use -f json")
    return FORMAT.parse(value)


@click.command("show")
@click.argument("claim_id", type=Checked("id", _claim_id), metavar="CLAIM_ID")
@tolerance_option
@click.option("-f", "--format", "fmt", type=Checked("format", _text_or_json), default="simple", show_default=True,
              metavar="FORMAT", help="json, jsonl, or for text a tabulate table format (simple, github, grid, ...).")
@width_option
@click.pass_context
def show(ctx: click.Context, claim_id: int, tolerance_ms: int, fmt: str, width: int | None) -> None:
    """Show one claim whole, with the ledger's head now.

    Its claimant, via, every citation with its quote, its standing, its placing's verdict and lines
    of evidence, the rulings on it, its retraction, and the journal entry (seq and hash) that
    recorded it.

    \b
    Example:
        raceledger claim show 5
        raceledger claim show 5 -f json
    """
    from ledger.output.claim_columns import claim_lines
    from ledger.read.claim_show import claim_show

    with reading(ctx) as session:
        found = claim_show(session, claim_id, tolerance_ms)
    if fmt in ("json", "jsonl"):
        emit(found, fmt)
    else:
        click.echo("\n".join(claim_lines(found, table_width(width) or None)))


claim = ClaimGroup(record, commands=[show])


@click.command()
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
        raceledger source add gazette --name "The Gazette" --kind press
        raceledger cite 6 --via gazette --url https://gazette.example/y --quote "..." --published 2025-04-07
    """
    from ledger.write import claims

    with writing(ctx) as (session, by):
        seq = claims.cite(session, by, claim_id, **citation)
    click.echo(f"Added a citation to claim {claim_id} (journal entry {seq}).")


@click.command()
@click.argument("claim_id", type=int, metavar="CLAIM_ID")
@click.option("--reason", required=True, help="Why the source withdrew or corrected the claim.")
@click.pass_context
def retract(ctx: click.Context, claim_id: int, reason: str) -> None:
    """Withdraw a claim: it stays recorded and shown, but no longer counts toward verdicts or disputes.

    \b
    Example:
        raceledger retract 5 --reason "Example: the source's correction, and where it was published"
    """
    from ledger.write import corrections

    with writing(ctx) as (session, by):
        seq = corrections.retract(session, by, claim_id, reason)
    click.echo(f"Retracted claim {claim_id} (journal entry {seq}).")


@click.command()
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
        raceledger rule pyongyang-2025/marathon/elite-men --position 1 --accept 1 \\
            --by "Jury of appeal" --reason "Example: what was decided, on what evidence"
        raceledger athlete add "Anna Nowak" --nationality POL
        raceledger source add gazette --name "The Gazette" --kind press
        raceledger claim pyongyang-2025/marathon/elite-women --source gazette --athlete "Anna Nowak" --status FIN
        raceledger rule pyongyang-2025/marathon/elite-women --athlete "Anna Nowak" --status DQ \\
            --by "Referee" --reason "Example: the rule broken, e.g. Rule 144.3(a)"
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


COMMANDS = (claim, cite, retract, rule)  # added to the root group by cli.py

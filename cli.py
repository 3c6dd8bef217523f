"""The `raceledger` command: the root group and its global options, assembled from the command groups
of ledger.cli (one module per area: parse, call `ledger`, render), and `main`, which ends the process.

SQLAlchemy is imported only inside commands, so `--help` and `--version` stay instant.
"""

from __future__ import annotations

from typing import Any

import click

from ledger import __version__
from ledger.cli import (admin, athletes, catalog, claims, demo, exchange, figures, proofs, publish, raceday, reports,
                        verify)
from ledger.cli.common import CONTEXT, Options
from ledger.cli.errors import LedgerGroup


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


for command in (*admin.COMMANDS, *demo.COMMANDS, *catalog.COMMANDS, *athletes.COMMANDS, *claims.COMMANDS,
                *figures.COMMANDS, *reports.COMMANDS, *verify.COMMANDS, *publish.COMMANDS, *exchange.COMMANDS,
                *raceday.COMMANDS, *proofs.COMMANDS):
    cli.add_command(command)


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

"""The ledger itself: `init`, `info` and `db grant-reader`."""

from __future__ import annotations

import click

from ledger.cli.common import CONTEXT, output_option
from ledger.cli.printing import emit
from ledger.cli.sessions import opened, reading, upgraded, where
from ledger.output.inert import visible


@click.command()
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


@click.command()
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


@click.group("db", context_settings=CONTEXT)
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


COMMANDS = (init, info, db_group)  # added to the root group by cli.py

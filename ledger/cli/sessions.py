"""Opening the ledger: one way per mode (read, write, bulk write, create/upgrade, load)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import click

from ledger.cli.common import Options


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

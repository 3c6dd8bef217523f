"""Alembic, reached from the app: migrations load from the installed package."""

from __future__ import annotations

import os

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy.engine import Engine

from ledger.core.errors import LedgerError


def script_location() -> str:
    """The installed `ledger.migrations` package (the repo's top-level `migrations/`).

    In a source checkout `python -m pytest` imports `ledger` from the checkout, not from the install,
    and there the migrations are the top-level folder beside it.
    """
    try:
        import ledger.migrations
    except ModuleNotFoundError:
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # ledger/store/ -> repo
        checkout = os.path.join(root, "migrations")
        if not os.path.isfile(os.path.join(checkout, "env.py")):
            raise
        return checkout
    return os.path.dirname(os.path.abspath(ledger.migrations.__file__))


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", script_location())
    config.attributes["engine"] = engine
    return config


def known_revisions() -> set[str]:
    """Revision ids of the migrations shipped with this version (files are named REV_*.py)."""
    versions = os.path.join(script_location(), "versions")
    return {name.split("_", 1)[0] for name in os.listdir(versions) if name.endswith(".py") and "_" in name}


def upgrade(engine: Engine, revision: str = "head") -> None:
    try:
        command.upgrade(alembic_config(engine), revision)
    except CommandError as exc:
        raise LedgerError(f"cannot upgrade the database: {exc}") from None


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)

"""Alembic, reached from the app: migrations load from the installed package."""

from __future__ import annotations

import os

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine


def script_location() -> str:
    """The installed `ledger.migrations` package (the repo's top-level `migrations/`)."""
    import ledger.migrations

    return os.path.dirname(os.path.abspath(ledger.migrations.__file__))


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", script_location())
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)

"""Alembic environment: one migration tree for SQLite and PostgreSQL."""

from alembic import context
from sqlalchemy import create_engine

from ledger.core.models import Base

config = context.config
engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"))


def _sqlite_foreign_keys(connection, on: bool) -> None:
    """SQLite changes a column by rebuilding its table (drop, rename), which foreign keys would refuse.

    SQLite's documented procedure: keys off outside the transaction, rebuild, check, keys on again.
    The pragma is set on the DBAPI connection directly, since inside a transaction it does nothing.
    """
    if connection.dialect.name == "sqlite":
        connection.connection.driver_connection.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")


with engine.connect() as connection:
    _sqlite_foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if connection.dialect.name == "sqlite":
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                if broken:
                    raise RuntimeError(f"migration left a broken foreign key in table {broken[0]}")
        connection.commit()
    finally:
        _sqlite_foreign_keys(connection, on=True)

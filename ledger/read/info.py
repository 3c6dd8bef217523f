"""`raceledger info`: where the ledger lives, its schema revision, its size and its head."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ledger.core.models import Athlete, Claim, JournalEntry
from ledger.journal import chain

FIELDS = ("database", "backend", "read_only", "schema_revision", "journal_entries", "claims", "athletes",
          "head_seq", "head_hash")


def _count(session: Session, model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def summary(session: Session, display: str, read_only: bool = False) -> dict[str, Any]:
    """The facts a reporter quotes and a second copy is compared by (same head hash, same history)."""
    head = chain.head(session)
    return {
        "database": display,
        "backend": session.get_bind().dialect.name,
        "read_only": read_only,
        "schema_revision": session.execute(text("SELECT version_num FROM alembic_version")).scalar(),
        "journal_entries": _count(session, JournalEntry),
        "claims": _count(session, Claim),
        "athletes": _count(session, Athlete),
        "head_seq": head.seq,
        "head_hash": head.hash,
    }


def as_rows(found: dict[str, Any], columns: bool) -> list[dict[str, Any]]:
    """One row with a column per field (CSV, TSV), or a field/value row per field (tables)."""
    shown = {key: str(value).lower() if isinstance(value, bool) else value for key, value in found.items()}
    return [shown] if columns else [{"field": key, "value": value} for key, value in shown.items()]

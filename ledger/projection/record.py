"""The one way an entry is written: appended to the journal and projected, in one transaction."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from ledger.core.canonical import canonical_json
from ledger.journal import chain
from ledger.projection.apply import apply


def record(session: Session, kind: str, body: dict[str, Any], recorded_by: str) -> int:
    """Append one entry of `kind` and write its derived rows; returns its seq."""
    body_json = canonical_json(body)
    seq = chain.append(session, kind, body_json, recorded_by)
    apply(session, seq, kind, json.loads(body_json))
    return seq

"""Canonical JSON and SHA-256 helpers: the bytes the hash chain is computed over."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64


def _reject_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("floats are not allowed in the journal; use integers (ms, metres)")
    if isinstance(value, dict):
        for item in value.values():
            _reject_floats(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _reject_floats(item)


def canonical_json(value: Any) -> str:
    """Sorted keys, no insignificant whitespace, no floats: one text for one value."""
    _reject_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def sha256_hex(data: str | bytes) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def chain_hash(prev_hash: str, seq: int, kind: str, recorded_at: str, recorded_by: str, body_hash: str) -> str:
    """entry_hash = sha256 of the newline-joined fields: who and when are part of what is proven."""
    material = "\n".join([prev_hash, str(seq), kind, recorded_at, recorded_by, body_hash])
    return sha256_hex(material)

"""Canonical JSON and SHA-256 helpers: the bytes the hash chain is computed over."""

from __future__ import annotations

import json
from hashlib import sha256
from typing import Any, Iterable

GENESIS_HASH = "0" * 64


_FLAT = frozenset({str, int, bool, type(None)})


def _reject_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("floats are not allowed in the journal; use integers (ms, metres)")
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, (list, tuple)):
        return
    flat = _FLAT
    for item in value:  # most values of a large body (a finish order's claims) are flat: no call each
        if item.__class__ not in flat:
            _reject_floats(item)


def canonical_json(value: Any) -> str:
    """Sorted keys, no insignificant whitespace, no floats: one text for one value."""
    _reject_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def sha256_hex(data: str | bytes) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return sha256(data).hexdigest()


def body_hash(pieces: Iterable[str]) -> str:
    """sha256 of an entry's canonical body text (UTF-8), given in pieces whose concatenation is the
    body: a large body (an import) is hashed without ever being whole in memory."""
    digest = sha256()
    for piece in pieces:
        digest.update(piece.encode())
    return digest.hexdigest()


def chain_hash(prev_hash: str, seq: int, kind: str, recorded_at: str, recorded_by: str, body_sha256: str) -> str:
    """entry_hash = sha256 of the newline-joined fields (UTF-8): who and when are part of what is proven."""
    material = f"{prev_hash}\n{seq}\n{kind}\n{recorded_at}\n{recorded_by}\n{body_sha256}"
    return sha256(material.encode()).hexdigest()

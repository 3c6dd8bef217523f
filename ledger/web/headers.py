"""The ETag a page's freshness gives it, that freshness read alone for a page kept, and the headers every answer carries.

A page is a pure function of the ledger's history and the page's own address; the newest entry
that can change it (the head, or for a race's or an event's page the newest entry that touched
it, ledger.read.queries.scope_head) names the history it depends on. The ETag hashes that entry
and the address, so an unchanged page answers `304 Not Modified` without being built again. It is
weak: a page states the head it was made at, which may be older than the ledger's by entries that
cannot change it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.engine import Engine

from ledger.read import queries

# No script at all (JSON-LD blocks are data, not script, and need none); styles and images from
# the site only; nothing may frame a page or take a form elsewhere.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                           "base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


class HeadProbe:
    """The head (or, given a scope, the newest entry it depends on: queries.scope_query) read alone, as the driver runs one
    statement on a pooled connection: no SQLAlchemy Connection, no transaction (one statement reads
    one snapshot). What a page kept, or a client's If-None-Match, needs before it is answered: 20
    microseconds instead of 115 on SQLite."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements = {id(statement): statement.compile(dialect=engine.dialect)
                           for statement in (queries.HEAD, queries.SCOPE_HEAD, queries.CLAIM_HEAD)}

    def __call__(self, scope: tuple[str, str] | None = None) -> dict[str, Any]:
        statement, given = (queries.HEAD, None) if scope is None else queries.scope_query(*scope)
        compiled = self.statements[id(statement)]
        values = compiled.construct_params(given)
        positions = compiled.positiontup
        args = tuple(values[name] for name in positions) if positions else values
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            try:
                cursor.execute(compiled.string, args)
                row = cursor.fetchone()
            finally:
                cursor.close()
        except Exception:
            raw.invalidate()  # a connection the database dropped is not handed out again
            raise
        finally:
            raw.close()
        return queries.head_of(row)


def etag(newest: dict[str, Any], address: str, salt: str = "") -> str:
    """A weak ETag for a page at `address` (path and query) whose newest entry that can change it
    is `newest`, as served by this version with these settings (`salt`), so an upgraded server
    never answers 304 for a page it would now show differently. Weak: pages of one tag may state
    different heads, all later than `newest`."""
    digest = hashlib.sha256(f"{newest['seq']}:{newest['hash']}\n{address}\n{salt}".encode()).hexdigest()[:32]
    return f'W/"{newest["seq"]}-{digest}"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an If-None-Match header names this ETag (or `*`); weak and strong forms compare
    equal, as RFC 9110 asks for If-None-Match."""
    if not if_none_match:
        return False
    tag = tag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == tag:
            return True
    return False

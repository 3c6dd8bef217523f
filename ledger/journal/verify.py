"""`raceledger verify`: prove the journal is the unbroken chain it claims to be, and (deep) that the
derived tables are exactly what replaying it produces.

One streaming pass over the journal in seq order (ledger.journal.chain.entry_tuples), hashing as
append did (ledger.core.canonical): memory holds one batch of entries (a large body is hashed chunk
by chunk; with `deep`, one row per table being compared), never the ledger. Problems are collected,
not raised, so one run reports every one of them (up to a cap), each with the seq it concerns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any, Callable, Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

from ledger.core.canonical import GENESIS_HASH, chain_hash
from ledger.core.errors import LedgerError
from ledger.core.row_tree import INLINE_ROWS
from ledger.core.views import Head
from ledger.journal.bodies import entry_sha256, inline_sha256
from ledger.journal.chain import STREAM_BATCH, body_pieces, entry_tuples
from ledger.journal.tree import TreeCheck

# Enough to locate any tampering; a wholly rewritten ledger should not fill memory with complaints.
MAX_PROBLEMS = 100
# A head as `raceledger head` prints it, or abbreviated to its first 12+ hex digits (`25:5b0a9c41d2e7...`):
# 48 bits are past any chance collision a ledger meets, and short enough to read aloud or print.
_HEAD = re.compile(r"^(\d+):([0-9a-f]{12,64})(?:\.\.\.|\u2026)?$")
SHORTEST_HEAD = 12
# The append-only triggers of the tables holding the journal (0002: journal; 0003: journal_chunk).
_TRIGGERS = {"sqlite": tuple(f"{t}_no_{a}" for t in ("journal", "journal_chunk") for a in ("update", "delete")),
             "postgresql": tuple(f"{t}_{a}" for t in ("journal", "journal_chunk") for a in ("append_only", "no_truncate"))}


@dataclass(frozen=True)
class Problem:
    seq: int | None
    message: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.message}" if self.seq is not None else self.message

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "problem": self.message}


@dataclass
class Report:
    """What one verification found: entries checked, the head, problems (first MAX_PROBLEMS) and warnings."""

    checked: int = 0
    head: Head = Head(0, GENESIS_HASH)
    problems: list[Problem] = field(default_factory=list)
    more: int = 0
    warnings: list[str] = field(default_factory=list)
    deep: bool = False
    rows_compared: int = 0
    # The Merkle tree's root recomputed from the entry hashes (hex), once its stored nodes matched it.
    tree_root: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_seq(self) -> int | None:
        return min((p.seq for p in self.problems if p.seq is not None), default=None)

    def add(self, seq: int | None, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(seq, message))
        else:
            self.more += 1

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.checked, "head": {"seq": self.head.seq, "hash": self.head.hash},
                "deep": self.deep, "rows_compared": self.rows_compared if self.deep else None,
                "first_bad_seq": self.first_bad_seq, "problems": [p.to_json() for p in self.problems],
                "more_problems": self.more, "warnings": self.warnings}


def parse_head(value: str) -> Head:
    """`SEQ:HASH` as `raceledger head` prints it, or with the hash's first 12 or more hex digits."""
    match = _HEAD.match(value.strip().lower())
    if not match:
        raise LedgerError(f"bad --head {value!r}: expected SEQ:HASH as printed by raceledger head, "
                          f"e.g. 12:{'3f' * 32}, or the hash's first {SHORTEST_HEAD} or more hex digits, "
                          f"e.g. 12:{'3f' * (SHORTEST_HEAD // 2)}")
    return Head(int(match.group(1)), match.group(2))


def format_head(head: Head) -> str:
    """The head as given: an abbreviated hash shows it is one (`12:3f3f3f3f3f3f...`)."""
    return f"{head.seq}:{head.hash}" + ("..." if len(head.hash) < 64 else "")


class ChainCheck:
    """Checks entries one at a time, in seq order: numbering, links and each entry's own hash."""

    def __init__(self, report: Report, published: Head | None, session: Session | None = None) -> None:
        self.report = report
        self.session = session
        self.published_seq = published.seq if published is not None else None
        self.published = published
        self.last_seq, self.last_hash = 0, GENESIS_HASH
        self.broken_at: int | None = None  # the first entry whose number, link or hash is wrong

    def entry(self, *row: Any) -> None:
        """One entry: (seq, kind, body, prev_hash, entry_hash, recorded_at, recorded_by)."""
        self.run([row])

    def run(self, rows: Iterable[tuple]) -> None:
        """The hot loop, on local names: an entry that needs a second look goes to `_look`."""
        published_seq, inline_rows = self.published_seq, INLINE_ROWS
        last_seq, last_hash, checked = self.last_seq, self.last_hash, 0
        for seq, kind, body, prev_hash, entry_hash, recorded_at, recorded_by in rows:
            # body_hash of an inline body, without its calls: this loop runs once an entry
            computed = chain_hash(prev_hash, seq, kind, recorded_at, recorded_by,
                                  (sha256(body.encode()).hexdigest() if kind not in inline_rows
                                   else inline_sha256(kind, body)) if body is not None
                                  else self._large(seq))
            if computed != entry_hash or seq != last_seq + 1 or prev_hash != last_hash or seq == published_seq:
                self._look(last_seq, last_hash, seq, prev_hash, entry_hash, computed)
            last_seq, last_hash = seq, entry_hash
            checked += 1
        self.last_seq, self.last_hash = last_seq, last_hash
        self.report.checked += checked

    def _large(self, seq: int) -> str:
        """A large body's hash (its rows' root recomputed, in the rows form), a body that cannot be
        what was hashed reported."""
        digest, wrong = entry_sha256(lambda: body_pieces(self.session, seq, None), f"entry {seq}")
        if wrong is not None:
            self.report.add(seq, wrong)
        return digest

    def _look(self, last_seq: int, last_hash: str, seq: int, prev_hash: str, entry_hash: str, computed: str) -> None:
        linked = seq == last_seq + 1
        if self.broken_at is None and (not linked or computed != entry_hash or prev_hash != last_hash):
            self.broken_at = min(seq, last_seq + 1)
        if not linked:
            self._gap(last_seq, seq)
        if computed != entry_hash:
            self.report.add(seq, "its content does not match its entry_hash: its kind, body, author or time was "
                                 "changed, or it was moved from another seq")
        if linked and prev_hash != last_hash:
            self._broken_link(seq)
        if seq == self.published_seq and not entry_hash.startswith(self.published.hash):
            self.report.add(seq, f"the published head {format_head(self.published)} is not in the chain: "
                                 f"entry {seq} now has hash {entry_hash} (history was rewritten)")

    def _gap(self, last_seq: int, seq: int) -> None:
        expected = last_seq + 1
        missing = f"entry {expected} is" if seq == expected + 1 else f"entries {expected}-{seq - 1} are"
        self.report.add(expected, f"{missing} missing: the journal jumps from entry {expected - 1} to {seq}")

    def _broken_link(self, seq: int) -> None:
        if seq == 1:
            self.report.add(seq, "its prev_hash is not the genesis hash: the chain does not start here")
        else:
            self.report.add(seq, f"its prev_hash is not the hash of entry {seq - 1}: the chain is broken here "
                                 f"(entry {seq - 1} or this one was rewritten)")

    def finish(self) -> None:
        last = self.last_seq
        self.report.head = Head(last, self.last_hash)
        if self.published is not None and self.published.seq > last:
            gone = f"entry {last + 1}" if self.published.seq == last + 1 else f"entries {last + 1}-{self.published.seq}"
            self.report.add(last + 1, f"the published head {format_head(self.published)} is past the end of the "
                                      f"journal (last entry {last}): {gone} were removed")


def missing_triggers(session: Session) -> list[str]:
    """The journal's append-only triggers that are no longer in the database."""
    dialect = session.get_bind().dialect.name
    wanted = _TRIGGERS.get(dialect, ())
    if dialect == "sqlite":
        query = text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    elif dialect == "postgresql":
        query = text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN "
                     "(to_regclass('journal'), to_regclass('journal_chunk'))")
    else:
        return []
    present = set(session.execute(query).scalars())
    return [name for name in wanted if name not in present]


def _snapshot(session: Session) -> None:
    """On PostgreSQL, read the journal and the derived tables as of one moment, whoever writes meanwhile."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))


def verify(session: Session, published: Head | None = None,
           deep: Callable[[Session, Report], None] | None = None) -> Report:
    """Check the whole chain from the first entry; then `deep` (ledger.projection.deep.compare), if
    given, replays it and compares the derived tables: the journal layer never imports projections."""
    _snapshot(session)
    report = Report(deep=deep is not None)
    chain = ChainCheck(report, published, session)
    nodes = TreeCheck(session, report.add)
    with entry_tuples(session) as rows:
        for batch in iter(lambda: rows.fetchmany(STREAM_BATCH), []):
            chain.run(batch)
            if chain.broken_at is None:
                nodes.run(batch)
            elif nodes.stopped_at is None:  # past a broken entry the tree is not the ledger's: stop there
                nodes.run([row for row in batch if row[0] < chain.broken_at])
                nodes.stop()
    chain.finish()
    _tree_finish(nodes, session, report)
    # The tree's nodes are derived, like the tables deep compares: only the chain's own problems stop it.
    if deep is not None and len(report.problems) + report.more == nodes.found:
        deep(session, report)
    elif deep is not None:
        report.warnings.append("derived tables were not compared: the journal itself does not verify")
    missing = missing_triggers(session)
    if missing:
        report.warnings.append(
            f"the journal's append-only triggers are missing ({', '.join(missing)}): the database no longer "
            "refuses UPDATE and DELETE on it")
    return report


def _tree_finish(nodes: TreeCheck, session: Session, report: Report) -> None:
    root = nodes.finish(session)
    if nodes.stopped_at is not None:
        report.warnings.append(f"the Merkle tree's stored nodes were checked up to entry {nodes.stopped_at} only: "
                               "the chain breaks after it")
    elif report.ok:
        report.tree_root = root.hex()


def report_lines(report: Report) -> list[str]:
    """The problems, one a line, as `entry SEQ: what is wrong`, then how many more were not kept."""
    lines = [str(p) for p in sorted(report.problems, key=lambda p: (p.seq is None, p.seq or 0))]
    if report.more:
        lines.append(f"... and {report.more} more problems")
    return lines


def outcome(report: Report) -> str:
    """One line: what was checked and the head (or, failing, how many problems and the first bad seq)."""
    head = format_head(report.head)
    compared = f" and {report.rows_compared} derived rows against a replay" if report.deep else ""
    if report.ok:
        return f"Verified {report.checked} entries{compared}; head {head}"
    count = len(report.problems) + report.more
    first = f", the first at entry {report.first_bad_seq}" if report.first_bad_seq is not None else ""
    return (f"the ledger does not verify: {count} problem{'s' if count != 1 else ''}{first} "
            f"({report.checked} entries checked, head {head})")

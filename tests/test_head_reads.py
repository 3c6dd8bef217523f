"""A kept page is answered after one read of the newest entry it depends on (issue 25): on SQLite
that read goes through the covering index ix_journal_head (migration 0012), never the journal's
row, whose large body (a start list, a finish file) lies before the hash and time it needs: read
through the row, a start list of 100,000 runners at the head made every kept page five times slower.
The plan is SQLite's own; PostgreSQL keeps a large body out of the row (TOAST) and needs no index."""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner
from sqlalchemy.dialects import sqlite

from cli import cli
from ledger.read import queries


def test_the_newest_entry_a_page_depends_on_is_read_from_the_index_never_the_row(tmp_path):
    db = str(tmp_path / "ledger.db")
    start = "Bib,Name,Sex\n" + "".join(f"{n},Runner {n},M\n" for n in range(1, 3001))
    (tmp_path / "start.csv").write_text(start)
    for args in (["demo"], ["entrants", "import", "pyongyang-2025/marathon", str(tmp_path / "start.csv"),
                            "--source", "rare-glimpse-inside"]):
        done = CliRunner().invoke(cli, ["--db", db, "--as", "tester", *args])
        assert done.exit_code == 0, done.output
    connection = sqlite3.connect(db)
    head_seq, body = connection.execute("SELECT seq, length(body) FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    assert body > 100_000  # the start list, at the head: its body spills over many pages
    for statement, values, newest in [
        (queries.HEAD, {}, head_seq),
        (queries.SCOPE_HEAD, {"kind": "race", "scope": "pyongyang-2025/marathon"}, head_seq),
        (queries.SCOPE_HEAD, {"kind": "race", "scope": "pyongyang-2025/10k"}, None),
        (queries.CLAIM_HEAD, {"claim": 6}, head_seq),
    ]:
        compiled = statement.compile(dialect=sqlite.dialect())
        params = compiled.construct_params(values)
        args = tuple(params[name] for name in compiled.positiontup)
        plan = [row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + compiled.string, args)]
        assert plan[0].startswith("SEARCH journal USING COVERING INDEX ix_journal_head") or \
            plan[0] == "SCAN journal USING COVERING INDEX ix_journal_head", plan
        found = connection.execute(compiled.string, args).fetchone()
        expected = newest or connection.execute(
            "SELECT MAX(seq) FROM scope_seq WHERE (kind = 'race' AND scope = 'pyongyang-2025/10k') "
            "OR kind = 'across'").fetchone()[0]
        assert found == connection.execute("SELECT seq, entry_hash, recorded_at FROM journal WHERE seq = ?",
                                           (expected,)).fetchone()


def test_a_proofs_stored_nodes_are_read_by_the_primary_key_never_a_scan(tmp_path):
    """A checkpoint and a proof read O(log n) stored subtree hashes (issue 26 point 1): by seq, the
    primary key's first column. Asked as (seq, level) row values, SQLite scanned the whole table:
    20 ms a checkpoint at 1,000,000 entries against 1 ms at 10,000."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from ledger.journal import tree
    from ledger.store.engine import open_engine

    db = str(tmp_path / "ledger.db")
    for args in (["demo"], *(["source", "add", f"paper-{n}", "--name", f"Paper {n}", "--kind", "press"]
                             for n in range(8))):  # 49 entries or more: a tree of two stored subtrees and more
        assert CliRunner().invoke(cli, ["--db", db, "--as", "tester", *args]).exit_code == 0
    engine, _ = open_engine(db, write=False, read_only=True)
    ran: list[tuple[str, tuple]] = []
    event.listen(engine, "before_cursor_execute", lambda conn, cursor, sql, args, *_: ran.append((sql, args)))
    with Session(engine) as session:
        tree.root(session, 49)  # stored subtrees of 32 and 16 leaves, and one leaf
        tree.inclusion_proof(session, 3, 49)
    engine.dispose()
    read = [(sql, args) for sql, args in ran if "tree_node" in sql]
    assert read, ran
    connection = sqlite3.connect(db)
    for sql, args in read:
        plan = [row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql, args)]
        assert not any(step.startswith("SCAN tree_node") for step in plan), (sql, plan)

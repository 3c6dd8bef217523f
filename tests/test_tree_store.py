"""The journal's Merkle tree as stored (ledger.journal.tree), on SQLite and PostgreSQL: written by every
append (an import's too), backfilled by migration 0009, checked by verify, rebuilt by load, compared
by verify --deep; proofs from the stored nodes are the RFC's. And the log's origin, set once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import connect, ok
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from test_merkle import mth, path, subproof

from cli import cli
from ledger.core import checkpoint, merkle, note
from ledger.core.errors import LedgerError
from ledger.journal import tree
from ledger.projection import origin
from ledger.store.engine import open_engine, transaction, upgrade_ledger
from ledger.store.migrate import downgrade, upgrade
from ledger.write import catalog
from ledger.write.origin import set_origin

ORIGIN = "results.example.org/city-marathon"
BY = "tester"


@pytest.fixture
def engine(db):
    engine, target = open_engine(db, create=True)
    upgrade_ledger(engine, target)
    yield engine
    engine.dispose()


def add_sources(engine, count: int, first: int = 0, per_transaction: int = 1000) -> None:
    for start in range(first, first + count, per_transaction):
        with transaction(engine) as session:
            for n in range(start, min(start + per_transaction, first + count)):
                catalog.add_source(session, BY, f"source-{n}", f"Source {n}", "press")


def stored_nodes(db: str) -> list[tuple]:
    with connect(db) as conn:
        return [tuple(r) for r in conn.execute(text("SELECT seq, level, hash FROM tree_node ORDER BY seq, level"))]


def entry_leaves(db: str) -> list[bytes]:
    with connect(db) as conn:
        return [merkle.entry_leaf(h) for h in conn.execute(text("SELECT entry_hash FROM journal ORDER BY seq")).scalars()]


def nodes_of(leaves: list[bytes]) -> list[tuple]:
    """Every stored complete subtree's (seq, level, hash): those of 16 leaves or more
    (ledger.journal.tree.LOWEST), from the RFC's MTH over the leaves themselves."""
    return [(end, level, mth(leaves[end - (1 << level):end]).hex())
            for end in range(1, len(leaves) + 1) for level in range(tree.LOWEST, merkle.completed_levels(end) + 1)]


def sql(db: str, statement: str, **params) -> None:
    with connect(db) as conn:
        conn.execute(text(statement), params)
        conn.commit()


# --- written as entries are appended ------------------------------------------------------------


def test_each_append_stores_the_complete_subtrees_its_entry_completes(engine, db):
    add_sources(engine, 5, per_transaction=1)
    add_sources(engine, 32, first=5, per_transaction=10)
    leaves = entry_leaves(db)
    assert len(leaves) == 37
    assert stored_nodes(db) == nodes_of(leaves)
    assert [(seq, level) for seq, level, _ in stored_nodes(db)] == [(16, 4), (32, 4), (32, 5)]
    with transaction(engine) as session:
        for size in (1, 2, 3, 16, 36, 37):
            assert tree.root(session, size) == mth(leaves[:size])


def test_an_import_adds_its_leaf_like_any_entry(ledger, db, tmp_path):
    for args in (("event", "add", "city-2025", "--name", "City", "--date", "2025-10-12"),
                 ("race", "add", "city-2025/marathon", "--name", "Marathon", "--distance", "42195"),
                 ("category", "add", "city-2025/marathon/open", "--name", "Open", "--sex", "X"),
                 ("source", "add", "timing", "--name", "Timing", "--kind", "official")):
        ok(ledger(*args))
    results = tmp_path / "results.csv"
    results.write_text("Place,Bib,Name,Time\n1,101,Anna Nowak,2:31:07\n2,102,Maria Silva,2:31:40\n", encoding="utf-8")
    ok(ledger("import", "city-2025/marathon/open", str(results), "--source", "timing"))
    for n in range(11):
        ok(ledger("source", "add", f"paper-{n}", "--name", f"Paper {n}", "--kind", "press"))
    with connect(db) as conn:
        kinds = conn.execute(text("SELECT kind FROM journal ORDER BY seq")).scalars().all()
    assert kinds[4] == "import" and len(kinds) == 16
    leaves = entry_leaves(db)
    assert stored_nodes(db) == nodes_of(leaves) and len(nodes_of(leaves)) == 1  # entries 1-16, the import's among them
    engine, _ = open_engine(db)
    with transaction(engine) as session:
        root, proof = tree.root(session, 16), tree.inclusion_proof(session, 5, 16)
    engine.dispose()
    assert root == mth(leaves) and merkle.verify_inclusion(4, 16, leaves[4], proof, root)


def test_proofs_from_the_stored_nodes_are_the_rfc_s_and_verify(engine, db):
    add_sources(engine, 300)
    leaves = entry_leaves(db)

    @settings(max_examples=150, deadline=None)
    @given(st.integers(1, 300), st.data())
    def check(size, data):
        seq = data.draw(st.integers(1, size))
        old = data.draw(st.integers(1, size))
        with transaction(engine) as session:
            root, old_root = tree.root(session, size), tree.root(session, old)
            inclusion = tree.inclusion_proof(session, seq, size)
            consistency = tree.consistency_proof(session, old, size)
        assert root == mth(leaves[:size]) and old_root == mth(leaves[:old])
        assert inclusion == path(seq - 1, leaves[:size])
        assert consistency == subproof(old, leaves[:size], True)
        assert merkle.verify_inclusion(seq - 1, size, leaves[seq - 1], inclusion, root)
        assert merkle.verify_consistency(old, size, old_root, root, consistency)
        at = data.draw(st.integers(0, 31))
        bad_leaf = leaves[seq - 1][:at] + bytes([leaves[seq - 1][at] ^ 0x80]) + leaves[seq - 1][at + 1:]
        assert not merkle.verify_inclusion(seq - 1, size, bad_leaf, inclusion, root)

    check()


def test_a_proof_reads_a_few_rows_in_two_queries(engine, db):
    add_sources(engine, 300)
    statements = []
    from sqlalchemy import event

    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with transaction(engine) as session:
        statements.clear()
        tree.inclusion_proof(session, 77, 300)
        assert len([s for s in statements if "tree_node" in s or "journal" in s]) <= 2


def test_a_proof_of_an_entry_past_the_tree_is_refused(engine):
    add_sources(engine, 3)
    with transaction(engine) as session, pytest.raises(LedgerError, match="entry 4 is not in a tree of 3 entries"):
        tree.inclusion_proof(session, 4, 3)


# --- migration 0009 -------------------------------------------------------------------------------


def test_the_migration_backfills_the_nodes_appends_write_and_the_origin(engine, db):
    add_sources(engine, 20)
    with transaction(engine) as session:
        set_origin(session, BY, ORIGIN)
    add_sources(engine, 24, first=20)
    appended = stored_nodes(db)
    assert appended == nodes_of(entry_leaves(db)) and len(appended) == 3
    downgrade(engine, "0008")
    with connect(db) as conn:
        assert "tree_node" not in {r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table'" if conn.dialect.name == "sqlite"
            else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))}
    upgrade(engine)
    assert stored_nodes(db) == appended
    with transaction(engine) as session:
        assert origin.current(session) == origin.Origin(ORIGIN, 21)


# --- verify, verify --deep, load ------------------------------------------------------------------


def problems(result) -> list[tuple[int, str]]:
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return [(p["seq"], p["problem"]) for p in json.loads(result.stdout)["problems"]]


def test_a_clean_ledger_s_nodes_verify(demo, db):
    assert stored_nodes(db) == nodes_of(entry_leaves(db))
    done = demo("verify")
    assert done.exit_code == 0, done.stdout + done.stderr


def test_verify_names_a_changed_node(demo, db):
    sql(db, "UPDATE tree_node SET hash = :h WHERE seq = 32 AND level = 5", h="ab" * 32)
    done = demo("verify")
    assert done.exit_code == 1
    assert ("entry 32: the Merkle tree node of entries 1-32 (level 5) does not match the journal: stored "
            "abababababab..., computed") in done.stdout
    assert "Error: the ledger does not verify: 1 problem, the first at entry 32" in done.stderr


def test_verify_names_a_missing_node_and_a_node_that_is_not_one(demo, db):
    sql(db, "DELETE FROM tree_node WHERE seq = 16 AND level = 4")
    sql(db, "INSERT INTO tree_node (seq, level, hash) VALUES (4, 2, :h)", h="cd" * 32)
    found = problems(demo("verify", "-f", "json"))
    assert found == [(4, "the tree_node row at level 2 ending at entry 4 is not a node of the journal's Merkle tree"),
                     (16, "the Merkle tree node of entries 1-16 (level 4) is missing (it is derived from the journal; "
                          "a proof through it cannot be given)")]


def test_verify_deep_compares_the_nodes_with_a_replay(demo, db):
    sql(db, "UPDATE tree_node SET hash = :h WHERE seq = 32 AND level = 4", h="ef" * 32)
    found = problems(demo("verify", "--deep", "-f", "json"))
    assert any(seq == 32 and "does not match the journal" in message for seq, message in found)
    assert any(seq == 32 and message.startswith("tree_node (32, 4): hash is 'efefef") and "by replaying the journal"
               in message for seq, message in found), found


def test_load_rebuilds_the_nodes(demo, db, tmp_path):
    export = tmp_path / "ledger.jsonl"
    ok(demo("export", str(export)))
    copy = str(tmp_path / "copy.db")
    done = CliRunner().invoke(cli, ["--db", copy, "load", str(export)])
    assert done.exit_code == 0, done.output
    assert stored_nodes(copy) == stored_nodes(db) == nodes_of(entry_leaves(db))


# --- the origin and the checkpoint ----------------------------------------------------------------


def test_the_origin_is_set_once_and_names_every_checkpoint(engine, db):
    add_sources(engine, 6)
    with transaction(engine) as session:
        with pytest.raises(LedgerError, match="this ledger has no origin yet; set it once with: raceledger checkpoint "
                                              "--origin NAME"):
            origin.latest(session)
        assert origin.current(session) is None
        assert set_origin(session, BY, ORIGIN) == 7
    with transaction(engine) as session, pytest.raises(
            LedgerError, match=f"this ledger's origin is already '{ORIGIN}' \\(the same name\\), set by entry 7: "
                               "an origin is set once"):
        set_origin(session, BY, ORIGIN)
    with transaction(engine) as session, pytest.raises(LedgerError, match="already"):
        set_origin(session, BY, "other.example/log")
    with transaction(engine) as session:
        latest = origin.latest(session)
    assert latest == checkpoint.make(ORIGIN, 7, mth(entry_leaves(db)))


@pytest.mark.parametrize("name", ["two words", "a+b", "", "x" * 201])
def test_a_bad_origin_is_refused(engine, name):
    with transaction(engine) as session, pytest.raises(LedgerError, match="--origin"):
        set_origin(session, BY, name)


def test_a_signed_checkpoint_opens_with_the_verifier_key_and_a_key_of_another_name_is_refused(engine):
    add_sources(engine, 3)
    with transaction(engine) as session:
        set_origin(session, BY, ORIGIN)
    skey, vkey = note.generate_key(ORIGIN)
    with transaction(engine) as session:
        signed = origin.signed(session, skey)
        size, root = 4, tree.root(session, 4)
    opened = checkpoint.open_signed(signed, note.parse_verifier(vkey))
    assert (opened.origin, opened.size, opened.root) == (ORIGIN, size, root)
    other, _ = note.generate_key("elsewhere.example/log")
    with transaction(engine) as session, pytest.raises(LedgerError, match="not this ledger's origin"):
        origin.signed(session, other)


def test_the_origin_survives_export_and_load(ledger, db, tmp_path: Path):
    engine, _ = open_engine(db)
    with transaction(engine) as session:
        set_origin(session, BY, ORIGIN)
    engine.dispose()
    export = tmp_path / "ledger.jsonl"
    ok(ledger("export", str(export)))
    copy = str(tmp_path / "copy.db")
    assert CliRunner().invoke(cli, ["--db", copy, "load", str(export)]).exit_code == 0
    copied, _ = open_engine(copy)
    with transaction(copied) as session:
        assert origin.current(session) == origin.Origin(ORIGIN, 1)
    copied.dispose()


def test_a_journal_that_sets_the_origin_twice_does_not_load(ledger, db, tmp_path: Path):
    from test_fuzz_cli import rechained

    engine, _ = open_engine(db)
    with transaction(engine) as session:
        set_origin(session, BY, ORIGIN)
    engine.dispose()
    first = json.loads(ok(ledger("export")).splitlines()[0])
    second = {**first, "seq": 2, "body": {"origin": "other.example/log"}}
    (tmp_path / "twice.jsonl").write_bytes(rechained([first, second]))
    done = CliRunner().invoke(cli, ["--db", str(tmp_path / "copy.db"), "load", str(tmp_path / "twice.jsonl")])
    assert done.exit_code == 1
    assert ("journal entry 2 sets the log's origin again (entry 1 set it to "
            "'results.example.org/city-marathon'); it is set once") in done.stderr, done.stderr


def test_past_a_broken_entry_the_nodes_are_not_checked_and_verify_says_so(demo, db):
    from test_tamper import insider

    with insider(db) as raw:
        raw.run("UPDATE journal SET recorded_by = 'x' WHERE seq = 3")
    report = json.loads(demo("verify", "-f", "json").stdout)
    assert [p["seq"] for p in report["problems"]] == [3]
    assert any("the Merkle tree's stored nodes were checked up to entry 2 only: the chain breaks after it" in w
               for w in report["warnings"]), report["warnings"]

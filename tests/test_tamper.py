"""Tampering with a real database as an insider would: drop the append-only triggers (and, on
PostgreSQL, switch off foreign keys as a superuser can), then edit. `verify` catches each edit and
names the seq; the truncated tail only through a published `--head`, derived rows through `--deep`.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import contextmanager
from typing import Any, Iterator

import pytest

from ledger.store.engine import resolve_target

AMATEUR = "pyongyang-2025/marathon/amateur-men"
CHANGED = "its content does not match its entry_hash"


class Insider:
    """Raw SQL on the ledger's database with `:name` parameters (sqlite3 and SQLAlchemy both take them)."""

    def __init__(self, execute) -> None:
        self._execute = execute

    def run(self, sql: str, **params: Any) -> list[tuple]:
        return self._execute(sql, params)

    def one(self, sql: str, **params: Any) -> Any:
        return self.run(sql, **params)[0][0]


@contextmanager
def insider(db: str) -> Iterator[Insider]:
    """Triggers dropped, foreign keys not enforced, changes committed at the end."""
    target = resolve_target(db)
    if target.is_sqlite:
        conn = sqlite3.connect(target.sqlite_path)  # a plain connection: foreign keys are off
        try:
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
                conn.execute(f'DROP TRIGGER "{name}"')
            yield Insider(lambda sql, params: conn.execute(sql, params).fetchall())
            conn.commit()
        finally:
            conn.close()
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(target.url)
    try:
        with engine.begin() as conn:
            for name, table in conn.execute(text(
                    "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal")).all():
                conn.execute(text(f'DROP TRIGGER "{name}" ON {table}'))
            conn.execute(text("SET LOCAL session_replication_role = replica"))

            def execute(sql: str, params: dict) -> list[tuple]:
                result = conn.execute(text(sql), params)
                return [tuple(r) for r in result] if result.returns_rows else []

            yield Insider(execute)
    finally:
        engine.dispose()


def claim_of(run, source: str) -> dict:
    placings = json.loads(run("results", AMATEUR, "-f", "json").stdout)
    return next(c for p in placings for c in p["claims"] if c["source"] == source)


def seq_of_claim(db: str, claim_id: int) -> int:
    with insider(db) as sql:
        return sql.one("SELECT seq FROM claim WHERE id = :id", id=claim_id)


def head(run) -> tuple[int, str]:
    seq, hash_ = run("head").stdout.strip().split(":")
    return int(seq), hash_


def problems_found(done) -> list[tuple[int, str]]:
    """What `verify -f json` found, as (seq, problem) pairs, after checking it failed as it should."""
    assert done.exit_code == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return [(p["seq"], p["problem"]) for p in json.loads(done.stdout)["problems"]]


def assert_caught(done, seq: int, problem: str) -> None:
    assert done.exit_code == 1, done.stdout + done.stderr
    assert f"entry {seq}: {problem}" in done.stdout, done.stdout
    error = [line for line in done.stderr.splitlines() if line.startswith("Error: ")]
    assert len(error) == 1 and f"the first at entry {seq} " in error[0], done.stderr
    assert "Traceback" not in done.stderr


@pytest.fixture
def ledger_with_corrections(demo):
    kopec, state = claim_of(demo, "wojciech-kopec"), claim_of(demo, "dprk-state-media")
    assert demo("rule", AMATEUR, "--position", "1", "--accept", str(kopec["id"]), "--by", "Jury",
                "--reason", "Video").exit_code == 0
    assert demo("retract", str(state["id"]), "--reason", "withdrawn").exit_code == 0
    assert demo("source", "add", "gazette", "--name", "Gazette", "--kind", "press").exit_code == 0
    assert demo("verify", "--deep").exit_code == 0
    return demo


def test_the_database_refuses_to_edit_the_journal_while_its_triggers_stand(demo, db):
    target = resolve_target(db)
    if target.is_sqlite:
        with sqlite3.connect(target.sqlite_path) as conn:
            for sql in ("UPDATE journal SET kind = 'x' WHERE seq = 1", "DELETE FROM journal WHERE seq = 1"):
                with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                    conn.execute(sql)
    else:
        from sqlalchemy import create_engine, text
        from sqlalchemy.exc import DBAPIError

        engine = create_engine(target.url)
        for sql in ("UPDATE journal SET kind = 'x' WHERE seq = 1", "DELETE FROM journal WHERE seq = 1",
                    "TRUNCATE journal CASCADE"):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                conn.execute(text(sql))
        engine.dispose()
    assert demo("verify").exit_code == 0


def test_one_changed_byte_of_an_entry_body_is_caught(ledger_with_corrections, db):
    run = ledger_with_corrections
    seq = seq_of_claim(db, claim_of(run, "wojciech-kopec")["id"])
    with insider(db) as sql:
        body = sql.one("SELECT body FROM journal WHERE seq = :seq", seq=seq)
        assert '"position":1' in body
        sql.run("UPDATE journal SET body = :body WHERE seq = :seq", body=body.replace('"position":1', '"position":2'), seq=seq)
    done = run("verify")
    assert_caught(done, seq, CHANGED)
    assert "Warning: the journal's append-only triggers are missing" in done.stderr


def test_one_changed_character_anywhere_in_a_body_is_caught(ledger_with_corrections, db):
    """Every entry gets one character changed: entry 1 its body's first, the last entry its last,
    the entries between at places spread over their bodies. Each is named, and nothing else."""
    with insider(db) as sql:
        rows = sql.run("SELECT seq, body FROM journal ORDER BY seq")
        last = rows[-1][0]
        for seq, body in rows:
            at = (seq - 1) * (len(body) - 1) // (last - 1)
            changed = body[:at] + chr(ord(body[at]) ^ 1) + body[at + 1:]
            sql.run("UPDATE journal SET body = :body WHERE seq = :seq", body=changed, seq=seq)
    found = problems_found(ledger_with_corrections("verify", "-f", "json"))
    assert [(seq, problem.split(":")[0]) for seq, problem in found] == [(seq, CHANGED) for seq, _ in rows]


def _a_microsecond_later(recorded_at: str) -> str:
    return (dt.datetime.fromisoformat(recorded_at) + dt.timedelta(microseconds=1)).isoformat(timespec="microseconds")


# What an insider might write over each field of an entry that its hash covers, besides the body.
REWRITES = {
    "kind": lambda kind: "event" if kind != "event" else "source",
    "recorded_at": _a_microsecond_later,
    "recorded_by": str.upper,
}


@pytest.mark.parametrize("column", REWRITES)
def test_a_changed_kind_time_or_author_is_caught(ledger_with_corrections, db, column):
    seq = head(ledger_with_corrections)[0] // 2
    with insider(db) as sql:
        value = sql.one(f"SELECT {column} FROM journal WHERE seq = :seq", seq=seq)
        sql.run(f"UPDATE journal SET {column} = :value WHERE seq = :seq", value=REWRITES[column](value), seq=seq)
    found = problems_found(ledger_with_corrections("verify", "-f", "json"))
    assert [(seq, problem.split(":")[0]) for seq, problem in found] == [(seq, CHANGED)]


def test_a_prev_hash_pointing_elsewhere_is_caught(ledger_with_corrections, db):
    seq = head(ledger_with_corrections)[0] // 2
    with insider(db) as sql:
        sql.run("UPDATE journal SET prev_hash = (SELECT entry_hash FROM journal WHERE seq = :other) WHERE seq = :seq",
                other=seq - 2, seq=seq)
    found = problems_found(ledger_with_corrections("verify", "-f", "json"))
    assert [(seq, problem.split(":")[0]) for seq, problem in found] == [
        (seq, CHANGED), (seq, f"its prev_hash is not the hash of entry {seq - 1}")]


def test_a_changed_derived_claim_row_is_caught_by_deep(ledger_with_corrections, db):
    run = ledger_with_corrections
    kopec = claim_of(run, "wojciech-kopec")["id"]
    seq = seq_of_claim(db, kopec)
    with insider(db) as sql:
        sql.run("UPDATE claim SET position = 2 WHERE id = :id", id=kopec)
    assert run("verify").exit_code == 0  # the chain itself is intact
    done = run("verify", "--deep")
    assert_caught(done, seq, f"claim {kopec}: position is 2 in the ledger but 1 by replaying the journal")


def test_an_undone_retraction_is_caught_by_deep(ledger_with_corrections, db):
    run = ledger_with_corrections
    state = json.loads(run("results", AMATEUR, "--all", "-f", "json").stdout)[0]["claims"]
    retracted = next(c for c in state if c["standing"] == "retracted")["id"]
    with insider(db) as sql:
        sql.run("UPDATE claim SET retracted_seq = NULL, retraction_reason = NULL WHERE id = :id", id=retracted)
    seq = seq_of_claim(db, retracted)
    assert_caught(run("verify", "--deep"), seq, f"claim {retracted}: retracted_seq is None in the ledger but")


def test_a_forged_claim_row_and_a_deleted_ruling_are_caught_by_deep(ledger_with_corrections, db):
    run = ledger_with_corrections
    with insider(db) as sql:
        template = sql.run("SELECT seq, category_id, source_id FROM claim ORDER BY id LIMIT 1")[0]
        sql.run("INSERT INTO claim (id, seq, category_id, source_id, unnamed, position, time_decimals, "
                "net_time_decimals, status) VALUES (999, :seq, :cat, :src, 'forged', 1, 0, 0, 'FIN')",
                seq=template[0], cat=template[1], src=template[2])
        ruling_seq = sql.one("SELECT seq FROM ruling WHERE id = 1")
        sql.run("DELETE FROM ruling WHERE id = 1")
    done = run("verify", "--deep")
    assert done.exit_code == 1
    assert f"entry {template[0]}: claim 999 is in the ledger, but no journal entry makes it" in done.stdout
    assert f"entry {ruling_seq}: ruling 1 is missing from the ledger (the journal makes it)" in done.stdout


def test_deleting_the_last_entries_is_caught_against_the_published_head(ledger_with_corrections, db):
    run = ledger_with_corrections
    seq, published = head(run)
    with insider(db) as sql:
        sql.run("DELETE FROM journal WHERE seq > :keep", keep=seq - 2)
    assert run("verify").exit_code == 0  # a shorter chain is still a chain: only the published head knows
    done = run("verify", "--head", f"{seq}:{published}")
    assert_caught(done, seq - 1, f"the published head {seq}:{published} is past the end of the journal")
    assert f"entries {seq - 1}-{seq} were removed" in done.stdout


def test_deleting_a_middle_entry_is_caught(ledger_with_corrections, db):
    with insider(db) as sql:
        sql.run("DELETE FROM journal WHERE seq = 5")
    assert_caught(ledger_with_corrections("verify"), 5, "entry 5 is missing: the journal jumps from entry 4 to 6")


def test_swapping_two_entries_is_caught(ledger_with_corrections, db):
    with insider(db) as sql:
        sql.run("UPDATE journal SET seq = -1 WHERE seq = 4")
        sql.run("UPDATE journal SET seq = 4 WHERE seq = 9")
        sql.run("UPDATE journal SET seq = 9 WHERE seq = -1")
    done = ledger_with_corrections("verify")
    assert_caught(done, 4, CHANGED)
    assert f"entry 9: {CHANGED}" in done.stdout


def test_entries_moved_up_over_a_deleted_one_are_caught(ledger_with_corrections, db):
    """No gap shows and each moved entry still links to the one before it: only their seqs,
    which their hashes cover, give them away."""
    last = head(ledger_with_corrections)[0]
    with insider(db) as sql:
        sql.run("DELETE FROM journal WHERE seq = 5")
        for seq in range(6, last + 1):
            sql.run("UPDATE journal SET seq = :moved WHERE seq = :seq", moved=seq - 1, seq=seq)
    found = problems_found(ledger_with_corrections("verify", "-f", "json"))
    assert [(seq, problem.split(":")[0]) for seq, problem in found] == [
        (5, CHANGED), (5, "its prev_hash is not the hash of entry 4"), *((seq, CHANGED) for seq in range(6, last))]


def test_a_rewritten_tail_with_recomputed_hashes_is_caught_against_the_published_head(ledger_with_corrections, db):
    from ledger.core.canonical import body_hash, chain_hash

    run = ledger_with_corrections
    seq, published = head(run)
    with insider(db) as sql:
        rows = sql.run("SELECT seq, kind, body, prev_hash, recorded_at, recorded_by FROM journal "
                       "WHERE seq >= :start ORDER BY seq", start=seq - 1)
        previous = rows[0][3]
        for number, kind, body, _, at, by in rows:
            body = body.replace("Gazette", "Gazette (forged)")
            forged = chain_hash(previous, number, kind, at, by, body_hash([body]))
            sql.run("UPDATE journal SET body = :body, prev_hash = :prev, entry_hash = :hash WHERE seq = :seq",
                    body=body, prev=previous, hash=forged, seq=number)
            previous = forged
    assert run("verify").exit_code == 0
    assert_caught(run("verify", "--head", f"{seq}:{published}"), seq, f"the published head {seq}:{published} "
                                                                      "is not in the chain")
    # The projected source row still holds the old name: replaying the forged journal disagrees.
    assert run("verify", "--deep").exit_code == 1


def test_every_problem_is_reported_at_once(ledger_with_corrections, db):
    with insider(db) as sql:
        sql.run("UPDATE journal SET recorded_by = 'x' WHERE seq IN (2, 7)")
        sql.run("DELETE FROM journal WHERE seq = 10")
    done = ledger_with_corrections("verify", "-f", "json")
    assert done.exit_code == 1
    report = json.loads(done.stdout)
    assert [p["seq"] for p in report["problems"]] == [2, 7, 10]
    assert report["first_bad_seq"] == 2 and report["ok"] is False
    assert any("append-only triggers are missing" in w for w in report["warnings"])


def test_a_changed_piece_of_an_imported_file_is_caught(ledger_with_corrections, db, tmp_path):
    run = ledger_with_corrections
    results = tmp_path / "results.csv"
    results.write_text("Place,Name,Gun Time\n1,Anna Nowak,2:31:07\n2,Maria Silva,2:31:40\n", encoding="utf-8")
    assert run("source", "add", "timing", "--name", "Timing", "--kind", "official").exit_code == 0
    assert run("import", "pyongyang-2025/marathon/elite-women", str(results), "--source", "timing").exit_code == 0
    seq, _ = head(run)
    with insider(db) as sql:
        data = sql.one("SELECT data FROM journal_chunk WHERE seq = :seq AND n = 0", seq=seq)
        assert "Maria Silva" in data
        sql.run("UPDATE journal_chunk SET data = :data WHERE seq = :seq AND n = 0",
                data=data.replace("Maria Silva", "Maria Silvb"), seq=seq)
    assert_caught(run("verify"), seq, CHANGED)

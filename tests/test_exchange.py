"""`raceledger export` and `load`: the journal as JSON Lines, replayed with every hash checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ok

from cli import cli
from ledger.core.canonical import canonical_json

CAT = "pyongyang-2025/marathon/amateur-men"
READERS = [
    ("results", CAT, "-f", "json"), ("results", "pyongyang-2025/marathon/elite-men", "-f", "csv"),
    ("disputes", "-f", "json"), ("sources", "-f", "json"), ("athlete", "list", "-f", "json"),
    ("athlete", "show", "Wojciech Kopec", "-f", "json"), ("event", "list", "-f", "json"),
    ("race", "list", "-f", "json"), ("category", "list", "-f", "json"),
]


def on(db: str):
    """Run the CLI against another database than the test's own."""
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None):
        return runner.invoke(cli, ["--db", db, "--as", "tester", *args], input=input)

    return invoke


@pytest.fixture
def source_ledger(tmp_path, monkeypatch):
    """A SQLite ledger with the demo, a 300-row import kept in many chunks, and a merge."""
    import ledger.imports.importer
    import ledger.journal.bodies

    monkeypatch.setattr(ledger.journal.bodies, "PIECE_CHARS", 4000)
    monkeypatch.setattr(ledger.imports.importer, "BATCH_ROWS", 25)
    run = on(str(tmp_path / "source.db"))
    ok(run("demo"))
    path = tmp_path / "amateurs.csv"
    rows = "".join(f"{i + 1},{100 + i},Runner {i} Łukasz,POL,1990,3:{i // 60:02d}:{i % 60:02d}\n" for i in range(1, 300))
    path.write_text("Place,Bib,Name,Nat,YOB,Time\n1,99,Wojciech Kopeć,POL,,2:58:00\n" + rows
                    + ",400,Anna Nowak,POL,,DNF\n", encoding="utf-8")
    ok(run("import", CAT, str(path), "--source", "rare-glimpse-inside"))
    ok(run("athlete", "add", "Kopec Wojciech", "--nationality", "POL"))
    ok(run("athlete", "merge", "#3", "Kopec Wojciech"))
    return run


def exported(run, tmp_path: Path, name: str) -> bytes:
    path = tmp_path / name
    ok(run("export", str(path)))
    return path.read_bytes()


def test_export_writes_one_canonical_json_entry_a_line(source_ledger, tmp_path):
    lines = exported(source_ledger, tmp_path, "ledger.jsonl").decode("utf-8").splitlines()
    assert len(lines) == json.loads(ok(source_ledger("info", "-f", "json")))["journal_entries"]
    for seq, line in enumerate(lines, 1):
        entry = json.loads(line)
        assert sorted(entry) == ["body", "entry_hash", "kind", "prev_hash", "recorded_at", "recorded_by", "seq"]
        assert entry["seq"] == seq
        assert canonical_json(entry) == line
    kinds = [json.loads(line)["kind"] for line in lines]
    assert "import" in kinds and kinds[-1] == "merge"


def test_export_to_standard_output_is_the_same_as_to_a_file(source_ledger, tmp_path):
    result = source_ledger("export")
    assert result.stdout_bytes == exported(source_ledger, tmp_path, "ledger.jsonl")
    assert result.stderr == ""


def test_export_then_load_then_export_is_byte_identical_and_answers_the_same(source_ledger, tmp_path, db):
    first = exported(source_ledger, tmp_path, "first.jsonl")
    copy = on(db)
    loaded = ok(copy("load", str(tmp_path / "first.jsonl")))
    head = json.loads(ok(source_ledger("info", "-f", "json")))
    assert loaded.endswith(f"; head {head['head_seq']}:{head['head_hash']}.\n")
    assert exported(copy, tmp_path, "second.jsonl") == first
    for args in READERS:
        assert ok(copy(*args)) == ok(source_ledger(*args)), args


def test_an_import_body_is_kept_in_chunks_cut_at_row_boundaries(source_ledger, tmp_path):
    from ledger.journal.chain import body_pieces, stream
    from ledger.store.engine import open_engine, transaction

    engine, _ = open_engine(str(tmp_path / "source.db"))
    with transaction(engine) as session:
        entry = next(e for e in stream(session) if e.kind == "import")
        pieces = list(body_pieces(session, entry.seq, entry.body))
    engine.dispose()
    assert entry.body is None and len(pieces) > 3
    assert all(piece.startswith(",[") for piece in pieces[1:-1]) and pieces[-1].startswith(("],", ",["))
    assert all(piece.endswith("]") for piece in pieces[:-1]) and pieces[-1].endswith("}}")
    line = next(line for line in exported(source_ledger, tmp_path, "l.jsonl").decode().splitlines()
                if '"kind":"import"' in line)
    assert json.loads(line)["body"] == json.loads("".join(pieces))


def test_load_from_standard_input(source_ledger, tmp_path):
    data = exported(source_ledger, tmp_path, "ledger.jsonl")
    copy = on(str(tmp_path / "copy.db"))
    ok(copy("load", "-", input=data))
    assert exported(copy, tmp_path, "again.jsonl") == data


def test_load_refuses_a_ledger_that_holds_entries(source_ledger, tmp_path):
    exported(source_ledger, tmp_path, "ledger.jsonl")
    result = source_ledger("load", str(tmp_path / "ledger.jsonl"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the ledger already holds ")


def tampered(data: bytes, line: int, old: bytes, new: bytes) -> bytes:
    lines = data.split(b"\n")
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return b"\n".join(lines)


def load_fails(tmp_path: Path, data: bytes, db: str | None = None) -> str:
    path = tmp_path / "tampered.jsonl"
    path.write_bytes(data)
    target = db or str(tmp_path / "target.db")
    result = on(target)("load", str(path))
    assert result.exit_code == 1
    info = on(target)("info")  # nothing was written: a failed load leaves no ledger where there was none
    assert info.exit_code == 1 and ("no ledger at" in info.stderr or "holds no ledger yet" in info.stderr), info.stderr
    return result.stderr


def test_a_changed_byte_in_a_body_is_refused_at_its_line_and_nothing_is_loaded(source_ledger, tmp_path, db):
    data = exported(source_ledger, tmp_path, "ledger.jsonl")
    number = next(i for i, line in enumerate(data.split(b"\n"), 1) if b'"name":"Wojciech Kopec"' in line)
    stderr = load_fails(tmp_path, tampered(data, number, b"Kopec", b"Kopek"), db)
    assert stderr.startswith(f"Error: {tmp_path / 'tampered.jsonl'}:{number}: entry {number} does not match its hash "
                             "(its content or who or when was changed after it was written")
    assert stderr.endswith("nothing was loaded\n")


def test_a_changed_row_of_an_import_is_refused(source_ledger, tmp_path, monkeypatch):
    import ledger.projection.load

    monkeypatch.setattr(ledger.projection.load, "READ_PIECE", 1024)  # the import's line is read as a long line
    data = exported(source_ledger, tmp_path, "ledger.jsonl")
    number = next(i for i, line in enumerate(data.split(b"\n"), 1) if b'"kind":"import"' in line)
    stderr = load_fails(tmp_path, tampered(data, number, "Runner 100 Łukasz".encode(), b"Runner 100 Lukasz"))
    assert f"tampered.jsonl:{number}: entry {number} does not match its hash" in stderr


@pytest.mark.parametrize("old,new", [(b'"recorded_by":"', b'"recorded_by":"x'), (b'"recorded_at":"2', b'"recorded_at":"1')])
def test_a_changed_author_or_time_is_refused(source_ledger, tmp_path, old, new):
    data = exported(source_ledger, tmp_path, "ledger.jsonl")
    assert ":5: entry 5 does not match its hash" in load_fails(tmp_path, tampered(data, 5, old, new))


def test_a_missing_or_swapped_entry_is_refused(source_ledger, tmp_path):
    lines = exported(source_ledger, tmp_path, "ledger.jsonl").split(b"\n")
    missing = b"\n".join(lines[:2] + lines[3:])
    assert ":3: entry 4 where entry 3 should be" in load_fails(tmp_path, missing)
    swapped = b"\n".join(lines[:2] + [lines[3], lines[2]] + lines[4:])
    assert ":3: entry 4 where entry 3 should be" in load_fails(tmp_path, swapped)


def test_a_line_that_is_no_entry_is_refused(source_ledger, tmp_path):
    lines = exported(source_ledger, tmp_path, "ledger.jsonl").split(b"\n")
    for bad in (b"not json", b'{"seq": 2}', lines[1].replace(b'","', b'", "', 1)):
        stderr = load_fails(tmp_path, b"\n".join([lines[0], bad] + lines[2:]))
        assert ":2: not a journal entry line" in stderr or ":2: entry 2 does not match its hash" in stderr, stderr


def test_replay_rebuilds_a_ledger_from_another_database(source_ledger, tmp_path):
    from ledger.projection.replay import from_session, replay
    from ledger.store.engine import (
        make_engine,
        open_engine,
        resolve_target,
        transaction,
    )
    from ledger.store.migrate import upgrade

    original, _ = open_engine(str(tmp_path / "source.db"))
    scratch = make_engine(resolve_target(str(tmp_path / "scratch.db")))
    upgrade(scratch)
    with transaction(original) as source, transaction(scratch) as target:
        head = replay(target, from_session(source))
    assert f"{head.seq}:{head.hash}" == "{head_seq}:{head_hash}".format(**json.loads(ok(source_ledger("info", "-f", "json"))))
    copy = on(str(tmp_path / "scratch.db"))
    for args in READERS:
        assert ok(copy(*args)) == ok(source_ledger(*args))
    original.dispose()
    scratch.dispose()


def test_every_entry_hash_is_over_its_body_as_stored_in_pieces(source_ledger, tmp_path):
    """Chunked (import) bodies included: the pieces read back are the body that was hashed (an
    import's in the rows form: its header, summary and the root over the rows read back)."""
    from ledger.core.canonical import GENESIS_HASH, body_hash, chain_hash
    from ledger.journal.bodies import entry_sha256
    from ledger.journal.chain import body_pieces, stream
    from ledger.store.engine import open_engine, transaction

    engine, _ = open_engine(str(tmp_path / "source.db"))
    previous, kinds = GENESIS_HASH, set()
    with transaction(engine) as session:
        for entry in stream(session):
            def pieces(entry=entry):
                return body_pieces(session, entry.seq, entry.body)
            digest, wrong = entry_sha256(pieces, "") if entry.body is None else (body_hash(pieces()), None)
            assert wrong is None
            assert chain_hash(previous, entry.seq, entry.kind, entry.recorded_at, entry.recorded_by, digest) == \
                entry.entry_hash, entry.seq
            previous, kinds = entry.entry_hash, kinds | {entry.kind}
    engine.dispose()
    assert "import" in kinds


def test_the_database_refuses_to_change_or_delete_a_chunk(ledger, db, tmp_path):
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    from ledger.store.engine import resolve_target

    for args in [("event", "add", "city-2025", "--name", "City", "--date", "2025-10-12"),
                 ("race", "add", "city-2025/marathon", "--name", "Marathon", "--distance", "42195"),
                 ("category", "add", "city-2025/marathon/open", "--name", "Open"),
                 ("source", "add", "timing", "--name", "Timing", "--kind", "official")]:
        ok(ledger(*args))
    path = tmp_path / "r.csv"
    path.write_text("Place,Name,Time\n1,Anna,2:31:07\n", encoding="utf-8")
    ok(ledger("import", "city-2025/marathon/open", str(path), "--source", "timing"))
    engine = create_engine(resolve_target(db).url)
    for statement in ("UPDATE journal_chunk SET data = 'x'", "DELETE FROM journal_chunk"):
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text(statement))
    engine.dispose()

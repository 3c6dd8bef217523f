"""Entries of many rows in the rows form (issue 26, point 3): an import's hash covers its header, its
summary and the RFC 6962 root over its rows; the rows are stored and exported as before, and `load`
and `verify` recompute each root from them. Older imports keep their hashes (point 7's tests of the
second level: every row's path verifies, any changed byte fails)."""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from pathlib import Path

from helpers import ok
from hypothesis import given, settings
from hypothesis import strategies as st
from test_tamper import insider

from ledger.core import merkle, row_tree
from ledger.journal import bodies

GOLDEN = Path(__file__).parent / "golden"
MEN = "pyongyang-2025/marathon/amateur-men"
ROWS = st.lists(st.lists(st.one_of(st.none(), st.integers(-2**40, 2**40), st.text(max_size=8)), max_size=5),
                min_size=1, max_size=70)
# Cells the fast cut at `],[` must not be fooled by: that text in a string, a list inside a row.
AWKWARD = st.lists(st.lists(st.one_of(st.none(), st.integers(0, 9), st.sampled_from(["],[", '"],["', "a\\b", "]", "["]),
                                      st.lists(st.integers(0, 9), max_size=2)), max_size=4), min_size=1, max_size=20)


@settings(max_examples=60, deadline=None)
@given(rows=ROWS, data=st.data())
def test_every_rows_path_verifies_and_any_changed_byte_fails(rows, data):
    texts = bodies.row_texts(rows)
    tree, cut = row_tree.RowsRoot(), data.draw(st.integers(0, len(texts)))
    tree.add(texts[:cut])  # rows come in batches: the root does not depend on where they are cut
    tree.add(texts[cut:])
    root = tree.root()
    assert (tree.count, root) == (len(texts), merkle.range_root([row_tree.leaf(t) for t in texts]))
    index = data.draw(st.integers(0, len(texts) - 1))
    leaves = [row_tree.leaf(t) for t in texts]
    path = merkle.inclusion_proof(index, len(texts), merkle.levels_node(leaves))  # as a site's proofs read it
    assert path == merkle.inclusion_proof(index, len(texts), merkle.leaves_node(leaves))
    assert row_tree.holds(texts[index], index, len(texts), path, root)
    text = texts[index].encode()
    at = data.draw(st.integers(0, len(text) - 1))
    changed = (text[:at] + bytes([text[at] ^ 1]) + text[at + 1:]).decode("utf-8", "replace")
    assert not row_tree.holds(changed, index, len(texts), path, root)
    if path:
        which = data.draw(st.integers(0, len(path) - 1))
        bit = data.draw(st.integers(0, 255))
        bent = [*path[:which], bytes([path[which][0] ^ (1 + bit % 255)]) + path[which][1:], *path[which + 1:]]
        assert not row_tree.holds(texts[index], index, len(texts), bent, root)
        assert not row_tree.holds(texts[index], index, len(texts), path[:-1], root)
    assert not row_tree.holds(texts[index], index, len(texts), path, bytes([root[0] ^ 1]) + root[1:])


@settings(max_examples=30, deadline=None)
@given(rows=ROWS, cut=st.integers(1, 50), window=st.sampled_from([None, 1, 2, 5, 16]))
def test_a_body_hashed_as_written_is_hashed_so_wherever_its_pieces_are_cut(rows, cut, window):
    header = {"columns": ["a"], row_tree.FORM_KEY: row_tree.FORM}
    encoder = bodies.PieceEncoder(header)
    text = (encoder.add(rows) or "") + encoder.close({"rows": len(rows)})
    hashed = encoder.hashed()
    assert hashed == json.dumps(
        {"header": header, "rows": row_tree.rows_field(len(rows), merkle.range_root(
            [row_tree.leaf(t) for t in bodies.row_texts(rows)])), "summary": {"rows": len(rows)}},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(hashed.encode()).hexdigest()
    pieces = [text[i:i + cut] for i in range(0, len(text), cut)]
    parsed = bodies._parsed_sha256
    fast = not any(c in cell for row in rows for cell in row if isinstance(cell, str) for c in "[]")
    with _window(window):
        if fast:  # no bracket in a cell: every row is cut without parsing, whatever the window
            bodies._parsed_sha256 = None
        try:
            assert bodies.entry_sha256(lambda: pieces, "x") == (digest, None)
        finally:
            bodies._parsed_sha256 = parsed
    assert bodies._parsed_sha256(lambda: pieces, "x") == (digest, None)
    if len(rows) > 1:  # a row spelled otherwise is another leaf: the root, and so the hash, differ
        spaced = text.replace("],[", "], [", 1)
        assert bodies.entry_sha256(lambda: [spaced], "x") != (digest, None)
        assert bodies._parsed_sha256(lambda: [spaced], "x")[1] is not None


@settings(max_examples=60, deadline=None)
@given(rows=AWKWARD, cut=st.integers(1, 50), window=st.sampled_from([None, 1, 2, 5, 16]))
def test_the_fast_cut_between_rows_is_not_fooled_by_their_text_or_a_list_in_a_row(rows, cut, window):
    """`],[` inside a string or between the items of a list in a row is not a row's end: the hash
    read back from the stored pieces is the one recorded, as a full parse gives it (whatever the
    window of bytes whose rows are hashed at a time; a real one holds hundreds of rows)."""
    encoder = bodies.PieceEncoder({"columns": ["a"], row_tree.FORM_KEY: row_tree.FORM})
    text = (encoder.add(rows) or "") + encoder.close({"rows": len(rows)})
    digest = hashlib.sha256(encoder.hashed().encode()).hexdigest()
    pieces = [text[i:i + cut] for i in range(0, len(text), cut)]
    with _window(window):
        assert bodies.entry_sha256(lambda: pieces, "x") == bodies._parsed_sha256(lambda: pieces, "x") == (digest, None)


@contextmanager
def _window(size):
    saved = bodies._WINDOW
    bodies._WINDOW = size or saved
    try:
        yield
    finally:
        bodies._WINDOW = saved


@settings(max_examples=80, deadline=None)
@given(rows=st.one_of(ROWS, AWKWARD), data=st.data())
def test_any_changed_character_of_a_stored_rows_body_is_found(rows, data):
    """Whatever character of the stored text is changed (the first row's `[` and the last row's `]`
    too, which the fast cut drops before hashing), the hash read back differs or a problem is named."""
    encoder = bodies.PieceEncoder({"columns": ["a"], row_tree.FORM_KEY: row_tree.FORM})
    text = (encoder.add(rows) or "") + encoder.close({"rows": len(rows)})
    digest = hashlib.sha256(encoder.hashed().encode()).hexdigest()
    at = data.draw(st.integers(0, len(text) - 1), label="at")
    other = data.draw(st.sampled_from([c for c in 'x1,[]" ' if c != text[at]]), label="other")
    changed = text[:at] + other + text[at + 1:]
    cut = data.draw(st.integers(1, 50), label="cut")
    pieces = [changed[i:i + cut] for i in range(0, len(changed), cut)]
    with _window(data.draw(st.sampled_from([None, 1, 2, 5, 16]), label="window")):
        assert bodies.entry_sha256(lambda: pieces, "x") != (digest, None)
    for edge in (text.index('[[') + 1, text.rindex(']],') ):  # the rows' own first and last bracket
        changed = text[:edge] + "x" + text[edge + 1:]
        assert bodies.entry_sha256(lambda: [changed], "x") != (digest, None)


def test_an_older_ledgers_export_loads_verifies_and_exports_byte_for_byte(run, tmp_path):
    """tests/golden/before-row-roots.jsonl: the demo, an import (entry 42) and a finish file (45),
    exported before the rows form."""
    ok(run("load", str(GOLDEN / "before-row-roots.jsonl")))
    assert "Verified 45 entries" in ok(run("verify", "--deep"))
    ok(run("export", str(tmp_path / "again.jsonl")))
    assert (tmp_path / "again.jsonl").read_bytes() == (GOLDEN / "before-row-roots.jsonl").read_bytes()
    lines = (GOLDEN / "before-row-roots.jsonl").read_text().splitlines()
    imported, finished = json.loads(lines[41]), json.loads(lines[44])
    assert imported["kind"] == "import" and row_tree.FORM_KEY not in imported["body"]["header"]
    assert finished["kind"] == "finish" and row_tree.FORM_KEY not in finished["body"]


def imported(run, tmp_path) -> None:
    (tmp_path / "results.csv").write_text("Place,Name,Time\n1,Wojciech Kopec,2:40:00\n2,Kim Chol,2:41:00\n"
                                          "3,Ri Song,2:42:00\n")
    ok(run("import", MEN, str(tmp_path / "results.csv"), "--source", "rare-glimpse-inside"))


def test_an_import_is_written_in_the_rows_form_exported_as_before_and_loaded_again(demo, tmp_path):
    imported(demo, tmp_path)
    ok(demo("export", str(tmp_path / "x.jsonl")))
    line = json.loads((tmp_path / "x.jsonl").read_text().splitlines()[-1])
    body = line["body"]
    assert body["header"][row_tree.FORM_KEY] == row_tree.FORM and len(body["rows"]) == 3
    assert "Verified 42 entries" in ok(demo("verify", "--deep"))
    from click.testing import CliRunner

    from cli import cli
    loaded = CliRunner().invoke(cli, ["--db", str(tmp_path / "copy.db"), "load", str(tmp_path / "x.jsonl")])
    assert loaded.exit_code == 0, loaded.stderr
    CliRunner().invoke(cli, ["--db", str(tmp_path / "copy.db"), "export", str(tmp_path / "y.jsonl")])
    assert (tmp_path / "y.jsonl").read_bytes() == (tmp_path / "x.jsonl").read_bytes()


def test_load_recomputes_the_root_of_an_imports_rows(demo, tmp_path):
    from click.testing import CliRunner

    from cli import cli
    imported(demo, tmp_path)
    ok(demo("export", str(tmp_path / "x.jsonl")))
    lines = (tmp_path / "x.jsonl").read_text().splitlines(keepends=True)
    for n, (old, new) in enumerate([("2:41:00", None), (',"Kim Chol",', ',"Kim Cho1",'), ("],[", "], [")]):
        if new is None:
            changed = lines[-1].replace(str(9_660_000), str(9_660_001))
        else:
            changed = lines[-1].replace(old, new, 1)
        assert changed != lines[-1]
        (tmp_path / f"bad{n}.jsonl").write_text("".join(lines[:-1]) + changed)
        loaded = CliRunner().invoke(cli, ["--db", str(tmp_path / f"copy{n}.db"), "load", str(tmp_path / f"bad{n}.jsonl")])
        assert loaded.exit_code == 1 and f"bad{n}.jsonl:42: entry 42" in loaded.stderr, loaded.stderr
        assert "does not match its hash" in loaded.stderr


def test_verify_recomputes_the_root_of_an_imports_rows(demo, db, tmp_path):
    imported(demo, tmp_path)
    with insider(db) as sql:
        data = sql.one("SELECT data FROM journal_chunk WHERE seq = 42 AND n = 0")
        sql.run("UPDATE journal_chunk SET data = :d WHERE seq = 42 AND n = 0", d=data.replace('"Ri Song"', '"Ri Sang"'))
    found = demo("verify")
    assert found.exit_code == 1 and "entry 42: its content does not match its entry_hash" in found.output


def test_load_and_verify_recompute_the_root_of_a_finish_files_claims(demo, db, tmp_path):
    from click.testing import CliRunner

    from cli import cli
    ok(demo("source", "add", "organiser", "--name", "Organising committee", "--kind", "organizer"))
    (tmp_path / "start.csv").write_text("Bib,Name,Sex\n7,Wojciech Kopec,M\n9,Kim Chol,M\n")
    ok(demo("entrants", "import", "pyongyang-2025/marathon", str(tmp_path / "start.csv"), "--source", "organiser"))
    ok(demo("finish", MEN, "--source", "organiser", input="9 2:41:00\n7 2:42:00\n"))
    ok(demo("export", str(tmp_path / "x.jsonl")))
    lines = (tmp_path / "x.jsonl").read_text().splitlines(keepends=True)
    body = json.loads(lines[-1])["body"]
    assert body[row_tree.FORM_KEY] == row_tree.FORM and len(body["claims"]) == 2
    assert "Verified 44 entries" in ok(demo("verify", "--deep"))
    (tmp_path / "bad.jsonl").write_text("".join(lines[:-1]) + lines[-1].replace('"bib":"9"', '"bib":"8"'))
    loaded = CliRunner().invoke(cli, ["--db", str(tmp_path / "copy.db"), "load", str(tmp_path / "bad.jsonl")])
    assert loaded.exit_code == 1 and "bad.jsonl:44: entry 44 does not match its hash" in loaded.stderr, loaded.stderr
    with insider(db) as sql:
        stored = sql.one("SELECT body FROM journal WHERE seq = 44")
        sql.run("UPDATE journal SET body = :b WHERE seq = 44", b=stored.replace('"line":2', '"line": 2'))
    assert "entry 44: its content does not match its entry_hash" in demo("verify").output

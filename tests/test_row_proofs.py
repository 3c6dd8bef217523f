"""A row of an import proven alone (issue 26, points 3, 4 and 7): `prove` carries the import's
hashed header (its rows' count and root), the row and the row's path to that root, never the other
rows; `verify-proof` checks that second level as well as the entry's inclusion, and any changed byte,
or a tampered ledger, fails every proof it touches. Older imports cannot give a row proof."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from helpers import ok
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_prove import ORIGIN, prove, refused, signed, verify_proof
from test_tamper import insider

from ledger.core import checkpoint, merkle, note, row_tree, tlog_proof

MEN = "pyongyang-2025/marathon/amateur-men"
GOLDEN = Path(__file__).parent / "golden"
NAMES = ["Kim Chol", "Ri Song", "Pak Il", "O Hyon", "Han Bom", "Jong Un", "Choe Ryong", "Yun Mi"]


def imported(run, tmp_path, rows: int = 3, *more: str) -> None:
    """An import of `rows` rows into the demo's amateur men (claims 7 to 6 + rows, journal entry 42)."""
    lines = "".join(f"{n},{NAMES[n % len(NAMES)]} {n},{2 + n // 60}:{n % 60:02d}:00\n" for n in range(1, rows + 1))
    (tmp_path / "results.csv").write_text("Place,Name,Time\n" + lines)
    ok(run("import", MEN, str(tmp_path / "results.csv"), "--source", "rare-glimpse-inside", *more))


def extra_of(proof: str) -> dict:
    return json.loads(tlog_proof.parse(proof).extra)


def test_an_imported_rows_proof_carries_the_header_and_the_row_never_the_others(demo, tmp_path):
    imported(demo, tmp_path)
    signed(demo, tmp_path)
    proof = ok(prove(demo, tmp_path, 8))
    extra = extra_of(proof)
    body = json.loads(extra["body"])
    assert (extra["seq"], extra["kind"], extra["row"]["index"]) == (42, "import", 1)
    assert body["rows"]["count"] == 3 and body["header"][row_tree.FORM_KEY] == row_tree.FORM
    assert json.loads(extra["row"]["text"])[3] == "Pak Il 2"
    assert "Ri Song" not in proof and "O Hyon" not in proof
    checked = verify_proof(tmp_path, proof.encode())
    assert checked.exit_code == 0, checked.stderr
    assert checked.stdout == (f"Claim 8: Pak Il 2, place 2, time 2:02:00 in {MEN}, on the word of rare-glimpse-inside; "
                              "row 2 of journal entry 42, recorded by tester at "
                              f"{extra['recorded_at']}, is in {ORIGIN}'s tree of 43 entries, as its signed "
                              "checkpoint says.\n")


def test_any_changed_byte_of_a_rows_proof_fails_with_one_error_line(demo, tmp_path):
    imported(demo, tmp_path)
    signed(demo, tmp_path)
    proof = ok(prove(demo, tmp_path, 9)).encode()
    assert verify_proof(tmp_path, proof).exit_code == 0
    for at in range(len(proof)):
        changed = proof[:at] + (b"B" if proof[at:at + 1] == b"A" else b"A") + proof[at + 1:]
        refused(verify_proof(tmp_path, changed))
    found = tlog_proof.parse(proof)
    extra = json.loads(found.extra)
    row, path = extra["row"], extra["row"]["path"]
    other = ok(prove(demo, tmp_path, 7))
    zero = base64.b64encode(bytes(32)).decode()
    # each part of the second level changed as a value: the row, its index, its path, the rows' count
    for changed, words in [({**row, "text": extra_of(other)["row"]["text"]}, "the row's path does not lead"),
                           ({**row, "index": 1}, "the row's path does not lead"),
                           ({**row, "path": [zero, *path[1:]]}, "the row's path does not lead"),
                           ({**row, "path": path[:-1]}, "the row's path does not lead"),
                           ({**row, "index": 3}, "the row's path does not lead")]:
        bent = json.dumps({**extra, "row": changed}, sort_keys=True, separators=(",", ":")).encode()
        refused(verify_proof(tmp_path, tlog_proof.Proof(found.index, found.hashes, found.checkpoint, bent).text()
                             .encode()), words)
    recounted = extra["body"].replace('"count":3', '"count":4')
    bent = json.dumps({**extra, "body": recounted}, sort_keys=True, separators=(",", ":")).encode()
    refused(verify_proof(tmp_path, tlog_proof.Proof(found.index, found.hashes, found.checkpoint, bent).text().encode()),
            "the inclusion path does not lead from journal entry 42")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_row_of_an_import_proves_under_every_later_checkpoint(demo, tmp_path_factory, data):
    """The ledger grows from one example to the next (an import each): draws depend only on draws."""
    folder = tmp_path_factory.mktemp("rows")
    rows, later = data.draw(st.integers(1, 40)), data.draw(st.integers(0, 3))
    index, grown = data.draw(st.integers(0, rows - 1)), data.draw(st.integers(0, later))
    (folder / "demo.vkey").write_text(ok(demo("key", "generate", ORIGIN, "--out", str(folder / "demo.key"))))
    if "results.example.org" not in demo("checkpoint").stdout:
        ok(demo("checkpoint", "--origin", ORIGIN))
    imported(demo, folder, rows, "--again")
    for n in range(later):
        ok(demo("event", "add", f"later-{folder.name}-{n}", "--name", f"Later {n}", "--date", "2026-04-05"))
    ok(demo("export", str(folder / "x.jsonl")))
    entries = [json.loads(line) for line in (folder / "x.jsonl").read_text().splitlines()]
    seq = len(entries) - later
    claim = entries[seq - 1]["body"]["header"]["first_claim_id"] + index
    size = seq + grown
    key = note.parse_signer((folder / "demo.key").read_text())
    root = merkle.range_root([merkle.entry_leaf(e["entry_hash"]) for e in entries[:size]])
    (folder / "at.txt").write_text(checkpoint.sign(checkpoint.make(ORIGIN, size, root), key))
    checked = verify_proof(folder, ok(prove(demo, folder, claim, "at.txt")).encode())
    assert checked.exit_code == 0, checked.stderr
    assert f"Claim {claim}: " in checked.stdout and f"row {index + 1} of journal entry {seq}," in checked.stdout
    assert f"tree of {size} entries" in checked.stdout


def test_a_tampered_row_makes_every_proof_of_its_import_fail(demo, db, tmp_path):
    imported(demo, tmp_path, 5)
    signed(demo, tmp_path)
    before = {claim: ok(prove(demo, tmp_path, claim)) for claim in range(1, 12)}
    with insider(db) as sql:
        data = sql.one("SELECT data FROM journal_chunk WHERE seq = 42 AND n = 0")
        sql.run("UPDATE journal_chunk SET data = :d WHERE seq = 42 AND n = 0", d=data.replace("O Hyon 3", "O Hyon 8"))
    assert "entry 42: its content does not match its entry_hash" in demo("verify").output
    for claim in range(1, 12):
        after = prove(demo, tmp_path, claim)
        if claim >= 7:  # every row of the changed import: its root, so its entry's hash, changed; the stored
            # tree still holds the old leaf, and prove checks what it would print as a reader would
            refused(after, f"this ledger's stored journal or tree does not prove claim {claim} (the inclusion path "
                           "does not lead from journal entry 42")
        else:
            checked = verify_proof(tmp_path, after.stdout.encode())
            assert checked.exit_code == 0 and after.stdout == before[claim], checked.stderr


def test_an_older_import_or_finish_file_cannot_give_a_row_proof_and_an_older_checkpoint_is_refused(run, tmp_path):
    ok(run("load", str(GOLDEN / "before-row-roots.jsonl")))
    signed(run, tmp_path)
    refused(prove(run, tmp_path, 8), "claim 8 was recorded by journal entry 42 (import): it holds many rows and its "
                                     "hash covers its whole body, not a root over its rows")
    refused(prove(run, tmp_path, 9), "claim 9 was recorded by journal entry 45 (finish): it holds many rows")
    imported(run, tmp_path, 3, "--again")
    refused(prove(run, tmp_path, 12), "the checkpoint is older than claim 12: its tree holds 46 entries, and the claim "
                                      "was recorded by entry 47")


def test_a_finish_files_row_is_proven_and_a_tampered_one_fails(demo, db, tmp_path):
    ok(demo("source", "add", "organiser", "--name", "Organising committee", "--kind", "organizer"))
    (tmp_path / "start.csv").write_text("Bib,Name,Sex\n7,Wojciech Kopec,M\n9,Kim Chol,M\n")
    ok(demo("entrants", "import", "pyongyang-2025/marathon", str(tmp_path / "start.csv"), "--source", "organiser"))
    ok(demo("finish", MEN, "--source", "organiser", input="9 2:41:00\n7 2:42:00 \n"))
    signed(demo, tmp_path)
    proof = ok(prove(demo, tmp_path, 8))
    extra = extra_of(proof)
    assert json.loads(extra["body"])["claims"]["count"] == 2 and '"bib":"9"' not in proof
    checked = verify_proof(tmp_path, proof.encode())
    assert checked.exit_code == 0, checked.stderr
    assert checked.stdout.startswith(f"Claim 8: athlete #3 (bib 7), place 2, time 2:42:00 in {MEN}, on the word of "
                                     "organiser; row 2 of journal entry 44, recorded by tester")
    with insider(db) as sql:
        body = sql.one("SELECT body FROM journal WHERE seq = 44")
        sql.run("UPDATE journal SET body = :b WHERE seq = 44", b=body.replace('"time_ms":9660000', '"time_ms":9660001'))
    assert "entry 44: its content does not match its entry_hash" in demo("verify").output
    for claim in (7, 8):  # prove checks what it would print, as verify-proof would
        refused(prove(demo, tmp_path, claim), "the inclusion path does not lead from journal entry 44")

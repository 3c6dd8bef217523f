"""`raceledger prove` and `raceledger verify-proof` (issue 26, points 3 and 4): a claim's proof in the
c2sp.org/tlog-proof@v1 form under a signed checkpoint, checked offline with the verifier key alone;
any changed byte of it refused with one Error line. And consistency (point 5): `checkpoint --since`,
`verify-proof --old` and `verify --checkpoint`, a history changed since refused."""

from __future__ import annotations

import base64
import json

from click.testing import CliRunner
from helpers import connect, ok
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from cli import cli
from ledger.cli import common
from ledger.core import checkpoint, merkle, note, tlog_proof

ORIGIN = "results.example.org/pyongyang-2025"
DEMO_CLAIMS = range(1, 7)  # the demo's claims, each recorded by a `claim` entry


def signed(run, tmp_path) -> None:
    """The ledger's origin set, a key made (demo.key, demo.vkey) and checkpoint.txt signed at the head."""
    ok(run("checkpoint", "--origin", ORIGIN))
    (tmp_path / "demo.vkey").write_text(ok(run("key", "generate", ORIGIN, "--out", str(tmp_path / "demo.key"))))
    (tmp_path / "checkpoint.txt").write_text(ok(run("checkpoint", "--sign", str(tmp_path / "demo.key"))))


def prove(run, tmp_path, claim: int, note_file: str = "checkpoint.txt"):
    return run("prove", str(claim), "--checkpoint", str(tmp_path / note_file))


def verify_proof(tmp_path, proof: bytes, *more: str):
    """verify-proof run with a --db that does not exist: it must open no ledger."""
    (tmp_path / "claim.tlog-proof").write_bytes(proof)
    return CliRunner().invoke(cli, ["--db", str(tmp_path / "absent" / "no.db"), "verify-proof",
                                    str(tmp_path / "claim.tlog-proof"), "--key", str(tmp_path / "demo.vkey"), *more])


def not_extended(result, words: str) -> str:
    """verify's finding that the ledger does not extend a checkpoint: said as a problem, as a changed
    entry is (and in -f json), then the one Error line of a ledger that does not verify."""
    assert result.exit_code == 1 and words in result.stdout, result.output
    assert result.stderr.startswith("Error: the ledger does not verify") and result.stderr.count("\n") == 1
    return result.stdout


def refused(result, words: str = "") -> str:
    assert result.exit_code == 1 and result.stdout == "", result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert words in result.stderr, result.stderr
    return result.stderr


def test_a_claims_proof_verifies_offline_and_says_the_claim(demo, tmp_path):
    signed(demo, tmp_path)
    proof = ok(prove(demo, tmp_path, 6))
    lines = proof.split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1" and lines[1].startswith("extra ") and lines[2] == "index 21"
    assert proof.endswith("\n\n" + (tmp_path / "checkpoint.txt").read_text())
    extra = json.loads(base64.b64decode(lines[1][6:]))
    assert (extra["seq"], extra["kind"], json.loads(extra["body"])["id"]) == (22, "claim", 6)
    checked = verify_proof(tmp_path, proof.encode())
    assert checked.exit_code == 0, checked.stderr
    assert checked.stdout.startswith("Claim 6: Wojciech Kopec, place 1 in pyongyang-2025/marathon/amateur-men, "
                                     "on the word of wojciech-kopec, reported by rare-glimpse-inside; journal entry 22")
    assert checked.stdout.count("\n") == 1 and not (tmp_path / "absent").exists()
    unnamed = verify_proof(tmp_path, ok(prove(demo, tmp_path, 5)).encode())
    assert "an athlete the source did not name (a local athlete" in unnamed.stdout


def test_any_changed_byte_of_a_proof_fails_with_one_error_line(demo, tmp_path):
    signed(demo, tmp_path)
    proof = ok(prove(demo, tmp_path, 3)).encode()
    assert verify_proof(tmp_path, proof).exit_code == 0
    for at in range(len(proof)):
        changed = proof[:at] + (b"B" if proof[at:at + 1] == b"A" else b"A") + proof[at + 1:]
        refused(verify_proof(tmp_path, changed))
    found = tlog_proof.parse(proof)
    other_hand = found.extra.replace(b'"recorded_by":"tester"', b'"recorded_by":"tested"')
    # each part, changed as a value (not a spelling): the index, a hash of the path, the extra's entry
    for index, hashes, extra in [(found.index + 1, found.hashes, found.extra),
                                 (found.index, (bytes(32), *found.hashes[1:]), found.extra),
                                 (found.index, found.hashes[:-1], found.extra),
                                 (found.index, found.hashes, other_hand)]:
        refused(verify_proof(tmp_path, tlog_proof.Proof(index, hashes, found.checkpoint, extra).text().encode()))


def test_a_proof_under_another_key_or_none_is_refused(demo, tmp_path):
    signed(demo, tmp_path)
    proof = ok(prove(demo, tmp_path, 1)).encode()
    (tmp_path / "demo.vkey").write_text(note.generate_key(ORIGIN)[1])
    refused(verify_proof(tmp_path, proof), "not signed by the key given")
    (tmp_path / "demo.vkey").write_text("not a key")
    refused(verify_proof(tmp_path, proof), "not a verifier key")


def test_a_checkpoint_older_than_the_claim_is_refused(demo, tmp_path):
    signed(demo, tmp_path)
    ok(demo("claim", "pyongyang-2025/marathon/amateur-men", "--source", "dprk-state-media",
            "--unnamed", "a local athlete", "--position", "2", "--quote", "..."))
    refused(prove(demo, tmp_path, 7), "the checkpoint is older than claim 7: its tree holds 42 entries, "
                                      "and the claim was recorded by entry 43")
    ok(prove(demo, tmp_path, 6))  # the older claims are still proven under it
    (tmp_path / "new.txt").write_text(ok(demo("checkpoint", "--sign", str(tmp_path / "demo.key"))))
    assert verify_proof(tmp_path, ok(prove(demo, tmp_path, 7, "new.txt")).encode()).exit_code == 0


def test_a_checkpoint_of_another_log_or_another_history_is_refused(demo, tmp_path):
    signed(demo, tmp_path)
    given = checkpoint.parse(ok(demo("checkpoint")))
    other, _ = note.generate_key("results.example.org/elsewhere")
    (tmp_path / "other.txt").write_text(checkpoint.sign(checkpoint.make("results.example.org/elsewhere", given.size,
                                                                        given.root), note.parse_signer(other)))
    refused(prove(demo, tmp_path, 1, "other.txt"), "not of this ledger")
    key = note.parse_signer((tmp_path / "demo.key").read_text())
    (tmp_path / "forked.txt").write_text(checkpoint.sign(checkpoint.make(ORIGIN, given.size, bytes(32)), key))
    ours = base64.b64encode(given.root).decode()
    zeros = base64.b64encode(bytes(32)).decode()
    refused(prove(demo, tmp_path, 1, "forked.txt"),
            f"the ledger does not extend that checkpoint: at tree size {given.size} the checkpoint's root is {zeros}, "
            f"this ledger's {ours}")
    (tmp_path / "longer.txt").write_text(checkpoint.sign(checkpoint.make(ORIGIN, given.size + 5, given.root), key))
    refused(prove(demo, tmp_path, 1, "longer.txt"), "the ledger does not extend that checkpoint")
    refused(prove(demo, tmp_path, 99), "no claim 99")
    (tmp_path / "unsigned.txt").write_text(ok(demo("checkpoint")))
    refused(prove(demo, tmp_path, 1, "unsigned.txt"), "not a signed note")


def test_a_live_finish_line_an_imported_row_and_a_row_of_a_finish_file_are_proven(demo, tmp_path):
    men = "pyongyang-2025/marathon/amateur-men"
    ok(demo("source", "add", "organiser", "--name", "Organising committee", "--kind", "organizer"))
    (tmp_path / "start.csv").write_text("Bib,Name,Sex\n7,Wojciech Kopec,M\n8,Anna Nowak,F\n9,Kim Chol,M\n")
    ok(demo("entrants", "import", "pyongyang-2025/marathon", str(tmp_path / "start.csv"), "--source", "organiser"))
    ok(demo("finish", men, "--source", "organiser", "--live", input="7 2:40:01\n"))
    (tmp_path / "results.csv").write_text("Place,Name,Time\n1,Wojciech Kopec,2:40:00\n2,Kim Chol,2:41:00\n")
    ok(demo("import", men, str(tmp_path / "results.csv"), "--source", "rare-glimpse-inside"))
    ok(demo("finish", men, "--source", "dprk-state-media", "--again", input="9 2:41:00\n7 2:42:00\n"))
    signed(demo, tmp_path)
    live = verify_proof(tmp_path, ok(prove(demo, tmp_path, 7)).encode())
    assert live.exit_code == 0, live.stderr
    assert live.stdout.startswith("Claim 7: athlete #3 (bib 7), place 1, time 2:40:01 in "
                                  f"{men}, on the word of organiser;")
    row = verify_proof(tmp_path, ok(prove(demo, tmp_path, 9)).encode())
    assert row.exit_code == 0, row.stderr
    assert row.stdout.startswith(f"Claim 9: Kim Chol, place 2, time 2:41:00 in {men}, on the word of "
                                 "rare-glimpse-inside; row 2 of journal entry 45, recorded by tester")
    filed = verify_proof(tmp_path, ok(prove(demo, tmp_path, 10)).encode())
    assert filed.exit_code == 0, filed.stderr
    assert filed.stdout.startswith(f"Claim 10: athlete #7 (bib 9), place 1, time 2:41:00 in {men}, on the word of "
                                   "dprk-state-media; row 1 of journal entry 46")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_claim_proves_under_every_later_checkpoint(demo, tmp_path_factory, data):
    """Checkpoints signed by hand at sizes from the claim's entry to the head, roots from the export."""
    folder = tmp_path_factory.mktemp("proof")
    (folder / "demo.vkey").write_text(ok(demo("key", "generate", ORIGIN, "--out", str(folder / "demo.key"))))
    if "results.example.org" not in demo("checkpoint").stdout:
        ok(demo("checkpoint", "--origin", ORIGIN))
    ok(demo("export", str(folder / "x.jsonl")))
    entries = [json.loads(line) for line in (folder / "x.jsonl").read_text().splitlines()]
    claim = data.draw(st.sampled_from(DEMO_CLAIMS))
    seq = next(e["seq"] for e in entries if e["kind"] == "claim" and e["body"]["id"] == claim)
    size = data.draw(st.integers(seq, len(entries)))
    root = merkle.range_root([merkle.entry_leaf(e["entry_hash"]) for e in entries[:size]])
    key = note.parse_signer((folder / "demo.key").read_text())
    (folder / "at.txt").write_text(checkpoint.sign(checkpoint.make(ORIGIN, size, root), key))
    proof = ok(prove(demo, folder, claim, "at.txt"))
    checked = verify_proof(folder, proof.encode())
    assert checked.exit_code == 0 and f"Claim {claim}:" in checked.stdout, checked.stderr
    assert f"tree of {size} entries" in checked.stdout


def grow(run, events: int) -> None:
    for n in range(events):
        ok(run("event", "add", f"grown-{n}", "--name", f"Grown {n}", "--date", "2026-04-05"))


def test_a_newer_checkpoint_proves_the_ledger_only_grew(demo, tmp_path):
    signed(demo, tmp_path)
    grow(demo, 3)
    grown = ok(demo("checkpoint", "--since", str(tmp_path / "checkpoint.txt"), "--sign", str(tmp_path / "demo.key")))
    assert grown.startswith("old 42\n") and "\n\nresults.example.org/pyongyang-2025\n45\n" in grown
    old = str(tmp_path / "checkpoint.txt")
    checked = verify_proof(tmp_path, grown.encode(), "--old", old)
    assert checked.exit_code == 0, checked.stderr
    assert checked.stdout.startswith("The checkpoint of 45 entries extends the one of 42 entries")
    for at in range(len(grown.encode())):
        data = grown.encode()
        refused(verify_proof(tmp_path, data[:at] + (b"B" if data[at:at + 1] == b"A" else b"A") + data[at + 1:],
                             "--old", old))
    same = ok(demo("checkpoint", "--since", str(tmp_path / "checkpoint.txt"), "--sign", str(tmp_path / "demo.key")))
    assert verify_proof(tmp_path, same.encode(), "--old", old).exit_code == 0
    assert ok(demo("verify", "--checkpoint", old, "--key", str(tmp_path / "demo.vkey"))).endswith(
        "The ledger extends the checkpoint of 42 entries of results.example.org/pyongyang-2025.\n")
    for usage in (demo("checkpoint", "--since", old), demo("verify", "--checkpoint", old)):
        assert usage.exit_code == 2 and usage.stderr.startswith("Error: ") and "--" in usage.stderr


def test_a_history_changed_since_the_checkpoint_fails(demo, db, tmp_path):
    """A copy of the ledger grows its own way (a fork) and one grows longer than the other (a cut):
    each checkpoint of one fails against the other, naming the tree size and both roots."""
    signed(demo, tmp_path)
    ok(demo("export", str(tmp_path / "ledger.jsonl")))
    copy = CliRunner()

    def other(*args: str):
        return copy.invoke(cli, ["--db", str(tmp_path / "copy.db"), "--as", "elsewhere", *args])

    ok(other("load", str(tmp_path / "ledger.jsonl")))
    grow(other, 4)
    grow(demo, 1)
    key = str(tmp_path / "demo.vkey")
    (tmp_path / "copy.txt").write_text(ok(other("checkpoint", "--sign", str(tmp_path / "demo.key"))))
    cut = not_extended(demo("verify", "--checkpoint", str(tmp_path / "copy.txt"), "--key", key),
                       "the ledger does not extend that checkpoint: its tree holds 46 entries, this ledger only 43")
    assert "46" in cut
    found = demo("verify", "--checkpoint", str(tmp_path / "copy.txt"), "--key", key, "-f", "json")
    assert found.exit_code == 1 and found.stderr.startswith("Error: the ledger does not verify")
    found = json.loads(found.stdout)
    assert (found["ok"], found["checkpoint"], [p["seq"] for p in found["problems"]]) == (
        False, {"origin": ORIGIN, "size": 46, "extended": False}, [None])
    ok(other("event", "add", "grown-x", "--name", "X", "--date", "2026-04-05"))
    ok(demo("event", "add", "grown-y", "--name", "Y", "--date", "2026-04-05"))
    (tmp_path / "ours.txt").write_text(ok(demo("checkpoint", "--sign", str(tmp_path / "demo.key"))))
    ours = checkpoint.parse(ok(demo("checkpoint")))
    forked = not_extended(other("verify", "--checkpoint", str(tmp_path / "ours.txt"), "--key", key),
                     f"at tree size 44 the checkpoint's root is {base64.b64encode(ours.root).decode()}, "
                     "this ledger's ")
    assert ours.size == 44 and forked
    refused(demo("checkpoint", "--since", str(tmp_path / "copy.txt"), "--sign", str(tmp_path / "demo.key")),
            "the ledger does not extend that checkpoint")


def test_hostile_files_and_ids_get_one_error_line(demo, tmp_path, monkeypatch):
    """Files with no end, an extra of JSON nested past Python's recursion limit, ids out of range, a
    consistency proof given as a claim's, and a signer key asked for on standard output."""
    signed(demo, tmp_path)
    proof = ok(prove(demo, tmp_path, 6))
    monkeypatch.setattr(common, "SMALL_FILE_CHARS", len(proof) - 1)  # a file with no end, cut short
    refused(verify_proof(tmp_path, proof.encode()), "holds more than")
    assert ok(prove(demo, tmp_path, 6)) == proof  # a checkpoint, smaller, is still read whole
    monkeypatch.undo()
    nested = base64.b64encode(b"[" * 100_000 + b"]" * 100_000).decode()
    lines = [f"extra {nested}" if line.startswith("extra ") else line for line in proof.split("\n")]
    refused(verify_proof(tmp_path, "\n".join(lines).encode()), "the proof's extra is not a journal entry")
    for claim_id in ("2147483648", "99999999999999999999"):
        refused(demo("prove", claim_id, "--checkpoint", str(tmp_path / "checkpoint.txt")),
                f"bad claim id {claim_id}: must be from 1 to 2147483647")
    grow(demo, 1)
    grown = ok(demo("checkpoint", "--since", str(tmp_path / "checkpoint.txt"), "--sign", str(tmp_path / "demo.key")))
    refused(verify_proof(tmp_path, grown.encode()), "is a consistency proof (raceledger checkpoint --since), not a "
                                                    "claim's: check it with --old OLD_NOTE")
    note_text = (tmp_path / "checkpoint.txt").read_text()
    at = note_text.rindex(" ") + 20  # inside the signature, past the key's id
    (tmp_path / "badsig.txt").write_text(note_text[:at] + ("A" if note_text[at] != "A" else "B") + note_text[at + 1:])
    refused(demo("checkpoint", "--since", str(tmp_path / "badsig.txt"), "--sign", str(tmp_path / "demo.key")),
            "does not verify")
    refused(demo("key", "generate", "x.example", "--out", "-"), "goes to a file, never to standard output")
    refused(demo("key", "generate", "a" * 201, "--out", str(tmp_path / "long.key")),
            "NAME is too long: at most 200 characters")
    assert not (tmp_path / "long.key").exists() and not (tmp_path / "-").exists()


def test_another_logs_small_checkpoint_is_named_as_anothers_not_as_older(demo, tmp_path):
    signed(demo, tmp_path)
    other, _ = note.generate_key("results.example.org/elsewhere")
    (tmp_path / "one.txt").write_text(checkpoint.sign(checkpoint.make("results.example.org/elsewhere", 1,
                                                                      bytes(32)), note.parse_signer(other)))
    refused(prove(demo, tmp_path, 6, "one.txt"), "the checkpoint is of the log 'results.example.org/elsewhere', "
                                                  "not of this ledger")


def test_prove_refuses_a_proof_its_own_stored_tree_cannot_make(demo, db, tmp_path):
    """A damaged stored node (disk or hand) is found before a proof is printed, not by the reader."""
    signed(demo, tmp_path)
    with connect(db) as conn:
        conn.execute(text("UPDATE tree_node SET hash = :zeros WHERE seq = 16 AND level = 4"), {"zeros": "0" * 64})
        conn.commit()
    refused(prove(demo, tmp_path, 6), "this ledger's stored journal or tree does not prove claim 6")
    found = demo("verify")  # which verify names
    assert found.exit_code == 1 and "the Merkle tree node of entries 1-16 (level 4) does not match" in found.stdout
    with connect(db) as conn:  # not even a hash: refused, never a traceback
        conn.execute(text("UPDATE tree_node SET hash = 'zz' WHERE seq = 16 AND level = 4"))
        conn.commit()
    refused(prove(demo, tmp_path, 6), "the Merkle tree node of entries 1-16 (level 4) is damaged (not a hash)")


def test_a_tree_of_one_entry_is_said_in_the_singular(run, tmp_path):
    ok(run("init"))
    ok(run("checkpoint", "--origin", ORIGIN))
    (tmp_path / "demo.vkey").write_text(ok(run("key", "generate", ORIGIN, "--out", str(tmp_path / "demo.key"))))
    (tmp_path / "one.txt").write_text(ok(run("checkpoint", "--sign", str(tmp_path / "demo.key"))))
    assert "extends the checkpoint of 1 entry of" in ok(run("verify", "--checkpoint", str(tmp_path / "one.txt"),
                                                           "--key", str(tmp_path / "demo.vkey")))
    found = json.loads(ok(run("verify", "--checkpoint", str(tmp_path / "one.txt"), "--key",
                              str(tmp_path / "demo.vkey"), "-f", "json")))
    assert (found["ok"], found["checkpoint"]) == (True, {"origin": ORIGIN, "size": 1, "extended": True})

"""Go's own checksum-database code accepts raceledger's checkpoints (issue 26): `note.Open` opens a
checkpoint signed by `raceledger checkpoint --sign` with the verifier key `key generate` printed,
`tlog.TreeHash` over the journal's entry hashes gives the checkpoint's root, `tlog.CheckRecord`
accepts the inclusion path of a proof `raceledger prove` printed (and, for an imported row, the
row's path to the root over its import's rows), and `tlog.CheckTree` the consistency
proof `raceledger checkpoint --since` printed.

The checker (tests/go/tlogcheck) is built with Debian's golang-go against Debian's
golang-golang-x-mod-dev (GOPATH /usr/share/gocode); .ci/run installs both. These tests fail, never
skip, without them."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import ok
from sqlalchemy import create_engine, select

from ledger.core import checkpoint, claim_proof, note, tlog_proof
from ledger.core.models import JournalEntry

GOPATH = "/usr/share/gocode"
ORIGIN = "results.example.org/pyongyang-2025"


@pytest.fixture(scope="session")
def tlogcheck(tmp_path_factory) -> str:
    if shutil.which("go") is None or not Path(GOPATH, "src/golang.org/x/mod/sumdb/note").is_dir():
        pytest.fail("Go's checkers need Debian's golang-go and golang-golang-x-mod-dev (.ci/run installs them)")
    folder = tmp_path_factory.mktemp("go")
    env = {**os.environ, "GOPATH": GOPATH, "GO111MODULE": "off", "GOCACHE": str(folder / "cache")}
    built = folder / "tlogcheck"
    subprocess.run(["go", "build", "-o", str(built), str(Path(__file__).parent / "go/tlogcheck/main.go")],
                   check=True, env=env, cwd=folder)
    return str(built)


def entry_hashes(db: str) -> str:
    engine = create_engine(db if "://" in db else f"sqlite:///{db}")
    try:
        with engine.connect() as connection:
            return "".join(f"{h}\n" for h in connection.execute(select(JournalEntry.entry_hash).order_by(JournalEntry.seq)).scalars())
    finally:
        engine.dispose()


def test_go_opens_our_signed_checkpoint_and_computes_our_root(demo, db, tmp_path, tlogcheck):
    ok(demo("checkpoint", "--origin", ORIGIN))
    (tmp_path / "demo.vkey").write_text(ok(demo("key", "generate", ORIGIN, "--out", str(tmp_path / "demo.key"))))
    (tmp_path / "checkpoint.txt").write_text(ok(demo("checkpoint", "--sign", str(tmp_path / "demo.key"))))
    body = ok(demo("checkpoint"))
    opened = subprocess.run([tlogcheck, "open", str(tmp_path / "demo.vkey"), str(tmp_path / "checkpoint.txt")],
                            capture_output=True, text=True)
    assert (opened.returncode, opened.stdout) == (0, body), opened.stderr
    root = subprocess.run([tlogcheck, "root"], input=entry_hashes(db), capture_output=True, text=True, check=True)
    origin, size, root_line = body.splitlines()[:3]
    assert (origin, int(size), root.stdout.strip()) == (ORIGIN, len(entry_hashes(db).split()), root_line)


def test_go_refuses_a_checkpoint_whose_signature_or_text_changed(demo, tmp_path, tlogcheck):
    ok(demo("checkpoint", "--origin", ORIGIN))
    (tmp_path / "demo.vkey").write_text(ok(demo("key", "generate", ORIGIN, "--out", str(tmp_path / "demo.key"))))
    signed = ok(demo("checkpoint", "--sign", str(tmp_path / "demo.key")))
    lines = signed.splitlines(keepends=True)
    for changed in ("".join([lines[0], str(int(lines[1]) + 1) + "\n", *lines[2:]]),
                    signed[:-6] + ("A" if signed[-6] != "A" else "B") + signed[-5:]):
        (tmp_path / "bad.txt").write_text(changed)
        refused = subprocess.run([tlogcheck, "open", str(tmp_path / "demo.vkey"), str(tmp_path / "bad.txt")],
                                 capture_output=True, text=True)
        assert refused.returncode == 1 and "note.Open" in refused.stderr


def test_go_checks_our_claim_proof_with_check_record(demo, db, tmp_path, tlogcheck):
    """tlog.CheckRecord takes the proof's path, index and checkpoint as they are, and the record hash
    tlog.RecordHash(entry_hash's 32 bytes) of the entry recomputed from the proof's extra."""
    ok(demo("checkpoint", "--origin", ORIGIN))
    ok(demo("key", "generate", ORIGIN, "--out", str(tmp_path / "demo.key")))
    (tmp_path / "checkpoint.txt").write_text(ok(demo("checkpoint", "--sign", str(tmp_path / "demo.key"))))
    proof = tlog_proof.parse(ok(demo("prove", "4", "--checkpoint", str(tmp_path / "checkpoint.txt"))))
    entry_hash = claim_proof.entry_of(proof.extra)[0].entry_hash()
    assert f"{entry_hash}\n" in entry_hashes(db)
    signed = checkpoint.parse(note.text_of(proof.checkpoint))

    def record(path: tuple[bytes, ...], index: int = proof.index) -> subprocess.CompletedProcess:
        lines = "".join(base64.b64encode(h).decode() + "\n" for h in path)
        return subprocess.run([tlogcheck, "record", str(index), entry_hash, str(signed.size),
                               base64.b64encode(signed.root).decode()], input=lines, capture_output=True, text=True)

    checked = record(proof.hashes)
    assert (checked.returncode, checked.stdout) == (0, "ok\n"), checked.stderr
    for bad in (record((bytes(32), *proof.hashes[1:])), record(proof.hashes[:-1]),
                record(proof.hashes, proof.index + 1)):
        assert bad.returncode == 1 and "tlog.CheckRecord" in bad.stderr


def test_go_checks_an_imported_rows_path_to_its_rows_root_with_check_record(demo, tmp_path, tlogcheck):
    """The second level is RFC 6962 too: the row's canonical JSON is the record, the root and count
    those the import's hashed text holds."""
    (tmp_path / "results.csv").write_text("Place,Name,Time\n1,Kim Chol,2:41:00\n2,Ri Song,2:42:00\n3,Pak Il,2:43:00\n")
    ok(demo("import", "pyongyang-2025/marathon/amateur-men", str(tmp_path / "results.csv"), "--source",
            "rare-glimpse-inside"))
    ok(demo("checkpoint", "--origin", ORIGIN))
    ok(demo("key", "generate", ORIGIN, "--out", str(tmp_path / "demo.key")))
    (tmp_path / "checkpoint.txt").write_text(ok(demo("checkpoint", "--sign", str(tmp_path / "demo.key"))))
    proof = tlog_proof.parse(ok(demo("prove", "9", "--checkpoint", str(tmp_path / "checkpoint.txt"))))
    entry, row = claim_proof.entry_of(proof.extra)
    rows = json.loads(entry.body)["rows"]

    def record(text: str, index: int = row.index) -> subprocess.CompletedProcess:
        lines = "".join(base64.b64encode(h).decode() + "\n" for h in row.path)
        return subprocess.run([tlogcheck, "record", str(index), text.encode().hex(), str(rows["count"]),
                               base64.b64encode(bytes.fromhex(rows["root"])).decode()], input=lines,
                              capture_output=True, text=True)

    checked = record(row.text)
    assert (checked.returncode, checked.stdout) == (0, "ok\n"), checked.stderr
    for bad in (record(row.text.replace("Pak Il", "Pak Il ")), record(row.text, row.index - 1)):
        assert bad.returncode == 1 and "tlog.CheckRecord" in bad.stderr


def test_go_checks_our_consistency_proof_with_check_tree(demo, tmp_path, tlogcheck):
    """tlog.CheckTree takes `checkpoint --since`'s proof between the older and the newer checkpoint."""
    ok(demo("checkpoint", "--origin", ORIGIN))
    ok(demo("key", "generate", ORIGIN, "--out", str(tmp_path / "demo.key")))
    (tmp_path / "old.txt").write_text(ok(demo("checkpoint", "--sign", str(tmp_path / "demo.key"))))
    for n in range(5):
        ok(demo("event", "add", f"grown-{n}", "--name", f"Grown {n}", "--date", "2026-04-05"))
    grown = tlog_proof.parse_extension(ok(demo("checkpoint", "--since", str(tmp_path / "old.txt"),
                                               "--sign", str(tmp_path / "demo.key"))))
    old, new = (checkpoint.parse(note.text_of(text)) for text in ((tmp_path / "old.txt").read_text(), grown.checkpoint))

    def tree(proof: tuple[bytes, ...], old_root: bytes = old.root) -> subprocess.CompletedProcess:
        lines = "".join(base64.b64encode(h).decode() + "\n" for h in proof)
        return subprocess.run([tlogcheck, "tree", str(old.size), base64.b64encode(old_root).decode(), str(new.size),
                               base64.b64encode(new.root).decode()], input=lines, capture_output=True, text=True)

    assert grown.old == old.size and new.size == old.size + 5 and grown.hashes
    checked = tree(grown.hashes)
    assert (checked.returncode, checked.stdout) == (0, "ok\n"), checked.stderr
    for bad in (tree((bytes(32), *grown.hashes[1:])), tree(grown.hashes[:-1]), tree(grown.hashes, bytes(32))):
        assert bad.returncode == 1 and "tlog.CheckTree" in bad.stderr

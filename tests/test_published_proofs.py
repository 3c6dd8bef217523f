"""Proofs in the publication (issue 26, point 6): `serve` and `report` given --sign KEYFILE or
--checkpoint NOTE_FILE publish the signed checkpoint (`/checkpoint`) and each claim's proof beside its
page (`/claims/ID.tlog-proof`), byte for byte what `raceledger checkpoint --sign` and `prove` print;
a claim with none (a row of an older import, a claim newer than the checkpoint given) has a page that
says why. On SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from helpers import ok
from starlette.testclient import TestClient
from test_prove import prove, refused, signed, verify_proof
from test_row_proofs import GOLDEN, MEN, imported

from ledger.read.proofs import Publication

TEXT = "text/plain; charset=utf-8"


@pytest.fixture
def served(client_of):
    """A TestClient on the ledger publishing proofs (a Publication; None: none), as `serve --sign`
    or `serve --checkpoint` serves it."""
    return lambda publication: client_of(publication=publication)


def keyed(tmp_path) -> Publication:
    return Publication((tmp_path / "demo.key").read_text())


def given(tmp_path, name: str = "checkpoint.txt") -> Publication:
    return Publication(signed_checkpoint=(tmp_path / name).read_text())


def text(response) -> str:
    assert response.status_code == 200 and response.headers["content-type"] == TEXT, response.text
    return response.text


def page_of(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.text


def proof_dd(page: str) -> str:
    found = re.search(r"<dt>Proof</dt><dd>(.*?)</dd>", page, re.S)
    assert found, "the claim's page says nothing of its proof"
    return found.group(1)


def test_served_with_a_key_the_checkpoint_and_every_claims_proof_are_what_the_cli_prints(demo, served, tmp_path):
    signed(demo, tmp_path)
    imported(demo, tmp_path)  # claims 7-9, rows of entry 43 in the rows form
    client = served(keyed(tmp_path))
    checkpoint = text(client.get("/checkpoint"))
    assert checkpoint == ok(demo("checkpoint", "--sign", str(tmp_path / "demo.key")))
    (tmp_path / "now.txt").write_text(checkpoint)
    for claim in (1, 6, 8):
        proof = text(client.get(f"/claims/{claim}.tlog-proof"))
        assert proof == ok(prove(demo, tmp_path, claim, "now.txt"))
        assert verify_proof(tmp_path, proof.encode()).exit_code == 0
        page = page_of(client, f"/claims/{claim}")
        assert f'<a href="/claims/{claim}.tlog-proof">' in proof_dd(page)
        assert '<a href="/checkpoint">signed checkpoint</a>' in page.partition("<footer")[2]
    # Both follow the head: a new entry anywhere makes a new checkpoint, so new proofs.
    tag = client.get("/claims/1.tlog-proof").headers["etag"]
    assert client.get("/claims/1.tlog-proof", headers={"if-none-match": tag}).status_code == 304
    ok(demo("source", "add", "gazette", "--name", "Gazette", "--kind", "press"))
    assert client.get("/claims/1.tlog-proof").headers["etag"] != tag
    grown = text(client.get("/checkpoint"))
    assert grown != checkpoint and grown.split("\n")[1] == str(int(checkpoint.split("\n")[1]) + 1)


def test_a_proof_that_cannot_be_given_is_a_404_and_the_page_says_why(run, served, tmp_path):
    ok(run("load", str(GOLDEN / "before-row-roots.jsonl")))  # entry 42, an import hashed whole
    signed(run, tmp_path)
    imported(run, tmp_path, 3, "--again")  # claims 12-14, entry 47: after checkpoint.txt (46 entries)
    for client, claim, why in [
        (served(keyed(tmp_path)), 8, "claim 8 was recorded by journal entry 42 (import): it holds many rows and its "
                                     "hash covers its whole body"),
        (served(given(tmp_path)), 12, "claim 12 was recorded by journal entry 47, after the checkpoint published "
                                      "here (tree size 46)"),
    ]:
        said = proof_dd(page_of(client, f"/claims/{claim}"))
        assert said.startswith("None can be given: ") and why in said and "href" not in said
        missing = client.get(f"/claims/{claim}.tlog-proof")
        assert missing.status_code == 404 and missing.headers["content-type"] == TEXT
        assert missing.text.count("\n") == 1
    # Under the checkpoint given, an older claim is proven, and the checkpoint is served as given.
    client = served(given(tmp_path))
    assert text(client.get("/checkpoint")) == (tmp_path / "checkpoint.txt").read_text()
    assert text(client.get("/claims/1.tlog-proof")) == ok(prove(run, tmp_path, 1))
    assert client.get("/claims/99.tlog-proof").status_code == 404
    assert client.get("/claims/x.tlog-proof").status_code == 404
    assert client.get("/claims/1.tlog-proof.json").status_code == 404


def test_without_proofs_there_is_no_checkpoint_and_no_proof_on_the_page(demo, served, tmp_path):
    signed(demo, tmp_path)
    client = served(None)
    assert client.get("/checkpoint").status_code == 404
    assert client.get("/claims/1.tlog-proof").status_code == 404
    page = page_of(client, "/claims/1")
    assert "<dt>Proof</dt>" not in page and "signed checkpoint" not in page


def test_a_report_writes_the_checkpoint_and_each_claim_pages_proof_beside_it(demo, tmp_path):
    signed(demo, tmp_path)
    imported(demo, tmp_path)
    ok(demo("report", "pyongyang-2025", "--out", str(tmp_path / "site"), "--sign", str(tmp_path / "demo.key")))
    site = tmp_path / "site"
    checkpoint = (site / "checkpoint").read_text()
    assert checkpoint == ok(demo("checkpoint", "--sign", str(tmp_path / "demo.key")))
    (tmp_path / "now.txt").write_text(checkpoint)
    pages = sorted(int(p.stem) for p in (site / "claims").glob("*.html"))
    assert pages == list(range(1, 10))
    for claim in pages:
        proof = (site / "claims" / f"{claim}.tlog-proof").read_text()
        assert proof == ok(prove(demo, tmp_path, claim, "now.txt"))
        assert verify_proof(tmp_path, proof.encode()).exit_code == 0
        assert f'<a href="{claim}.tlog-proof">' in proof_dd((site / "claims" / f"{claim}.html").read_text())
    assert '<a href="checkpoint">signed checkpoint</a>' in (site / "index.html").read_text().partition("<footer")[2]
    # Under an older checkpoint given, a claim recorded after it gets no proof, and its page says why.
    imported(demo, tmp_path, 2, "--again")  # claims 10 and 11, entry 44
    ok(demo("report", MEN, "--out", str(tmp_path / "older"), "--checkpoint", str(tmp_path / "now.txt")))
    older = tmp_path / "older"
    assert (older / "checkpoint").read_text() == checkpoint
    assert (older / "claims" / "9.tlog-proof").read_text() == (site / "claims" / "9.tlog-proof").read_text()
    assert not (older / "claims" / "10.tlog-proof").exists()
    said = proof_dd((older / "claims" / "10.html").read_text())
    assert said.startswith("None can be given: claim 10 was recorded by journal entry 44, after the checkpoint")


def test_proofs_a_ledger_cannot_publish_are_refused_before_anything_is_written(demo, tmp_path):
    out = tmp_path / "site"
    (tmp_path / "other.vkey").write_text(ok(demo("key", "generate", "other.example/log", "--out",
                                                 str(tmp_path / "other.key"))))
    for command in ("report", "serve"):
        where = ["pyongyang-2025", "--out", str(out)] if command == "report" else ["--port", "0"]
        unset = demo(command, *where, "--sign", str(tmp_path / "other.key"))
        refused(unset, "this ledger has no origin yet; set it once with: raceledger checkpoint --origin NAME")
    signed(demo, tmp_path)
    (tmp_path / "bad.key").write_text("not a key\n")
    for command in ("report", "serve"):
        where = ["pyongyang-2025", "--out", str(out)] if command == "report" else ["--port", "0"]
        refused(demo(command, *where, "--sign", str(tmp_path / "other.key")), "not this ledger's origin")
        refused(demo(command, *where, "--sign", str(tmp_path / "bad.key")))
        refused(demo(command, *where, "--checkpoint", str(tmp_path / "demo.key")), "signed note")
        both = demo(command, *where, "--sign", str(tmp_path / "demo.key"), "--checkpoint",
                    str(tmp_path / "checkpoint.txt"))
        assert both.exit_code == 2 and "--sign and --checkpoint" in both.stderr
    markdown = demo("report", "pyongyang-2025", "--out", str(out), "--markdown", "--sign", str(tmp_path / "demo.key"))
    assert markdown.exit_code == 2 and "Markdown" in markdown.stderr
    assert not out.exists()

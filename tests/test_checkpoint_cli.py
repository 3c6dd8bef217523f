"""`raceledger key generate` and `raceledger checkpoint` (issue 26, point 2): the ledger's origin set
once, its checkpoint printed, signed with a key of the origin's name and opened with its verifier key."""

from __future__ import annotations

import os
import stat

from helpers import ok

from ledger.core import checkpoint, note

ORIGIN = "results.example.org/city-marathon"


def keys(run, tmp_path, name: str = ORIGIN, file: str = "city.key") -> tuple[str, str]:
    made = run("key", "generate", name, "--out", str(tmp_path / file))
    assert made.exit_code == 0, made.output
    return (tmp_path / file).read_text(), made.stdout.strip()


def test_a_key_is_written_for_its_owner_alone_and_never_overwritten(ledger, tmp_path):
    signer, verifier = keys(ledger, tmp_path)
    assert signer.startswith(f"PRIVATE+KEY+{ORIGIN}+") and verifier.startswith(f"{ORIGIN}+")
    assert stat.S_IMODE(os.stat(tmp_path / "city.key").st_mode) == 0o600
    assert note.parse_signer(signer).verifier.text() == verifier
    again = ledger("key", "generate", ORIGIN, "--out", str(tmp_path / "city.key"))
    assert again.exit_code == 1 and again.stderr.startswith("Error: ") and "never overwritten" in again.stderr
    assert (tmp_path / "city.key").read_text() == signer


def test_the_checkpoint_names_the_origin_set_once_and_the_head(ledger, tmp_path):
    unset = ledger("checkpoint")
    assert unset.exit_code == 1 and "checkpoint --origin NAME" in unset.stderr
    assert ok(ledger("checkpoint", "--origin", ORIGIN)) == f"Origin set to {ORIGIN} (journal entry 1).\n"
    twice = ledger("checkpoint", "--origin", "other.example.org/x")
    assert twice.exit_code == 1 and "set once" in twice.stderr
    ok(ledger("event", "add", "city-2025", "--name", "City Marathon", "--date", "2025-10-12"))
    found = checkpoint.parse(ok(ledger("checkpoint")))
    assert (found.origin, found.size) == (ORIGIN, 2)
    assert "the log's origin, named in its checkpoints: " + ORIGIN in ok(ledger("history", "--width", "0"))


def test_a_signed_checkpoint_opens_with_the_verifier_key_and_only_the_origins_key_signs(ledger, tmp_path):
    ok(ledger("checkpoint", "--origin", ORIGIN))
    _, verifier = keys(ledger, tmp_path)
    signed = ok(ledger("checkpoint", "--sign", str(tmp_path / "city.key")))
    assert checkpoint.open_signed(signed, note.parse_verifier(verifier)) == checkpoint.parse(ok(ledger("checkpoint")))
    keys(ledger, tmp_path, "other.example.org/x", "other.key")
    refused = ledger("checkpoint", "--sign", str(tmp_path / "other.key"))
    assert refused.exit_code == 1 and "not this ledger's origin" in refused.stderr and "PRIVATE" not in refused.stderr


def test_origin_and_sign_together_are_a_usage_error(ledger, tmp_path):
    keys(ledger, tmp_path)
    both = ledger("checkpoint", "--origin", ORIGIN, "--sign", str(tmp_path / "city.key"))
    assert both.exit_code == 2 and "separate commands" in both.stderr
    assert ledger("checkpoint", "--origin", "not a name").exit_code == 1

"""Signed notes and checkpoints (ledger.core.note, ledger.core.checkpoint) against Go's own test vectors."""

from __future__ import annotations

import base64

import pytest

from ledger.core import checkpoint, note
from ledger.core.errors import LedgerError

# The test keys, text and signatures of Go's golang.org/x/mod/sumdb/note/note_test.go (TestNewVerifier,
# TestNewSigner, TestSign, TestOpen; Debian's golang-golang-x-mod-dev,
# /usr/share/gocode/src/golang.org/x/mod/sumdb/note/note_test.go).
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = ("\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6Ryy"
             "BwJnAM=\n")
ENOCH_SIG = ("\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1Rv"
             "Mc+QQ=\n")
SIGNED = TEXT + "\n" + PETER_SIG


def test_the_go_signer_key_gives_the_go_verifier_key():
    signer = note.parse_signer(PETER_SKEY)
    assert (signer.name, signer.hash) == ("PeterNeumann", 0xC74F20A3)
    assert signer.text() == PETER_SKEY
    assert signer.verifier.text() == PETER_VKEY
    assert note.parse_verifier(PETER_VKEY) == signer.verifier


def test_signing_the_go_text_gives_the_go_signed_note_byte_for_byte():
    assert note.sign(TEXT, note.parse_signer(PETER_SKEY)) == SIGNED


def test_the_go_signed_note_opens_with_its_key():
    opened = note.open_note(SIGNED.encode(), [note.parse_verifier(PETER_VKEY)])
    assert opened.text == TEXT
    assert [s.key_id for s in opened.signatures] == ["PeterNeumann+c74f20a3"]


def test_a_note_signed_twice_opens_with_either_key_and_keeps_the_other_unverified():
    message = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    opened = note.open_note(message, [note.parse_verifier(PETER_VKEY)])
    assert [s.key_id for s in opened.signatures] == ["PeterNeumann+c74f20a3"]
    assert [s.key_id for s in opened.unverified] == ["EnochRoot+af0cfe78"]
    both = note.open_note(message, [note.parse_verifier(PETER_VKEY), note.parse_verifier(ENOCH_VKEY)])
    assert [s.key_id for s in both.signatures] == ["PeterNeumann+c74f20a3", "EnochRoot+af0cfe78"]


def test_a_note_not_signed_by_the_key_given_is_refused_naming_both_keys():
    with pytest.raises(LedgerError, match=r"not signed by the key given \(EnochRoot\+af0cfe78\); it is signed by "
                                          r"PeterNeumann\+c74f20a3"):
        note.open_note(SIGNED, [note.parse_verifier(ENOCH_VKEY)])


def test_a_changed_signature_or_text_is_refused():
    with pytest.raises(LedgerError, match=r"the signature by PeterNeumann\+c74f20a3 does not verify"):
        note.open_note(TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:], [note.parse_verifier(PETER_VKEY)])
    with pytest.raises(LedgerError, match="does not verify: the note was changed after it was signed"):
        note.open_note(SIGNED.replace("cryptography", "cryptographY"), [note.parse_verifier(PETER_VKEY)])


@pytest.mark.parametrize("message", [
    TEXT,
    TEXT + "\n",
    TEXT + "\n" + PETER_SIG[:-1],
    "\x01" + TEXT + "\n" + PETER_SIG,
    TEXT + "\n" + "\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6"
                  "RyyBwJnAM=",
    TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
    TEXT + "\n" + PETER_SIG * 101,
])
def test_go_s_malformed_notes_are_refused(message):
    """Go's TestOpen badMsgs (and its 101 signatures)."""
    with pytest.raises(LedgerError, match="not a signed note"):
        note.open_note(message, [note.parse_verifier(PETER_VKEY)])


def test_bytes_that_are_not_utf8_are_a_malformed_note():
    with pytest.raises(LedgerError, match="not a signed note.*not UTF-8"):
        note.open_note(b"\xff" + SIGNED.encode(), [note.parse_verifier(PETER_VKEY)])


def test_every_mangling_of_the_go_keys_is_refused():
    """Go's TestNewVerifier and TestNewSigner: every substring, and every byte changed by one."""
    for key, parse in ((PETER_VKEY, note.parse_verifier), (PETER_SKEY, note.parse_signer)):
        data = key.encode()
        mangled = [data[i:j] for i in range(len(data) + 1) for j in range(i + 1, len(data) + 1)
                   if (i, j) != (0, len(data))]
        mangled += [data[:i] + bytes([data[i] + 1]) + data[i + 1:] for i in range(len(data))]
        for bad in mangled:
            with pytest.raises(LedgerError):
                parse(bad.decode("latin-1"))


def test_go_s_bad_verifier_keys_with_adjusted_key_ids_are_refused():
    with pytest.raises(LedgerError, match="not an Ed25519 key"):
        note.parse_verifier("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
    with pytest.raises(LedgerError, match="not an Ed25519 key"):
        note.parse_verifier("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")


def test_a_generated_key_signs_notes_its_verifier_opens():
    skey, vkey = note.generate_key("results.example.org/city-marathon")
    assert skey.startswith("PRIVATE+KEY+results.example.org/city-marathon+")
    signer, verifier = note.parse_signer(skey), note.parse_verifier(vkey)
    assert signer.verifier == verifier
    assert vkey == f"results.example.org/city-marathon+{verifier.hash:08x}+" \
                   f"{base64.b64encode(bytes([1]) + verifier.public).decode()}"
    assert note.open_note(note.sign("hello\n", signer), [verifier]).text == "hello\n"
    other = note.parse_verifier(note.generate_key("results.example.org/city-marathon")[1])
    with pytest.raises(LedgerError, match="not signed by the key given"):
        note.open_note(note.sign("hello\n", signer), [other])


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\tb", "a\u00a0b", "a\u3000b", "a\x01b"])
def test_key_names_with_spaces_pluses_or_controls_are_refused(name):
    with pytest.raises(LedgerError, match="bad key name"):
        note.generate_key(name)


# --- checkpoints (c2sp.org/tlog-checkpoint) -------------------------------------------------------

ORIGIN = "results.example.org/city-marathon"
ROOT = bytes(range(32))


def test_a_checkpoint_is_origin_size_and_base64_root_one_a_line():
    made = checkpoint.make(ORIGIN, 12, ROOT)
    assert made.text() == f"{ORIGIN}\n12\n{base64.b64encode(ROOT).decode()}\n"
    assert checkpoint.parse(made.text()) == made
    with_extension = checkpoint.make(ORIGIN, 12, ROOT, ("ledger head 12:abc",))
    assert with_extension.text().endswith("\nledger head 12:abc\n")
    assert checkpoint.parse(with_extension.text()) == with_extension


@pytest.mark.parametrize("text", [
    f"{ORIGIN}\n12\n",
    f"{ORIGIN}\n012\n{base64.b64encode(ROOT).decode()}\n",
    f"{ORIGIN}\n-1\n{base64.b64encode(ROOT).decode()}\n",
    f"{ORIGIN}\n12\n{base64.b64encode(ROOT[:31]).decode()}\n",
    f"{ORIGIN}\n12\n{base64.b64encode(ROOT).decode()}",
    f"{ORIGIN}\n12\n{base64.b64encode(ROOT).decode()}\n\n",
    f"a b\n12\n{base64.b64encode(ROOT).decode()}\n",
])
def test_malformed_checkpoints_are_refused(text):
    with pytest.raises(LedgerError, match="not a checkpoint"):
        checkpoint.parse(text)


def test_a_signed_checkpoint_opens_with_its_key_and_only_under_its_own_origin():
    skey, vkey = note.generate_key(ORIGIN)
    signed = checkpoint.sign(checkpoint.make(ORIGIN, 5, ROOT), note.parse_signer(skey))
    assert checkpoint.open_signed(signed, note.parse_verifier(vkey)) == checkpoint.make(ORIGIN, 5, ROOT)
    other_skey, _ = note.generate_key("someone.else/log")
    with pytest.raises(LedgerError, match="is named 'someone.else/log', not this ledger's origin"):
        checkpoint.sign(checkpoint.make(ORIGIN, 5, ROOT), note.parse_signer(other_skey))
    with pytest.raises(LedgerError, match="does not verify"):
        checkpoint.open_signed(signed.replace("\n5\n", "\n6\n"), note.parse_verifier(vkey))

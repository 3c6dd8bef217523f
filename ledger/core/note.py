"""Signed notes (c2sp.org/signed-note) with Ed25519 keys, in the forms of Go's golang.org/x/mod/sumdb/note.

- signer key:   `PRIVATE+KEY+NAME+HASH+BASE64(0x01 || seed32)`  (what `note.GenerateKey` writes)
- verifier key: `NAME+HASH+BASE64(0x01 || pubkey32)`
- HASH: the key id, the first 4 bytes of SHA-256(NAME || "\\n" || 0x01 || pubkey), as 8 hex digits
- a signed note: its text (UTF-8, ending in a newline, no control characters but newlines), a blank
  line, then one line a signature: `— NAME BASE64(key id || signature)` (U+2014, the em dash).

Every refusal is a LedgerError saying what is wrong, so `verify-proof` can print it as one line.
"""

import base64
import binascii
import hashlib
import re
from typing import NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ledger.core.errors import LedgerError

ED25519 = 0x01  # the signature type byte of an Ed25519 key
SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space start every signature line
MAX_SIGNATURES = 100  # as Go's note.Open: more is a malformed note
_HASH = re.compile(r"^[0-9a-fA-F]{8}$")
# The control characters a note may not hold (but newlines). Spaces are str.isspace: Go's
# unicode.IsSpace, and \x1c-\x1f, which are control characters anyway.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # half of a character: bytes that were not UTF-8


def valid_name(name: str) -> bool:
    """A key name (and so a log origin): non-empty, no spaces and no `+` (Go's isValidName)."""
    return bool(name) and "+" not in name and not (any(map(str.isspace, name)) or _CONTROL.search(name)
                                                   or _SURROGATE.search(name))


def check_name(name: str, what: str = "key name") -> str:
    if not valid_name(name):
        raise LedgerError(f"bad {what} {name!r}: it must be non-empty, with no spaces, no '+' and no control "
                          "characters (e.g. results.example.org/city-marathon)")
    return name


def key_hash(name: str, key: bytes) -> int:
    """The key id: SHA-256(name || "\\n" || key)[:4] as a big-endian number (`key` has its type byte)."""
    return int.from_bytes(hashlib.sha256(name.encode() + b"\n" + key).digest()[:4], "big")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None


def canonical_unbase64(text: str) -> bytes | None:
    """Base64 in its one canonical spelling: text whose unused low bits are set (which decoders ignore)
    is refused, so that every changed character of a signature or a proof is a changed value."""
    raw = _unb64(text)
    return raw if raw is not None and _b64(raw) == text else None


class Verifier(NamedTuple):
    name: str
    hash: int
    public: bytes  # the 32 bytes of the Ed25519 public key

    @property
    def key_id(self) -> str:
        return f"{self.name}+{self.hash:08x}"

    def text(self) -> str:
        """The verifier key line: NAME+HASH+BASE64(0x01 || pubkey)."""
        return f"{self.key_id}+{_b64(bytes([ED25519]) + self.public)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
        except InvalidSignature:
            return False
        return True


class Signer(NamedTuple):
    name: str
    hash: int
    seed: bytes  # the 32-byte Ed25519 private key seed

    @property
    def verifier(self) -> Verifier:
        public = Ed25519PrivateKey.from_private_bytes(self.seed).public_key().public_bytes_raw()
        return Verifier(self.name, self.hash, public)

    def text(self) -> str:
        """The signer key as Go's note.GenerateKey writes it."""
        return f"PRIVATE+KEY+{self.name}+{self.hash:08x}+{_b64(bytes([ED25519]) + self.seed)}"

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)


def _signer_of(name: str, seed: bytes) -> Signer:
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    return Signer(name, key_hash(name, bytes([ED25519]) + public), seed)


def generate_key(name: str) -> tuple[str, str]:
    """A new Ed25519 key named `name`: (signer key text, verifier key text)."""
    check_name(name)
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    signer = _signer_of(name, seed)
    return signer.text(), signer.verifier.text()


def parse_signer(text: str) -> Signer:
    """A signer key `PRIVATE+KEY+NAME+HASH+BASE64(0x01 || seed)` (surrounding whitespace ignored)."""
    parts = text.strip().split("+", 4)
    what = "not a signer key (expected PRIVATE+KEY+NAME+HASH+KEY, as raceledger key generate writes)"
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise LedgerError(what)
    name, hash16, key = parts[2], parts[3], _unb64(parts[4])
    if not valid_name(name) or not _HASH.match(hash16) or not key:
        raise LedgerError(what)
    if key[0] != ED25519 or len(key) != 33:
        raise LedgerError(f"the signer key {name}+{hash16} is not an Ed25519 key (type byte 1, 32 bytes)")
    signer = _signer_of(name, key[1:])
    if signer.hash != int(hash16, 16):
        raise LedgerError(f"the signer key {name}+{hash16} is damaged: its key id does not match its name and key")
    return signer


def parse_verifier(text: str) -> Verifier:
    """A verifier key `NAME+HASH+BASE64(0x01 || pubkey)` (surrounding whitespace ignored)."""
    parts = text.strip().split("+", 2)
    what = f"not a verifier key: {text.strip()[:80]!r} (expected NAME+HASH+KEY, as raceledger key generate prints)"
    if len(parts) != 3:
        raise LedgerError(what)
    name, hash16, key = parts[0], parts[1], _unb64(parts[2])
    if not valid_name(name) or not _HASH.match(hash16) or not key:
        raise LedgerError(what)
    if key_hash(name, key) != int(hash16, 16):
        raise LedgerError(f"the verifier key {name}+{hash16} is damaged: its key id does not match its name and key")
    if key[0] != ED25519 or len(key) != 33:
        raise LedgerError(f"the verifier key {name}+{hash16} is not an Ed25519 key (type byte 1, 32 bytes)")
    return Verifier(name, int(hash16, 16), key[1:])


def check_text(text: str) -> str:
    """A note's text: ends in a newline, holds no control character but newlines."""
    if not text.endswith("\n") or _CONTROL.search(text) or _SURROGATE.search(text):
        raise LedgerError("a note's text must be UTF-8 ending in a newline, with no control characters but newlines")
    return text


def sign(text: str, signer: Signer) -> str:
    """The signed note of `text` (ending in a newline) by `signer`."""
    check_text(text)
    signature = _b64(signer.hash.to_bytes(4, "big") + signer.sign(text.encode()))
    return f"{text}\n{SIGNATURE_PREFIX}{signer.name} {signature}\n"


class Signature(NamedTuple):
    name: str
    hash: int
    base64: str

    @property
    def key_id(self) -> str:
        return f"{self.name}+{self.hash:08x}"


class Note(NamedTuple):
    text: str
    signatures: tuple[Signature, ...]  # verified by a key given
    unverified: tuple[Signature, ...]  # by keys not given


_MALFORMED = ("not a signed note: expected its text, a blank line, then signature lines "
              "'\u2014 NAME SIGNATURE' (c2sp.org/signed-note)")


def _split(message: str) -> tuple[str, list[str]]:
    if _CONTROL.search(message) or _SURROGATE.search(message):
        raise LedgerError(f"{_MALFORMED}; it holds a control character or bytes that are not UTF-8")
    cut = message.rfind("\n\n")
    if cut < 0 or not message.endswith("\n") or cut + 2 == len(message):
        raise LedgerError(_MALFORMED)
    return message[:cut + 1], message[cut + 2:-1].split("\n")


def text_of(message: str) -> str:
    """A signed note's text, its form checked but no signature verified: for a tool that carries a note
    it holds no key for (`prove` puts the checkpoint given into a proof as it is)."""
    text, lines = _split(message)
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise LedgerError(f"{_MALFORMED}; this line is not one: {line[:80]!r}")
    return text


def open_note(message: str | bytes, verifiers: list[Verifier]) -> Note:
    """The note `message`, its signatures checked against `verifiers`: refused (LedgerError) when it is
    malformed, when a signature by a key given does not verify, or when no key given signed it."""
    if isinstance(message, bytes):
        try:
            message = message.decode("utf-8")
        except UnicodeDecodeError:
            raise LedgerError(f"{_MALFORMED}; it is not UTF-8") from None
    text, lines = _split(message)
    known = {(v.name, v.hash): v for v in verifiers}
    verified: list[Signature] = []
    unverified: list[Signature] = []
    if len(lines) > MAX_SIGNATURES:
        raise LedgerError(f"{_MALFORMED}; it has more than {MAX_SIGNATURES} signatures")
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise LedgerError(f"{_MALFORMED}; this line is not one: {line[:80]!r}")
        name, _, b64 = line[len(SIGNATURE_PREFIX):].partition(" ")
        raw = canonical_unbase64(b64)
        if not valid_name(name) or not b64 or raw is None or len(raw) < 5:
            raise LedgerError(f"{_MALFORMED}; this signature line is damaged: {line[:80]!r}")
        signature = Signature(name, int.from_bytes(raw[:4], "big"), b64)
        verifier = known.get((name, signature.hash))
        if verifier is None:
            if signature not in unverified:
                unverified.append(signature)
            continue
        if signature in verified:
            continue
        if not verifier.verify(text.encode(), raw[4:]):
            raise LedgerError(f"the signature by {verifier.key_id} does not verify: the note was changed after it was "
                              "signed, or the signature is not this key's")
        verified.append(signature)
    if not verified:
        wanted = ", ".join(v.key_id for v in verifiers) or "none given"
        found = ", ".join(s.key_id for s in unverified)
        raise LedgerError(f"the note is not signed by the key given ({wanted}); it is signed by {found}")
    return Note(text, tuple(verified), tuple(unverified))

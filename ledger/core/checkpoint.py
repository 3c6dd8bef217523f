"""Checkpoints in the c2sp.org/tlog-checkpoint form: the note text a log signs.

    <origin>\\n<tree size, decimal>\\n<root hash, base64>\\n[<extension line>\\n]...

signed as a c2sp.org/signed-note (ledger.core.note) by a key named as the origin. Go's
golang.org/x/mod/sumdb/tlog.ParseTree and note.Open read what Checkpoint.text() and sign() write.
"""

import base64
import binascii
import re
from typing import NamedTuple

from ledger.core import note
from ledger.core.errors import LedgerError
from ledger.core.merkle import HASH_SIZE

_SIZE = re.compile(r"^(0|[1-9][0-9]{0,19})$")
_CONTROL = re.compile(r"[\x00-\x1f]")
LARGEST_SIZE = 2**63 - 1


def entries(size: int) -> str:
    """A tree's size in words: `1 entry`, `42 entries`."""
    return "1 entry" if size == 1 else f"{size} entries"


class Checkpoint(NamedTuple):
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The note text: origin, size, base64 root, extension lines, each ending in a newline."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode("ascii"), *self.extensions]
        return "".join(f"{line}\n" for line in lines)


def make(origin: str, size: int, root: bytes, extensions: tuple[str, ...] = ()) -> Checkpoint:
    """A checkpoint, its fields held to the format (so what it prints, parse() reads back)."""
    note.check_name(origin, "origin")
    if not 0 <= size <= LARGEST_SIZE:
        raise LedgerError(f"bad tree size {size}")
    if len(root) != HASH_SIZE:
        raise LedgerError(f"bad root hash: {len(root)} bytes, expected {HASH_SIZE}")
    for line in extensions:
        if not line or _CONTROL.search(line):
            raise LedgerError(f"bad checkpoint extension line {line!r}: non-empty, one line, no control characters")
    return Checkpoint(origin, size, root, tuple(extensions))


def parse(text: str) -> Checkpoint:
    """A checkpoint from its note text (the part of a signed note before the blank line)."""
    what = ("not a checkpoint (c2sp.org/tlog-checkpoint): expected an origin line, a tree size line and a "
            "base64 root hash line")
    if not text.endswith("\n"):
        raise LedgerError(what)
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise LedgerError(what)
    origin, size_text, root_text, *extensions = lines
    if not note.valid_name(origin):
        raise LedgerError(f"{what}; its origin line {origin[:80]!r} is not a log's name")
    if not _SIZE.match(size_text) or int(size_text) > LARGEST_SIZE:
        raise LedgerError(f"{what}; its tree size line {size_text[:80]!r} is not a decimal number")
    try:
        root = base64.b64decode(root_text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        root = b""
    if len(root) != HASH_SIZE:
        raise LedgerError(f"{what}; its root hash line {root_text[:80]!r} is not the base64 of {HASH_SIZE} bytes")
    if any(not line for line in extensions):
        raise LedgerError(f"{what}; it has an empty extension line")
    return Checkpoint(origin, int(size_text), root, tuple(extensions))


def sign(checkpoint: Checkpoint, signer: note.Signer) -> str:
    """The signed checkpoint: refused when the key's name is not the checkpoint's origin (a verifier
    looks the key up by the origin)."""
    if signer.name != checkpoint.origin:
        raise LedgerError(f"the key {signer.name}+{signer.hash:08x} is named {signer.name!r}, not this ledger's "
                          f"origin {checkpoint.origin!r}: make its key with raceledger key generate "
                          f"{checkpoint.origin}")
    return note.sign(checkpoint.text(), signer)


def open_signed(message: str | bytes, verifier: note.Verifier) -> Checkpoint:
    """A signed checkpoint checked against `verifier`: its signature (ledger.core.note.open_note), its
    form, and its origin being the key's name."""
    opened = note.open_note(message, [verifier])
    checkpoint = parse(opened.text)
    if checkpoint.origin != verifier.name:
        raise LedgerError(f"the checkpoint's origin {checkpoint.origin!r} is not the name of the key "
                          f"{verifier.key_id} that signed it")
    return checkpoint

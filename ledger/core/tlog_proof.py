"""Proofs in the c2sp.org/tlog-proof@v1 form: one entry's inclusion proof and the signed checkpoint
it leads to, as text a reader checks offline.

    c2sp.org/tlog-proof@v1
    extra <base64 of opaque data>          (optional: the application's, not authenticated)
    index <zero-based leaf index, decimal>
    <base64 hash>                          (the RFC 6962 path, leaf's sibling first, one a line)
    ...
    <empty line>
    <the signed checkpoint, verbatim>

And the body of c2sp.org/tlog-witness's add-checkpoint request: a newer checkpoint with the RFC 6962
consistency proof from an older tree size, for a witness (or a reader) to check the log only grew:

    old <older tree size, decimal>
    <base64 hash>                          (the consistency proof, one a line)
    ...
    <empty line>
    <the newer signed checkpoint, verbatim>

Only the forms are here (format and parse); what `extra` means to raceledger is ledger.core.claim_proof.
"""

import base64
import re
from typing import NamedTuple

from ledger.core.errors import LedgerError
from ledger.core.note import canonical_unbase64
from ledger.core.merkle import HASH_SIZE

HEADER = "c2sp.org/tlog-proof@v1"
_INDEX = re.compile(r"^index (0|[1-9][0-9]{0,18})$")
_OLD = re.compile(r"^old (0|[1-9][0-9]{0,18})$")
LARGEST_INDEX = 2**63 - 2  # a leaf of a tree no larger than a checkpoint's largest size


class Proof(NamedTuple):
    index: int
    hashes: tuple[bytes, ...]
    checkpoint: str  # the signed checkpoint note, as given
    extra: bytes | None = None

    def text(self) -> str:
        lines = [HEADER]
        if self.extra is not None:
            lines.append(f"extra {_b64(self.extra)}")
        lines.append(f"index {self.index}")
        lines += [_b64(h) for h in self.hashes]
        return "".join(f"{line}\n" for line in lines) + "\n" + self.checkpoint


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _text(message: str | bytes, what: str) -> str:
    """A proof or an add-checkpoint body as text: bytes that are not UTF-8 are refused, saying `what`."""
    if isinstance(message, bytes):
        try:
            return message.decode("utf-8")
        except UnicodeDecodeError:
            raise LedgerError(f"{what}: it is not UTF-8") from None
    return message


def parse(message: str | bytes) -> Proof:
    """A proof from its text: refused (LedgerError, naming the line) when it is not in the form."""
    what = f"not a proof in the {HEADER} form"
    message = _text(message, what)
    cut = message.find("\n\n")
    if not message.startswith(HEADER + "\n") or cut < 0:
        raise LedgerError(f"{what}: expected its first line {HEADER!r}, then index and hash lines, a blank line "
                          "and the signed checkpoint")
    lines = message[:cut].split("\n")[1:]
    extra = None
    if lines and lines[0].startswith("extra "):
        extra = canonical_unbase64(lines[0][len("extra "):])
        if not extra:
            raise LedgerError(f"{what}: its extra line is not base64: {lines[0][:80]!r}")
        lines = lines[1:]
    found = _INDEX.match(lines[0]) if lines else None
    if found is None or int(found[1]) > LARGEST_INDEX:
        raise LedgerError(f"{what}: expected an index line 'index N' (N decimal, no leading zeros), found "
                          f"{(lines[0] if lines else '')[:80]!r}")
    return Proof(int(found[1]), _hashes(what, "inclusion path", lines[1:]), message[cut + 2:], extra)


def _hashes(what: str, proof: str, lines: list[str]) -> tuple[bytes, ...]:
    hashes = []
    for number, line in enumerate(lines, 1):
        raw = canonical_unbase64(line)
        if raw is None or len(raw) != HASH_SIZE:
            raise LedgerError(f"{what}: hash line {number} of its {proof} is not the base64 of {HASH_SIZE} bytes: "
                              f"{line[:80]!r}")
        hashes.append(raw)
    return tuple(hashes)


class Extension(NamedTuple):
    """A newer signed checkpoint and the consistency proof from the tree of `old` leaves to its tree."""

    old: int
    hashes: tuple[bytes, ...]
    checkpoint: str  # the newer signed checkpoint note

    def text(self) -> str:
        return "".join(f"{line}\n" for line in [f"old {self.old}", *map(_b64, self.hashes)]) + "\n" + self.checkpoint


def parse_extension(message: str | bytes) -> Extension:
    """An add-checkpoint body (c2sp.org/tlog-witness): refused (LedgerError) when not in its form."""
    what = "not a consistency proof in the form of c2sp.org/tlog-witness's add-checkpoint body"
    message = _text(message, what)
    cut = message.find("\n\n")
    lines = message[:cut].split("\n") if cut >= 0 else []
    found = _OLD.match(lines[0]) if lines else None
    if found is None:
        raise LedgerError(f"{what}: expected a line 'old N', the proof's hash lines, a blank line and the newer "
                          "signed checkpoint")
    return Extension(int(found[1]), _hashes(what, "consistency proof", lines[1:]), message[cut + 2:])

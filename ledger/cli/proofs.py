"""Proofs a reporter can carry: signing keys (`key generate`), the ledger's checkpoint (`checkpoint`:
its origin, tree size and Merkle root, signed as a C2SP note), one claim's proof under it (`prove`)
and its offline check (`verify-proof`, which opens no ledger and imports no SQLAlchemy)."""

from __future__ import annotations

import click

from ledger.cli.common import read_bytes, read_text
from ledger.cli.sessions import reading, writing
from ledger.core.errors import LedgerError


@click.group()
def key() -> None:
    """Signing keys for checkpoints (c2sp.org/signed-note, Ed25519).

    \b
    Example:
        raceledger key generate results.example.org/pyongyang-2025 --out demo.key > demo.vkey
    """


@key.command("generate")
@click.argument("name")
@click.option("--out", "out", required=True, metavar="FILE",
              help="Where to write the signer key (created with mode 0600; refused if it exists).")
def key_generate(name: str, out: str) -> None:
    """Make a signing key named NAME: the signer key goes to FILE, the verifier key is printed.

    NAME is the ledger's origin (`raceledger checkpoint --origin NAME`), e.g.
    results.example.org/city-marathon: a checkpoint is signed only by a key of that name. FILE gets
    the private key in the form Go's note.GenerateKey writes (PRIVATE+KEY+NAME+HASH+KEY), mode 0600,
    and is never overwritten. Publish the printed line NAME+HASH+KEY: readers check checkpoints and
    proofs with it. No ledger is opened.

    \b
    Example:
        raceledger key generate results.example.org/pyongyang-2025 --out demo.key > demo.vkey
    """
    from ledger.core import limits
    from ledger.core.note import generate_key
    from ledger.store.files import written_private

    if out == "-":
        raise LedgerError("--out - : the signer key is private, so it goes to a file, never to standard output")
    limits.text(name, "origin", "NAME")  # the key's name is the ledger's origin, whose limit this is
    signer, verifier = generate_key(name)
    written_private(out, signer + "\n")
    click.echo(verifier)


def _origin_or_sign(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and ctx.params.get("origin" if param.name == "sign" else "sign") is not None:
        raise click.UsageError("--origin and --sign go in separate commands: set the origin once, then sign")
    return value


@click.command()
@click.option("--origin", metavar="NAME", callback=_origin_or_sign,
              help="Set the ledger's origin (the log's name in its checkpoints), once; recorded as a journal entry.")
@click.option("--sign", "sign", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              callback=_origin_or_sign,
              help="Sign the checkpoint with this signer key (raceledger key generate); its name must be the origin.")
@click.option("--since", "since", type=click.Path(exists=True, dir_okay=False), metavar="OLD_NOTE",
              help="With --sign: print the signed checkpoint after the consistency proof from this older signed "
                   "checkpoint (c2sp.org/tlog-witness's add-checkpoint body).")
@click.pass_context
def checkpoint(ctx: click.Context, origin: str | None, sign: str | None, since: str | None) -> None:
    """Print the ledger's checkpoint: its origin, tree size and Merkle root (c2sp.org/tlog-checkpoint).

    The tree is RFC 6962's over the journal: each entry's entry_hash is a leaf, and the tree size is
    the head's seq. With --sign, the checkpoint is printed as a signed note, signed with a key from
    `raceledger key generate` named as the origin. --origin NAME sets the origin, once, as a journal
    entry. --since OLD_NOTE prints, before it, `old N` and the RFC 6962 consistency proof from an
    older checkpoint of this ledger, which `raceledger verify-proof --old` (or a witness) checks.

    \b
    Example:
        raceledger demo                 # a ledger to try it on
        raceledger checkpoint --origin results.example.org/pyongyang-2025
        raceledger key generate results.example.org/pyongyang-2025 --out demo.key > demo.vkey
        raceledger checkpoint --sign demo.key > checkpoint.txt
        raceledger event add pyongyang-2026 --name "Pyongyang International Marathon" --date 2026-04-05
        raceledger checkpoint --since checkpoint.txt --sign demo.key > grown.txt
    """
    if since is not None and sign is None:
        raise click.UsageError("--since needs --sign: the newer checkpoint is signed")
    if origin is not None:
        from ledger.write.origin import set_origin

        with writing(ctx) as (session, by):
            seq = set_origin(session, by, origin)
        click.echo(f"Origin set to {origin} (journal entry {seq}).")
        return
    from ledger.projection import origin as origins

    if since is not None:
        from ledger.read.proofs import extension

        old_note, signer_key = read_text(since), read_text(sign)
        with reading(ctx) as session:
            click.echo(extension(session, old_note, signer_key), nl=False)
        return
    if sign is not None:
        signer_key = read_text(sign)
        with reading(ctx) as session:
            click.echo(origins.signed(session, signer_key), nl=False)
        return
    with reading(ctx) as session:
        click.echo(origins.latest(session).text(), nl=False)



@click.command()
@click.argument("claim_id", type=int, metavar="CLAIM_ID")
@click.option("--checkpoint", "note_file", required=True, type=click.Path(exists=True, dir_okay=False),
              metavar="NOTE_FILE", help="A signed checkpoint of this ledger (raceledger checkpoint --sign) that "
                                        "holds the claim's entry.")
@click.pass_context
def prove(ctx: click.Context, claim_id: int, note_file: str) -> None:
    """Print the proof that claim CLAIM_ID is in the ledger (c2sp.org/tlog-proof@v1).

    The proof holds the journal entry that recorded the claim, its RFC 6962 inclusion path, and the
    signed checkpoint NOTE_FILE as given: anyone holding the ledger's verifier key checks it offline
    with `raceledger verify-proof`. The checkpoint must be this ledger's (its origin, and its root at
    its tree size) and hold the claim's entry. A claim recorded alone (`claim`, or a `finish --live`
    line) is proven by its entry; a row of an import or a finish file by the entry's header (which
    holds the root over its rows), the row and its path to that root, never the other rows. A row
    of one recorded before entries held that root cannot be proven alone.

    \b
    Example:
        raceledger demo                 # a ledger to try it on
        raceledger checkpoint --origin results.example.org/pyongyang-2025
        raceledger key generate results.example.org/pyongyang-2025 --out demo.key > demo.vkey
        raceledger checkpoint --sign demo.key > checkpoint.txt
        raceledger prove 6 --checkpoint checkpoint.txt > claim-6.tlog-proof
    """
    from ledger.read.proofs import prove as proof_of

    signed = read_text(note_file)
    with reading(ctx) as session:
        click.echo(proof_of(session, claim_id, signed), nl=False)


@click.command("verify-proof")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, dir_okay=False), metavar="VKEY_FILE",
              help="The ledger's verifier key (the line raceledger key generate printed).")
@click.option("--old", "old_file", type=click.Path(exists=True, dir_okay=False), metavar="OLD_NOTE",
              help="FILE is a consistency proof (raceledger checkpoint --since): check that its checkpoint "
                   "extends this older signed checkpoint.")
def verify_proof(file: str, key_file: str, old_file: str | None) -> None:
    """Check a claim's proof (raceledger prove) offline, and say the claim it proves.

    Checks the checkpoint's signature with the verifier key, recomputes the entry's hash from what
    the proof carries, and follows its inclusion path to the checkpoint's root (for a row of an
    import or a finish file, also the row's path to the root over the entry's rows); then prints the claim in one
    sentence. With --old OLD_NOTE, FILE is a newer checkpoint with its consistency
    proof (`raceledger checkpoint --since`): both checkpoints' signatures and the proof are checked.
    Exit 1, with one Error line naming what failed, when any of them does not hold. No ledger is
    opened (--db is not read), nothing is written, nothing is fetched.

    \b
    Example:
        raceledger demo                 # a ledger to try it on
        raceledger checkpoint --origin results.example.org/pyongyang-2025
        raceledger key generate results.example.org/pyongyang-2025 --out demo.key > demo.vkey
        raceledger checkpoint --sign demo.key > checkpoint.txt
        raceledger prove 6 --checkpoint checkpoint.txt > claim-6.tlog-proof
        raceledger verify-proof claim-6.tlog-proof --key demo.vkey
        raceledger event add pyongyang-2026 --name "Pyongyang International Marathon" --date 2026-04-05
        raceledger checkpoint --since checkpoint.txt --sign demo.key > grown.txt
        raceledger verify-proof grown.txt --key demo.vkey --old checkpoint.txt
    """
    from ledger.output.inert import visible

    proof = read_bytes(file)
    if old_file is None and proof.startswith(b"old "):
        raise LedgerError(f"{file} is a consistency proof (raceledger checkpoint --since), not a claim's: "
                          "check it with --old OLD_NOTE, the older checkpoint it extends")
    if old_file is not None:
        from ledger.core.checkpoint import entries
        from ledger.core.consistency import check as check_extension

        old, new = check_extension(proof, read_text(old_file), read_text(key_file))
        click.echo(visible(f"The checkpoint of {entries(new.size)} extends the one of {entries(old.size)}: "
                           f"{new.origin} only grew, as both signed checkpoints and the consistency proof say."))
        return
    from ledger.core.claim_proof import check
    from ledger.output.proven import sentence

    click.echo(visible(sentence(check(proof, read_text(key_file)))))


COMMANDS = (key, checkpoint, prove, verify_proof)  # added to the root group by cli.py

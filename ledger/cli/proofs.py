"""Proofs a reporter can carry: signing keys (`key generate`) and the ledger's checkpoint
(`checkpoint`: its origin, tree size and Merkle root, signed as a C2SP note)."""

from __future__ import annotations

import click

from ledger.cli.sessions import reading, writing


@click.group()
def key() -> None:
    """Signing keys for checkpoints (c2sp.org/signed-note, Ed25519).

    \b
    Example:
        raceledger key generate results.example.org/city-marathon --out city.key > city.vkey
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
        raceledger key generate results.example.org/city-marathon --out city.key > city.vkey
    """
    from ledger.core.note import generate_key
    from ledger.store.files import written_private

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
@click.pass_context
def checkpoint(ctx: click.Context, origin: str | None, sign: str | None) -> None:
    """Print the ledger's checkpoint: its origin, tree size and Merkle root (c2sp.org/tlog-checkpoint).

    The tree is RFC 6962's over the journal: each entry's entry_hash is a leaf, and the tree size is
    the head's seq. With --sign, the checkpoint is printed as a signed note, signed with a key from
    `raceledger key generate` named as the origin. --origin NAME sets the origin, once, as a journal
    entry.

    \b
    Example:
        raceledger checkpoint --origin results.example.org/city-marathon
        raceledger key generate results.example.org/city-marathon --out city.key > city.vkey
        raceledger checkpoint --sign city.key > checkpoint.txt
    """
    if origin is not None:
        from ledger.write.origin import set_origin

        with writing(ctx) as (session, by):
            seq = set_origin(session, by, origin)
        click.echo(f"Origin set to {origin} (journal entry {seq}).")
        return
    from ledger.projection import origin as origins

    if sign is not None:
        with open(sign, encoding="utf-8", errors="replace") as found:
            signer_key = found.read()
        with reading(ctx) as session:
            click.echo(origins.signed(session, signer_key), nl=False)
        return
    with reading(ctx) as session:
        click.echo(origins.latest(session).text(), nl=False)


COMMANDS = (key, checkpoint)  # added to the root group by cli.py

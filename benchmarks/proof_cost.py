"""Proofs cost O(log n) (issue 26, point 8): `prove` of a random claim and a signed checkpoint take the
same time on a small ledger and a large one; and `verify-proof` beside `raceledger --version`.

Each ledger holds --entries small entries (one claim each, `write.claims.add`, as tree_cost.py
builds them), its origin set and a key made for it. In one process per ledger, the CPU time
(time.process_time: SQLite runs in this process) of the library calls the commands make: a signed
checkpoint (`projection.origin.signed`, what `checkpoint --sign` prints) and the proof of a claim
picked at random (`read.proofs.prove`, what `prove` prints), median of --repeat calls. Then the
whole `raceledger verify-proof` and `raceledger --version` processes, interleaved, best of
--repeat wall-clock runs.

    python benchmarks/proof_cost.py --entries 10000 200000 --keep /tmp/proof-cost
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import tree_cost  # noqa: E402

ORIGIN = "bench.example.org/proofs"
RACELEDGER = [sys.executable, "-c", "import cli; cli.main()"]


def prepare(db: str, entries: int, folder: str) -> tuple[str, str]:
    """The ledger (built once) with its origin, and a signer key and verifier key for it."""
    from ledger.core.note import generate_key
    from ledger.store.engine import open_engine, transaction
    from ledger.write.origin import set_origin

    keys = os.path.join(folder, "keys.json")
    if not os.path.exists(db):
        tree_cost.build(db + ".making", entries, None)
        engine, _ = open_engine(db + ".making")
        with transaction(engine) as session:
            set_origin(session, "bench", ORIGIN)
        engine.dispose()
        os.rename(db + ".making", db)
    if not os.path.exists(keys):
        with open(keys, "w") as out:
            json.dump(generate_key(ORIGIN), out)
    with open(keys) as found:
        signer, verifier = json.load(found)
    return signer, verifier


def measure(db: str, signer: str, repeat: int, out_dir: str) -> dict:
    """Median CPU seconds of a signed checkpoint and of a random claim's proof; a proof written for verify-proof."""
    from sqlalchemy import func, select

    from ledger.core.models import Claim
    from ledger.projection import origin as origins
    from ledger.read.proofs import prove
    from ledger.store.engine import open_engine, transaction

    engine, _ = open_engine(db, write=False)
    pick = random.Random(7)
    signing, proving = [], []
    with transaction(engine) as session:
        largest = session.execute(select(func.max(Claim.id))).scalar()
        note = origins.signed(session, signer)
        for _ in range(repeat):
            start = time.process_time()
            note = origins.signed(session, signer)
            signing.append(time.process_time() - start)
            claim_id = pick.randint(1, largest)
            start = time.process_time()
            proof = prove(session, claim_id, note)
            proving.append(time.process_time() - start)
    engine.dispose()
    path = os.path.join(out_dir, f"{os.path.basename(db)}.tlog-proof")
    with open(path, "w") as written:
        written.write(proof)
    return {"checkpoint": statistics.median(signing), "prove": statistics.median(proving), "proof": path}


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=os.path.dirname(HERE))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--keep", metavar="DIR", help="keep the ledgers in DIR and reuse them")
    parser.add_argument("--root", help=argparse.SUPPRESS)  # one measurement in a child process
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--signer", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.db:
        print(json.dumps(measure(args.db, args.signer, args.repeat, os.path.dirname(args.db))))
        return
    folder = args.keep or tempfile.mkdtemp(prefix="raceledger-proof-cost-")
    os.makedirs(folder, exist_ok=True)
    found = {}
    for entries in args.entries:
        db = os.path.join(folder, f"proofs-{entries}.db")
        signer, verifier = prepare(db, entries, folder)
        done = subprocess.run([sys.executable, os.path.abspath(__file__), "--db", db, "--signer", signer,
                               "--repeat", str(args.repeat)], check=True, capture_output=True, text=True)
        found[entries] = json.loads(done.stdout)
        print(f"  measured {entries:,} entries", file=sys.stderr, flush=True)
    vkey = os.path.join(folder, "ledger.vkey")
    with open(vkey, "w") as out:
        out.write(verifier + "\n")
    proof = found[args.entries[-1]]["proof"]
    checking, version = [], []
    for _ in range(args.repeat):  # interleaved: a machine whose speed swings slows both alike
        checking.append(wall([*RACELEDGER, "verify-proof", proof, "--key", vkey]))
        version.append(wall([*RACELEDGER, "--version"]))
    small, large = found[args.entries[0]], found[args.entries[-1]]
    print(f"| case | {args.entries[0]:,} entries | {args.entries[-1]:,} entries | ratio | target |")
    print("|---|---:|---:|---:|---|")
    for case in ("checkpoint", "prove"):
        ratio = large[case] / small[case]
        print(f"| {case} (CPU, median of {args.repeat}) | {small[case] * 1000:.2f} ms | {large[case] * 1000:.2f} ms | "
              f"{ratio:.2f}x | within 1.2x: {'met' if ratio <= 1.2 else 'MISSED'} |")
    ratio = min(checking) / min(version)
    print(f"| verify-proof / --version (wall, best of {args.repeat}) | {min(checking) * 1000:.0f} ms | "
          f"{min(version) * 1000:.0f} ms | {ratio:.2f}x | at most 1.3x: {'met' if ratio <= 1.3 else 'MISSED'} |")


if __name__ == "__main__":
    main()

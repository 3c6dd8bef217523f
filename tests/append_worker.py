"""One of many concurrent writers: `python append_worker.py DB WORKER COUNT GO_FILE CATEGORY SOURCE`.

Waits until GO_FILE exists (so every writer starts at once), then records COUNT claims through the
real CLI, each its own command (its own engine, transaction and journal entry), as a separate
process would. A claim is marked `w<WORKER>-<i>` so the test can find every one of them.
"""

from __future__ import annotations

import gc
import os
import sys
import time

from cli import cli


def main(db: str, worker: str, count: str, go_file: str, category: str, source: str) -> None:
    with open(f"{go_file}.ready{worker}", "w"):
        pass  # imported and ready: the test says go when every writer is
    deadline = time.monotonic() + 60
    while not os.path.exists(go_file):
        if time.monotonic() > deadline:
            sys.exit(f"worker {worker}: no go signal within 60 s")
        time.sleep(0.005)
    for i in range(int(count)):
        cli.main(["--db", db, "--as", f"worker-{worker}", "claim", category, "--source", source,
                  "--unnamed", f"w{worker}-{i}", "--position", str(i + 1)],
                 prog_name="raceledger", standalone_mode=False)
        if i % 10 == 9:
            gc.collect()  # each command made an engine: close their pooled connections, as process exits would


if __name__ == "__main__":
    main(*sys.argv[1:])

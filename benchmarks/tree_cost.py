"""What the Merkle tree (issue 26, point 1) costs the writes and `verify`: before and after, in-process.

Each figure is the CPU time (time.process_time: SQLite runs in this process, so its work counts,
other engineers' processes on the shared machine do not) of one library call, measured in a fresh
process of the version under test; the driver alternates the two versions round by round and keeps
the best of each, then prints their ratio.

- append: --appends (300) claims recorded one by one (`write.claims.add`, one transaction each) on
  a ledger of --entries small entries;
- import: one results file of --rows (50,000) rows (`imports.importer.import_file`);
- verify: `journal.verify.verify` of a ledger of --entries (20,000) small entries and that import.

    python benchmarks/tree_cost.py --before /work/main --repeat 5          # driver
    python benchmarks/tree_cost.py --root DIR --case verify --db FILE      # one measurement (internal)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BY = "bench"
RACE = "bench-2025/marathon"
CATEGORY = f"{RACE}/open"


def _library(root: str):
    """Import the version at `root`, its migrations too (an editable install elsewhere maps
    `ledger.migrations` to its own checkout's folder)."""
    import importlib.util

    sys.path.insert(0, root)
    import ledger  # (the version at `root`)
    if not ledger.__file__.startswith(root):
        raise SystemExit(f"imported {ledger.__file__}, not the version at {root}")
    folder = os.path.join(root, "migrations")
    spec = importlib.util.spec_from_file_location("ledger.migrations", os.path.join(folder, "__init__.py"),
                                                  submodule_search_locations=[folder])
    module = importlib.util.module_from_spec(spec)
    sys.modules["ledger.migrations"] = module
    spec.loader.exec_module(module)
    ledger.migrations = module


def build(db: str, entries: int, rows_file: str | None) -> None:
    from ledger.store.engine import open_engine, transaction, upgrade_ledger
    from ledger.write import catalog, claims

    engine, target = open_engine(db, create=True)
    upgrade_ledger(engine, target)
    with transaction(engine) as s:
        catalog.add_event(s, BY, "bench-2025", "Bench Marathon", "2025-10-12", None)
        catalog.add_race(s, BY, RACE, "Marathon", 42195)
        catalog.add_category(s, BY, CATEGORY, "Open", "X")
        catalog.add_source(s, BY, "timing", "Timing", "official")
        catalog.add_source(s, BY, "gazette", "Gazette", "press")
    done = 0
    while done < entries:
        with transaction(engine) as s:
            for n in range(done, min(done + 500, entries)):
                claims.add(s, BY, CATEGORY, "gazette", unnamed=f"runner {n}", position=n + 1, time=_time(n))
        done = min(done + 500, entries)
    if rows_file:
        _import(engine, rows_file)
    engine.dispose()


def _time(n: int) -> str:
    seconds = 2 * 3600 + n % 7200
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _import(engine, rows_file: str) -> None:
    from ledger.imports.importer import ImportRequest, import_file
    from ledger.store.engine import transaction

    with transaction(engine) as s:
        import_file(s, BY, ImportRequest(CATEGORY, "timing", rows_file))


def measure(case: str, db: str, appends: int, rows_file: str) -> float:
    from ledger.store.engine import open_engine, transaction

    engine, _ = open_engine(db)
    try:
        if case == "append":
            start = time.process_time()
            for n in range(appends):
                with transaction(engine) as s:
                    from ledger.write import claims
                    claims.add(s, BY, CATEGORY, "timing", unnamed=f"late runner {n}", position=n + 1, time=_time(n))
            return time.process_time() - start
        if case == "import":
            start = time.process_time()
            _import(engine, rows_file)
            return time.process_time() - start
        from ledger.journal.verify import verify
        from ledger.store.engine import open_engine as reopen

        reader, _ = reopen(db, write=False)
        try:
            with transaction(reader) as s:
                start = time.process_time()
                report = verify(s)
                spent = time.process_time() - start
            if not report.ok:
                raise SystemExit(f"{db} does not verify: {report.problems[:3]}")
            return spent
        finally:
            reader.dispose()
    finally:
        engine.dispose()


def _child(root: str, *args: str) -> str:
    done = subprocess.run([sys.executable, os.path.abspath(__file__), "--root", root, *args],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{root} {args}: {done.stderr}")
    return done.stdout.strip()


def drive(before: str, work: str, repeat: int, entries: int, appends: int, rows: int) -> dict:
    sys.path.insert(0, HERE)
    import genfile

    rows_file = os.path.join(work, "rows.csv")
    if not os.path.exists(rows_file):
        genfile.write(rows_file, rows)
    versions = {"before": before, "after": ROOT}
    templates = {}
    for name, root in versions.items():
        for kind, n, with_rows in (("small", 100, False), ("big", entries, True)):
            path = os.path.join(work, f"{name}-{kind}.db")
            if not os.path.exists(path):
                _child(root, "--build", path, "--entries", str(n), *(("--rows-file", rows_file) if with_rows else ()))
            templates[name, kind] = path
    best: dict[tuple[str, str], float] = {}
    for _ in range(repeat):
        for case in ("append", "import", "verify"):
            for name, root in versions.items():
                if case == "verify":
                    db = templates[name, "big"]
                else:
                    db = os.path.join(work, f"{name}-run.db")
                    shutil.copyfile(templates[name, "small"], db)
                spent = float(_child(root, "--case", case, "--db", db, "--appends", str(appends),
                                     "--rows-file", rows_file))
                best[case, name] = min(best.get((case, name), spent), spent)
    return {case: {"before": best[case, "before"], "after": best[case, "after"],
                   "ratio": best[case, "after"] / best[case, "before"]} for case in ("append", "import", "verify")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", help="a checkout of the version before the tree")
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--case", choices=("append", "import", "verify"), help=argparse.SUPPRESS)
    parser.add_argument("--build", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--rows-file", help=argparse.SUPPRESS)
    parser.add_argument("--work", help="a folder to keep the ledgers in (default: a temporary one)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--appends", type=int, default=300)
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    if args.root:
        _library(args.root)
        if args.build:
            build(args.build, args.entries, args.rows_file)
        else:
            print(measure(args.case, args.db, args.appends, args.rows_file))
        return
    if not args.before:
        parser.error("give --before DIR (a checkout of the version before the tree)")
    work = args.work or tempfile.mkdtemp(prefix="raceledger-tree-cost-")
    os.makedirs(work, exist_ok=True)
    print(json.dumps(drive(os.path.abspath(args.before), work, args.repeat, args.entries, args.appends, args.rows),
                     indent=2))


if __name__ == "__main__":
    main()

"""Two versions of raceledger side by side in one run: before and after a change, beside the floor.

Each measurement is a whole process; the floor, the version before and the version after run in
turn, so a machine whose speed swings between minutes slows all three alike. Ratios of the same
round are what count. The version before is another checkout with its own interpreter, e.g.

    git worktree add /tmp/before <commit> && python -m venv /tmp/venv-before \
        && /tmp/venv-before/bin/pip install -e /tmp/before
    python benchmarks/compare.py --before /tmp/before --before-python /tmp/venv-before/bin/python

It times imports (50,000 and 500,000 rows), `results` and `disputes` of a 50,000-claim category,
`disputes` over the whole ledger (--categories x 50,000 claims), and `verify` of that ledger.
Each version imports into a template ledger it made itself; the reading ledger is built once by the
version before and copied for the version after, which upgrades its copy (`init`) when its schema is
newer: both read the same claims through the same indexes.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench  # noqa: E402


class Version:
    """One checkout of raceledger and the interpreter it is installed in."""

    def __init__(self, name: str, root: Path, python: str) -> None:
        self.name, self.root, self.command = name, root, [python, "-c", "import cli; cli.main()"]

    def run(self, db: Path, *args: str) -> bench.Run:
        return bench.measure([*self.command, "--db", str(db), "--as", "bench", *args], cwd=self.root)

    def template(self, folder: Path, categories: int = 1) -> Path:
        """bench.template, made by this version (its own schema revision)."""
        db = bench.fresh(folder / f"template-{self.name}.db")
        self.run(db, "init")
        self.run(db, "event", "add", bench.EVENT, "--name", "Bench Marathon", "--date", "2025-10-12")
        self.run(db, "race", "add", bench.RACE, "--name", "Marathon", "--distance", "42195")
        for i in range(1, categories + 1):
            self.run(db, "category", "add", f"{bench.RACE}/c{i}", "--name", f"Category {i}")
        self.run(db, "source", "add", "timing", "--name", "Official timing", "--kind", "official")
        self.run(db, "source", "add", "gazette", "--name", "The Gazette", "--kind", "press")
        return db


def rounds(commands: dict[str, list], repeat: int) -> dict[str, list[bench.Run]]:
    """Each named command (a callable returning a Run) once per round, in turn, `repeat` rounds."""
    runs: dict[str, list[bench.Run]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            runs[name].append(command())
    return runs


def imports(folder: Path, versions: list[Version], sizes: list[int], repeat: int) -> dict:
    bases = {v.name: v.template(folder) for v in versions}
    found = {}
    for rows in sizes:
        path = bench.rows_file(folder, rows)

        def importer(version: Version):
            def run() -> bench.Run:
                db = bench.copy_of(bases[version.name], folder / f"import-{version.name}.db")
                return version.run(db, "import", f"{bench.RACE}/c1", str(path), "--source", "timing")
            return run

        commands = {"floor": lambda: bench.measure([*bench.FLOOR, str(path), str(bench.fresh(folder / "floor.db"))])}
        commands.update({v.name: importer(v) for v in versions})
        found[f"import {rows:,} rows"] = rounds(commands, repeat)
    return found


def reads(folder: Path, versions: list[Version], repeat: int, categories: int) -> dict:
    builder = versions[0]
    db = bench.copy_of(builder.template(folder, categories), folder / "reads.db")
    for i in range(1, categories + 1):
        path = bench.rows_file(folder, 49_000, seed=i)
        builder.run(db, "import", f"{bench.RACE}/c{i}", str(path), *bench.CITED["timing"])
        builder.run(db, "import", f"{bench.RACE}/c{i}", str(bench.disagreeing(path, folder, 49)),
                    *bench.CITED["gazette"])
    copies = {v.name: db if v is builder else bench.copy_of(db, folder / f"reads-{v.name}.db") for v in versions}
    for v in versions[1:]:
        v.run(copies[v.name], "init")
    with sqlite3.connect(db) as conn:
        claims = conn.execute("SELECT count(*) FROM claim").fetchone()[0]
    floors = {"category": [*bench.READ_FLOOR, str(db), "category", f"{bench.RACE}/c1"],
              "disputes": [*bench.READ_FLOOR, str(db), "disputes"]}
    cases = {
        "results CAT -f json": ("category", ["results", f"{bench.RACE}/c1", "-f", "json"]),
        "results CAT (table)": ("category", ["results", f"{bench.RACE}/c1"]),
        "disputes CAT -f json": ("disputes", ["disputes", f"{bench.RACE}/c1", "-f", "json"]),
        f"disputes, {claims:,} claims, -f json": ("disputes", ["disputes", "-f", "json"]),
        f"disputes, {claims:,} claims (table)": ("disputes", ["disputes"]),
        f"verify, {claims:,} claims": (None, ["verify"]),
    }
    found = {}
    for name, (floor, args) in cases.items():
        commands = {"floor": (lambda f=floors[floor]: bench.measure(f))} if floor else {}
        commands.update({v.name: (lambda v=v, a=args: v.run(copies[v.name], *a)) for v in versions})
        found[name] = rounds(commands, repeat)
    return found


def table(found: dict, names: list[str]) -> str:
    out = ["| case | floor | " + " | ".join(names) + f" | {names[1]} / {names[0]} | {names[1]} / floor |",
           "|---|---:|" + "---:|" * len(names) + "---:|---:|"]
    for case, runs in found.items():
        best = {name: bench.best(r).wall for name, r in runs.items()}
        floor = f"{best['floor']:.2f} s" if "floor" in best else "-"
        change = best[names[1]] / best[names[0]]
        over_floor = f"{best[names[1]] / best['floor']:.2f}x" if "floor" in best else "-"
        out.append(f"| {case} | {floor} | " + " | ".join(f"{best[n]:.2f} s" for n in names)
                   + f" | {change:.2f}x | {over_floor} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, type=Path, help="the checkout before the change")
    parser.add_argument("--before-python", default=sys.executable, help="the interpreter it is installed in")
    parser.add_argument("--rows", type=int, nargs="+", default=[50_000, 500_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--categories", type=int, default=20)
    parser.add_argument("--only", nargs="+", choices=["import", "reads"], default=["import", "reads"])
    args = parser.parse_args()
    bench.compile_bytecode()
    versions = [Version("before", args.before.resolve(), args.before_python),
                Version("after", HERE.parent, sys.executable)]
    subprocess.run([args.before_python, "-m", "compileall", "-q", str(args.before / "ledger"), str(args.before / "cli.py")],
                   check=True)
    folder = Path(tempfile.mkdtemp(prefix="raceledger-compare-"))
    started = time.perf_counter()
    try:
        found = {}
        if "import" in args.only:
            found.update(imports(folder, versions, args.rows, args.repeat))
        if "reads" in args.only:
            found.update(reads(folder, versions, args.repeat, args.categories))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"Machine: {bench.machine()}; best of {args.repeat} interleaved rounds; "
          f"{time.perf_counter() - started:.0f} s in all")
    print(table(found, ["before", "after"]))


if __name__ == "__main__":
    main()

"""The regression guard: versions of raceledger side by side in one run, beside the floor.

Each measurement is a whole process; the floor, each earlier version and the code of now run in
turn, round after round, so a machine whose speed swings between minutes slows them all alike.
Only ratios of the same run count. An earlier version is named by a commit: its git worktree and
its own virtual environment are made under the bench folder (`--work`, reused when present):

    python benchmarks/compare.py --against 94fe171                  # the full cases, best of 5
    python benchmarks/compare.py --against 94fe171 --against 27bb79e --repeat 3 --markdown
    python benchmarks/compare.py --against 94fe171 --quick          # sizes a tenth, one round
    python benchmarks/compare.py --before /tmp/before --before-python /tmp/venv-before/bin/python

The cases (issue 24 point 1): import of 50,000 and 500,000 rows; `results` (JSON and table) of a
50,000-claim category with one source and of a 100,000-claim category with two (both full of
namesakes, as results files are); `disputes` of both categories and over the whole ledger of
1,000,000 claims; `verify` of that ledger. A case where now is slower than an earlier version by
more than the noise allowance (5%) is flagged, and the exit status is then 1.

Each version imports into a template ledger it made itself. The reading ledger is built once by
the first version named (give the oldest first) and kept in the bench folder, keyed by its size
and schema revision; a version whose schema is newer upgrades a copy of it (`init`), kept the same
way (named by both revisions): all versions read the same journal and claims through their own
schema's indexes.
"""

from __future__ import annotations

import argparse
import functools
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench  # noqa: E402
import genfile  # noqa: E402

NOISE = 1.05  # the noise allowance: slower than an earlier version by more than this is flagged
VERIFY_FLOOR = [sys.executable, str(HERE / "bench_verify.py"), "--floor"]


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout.strip()


class Version:
    """One checkout of raceledger and the interpreter it is installed in; its cli.py is the one run."""

    def __init__(self, name: str, root: Path, python: str) -> None:
        self.name, self.root, self.command = name, root, [python, "-c", "import cli; cli.main()"]
        self.schema = ""  # the schema revision its template was made at

    def run(self, db: Path, *args: str) -> bench.Run:
        return bench.measure([*self.command, "--db", str(db), "--as", "bench", *args], cwd=self.root)

    def commit(self) -> str:
        """The commit checked out, and whether its code differs from it."""
        run = functools.partial(subprocess.run, cwd=self.root, capture_output=True, text=True)
        sha = run(["git", "rev-parse", "--short", "HEAD"]).stdout.strip()
        changed = run(["git", "status", "--porcelain", "--", "ledger", "migrations", "cli.py"]).stdout.strip()
        return f"{sha} + uncommitted changes" if changed else sha

    def compile(self) -> None:
        """Byte-compile the checkout as `pip install` does, so that no timed process compiles it."""
        subprocess.run([self.command[0], "-m", "compileall", "-q", str(self.root / "ledger"),
                        str(self.root / "migrations"), str(self.root / "cli.py")], check=True)

    def template(self, folder: Path, categories: int = 1) -> Path:
        """bench.template, made by this version (its own schema revision, noted in self.schema)."""
        db = bench.fresh(folder / f"template-{self.name}.db")
        self.run(db, "init")
        self.run(db, "event", "add", bench.EVENT, "--name", "Bench Marathon", "--date", "2025-10-12")
        self.run(db, "race", "add", bench.RACE, "--name", "Marathon", "--distance", "42195")
        for i in range(1, categories + 1):
            self.run(db, "category", "add", f"{bench.RACE}/c{i}", "--name", f"Category {i}")
        self.run(db, "source", "add", "timing", "--name", "Official timing", "--kind", "official")
        self.run(db, "source", "add", "gazette", "--name", "The Gazette", "--kind", "press")
        with sqlite3.connect(db) as conn:
            self.schema = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        return db


def checkout(rev: str, work: Path) -> Version:
    """REV's worktree and virtual environment under `work`, made once and reused."""
    sha = git("rev-parse", "--verify", f"{rev}^{{commit}}")
    tree, venv = work / sha[:12], work / f"{sha[:12]}-venv"
    if not (tree / "cli.py").exists():
        print(f"Making the worktree of {rev} in {tree} ...", file=sys.stderr)
        git("worktree", "add", "--detach", str(tree), sha)
    python = venv / "bin" / "python"
    if not (venv / "installed").exists():  # written last: a venv whose install failed is made again
        print(f"Installing {rev} into {venv} ...", file=sys.stderr)
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", str(tree)], check=True)
        (venv / "installed").write_text(sha + "\n")
    return Version(rev, tree, str(python))


def rounds(commands: dict[str, Callable[[], bench.Run]], repeat: int) -> dict[str, list[bench.Run]]:
    """Each named command once per round, in turn, `repeat` rounds."""
    runs: dict[str, list[bench.Run]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            runs[name].append(command())
    return runs


def results_file(work: Path, rows: int, seed: int = 1) -> Path:
    """genfile's file of `rows` rows, kept in the bench folder (written whole, then renamed)."""
    path = work / "files" / f"results-{rows}-{seed}.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        genfile.write(str(partial), rows, seed)
        partial.replace(path)
    return path


def press_copy(path: Path, every: int = 200) -> Path:
    """A press source's version of a whole results file: the same rows, but every `every`-th
    finisher swapped with the next one (each placed where the other was)."""
    out = path.with_name(f"press-all-{path.name}")
    if not out.exists():
        lines = path.read_text(encoding="utf-8").splitlines()
        for i in range(every, len(lines) - 1, every):
            first, second = lines[i].split(","), lines[i + 1].split(",")
            if first[0] and second[0]:  # place, then bib, names, sex, nationality, year: the athlete
                first[1:7], second[1:7] = second[1:7], first[1:7]
                lines[i], lines[i + 1] = ",".join(first), ",".join(second)
        partial = out.with_suffix(".partial")
        partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
        partial.replace(out)
    return out


def imports(folder: Path, work: Path, versions: list[Version], sizes: list[int], repeat: int) -> dict:
    bases = {v.name: v.template(folder) for v in versions}
    found = {}
    for rows in sizes:
        path = results_file(work, rows)

        def importer(version: Version) -> Callable[[], bench.Run]:
            def run() -> bench.Run:
                db = bench.copy_of(bases[version.name], folder / "import.db")
                return version.run(db, "import", f"{bench.RACE}/c1", str(path), "--source", "timing")
            return run

        commands = {"floor": lambda: bench.measure([*bench.FLOOR, str(path), str(bench.fresh(folder / "floor.db"))])}
        commands.update({v.name: importer(v) for v in versions})
        found[f"import {rows:,} rows"] = rounds(commands, repeat)
    return found


def build_reads(db: Path, builder: Version, work: Path, unit: int, categories: int) -> None:
    """c1: `unit` official rows (one source); c2: the same number again, and a press copy of all of
    them (two sources, 1 in 200 placed differently); c3...: `unit` claims each, 2% from the press."""
    official = results_file(work, unit, seed=1)
    builder.run(db, "import", f"{bench.RACE}/c1", str(official), *bench.CITED["timing"])
    official = results_file(work, unit, seed=2)
    builder.run(db, "import", f"{bench.RACE}/c2", str(official), *bench.CITED["timing"])
    builder.run(db, "import", f"{bench.RACE}/c2", str(press_copy(official)), *bench.CITED["gazette"])
    for i in range(3, categories + 1):
        official = results_file(work, unit * 49 // 50, seed=i)
        builder.run(db, "import", f"{bench.RACE}/c{i}", str(official), *bench.CITED["timing"])
        builder.run(db, "import", f"{bench.RACE}/c{i}", str(bench.disagreeing(official, official.parent, 49)),
                    *bench.CITED["gazette"])


def kept(path: Path, make: Callable[[Path], None]) -> Path:
    """`path`, made once by `make` under another name and renamed when whole."""
    if not path.exists():
        partial = bench.fresh(path.with_suffix(".partial"))
        make(partial)
        with sqlite3.connect(partial) as conn:  # one file, no -wal beside it, before the rename
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        partial.replace(path)
        for suffix in ("-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
    return path


def reads(folder: Path, work: Path, versions: list[Version], repeat: int, unit: int, claims: int) -> dict:
    categories = claims // unit - 1  # c2 holds two units
    builder = versions[0]
    template = builder.template(folder, categories)
    ledgers = work / "ledgers"
    ledgers.mkdir(parents=True, exist_ok=True)

    def build(db: Path) -> None:
        print(f"Building the reading ledger of {claims:,} claims with {builder.name} (once) ...", file=sys.stderr)
        bench.copy_of(template, db)
        build_reads(db, builder, work, unit, categories)

    built = kept(ledgers / f"reads-{claims}-{unit}-{builder.schema}.db", build)
    copies = {builder.name: built}
    for v in versions[1:]:
        if v.schema != builder.schema:
            v.template(folder)  # notes v.schema
        copies[v.name] = kept(ledgers / f"reads-{claims}-{unit}-{builder.schema}-as-{v.schema}.db",
                              lambda db, v=v: (bench.copy_of(built, db), v.run(db, "init")))
    with sqlite3.connect(built) as conn:
        total = conn.execute("SELECT count(*) FROM claim").fetchone()[0]
    one, two = f"{bench.RACE}/c1", f"{bench.RACE}/c2"
    size = f"{unit:,}"
    floor = [*bench.READ_FLOOR, str(built)]
    cases = {
        f"results, {size} claims, 1 source, -f json": ([*floor, "category", one], ["results", one, "-f", "json"]),
        f"results, {size} claims, 1 source (table)": ([*floor, "category", one], ["results", one]),
        f"results, {2 * unit:,} claims, 2 sources, -f json": ([*floor, "category", two], ["results", two, "-f", "json"]),
        f"results, {2 * unit:,} claims, 2 sources (table)": ([*floor, "category", two], ["results", two]),
        f"disputes, {size} claims, 1 source, -f json": ([*floor, "disputes", one], ["disputes", one, "-f", "json"]),
        f"disputes, {2 * unit:,} claims, 2 sources, -f json": ([*floor, "disputes", two], ["disputes", two, "-f", "json"]),
        f"disputes, {total:,} claims, -f json": ([*floor, "disputes"], ["disputes", "-f", "json"]),
        f"disputes, {total:,} claims (table)": ([*floor, "disputes"], ["disputes"]),
        f"verify, {total:,} claims": ([*VERIFY_FLOOR, str(built)], ["verify"]),
    }
    found = {}
    for name, (floor_command, args) in cases.items():
        commands = {"floor": lambda f=floor_command: bench.measure(f)}
        commands.update({v.name: (lambda v=v, a=args: v.run(copies[v.name], *a)) for v in versions})
        found[name] = rounds(commands, repeat)
    return found


def table(found: dict, earlier: list[str], now: str) -> tuple[str, list[str]]:
    """The Markdown table (case, floor, each earlier version, now, now / each, now / floor) and the
    cases slower than an earlier version by more than the noise allowance."""
    out = ["| case | floor | " + " | ".join(earlier) + f" | {now} | " + " | ".join(f"{now} / {e}" for e in earlier)
           + f" | {now} / floor |", "|---|---:|" + "---:|" * (2 * len(earlier) + 2)]
    slower = []
    for case, runs in found.items():
        best = {name: bench.best(r).wall for name, r in runs.items()}
        ratios = []
        for e in earlier:
            ratio = best[now] / best[e]
            if ratio > NOISE:
                slower.append(f"{case}: {ratio:.2f}x {e}")
            ratios.append(f"**{ratio:.2f}x**" if ratio > NOISE else f"{ratio:.2f}x")
        out.append(f"| {case} | {best['floor']:.2f} s | " + " | ".join(f"{best[n]:.2f} s" for n in [*earlier, now])
                   + " | " + " | ".join(ratios) + f" | {best[now] / best['floor']:.2f}x |")
    return "\n".join(out), slower


def plain(markdown: str) -> str:
    """The table for a terminal: aligned columns, no Markdown."""
    rows = [[cell.strip().strip("*") for cell in line.strip("|").split("|")]
            for line in markdown.splitlines() if not line.startswith("|---")]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
                     for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n")[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", metavar="REV", action="append", default=[],
                        help="an earlier commit, measured from its own worktree and venv (repeatable; oldest first)")
    parser.add_argument("--now", metavar="REV", help="measure REV's worktree as now (default: this checkout)")
    parser.add_argument("--before", type=Path, help="an earlier checkout made by hand (with --before-python)")
    parser.add_argument("--before-python", default=sys.executable, help="the interpreter --before is installed in")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "raceledger-bench",
                        help="the bench folder: worktrees, venvs, results files and reading ledgers kept between runs")
    parser.add_argument("--rows", type=int, nargs="+", help="import sizes (default 50000 500000)")
    parser.add_argument("--unit", type=int, help="claims of the one-source category (default 50000)")
    parser.add_argument("--claims", type=int, help="claims of the whole reading ledger (default 1000000)")
    parser.add_argument("--quick", action="store_true", help="sizes a tenth (5,000 claims a unit) and one round")
    parser.add_argument("--repeat", type=int, help="interleaved rounds, the best counts (default 5; --quick 1)")
    parser.add_argument("--only", nargs="+", choices=["import", "reads"], default=["import", "reads"])
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown, for the README")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    rows = args.rows or [50_000 // scale, 500_000 // scale]
    unit, claims = args.unit or 50_000 // scale, args.claims or 1_000_000 // scale
    repeat = args.repeat or (1 if args.quick else 5)
    if not args.against and not args.before:
        parser.error("name an earlier version: --against REV or --before PATH")
    if claims % unit or claims < 3 * unit:
        parser.error("--claims must be a multiple of --unit, at least 3 units")
    args.work.mkdir(parents=True, exist_ok=True)
    versions = [checkout(rev, args.work) for rev in args.against]
    if args.before:
        versions.append(Version("before", args.before.resolve(), args.before_python))
    now = Version("now", ROOT, sys.executable) if args.now is None else checkout(args.now, args.work)
    now.name = "now"
    versions.append(now)
    if len({v.name for v in versions}) < len(versions):
        parser.error("each version once")
    for v in versions:
        v.compile()
    folder = Path(tempfile.mkdtemp(prefix="raceledger-compare-"))
    started = time.perf_counter()
    try:
        found = {}
        if "import" in args.only:
            found.update(imports(folder, args.work, versions, rows, repeat))
        if "reads" in args.only:
            found.update(reads(folder, args.work, versions, repeat, unit, claims))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    earlier = [v.name for v in versions[:-1]]
    markdown, slower = table(found, earlier, "now")
    named = "; ".join(f"{v.name} = {v.commit()}" for v in versions)
    print(f"Machine: {bench.machine()}\n{named}; best of {repeat} interleaved rounds; "
          f"{time.perf_counter() - started:.0f} s in all")
    print(markdown if args.markdown else plain(markdown))
    if slower:
        print(f"Slower than before by more than {NOISE - 1:.0%}: " + "; ".join(slower))
        sys.exit(1)


if __name__ == "__main__":
    main()

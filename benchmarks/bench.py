"""raceledger against its floor, side by side in one run: imports, reading commands, export + load.

Every measurement is a whole process (`raceledger ...` or the floor script) started by this one,
timed wall-clock, with its peak memory (ru_maxrss from wait4). Runs alternate between the floor and
raceledger so that a busy machine slows both alike; the best of --repeat runs is reported, with
the median beside it.

    python benchmarks/bench.py                      # everything (about 10 minutes on 2 cores)
    python benchmarks/bench.py --only import --rows 50000 500000 --repeat 5
    python benchmarks/bench.py --markdown           # tables for the README

Reading commands have a floor too (read_floor.py): raw sqlite3 reading the same claims from the
same file, written with the json module.

Targets (issue 3): import <= 2.0x the floor at 50,000 rows and <= 1.5x at 500,000; import peak
memory <= 120 MiB at 500,000 rows; `results` and `disputes` on a 50,000-claim category and
`disputes` over 1,000,000 claims under 1 s; export + load of 500,000 claims <= 3x the floor.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import genfile  # noqa: E402

RACELEDGER = [sys.executable, "-c", "import cli; cli.main()"]
FLOOR = [sys.executable, str(HERE / "floor.py")]
READ_FLOOR = [sys.executable, str(HERE / "read_floor.py")]
EVENT, RACE = "bench-2025", "bench-2025/marathon"
MIB = 1024 * 1024


@dataclass
class Run:
    wall: float
    rss: int  # bytes


def measure(command: list[str], env: dict | None = None, stdout=subprocess.DEVNULL, cwd: Path = HERE.parent) -> Run:
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=stdout, stderr=subprocess.PIPE, env=env, cwd=cwd)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    error = process.stderr.read().decode() if process.stderr else ""
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{error}")
    return Run(wall, usage.ru_maxrss * 1024)


def ledger(db: Path, *args: str, stdout=subprocess.DEVNULL) -> Run:
    return measure([*RACELEDGER, "--db", str(db), "--as", "bench", *args], stdout=stdout)


def fresh(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def catalog(categories: int = 1) -> list[tuple[str, ...]]:
    """The commands that give a new ledger template()'s event, race, categories and sources."""
    return [("event", "add", EVENT, "--name", "Bench Marathon", "--date", "2025-10-12"),
            ("race", "add", RACE, "--name", "Marathon", "--distance", "42195"),
            *(("category", "add", f"{RACE}/c{i}", "--name", f"Category {i}") for i in range(1, categories + 1)),
            ("source", "add", "timing", "--name", "Official timing", "--kind", "official"),
            ("source", "add", "gazette", "--name", "The Gazette", "--kind", "press")]


def template(folder: Path, categories: int = 1) -> Path:
    """A ledger with an event, a race, categories c1..cN and two sources; nothing timed."""
    db = fresh(folder / "template.db")
    ledger(db, "init")
    for args in catalog(categories):
        ledger(db, *args)
    return db


def copy_of(db: Path, to: Path) -> Path:
    fresh(to)
    shutil.copyfile(db, to)
    return to


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.wall)


def median(runs: list[Run]) -> float:
    return statistics.median(r.wall for r in runs)


def rows_file(folder: Path, rows: int, seed: int = 1) -> Path:
    path = folder / f"results-{rows}-{seed}.csv"
    if not path.exists():
        genfile.write(str(path), rows, seed)
    return path


# --- import ---------------------------------------------------------------------------------------


def bench_import(folder: Path, sizes: list[int], repeat: int) -> list[dict]:
    base = template(folder)
    found = []
    for rows in sizes:
        path = rows_file(folder, rows)
        floors, imports = [], []
        for _ in range(repeat):
            floors.append(measure([*FLOOR, str(path), str(fresh(folder / "floor.db"))]))
            db = copy_of(base, folder / "import.db")
            imports.append(ledger(db, "import", f"{RACE}/c1", str(path), "--source", "timing"))
        floor, imported = best(floors), best(imports)
        found.append({"rows": rows, "floor": floor.wall, "floor_median": median(floors), "import": imported.wall,
                      "import_median": median(imports), "ratio": imported.wall / floor.wall,
                      "ratio_median": median(imports) / median(floors),
                      "rss": max(r.rss for r in imports), "floor_rss": max(r.rss for r in floors)})
    return found


# --- reading commands -----------------------------------------------------------------------------


def disagreeing(path: Path, folder: Path, every: int) -> Path:
    """Every `every`-th row of a results file, some placed one lower: a press source's version."""
    out = folder / f"press-{path.stem}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [lines[0]]
    for i, line in enumerate(lines[1:], 1):
        if i % every == 0:
            fields = line.split(",")
            if fields[0] and i % (every * 4) == 0:
                fields[0] = str(int(fields[0]) + 1)
            kept.append(",".join(fields))
    out.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return out


def side_by_side(floor: list[str], command: list[str], repeat: int) -> dict:
    """The floor and the command, alternating, `repeat` times each."""
    runs: dict[str, list[Run]] = {"floor": [], "raceledger": []}
    for _ in range(repeat):
        runs["floor"].append(measure(floor))
        runs["raceledger"].append(measure(command))
    return runs


# Official results are cited (a URL and a date on every claim), as an official import would be.
CITED = {source: ["--source", source, "--url", f"https://{source}.example/bench-2025", "--published", "2025-04-06"]
         for source in ("timing", "gazette")}


def bench_reads(folder: Path, repeat: int, categories: int) -> dict:
    """A 50,000-claim category (49,000 official rows, 1,000 press rows, some disputed), then a ledger
    of `categories` x 50,000 claims; each reading command beside its floor (read_floor.py)."""
    db = copy_of(template(folder, categories), folder / "reads.db")
    official = rows_file(folder, 49_000)
    ledger(db, "import", f"{RACE}/c1", str(official), *CITED["timing"])
    ledger(db, "import", f"{RACE}/c1", str(disagreeing(official, folder, 49)), *CITED["gazette"])
    in_category = [*READ_FLOOR, str(db), "category", f"{RACE}/c1"]
    contested = [*READ_FLOOR, str(db), "disputes"]
    command = [*RACELEDGER, "--db", str(db)]
    commands = {
        "results CAT -f json": (in_category, ["results", f"{RACE}/c1", "-f", "json"]),
        "results CAT (table)": (in_category, ["results", f"{RACE}/c1"]),
        "disputes CAT -f json": (contested, ["disputes", f"{RACE}/c1", "-f", "json"]),
        "disputes CAT (table)": (contested, ["disputes", f"{RACE}/c1"]),
    }
    found = {"category": {name: side_by_side(floor, [*command, *args], repeat)
                          for name, (floor, args) in commands.items()}}
    start = time.perf_counter()
    for i in range(2, categories + 1):
        path = rows_file(folder, 49_000, seed=i)
        ledger(db, "import", f"{RACE}/c{i}", str(path), *CITED["timing"])
        ledger(db, "import", f"{RACE}/c{i}", str(disagreeing(path, folder, 49)), *CITED["gazette"])
    found["build"] = time.perf_counter() - start
    with sqlite3.connect(db) as conn:
        found["claims"] = conn.execute("SELECT count(*) FROM claim").fetchone()[0]
    found["ledger"] = {
        "disputes -f json": side_by_side(contested, [*command, "disputes", "-f", "json"], repeat),
        "disputes (table)": side_by_side(contested, [*command, "disputes"], repeat),
    }
    return found


# --- export and load ------------------------------------------------------------------------------


def bench_exchange(folder: Path, rows: int, repeat: int) -> dict:
    path = rows_file(folder, rows)
    db = copy_of(template(folder), folder / "exchange.db")
    ledger(db, "import", f"{RACE}/c1", str(path), "--source", "timing")
    exports, loads, floors = [], [], []
    export = folder / "ledger.jsonl"
    for _ in range(repeat):
        floors.append(measure([*FLOOR, str(path), str(fresh(folder / "floor.db"))]))
        exports.append(ledger(db, "export", str(export)))
        loads.append(ledger(fresh(folder / "loaded.db"), "load", str(export)))
    again = folder / "again.jsonl"
    ledger(folder / "loaded.db", "export", str(again))
    floor = best(floors).wall
    total = best(exports).wall + best(loads).wall
    return {"rows": rows, "floor": floor, "export": best(exports).wall, "load": best(loads).wall, "total": total,
            "ratio": total / floor, "bytes": export.stat().st_size, "load_rss": max(r.rss for r in loads),
            "identical": export.read_bytes() == again.read_bytes()}


# --- report ---------------------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{model}, {os.cpu_count()} cores; Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; "
            f"load average {load}")


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(found: dict, markdown: bool) -> str:
    out = [f"Machine: {machine()}", ""]
    if "import" in found:
        out += ["Import vs floor (csv module + raw sqlite3 executemany, same schema and indexes, one transaction):",
                "| rows | floor | raceledger import | ratio (best) | ratio (median) | target | import peak RSS |",
                "|---:|---:|---:|---:|---:|---|---:|"]
        for r in found["import"]:
            target = 2.0 if r["rows"] <= 50_000 else 1.5
            out.append(f"| {r['rows']:,} | {r['floor']:.2f} s | {r['import']:.2f} s | {r['ratio']:.2f}x | "
                       f"{r['ratio_median']:.2f}x | <= {target}x: {verdict(r['ratio'] <= target)} | "
                       f"{r['rss'] / MIB:.0f} MiB ({verdict(r['rss'] <= 120 * MIB) if r['rows'] >= 500_000 else 'n/a'}) |")
        out.append("")
    if "reads" in found:
        reads = found["reads"]
        out += ["Reading commands, whole process, beside their floor (raw sqlite3 reading the same claims"
                " from the same file, written with the json module; target: under 1 s):",
                "| command | scope | floor | raceledger (best) | raceledger (median) | ratio (best) | target |",
                "|---|---|---:|---:|---:|---:|---|"]
        scopes = [("category", "one category, 50,000 claims"), ("ledger", f"whole ledger, {reads['claims']:,} claims")]
        for key, scope in scopes:
            for name, runs in reads[key].items():
                floor, seconds = best(runs["floor"]).wall, best(runs["raceledger"]).wall
                out.append(f"| {name} | {scope} | {floor:.2f} s | {seconds:.2f} s | {median(runs['raceledger']):.2f} s | "
                           f"{seconds / floor:.2f}x | {verdict(seconds < 1)} |")
        out.append("")
    if "exchange" in found:
        e = found["exchange"]
        out += ["Export + load vs the floor's load of the same rows (target: <= 3x):",
                "| claims | floor | export | load | export + load | ratio | export size | identical re-export |",
                "|---:|---:|---:|---:|---:|---:|---:|---|",
                f"| {e['rows']:,} | {e['floor']:.2f} s | {e['export']:.2f} s | {e['load']:.2f} s | {e['total']:.2f} s | "
                f"{e['ratio']:.2f}x ({verdict(e['ratio'] <= 3)}) | {e['bytes'] / MIB:.0f} MiB | {e['identical']} |", ""]
    return "\n".join(line for line in out if markdown or not line.startswith("|-"))


def compile_bytecode() -> None:
    """Byte-compile the checkout, as `pip install` does for users: without it, where
    PYTHONDONTWRITEBYTECODE is set, every raceledger process would compile its modules anew."""
    import compileall

    root = HERE.parent
    for folder in ("ledger", "migrations"):
        compileall.compile_dir(str(root / folder), quiet=1)
    compileall.compile_file(str(root / "cli.py"), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[50_000, 500_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="+", choices=["import", "reads", "exchange"],
                        default=["import", "reads", "exchange"])
    parser.add_argument("--categories", type=int, default=20, help="categories of 50,000 claims in the big ledger")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR (kept) instead of a temporary folder")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    compile_bytecode()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="raceledger-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    found: dict = {}
    try:
        if "import" in args.only:
            found["import"] = bench_import(folder, args.rows, args.repeat)
            print(report(found, args.markdown), flush=True)
        if "reads" in args.only:
            found["reads"] = bench_reads(folder, args.repeat, args.categories)
        if "exchange" in args.only:
            found["exchange"] = bench_exchange(folder, max(args.rows), args.repeat)
        print(report(found, args.markdown))
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

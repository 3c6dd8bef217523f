"""Race-day speed (issue 21, point 8), measured in-process against raw sqlite3 floors.

Unlike bench.py, each figure is a library call timed inside this process (the write transaction
and the call, commit included), so that interpreter start-up does not hide the work. Each floor is
raw `sqlite3` doing the same inserts into the same schema and indexes (a copy of the same ledger
file, so the very tables and indexes), with the ledger's pragmas (WAL, foreign keys on, busy
timeout; BEGIN IMMEDIATE), reading the same input with the standard library, and nothing else: no
checks, no journal hashing, no projection beyond the rows.

    python benchmarks/raceday_bench.py                       # all three, best of 5
    python benchmarks/raceday_bench.py --only finish --repeat 3
    python benchmarks/raceday_bench.py --only live --claims 1000000 --lines 1000 --keep /tmp/raceday

- `finish` of --bibs (10,000) bibs from a file into a category of a race with that many entrants;
  floor: map each bib to its athlete (one SELECT of the entrants), one journal row holding the
  lines, executemany of the claim rows. Target: at most 2.5x.
- `entrants import` of --entrants (50,000) runners from a CSV start list; floor: csv module, one
  journal row, executemany of the new athletes and the entrant rows. Target: at most 2.5x.
- one `finish --live` line on a --claims (1,000,000)-claim ledger, over --lines (1,000) lines, each
  its own transaction; floor: one claim row inserted and committed per line. Target: at most 10x.

Rounds alternate floor and raceledger on fresh copies of one prepared ledger; the best counts,
with the median beside it.

Where this machine's speed swings too much for seconds to settle (other work on its two cores),
`--instructions` counts instead: valgrind's callgrind runs the case's floor and raceledger each in
a process of their own, and once more with nothing but the set-up, which is subtracted. Counts are
the same from run to run whatever else the machine does; raceledger is counted on its second call
in the process (the first also configures SQLAlchemy's mappers once for the process).

    python benchmarks/raceday_bench.py --only finish --instructions --keep /tmp/raceday
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import sqlite3
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from click.testing import CliRunner  # noqa: E402

import genfile  # noqa: E402
from cli import cli  # noqa: E402
from ledger.imports import entrants as entrants_import  # noqa: E402
from ledger.imports import finish as finishing  # noqa: E402
from ledger.imports.importer import ImportRequest, import_file  # noqa: E402
from ledger.store.engine import open_engine, transaction  # noqa: E402

EVENT, RACE = "bench-2025", "bench-2025/marathon"
FIRST = ["Ada", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ivy", "Jo", "Kai", "Lu", "Mo", "Ned", "Oz"]
LAST = ["Ash", "Birch", "Cedar", "Elm", "Fir", "Hazel", "Larch", "Maple", "Oak", "Pine", "Rowan", "Yew"]


def cli_run(db: Path, *args: str) -> None:
    done = CliRunner().invoke(cli, ["--db", str(db), "--as", "bench", *args])
    if done.exit_code != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.output}")


def catalog(db: Path, categories: list[str]) -> None:
    cli_run(db, "init")
    cli_run(db, "event", "add", EVENT, "--name", "Bench Marathon", "--date", "2025-10-12")
    cli_run(db, "race", "add", RACE, "--name", "Marathon", "--distance", "42195")
    for slug in categories:
        cli_run(db, "category", "add", f"{RACE}/{slug}", "--name", slug)
    cli_run(db, "source", "add", "timing", "--name", "Timing", "--kind", "official")


def start_list(path: Path, count: int, first_bib: int = 1) -> None:
    """A fictional start list: bib, name, sex, birth date, club, category."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["Bib", "First Name", "Last Name", "Sex", "Birth Date", "Club", "Category"])
        for i in range(count):
            year = 1950 + i % 55
            out.writerow([first_bib + i, FIRST[i % len(FIRST)], f"{LAST[i % len(LAST)]}{i}", "MF"[i % 2],
                          f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}", f"Club {i % 40}", f"AG{year // 5}"])


def order(path: Path, count: int, first_bib: int = 1) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for i in range(count):
            seconds = 2 * 3600 + 6 * 60 + i
            f.write(f"{first_bib + i} {seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}\n")


def floor_connection(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    return conn


def next_of(conn: sqlite3.Connection, table: str, column: str) -> int:
    return (conn.execute(f"SELECT max({column}) FROM {table}").fetchone()[0] or 0) + 1


def journal_row(conn: sqlite3.Connection, kind: str, body: str) -> int:
    seq = next_of(conn, "journal", "seq")
    conn.execute("INSERT INTO journal (seq, kind, body, prev_hash, entry_hash, recorded_at, recorded_by) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?)", (seq, kind, body, "0" * 64, f"{seq:064x}", "2025-10-12T00:00:00", "b"))
    return seq


CLAIM = ("INSERT INTO claim (id, seq, category_id, source_id, athlete_id, position, time_ms, time_decimals, "
         "net_time_decimals, status, bib) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 'FIN', ?)")


def floor_finish(db: Path, path: Path, category_id: int) -> float:
    conn = floor_connection(db)
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    holders = dict(conn.execute("SELECT bib, athlete_id FROM entrant"))
    text = path.read_text(encoding="utf-8")
    seq = journal_row(conn, "finish", text)
    first = next_of(conn, "claim", "id")
    rows = []
    for n, line in enumerate(text.splitlines()):
        bib, clock = line.split()
        h, m, s = clock.split(":")
        rows.append((first + n, seq, category_id, 1, holders[bib], n + 1, (int(h) * 3600 + int(m) * 60 + int(s)) * 1000,
                     bib))
    conn.executemany(CLAIM, rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def floor_entrants(db: Path, path: Path) -> float:
    conn = floor_connection(db)
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    with open(path, newline="", encoding="utf-8") as f:
        text = f.read()
    seq = journal_row(conn, "entrants", text)
    first = next_of(conn, "athlete", "id")
    athletes, entrants = [], []
    for n, (bib, given, family, sex, born, club, group) in enumerate(csv.reader(io.StringIO(text))):
        if n == 0:
            continue
        name = f"{given} {family}"
        athletes.append((first + n - 1, name, name.lower(), int(born[:4]), seq))
        entrants.append((1, bib, seq, first + n - 1, 1, n + 1, name, sex, born, int(born[:4]), club, group))
    conn.executemany("INSERT INTO athlete (id, name, key, born, seq) VALUES (?, ?, ?, ?, ?)", athletes)
    conn.executemany("INSERT INTO entrant (race_id, bib, seq, athlete_id, source_id, line, name, sex, birth_date, "
                     "born, club, start_category) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", entrants)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def floor_live(db: Path, lines: int, category_id: int, first_bib: int) -> float:
    """Each line: one claim row inserted and committed."""
    conn = floor_connection(db)
    holders = dict(conn.execute("SELECT bib, athlete_id FROM entrant"))
    first, seq = next_of(conn, "claim", "id"), next_of(conn, "journal", "seq") - 1
    start = time.perf_counter()
    for n in range(lines):
        bib = str(first_bib + n)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(CLAIM, (first + n, seq, category_id, 1, holders[bib], n + 1, 7_560_000 + n * 1000, bib))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def ours_finish(db: Path, path: Path, category: str) -> float:
    engine, _ = open_engine(str(db))
    try:
        start = time.perf_counter()
        with transaction(engine) as session, open(path, encoding="utf-8") as lines:
            finishing.record_finish(session, "bench", finishing.FinishRequest(category, "timing", str(path)), lines)
        return time.perf_counter() - start
    finally:
        engine.dispose()


def ours_entrants(db: Path, path: Path) -> float:
    engine, _ = open_engine(str(db))
    try:
        start = time.perf_counter()
        with transaction(engine) as session:
            entrants_import.import_entrants(session, "bench", RACE, str(path), "timing")
        return time.perf_counter() - start
    finally:
        engine.dispose()


def ours_live(db: Path, lines: int, category: str, first_bib: int) -> float:
    engine, _ = open_engine(str(db))
    try:
        with transaction(engine) as session:
            target = finishing.live_target(session, category, "timing")
        start = time.perf_counter()
        for n in range(lines):
            seconds = 2 * 3600 + 6 * 60 + n
            text = f"{first_bib + n} {seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}\n"
            with transaction(engine) as session:
                finishing.live_line(session, "bench", target, text)
        return time.perf_counter() - start
    finally:
        engine.dispose()


def rounds(name: str, template: Path, work: Path, floor, ours, repeat: int) -> dict:
    """Floor and raceledger in turn, each on a fresh copy of the template ledger."""
    floors, mine = [], []
    for n in range(repeat):
        for runs, call in ((floors, floor), (mine, ours)):
            copy = work / f"{name}-{n}-{len(runs)}-{'f' if runs is floors else 'r'}.db"
            shutil.copyfile(template, copy)
            runs.append(call(copy))
            copy.unlink()
            for extra in (copy.with_name(copy.name + "-wal"), copy.with_name(copy.name + "-shm")):
                extra.unlink(missing_ok=True)
    return {"case": name, "floor": min(floors), "ours": min(mine), "floor_median": statistics.median(floors),
            "ours_median": statistics.median(mine)}


def prepare_finish(work: Path, bibs: int) -> tuple[Path, Path]:
    db = work / "finish.db"
    if not db.exists():
        catalog(db, ["open"])
        start_list(work / "finish-start.csv", bibs)
        cli_run(db, "entrants", "import", RACE, str(work / "finish-start.csv"), "--source", "timing")
    order(work / "finish-order.txt", bibs)
    return db, work / "finish-order.txt"


def prepare_entrants(work: Path, count: int) -> tuple[Path, Path]:
    db = work / "entrants.db"
    if not db.exists():
        catalog(db, ["open"])
    start_list(work / "entrants.csv", count)
    return db, work / "entrants.csv"


def prepare_live(work: Path, claims: int, lines: int) -> Path:
    """A ledger of `claims` claims in 50,000-claim categories of the race, and a category for the
    live feed whose `lines` runners are on the start list."""
    db = work / f"live-{claims}.db"
    if db.exists():
        return db
    categories = max(1, claims // 50_000)
    catalog(db, [f"c{n}" for n in range(categories)] + ["live"])
    genfile.write(str(work / "rows.csv"), min(claims, 50_000))
    engine, _ = open_engine(str(db))
    try:
        for n in range(categories):
            with transaction(engine) as session:
                import_file(session, "bench", ImportRequest(f"{RACE}/c{n}", "timing", str(work / "rows.csv")))
            print(f"  built {(n + 1) * 50_000:,} claims", file=sys.stderr)
    finally:
        engine.dispose()
    start_list(work / "live-start.csv", lines, first_bib=900_000)
    cli_run(db, "entrants", "import", RACE, str(work / "live-start.csv"), "--source", "timing")
    return db


def one_side(work: Path, case: str, side: str, args: argparse.Namespace) -> None:
    """Run one side of a case in this process (under valgrind, for --instructions): `base` does the
    set-up alone, `floor` the floor once, `ours` raceledger twice (the second call is the one counted)."""
    if case == "finish":
        db, path = prepare_finish(work, args.bibs)
        category_id = sqlite3.connect(db).execute("SELECT id FROM category WHERE slug = ?", (f"{RACE}/open",)).fetchone()[0]
        calls = {"floor": lambda copy: floor_finish(copy, path, category_id),
                 "ours": lambda copy: ours_finish(copy, path, f"{RACE}/open")}
    else:
        db, path = prepare_entrants(work, args.entrants)
        calls = {"floor": lambda copy: floor_entrants(copy, path), "ours": lambda copy: ours_entrants(copy, path)}
    for _ in range({"base": 0, "floor": 1, "ours": 2, "ours-once": 1}[side]):
        copy = work / f"instructions-{case}.db"
        shutil.copyfile(db, copy)
        calls[side.removesuffix("-once")](copy)
        for extra in (copy, copy.with_name(copy.name + "-wal"), copy.with_name(copy.name + "-shm")):
            extra.unlink(missing_ok=True)


def instructions(work: Path, case: str, args: argparse.Namespace) -> dict:
    """Instructions of the floor and of raceledger's second call, set-up subtracted (callgrind)."""
    (prepare_finish(work, args.bibs) if case == "finish" else prepare_entrants(work, args.entrants))  # not counted
    counts = {}
    for side in ("base", "floor", "ours-once", "ours"):
        done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                               __file__, "--side", f"{case}:{side}", "--keep", str(work), "--bibs", str(args.bibs),
                               "--entrants", str(args.entrants)], capture_output=True, text=True, check=True)
        counts[side] = int(re.search(r"refs:\s+([\d,]+)", done.stderr).group(1).replace(",", ""))
    floor, once = counts["floor"] - counts["base"], counts["ours-once"] - counts["base"]
    return {"case": case, "floor": floor, "first": once, "ours": counts["ours"] - counts["ours-once"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["finish", "entrants", "live"], action="append")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--bibs", type=int, default=10_000)
    parser.add_argument("--entrants", type=int, default=50_000)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=1_000)
    parser.add_argument("--keep", type=Path, help="keep the prepared ledgers in this folder (built once)")
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions under valgrind's callgrind instead of timing (finish, entrants)")
    parser.add_argument("--side", help=argparse.SUPPRESS)  # CASE:SIDE, one side run under valgrind
    args = parser.parse_args()
    only = set(args.only or ["finish", "entrants", "live"])
    work = args.keep or Path(tempfile.mkdtemp(prefix="raceday-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.side:
        one_side(work, *args.side.split(":"), args)
        return
    if args.instructions:
        try:
            counted = [instructions(work, case, args) for case in ("finish", "entrants") if case in only]
        finally:
            if args.keep is None:
                shutil.rmtree(work, ignore_errors=True)
        print("| case | floor | raceledger (first call) | raceledger | ratio | target |\n|---|---:|---:|---:|---:|---:|")
        for c in counted:
            ratio = c["ours"] / c["floor"]
            print(f"| {c['case']} | {c['floor'] / 1e6:,.0f}M | {c['first'] / 1e6:,.0f}M | {c['ours'] / 1e6:,.0f}M | "
                  f"{ratio:.2f}x | 2.5x {'met' if ratio <= 2.5 else 'MISSED'} |")
        return
    found = []
    try:
        if "finish" in only:
            db, path = prepare_finish(work, args.bibs)
            category_id = sqlite3.connect(db).execute("SELECT id FROM category WHERE slug = ?",
                                                      (f"{RACE}/open",)).fetchone()[0]
            found.append(rounds(f"finish of {args.bibs:,} bibs", db, work,
                                lambda copy: floor_finish(copy, path, category_id),
                                lambda copy: ours_finish(copy, path, f"{RACE}/open"), args.repeat) | {"target": 2.5})
        if "entrants" in only:
            db, path = prepare_entrants(work, args.entrants)
            found.append(rounds(f"entrants import of {args.entrants:,}", db, work,
                                lambda copy: floor_entrants(copy, path), lambda copy: ours_entrants(copy, path),
                                args.repeat) | {"target": 2.5})
        if "live" in only:
            db = prepare_live(work, args.claims, args.lines)
            category_id = sqlite3.connect(db).execute("SELECT id FROM category WHERE slug = ?",
                                                      (f"{RACE}/live",)).fetchone()[0]
            found.append(rounds(f"--live, {args.lines:,} lines, {args.claims:,} claims", db, work,
                                lambda copy: floor_live(copy, args.lines, category_id, 900_000),
                                lambda copy: ours_live(copy, args.lines, f"{RACE}/live", 900_000),
                                min(args.repeat, 3)) | {"target": 10.0, "per_line": args.lines})
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print("| case | floor | raceledger | ratio | target | medians (floor, raceledger) |")
    print("|---|---:|---:|---:|---:|---|")
    for f in found:
        per = f.get("per_line")
        shown = (lambda s: f"{s / per * 1000:.2f} ms/line") if per else (lambda s: f"{s:.3f} s")
        ratio = f["ours"] / f["floor"]
        print(f"| {f['case']} | {shown(f['floor'])} | {shown(f['ours'])} | {ratio:.2f}x | "
              f"{f['target']}x {'met' if ratio <= f['target'] else 'MISSED'} | "
              f"{shown(f['floor_median'])}, {shown(f['ours_median'])} |")
    print(json.dumps(found, indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()

"""`raceledger verify` against its floor, and `verify --deep` against `load` of the ledger's export.

The ledger: a 1,000,000-claim SQLite ledger made of many small entries (claims entered one by one,
with retractions and rulings among them) and some large imports (results files of 100,000 rows,
each one journal entry whose body is stored in chunks). It is built once and kept in --work.

Measured side by side, each as a whole process (interpreter start included): the floor and verify
taking turns, best of 3x --repeat; load and deep, best of --repeat:
- floor:  raw sqlite3 reading the same journal rows (and chunks) in seq order, hashlib hashing each
          body and entry hash in one pass (python bench_verify.py --floor DB);
- verify: raceledger --db DB verify                        target: at most 1.5x the floor;
- load:   raceledger --db NEW load EXPORT                    (the ledger's export, into a new file);
- deep:   raceledger --db DB verify --deep                  target: at most 3x load.

Run: python benchmarks/bench_verify.py [--claims 1000000] [--single 200000] [--work DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

BY = "bench"
EVENT = "bench-2025"
IMPORT_ROWS = 100_000
SOURCES = (("timing", "official"), ("gazette", "press"), ("club", "organizer"))


def raceledger() -> list[str]:
    found = shutil.which("raceledger", path=os.path.dirname(sys.executable))
    return [found] if found else [sys.executable, "-m", "cli"]


# --- the floor ----------------------------------------------------------------------------------


def floor(path: str) -> int:
    """Read every journal row in seq order with raw sqlite3 and check its hashes with hashlib."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    chunks = conn.cursor()
    previous, count = "0" * 64, 0
    rows = conn.execute("SELECT seq, kind, body, prev_hash, entry_hash, recorded_at, recorded_by "
                        "FROM journal ORDER BY seq")
    for seq, kind, body, prev_hash, entry_hash, recorded_at, recorded_by in rows:
        if body is None:
            digest = hashlib.sha256()
            for (data,) in chunks.execute("SELECT data FROM journal_chunk WHERE seq = ? ORDER BY n", (seq,)):
                digest.update(data.encode("utf-8"))
            body_hash = digest.hexdigest()
        else:
            body_hash = hashlib.sha256(body.encode("utf-8")).hexdigest()
        material = "\n".join([prev_hash, str(seq), kind, recorded_at, recorded_by, body_hash])
        if prev_hash != previous or hashlib.sha256(material.encode("utf-8")).hexdigest() != entry_hash:
            raise SystemExit(f"entry {seq} does not verify")
        previous, count = entry_hash, count + 1
    conn.close()
    return count


# --- building the ledger ------------------------------------------------------------------------


def _catalog(path: str, categories: int) -> None:
    """A fresh ledger with one event, one race, `categories` categories and the sources."""
    from ledger.store.engine import open_engine, transaction
    from ledger.store.migrate import upgrade
    from ledger.write import catalog

    engine, _ = open_engine(path, create=True)
    upgrade(engine)
    with transaction(engine) as session:
        catalog.add_event(session, BY, EVENT, "Benchmark Marathon", "2025-10-12", "Benchmark City")
        catalog.add_race(session, BY, f"{EVENT}/marathon", "Marathon", 42195)
        for number in range(categories):
            catalog.add_category(session, BY, f"{EVENT}/marathon/c{number}", f"Category {number}")
        for slug, kind in SOURCES:
            catalog.add_source(session, BY, slug, slug.title(), kind)
    engine.dispose()


def _small_entries(path: str, single: int) -> None:
    """Athletes, then `single` claims one entry each, with retractions and rulings among them."""
    from sqlalchemy import text

    from ledger.core.times import format_ms
    from ledger.store.engine import open_engine, transaction
    from ledger.write import athletes, claims, corrections

    engine, _ = open_engine(path)
    with transaction(engine) as session:
        first = session.execute(text("SELECT COALESCE(MAX(id), 0) FROM athlete")).scalar() + 1
    people = max(1, single // 4)
    batch = 5_000
    for start in range(0, people, batch):
        with transaction(engine) as session:
            for number in range(start, min(people, start + batch)):
                athletes.add(session, BY, f"Runner {number}", "POL" if number % 2 else "KEN", aliases=(f"R{number}",))
    made = 0
    while made < single:
        with transaction(engine) as session:
            for number in range(made, min(single, made + batch)):
                person, source = number % people, SOURCES[number % len(SOURCES)][0]
                place = person + 1 + (1 if number % 97 == 0 else 0)  # now and then, sources disagree
                claim_id = claims.add(session, BY, f"{EVENT}/marathon/c0", source, athlete=f"#{first + person}",
                                      position=place, time=format_ms(7_500_000 + person * 1_000))
                if number % 500 == 499:
                    corrections.retract(session, BY, claim_id, "the source corrected itself")
                elif number % 1000 == 3:
                    corrections.rule_placing(session, BY, f"{EVENT}/marathon/c0", place, claim_id, "Referee",
                                             "Photo finish")
            made = min(single, made + batch)
        print(f"  {made} single-claim entries", file=sys.stderr)
    engine.dispose()


def build(path: str, claims: int, single: int, import_rows: int) -> None:
    """The imports first (into the empty catalog), then the single-claim entries after them."""
    import genfile

    imports = (claims - single) // import_rows
    _catalog(path, imports + 1)
    folder = os.path.dirname(path)
    for number in range(imports):
        results = os.path.join(folder, f"results-{number}.csv")
        genfile.write(results, import_rows, seed=number + 1)
        subprocess.run([*raceledger(), "--db", path, "--as", BY, "import", f"{EVENT}/marathon/c{number + 1}",
                        results, "--source", "timing"], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        os.remove(results)
        print(f"  import {number + 1} of {imports}", file=sys.stderr)
    _small_entries(path, single)


# --- measuring ----------------------------------------------------------------------------------


def timed(args: list[str], before=None) -> float:
    """Wall time of one process, which must succeed."""
    if before:
        before()
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def best(repeat: int, args: list[str], before=None) -> float:
    return min(timed(args, before) for _ in range(repeat))


def interleaved(repeat: int, first: list[str], second: list[str]) -> tuple[float, float]:
    """Best of `repeat` for two quick commands run in turn, so both see the same machine."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        times[0].append(timed(first))
        times[1].append(timed(second))
    return min(times[0]), min(times[1])


def counts(path: str) -> tuple[int, int]:
    with sqlite3.connect(path) as conn:
        return (conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0],
                conn.execute("SELECT COUNT(*) FROM claim").fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--single", type=int, default=200_000, help="claims entered one entry each")
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "raceledger-bench-verify"),
                        help="where the ledger is built and kept between runs")
    parser.add_argument("--import-rows", type=int, default=IMPORT_ROWS, help="rows of each imported file")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--floor", metavar="DB", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.floor:
        print(floor(options.floor))
        return

    os.makedirs(options.work, exist_ok=True)
    path = os.path.join(options.work, f"verify-{options.claims}-{options.single}-{options.import_rows}.db")
    if not os.path.exists(path):
        print(f"Building {path} (once) ...", file=sys.stderr)
        build(path + ".partial", options.claims, options.single, options.import_rows)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + ".partial" + suffix):
                os.replace(path + ".partial" + suffix, path + suffix)
    export = path + ".jsonl"
    if not os.path.exists(export):
        subprocess.run([*raceledger(), "--db", path, "export", export], check=True, stderr=subprocess.DEVNULL)
    loaded = os.path.join(options.work, "loaded.db")

    def fresh() -> None:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(loaded + suffix):
                os.remove(loaded + suffix)

    entries, claims = counts(path)
    cli = raceledger()
    floor_s, verify_s = interleaved(options.repeat * 3, [sys.executable, os.path.abspath(__file__), "--floor", path],
                                    [*cli, "--db", path, "verify"])
    load_s = best(options.repeat, [*cli, "--db", loaded, "load", export], fresh)
    deep_s = best(options.repeat, [*cli, "--db", path, "verify", "--deep"])
    fresh()

    print(f"Ledger: {claims:,} claims in {entries:,} journal entries "
          f"({os.path.getsize(path) / 2**20:,.0f} MiB); best of {options.repeat * 3} (floor, verify) "
          f"and {options.repeat} (load, deep)")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}")
    print(f"{'measure':<16}{'seconds':>9}   {'against':<14}{'seconds':>9}{'ratio':>8}{'target':>8}")
    for name, seconds, against, base, target in [
        ("verify", verify_s, "floor", floor_s, 1.5),
        ("verify --deep", deep_s, "load", load_s, 3.0),
    ]:
        ratio = seconds / base
        verdict = "ok" if ratio <= target else "OVER"
        print(f"{name:<16}{seconds:>9.2f}   {against:<14}{base:>9.2f}{ratio:>7.2f}x{target:>7.1f}x  {verdict}")


if __name__ == "__main__":
    main()

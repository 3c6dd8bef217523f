"""PostgreSQL beside SQLite: concurrent appends, `disputes` on a generated ledger, and `import`.

    python benchmarks/postgres_vs_sqlite.py [--pg URL] [--writers 8] [--appends 50] [--claims 10000]
                                            [--rows 50000] [--repeat 3]

The PostgreSQL URL (default: RACELEDGER_BENCH_PG_URL, else RACELEDGER_TEST_PG_URL) names a server;
the benchmark creates a scratch database of its own there and drops it afterwards, so it never
touches existing data. Without a URL it measures SQLite alone. Appends are claims, one transaction
and journal entry each, from 1 process and from several that start at once: `cli` runs a whole
raceledger command per claim (engine, schema check, transaction), `library` keeps one engine per
process (a long-running service). `import` is `raceledger import` of a --rows-row generated results
file (benchmarks/genfile.py) into a ledger holding only its catalog, timed as a whole process (start,
engine, schema check, the import, the commit), best of --repeat, each run into a fresh ledger.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Iterator

EVENT, RACE = "bench-2025", "bench-2025/marathon"
SOURCE = "timing"


# --- the scratch databases ----------------------------------------------------------------------


def server_url_from(given: str | None = None) -> str | None:
    """The PostgreSQL server a benchmark measures on: `given` (--pg), else RACELEDGER_BENCH_PG_URL,
    else RACELEDGER_TEST_PG_URL (.ci/start-postgres exports it); None: no server."""
    return given or os.environ.get("RACELEDGER_BENCH_PG_URL") or os.environ.get("RACELEDGER_TEST_PG_URL")


def database_url(server_url: str, name: str) -> str:
    """The URL of the database `name` on the server of `server_url`."""
    from sqlalchemy.engine import make_url

    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def on_server(server_url: str, *statements: str) -> list:
    """Run `statements` one by one outside a transaction (CREATE DATABASE and the like); the first
    column of each one's rows, or None where it returns none."""
    from sqlalchemy import create_engine, text

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = []
            for statement in statements:
                result = conn.execute(text(statement))
                found.append(result.scalars().all() if result.returns_rows else None)
            return found
    finally:
        admin.dispose()


@contextmanager
def scratch_postgres(server_url: str) -> Iterator[str]:
    name = f"raceledger_bench_{os.getpid()}"
    on_server(server_url, f"CREATE DATABASE {name}")
    try:
        yield database_url(server_url, name)
    finally:
        on_server(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def fresh(db: str) -> None:
    """An empty, initialised ledger at `db` (a SQLite file is removed; a PostgreSQL schema emptied)."""
    from ledger.store.engine import open_engine
    from ledger.store.migrate import upgrade

    if "://" in db:
        from sqlalchemy import create_engine, text

        engine = create_engine(db)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(db + suffix).unlink(missing_ok=True)
    engine, _ = open_engine(db, create=True)
    upgrade(engine)
    engine.dispose()


def cli(db: str, *args: str) -> None:
    """One raceledger command, run in this process, its output dropped."""
    from cli import cli as command

    with redirect_stdout(io.StringIO()):
        command.main(["--db", db, "--as", "bench", *args], prog_name="raceledger", standalone_mode=False)


def setup_catalog(db: str, categories: int) -> None:
    cli(db, "event", "add", EVENT, "--name", "Bench Marathon", "--date", "2025-10-12")
    cli(db, "race", "add", RACE, "--name", "Marathon", "--distance", "42195")
    for c in range(categories):
        cli(db, "category", "add", f"{RACE}/cat-{c:02d}", "--name", f"Category {c}")


# --- concurrent appends -------------------------------------------------------------------------


def worker(mode: str, db: str, index: str, appends: str, go: str) -> None:
    """One writer process: wait for the go file, then record `appends` claims, one transaction each.

    `cli`: each claim is a whole raceledger command (engine, schema check, transaction), as a person
    typing would cause; `library`: one engine, one transaction per claim, as a long-running service.
    """
    from ledger.store.engine import open_engine, transaction
    from ledger.write import claims

    engine = open_engine(db)[0] if mode == "library" else None
    Path(f"{go}.ready{index}").touch()
    while not os.path.exists(go):
        time.sleep(0.002)
    for i in range(int(appends)):
        if engine is not None:
            with transaction(engine) as session:
                claims.add(session, f"w{index}", f"{RACE}/cat-00", SOURCE, unnamed=f"w{index}-{i}", position=i + 1)
            continue
        cli(db, "claim", f"{RACE}/cat-00", "--source", SOURCE, "--unnamed", f"w{index}-{i}",
            "--position", str(i + 1))
        if i % 10 == 9:
            gc.collect()  # close the engines of finished commands, as process exits would


def concurrent_appends(db: str, writers: int, appends: int, mode: str) -> float:
    """Seconds from `go` until every writer has recorded all its claims."""
    fresh(db)
    setup_catalog(db, 1)
    cli(db, "source", "add", SOURCE, "--name", "Timing", "--kind", "official")
    with tempfile.TemporaryDirectory() as tmp:
        go = os.path.join(tmp, "go")
        procs = [subprocess.Popen([sys.executable, __file__, "--worker", mode, db, str(w), str(appends), go],
                                  stdout=subprocess.DEVNULL) for w in range(writers)]
        while not all(os.path.exists(f"{go}.ready{w}") for w in range(writers)):
            if any(p.poll() not in (None, 0) for p in procs):
                sys.exit("a writer failed to start")
            time.sleep(0.01)
        started = time.perf_counter()
        Path(go).touch()
        if any(p.wait() for p in procs):
            sys.exit("a writer failed")
        return time.perf_counter() - started


# --- disputes on a generated ledger -------------------------------------------------------------


def generate(db: str, claims: int, categories: int = 20, sources: int = 4, seed: int = 7) -> int:
    """A ledger of about `claims` claims: sources mostly agree, ~5% name another athlete, ~5% another time."""
    from sqlalchemy import func, select

    from ledger.core.models import Athlete, Claim
    from ledger.journal import chain
    from ledger.store.engine import open_engine, transaction
    from ledger.write import athletes, catalog

    fresh(db)
    setup_catalog(db, categories)
    rng = random.Random(seed)
    per_category = claims // categories
    positions = max(1, per_category * 2 // sources)
    engine, _ = open_engine(db)
    with transaction(engine) as session:
        for s in range(sources):
            catalog.add_source(session, "bench", f"src-{s}", f"Source {s}", "press")
        for a in range(positions + 50):
            athletes.add(session, "bench", f"Runner {a:05d}")
    with transaction(engine) as session:
        first_athlete = session.execute(select(func.min(Athlete.id))).scalar()
        next_claim = (session.execute(select(func.max(Claim.id))).scalar() or 0) + 1
    made = 0
    for c in range(categories):
        with transaction(engine) as session:  # one transaction per category: setup speed, not the thing measured
            for p in range(1, positions + 1):
                time_ms = 2 * 3600_000 + p * 20_000
                for s in rng.sample(range(sources), 2):
                    athlete, at = first_athlete + p - 1, time_ms
                    roll = rng.random()
                    if roll < 0.05:
                        athlete = first_athlete + positions + rng.randrange(50)
                    elif roll < 0.10:
                        at += rng.randint(2_000, 60_000)
                    body = {"id": next_claim, "category": f"{RACE}/cat-{c:02d}", "source": f"src-{s}",
                            "athlete": athlete, "as_written": f"Runner {athlete - first_athlete:05d}",
                            "position": p, "time_ms": at, "status": "FIN"}
                    chain.append(session, "claim", body, "bench")
                    next_claim += 1
                    made += 1
    engine.dispose()
    return made


def time_disputes(db: str, repeat: int = 5) -> tuple[float, int]:
    """Best-of-`repeat` seconds for `disputes` over the whole ledger, and how many it found."""
    from ledger.read import reports
    from ledger.store.engine import open_engine, transaction

    engine, _ = open_engine(db, write=False)
    timings, found = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        with transaction(engine) as session:
            found = len(reports.disputes_report(session, None).to_json())
        timings.append(time.perf_counter() - started)
    engine.dispose()
    return min(timings), found


# --- import of a generated results file ---------------------------------------------------------


def time_import(db: str, rows: int, repeat: int) -> float:
    """Best-of-`repeat` seconds for `raceledger import` of a `rows`-row generated file, each run a
    whole process into a fresh ledger that holds only the catalog."""
    import genfile  # benchmarks/genfile.py, beside this script

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"results-{rows}.csv")
        genfile.write(path, rows)
        timings = []
        for _ in range(repeat):
            fresh(db)
            setup_catalog(db, 1)
            cli(db, "source", "add", SOURCE, "--name", "Timing", "--kind", "official")
            gc.collect()  # close the setup commands' engines: the import alone is timed
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", "import cli; cli.main()", "--db", db, "--as", "bench",
                                   "import", f"{RACE}/cat-00", path, "--source", SOURCE],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            timings.append(time.perf_counter() - started)
            if done.returncode:
                sys.exit(f"raceledger import failed on {db}: {done.stderr.strip()[-2000:]}")
    return min(timings)


# --- the report ---------------------------------------------------------------------------------


def measure(db: str, args: argparse.Namespace) -> dict[str, float]:
    figures: dict[str, float] = {}
    total = args.writers * args.appends
    for mode in ("cli", "library"):
        one = concurrent_appends(db, 1, total, mode)
        figures[f"{mode}, 1 writer: appends/s"] = total / one
        many = concurrent_appends(db, args.writers, args.appends, mode)
        figures[f"{mode}, {args.writers} writers at once: appends/s"] = total / many
    made = generate(db, args.claims)
    best, found = time_disputes(db)
    figures[f"disputes over {made:,} claims ({found} found): ms"] = best * 1000
    figures[f"import of {args.rows:,} rows (best of {args.repeat}): ms"] = time_import(db, args.rows, args.repeat) * 1000
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=server_url_from(),
                        help="a PostgreSQL server URL (a scratch database is made there)")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--appends", type=int, default=50, help="claims each writer records")
    parser.add_argument("--claims", type=int, default=10_000, help="claims in the generated ledger for disputes")
    parser.add_argument("--rows", type=int, default=50_000, help="rows in the generated file for import")
    parser.add_argument("--repeat", type=int, default=3, help="imports timed on each database (the best counts)")
    args = parser.parse_args()

    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = measure(os.path.join(tmp, "bench.db"), args)
    if args.pg:
        with scratch_postgres(args.pg) as url:
            results["postgresql"] = measure(url, args)
    else:
        print("(no PostgreSQL URL: set RACELEDGER_BENCH_PG_URL or pass --pg to compare)", file=sys.stderr)

    print(f"{'measure':<52} {'sqlite':>10} {'postgresql':>11} {'pg/sqlite':>10}")
    for key, value in results["sqlite"].items():
        pg = results.get("postgresql", {}).get(key)
        pg_text, ratio = (f"{pg:>11.1f}", f"{pg / value:>9.2f}x") if pg is not None else (f"{'-':>11}", f"{'-':>10}")
        print(f"{key:<52} {value:>10.1f} {pg_text} {ratio}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(*sys.argv[2:])
    else:
        main()

"""Race day under load: the web view read hard while finish lines stream into one live category.

The ledger is web_bench.py's (50,000-claim categories of the event bench-2025) plus the event
live-2025 with one category, `live-2025/marathon/open`, and a start list of 100,000 bibs. A writer
process records finish lines into that category at a steady rate, each line its own journal entry
through the library's record path (ledger.imports.finish.record_live, as `finish --live` records a
typed line), timing each; wrk reads with --connections connections, one case at a time:
  (a) the live category's first page, HTML and JSON
  (b) a category of the other event (bench-2025/marathon/c1), HTML and JSON
  (c) /disputes.json, which spans every category
  (d) a claim page of the other event, HTML and JSON
against `raceledger serve` (its page cache on, as deployed) and the floor (web_floor.py: raw
sqlite3 or psycopg rows a request, HTML cases answered as JSON), with the writer at 0 (none), 5 and
20 lines a second; and the writer alone, with no reader. Best of --rounds interleaved rounds.
Targets (issue 25): under 20 lines a second, (b) and (d) at least 0.9x their own throughput with no
writer and 0.5x the floor's, p95 at most 1.5x their own with no writer; (a) and (c) at least 0.5x the
floor's throughput and p95 at most 3x the floor's; the writer's p95 at most 3x its own with no reader.

    python benchmarks/live_bench.py --keep /tmp/web-bench                   # the full run (SQLite)
    python benchmarks/live_bench.py --keep /tmp/web-bench --db postgresql   # the same on PostgreSQL
    python benchmarks/live_bench.py --keep /tmp/live --categories 2 --seconds 3 --rounds 1   # a quick look

With --db postgresql the ledger, the writer, the server and the floor are on the PostgreSQL server of
--pg (default: RACELEDGER_BENCH_PG_URL, else RACELEDGER_TEST_PG_URL, which .ci/start-postgres
exports; that server runs with fsync off, which flatters the writer's latency). The ledger is built
there by the same raceledger commands as the SQLite one, with ANALYZE after each (see
build_postgres); `load` of the SQLite ledger's export is not used: it replays every entry in one
transaction, which PostgreSQL plans without statistics. With --keep the database
(raceledger_live_CATEGORIES) stays on the server and is reused; each run reads and writes a copy of
it (CREATE DATABASE ... TEMPLATE), dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench  # noqa: E402
import postgres_vs_sqlite as pg  # noqa: E402
import web_bench  # noqa: E402
import web_floor  # noqa: E402
from web_bench import Load, Server  # noqa: E402

LIVE = "live-2025/marathon/open"
BIBS = 100_000
RATES = (0, 5, 20)
# The writer: `record_live` fed one bib a tick; each line's time from being handed over to being
# recorded (committed) is kept, and written as JSON to OUT when the process is stopped.
WRITER = """
import json, signal, sys, time
from ledger.imports.finish import record_live
from ledger.store.engine import open_engine
db, category, rate, first, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
engine, _ = open_engine(db)
handed, took = [0.0], []
def stop(*_):
    json.dump(took, open(out, "w")); sys.exit(0)
signal.signal(signal.SIGTERM, stop)
print("ready", flush=True)
def paced():
    start = time.perf_counter()
    for n in range(10 ** 9):
        time.sleep(max(0.0, start + n / rate - time.perf_counter()))
        handed[0] = time.perf_counter()
        yield str(first + n)
for said in record_live(engine, "live-bench", category, "chip", paced()):
    if said.claim is None:
        raise SystemExit(f"line refused: {said.refused}")
    took.append(time.perf_counter() - handed[0])
"""


def build(folder: Path, categories: int) -> Path:
    """web_bench's ledger, copied, with the live event, its category, the chip source and a start list."""
    base = web_bench.build(folder, categories)
    db = folder / f"live-{categories}.db"
    if db.exists():
        return db
    made = folder / "live-making.db"
    bench.copy_of(base, made)
    for args in live(folder):
        bench.ledger(made, *args)
    made.rename(db)
    return db


def live(folder: Path) -> list[tuple[str, ...]]:
    """The commands that add the live event, its category, the chip source and its start list."""
    start = folder / "start.csv"
    if not start.exists():
        start.write_text("Bib,Name\n" + "".join(f"{n},Runner {n}\n" for n in range(1, BIBS + 1)), encoding="utf-8")
    return [("event", "add", "live-2025", "--name", "Live Marathon", "--date", "2025-11-02"),
            ("race", "add", "live-2025/marathon", "--name", "Marathon", "--distance", "42195"),
            ("category", "add", LIVE, "--name", "Open", "--sex", "X"),
            ("source", "add", "chip", "--name", "Chip timing", "--kind", "official"),
            ("entrants", "import", "live-2025/marathon", str(start), "--source", "chip")]


def build_postgres(server: str, folder: Path, categories: int) -> str:
    """build()'s ledger in a database of its own on `server`, by the same raceledger commands; its name.

    The live event and its start list come first, the results after, each import followed by
    ANALYZE, as autovacuum would between imports made minutes apart; at the end VACUUM ANALYZE, as
    autovacuum leaves tables soon after a bulk write. Both for the planner: an import into a race that
    has bibs checks the whole race's bibs, and that query ran for more than ten minutes where `claim`
    held 50,000 rows never analysed, and more than 30 s (stopped) for a start list of 100,000 where
    `entrant` had been analysed empty (on SQLite the whole ledger takes seconds). So the start list
    is recorded before any ANALYZE; the journal's order differs from the SQLite ledger's, not its
    claims or entrants. Made under another name and renamed when done: one that exists is whole."""
    name = f"raceledger_live_{categories}"
    if pg.on_server(server, f"SELECT 1 FROM pg_database WHERE datname = '{name}'")[0]:
        return name
    making = f"{name}_making_{os.getpid()}"
    url = pg.database_url(server, making)
    pg.on_server(server, f"CREATE DATABASE {making}")
    try:
        start = time.perf_counter()
        steps = [("init",), *bench.catalog(categories), *live(folder),
                 *(args for i in range(1, categories + 1) for args in web_bench.imports(folder, i))]
        for done, args in enumerate(steps, 1):
            bench.ledger(url, *args)
            if args[0] in ("import", "entrants"):
                pg.on_server(url, "ANALYZE")
                print(f"  {name}: {done}/{len(steps)} commands ({time.perf_counter() - start:.0f} s)", file=sys.stderr,
                      flush=True)
        pg.on_server(url, "VACUUM ANALYZE")
        print(f"  built {name} on PostgreSQL in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
        pg.on_server(server, f"ALTER DATABASE {making} RENAME TO {name}")
    except BaseException:
        pg.on_server(server, f"DROP DATABASE IF EXISTS {making} WITH (FORCE)")
        raise
    return name


class Writer:
    """The writer process at `rate` lines a second, from bib `first` on."""

    def __init__(self, db: str, rate: float, first: int, folder: Path) -> None:
        self.out = folder / f"writer-{first}.json"
        self.process = subprocess.Popen([sys.executable, "-c", WRITER, str(db), LIVE, str(rate), str(first), str(self.out)],
                                        cwd=HERE.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if self.process.stdout.readline() != b"ready\n":  # started, its stop handler set: the load may begin
            raise SystemExit(f"the writer did not start:\n{self.process.communicate()[1].decode()}")

    def stop(self) -> list[float]:
        """Its lines' latencies, in seconds."""
        self.process.send_signal(signal.SIGTERM)
        _, err = self.process.communicate(timeout=60)
        if not self.out.exists():
            raise SystemExit(f"the writer failed:\n{err.decode()}")
        took = json.loads(self.out.read_text())
        self.out.unlink()
        return took


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1] if len(values) > 1 else \
        (values[0] if values else float("nan"))


def cases(db: str) -> list[tuple[str, dict[str, str]]]:
    conn, sql = web_floor.connect(db)
    try:
        claim = conn.execute("SELECT min(claim.id) FROM claim JOIN category ON claim.category_id = category.id "
                             f"WHERE category.slug = {sql['mark']}", (web_bench.CATEGORY,)).fetchone()[0]
    finally:
        conn.close()
    other = web_bench.CATEGORY
    return [
        ("(a) live category, HTML", {"raceledger": f"/{LIVE}", "floor": f"/{LIVE}.json"}),
        ("(a) live category, JSON", {"raceledger": f"/{LIVE}.json", "floor": f"/{LIVE}.json"}),
        ("(b) other event's category, HTML", {"raceledger": f"/{other}", "floor": f"/{other}.json"}),
        ("(b) other event's category, JSON", {"raceledger": f"/{other}.json", "floor": f"/{other}.json"}),
        ("(c) /disputes.json", {"raceledger": "/disputes.json", "floor": "/disputes.json"}),
        ("(d) claim page, HTML", {"raceledger": f"/claims/{claim}", "floor": f"/claims/{claim}.json"}),
        ("(d) claim page, JSON", {"raceledger": f"/claims/{claim}.json", "floor": f"/claims/{claim}.json"}),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--categories", type=int, default=20, help="categories of 50,000 claims (web_bench's ledger)")
    parser.add_argument("--seconds", type=float, default=10, help="load per case, system and rate")
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds; the best counts")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR (the ledgers kept and reused; on PostgreSQL "
                        "the built database kept on the server too)")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite",
                        help="the ledger in a SQLite file (the default) or on the PostgreSQL server of --pg")
    parser.add_argument("--pg", metavar="URL", default=pg.server_url_from(),
                        help="the PostgreSQL server for --db postgresql (default: RACELEDGER_BENCH_PG_URL, else "
                             "RACELEDGER_TEST_PG_URL); the benchmark makes databases of its own there")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("live_bench needs wrk (apt-get install wrk)")
    if args.db == "postgresql" and not args.pg:
        raise SystemExit("--db postgresql needs a server: --pg URL, or RACELEDGER_BENCH_PG_URL "
                         "(e.g. eval \"$(bash .ci/start-postgres)\" exports RACELEDGER_TEST_PG_URL)")
    bench.compile_bytecode()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="raceledger-live-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    built = build_postgres(args.pg, folder, args.categories) if args.db == "postgresql" else None
    copy = f"raceledger_live_run_{os.getpid()}"
    if built:  # the writer's copy: every run starts from the same ledger
        pg.on_server(args.pg, f"CREATE DATABASE {copy} TEMPLATE {built}")
        db = pg.database_url(args.pg, copy)
        version, fsync = (found[0] for found in pg.on_server(db, "SHOW server_version", "SHOW fsync"))
        database = f"PostgreSQL {version.split()[0]}, fsync {fsync}"
    else:
        db, database = str(bench.copy_of(build(folder, args.categories), folder / "live-run.db")), "SQLite"
    serve = ("from ledger.web.serve import run; run({db!r}, port={{port}}, access_log=False, "
             "announce=lambda _: None)").format(db=db)
    running: dict[str, Server] = {}
    loads: dict[tuple[str, str, int], list[Load]] = {}
    lines: dict[tuple[str, int], list[float]] = {}  # (reader case or "alone", rate) -> latencies
    first = 1
    try:
        running["raceledger"] = Server("raceledger", [sys.executable, "-c", serve], "/index.json")
        running["floor"] = Server("floor", [sys.executable, str(HERE / "web_floor.py"), db, "{port}"], "/disputes.json")
        plan = cases(db)
        for _ in range(args.rounds):
            for rate in RATES:
                if rate:  # the writer alone: its own latency with no reader
                    writer = Writer(db, rate, first, folder)
                    time.sleep(args.warmup + args.seconds)
                    took = writer.stop()
                    lines.setdefault(("alone", rate), []).extend(took)
                    first += len(took) + 1
                for case, paths in plan:
                    for system, path in paths.items():
                        writer = Writer(db, rate, first, folder) if rate else None
                        url = running[system].url(path)
                        web_bench.wrk(url, args.connections, args.warmup)
                        loads.setdefault((case, system, rate), []).append(web_bench.wrk(url, args.connections, args.seconds))
                        if writer is not None:
                            took = writer.stop()
                            lines.setdefault((case, rate), []).extend(took)
                            first += len(took) + 1
                print(f"  measured at {rate} lines a second", file=sys.stderr, flush=True)
    finally:
        for server in running.values():
            server.stop()
        if built:
            pg.on_server(args.pg, f"DROP DATABASE IF EXISTS {copy} WITH (FORCE)",
                         *([] if args.keep else [f"DROP DATABASE IF EXISTS {built} WITH (FORCE)"]))
    best = {key: max(runs, key=lambda r: r.rps) for key, runs in loads.items()}
    print(f"Machine: {bench.machine()}")
    print(f"Ledger: {args.categories} categories of 50,000 claims and the live category, in {database}; wrk -t1, "
          f"{args.connections} connections, {args.seconds:g} s a case after {args.warmup:g} s, best of {args.rounds} interleaved round(s).")
    print(report(plan, best, lines, args.markdown))
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


def report(plan: list, best: dict, lines: dict, markdown: bool) -> str:
    out = ["| case | lines/s | raceledger req/s | p50 | p95 | vs no writer (req/s, p95) | floor req/s | floor p95 | "
           "vs floor (req/s, p95) | writer p50 | writer p95 |", "|---|---:|---:|---:|---:|---|---:|---:|---|---:|---:|"]
    for case, _ in plan:
        quiet = best[(case, "raceledger", 0)]
        for rate in RATES:
            ours, floor = best[(case, "raceledger", rate)], best[(case, "floor", rate)]
            took = lines.get((case, rate), [])
            writer = (f"{percentile(took, 0.5) * 1000:.1f} ms | {percentile(took, 0.95) * 1000:.1f} ms" if took
                      else "- | -")
            out.append(f"| {case} | {rate} | {ours.rps:,.0f} | {ours.p50_ms:.1f} ms | {ours.p95_ms:.1f} ms | "
                       f"{ours.rps / quiet.rps:.2f}x, {ours.p95_ms / quiet.p95_ms:.2f}x | {floor.rps:,.0f} | "
                       f"{floor.p95_ms:.1f} ms | {ours.rps / floor.rps:.2f}x, {ours.p95_ms / floor.p95_ms:.2f}x | {writer} |")
    for rate in RATES[1:]:
        took = lines.get(("alone", rate), [])
        if took:
            out.append(f"| the writer alone | {rate} | | | | | | | | {percentile(took, 0.5) * 1000:.1f} ms | "
                       f"{percentile(took, 0.95) * 1000:.1f} ms |")
    return "\n".join(line for line in out if markdown or not line.startswith("|---"))


if __name__ == "__main__":
    main()

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
sqlite3 rows a request, HTML cases answered as JSON), with the writer at 0 (none), 5 and 20 lines a
second; and the writer alone, with no reader. Best of --rounds interleaved rounds. Targets (issue 25):
under 20 lines a second, (b) and (d) at least 0.9x their own throughput with no writer and 0.5x the
floor's, p95 at most 1.5x their own with no writer; (a) and (c) at least 0.5x the floor's throughput
and p95 at most 3x the floor's; the writer's p95 at most 3x its own with no reader.

    python benchmarks/live_bench.py --keep /tmp/web-bench                   # the full run (SQLite)
    python benchmarks/live_bench.py --keep /tmp/live --categories 2 --seconds 3 --rounds 1   # a quick look
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench  # noqa: E402
import web_bench  # noqa: E402
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
    start = folder / "start.csv"
    start.write_text("Bib,Name\n" + "".join(f"{n},Runner {n}\n" for n in range(1, BIBS + 1)), encoding="utf-8")
    for args in (("event", "add", "live-2025", "--name", "Live Marathon", "--date", "2025-11-02"),
                 ("race", "add", "live-2025/marathon", "--name", "Marathon", "--distance", "42195"),
                 ("category", "add", LIVE, "--name", "Open", "--sex", "X"),
                 ("source", "add", "chip", "--name", "Chip timing", "--kind", "official"),
                 ("entrants", "import", "live-2025/marathon", str(start), "--source", "chip")):
        bench.ledger(made, *args)
    made.rename(db)
    return db


class Writer:
    """The writer process at `rate` lines a second, from bib `first` on."""

    def __init__(self, db: Path, rate: float, first: int, folder: Path) -> None:
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


def cases(db: Path) -> list[tuple[str, dict[str, str]]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        claim = conn.execute("SELECT min(claim.id) FROM claim JOIN category ON claim.category_id = category.id "
                             "WHERE category.slug = ?", (web_bench.CATEGORY,)).fetchone()[0]
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
    parser.add_argument("--keep", metavar="DIR", help="work in DIR (the ledgers kept and reused)")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("live_bench needs wrk (apt-get install wrk)")
    bench.compile_bytecode()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="raceledger-live-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    base = build(folder, args.categories)
    db = folder / "live-run.db"  # the writer's copy: every run starts from the same ledger
    bench.copy_of(base, db)
    serve = ("from ledger.web.serve import run; run({db!r}, port={{port}}, access_log=False, "
             "announce=lambda _: None)").format(db=str(db))
    running = {"raceledger": Server("raceledger", [sys.executable, "-c", serve], "/index.json"),
               "floor": Server("floor", [sys.executable, str(HERE / "web_floor.py"), str(db), "{port}"], "/disputes.json")}
    plan = cases(db)
    loads: dict[tuple[str, str, int], list[Load]] = {}
    lines: dict[tuple[str, int], list[float]] = {}  # (reader case or "alone", rate) -> latencies
    first = 1
    try:
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
    best = {key: max(runs, key=lambda r: r.rps) for key, runs in loads.items()}
    print(f"Machine: {bench.machine()}")
    print(f"Ledger: {args.categories} categories of 50,000 claims and the live category; wrk -t1, {args.connections} "
          f"connections, {args.seconds:g} s a case after {args.warmup:g} s, best of {args.rounds} interleaved round(s).")
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

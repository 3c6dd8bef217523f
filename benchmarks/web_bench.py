"""The web view on the 1,000,000-claim ledger, beside its floor and Datasette, under the same load.

Three servers read the same SQLite file, each warm, each on loopback, one at a time under the
same load (wrk, or a Python client without it: --connections keep-alive connections for --seconds):
  raceledger   `raceledger serve` (ledger.web.serve.run; access log off, as for the others), which
               keeps the pages it made by ETag (ledger.web.app.PageCache): a warm server answers
               a page asked for again from memory
  computed     the same with no page kept (cache_bytes=0): every request makes its page anew
  floor        web_floor.py: the smallest ASGI app on the same uvicorn, raw sqlite3 and json
  datasette    the claim rows of the same category (`/DB/claim.json?category_id=...&_size=100`; the
               HTML table for HTML cases, the row page for a claim), facet suggestions off, from a
               separate virtualenv (never a project dependency; made on first use)
Cases: `/disputes.json` (first page), a 50,000-claim category's results (HTML and JSON, the first
page and a deep one) and `/claims/ID`. Goals (issue 14): throughput at least half the floor's and
above Datasette's; p95 at most 3x the floor's.

    python benchmarks/web_bench.py                         # the full run: 20 x 50,000 claims
    python benchmarks/web_bench.py --categories 2 --seconds 3 --keep /tmp/web-bench   # a quick look
    python benchmarks/web_bench.py --markdown              # the table for benchmarks/README.md
    python benchmarks/web_bench.py --only claims --keep /tmp/web-bench   # one case

The ledger is built as bench.py builds its reading ledger (49,000 official rows and 1,000 press
rows a category, some disagreeing, all cited); with --keep it is built once and reused.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench  # noqa: E402

CATEGORY = f"{bench.RACE}/c1"
DEEP = 25_000
DATASETTE_VENV = Path(tempfile.gettempdir()) / "raceledger-datasette-venv"
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), e.status + e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Load:
    rps: float
    p50_ms: float
    p95_ms: float
    errors: int


# --- the ledger -----------------------------------------------------------------------------------


def build(folder: Path, categories: int) -> Path:
    """The reading ledger of bench.py: `categories` x 50,000 claims; reused when --keep holds it."""
    db = folder / f"web-{categories}.db"
    if db.exists():
        with sqlite3.connect(db) as conn:
            if conn.execute("SELECT count(DISTINCT category_id) FROM claim").fetchone()[0] == categories:
                return db
    base = bench.template(folder, categories)
    bench.copy_of(base, db)
    start = time.perf_counter()
    for i in range(1, categories + 1):
        for args in imports(folder, i):
            bench.ledger(db, *args)
        print(f"  built category {i}/{categories} ({time.perf_counter() - start:.0f} s)", file=sys.stderr, flush=True)
    return db


def imports(folder: Path, i: int) -> list[tuple[str, ...]]:
    """The commands that fill category c`i`: 49,000 official rows, then 1,000 press rows, some disagreeing."""
    path = bench.rows_file(folder, 49_000, seed=i)
    return [("import", f"{bench.RACE}/c{i}", str(path), *bench.CITED["timing"]),
            ("import", f"{bench.RACE}/c{i}", str(bench.disagreeing(path, folder, 49)), *bench.CITED["gazette"])]


def facts(db: Path) -> dict:
    """The ids the cases name: the category's id, a disputed claim, the first claim at DEEP (the official one)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        category_id = conn.execute("SELECT id FROM category WHERE slug = ?", (CATEGORY,)).fetchone()[0]
        disputed = conn.execute("SELECT min(claim.id) FROM claim JOIN contest ON contest.category_id = claim.category_id "
                                "AND contest.kind = 'position' AND contest.key = claim.position "
                                "WHERE claim.category_id = ?", (category_id,)).fetchone()[0]
        deep = conn.execute("SELECT min(id) FROM claim WHERE category_id = ? AND position = ?",
                            (category_id, DEEP)).fetchone()[0]
        claims = conn.execute("SELECT count(*) FROM claim").fetchone()[0]
    return {"category_id": category_id, "claim": disputed, "deep_id": deep, "claims": claims}


# --- the servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def datasette_command(given: str | None) -> list[str]:
    """Datasette from --datasette, or from its own virtualenv, made (and filled) on first use."""
    if given:
        return [given]
    exe = DATASETTE_VENV / "bin" / "datasette"
    if not exe.exists():
        print(f"  installing Datasette into {DATASETTE_VENV} (for this benchmark only)", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
        subprocess.run([str(DATASETTE_VENV / "bin" / "pip"), "install", "-q", "datasette"], check=True)
    return [str(exe)]


class Server:
    """A server process on a free loopback port, stopped when the run ends."""

    def __init__(self, name: str, command: list[str], probe: str) -> None:
        self.name, self.port = name, free_port()
        self.process = subprocess.Popen([part.format(port=self.port) for part in command], cwd=HERE.parent,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url(probe), timeout=30) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    error = self.process.stderr.read().decode() if self.process.stderr else ""
                    self.stop()
                    raise SystemExit(f"{name} did not start:\n{error}")
                time.sleep(0.2)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def servers(db: Path, datasette: list[str] | None) -> dict[str, Server]:
    serve = "from ledger.web.serve import run; run({db!r}, port={{port}}, access_log=False, announce=lambda _: None{more})"
    found = {
        "raceledger": Server("raceledger", [sys.executable, "-c", serve.format(db=str(db), more="")], "/index.json"),
        "computed": Server("computed", [sys.executable, "-c", serve.format(db=str(db), more=", cache_bytes=0")],
                           "/index.json"),
        "floor": Server("floor", [sys.executable, str(HERE / "web_floor.py"), str(db), "{port}"], "/disputes.json"),
    }
    if datasette:
        # Facet suggestions off, as a publisher of a million-row table sets it: each first page of a
        # table would otherwise try a facet on every column (1.6 s here), which is not this case.
        found["datasette"] = Server("datasette", [*datasette, "serve", str(db), "--host", "127.0.0.1", "--port", "{port}",
                                                  "--setting", "suggest_facets", "off"], f"/{db.stem}.json")
    return found


# --- load -----------------------------------------------------------------------------------------


def wrk(url: str, connections: int, seconds: float) -> Load:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        done = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", script.name, url],
                              capture_output=True, text=True, check=True)
    finally:
        os.unlink(script.name)
    line = next(l for l in done.stdout.splitlines() if l.startswith("RESULT "))
    requests, duration_us, p50_us, p95_us, errors = map(int, line.split()[1:])
    return Load(requests / (duration_us / 1e6), p50_us / 1000, p95_us / 1000, errors)


def python_client(url: str, connections: int, seconds: float) -> Load:
    """Without wrk: `connections` threads, each on one keep-alive connection, for `seconds`."""
    host_port, path = url[len("http://"):].split("/", 1)
    host, port = host_port.split(":")
    latencies: list[float] = []
    errors = [0]
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def worker() -> None:
        conn, mine = HTTPConnection(host, int(port), timeout=30), []
        while time.perf_counter() < stop:
            start = time.perf_counter()
            conn.request("GET", "/" + path)
            answer = conn.getresponse()
            answer.read()
            mine.append(time.perf_counter() - start)
            if answer.status != 200:
                errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return Load(len(latencies) / (time.perf_counter() - began), pick(0.5), pick(0.95), errors[0])


def cases(db: Path, known: dict) -> list[tuple[str, dict[str, str]]]:
    """Each case: its name, and the path each system answers it at (a system without it: absent)."""
    name, cid, size = db.stem, known["category_id"], 100
    ds = f"/{name}/claim"
    order = ("raceledger", "computed", "floor", "datasette")
    return [(case, {system: {**paths, "computed": paths["raceledger"]}[system] for system in order
                    if system in paths or system == "computed"}) for case, paths in [
        ("/disputes.json (first page)", {"raceledger": "/disputes.json", "floor": "/disputes.json"}),
        ("category, first page, HTML", {"raceledger": f"/{CATEGORY}", "floor": f"/{CATEGORY}.json",
                                        "datasette": f"{ds}?category_id={cid}&_size={size}"}),
        ("category, first page, JSON", {"raceledger": f"/{CATEGORY}.json", "floor": f"/{CATEGORY}.json",
                                        "datasette": f"{ds}.json?category_id={cid}&_size={size}"}),
        (f"category, deep page (after {DEEP:,}), HTML", {
            "raceledger": f"/{CATEGORY}?after={DEEP}", "floor": f"/{CATEGORY}.json?after={DEEP}",
            "datasette": f"{ds}?category_id={cid}&_size={size}&_next={known['deep_id']}"}),
        (f"category, deep page (after {DEEP:,}), JSON", {
            "raceledger": f"/{CATEGORY}.json?after={DEEP}", "floor": f"/{CATEGORY}.json?after={DEEP}",
            "datasette": f"{ds}.json?category_id={cid}&_size={size}&_next={known['deep_id']}"}),
        ("/claims/ID (HTML)", {"raceledger": f"/claims/{known['claim']}", "floor": f"/claims/{known['claim']}.json",
                               "datasette": f"{ds}/{known['claim']}"}),
    ]]


def measure(running: dict[str, Server], plan: list, connections: int, seconds: float, warmup: float,
            rounds: int) -> list[tuple[str, dict[str, Load]]]:
    load = wrk if shutil.which("wrk") else python_client
    found = []
    for case, paths in plan:
        results: dict[str, list[Load]] = {}
        for _ in range(rounds):  # systems in turn, so a machine whose speed swings slows each alike
            for system, path in paths.items():
                if system not in running:
                    continue
                url = running[system].url(path)
                with urllib.request.urlopen(url, timeout=60) as answer:
                    if answer.status != 200 or not answer.read():
                        raise SystemExit(f"{system} answered {url} with {answer.status}")
                if warmup:
                    load(url, connections, warmup)
                results.setdefault(system, []).append(load(url, connections, seconds))
        found.append((case, {s: max(runs, key=lambda r: r.rps) for s, runs in results.items()}))
        print(f"  measured {case}", file=sys.stderr, flush=True)
    return found


def table(found: list, markdown: bool) -> str:
    out = ["| case | system | requests/s | p50 | p95 | vs floor (req/s) | p95 vs floor | goals |",
           "|---|---|---:|---:|---:|---:|---:|---|"]
    for case, loads in found:
        floor, other = loads.get("floor"), loads.get("datasette")
        for system, load in loads.items():
            ratio = f"{load.rps / floor.rps:.2f}x" if floor else ""
            p95 = f"{load.p95_ms / floor.p95_ms:.2f}x" if floor else ""
            goals = ""
            if system in ("raceledger", "computed") and floor:
                met = [load.rps >= 0.5 * floor.rps, load.p95_ms <= 3 * floor.p95_ms]
                words = [f"throughput >= floor/2: {'met' if met[0] else 'MISSED'}",
                         f"p95 <= 3x floor: {'met' if met[1] else 'MISSED'}"]
                if other:
                    words.append(f"above Datasette: {'met' if load.rps > other.rps else 'MISSED'}")
                goals = "; ".join(words)
            errors = f" ({load.errors} errors)" if load.errors else ""
            out.append(f"| {case} | {system} | {load.rps:,.0f}{errors} | {load.p50_ms:.1f} ms | {load.p95_ms:.1f} ms | "
                       f"{ratio} | {p95} | {goals} |")
    return "\n".join(line for line in out if markdown or not line.startswith("|---"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--categories", type=int, default=20, help="categories of 50,000 claims in the ledger")
    parser.add_argument("--seconds", type=float, default=10, help="load per case and system")
    parser.add_argument("--warmup", type=float, default=2, help="load before each measurement, not counted")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=1, help="measure each case this often (best kept)")
    parser.add_argument("--datasette", metavar="PATH", help="a datasette executable (default: its own venv)")
    parser.add_argument("--no-datasette", action="store_true")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR (kept, the ledger reused) instead of a temporary folder")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--only", metavar="TEXT", help="only the cases whose name holds TEXT (e.g. claims)")
    args = parser.parse_args()
    bench.compile_bytecode()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="raceledger-web-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    running: dict[str, Server] = {}
    try:
        db = build(folder, args.categories)
        known = facts(db)
        running = servers(db, None if args.no_datasette else datasette_command(args.datasette))
        plan = [case for case in cases(db, known) if args.only is None or args.only in case[0]]
        found = measure(running, plan, args.connections, args.seconds, args.warmup, args.rounds)
        client = "wrk -t1" if shutil.which("wrk") else "Python client"
        print(f"Machine: {bench.machine()}")
        print(f"Ledger: {known['claims']:,} claims in {args.categories} categories; {client}, "
              f"{args.connections} connections, {args.seconds:g} s a case after {args.warmup:g} s warm-up, "
              f"best of {args.rounds} round(s); 100 placings (or rows) a page.")
        print(table(found, args.markdown))
    finally:
        for server in running.values():
            server.stop()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

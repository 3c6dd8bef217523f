"""The page cache's memory under many distinct small pages (issue 20 point 4).

A reader who asks for page after page that nobody asked for before (`/search?q=WORD` with a new
word each time: each a small page, each kept) must not grow the server past its budget. This starts
`raceledger serve --cache-mb N` on the demo ledger, warms it with 300 requests, notes its resident
memory (VmRSS), then asks for --pages distinct small pages over a few keep-alive connections,
sampling the RSS as it goes. The goal: the highest RSS stays within N MiB + 16 MiB of the warm one.
The same run with --cache-mb 0 (nothing kept) is the floor: what serving alone costs.

    python benchmarks/cache_memory.py                      # 100,000 pages; budgets 64 and 0
    python benchmarks/cache_memory.py --pages 20000 --budgets 8 0
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.client import HTTPConnection
from pathlib import Path

HERE = Path(__file__).resolve().parent
RACELEDGER = str(Path(sys.executable).with_name("raceledger"))
MIB = 1024 * 1024
ALLOWANCE_MIB = 16


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss(pid: int) -> int:
    """Resident memory of the process, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def wait_for(port: int, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not listen on {port}")


def ask(port: int, addresses: list[str], connections: int) -> int:
    """GET every address over `connections` keep-alive connections; the count of 200s."""
    ok = [0] * connections

    def worker(n: int) -> None:
        conn = HTTPConnection("127.0.0.1", port, timeout=30)
        for address in addresses[n::connections]:
            conn.request("GET", address)
            response = conn.getresponse()
            response.read()
            ok[n] += response.status == 200
        conn.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(ok)


def run(db: str, budget_mib: int, pages: int, connections: int) -> dict:
    port = free_port()
    server = subprocess.Popen([RACELEDGER, "--db", db, "serve", "--port", str(port), "--cache-mb", str(budget_mib)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port)
        ask(port, [f"/search?q=warm{n}" for n in range(300)], connections)
        warm = rss(server.pid)
        peak, done, step = warm, 0, 2000
        started = time.monotonic()
        while done < pages:
            batch = [f"/search?q=w{n:07d}" for n in range(done, min(pages, done + step))]
            if ask(port, batch, connections) != len(batch):
                raise RuntimeError("a request was not answered 200")
            done += len(batch)
            peak = max(peak, rss(server.pid))
        return {"budget": budget_mib, "warm": warm, "peak": peak, "growth": peak - warm,
                "seconds": time.monotonic() - started}
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--budgets", type=int, nargs="+", default=[64, 0], metavar="MIB")
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = os.path.join(folder, "demo.db")
        subprocess.run([RACELEDGER, "--db", db, "demo"], check=True, stdout=subprocess.DEVNULL)
        print(f"{args.pages:,} distinct /search pages, {args.connections} connections; RSS in MiB")
        print("| --cache-mb | RSS warm | RSS peak | growth | limit (budget + 16) | within |")
        print("|---:|---:|---:|---:|---:|---|")
        for budget in args.budgets:
            found = run(db, budget, args.pages, args.connections)
            limit = budget + ALLOWANCE_MIB
            print(f"| {budget} | {found['warm'] / MIB:.1f} | {found['peak'] / MIB:.1f} | {found['growth'] / MIB:.1f} "
                  f"| {limit} | {'yes' if found['growth'] <= limit * MIB else 'NO'} |", flush=True)


if __name__ == "__main__":
    main()

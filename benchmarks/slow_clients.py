"""Slow and many clients (issue 20 point 7): `raceledger serve` beside plain uvicorn under a slowloris crowd.

Each server runs on the demo ledger in a temporary folder, on 127.0.0.1, in a subprocess limited to
256 open files (`ulimit -n 256`). 300 clients each send one byte of a request head a second for
30 s and do not reconnect once dropped; 100 normal GET requests, each on a new connection, are
spread evenly over the same 30 s. Reported: how many got a 200 within 1 s (target >= 95), and the
server log's warning and error lines: every line but INFO lines and serve's own start and stop lines,
so tracebacks count line by line (target <= 100).

The floor ("before") is the web view on plain uvicorn as `serve` ran it before the guard:
uvicorn.Config(make_app(engine), ...) with no header timeout and no connection limit.

Run: python benchmarks/slow_clients.py [--seconds 30] [--slow 300] [--normal 100]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPEN_FILES = 256
PAGES = ["/", "/disputes", "/sources", "/pyongyang-2025", "/disputes.json"]
SLOW_HEAD = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 10_000  # never ends within the run
PLAIN = """
import sys, uvicorn
from ledger.store.engine import open_engine
from ledger.web.app import make_app
engine, _ = open_engine(sys.argv[1], write=False, read_only=True)
uvicorn.Server(uvicorn.Config(make_app(engine), host="127.0.0.1", port=int(sys.argv[2]), lifespan="off",
                              server_header=False, proxy_headers=False, log_level="info")).run()
"""


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(kind: str, db: str, port: int, log) -> subprocess.Popen:
    if kind == "serve":
        args = [sys.executable, "-m", "cli", "--db", db, "serve", "--port", str(port)]
    else:
        args = [sys.executable, "-c", PLAIN, db, str(port)]
    return subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, preexec_fn=limited)


async def wait_ready(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return
    raise SystemExit(f"no server on port {port} after 10 s")


async def slow_client(port: int, until: float, dropped: list[int]) -> None:
    """One byte of a request head a second until `until`; counted once dropped, never reconnecting."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for byte in SLOW_HEAD:
            if time.monotonic() >= until:
                break
            writer.write(bytes([byte]))
            await writer.drain()
            try:
                if await asyncio.wait_for(reader.read(1024), 1.0) == b"":
                    dropped.append(1)
                    break
            except asyncio.TimeoutError:
                pass
        writer.close()
    except OSError:
        dropped.append(1)


async def normal_request(port: int, path: str) -> tuple[int | None, float]:
    """Status and seconds for one GET on a new connection (None: no whole answer within 10 s)."""
    started = time.monotonic()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 10)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        answer = await asyncio.wait_for(reader.read(), 10 - (time.monotonic() - started))
        writer.close()
        status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else None
    except (OSError, asyncio.TimeoutError):
        status = None
    return status, time.monotonic() - started


async def crowd(port: int, seconds: float, slow: int, normal: int) -> tuple[list[tuple[int | None, float]], int]:
    await wait_ready(port)
    until = time.monotonic() + seconds
    dropped: list[int] = []
    slow_tasks = [asyncio.create_task(slow_client(port, until, dropped)) for _ in range(slow)]
    await asyncio.sleep(1)  # the crowd is in before the first normal request
    normal_tasks = []
    for i in range(normal):
        normal_tasks.append(asyncio.create_task(normal_request(port, PAGES[i % len(PAGES)])))
        await asyncio.sleep((seconds - 1) / normal)
    answers = await asyncio.gather(*normal_tasks)
    await asyncio.gather(*slow_tasks)
    return answers, len(dropped)


def log_lines(text: str) -> int:
    """Warning and error lines: all but INFO lines (access lines among them) and serve's own start/stop."""
    return sum(1 for line in text.splitlines()
               if line.strip() and not line.startswith(("INFO:", "Serving ", "Stopped.")))


def measure(kind: str, seconds: float, slow: int, normal: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        db = os.path.join(folder, "ledger.db")
        subprocess.run([sys.executable, "-m", "cli", "--db", db, "demo"], cwd=ROOT, check=True, capture_output=True)
        port = free_port()
        log_path = Path(folder) / "server.log"
        with open(log_path, "wb") as log:
            server = start(kind, db, port, log)
            try:
                answers, dropped = asyncio.run(crowd(port, seconds, slow, normal))
            finally:
                server.send_signal(signal.SIGINT)
                try:
                    server.wait(20)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
        text = log_path.read_text(errors="replace")
    fast = sum(1 for status, took in answers if status == 200 and took <= 1.0)
    slowest = max(took for status, took in answers)
    return {"server": kind, "ok_within_1s": fast, "normal": normal, "slowest_s": round(slowest, 2),
            "slow_dropped": dropped, "warning_error_lines": log_lines(text), "exit": server.returncode}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--slow", type=int, default=300)
    parser.add_argument("--normal", type=int, default=100)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # this process holds every client's socket
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * (args.slow + args.normal))), hard))
    print(f"{args.slow} slow clients (a byte a second), {args.normal} normal GETs over {args.seconds:g} s, "
          f"server under ulimit -n {OPEN_FILES}")
    print(f"{'server':<14}{'200 within 1 s':>16}{'slowest':>10}{'slow dropped':>14}{'warn/error lines':>18}")
    for kind in ("plain-uvicorn", "serve"):
        row = measure(kind, args.seconds, args.slow, args.normal)
        print(f"{kind:<14}{row['ok_within_1s']:>10} / {row['normal']:<3}{row['slowest_s']:>9}s"
              f"{row['slow_dropped']:>14}{row['warning_error_lines']:>18}", flush=True)


if __name__ == "__main__":
    main()

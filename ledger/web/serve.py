"""`raceledger serve`: the web view on uvicorn, bound to the loopback address unless told otherwise.

With `workers` above 1 the listening socket is bound once and that many processes are forked, each
a uvicorn server with its own guard (ledger.web.guard), its own engine and its own page cache,
accepting from the one socket; the first process only waits for them and stops them. A page and
its ETag depend only on the ledger (ledger.web.app), so every worker answers alike.

Its own messages never say "nothing was written": the server only ever reads."""

from __future__ import annotations

import copy
import os
import signal
import socket
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ledger.core.errors import LedgerError
from ledger.read.verdicts import DEFAULT_TOLERANCE_MS
from ledger.store.engine import failure, open_engine
from ledger.web.app import CACHE_BYTES, make_app
from ledger.web.guard import BACKLOG, HEADER_TIMEOUT, Guard, default_max_connections, quiet
from ledger.read.queries import ledger_head

if TYPE_CHECKING:  # only named in annotations: serving or writing without proofs never loads them (cryptography)
    from ledger.read.proofs import Publication

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def address(host: str, port: int) -> str:
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


def run(db: str | None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, read_only: bool = True,
        tolerance_ms: int = DEFAULT_TOLERANCE_MS, announce: Callable[[str], None] = print,
        access_log: bool = True, cache_bytes: int = CACHE_BYTES, header_timeout: float = HEADER_TIMEOUT,
        max_connections: int | None = None, base_url: str | None = None, workers: int = 1,
        publication: Publication | None = None) -> None:
    """Serve the ledger at `db` until interrupted (Ctrl+C or SIGTERM: "Stopped."). It is always opened
    read-only (SQLite `mode=ro`, PostgreSQL read-only transactions): `read_only=False` is refused, as
    the server never writes. Pages made are kept by ETag up to `cache_bytes` (0: none kept;
    ledger.web.app.PageCache). Slow and many clients are held to `header_timeout` seconds for a
    request head and `max_connections` sockets (default: guard.default_max_connections();
    ledger.web.guard). Port 0 takes a free port, announced. `base_url` is where readers reach the
    server, for linked data and canonical links (ledger.web.app.make_app). `workers` processes
    answer (each keeping its own `cache_bytes` of pages and `max_connections` sockets). A
    `publication` (ledger.read.proofs) publishes a checkpoint and claims' proofs; it is refused
    before the server listens unless it fits the ledger."""
    if not read_only:
        raise ValueError("the web view only reads: it always opens the ledger read-only")
    if workers < 1:
        raise ValueError("a server needs at least one worker")
    guard = Guard(header_timeout, max_connections or default_max_connections())
    try:
        engine, target = open_engine(db, write=False, read_only=True)
        try:
            try:
                with Session(engine) as session, session.begin():
                    head = ledger_head(session)
                    if publication is not None:
                        publication.opened(session)
            except DBAPIError as exc:
                raise LedgerError(f"cannot serve {target.display}: {failure(exc)}") from None
            try:
                listener = guard.listen(host, port)
            except OSError as exc:
                raise LedgerError(f"cannot listen on {address(host, port)}: {exc.strerror or exc}") from None
            with listener:
                announce(f"Serving {target.display} read-only at {address(host, listener.getsockname()[1])} "
                         f"(head {head['seq']}:{head['hash']}"
                         f"{f', {workers} workers' if workers > 1 else ''}); press Ctrl+C to stop.")
                if target.immutable:
                    announce(f"{target.display} lies in a folder this user may not write: it is served as an "
                             "immutable snapshot, and writes made to it after now are not shown until a restart.")
                app_options = (tolerance_ms, cache_bytes, base_url, publication)
                if workers == 1:
                    _serve(make_app(engine, *app_options), guard, listener, access_log)
                else:
                    engine.dispose()  # no connection is shared with the workers: each opens its own
                    _prefork(workers, lambda: _worker(db, app_options, guard, listener, access_log))
        finally:
            engine.dispose()
    except KeyboardInterrupt:  # uvicorn stops gracefully on the signal, then raises it again
        pass
    announce("Stopped.")


def _serve(app: Any, guard: Guard, listener: socket.socket, access_log: bool, log_config: Any = None) -> None:
    import uvicorn

    # asyncio's own loop: it accepts through the guard's listening socket (uvloop would not).
    config = uvicorn.Config(app, http=guard.protocol(), loop="asyncio", lifespan="off", access_log=access_log,
                            server_header=False, proxy_headers=False, log_level="info", backlog=BACKLOG,
                            **({} if log_config is None else {"log_config": log_config}))
    with quiet("uvicorn.error", "asyncio"):
        uvicorn.Server(config).run(sockets=[listener])


def _worker(db: str | None, app_options: tuple, guard: Guard, listener: socket.socket, access_log: bool) -> None:
    """One forked worker: its own guard on the shared socket, its own engine and page cache, and
    log lines that name its process."""
    from uvicorn.config import LOGGING_CONFIG

    own = Guard(guard.header_timeout, guard.max_connections)
    listener.guard = own  # this process's copy of the socket object: its accepts count against its own guard
    engine, _ = open_engine(db, write=False, read_only=True)
    log_config = copy.deepcopy(LOGGING_CONFIG)
    for formatter in log_config["formatters"].values():
        formatter["fmt"] = formatter["fmt"].replace("%(levelprefix)s ", "%(levelprefix)s [%(process)d] ", 1)
    _serve(make_app(engine, *app_options), own, listener, access_log, log_config)


def _prefork(workers: int, work: Callable[[], None]) -> None:
    """Fork `workers` processes running `work`, then wait for them; an interrupt (Ctrl+C, SIGTERM)
    stops every one (SIGTERM: each finishes the responses it is making) before it goes on. A
    worker that ends by itself stops the others, and is an error."""
    sys.stdout.flush()
    sys.stderr.flush()
    children: set[int] = set()
    try:
        for _ in range(workers):
            pid = os.fork()
            if pid == 0:  # a worker ends with os._exit: the atexit handlers and buffers it inherited are the parent's
                os._exit(_child(work))
            children.add(pid)
        pid, status = os.wait()
        children.discard(pid)
        raise LedgerError(f"a server worker (process {pid}) stopped with exit status {os.waitstatus_to_exitcode(status)}")
    finally:
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for pid in children:
            _reap(pid)


def _reap(pid: int) -> None:
    """Wait for a stopped worker, a second interrupt meanwhile not leaving it unreaped."""
    while True:
        try:
            os.waitpid(pid, 0)
            return
        except ChildProcessError:
            return
        except KeyboardInterrupt:
            continue


def _orphaned(parent: int) -> None:
    """Stop this worker (as SIGTERM would) once the process that forked it is gone without stopping
    it (`kill -9`): no worker outlives the server it belongs to."""
    while os.getppid() == parent:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)


def _child(work: Callable[[], None]) -> int:
    """A worker's exit status: 0 when stopped by a signal, 1 (after one `Error:` line) on a fault."""
    threading.Thread(target=_orphaned, args=(os.getppid(),), daemon=True).start()
    try:
        work()
        return 0
    except KeyboardInterrupt:
        return 0
    except Exception as exc:  # the process ends here; what went wrong is told in one line
        print(f"Error: server worker {os.getpid()}: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()

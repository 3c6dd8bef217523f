"""`raceledger serve`: the web view on uvicorn, bound to the loopback address unless told otherwise.

Its own messages never say "nothing was written": the server only ever reads."""

from __future__ import annotations

from typing import Callable

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ledger.core.errors import LedgerError
from ledger.read.verdicts import DEFAULT_TOLERANCE_MS
from ledger.store.engine import failure, open_engine
from ledger.web.app import CACHE_BYTES, make_app
from ledger.web.guard import BACKLOG, HEADER_TIMEOUT, Guard, default_max_connections, quiet
from ledger.read.queries import ledger_head

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def address(host: str, port: int) -> str:
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


def run(db: str | None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, read_only: bool = True,
        tolerance_ms: int = DEFAULT_TOLERANCE_MS, announce: Callable[[str], None] = print,
        access_log: bool = True, cache_bytes: int = CACHE_BYTES, header_timeout: float = HEADER_TIMEOUT,
        max_connections: int | None = None, base_url: str | None = None) -> None:
    """Serve the ledger at `db` until interrupted (Ctrl+C or SIGTERM: "Stopped."). It is always opened
    read-only (SQLite `mode=ro`, PostgreSQL read-only transactions): `read_only=False` is refused, as
    the server never writes. Pages made are kept by ETag up to `cache_bytes` (0: none kept;
    ledger.web.app.PageCache). Slow and many clients are held to `header_timeout` seconds for a
    request head and `max_connections` sockets (default: guard.default_max_connections();
    ledger.web.guard). Port 0 takes a free port, announced. `base_url` is where readers reach the
    server, for linked data and canonical links (ledger.web.app.make_app)."""
    import uvicorn

    if not read_only:
        raise ValueError("the web view only reads: it always opens the ledger read-only")
    guard = Guard(header_timeout, max_connections or default_max_connections())
    try:
        engine, target = open_engine(db, write=False, read_only=True)
        try:
            try:
                with Session(engine) as session, session.begin():
                    head = ledger_head(session)
            except DBAPIError as exc:
                raise LedgerError(f"cannot serve {target.display}: {failure(exc)}") from None
            try:
                listener = guard.listen(host, port)
            except OSError as exc:
                raise LedgerError(f"cannot listen on {address(host, port)}: {exc.strerror or exc}") from None
            with listener:
                announce(f"Serving {target.display} read-only at {address(host, listener.getsockname()[1])} "
                         f"(head {head['seq']}:{head['hash']}); press Ctrl+C to stop.")
                if target.immutable:
                    announce(f"{target.display} lies in a folder this user may not write: it is served as an "
                             "immutable snapshot, and writes made to it after now are not shown until a restart.")
                # asyncio's own loop: it accepts through the guard's listening socket (uvloop would not).
                config = uvicorn.Config(make_app(engine, tolerance_ms, cache_bytes, base_url), http=guard.protocol(),
                                        loop="asyncio", lifespan="off", access_log=access_log, server_header=False,
                                        proxy_headers=False, log_level="info", backlog=BACKLOG)
                with quiet("uvicorn.error", "asyncio"):
                    uvicorn.Server(config).run(sockets=[listener])
        finally:
            engine.dispose()
    except KeyboardInterrupt:  # uvicorn stops gracefully on the signal, then raises it again
        pass
    announce("Stopped.")

"""`raceledger serve`: the web view on uvicorn, bound to the loopback address unless told otherwise."""

from __future__ import annotations

from typing import Callable

from ledger.read.verdicts import DEFAULT_TOLERANCE_MS
from ledger.store.engine import open_engine, transaction
from ledger.web.app import CACHE_BYTES, make_app
from ledger.web.headers import ledger_head

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def address(host: str, port: int) -> str:
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


def run(db: str | None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, read_only: bool = True,
        tolerance_ms: int = DEFAULT_TOLERANCE_MS, announce: Callable[[str], None] = print,
        access_log: bool = True, cache_bytes: int = CACHE_BYTES) -> None:
    """Serve the ledger at `db` until interrupted. It is always opened read-only (SQLite `mode=ro`,
    PostgreSQL read-only transactions): `read_only=False` is refused, as the server never writes.
    Pages made are kept by ETag up to `cache_bytes` (0: none kept; ledger.web.app.PageCache)."""
    import uvicorn

    if not read_only:
        raise ValueError("the web view only reads: it always opens the ledger read-only")
    engine, target = open_engine(db, write=False, read_only=True)
    try:
        with transaction(engine) as session:
            head = ledger_head(session)
        announce(f"Serving {target.display} read-only at {address(host, port)} "
                 f"(head {head['seq']}:{head['hash']}); press Ctrl+C to stop.")
        config = uvicorn.Config(make_app(engine, tolerance_ms, cache_bytes), host=host, port=port, lifespan="off",
                                access_log=access_log, server_header=False, proxy_headers=False, log_level="info")
        uvicorn.Server(config).run()
    finally:
        engine.dispose()

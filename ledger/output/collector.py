"""Pausing Python's cyclic garbage collector while work builds many objects that all stay alive.

An import allocates millions of short-lived lists, and a report (the 50,000 claims of a category)
holds every object it builds until it is printed; each time the collector runs it scans them all
again. Reference counting still frees what is no longer used; the collector is back on when the
work ends. Entered in one place only: `ledger.cli.common.pauses_collector`, around a whole command.

Measured: `raceledger results` of the 50,000-claim category of benchmarks/bench.py's reading
ledger, whole processes, best of 5 interleaved runs on a busy 2-core machine: as JSON 3.2 s with
the collector paused, 4.8 s with it running (CPU 1.57 s against 2.32 s); as a table 2.9 s against
4.0 s (CPU 1.45 s against 1.95 s).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, then as it was before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

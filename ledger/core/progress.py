"""Progress of long operations, reported through a callback the caller gives (the CLI draws bars).

`progress(label, total)` returns a context manager that yields `advance(n)`; the default does
nothing, so services never print and never import click.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Callable, Protocol

Advance = Callable[[int], None]


class Progress(Protocol):
    def __call__(self, label: str, total: int) -> AbstractContextManager[Advance]: ...


def _ignore(_n: int) -> None:
    return None


def silent(_label: str, _total: int) -> AbstractContextManager[Advance]:
    return nullcontext(_ignore)

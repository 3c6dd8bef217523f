"""Text files written whole or not at all, with the same bytes on every platform.

An export can take minutes; a reader (or a crash) must never find half of one under its name.
"""

from __future__ import annotations

import io
import os
from contextlib import contextmanager
from typing import BinaryIO, Iterator, TextIO


@contextmanager
def written_whole(path: str) -> Iterator[TextIO]:
    """UTF-8 text with `\\n` line ends, written to PATH.partial and renamed to PATH only when the
    block ends without error: until then PATH is as it was (after an error, the .partial stays)."""
    partial = f"{path}.partial"
    with open(partial, "w", encoding="utf-8", newline="\n") as out:
        yield out
    os.replace(partial, path)


@contextmanager
def text_over(binary: BinaryIO) -> Iterator[TextIO]:
    """UTF-8 text with `\\n` line ends written to a binary stream (standard output's, say) and
    flushed when the block ends, leaving the stream open: the console's encoding does not matter."""
    out = io.TextIOWrapper(binary, encoding="utf-8", newline="\n")
    try:
        yield out
        out.flush()
    finally:
        out.detach()

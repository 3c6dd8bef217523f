"""Text files, and folders of files, written whole or not at all, with the same bytes on every platform.

An export or a static report can take minutes; a reader (or a crash) must never find half of one
under its name.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import tempfile
from contextlib import contextmanager, suppress
from typing import BinaryIO, Iterator, TextIO

from ledger.core.errors import LedgerError


def is_stream(path: str) -> bool:
    """A device or FIFO (through any symlinks): written into as it is, never replaced by a file."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextmanager
def written_whole(path: str) -> Iterator[TextIO]:
    """UTF-8 text with `\\n` line ends, written to PATH.partial and renamed to PATH only when the
    block ends without error or interrupt: until then PATH is as it was, and the .partial never
    outlives the block. A symlink's target is written (the link stays a link); a device or FIFO is
    written straight into. Any failure to write (no such folder, a full disk) is a LedgerError."""
    target = os.path.realpath(path)
    if os.path.isdir(target):
        raise LedgerError(f"cannot write {path}: it is a directory; name a file in it")
    if is_stream(target):
        with _failing_as_ledger_error(path, ""), open(target, "w", encoding="utf-8", newline="\n") as out:
            yield out
        return
    partial = f"{target}.partial"
    with _failing_as_ledger_error(path, "; nothing was written"):
        out = open(partial, "w", encoding="utf-8", newline="\n")
        try:
            with out:
                yield out
                out.flush()
                os.fsync(out.fileno())  # on the disk before it has the name: a crash finds all or nothing
            os.replace(partial, target)
        except BaseException:
            with suppress(OSError):
                os.remove(partial)
            raise


@contextmanager
def folder_filled_whole(path: str) -> Iterator[str]:
    """A staging folder beside the folder PATH: the block writes its files there, and only when it
    ends without error or interrupt are they moved into PATH (made if new; other files already in
    it stay, those of the same name are replaced). Until then PATH is as it was, and the staging
    folder never outlives the block. Any failure to write is a LedgerError."""
    target = os.path.realpath(path)
    if os.path.exists(target) and not os.path.isdir(target):
        raise LedgerError(f"cannot write into {path}: it is a file, not a folder")
    parent, name = os.path.split(target)
    with _failing_as_ledger_error(path, "; nothing was written"):
        os.makedirs(parent or ".", exist_ok=True)
        staging = tempfile.mkdtemp(prefix=f".{name}.partial-", dir=parent or ".")
    try:
        yield staging
        with _failing_as_ledger_error(path, ""):
            os.makedirs(target, exist_ok=True)
            for folder, _, names in os.walk(staging):
                into = os.path.join(target, os.path.relpath(folder, staging))
                os.makedirs(into, exist_ok=True)
                for each in names:
                    os.replace(os.path.join(folder, each), os.path.join(into, each))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def _failing_as_ledger_error(path: str, outcome: str) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise LedgerError(f"cannot write {path}: {exc.strerror or exc}{outcome}") from None


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

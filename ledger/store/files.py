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


def written_private(path: str, text: str) -> None:
    """A secret (a signing key) written to a new file only its owner may read (mode 0600): an
    existing PATH, even a link, is refused and left as it was, so no key is ever overwritten. A
    failure part way leaves no file."""
    with _failing_as_ledger_error(path, "; nothing was written"):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except FileExistsError:
            raise LedgerError(f"{path} exists: a key file is never overwritten; name a new file") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            with suppress(OSError):
                os.remove(path)
            raise


# A folder inside the one being filled, opened only if it is a folder, never through a link.
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@contextmanager
def folder_filled_whole(path: str) -> Iterator[str]:
    """A staging folder beside the folder PATH: the block writes its files there, and only when it
    ends without error or interrupt are they moved into PATH (made if new; other files already in
    it stay, those of the same name are replaced). Any failure to write is a LedgerError.

    Whole or nothing, as far as the OS allows:
    - PATH is resolved once (it may be a symbolic link); every path inside it is then reached through
      folders opened without following links, so nothing is ever written through a link inside it,
      not even one made while the files move (that move fails instead).
    - Before anything moves, every path a file takes is checked: a symbolic link, a folder where a
      file goes, or a file where a folder goes is refused, naming it, and PATH is left as it was.
    - A file about to be replaced is first linked (or moved) aside, into a folder beside PATH. When a
      move fails (a permission, an obstacle made since the check, an interrupt), the moves made are
      undone in reverse and the folders made removed, so PATH is as it was. Each file is replaced by
      one rename: a reader of PATH meanwhile sees each file whole, old or new, though some may
      already be new while others are still old.
    - Beyond it: a crash or `kill -9` during the moves leaves PATH part new (the replaced files are
      then in `.NAME.replaced-*` beside it), and so may a second writer into PATH at the same time.
      The staging folder never outlives the block, nor does the folder of replaced files, save when
      undoing fails too: then it keeps them, and the error names it.
    """
    if not path:
        raise LedgerError("no folder named to write into")
    target = os.path.realpath(path)
    if os.path.exists(target) and not os.path.isdir(target):
        raise LedgerError(f"cannot write into {path}: it is a file, not a folder")
    parent, name = os.path.split(target)
    made = _first_missing(target)
    with _failing_as_ledger_error(path, "; nothing was written"):
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=f".{name}.partial-", dir=parent)
    whole = False
    try:
        yield staging
        _move_in(staging, target, path)
        whole = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if not whole and made is not None:
            _remove_made(target, made)


def _first_missing(path: str) -> str | None:
    """The outermost of PATH and its folders that does not exist yet; None if PATH does."""
    missing = None
    while not os.path.lexists(path):
        missing, path = path, os.path.dirname(path)
    return missing


def _remove_made(path: str, made: str) -> None:
    """PATH and its folders up to MADE, each only while empty: the folders a failed fill made."""
    while True:
        try:
            os.rmdir(path)
        except OSError:
            return
        if path == made:
            return
        path = os.path.dirname(path)


def _staged(staging: str) -> list[tuple[str, ...]]:
    """The files in the staging folder, each as the names of its path inside it, in sorted order."""
    found = []
    for folder, _, names in os.walk(staging):
        inside = os.path.relpath(folder, staging).split(os.sep)
        found += [tuple(part for part in (*inside, each) if part != ".") for each in names]
    return sorted(found)


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a file" if stat.S_ISREG(mode) else "a special file"


def _obstacles(target: str, files: list[tuple[str, ...]]) -> list[str]:
    """Each path inside TARGET that a file or its folder would take and cannot: a symbolic link,
    a folder where a file goes, anything else where a folder goes."""
    seen: dict[tuple[str, ...], str | None] = {}  # a path: its kind, None if absent
    found = []
    for parts in files:
        for end in range(1, len(parts) + 1):
            path = parts[:end]
            if path not in seen:
                try:
                    seen[path] = _kind(os.lstat(os.path.join(target, *path)).st_mode)
                except FileNotFoundError:
                    seen[path] = None
                wanted = "a file" if end == len(parts) else "a folder"
                if seen[path] not in (None, wanted):
                    found.append(f"{'/'.join(path)} is {seen[path]} where {wanted} goes")
            if seen[path] != "a folder":
                break  # what lies below an absent folder is absent; below an obstacle, not reached
    return found


def _move_in(staging: str, target: str, shown: str) -> None:
    """The staged files moved into TARGET whole or not at all (folder_filled_whole says how far)."""
    files = _staged(staging)
    found = _obstacles(target, files)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise LedgerError(f"cannot write into {shown}: {found[0]}{more}; nothing was written, {shown} is as it was")
    with _failing_as_ledger_error(shown, "; nothing was written"):
        os.makedirs(target, exist_ok=True)
        aside = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}.replaced-", dir=os.path.dirname(staging))
        try:
            moves = _Moves(target, aside)
        except BaseException:
            os.rmdir(aside)
            raise
    try:
        for parts in files:
            moves.place(os.path.join(staging, *parts), parts)
    except BaseException as exc:
        failed = moves.undo()
        if failed is None:
            moves.discard()
            note = f"nothing was written, {shown} is as it was"
        else:
            note = f"undoing it failed too ({failed}): {shown} is part new; the files it replaced are in {aside}"
        if isinstance(exc, OSError):
            exc = LedgerError(f"{exc.strerror or exc}: {'/'.join(moves.trying)}")
        if isinstance(exc, LedgerError):
            raise LedgerError(f"cannot write into {shown}: {exc}; {note}") from None
        exc.add_note(note)  # an interrupt: the CLI's line says it
        raise
    finally:
        moves.close()
    moves.discard()


def _times(fd: int) -> tuple[int, int]:
    found = os.fstat(fd)
    return found.st_atime_ns, found.st_mtime_ns


class _Moves:
    """Files renamed into a folder, through folders opened without following links, and how to
    undo that: each replaced file is kept in the folder `aside` until all have moved."""

    def __init__(self, target: str, aside: str) -> None:
        self.aside = aside
        self.aside_fd = os.open(aside, _FOLDER)
        try:
            self.root = os.open(target, _FOLDER)  # TARGET was resolved once; a link put there since is refused
        except OSError:
            os.close(self.aside_fd)
            raise
        self.open: dict[tuple[str, ...], int] = {}  # the folders on the path of the file moved last
        self.times = {(): _times(self.root)}  # each folder that was there: its times, put back on undo
        self.made: list[tuple[str, ...]] = []
        self.placed: list[tuple[tuple[str, ...], str | None]] = []  # a file moved in, and its old one aside
        self.trying: tuple[str, ...] = ()

    def folder(self, parts: tuple[str, ...], make: bool = True) -> int:
        """The folder at PARTS, opened (and made, if `make` and missing) one name at a time."""
        for path in [p for p in self.open if p != parts[:len(p)]]:
            os.close(self.open.pop(path))  # the folders of files moved before: done with
        fd = self.root
        for end in range(1, len(parts) + 1):
            path = parts[:end]
            if path not in self.open:
                if make:
                    with suppress(FileExistsError):
                        os.mkdir(path[-1], dir_fd=fd)
                        self.made.append(path)
                self.open[path] = os.open(path[-1], _FOLDER, dir_fd=fd)
                if path not in self.times and path not in self.made:
                    self.times[path] = _times(self.open[path])
            fd = self.open[path]
        return fd

    def place(self, source: str, parts: tuple[str, ...]) -> None:
        self.trying = parts
        fd, name = self.folder(parts[:-1]), parts[-1]
        try:
            mode = os.lstat(name, dir_fd=fd).st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None:
            if not stat.S_ISREG(mode):  # made since the check
                raise LedgerError(f"{'/'.join(parts)} is {_kind(mode)} where a file goes")
            kept = str(len(self.placed))
            try:
                os.link(name, kept, src_dir_fd=fd, dst_dir_fd=self.aside_fd, follow_symlinks=False)
            except OSError:  # a file system without hard links: the name is empty until the next rename
                os.rename(name, kept, src_dir_fd=fd, dst_dir_fd=self.aside_fd)
            self.placed.append((parts, kept))
        os.replace(source, name, dst_dir_fd=fd)
        if mode is None:
            self.placed.append((parts, None))

    def undo(self) -> str | None:
        """Every move undone, newest first, and the folders made removed; the first failure, if any."""
        failed = None
        for parts, kept in reversed(self.placed):
            try:
                fd = self.folder(parts[:-1], make=False)
                if kept is None:
                    os.unlink(parts[-1], dir_fd=fd)
                else:
                    os.replace(kept, parts[-1], src_dir_fd=self.aside_fd, dst_dir_fd=fd)
            except OSError as exc:
                failed = failed or f"{exc.strerror or exc}: {'/'.join(parts)}"
        for parts in reversed(self.made):
            try:
                os.rmdir(parts[-1], dir_fd=self.folder(parts[:-1], make=False))
            except OSError as exc:
                failed = failed or f"{exc.strerror or exc}: {'/'.join(parts)}"
        for parts, times in self.times.items():  # a folder's times change as names come and go
            with suppress(OSError):
                os.utime(self.folder(parts, make=False), ns=times)
        return failed

    def discard(self) -> None:
        shutil.rmtree(self.aside, ignore_errors=True)

    def close(self) -> None:
        for fd in [*self.open.values(), self.root, self.aside_fd]:
            os.close(fd)
        self.open.clear()


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

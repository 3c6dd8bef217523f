"""A folder its writer may not change, made for real: as root (whom permissions do not stop) the
folder is made immutable (`chattr +i`, ext4 and the like); as anyone else it loses its write bits."""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest


@contextmanager
def frozen(folder: Path) -> Iterator[None]:
    """FOLDER unwritable for the block: nothing may be made, renamed or removed in it."""
    if os.geteuid() != 0:
        mode = folder.stat().st_mode
        folder.chmod(mode & 0o555)
        try:
            yield
        finally:
            folder.chmod(mode)
        return
    if shutil.which("chattr") is None:
        pytest.skip("root cannot make a folder unwritable here: no chattr")
    made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"root cannot make {folder} unwritable here (chattr +i: {made.stderr.strip()})")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)

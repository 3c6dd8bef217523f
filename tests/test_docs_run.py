"""The documentation runs as written: every shell block of README.md and docs/*.md, and every
`Example:` of every command's --help, run by bash with the installed `raceledger` first on PATH.

A file's blocks run in order, in one shell (so a variable or `export` carries on, as in a reader's
terminal), in a fresh folder; each command must exit 0. A block that cannot run here says so, with
its reason, in a comment on the line right before it: `<!-- docs-test: skip — needs a server -->`;
the test reports that reason as its skip. Each command's help examples run in a folder of their own
holding the demo ledger.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli import cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BIN = Path(sys.executable).parent
FENCE = re.compile(r"^```(sh|bash|console)\s*$")
MARKER = re.compile(r"^<!--\s*docs-test:\s*skip\s*[—-]\s*(?P<reason>.+?)\s*-->\s*$")


@dataclass(frozen=True)
class Block:
    """One shell block: where it starts, its commands (continuation lines joined), and why it does not run."""

    name: str
    line: int
    commands: tuple[str, ...]
    skip: str | None


def commands(lines: list[str]) -> tuple[str, ...]:
    """The commands of shell lines: a line ending in a backslash goes on, blank and comment lines are none."""
    found, pending = [], ""
    for line in lines:
        pending += line + "\n"
        if line.rstrip().endswith("\\"):
            continue
        if pending.strip() and not pending.lstrip().startswith("#"):
            found.append(pending.rstrip("\n"))
        pending = ""
    return tuple(found)


def blocks(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found, start, skip = [], None, None
    for number, line in enumerate(lines, 1):
        if start is None and FENCE.match(line):
            before = next((earlier for earlier in reversed(lines[:number - 1]) if earlier.strip()), "")
            marker = MARKER.match(before)
            start, skip = number, marker and marker["reason"]
        elif start is not None and line.strip() == "```":
            name = f"{path.relative_to(ROOT)}:{start}"
            found.append(Block(name, start, commands(lines[start:number - 1]), skip))
            start = None
    return found


def environment() -> dict[str, str]:
    """A reader's shell: this venv's raceledger first on PATH, no RACELEDGER_* setting of ours."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("RACELEDGER_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_in_shell(script: list[str], folder: Path) -> dict[tuple[int, int], tuple[int, str]]:
    """Run each `script` command (a list per block) in one bash in `folder`; each command's exit code and output."""
    logs = folder.parent / f"{folder.name}.logs"
    logs.mkdir()
    lines = ["set -o pipefail"]
    for b, block in enumerate(script):
        for c, command in enumerate(block):
            lines += ["{", command, f"}} >{logs}/{b}.{c} 2>&1 </dev/null", f"echo $? >{logs}/{b}.{c}.rc"]
    (logs / "script.sh").write_text("\n".join(lines) + "\n", encoding="utf-8")
    subprocess.run(["bash", str(logs / "script.sh")], cwd=folder, env=environment(), stdin=subprocess.DEVNULL,
                   timeout=300, check=False)
    results = {}
    for b, block in enumerate(script):
        for c in range(len(block)):
            rc = (logs / f"{b}.{c}.rc").read_text().strip()
            results[b, c] = (int(rc), (logs / f"{b}.{c}").read_text(encoding="utf-8", errors="replace"))
    return results


def failures(commands: tuple[str, ...], results: list[tuple[int, str]]) -> list[str]:
    return [f"$ {command}\n(exit {rc})\n{output}" for command, (rc, output) in zip(commands, results) if rc != 0]


ALL_BLOCKS = [block for path in DOCS for block in blocks(path)]


@pytest.fixture(scope="session")
def documents(tmp_path_factory):
    """Each document's runnable blocks, run once in a fresh folder: block name -> each command's (exit, output)."""

    @cache
    def run(path: str) -> dict[str, list[tuple[int, str]]]:
        runnable = [block for block in ALL_BLOCKS if block.name.startswith(f"{path}:") and block.skip is None]
        results = run_in_shell([block.commands for block in runnable], tmp_path_factory.mktemp("doc"))
        return {block.name: [results[b, c] for c in range(len(block.commands))] for b, block in enumerate(runnable)}

    return run


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=[block.name for block in ALL_BLOCKS])
def test_every_shell_block_of_the_docs_runs(block, documents):
    if block.skip:
        pytest.skip(block.skip)
    results = documents(block.name.rsplit(":", 1)[0])[block.name]
    assert not failures(block.commands, results), "\n".join(failures(block.commands, results))


def test_the_docs_have_shell_blocks_and_skip_markers_the_test_reads():
    """The test would pass on docs it cannot see: a renamed fence or a misspelt marker must not hide a block."""
    assert len(ALL_BLOCKS) >= 15
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        assert text.count("docs-test:") == sum(1 for block in blocks(path) if block.skip), path
        assert text.count("```") == 2 * len(blocks(path)), f"{path}: a code block the test does not run"

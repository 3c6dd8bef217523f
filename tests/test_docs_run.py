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
import signal
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
    """One shell block: where it is, its commands (continuation lines joined), and why it does not run."""

    name: str
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
            found.append(Block(name, commands(lines[start:number - 1]), skip))
            start = None
    return found


def environment() -> dict[str, str]:
    """A reader's shell: this venv's raceledger first on PATH, no RACELEDGER_* setting of ours."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("RACELEDGER_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


class Shell:
    """One bash running each command of `script` (a list per block) in `folder`, started at once so that
    shells run side by side; `results` waits for it: each command's exit code and output."""

    def __init__(self, script: list[tuple[str, ...]], folder: Path, apart: bool = False):
        """`apart`: each block in a subshell of its own, in `folder`/BLOCK (made beforehand), not one after another."""
        self.script, self.logs = script, folder.parent / f"{folder.name}.logs"
        self.logs.mkdir()
        lines = ["set -o pipefail"]
        for b, block in enumerate(script):
            lines += [f"( cd {folder / str(b)} || exit"] if apart else []
            for c, command in enumerate(block):
                lines += ["{", command, f"}} >{self.logs}/{b}.{c} 2>&1 </dev/null", f"echo $? >{self.logs}/{b}.{c}.rc"]
            lines += [")"] if apart else []
        (self.logs / "script.sh").write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.process = subprocess.Popen(["bash", str(self.logs / "script.sh")], cwd=folder, env=environment(),
                                        stdin=subprocess.DEVNULL, start_new_session=True)

    def stop(self) -> None:
        """End the shell and the command it runs, if a test run ends before the shell does."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait()

    @cache
    def results(self, block: int) -> list[tuple[int, str]]:
        self.process.wait(timeout=300)
        return [(int((self.logs / f"{block}.{c}.rc").read_text()),
                 (self.logs / f"{block}.{c}").read_text(encoding="utf-8", errors="replace"))
                for c in range(len(self.script[block]))]


def failures(commands: tuple[str, ...], results: list[tuple[int, str]]) -> list[str]:
    return [f"$ {command}\n(exit {rc})\n{output}" for command, (rc, output) in zip(commands, results) if rc != 0]


ALL_BLOCKS = [block for path in DOCS for block in blocks(path)]


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group under `group`, walked on the click objects (however the CLI's modules are cut)."""
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += command_paths(command, (*prefix, name))
    return found


def help_examples(path: tuple[str, ...]) -> tuple[str, ...]:
    """The commands of the `Example:` block of `raceledger PATH --help`: its indented lines."""
    text = CliRunner().invoke(cli, [*path, "--help"], prog_name="raceledger").stdout
    lines = text.split("Example:\n", 1)[1].splitlines()
    end = next((i for i, line in enumerate(lines) if not line.startswith(" ")), len(lines))
    return commands([line.strip() for line in lines[:end]])


# Help examples that cannot run on the demo ledger here, and why.
SKIPPED_EXAMPLES = {
    ("serve",): "starts a server that runs until it is stopped",
    ("db",): "needs a PostgreSQL server (a postgresql+psycopg:// URL)",
    ("db", "grant-reader"): "needs a PostgreSQL server (a postgresql+psycopg:// URL)",
    ("info",): "needs a PostgreSQL server (a postgresql+psycopg:// URL)",
    ("finish",): "needs order.txt and a race whose bibs are 101, 57 and 12, which the example does not make "
                 "(nor the City Marathon); --live reads a person at the finish line",
    ("import",): "needs results files the example does not make (results.csv, export.tsv, final.csv, "
                 "ergebnisse.csv, boston-style.csv), and the City Marathon",
}

def example_block(path: tuple[str, ...]) -> Block:
    return Block(" ".join(("raceledger", *path, "--help")), help_examples(path), SKIPPED_EXAMPLES.get(path))


EXAMPLES = [example_block(path) for path in [(), *command_paths(cli)]]


@pytest.fixture(scope="session")
def shells(tmp_path_factory) -> dict[str, tuple[Shell, int]]:
    """Every document's runnable blocks, one shell a document in a fresh folder, and every command's help
    examples, each in a folder holding the demo ledger, all started at once: block name -> (its shell, index)."""
    demo = tmp_path_factory.mktemp("demo")
    subprocess.run(["raceledger", "demo"], cwd=demo, env=environment(), check=True, capture_output=True, timeout=120)
    found = {}
    for path in DOCS:
        runnable = [block for block in blocks(path) if block.skip is None]
        shell = Shell([block.commands for block in runnable], tmp_path_factory.mktemp("doc"))
        found.update({block.name: (shell, b) for b, block in enumerate(runnable)})
    runnable = [block for block in EXAMPLES if block.skip is None]
    for half in (runnable[0::2], runnable[1::2]):  # two shells: the examples take as long as the documents
        examples = tmp_path_factory.mktemp("examples")
        for b in range(len(half)):
            shutil.copytree(demo, examples / str(b))
        shell = Shell([block.commands for block in half], examples, apart=True)
        found.update({block.name: (shell, b) for b, block in enumerate(half)})
    yield found
    for shell, _ in found.values():
        shell.stop()


def check(block: Block, shells) -> None:
    if block.skip:
        pytest.skip(block.skip)
    shell, index = shells[block.name]
    failed = failures(block.commands, shell.results(index))
    assert not failed, "\n".join(failed)


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=[block.name for block in ALL_BLOCKS])
def test_every_shell_block_of_the_docs_runs(block, shells):
    check(block, shells)


@pytest.mark.parametrize("block", EXAMPLES, ids=[block.name for block in EXAMPLES])
def test_every_help_example_runs_on_the_demo_ledger(block, shells):
    check(block, shells)


def test_the_docs_have_shell_blocks_and_skip_markers_the_test_reads():
    """The test would pass on docs it cannot see: a renamed fence or a misspelt marker must not hide a block."""
    assert len(ALL_BLOCKS) >= 15
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        assert text.count("docs-test:") == sum(1 for block in blocks(path) if block.skip), path
        assert text.count("```") == 2 * len(blocks(path)), f"{path}: a code block the test does not run"

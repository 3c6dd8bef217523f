"""Help everywhere, with an example; --version; and help that does not load the database layer."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

import ledger
from cli import cli


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        found.append((path, command))
        if isinstance(command, click.Group):
            found += command_paths(command, path)
    return found


ALL = command_paths(cli)
LEAVES = [path for path, command in ALL if not isinstance(command, click.Group)]
GROUPS = [path for path, command in ALL if isinstance(command, click.Group)]


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="raceledger")


def test_the_contracted_commands_exist():
    expected = {("init",), ("demo",), ("event", "add"), ("race", "add"), ("category", "add"), ("source", "add"),
                ("athlete", "add"), ("claim",), ("results",), ("disputes",), ("athlete", "show"), ("sources",)}
    assert expected <= {path for path, _ in ALL}  # `claim` records a claim, and is the group of `claim show`


@pytest.mark.parametrize("path", LEAVES, ids=[" ".join(p) for p in LEAVES])
def test_every_command_has_help_with_an_example(path):
    result = invoke(*path, "--help")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Usage: raceledger {' '.join(path)}")
    assert "Example:" in result.stdout
    assert "raceledger " in result.stdout.split("Example:", 1)[1]


@pytest.mark.parametrize("path", GROUPS, ids=[" ".join(p) for p in GROUPS])
def test_every_command_group_has_help_with_an_example(path):
    result = invoke(*path, "--help")
    assert result.exit_code == 0, result.stderr
    assert "Example:" in result.stdout


@pytest.mark.parametrize("path", [(), *[p for p, _ in ALL]], ids=["raceledger", *[" ".join(p) for p, _ in ALL]])
def test_dash_h_is_help_too(path):
    result = invoke(*path, "-h")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == invoke(*path, "--help").stdout


def test_top_level_help_lists_every_command_with_an_example():
    result = invoke("--help")
    assert result.exit_code == 0
    for name in cli.commands:
        assert name in result.stdout
    assert "Example:" in result.stdout


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag):
    result = invoke(flag)
    assert result.exit_code == 0
    assert result.stdout == f"raceledger, version {ledger.__version__}\n"


SUBPROCESS = """
import sys
from click.testing import CliRunner
from cli import cli
result = CliRunner().invoke(cli, {args!r})
assert result.exit_code == 0, result.output
loaded = sorted(name for name in sys.modules if name == "sqlalchemy" or name.startswith("sqlalchemy."))
print(",".join(loaded))
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["claim", "--help"], ["results", "--help"],
                                  ["athlete", "--help"], ["athlete", "show", "--help"]])
def test_help_and_version_do_not_import_sqlalchemy(args):
    done = subprocess.run([sys.executable, "-c", SUBPROCESS.format(args=args)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_the_check_for_sqlalchemy_would_see_it_when_it_is_imported():
    """Guards the test above: a command that opens a database does import SQLAlchemy."""
    probe = SUBPROCESS.replace("assert result.exit_code == 0, result.output\n", "")
    done = subprocess.run([sys.executable, "-c", probe.format(args=["--db", "/nonexistent/x.db", "event", "list"])],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "sqlalchemy" in done.stdout.split(",")


def test_console_script_entry_point_runs():
    done = subprocess.run([sys.executable, "-c", "import sys; sys.argv = ['raceledger', '--version']; "
                                                 "from cli import main; main()"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"raceledger, version {ledger.__version__}\n"


@pytest.mark.parametrize("path", [path for path, _ in ALL], ids=" ".join)
def test_every_help_is_dedented_and_wrapped_as_written(path):
    """A docstring line that loses its indent (a `\\n` written where `\\\\n` was meant) stops click
    from dedenting the text: its paragraphs then show runs of spaces mid-line."""
    shown = invoke(*path, "--help").output
    prose = shown.split("\nOptions:")[0].split("Example")[0].split("\n\n", 1)[1].splitlines()  # examples: as written
    assert not [line for line in prose if "   " in line.strip() or line.startswith("   ")], shown

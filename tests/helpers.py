"""What many test files share: reading a command's result, and the City Marathon they start from."""

from __future__ import annotations

import json
import signal
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

from sqlalchemy import Connection, create_engine

from ledger.store.engine import resolve_target

EVENT = "city-2025"
MARATHON = f"{EVENT}/marathon"
# The sources tests draw on: slug -> (name, kind).
SOURCES = {
    "timing": ("Official timing", "official"),
    "gazette": ("The Gazette", "press"),
    "state-tv": ("State TV", "state-media"),
}


def ok(result) -> str:
    """The output of a command that must succeed; the test fails with its error otherwise."""
    assert result.exit_code == 0, result.stderr
    return result.stdout


def as_json(result) -> Any:
    return json.loads(ok(result))


def entered(city, folder, start: str) -> None:
    """The city marathon's start list `start` (CSV text) recorded from timing."""
    path = folder / "start.csv"
    path.write_text(start, encoding="utf-8")
    ok(city("entrants", "import", MARATHON, str(path), "--source", "timing"))


def city_marathon(categories: dict[str, tuple[str, str]], sources: Iterable[str] = ("timing",)) -> list[tuple]:
    """The commands that make the City Marathon of 12 October 2025, its marathon, these categories
    (slug under the marathon -> name, sex) and sources: where most tests' ledgers begin."""
    commands: list[tuple] = [("event", "add", EVENT, "--name", "City Marathon", "--date", "2025-10-12"),
                             ("race", "add", MARATHON, "--name", "Marathon", "--distance", "42195")]
    commands += [("category", "add", f"{MARATHON}/{slug}", "--name", name, "--sex", sex)
                 for slug, (name, sex) in categories.items()]
    commands += [("source", "add", slug, "--name", SOURCES[slug][0], "--kind", SOURCES[slug][1]) for slug in sources]
    return commands


def build(run, commands: Iterable[tuple]) -> None:
    """Run each command in turn; the test fails at the first that does not succeed."""
    for args in commands:
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)


@contextmanager
def connect(db: str) -> Iterator[Connection]:
    """A connection to the ledger a --db value names, for tests that read its tables directly."""
    engine = create_engine(resolve_target(db).url)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def ctrl_c_as_at_a_terminal() -> None:
    """A child process's SIGINT as a terminal delivers it (Popen's preexec_fn): a shell that starts a
    job in the background (as a CI runner may start the suite) makes it ignored, which Python keeps,
    and Ctrl-C sent by a test would do nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)

"""Fuzzing the whole CLI (issue 12): hypothesis runs every command with hostile arguments, on SQLite
and PostgreSQL. A command may refuse (exit 1 or 2) but never crash or print a traceback, and a
command that refuses has written nothing: the head and every table's row count are as before.

The commands and their parameters come from the click group itself, so a new command or option is
fuzzed without touching this file. Each test seeds a small ledger once and lets what successful
examples write accumulate, so later examples meet a fuller ledger.

CI runs a small, derandomised (reproducible) set of examples. For a longer hunt:
    RACELEDGER_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz_cli.py
runs that many random examples per database (hypothesis keeps the failures it finds in .hypothesis/).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from helpers import EVENT, MARATHON, build, city_marathon, connect
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, inspect, select, table, text

from cli import cli
from ledger.cli.claims import ClaimGroup
from ledger.core.canonical import GENESIS_HASH, canonical_json, chain_hash

EXAMPLES = int(os.environ.get("RACELEDGER_FUZZ_EXAMPLES", "0"))


def fuzz(default: int) -> settings:
    """`default` derandomised examples (CI: the same every run), or RACELEDGER_FUZZ_EXAMPLES random ones."""
    return settings(max_examples=EXAMPLES or default, derandomize=not EXAMPLES, deadline=None,
                    **({} if EXAMPLES else {"database": None}),
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])


def every_command(group: click.Group = cli, path: tuple[str, ...] = ()):
    """(path, command) for every leaf command; `serve` is left out: it runs until it is stopped."""
    for name, command in sorted(group.commands.items()):
        if isinstance(command, ClaimGroup):  # `claim CATEGORY ...` records; `claim show` is its subcommand
            yield (*path, name), command.record
        if isinstance(command, click.Group):
            yield from every_command(command, (*path, name))
        elif (*path, name) != ("serve",):
            yield (*path, name), command


COMMANDS = list(every_command())
WOMEN = f"{MARATHON}/open-women"
SEED = [*city_marathon({"open-women": ("Open women", "F"), "open-men": ("Open men", "M")}, ("timing", "gazette")),
        ("athlete", "add", "Anna Nowak", "--nationality", "POL", "--born", "1990", "--alias", "A. Nowak"),
        ("athlete", "add", "Maria Silva"),
        ("claim", WOMEN, "--source", "timing", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:31:07"),
        ("claim", WOMEN, "--source", "gazette", "--athlete", "Maria Silva", "--position", "1", "--time", "2:31:40"),
        ("rule", WOMEN, "--position", "1", "--accept", "1", "--by", "Jury", "--reason", "video"),
        ("topic", "add", "city-floods", "--name", "Floods in the city"),
        ("figure", "add", "city-floods", "deaths", "--source", "gazette", "--value", "10", "--unit", "persons",
         "--kind", "total", "--period", "2024..2025", "--measure-name", "Deaths"),
        *[("figure", "add", EVENT, "runners", "--source", source, "--value", value, "--approximately",
           "--unit", "persons", "--kind", "at-date", "--at", at, "--measure-name", "Runners")
          for source, value, at in (("timing", "100", "2025-10-12"), ("gazette", "150", "2025-10-20"))]]
HEADER = "Place,Bib,Name,Nat,YOB,Gun Time,Chip Time,Status\n"
IMPORTED = HEADER + "1,7,Jan Kowal,POL,1995,2:12:00,,\n2,8,Eva Berg,NOR,,2:13:00,2:12:58,\n,9,Ola Lie,,,DNF,,\n"

# Values a command could accept (from the seeded ledger) or nearly so, by click parameter name.
SLUGS = (EVENT, MARATHON, WOMEN, f"{MARATHON}/open-men", "city-floods", f"{MARATHON}/nope", "CITY-2025", f"{EVENT}/",
         "new-2025", "new-2025/10k", "new-2025/10k/open")
NAMES = ("Anna Nowak", "anna  nowak", "Maria Silva", "A. Nowak", "New Runner", "#1", "#2", "#0", "#-1",
         "#99999999999999999999")
DATES = ("2025-10-12", "2025", "2025-02-30", "0000-00-00", "9999-12-31", "0001-01-01", "12/10/2025", "2025-10-12T10:00",
         "1:" + "0" * 64)
NUMBERS = ("0", "1", "2", "-1", "999999999", "1000000000", "2147483648", "9223372036854775808", "-9223372036854775809",
           "99999999999999999999", "1" + "0" * 400, "1.5", "1e9", "0x10", "NaN", "inf", " 7 ", "٣")
NUMERIC = ("value", "low", "high", "tolerance_pct", "tolerance_ms")  # options of numbers the ledger parses itself
TIMES = ("2:31:07", "2:31:07.4", "31:07", "25:99:00", "99999999:00:00", "-1:00")
HINTS = {
    **dict.fromkeys(["slug", "category", "scope", "event", "subject", "target"], SLUGS),
    **dict.fromkeys(["source", "via", "relies_on"], ("timing", "gazette", "TIMING", "nope")),
    **dict.fromkeys(["reason", "decided_by", "quote", "method", "measure_name", "place"], ("Jury", "video review")),
    **dict.fromkeys(["name", "athlete", "keep", "other", "written_as", "unnamed", "aliases"], NAMES),
    **dict.fromkeys(["date", "published", "retrieved", "decided", "at"], DATES),
    **dict.fromkeys(["time", "net_time"], TIMES),
    **dict.fromkeys(NUMERIC, ("10", "150", "2750.50", "0.5", "0:01", "100.1")),
    "status": ("FIN", "DNF", "DNS", "DQ", "dq", "XYZ"), "sex": ("M", "F", "X", "Q"), "division": ("elite", "masters"),
    "fmt": ("json", "jsonl", "csv", "tsv", "simple", "github", "grid", "html", "latex", "text", "xml"),
    "kind": ("total", "per-year", "peak-year", "at-date", "official", "press", "state-media", "blog"),
    "period": ("2024..2025", "2024-07-01..2025-06-30", "2025..2024", "..", "0..9999", "2025-02-30..2026"),
    "unit": ("persons", "USD", "usd", "persns"), "measure": ("deaths", "fee", "runners"),
    "nationality": ("POL", "PRK", "pol", "XX"), "url": ("https://example.org/r", "javascript:alert(1)"),
    "maps": ("Zeit=time", "Place=position", "Name=name", "x=ignore", "=", "a=b", "Name=name=name"),
    "claim_id": ("1", "2", "3", "99999999999999999999", "#1"),
    "role": ("postgres", "nobody", "pg_read_all_data", 'x"; DROP TABLE journal; --'),
}
HOSTILE = st.one_of(
    st.sampled_from(["", " ", "-", "--", "\x00", "a\x00b", "\x1b[2J\x1b[31mred", "\r\n", "line\nbreak", "\u202eevil",
                     "\udcff", "🏃", "%s%n", "'; DROP TABLE journal; --", "..", "/", "a/b/c/d", "\\", "{}"]),
    st.text(max_size=20),
    st.binary(min_size=1, max_size=20).map(lambda raw: raw.decode(errors="surrogateescape")),  # argv is bytes
    st.builds(lambda char, n: char * n, st.characters(exclude_categories=["Cs"]), st.sampled_from([300, 10_000])),
    st.integers().map(str),
)
CELLS = st.one_of(st.sampled_from(["1", "101", "Anna Nowak", "POL", "1990", "2:31:07", "DNF", "", '"', "#1"]), HOSTILE)
FILES = st.one_of(  # what a file argument names holds, or what stdin gives
    st.lists(st.lists(CELLS, max_size=9).map(",".join), max_size=4).map(lambda rows: HEADER + "\n".join(rows)),
    st.text(max_size=64), st.just(""),
).map(lambda text: text.encode(errors="surrogateescape")) | st.binary(max_size=64)  # "\udcff" is byte 0xff
WRITTEN = {("export", "file"), ("import", "rejects"), ("report", "out_dir"), ("key", "out")}  # never outside tmp_path


def file_name(text: str) -> str:
    """A name a file can really have: no "/" or NUL, under 255 bytes ("\udcff" stays an undecodable byte)."""
    return text.replace("/", "_").replace("\x00", "_")[:50].strip(".") or "x"


def values(path: tuple[str, ...], param: click.Parameter, tmp_path: Path, infile: Path, wild: bool):
    """What to give `param`: a value the seeded ledger might accept or one its type suggests, and
    when `wild`, junk as well (one wild parameter in a sane command line gets further in)."""
    if (path[0], param.name) in WRITTEN:
        folder = st.sampled_from([tmp_path / "out", tmp_path / "missing"])  # only "out" exists
        name = HOSTILE.map(lambda name: name.replace("/", "_").replace("..", "_") or "x")
        written = st.builds(lambda where, name: str(where / name), folder, name)
        return st.one_of(written, st.just("-")) if path == ("export",) else written
    if param.name == "file":
        return st.one_of(st.just(str(infile)), st.sampled_from(["-", str(tmp_path)]), HOSTILE)
    sane = [st.sampled_from(HINTS[param.name])] if param.name in HINTS else []
    if isinstance(param.type, click.types.IntParamType):
        sane.append(st.sampled_from(("1", "2", "3", "10", "365")))
    if isinstance(param.type, click.types.IntParamType) or param.name in NUMERIC:
        sane.append(st.sampled_from(NUMBERS))
    elif isinstance(param.type, click.Choice):
        sane.append(st.sampled_from(list(param.type.choices)))
    return st.one_of(*sane, HOSTILE) if wild or not sane else st.one_of(*sane)


@st.composite
def invocations(draw, tmp_path) -> tuple[tuple[str, ...], list[str], Path, bytes]:
    """A command, its command line (after --db), a file it may read and that file's content (also stdin)."""
    path, command = draw(st.sampled_from(COMMANDS))
    infile = tmp_path / "in" / draw(st.one_of(st.just("input.csv"), HOSTILE.map(file_name)))

    def wild() -> bool:
        return draw(st.integers(0, 3)) == 0

    args = ["--as", draw(HOSTILE) if wild() else "tester"] + (["--read-only"] if draw(st.integers(0, 7)) == 0 else [])
    options, arguments = [], []
    for param in command.params:
        if isinstance(param, click.Argument):
            if param.required or draw(st.booleans()):
                arguments.append(draw(values(path, param, tmp_path, infile, wild())))
        elif param.is_flag:
            options += [param.opts[0]] if draw(st.booleans()) else []
        else:
            for _ in range(1 if param.required else draw(st.integers(0, 2 if param.multiple else 1))):
                options += [param.opts[-1], draw(values(path, param, tmp_path, infile, wild()))]
    return path, [*args, *path, *options, "--", *arguments], infile, draw(FILES)


def snapshot(db: str) -> tuple:
    """The journal's head and every table's row count: what a refused command must leave as it was."""
    with connect(db) as conn:
        head = conn.execute(text("SELECT seq, entry_hash FROM journal ORDER BY seq DESC LIMIT 1")).first()
        counts = {name: conn.execute(select(func.count()).select_from(table(name))).scalar_one()
                  for name in sorted(inspect(conn).get_table_names())}
    return (tuple(head) if head else None), counts


def survived(result, shown: str) -> None:
    """Exit 0, 1 or 2 and no traceback: `run` has already re-raised any exception but SystemExit."""
    assert result.exit_code in (0, 1, 2), shown
    assert "Traceback" not in result.output and "Exception ignored" not in result.output, shown


def seed(run) -> None:
    """A ledger with something for every command to find: claims, a ruling, figures, an import."""
    assert run("init").exit_code == 0
    build(run, SEED)
    assert run("import", f"{MARATHON}/open-men", "-", "--source", "timing", input=IMPORTED).exit_code == 0


@pytest.fixture
def seeded(run, tmp_path):
    """`run` on the seeded ledger, with folders for the files commands read (`in`) and write (`out`)."""
    seed(run)
    (tmp_path / "out").mkdir()
    (tmp_path / "in").mkdir()
    return run


@fuzz(200)
@given(data=st.data())
def test_every_command_refuses_hostile_arguments_cleanly(seeded, db, tmp_path, data):
    path, args, infile, content = data.draw(invocations(tmp_path), label="invocation")
    infile.write_bytes(content)
    before = snapshot(db)
    result = seeded(*args, input=content)
    event(f"{' '.join(path)}: exit {result.exit_code}")  # pytest --hypothesis-show-statistics shows the mix
    shown = f"{args!r} exited {result.exit_code}:\n{result.output[-2000:]}"
    survived(result, shown)
    if result.exit_code != 0:
        assert snapshot(db) == before, shown


# --- load refuses a non-empty ledger before it reads a line, so it gets a test of its own ---------


TEXT = HOSTILE.map(lambda text: text.encode(errors="replace").decode())  # UTF-8 can hold no lone surrogate
JUNK = st.one_of(TEXT, st.none(), st.booleans(), st.lists(TEXT, max_size=2), st.integers(),
                 st.sampled_from([0, -1, 2**31, 2**63, -(2**63) - 1, 10**400]))


@st.composite
def tampered(draw, export: bytes) -> bytes:
    """The seeded ledger's export with one value of one entry made hostile and the hash chain redone,
    so the hashes vouch for it and only the replay's own checks stand between it and the ledger."""
    entries = [json.loads(line) for line in export.splitlines()]
    holder, key = draw(st.sampled_from(entries)), draw(st.sampled_from(["body", "body", "kind", "recorded_by"]))
    while isinstance(holder[key], (dict, list)) and holder[key] and draw(st.integers(0, 3)):
        inner = holder[key]
        holder, key = inner, draw(st.sampled_from(range(len(inner)) if isinstance(inner, list) else sorted(inner)))
    holder[key] = draw(JUNK)
    return rechained(entries)


def rechained(entries: list[dict]) -> bytes:
    """Entries as an export, their hash chain recomputed: the hashes vouch for whatever they hold (an
    import or a finish file in the rows form hashed as the ledger hashes it, over its rows' root)."""
    from ledger.journal.bodies import entry_sha256, inline_sha256

    previous, lines = GENESIS_HASH, []
    for entry in entries:
        entry["prev_hash"] = previous
        text = canonical_json(entry["body"])
        digest = entry_sha256(lambda: [text], "")[0] if entry["kind"] == "import" else inline_sha256(entry["kind"], text)
        previous = entry["entry_hash"] = chain_hash(previous, entry["seq"], entry["kind"], entry["recorded_at"],
                                                    entry["recorded_by"], digest)
        lines.append(canonical_json(entry) + "\n")
    return "".join(lines).encode()


def empty_again(db: str) -> None:
    """Back to a database with no ledger in it."""
    if not db.startswith("postgresql"):
        for suffix in ("", "-wal", "-shm"):
            Path(db + suffix).unlink(missing_ok=True)
        return
    engine = create_engine(db)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def export(tmp_path) -> bytes:
    """The seeded ledger's export, made on SQLite (an export is the same bytes from either database)."""
    runner, template = CliRunner(), str(tmp_path / "template.db")
    seed(lambda *args, input=None: runner.invoke(cli, ["--db", template, "--as", "tester", *args], input=input))
    return runner.invoke(cli, ["--db", template, "export"]).stdout_bytes


@fuzz(60)
@given(data=st.data())
def test_load_refuses_hostile_exports_cleanly(ledger, db, export, data):
    how = data.draw(st.sampled_from(["tampered", "tampered", "cut short", "junk"]))
    cut = st.integers(0, len(export)).map(lambda n: export[:n])
    content = data.draw({"tampered": tampered(export), "cut short": cut, "junk": FILES}[how])
    result = ledger("load", "-", input=content)
    event(f"load of a {how} export: exit {result.exit_code}")
    survived(result, f"exited {result.exit_code}:\n{result.output[-2000:]}")
    head, counts = snapshot(db)
    if result.exit_code != 0:
        written = {name: rows for name, rows in counts.items() if rows and name != "alembic_version"}
        assert head is None and not written, (written, result.output[-2000:])
    elif head is not None:  # loaded: start the next example from an empty ledger again
        empty_again(db)
        assert ledger("init").exit_code == 0


def test_every_command_but_serve_is_fuzzed():
    """A guard on every_command: a command group walked wrongly would quietly fuzz nothing."""
    paths = {" ".join(path) for path, _ in COMMANDS}
    assert {"init", "demo", "claim", "import", "export", "load", "figure add", "athlete merge", "db grant-reader",
            "verify", "report"} <= paths and "serve" not in paths

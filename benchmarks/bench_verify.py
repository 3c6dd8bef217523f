"""`raceledger verify` against its floor, and `verify --deep` against `load` of the ledger's export.

The ledger: a 1,000,000-claim SQLite ledger made of many small entries (claims entered one by one,
with retractions and rulings among them) and some large imports (results files of 100,000 rows,
each one journal entry whose body is stored in chunks). It is built once and kept in --work.

Measured side by side, each as a whole process (interpreter start included): the floor and verify
taking turns, best of 3x --repeat; load and deep, best of --repeat:
- floor:  raw sqlite3 reading the same journal rows (and chunks) in seq order, hashlib hashing each
          body and entry hash in one pass (python bench_verify.py --floor DB);
- verify: raceledger --db DB verify                        target: at most 1.5x the floor;
- load:   raceledger --db NEW load EXPORT                    (the ledger's export, into a new file);
- deep:   raceledger --db DB verify --deep                  target: at most 3x load.

With --before (a checkout of the code before a change, and --before-python, the interpreter it is
installed in), that version's verify takes its turn between the floor and this one's, and its deep
alternates with this one's: the figures to compare are the ratios of the same run. Both versions
must read the same schema revision.

Run: python benchmarks/bench_verify.py [--claims 1000000] [--single 200000] [--work DIR] [--repeat 3]
                                       [--before DIR --before-python PYTHON] [--no-deep]
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

BY = "bench"
EVENT = "bench-2025"
IMPORT_ROWS = 100_000
SOURCES = (("timing", "official"), ("gazette", "press"), ("club", "organizer"))


class Version:
    """One checkout of raceledger and the interpreter it is installed in: its cli.py is the one run
    (started in the checkout, so neither an installed `raceledger` nor an editable install elsewhere)."""

    def __init__(self, name: str, root: str, python: str) -> None:
        self.name, self.root, self.python = name, os.path.abspath(root), python

    def command(self, *args: str) -> tuple[list[str], str]:
        return [self.python, "-c", "import cli; cli.main()", *args], self.root

    def compile(self) -> None:
        """Byte-compile the checkout as `pip install` does, so that no run compiles it anew
        (PYTHONDONTWRITEBYTECODE would otherwise make every process do so)."""
        for folder in ("ledger", "migrations"):
            compileall.compile_dir(os.path.join(self.root, folder), quiet=1)
        compileall.compile_file(os.path.join(self.root, "cli.py"), quiet=1)


THIS = Version("this", ROOT, sys.executable)


# --- the floor ----------------------------------------------------------------------------------


def floor(path: str) -> int:
    """Read every journal row in seq order with raw sqlite3 and check its hashes with hashlib: a
    body in the rows form (issue 26) is hashed as its header, its summary and the root over its rows."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    chunks = conn.cursor()
    previous, count = "0" * 64, 0
    rows = conn.execute("SELECT seq, kind, body, prev_hash, entry_hash, recorded_at, recorded_by "
                        "FROM journal ORDER BY seq")
    for seq, kind, body, prev_hash, entry_hash, recorded_at, recorded_by in rows:
        if body is None:
            text = b"".join(data.encode() for (data,) in
                            chunks.execute("SELECT data FROM journal_chunk WHERE seq = ? ORDER BY n", (seq,)))
            body_hash = hashlib.sha256(_rows_hashed(text)).hexdigest()
        elif kind == "finish" and '"form":2' in body:
            body_hash = hashlib.sha256(_finish_hashed(body)).hexdigest()
        else:
            body_hash = hashlib.sha256(body.encode("utf-8")).hexdigest()
        material = "\n".join([prev_hash, str(seq), kind, recorded_at, recorded_by, body_hash])
        if prev_hash != previous or hashlib.sha256(material.encode("utf-8")).hexdigest() != entry_hash:
            raise SystemExit(f"entry {seq} does not verify")
        previous, count = entry_hash, count + 1
    conn.close()
    return count


def _root(rows: list[bytes]) -> bytes:
    """The RFC 6962 root over rows (each a row's canonical JSON), a level at a time."""
    nodes = [hashlib.sha256(b"\x00" + row).digest() for row in rows]
    if not nodes:
        return hashlib.sha256(b"").digest()
    while len(nodes) > 1:
        paired = [hashlib.sha256(b"\x01" + nodes[i] + nodes[i + 1]).digest() for i in range(0, len(nodes) - 1, 2)]
        nodes = paired + nodes[-1:] if len(nodes) & 1 else paired
    return nodes[0]


def _rows_field(rows: list[bytes]) -> bytes:
    return b'{"count":%d,"root":"%s"}' % (len(rows), _root(rows).hex().encode())


def _rows_hashed(text: bytes) -> bytes:
    """What an import's body is hashed over: itself, or in the rows form its rows' count and root
    in place of its rows (cut at `],[`: the floor knows its rows hold no brackets)."""
    start, end = text.index(b',"rows":['), text.rindex(b'],"summary":')
    if b'"form":2' not in text[:start]:
        return text
    inner = text[start + len(b',"rows":['):end]
    rows = [b"[" + row + b"]" for row in inner[1:-1].split(b"],[")] if inner else []
    return text[:start] + b',"rows":' + _rows_field(rows) + text[end + 1:]


def _finish_hashed(body: str) -> bytes:
    """What a finish file's body in the rows form is hashed over: its claims' count and root in
    their place (parsed: these bodies are small)."""
    import json

    from ledger.core.canonical import canonical_json

    parsed = json.loads(body)
    rows = [canonical_json(row).encode() for row in parsed["claims"]]
    return canonical_json({**parsed, "claims": None}).encode().replace(b'"claims":null', b'"claims":' + _rows_field(rows))


# --- building the ledger ------------------------------------------------------------------------


def _catalog(path: str, categories: int) -> None:
    """A fresh ledger with one event, one race, `categories` categories and the sources."""
    from ledger.store.engine import open_engine, transaction
    from ledger.store.migrate import upgrade
    from ledger.write import catalog

    engine, _ = open_engine(path, create=True)
    upgrade(engine)
    with transaction(engine) as session:
        catalog.add_event(session, BY, EVENT, "Benchmark Marathon", "2025-10-12", "Benchmark City")
        catalog.add_race(session, BY, f"{EVENT}/marathon", "Marathon", 42195)
        for number in range(categories):
            catalog.add_category(session, BY, f"{EVENT}/marathon/c{number}", f"Category {number}")
        for slug, kind in SOURCES:
            catalog.add_source(session, BY, slug, slug.title(), kind)
    engine.dispose()


def _small_entries(path: str, single: int) -> None:
    """Athletes, then `single` claims one entry each, with retractions and rulings among them."""
    from sqlalchemy import text

    from ledger.core.times import format_ms
    from ledger.store.engine import open_engine, transaction
    from ledger.write import athletes, claims, corrections

    engine, _ = open_engine(path)
    with transaction(engine) as session:
        first = session.execute(text("SELECT COALESCE(MAX(id), 0) FROM athlete")).scalar() + 1
    people = max(1, single // 4)
    batch = 5_000
    for start in range(0, people, batch):
        with transaction(engine) as session:
            for number in range(start, min(people, start + batch)):
                athletes.add(session, BY, f"Runner {number}", "POL" if number % 2 else "KEN", aliases=(f"R{number}",))
    made = 0
    while made < single:
        with transaction(engine) as session:
            for number in range(made, min(single, made + batch)):
                person, source = number % people, SOURCES[number % len(SOURCES)][0]
                place = person + 1 + (1 if number % 97 == 0 else 0)  # now and then, sources disagree
                claim_id = claims.add(session, BY, f"{EVENT}/marathon/c0", source, athlete=f"#{first + person}",
                                      position=place, time=format_ms(7_500_000 + person * 1_000))
                if number % 500 == 499:
                    corrections.retract(session, BY, claim_id, "the source corrected itself")
                elif number % 1000 == 3:
                    corrections.rule_placing(session, BY, f"{EVENT}/marathon/c0", place, claim_id, "Referee",
                                             "Photo finish")
            made = min(single, made + batch)
        print(f"  {made} single-claim entries", file=sys.stderr)
    engine.dispose()


def build(path: str, claims: int, single: int, import_rows: int) -> None:
    """The imports first (into the empty catalog), then the single-claim entries after them."""
    import genfile

    imports = (claims - single) // import_rows
    _catalog(path, imports + 1)
    folder = os.path.dirname(path)
    for number in range(imports):
        results = os.path.join(folder, f"results-{number}.csv")
        genfile.write(results, import_rows, seed=number + 1)
        args, cwd = THIS.command("--db", path, "--as", BY, "import", f"{EVENT}/marathon/c{number + 1}", results,
                                 "--source", "timing")
        subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.remove(results)
        print(f"  import {number + 1} of {imports}", file=sys.stderr)
    _small_entries(path, single)


# --- measuring ----------------------------------------------------------------------------------


def timed(command: tuple[list[str], str | None], before=None) -> float:
    """Wall time of one process (its arguments and folder), which must succeed."""
    if before:
        before()
    args, cwd = command
    started = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def interleaved(repeat: int, commands: dict[str, tuple[list[str], str | None]], before=None) -> dict[str, float]:
    """Best of `repeat` for each named command, all run in turn each round, so all see the same machine."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            times[name].append(timed(command, before))
    return {name: min(found) for name, found in times.items()}


def counts(path: str) -> tuple[int, int]:
    with sqlite3.connect(path) as conn:
        return (conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0],
                conn.execute("SELECT COUNT(*) FROM claim").fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--single", type=int, default=200_000, help="claims entered one entry each")
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "raceledger-bench-verify"),
                        help="where the ledger is built and kept between runs")
    parser.add_argument("--import-rows", type=int, default=IMPORT_ROWS, help="rows of each imported file")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", metavar="DIR", help="a checkout of the code before a change, timed in turn")
    parser.add_argument("--before-python", metavar="PYTHON", default=sys.executable,
                        help="the interpreter --before is installed in")
    parser.add_argument("--no-deep", action="store_true", help="skip load and verify --deep (each replays the ledger)")
    parser.add_argument("--floor", metavar="DB", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.floor:
        print(floor(options.floor))
        return

    os.makedirs(options.work, exist_ok=True)
    path = os.path.join(options.work, f"verify-{options.claims}-{options.single}-{options.import_rows}.db")
    if not os.path.exists(path):
        print(f"Building {path} (once) ...", file=sys.stderr)
        build(path + ".partial", options.claims, options.single, options.import_rows)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + ".partial" + suffix):
                os.replace(path + ".partial" + suffix, path + suffix)
    export = path + ".jsonl"
    if not os.path.exists(export):
        args, cwd = THIS.command("--db", path, "export", export)
        subprocess.run(args, cwd=cwd, check=True, stderr=subprocess.DEVNULL)
    loaded = os.path.join(options.work, "loaded.db")

    def fresh() -> None:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(loaded + suffix):
                os.remove(loaded + suffix)

    versions = [THIS] if options.before is None else [Version("before", options.before, options.before_python), THIS]
    for version in versions:
        version.compile()
    entries, claims = counts(path)
    figures = []  # (measure, seconds, against, its seconds, target ratio or None)
    verify_s = interleaved(options.repeat * 3, {
        "floor": ([sys.executable, os.path.abspath(__file__), "--floor", path], None),
        **{v.name: v.command("--db", path, "verify") for v in versions}})
    figures.append(("verify", verify_s["this"], "floor", verify_s["floor"], 1.5))
    if options.before is not None:
        figures.append(("verify", verify_s["this"], "before", verify_s["before"], None))
    if not options.no_deep:
        load_s = interleaved(options.repeat, {"load": THIS.command("--db", loaded, "load", export)}, fresh)["load"]
        deep_s = interleaved(options.repeat, {v.name: v.command("--db", path, "verify", "--deep") for v in versions})
        fresh()
        figures.append(("verify --deep", deep_s["this"], "load", load_s, 3.0))
        if options.before is not None:
            figures.append(("verify --deep", deep_s["this"], "before", deep_s["before"], None))

    print(f"Ledger: {claims:,} claims in {entries:,} journal entries "
          f"({os.path.getsize(path) / 2**20:,.0f} MiB); best of {options.repeat * 3} (floor, verify) "
          f"and {options.repeat} (load, deep)")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}")
    print(f"{'measure':<16}{'seconds':>9}   {'against':<14}{'seconds':>9}{'ratio':>8}{'target':>8}")
    for name, seconds, against, base, target in figures:
        ratio = seconds / base
        verdict = "" if target is None else f"{target:>7.1f}x  {'ok' if ratio <= target else 'OVER'}"
        print(f"{name:<16}{seconds:>9.2f}   {against:<14}{base:>9.2f}{ratio:>7.2f}x{verdict}")


if __name__ == "__main__":
    main()

"""Contests: every write keeps the contested groups exact, so reading disputes never scans claims.

The reference is the rule itself, computed here in Python from every live claim: at one placing two
identities (all unnamed athletes one); for one athlete two positions, statuses, times or net times.
And the disputes read through contests are the disputes found among all claims.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, event, select
from sqlalchemy.orm import Session

from cli import cli
from ledger.core.models import Claim, Contest
from ledger.read import claims, reports
from ledger.read.rulings import load_rulings
from ledger.read.verdicts import Rulings, find_disputes
from ledger.store.engine import resolve_target

EVENT, RACE = "city-2025", "city-2025/marathon"
CATEGORIES = (f"{RACE}/open", f"{RACE}/masters")
SOURCES = ("timing", "gazette", "runner")
ATHLETES = ("Anna Nowak", "Maria Silva", "Eva Berg", "Ida Holm")
TIMES = (None, "2:31:07", "2:31:07.5", "2:31:09")
SETUP = [
    ("event", "add", EVENT, "--name", "City Marathon", "--date", "2025-10-12"),
    ("race", "add", RACE, "--name", "Marathon", "--distance", "42195"),
    *[("category", "add", c, "--name", c.rsplit("/", 1)[1]) for c in CATEGORIES],
    *[("source", "add", s, "--name", s.title(), "--kind", "other") for s in SOURCES],
    *[("athlete", "add", a) for a in ATHLETES],
]


def runner_for(db: str):
    runner = CliRunner()

    def run(*args: str):
        done = runner.invoke(cli, ["--db", db, "--as", "tester", *args])
        if done.exception and not isinstance(done.exception, SystemExit):
            raise done.exception
        return done

    return run


def set_up(run) -> None:
    assert run("init").exit_code == 0
    for args in SETUP:
        done = run(*args)
        assert done.exit_code == 0, done.stderr


def engine_for(db: str):
    return create_engine(resolve_target(db).url)


def expected_contests(session: Session) -> set[tuple[int, str, int]]:
    by_position, by_athlete = defaultdict(list), defaultdict(list)
    for c in session.execute(select(Claim).where(Claim.retracted_seq.is_(None))).scalars():
        if c.position is not None:
            by_position[(c.category_id, c.position)].append(c)
        if c.athlete_id is not None:
            by_athlete[(c.category_id, c.athlete_id)].append(c)
    found = {(cat, "position", pos) for (cat, pos), group in by_position.items()
             if len({c.athlete_id or 0 for c in group}) > 1}
    for (cat, athlete), group in by_athlete.items():
        differ = [{getattr(c, f) for c in group} - {None} for f in ("position", "status", "time_ms", "net_time_ms")]
        if any(len(values) > 1 for values in differ):
            found.add((cat, "athlete", athlete))
    return found


def stored_contests(session: Session) -> set[tuple[int, str, int]]:
    return {tuple(row) for row in session.execute(select(Contest.category_id, Contest.kind, Contest.key))}


def shape(disputes) -> list:
    return [(d.category, d.kind, d.position, d.athlete, [c.id for c in d.claims]) for d in disputes]


def check(db: str) -> None:
    """Contests are exactly the rule's groups; disputes read through them are those of all claims."""
    engine = engine_for(db)
    try:
        with Session(engine) as session:
            assert stored_contests(session) == expected_contests(session)
            rulings = Rulings(load_rulings(session))
            everything = claims.load_views(session, claims.views_query().order_by(Claim.id))
            for tolerance in (0, 1000, 5000):
                assert shape(reports.dispute_list(session, None, tolerance)[0]) == \
                    shape(find_disputes(everything, tolerance, rulings))
    finally:
        engine.dispose()
    replayed = runner_for(db)("verify", "--deep")  # a replay of the journal makes the same contests
    assert replayed.exit_code == 0, replayed.output


CLAIM = st.tuples(st.sampled_from(CATEGORIES), st.sampled_from(SOURCES), st.sampled_from((*ATHLETES, None)),
                  st.sampled_from((None, 1, 2, 3)), st.sampled_from(TIMES), st.sampled_from(("FIN", "DNF")))
ROW = st.tuples(st.sampled_from((1, 2, 3, 4)), st.sampled_from((*ATHLETES, "New Runner")), st.sampled_from(TIMES[1:]))
STEP = st.one_of(
    st.tuples(st.just("claim"), CLAIM),
    st.tuples(st.just("retract"), st.integers(1, 6)),
    st.tuples(st.just("merge"), st.tuples(st.sampled_from(ATHLETES), st.sampled_from(ATHLETES))),
    st.tuples(st.just("import"), st.tuples(st.sampled_from(CATEGORIES), st.sampled_from(SOURCES),
                                           st.lists(ROW, min_size=1, max_size=5, unique_by=lambda r: r[1]))),
    # A finish order by bib (the start list gives bib N to ATHLETES[N-1]), whole or superseding.
    st.tuples(st.just("finish"), st.tuples(st.sampled_from(CATEGORIES), st.sampled_from(SOURCES),
                                           st.lists(st.tuples(st.sampled_from(("1", "2", "3", "4")),
                                                              st.sampled_from(("", " DNF"))),
                                                    min_size=1, max_size=4, unique_by=lambda line: line[0]),
                                           st.booleans())),
)


def start_list(run, folder: Path) -> None:
    path = folder / "start.csv"
    path.write_text("Bib,Name\n" + "".join(f"{n},{a}\n" for n, a in enumerate(ATHLETES, 1)), encoding="utf-8")
    assert run("entrants", "import", RACE, str(path), "--source", "timing").exit_code == 0


def apply(run, folder: Path, step) -> None:
    """One write; a write the ledger refuses (a merged athlete, a bad claim) leaves it as it was."""
    kind, what = step
    if kind == "claim":
        category, source, athlete, position, time, status = what
        args = ["claim", category, "--source", source, "--status", status]
        args += ["--athlete", athlete] if athlete else ["--unnamed", "a local athlete"]
        if position is not None and status == "FIN":
            args += ["--position", str(position)]
        if time is not None:
            args += ["--time", time]
        if status == "FIN" and position is None and time is None:
            args += ["--position", "1"]
        run(*args)
    elif kind == "retract":
        run("retract", str(what), "--reason", "withdrawn")
    elif kind == "merge":
        run("athlete", "merge", *what)
    elif kind == "finish":
        category, source, lines, supersedes = what
        path = folder / "order.txt"
        path.write_text("".join(f"{bib}{status}\n" for bib, status in lines), encoding="utf-8")
        run("finish", category, "--source", source, str(path), "--supersedes" if supersedes else "--again")
    else:
        category, source, rows = what
        path = folder / "results.csv"
        path.write_text("Place,Name,Time\n" + "".join(f"{p},{n},{t}\n" for p, n, t in rows), encoding="utf-8")
        run("import", category, str(path), "--source", source, "--again")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STEP, min_size=1, max_size=12))
def test_every_write_keeps_the_contests_exact(steps):
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "ledger.db")
        run = runner_for(db)
        set_up(run)
        start_list(run, Path(folder))
        for step in steps:
            apply(run, Path(folder), step)
        check(db)


def test_claims_retractions_imports_and_merges_keep_contests_on_both_databases(db, tmp_path):
    run = runner_for(db)
    set_up(run)
    open_ = CATEGORIES[0]
    for source, athlete, position, time in [("timing", "Anna Nowak", 1, "2:31:07"), ("gazette", "Maria Silva", 1, None),
                                            ("runner", "Anna Nowak", 2, "2:31:07"), ("gazette", "Eva Berg", 3, "2:40:00")]:
        assert run("claim", open_, "--source", source, "--athlete", athlete, "--position", str(position),
                   *(["--time", time] if time else [])).exit_code == 0
    check(db)
    assert run("retract", "2", "--reason", "corrected").exit_code == 0
    check(db)
    path = tmp_path / "results.csv"
    path.write_text("Place,Name,Time\n3,Ida Holm,2:40:00\n3,New Runner,2:40:00\n4,Eva Berg,2:41:00\n", encoding="utf-8")
    assert run("import", open_, str(path), "--source", "timing").exit_code == 0
    check(db)
    assert run("athlete", "merge", "Maria Silva", "Anna Nowak").exit_code == 0
    check(db)
    done = run("disputes", "-f", "json")
    assert done.exit_code == 0 and '"kind": "position"' in done.stdout


def test_an_import_into_an_empty_category_contests_only_its_shared_placings(db, tmp_path):
    run = runner_for(db)
    set_up(run)
    path = tmp_path / "results.csv"
    path.write_text("Place,Name,Time\n1,A One,2:30:00\n2,B Two,2:31:00\n2,C Three,2:31:00\n3,D Four,2:32:00\n",
                    encoding="utf-8")
    assert run("import", CATEGORIES[0], str(path), "--source", "timing").exit_code == 0
    engine = engine_for(db)
    with Session(engine) as session:
        assert {(kind, key) for _, kind, key in stored_contests(session)} == {("position", 2)}
    engine.dispose()
    check(db)


def test_the_migration_computes_the_contests_of_claims_recorded_before_it(db):
    from ledger.store.migrate import downgrade, upgrade

    run = runner_for(db)
    set_up(run)
    for source, athlete, position in [("timing", "Anna Nowak", 1), ("gazette", "Maria Silva", 1),
                                      ("runner", "Anna Nowak", 2)]:
        assert run("claim", CATEGORIES[1], "--source", source, "--athlete", athlete,
                   "--position", str(position)).exit_code == 0
    engine = engine_for(db)
    downgrade(engine, "0003")
    upgrade(engine)
    with Session(engine) as session:
        assert len(stored_contests(session)) == 2
    engine.dispose()
    check(db)


def statements_of(db: str, work) -> tuple[list[tuple], str]:
    """Every SQL statement `work(session)` runs on the SQLite ledger at `db`, with its parameters."""
    target = resolve_target(db)
    if not target.is_sqlite:
        pytest.skip("SQLite's query plan")
    engine = create_engine(target.url)
    captured: list[tuple] = []
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, statement, parameters, context, many: captured.append((statement, parameters)))
    with Session(engine) as session:
        work(session)
        session.rollback()
    engine.dispose()
    return captured, target.sqlite_path


def plan(path: str, statement: str, parameters) -> str:
    with sqlite3.connect(path) as conn:
        return " ".join(str(r) for r in conn.execute("EXPLAIN QUERY PLAN " + statement, parameters))


def test_contest_refreshes_use_the_partial_live_indexes(demo, db):
    """The grouped scans filter `retracted_seq IS NULL` literally, so SQLite picks the partial indexes."""
    from ledger.projection import contests

    captured, path = statements_of(db, lambda session: contests.refresh(session, 1, contests.EVERY, contests.EVERY))
    plans = [plan(path, s, p) for s, p in captured if "GROUP BY" in s]
    assert len(plans) == 2 and "ix_claim_placing" in plans[0] and "ix_claim_athlete" in plans[1]


def test_reading_disputes_groups_no_claims(demo, db):
    """`disputes` reads the claims of contested groups through an index, whatever the ledger's size."""
    found = []
    captured, path = statements_of(db, lambda session: found.extend(reports.dispute_list(session, None)[0]))
    assert [d.kind for d in found] == ["position"]
    reads = [(s, p) for s, p in captured if "contest" in s and "bib_contest" not in s]
    assert len(reads) == 2 and not any("GROUP BY" in s for s, _ in captured)
    assert sum("FROM bib_contest" in s for s, _ in captured) == 1  # bib disputes: their own kept table
    for statement, parameters in reads:
        assert "SCAN claim" not in plan(path, statement, parameters)

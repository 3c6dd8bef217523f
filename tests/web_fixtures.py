"""Ledgers the web tests read: a mixed one drawn at random, a big category, and a hostile source.

They are written through ledger.write in one transaction (the CLI would take a process per claim).
"""

from __future__ import annotations

import random

from sqlalchemy.orm import Session

from ledger.store.engine import open_engine, transaction
from ledger.store.migrate import upgrade
from ledger.web import report
from ledger.write import athletes, catalog, claims, corrections

EVENT = "city-2025"
RACE = f"{EVENT}/marathon"
WOMEN, MEN = f"{RACE}/open-women", f"{RACE}/open-men"
BIG = f"{RACE}/big"
SOURCES = [("timing", "official"), ("gazette", "press"), ("state-tv", "state-media")]
HOSTILE_QUOTE = "<script>alert(1)</script> & \"quoted\" 'single'"
# The ledger refuses a javascript: address (ledger.core.limits); an http one may still try to break out.
HOSTILE_URL = "https://prank.example/\"onmouseover=\"alert(document.cookie)"


def ledger_session(db: str):
    """An engine (created and migrated if new) and a transaction on it, for writing a test ledger."""
    engine, _ = open_engine(db, create=True)
    upgrade(engine)
    return engine


def _catalog(session: Session, by: str, categories: list[str]) -> None:
    catalog.add_event(session, by, EVENT, "City Marathon", "2025-10-12", "Old Town")
    catalog.add_race(session, by, RACE, "Marathon", 42195)
    for slug in categories:
        catalog.add_category(session, by, slug, slug.rsplit("/", 1)[1].replace("-", " ").capitalize(), None, None)
    for slug, kind in SOURCES:
        catalog.add_source(session, by, slug, slug.capitalize(), kind, f"https://{slug}.example/")


def write_mixed(db: str, seed: int = 1, positions: int = 12) -> None:
    """Two categories where sources agree, disagree, tie, retract and are ruled on, with athletes of
    one name, unnamed athletes and placings without a position: every case a page must cut through."""
    rng = random.Random(seed)
    engine = ledger_session(db)
    by = "tester"
    with transaction(engine) as session:
        _catalog(session, by, [WOMEN, MEN])
        names = ["Anna Nowak", "Anna Nowak", "Maria Silva", "Zoë Müller", "Pak Kum-dong", "Eva Kopeć",
                 "Jon Su-gyong", "Lars Hansen", "Aiko Tanaka", "Ama Mensah", "Chen Wang", "Ivan Petrov"]
        for name in names:
            athletes.add(session, by, name)
        ids = [f"#{i}" for i in range(1, len(names) + 1)]
        made: list[tuple[int, str, int | None]] = []
        named_in: set[tuple[int, str]] = set()
        for category in (WOMEN, MEN):
            for position in range(1, positions + 1):
                for source, _ in SOURCES:
                    if rng.random() < 0.45:
                        continue
                    who = rng.choice(ids + ["unnamed"])
                    time = f"2:{10 + position:02d}:{rng.choice([0, 0, 1, 5, 30]):02d}"
                    fields = {"position": position, "time": time, "quote": f"{source} on place {position}",
                              "url": f"https://{source}.example/{position}", "published": "2025-10-13"}
                    if who == "unnamed":
                        made.append((claims.add(session, by, category, source, unnamed="a local runner", **fields),
                                     category, position))
                    else:
                        made.append((claims.add(session, by, category, source, athlete=who, **fields), category, position))
                        named_in.add((int(who[1:]), category))
            for _ in range(4):
                source = rng.choice(SOURCES)[0]
                status = rng.choice(["DNF", "DNS", "DQ"])
                if rng.random() < 0.3:
                    made.append((claims.add(session, by, category, source, unnamed="a runner in red", status=status),
                                 category, None))
                else:
                    made.append((claims.add(session, by, category, source, athlete=rng.choice(ids), status=status),
                                 category, None))
        retracted = {claim_id for claim_id, _, _ in rng.sample(made, 5)}
        for claim_id in sorted(retracted):
            corrections.retract(session, by, claim_id, "the source corrected itself")
        placed = [m for m in made if m[2] is not None and m[0] not in retracted]
        for claim_id, category, position in rng.sample(placed, 4):
            corrections.rule_placing(session, by, category, position, claim_id, "Jury of appeal",
                                     "finish-line video", "2025-10-14")
        named = sorted({athlete for athlete, category in named_in if category == WOMEN})
        corrections.rule_status(session, by, WOMEN, f"#{named[0]}", "DQ", "Referee", "rule 144.3(a)")
    engine.dispose()


def write_big(db: str, claims_count: int = 300) -> None:
    """One category of `claims_count` single-source placings, every tenth one disputed by the press."""
    engine = ledger_session(db)
    by = "tester"
    with transaction(engine) as session:
        _catalog(session, by, [BIG])
        for i in range(1, claims_count + 1):
            athletes.add(session, by, f"Runner {i:04d}")
        for i in range(1, claims_count + 1):
            claims.add(session, by, BIG, "timing", athlete=f"#{i}", position=i, time=f"2:{i // 60 + 10:02d}:{i % 60:02d}")
        for i in range(10, claims_count + 1, 10):
            claims.add(session, by, BIG, "gazette", athlete=f"#{i - 1}", position=i)
    engine.dispose()


def write_hostile(db: str) -> int:
    """A claim whose quote is markup and whose URL is a script; returns its id."""
    engine = ledger_session(db)
    by = "tester"
    with transaction(engine) as session:
        _catalog(session, by, [WOMEN])
        catalog.add_source(session, by, "prankster", "<b>Prankster</b>", "other", HOSTILE_URL)
        athletes.add(session, by, "<img src=x onerror=alert(2)>")
        claim_id = claims.add(session, by, WOMEN, "prankster", athlete="#1", position=1,
                              quote=HOSTILE_QUOTE, url=HOSTILE_URL)
        claims.add(session, by, WOMEN, "timing", unnamed="</script><script>alert(3)</script>", position=1,
                   url="https://timing.example/</script>")
    engine.dispose()
    return claim_id


# Who said it and where (issue 13): a claim made via another source's report and cited twice more,
# sources that rely on one another, and the verdicts their lines of evidence give. Written with the
# CLI, as an editor would.
EVIDENCE_SOURCES = [("timing", "official"), ("gazette", "press"), ("state-tv", "state-media"), ("wire", "press"),
                    ("daily", "press")]
RELIANCE_REASON = "prints the wire's copy unedited"
EVIDENCE_CLAIMS = [  # (claim id, its CLI arguments after `claim WOMEN`)
    (1, ("--source", "state-tv", "--via", "gazette", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:21:09",
         "--url", "https://gazette.example/state-tv-says", "--quote", "State TV named Anna Nowak the winner",
         "--published", "2025-10-13", "--retrieved", "2025-10-15")),
    (2, ("--source", "gazette", "--athlete", "Anna Nowak", "--position", "1", "--time", "2:21:09",
         "--url", "https://gazette.example/results", "--quote", "1. Anna Nowak 2:21:09")),
    (3, ("--source", "timing", "--athlete", "Maria Silva", "--position", "2", "--time", "2:23:40")),
    (4, ("--source", "wire", "--athlete", "Maria Silva", "--position", "2", "--time", "2:23:40")),
    (5, ("--source", "daily", "--athlete", "Maria Silva", "--position", "2", "--time", "2:23:40")),
    (6, ("--source", "wire", "--athlete", "Eva Kopeć", "--position", "3")),
    (7, ("--source", "daily", "--athlete", "Eva Kopeć", "--position", "3")),
    (8, ("--source", "timing", "--athlete", "Lars Hansen", "--position", "4", "--time", "2:30:00")),
    (9, ("--source", "state-tv", "--via", "gazette", "--athlete", "Ivan Petrov", "--position", "4",
         "--url", "https://gazette.example/fourth", "--quote", "State TV gave fourth place to Ivan Petrov")),
    (10, ("--source", "state-tv", "--via", "gazette", "--unnamed", "a runner from Kaesong", "--position", "5",
          "--url", "https://gazette.example/fifth", "--quote", "Fifth, State TV says, a runner from Kaesong")),
]
EVIDENCE_CITES = [  # further citations: (claim id, CLI arguments after `cite ID`)
    (1, ("--url", "https://state-tv.example/bulletin", "--quote", "Nowak wins the City Marathon",
         "--published", "2025-10-12")),
    (1, ("--via", "daily", "--url", "https://daily.example/nowak", "--quote", "State TV hails Nowak",
         "--retrieved", "2025-10-16")),
    (9, ("--via", "daily", "--url", "https://daily.example/fourth", "--quote", "Petrov fourth, says State TV",
         "--published", "2025-10-14")),
]


def evidence_commands() -> list[tuple[str, ...]]:
    """The CLI commands that write the evidence ledger, `init` first."""
    commands: list[tuple[str, ...]] = [
        ("init",), ("event", "add", EVENT, "--name", "City Marathon", "--date", "2025-10-12"),
        ("race", "add", RACE, "--name", "Marathon", "--distance", "42195"),
        ("category", "add", WOMEN, "--name", "Open women", "--sex", "F")]
    commands += [("source", "add", slug, "--name", slug.capitalize(), "--kind", kind) for slug, kind in EVIDENCE_SOURCES]
    commands += [("source", "relies", "daily", "wire", "--reason", RELIANCE_REASON)]
    commands += [("athlete", "add", name) for name in ("Anna Nowak", "Maria Silva", "Eva Kopeć", "Lars Hansen",
                                                        "Ivan Petrov")]
    commands += [("claim", WOMEN, *args) for _, args in EVIDENCE_CLAIMS]
    commands += [("cite", str(claim_id), *args) for claim_id, args in EVIDENCE_CITES]
    return commands


def write_report(db: str, out, scope: str | None = None, markdown: bool = False,
                 base_url: str | None = None) -> list[str]:
    """`raceledger report` through the library, on the ledger opened read-only as the command opens it."""
    engine, _ = open_engine(db, write=False, read_only=True)
    try:
        with transaction(engine) as session:
            return report.write_site(session, scope, out, markdown, base_url=base_url)
    finally:
        engine.dispose()

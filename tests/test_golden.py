"""The static report of a fixed ledger, byte for byte: the same ledger gives the same bytes (issue 14).

tests/golden/demo-ledger.jsonl is the demo's journal, exported once; loaded, it is the same ledger
on every machine and on both databases (the same hashes, times and head). Its report must equal the
files under tests/golden/report/, a chosen few of every kind of page. After a deliberate change to
the pages, write them again and read the diff before committing it:

    RACELEDGER_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py -k sqlite
"""

from __future__ import annotations

import os
from pathlib import Path

from web_fixtures import write_report

GOLDEN = Path(__file__).parent / "golden"
LEDGER = GOLDEN / "demo-ledger.jsonl"
# One page of each kind, with its JSON twin: what a reader sees and what a machine reads.
CHOSEN = [f"{name}.{fmt}" for name in (
    "index", "disputes", "disputes.all-1", "pyongyang-2025", "pyongyang-2025/marathon",
    "pyongyang-2025/marathon/amateur-men", "claims/5", "claims/6", "athletes/3", "sources/rare-glimpse-inside",
    "history/pyongyang-2025/marathon/amateur-men", "figures", "figures.scope-dprk-famine", "figures/10",
    "figures/12") for fmt in ("html", "json")]


def test_the_demo_ledgers_report_is_the_golden_bytes(run, db, tmp_path):
    loaded = run("load", str(LEDGER))
    assert loaded.exit_code == 0, loaded.output
    site, notes = tmp_path / "site", tmp_path / "notes"
    written = write_report(db, site)
    write_report(db, notes, markdown=True)
    made = {name: (site / name).read_bytes() for name in CHOSEN}
    made["disputes.md"] = (notes / "disputes.md").read_bytes()
    assert set(CHOSEN) <= set(written)
    if os.environ.get("RACELEDGER_UPDATE_GOLDEN"):
        for name, data in made.items():
            (GOLDEN / "report" / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / "report" / name).write_bytes(data)
    for name, data in made.items():
        assert data == (GOLDEN / "report" / name).read_bytes(), (
            f"{name} differs from tests/golden/report/{name}; if the change is meant, see this module's docstring")

"""Claims printed a line at a time as they come (`results CATEGORY --follow`): table rows whose
columns are set before any row is known (a value wider than its column pushes the rest along), or
JSON lines. Source text is shown inert (ledger.output.inert), as in every table.
"""

from __future__ import annotations

import json
from typing import Any

from ledger.output.inert import visible

# (heading, the claim's JSON key, width): the last column takes what is left.
COLUMNS = (("claim", "id", 8), ("place", "position", 6), ("bib", "bib", 7), ("athlete", "athlete", 28),
           ("time", "time", 11), ("status", "status", 7), ("standing", "standing", 10), ("source", "source", 0))
FORMATS = ("simple", "jsonl")


def _line(cells: list[str]) -> str:
    parts = [cell.ljust(width) if width else cell for cell, (_, _, width) in zip(cells, COLUMNS)]
    return " ".join(parts).rstrip() + "\n"


def header() -> str:
    """The table's heading and its rule, printed once before the first row."""
    return _line([name for name, _, _ in COLUMNS]) + _line(["-" * max(len(name), width - 1)
                                                            for name, _, width in COLUMNS])


def _cell(claim: dict[str, Any], key: str) -> str:
    value = claim.get(key)
    if key == "athlete" and value is None:
        value = f"({claim['unnamed']})" if claim.get("unnamed") else "(unnamed)"
    return "" if value is None else visible(str(value))


def line(claim: dict[str, Any], fmt: str) -> str:
    """One claim (as `results -f json` holds it, with its category): a table row, or a JSON line."""
    if fmt == "jsonl":
        return json.dumps(claim, ensure_ascii=False) + "\n"
    return _line([_cell(claim, key) for _, key, _ in COLUMNS])

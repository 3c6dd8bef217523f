"""Why a placing's verdict is what it is, in a sentence: who names whom, on how many lines of evidence.

Built from a placing as reports give it in JSON (ledger.read.reports), so it says exactly what the
ledger weighed. A reader learns why two sources can still be single-source: one reported the other.
"""

from __future__ import annotations

from typing import Any

from ledger.output.inert import visible

Placing = dict[str, Any]


def _lines(n: int) -> str:
    return "one line of evidence" if n == 1 else f"{n} independent lines of evidence"


def _who(claim: dict[str, Any]) -> str:
    return claim["athlete"] if claim["athlete"] is not None else f"no one by name ({claim['unnamed']})"


def _said(claim: dict[str, Any]) -> str:
    via = f" (via {claim['via']})" if claim["via"] else ""
    return f"{claim['source']}{via} names {_who(claim)}"


def reason(placing: Placing) -> str:
    """One sentence: the placing, its verdict, and why."""
    live = [c for c in placing["claims"] if c["standing"] != "retracted"]
    where = f"{placing['category']} place {placing['position']}" if placing["position"] is not None else (
        f"{placing['category']}, unplaced")
    said = "; ".join(_said(c) for c in live)
    lines = placing.get("lines", 0)
    verdict = placing["verdict"]
    if verdict == "ruled":
        ruling = placing["ruling"]
        why = f"{said}; ruled by {ruling['decided_by']}: {ruling['reason']}"
    elif verdict == "disputed":
        why = f"{said}: different athletes, on {_lines(lines)}, so it stays open until an official rules"
    elif verdict == "agreed":
        why = f"{said}: {_lines(lines)} agree"
    elif len(live) > 1:
        lead = live[0]["line"]
        why = f"{said}: {_lines(lines)} (all through {lead}), and agreement needs two independent lines"
    else:
        why = f"only {said}"
    return visible(f"{where}: {verdict}, because {why}.")

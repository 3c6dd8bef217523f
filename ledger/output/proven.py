"""What a checked proof shows, in one sentence, from what the proof carries alone (`verify-proof`:
no ledger is opened, so an athlete the entry names only by id is said by id)."""

from __future__ import annotations

from typing import Any

from ledger.core.checkpoint import entries
from ledger.core.claim_proof import Proven
from ledger.core.times import format_ms


def _athlete(claim: dict[str, Any]) -> str:
    if "as_written" in claim:
        return claim["as_written"]
    if "unnamed" in claim:
        return f"an athlete the source did not name ({claim['unnamed']})"
    bib = f" (bib {claim['bib']})" if "bib" in claim else ""
    return f"athlete #{claim['athlete']}{bib}"


def _result(claim: dict[str, Any]) -> str:
    said = []
    if claim.get("position") is not None:
        said.append(f"place {claim['position']}")
    if claim.get("time_ms") is not None:
        said.append(f"time {format_ms(claim['time_ms'], claim.get('time_decimals', 0))}")
    if claim.get("net_time_ms") is not None:
        said.append(f"net time {format_ms(claim['net_time_ms'], claim.get('net_time_decimals', 0))}")
    status = claim.get("status", "FIN")
    if status != "FIN" or not said:
        said.append(f"status {status}" + (f" ({claim['status_note']})" if claim.get("status_note") else ""))
    return ", ".join(said)


def sentence(proven: Proven) -> str:
    claim, entry, log = proven.claim, proven.entry, proven.checkpoint
    via = f", reported by {claim['via']}" if claim.get("via") else ""
    row = f"row {proven.row.index + 1} of " if proven.row is not None else ""
    return (f"Claim {claim['id']}: {_athlete(claim)}, {_result(claim)} in {claim['category']}, on the word of "
            f"{claim['source']}{via}; {row}journal entry {entry.seq}, recorded by {entry.recorded_by} at "
            f"{entry.recorded_at}, is in {log.origin}'s tree of {entries(log.size)}, as its signed checkpoint says.")

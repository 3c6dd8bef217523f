"""Disputes and verdicts: pure functions of a set of live claims (no database here)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from ledger.claims import ClaimView

AGREED, SINGLE_SOURCE, DISPUTED, RULED = "agreed", "single-source", "disputed", "ruled"
DEFAULT_TOLERANCE_MS = 1000


@dataclass
class Dispute:
    category: str
    kind: str  # "position" or "athlete"
    position: int | None
    athlete: str | None
    claims: list[ClaimView] = field(default_factory=list)


@dataclass
class Placing:
    """One placing of a category (or, for claims without a position, one athlete's standing)."""

    category: str
    position: int | None
    verdict: str
    claims: list[ClaimView]


def _identity(claim: ClaimView) -> int | None:
    """Who a claim is about; every unnamed athlete shares None (a known unknown)."""
    return claim.athlete_id


def _close(a: int | None, b: int | None, tolerance_ms: int) -> bool:
    return a is None or b is None or abs(a - b) <= tolerance_ms


def _is_tie(a: ClaimView, b: ClaimView, tolerance_ms: int) -> bool:
    """One source placing two athletes at one position with the same time is a tie."""
    return a.source == b.source and (a.time_ms is None) == (b.time_ms is None) and _close(a.time_ms, b.time_ms, tolerance_ms)


def _contradicts_at_position(claims: Sequence[ClaimView], tolerance_ms: int) -> bool:
    if len({_identity(c) for c in claims}) < 2:
        return False
    return any(
        _identity(a) != _identity(b) and not _is_tie(a, b, tolerance_ms)
        for i, a in enumerate(claims) for b in claims[i + 1:]
    )


def _spread_beyond(values: Iterable[int | None], tolerance_ms: int) -> bool:
    known = [v for v in values if v is not None]
    return bool(known) and max(known) - min(known) > tolerance_ms


def _athlete_disagrees(claims: Sequence[ClaimView], tolerance_ms: int) -> bool:
    return (
        len({c.position for c in claims if c.position is not None}) > 1
        or len({c.status for c in claims}) > 1
        or _spread_beyond((c.time_ms for c in claims), tolerance_ms)
        or _spread_beyond((c.net_time_ms for c in claims), tolerance_ms)
    )


def find_disputes(claims: Iterable[ClaimView], tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> list[Dispute]:
    """Position disputes (different athletes, one placing) and athlete disputes (one athlete, different results)."""
    by_position: dict[tuple[str, int], list[ClaimView]] = defaultdict(list)
    by_athlete: dict[tuple[str, int], list[ClaimView]] = defaultdict(list)
    for claim in claims:
        if claim.position is not None:
            by_position[(claim.category, claim.position)].append(claim)
        if claim.athlete_id is not None:
            by_athlete[(claim.category, claim.athlete_id)].append(claim)
    disputes = [
        Dispute(category, "position", position, None, group)
        for (category, position), group in by_position.items()
        if _contradicts_at_position(group, tolerance_ms)
    ]
    disputes += [
        Dispute(category, "athlete", None, group[0].athlete, group)
        for (category, _), group in by_athlete.items()
        if len(group) > 1 and _athlete_disagrees(group, tolerance_ms)
    ]
    disputes.sort(key=lambda d: (d.category, d.kind != "position", d.position or 0, d.athlete or ""))
    return disputes


def _verdict(group: Sequence[ClaimView], disputed_ids: set[int]) -> str:
    if any(c.id in disputed_ids for c in group):
        return DISPUTED
    return AGREED if len({c.source for c in group}) > 1 else SINGLE_SOURCE


def placings(claims: Sequence[ClaimView], tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> list[Placing]:
    """Every placing of the claims' categories with its verdict, positions first, then the unplaced."""
    disputed_ids = {c.id for d in find_disputes(claims, tolerance_ms) for c in d.claims}
    groups: dict[tuple, list[ClaimView]] = defaultdict(list)
    for claim in claims:
        if claim.position is not None:
            key: tuple = (claim.category, 0, claim.position, "")
        else:
            who = claim.athlete_id if claim.athlete_id is not None else f"unnamed-{claim.id}"
            key = (claim.category, 1, 0, claim.status, claim.who, str(who))
        groups[key].append(claim)
    return [
        Placing(key[0], group[0].position, _verdict(group, disputed_ids), group)
        for key, group in sorted(groups.items(), key=lambda item: item[0])
    ]

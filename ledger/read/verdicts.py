"""Disputes and verdicts: pure functions of claims and rulings (no database here).

Only live claims count: a retracted claim is shown, never weighed. The newest ruling on a placing
settles it (`ruled`): the claims it did not accept that name someone else are overruled, still shown.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Iterator, NamedTuple, Sequence

from ledger.core.views import ClaimView, RulingView

AGREED, SINGLE_SOURCE, DISPUTED, RULED = "agreed", "single-source", "disputed", "ruled"
# The verdict of a placing all of whose claims were retracted (shown only on request).
RETRACTED = "retracted"
# A claim's standing: counted as its source made it, chosen by a ruling, set aside by one, or withdrawn.
LIVE, ACCEPTED, OVERRULED = "live", "accepted", "overruled"
# The standing of every claim about an athlete a ruling in force disqualified (never `accepted`).
DISQUALIFIED = "disqualified"
DEFAULT_TOLERANCE_MS = 1000


class Rulings:
    """The rulings in force: the newest on each placing and on each athlete's status in a category."""

    def __init__(self, rulings: Iterable[RulingView] = ()) -> None:
        self.placing: dict[tuple[str, int | None], RulingView] = {}
        self.status: dict[tuple[str, int | None], RulingView] = {}
        self.superseded: dict[int, list[RulingView]] = {}
        for ruling in sorted(rulings, key=lambda r: r.seq):
            table = self.placing if ruling.on_placing else self.status
            key = (ruling.category, ruling.position if ruling.on_placing else ruling.athlete_id)
            earlier = table.get(key)
            if earlier is not None:
                self.superseded[ruling.id] = [*self.superseded.pop(earlier.id, []), earlier]
            table[key] = ruling

    def on_placing_of(self, claim: ClaimView) -> RulingView | None:
        if not self.placing or claim.position is None:
            return None
        return self.placing.get((claim.category, claim.position))

    def on_status_of(self, claim: ClaimView) -> RulingView | None:
        if not self.status or claim.athlete_id is None:
            return None
        return self.status.get((claim.category, claim.athlete_id))

    def standing(self, claim: ClaimView) -> tuple[str, RulingView | None]:
        """LIVE, ACCEPTED, OVERRULED, DISQUALIFIED (a status ruling in force says DQ) or RETRACTED,
        with the ruling that decided it."""
        if claim.retracted_seq is not None:
            return RETRACTED, None
        if self.status:
            status = self.on_status_of(claim)
            if status is not None and status.status == "DQ":
                return DISQUALIFIED, status
        if not self.placing:
            return LIVE, None
        return self._placing_only(claim)

    def placing_standing(self, claim: ClaimView) -> tuple[str, RulingView | None]:
        """The standing rulings on placings alone give (whether a source was overruled, say)."""
        if claim.retracted_seq is not None:
            return RETRACTED, None
        return self._placing_only(claim) if self.placing else (LIVE, None)

    def _placing_only(self, claim: ClaimView) -> tuple[str, RulingView | None]:
        ruling = self.on_placing_of(claim)
        if ruling is not None:
            if claim.id == ruling.accepted_claim_id:
                return ACCEPTED, ruling
            if _identity(claim) != ruling.accepted_athlete_id:
                return OVERRULED, ruling
        return LIVE, None


NO_RULINGS = Rulings()


class Lines:
    """Independent lines of evidence among a placing's claims.

    A claim known only through another source's report (`via`) is one line with that report, and
    sources that rely on one another (`reliance`: (source, relied on) slug pairs) are one line
    everywhere. So a newspaper quoting state media, and state media itself, never agree as two
    sources. A line is named by the source it leads back to: the report a claim reached us
    through, the source another relies on.
    """

    def __init__(self, reliance: Iterable[tuple[str, str]] = ()) -> None:
        self.joined: dict[str, str] = {}
        for source, other in reliance:
            _join(self.joined, source, other)

    def of(self, live: list[ClaimView]) -> list[ClaimView]:
        """The claims, each carrying its line (`ClaimView.line`) where it is not its own source; a
        retracted claim joins no lines. Without reliance or reports, the list itself: each of a big
        category's placings passes through here."""
        if not self.joined:
            for claim in live:
                if claim.via is not None:
                    break
            else:
                return live
        joined = dict(self.joined)  # a report joins its claimant and its reporter in this placing only
        for claim in live:
            if claim.via is not None and claim.retracted_seq is None:
                _join(joined, claim.source, claim.via)
        return [c if _root(joined, c.source) == c.source else c._replace(joined_line=_root(joined, c.source))
                for c in live]


def _root(joined: dict[str, str], slug: str) -> str:
    while slug in joined:
        slug = joined[slug]
    return slug


def _join(joined: dict[str, str], follower: str, leader: str) -> None:
    """One line of `follower` and `leader`, named as `leader`'s line is."""
    follower, leader = _root(joined, follower), _root(joined, leader)
    if follower != leader:
        joined[follower] = leader


NO_LINES = Lines()


def line_count(claims: Iterable[ClaimView]) -> int:
    """How many independent lines the claims (as `Lines.of` gave them) stand on."""
    return len({c.line for c in claims})


@dataclass
class Dispute:
    category: str
    kind: str  # "position", "athlete" or "bib" (ledger.read.bib_disputes)
    position: int | None
    athlete: str | None
    claims: list[ClaimView] = field(default_factory=list)
    ruling: RulingView | None = None  # the ruling that settled it; None while it is open
    bib: str | None = None  # a bib dispute's bib

    @property
    def verdict(self) -> str:
        return DISPUTED if self.ruling is None else RULED


class Placing(NamedTuple):
    """One placing of a category (or, for claims without a position, one athlete's standing)."""

    category: str
    position: int | None
    verdict: str
    claims: list[ClaimView]
    ruling: RulingView | None = None


def _identity(claim: ClaimView) -> int | None:
    """Who a claim is about; every unnamed athlete shares None (a known unknown)."""
    return claim.athlete_id


def _close(a: int | None, b: int | None, tolerance_ms: int) -> bool:
    return a is None or b is None or abs(a - b) <= tolerance_ms


def _is_tie(a: ClaimView, b: ClaimView, tolerance_ms: int) -> bool:
    """One source placing two athletes at one position with the same time is a tie."""
    return a.source == b.source and (a.time_ms is None) == (b.time_ms is None) and _close(a.time_ms, b.time_ms, tolerance_ms)


def _contradicts_at_position(claims: Sequence[ClaimView], tolerance_ms: int) -> bool:
    if len(claims) == 2:  # most contested placings: two sources, two athletes
        a, b = claims
        return _identity(a) != _identity(b) and not _is_tie(a, b, tolerance_ms)
    if len(claims) < 2 or len({_identity(c) for c in claims}) < 2:
        return False
    return any(
        _identity(a) != _identity(b) and not _is_tie(a, b, tolerance_ms)
        for i, a in enumerate(claims) for b in claims[i + 1:]
    )


def _spread_beyond(values: Iterable[int | None], tolerance_ms: int) -> bool:
    known = [v for v in values if v is not None]
    return bool(known) and max(known) - min(known) > tolerance_ms


def disagreements(claims: Sequence[ClaimView], tolerance_ms: int) -> Iterator[str]:
    """What live claims about one athlete disagree on (`position`, `status`, `time`, `net time`),
    lazily: whether they disagree at all needs only the first."""
    if len({c.position for c in claims if c.position is not None}) > 1:
        yield "position"
    if len({c.status for c in claims}) > 1:
        yield "status"
    if _spread_beyond((c.time_ms for c in claims), tolerance_ms):
        yield "time"
    if _spread_beyond((c.net_time_ms for c in claims), tolerance_ms):
        yield "net time"


def _athlete_disagrees(claims: Sequence[ClaimView], tolerance_ms: int) -> bool:
    return next(disagreements(claims, tolerance_ms), None) is not None


def find_disputes(claims: Iterable[ClaimView], tolerance_ms: int = DEFAULT_TOLERANCE_MS,
                  rulings: Rulings = NO_RULINGS, lines: Lines = NO_LINES) -> list[Dispute]:
    """Position disputes (different athletes, one placing) and athlete disputes (one athlete, different
    results) among the live claims; each carries the ruling that settled it, if any."""
    by_position: dict[tuple[str, int], list[ClaimView]] = defaultdict(list)
    by_athlete: dict[tuple[str, int], list[ClaimView]] = defaultdict(list)
    for claim in claims:
        if claim.retracted_seq is not None:
            continue
        if claim.position is not None:
            by_position[(claim.category, claim.position)].append(claim)
        if claim.athlete_id is not None:
            by_athlete[(claim.category, claim.athlete_id)].append(claim)
    disputes = [
        Dispute(category, "position", position, None, lines.of(group))
        for (category, position), group in by_position.items()
        if _contradicts_at_position(group, tolerance_ms)
    ]
    disputes += [
        Dispute(category, "athlete", None, group[0].athlete, lines.of(group))
        for (category, _), group in by_athlete.items()
        if len(group) > 1 and _athlete_disagrees(group, tolerance_ms)
    ]
    for dispute in disputes:
        dispute.ruling = _settling_ruling(dispute, rulings, tolerance_ms)
    disputes.sort(key=lambda d: (d.category, d.kind != "position", d.position or 0, d.athlete or ""))
    return disputes


def _newest(found: Iterable[RulingView | None]) -> RulingView | None:
    return max((r for r in found if r is not None), key=lambda r: r.seq, default=None)


def _settling_ruling(dispute: Dispute, rulings: Rulings, tolerance_ms: int) -> RulingView | None:
    """A position dispute is settled by a ruling on its placing. An athlete dispute is settled by a
    ruling on the athlete's status, by a ruling accepting one of its claims, or when the claims a
    ruling overruled were all that disagreed."""
    if dispute.kind == "position":
        return rulings.placing.get((dispute.category, dispute.position))
    status = rulings.on_status_of(dispute.claims[0])
    if status is not None:
        return status
    standings = [rulings.placing_standing(c) for c in dispute.claims]
    accepted = _newest(r for s, r in standings if s == ACCEPTED)
    if accepted is not None:
        return accepted
    overruling = _newest(r for s, r in standings if s == OVERRULED)
    remaining = [c for c, (s, _) in zip(dispute.claims, standings) if s != OVERRULED]
    if overruling is not None and not (len(remaining) > 1 and _athlete_disagrees(remaining, tolerance_ms)):
        return overruling
    return None


def _verdict(group: Sequence[ClaimView], disputed_ids: set[int], ruling: RulingView | None) -> str:
    if len(group) == 1:  # most placings of a big category: one source's claim
        claim = group[0]
        if claim.retracted_seq is not None:
            return RETRACTED
        return RULED if ruling is not None else DISPUTED if claim.id in disputed_ids else SINGLE_SOURCE
    live = [c for c in group if c.retracted_seq is None]
    if not live:
        return RETRACTED
    if ruling is not None:
        return RULED
    if any(c.id in disputed_ids for c in live):
        return DISPUTED
    return AGREED if line_count(live) > 1 else SINGLE_SOURCE  # agreement needs two independent lines


def placing_groups(claims: Sequence[ClaimView], tolerance_ms: int = DEFAULT_TOLERANCE_MS, rulings: Rulings = NO_RULINGS,
                   disputes: Iterable[Dispute] | None = None, lines: Lines = NO_LINES,
                   ) -> list[tuple[str, int | None, str, list[ClaimView], RulingView | None]]:
    """`placings` as plain tuples, which cost a tenth of a named tuple to make: a report of a big
    category makes one a placing. Each placing's claims carry their lines (`Lines.of`)."""
    if disputes is None:
        disputes = find_disputes(claims, tolerance_ms, rulings, lines)
    disputed_ids = {c.id for d in disputes if d.ruling is None for c in d.claims}
    placed: dict[str, dict[int, list[ClaimView]]] = {}  # category: position: claims
    unplaced: dict[str, dict[tuple, list[ClaimView]]] = {}  # category: (status, name, athlete): claims
    category = None
    for claim in claims:  # a category's worth of claims: kept to dict lookups and appends
        if claim.category != category:
            category = claim.category
            positions = placed.setdefault(category, {})
            others = unplaced.setdefault(category, {})
        if claim.position is not None:
            group = positions.get(claim.position)
            if group is None:
                positions[claim.position] = [claim]
            else:
                group.append(claim)
        else:
            who = claim.athlete_id if claim.athlete_id is not None else f"unnamed-{claim.id}"
            others.setdefault((claim.status, claim.who, str(who)), []).append(claim)
    found = []
    for category in sorted(placed):
        positions = placed[category]
        for position in sorted(positions):
            group = lines.of(positions[position])
            ruling = rulings.placing.get((category, position))
            found.append((category, position, _verdict(group, disputed_ids, ruling), group, ruling))
        others = unplaced[category]
        for key in sorted(others):
            group = lines.of(others[key])
            found.append((category, None, _verdict(group, disputed_ids, None), group, None))
    return found


def placings(claims: Sequence[ClaimView], tolerance_ms: int = DEFAULT_TOLERANCE_MS,
             rulings: Rulings = NO_RULINGS, disputes: Iterable[Dispute] | None = None,
             lines: Lines = NO_LINES) -> list[Placing]:
    """Every placing of the claims' categories with its verdict, positions first, then the unplaced.

    Retracted claims stay in their placing but do not count; a placing of only retracted claims is
    RETRACTED, one with a ruling in force is RULED. `disputes` are those among these claims, when the
    caller has found them already (through ledger.projection.contests); otherwise they are found here."""
    return list(map(Placing._make, placing_groups(claims, tolerance_ms, rulings, disputes, lines)))

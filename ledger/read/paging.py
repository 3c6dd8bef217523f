"""Keyset pages of a category's placings and of disputes, each read without reading the rest.

A category can hold 50,000 claims and a ledger a million, so a page reads only its own placings'
claims, the claims of the contested athletes named there (an athlete dispute reaches across
placings) and the contest groups among them (ledger.projection.contests). The lists are those
ledger.read.reports builds for `results` and `disputes`, item for item: the CLI's JSON list is the
concatenation of the pages' lists, in order.

Cursors are keys, never offsets: a category's placings are paged by position (`after=120`), then its
placings without a position (`after=unplaced-3`, an offset among those few, read whole); disputes by
their sort key, `CATEGORY:pN` for a position dispute, `CATEGORY:aN` for an athlete dispute whose
first claim is N (athlete disputes sort by the athlete's name, then by that claim), `CATEGORY:bN` for
a bib dispute whose first claim is N (bib disputes follow every placing dispute, by that claim).
"""

from __future__ import annotations

import re
from typing import Any, Iterator, NamedTuple, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.core.limits import LARGEST, shortened
from ledger.core.errors import LedgerError
from ledger.core.models import Athlete, Claim
from ledger.core.views import ClaimView
from ledger.read import figures, verdicts
from ledger.read.bib_disputes import bib_disputes, first_claim
from ledger.read.reports import ClaimReport, dispute_report, shown_placings
from ledger.read.verdicts import Dispute, Rulings, find_disputes, placing_groups
from ledger.read import queries

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
UNPLACED = "unplaced-"
_DISPUTE_KEY = re.compile(r"^(?P<category>[a-z0-9-]+/[a-z0-9-]+/[a-z0-9-]+):(?P<kind>[pab])(?P<n>[1-9][0-9]{0,17})$")


class Slice(NamedTuple):
    """One page: its part of the report, and the cursor of the next page (None on the last); and
    items that follow the report's on it: the figure disputes, which close the last page."""

    report: ClaimReport
    next: str | None
    also: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> list[dict[str, Any]]:
        return [*self.report.to_json(), *self.also]


def _disputes_among(session: Session, category_id: int, views: Sequence[ClaimView], tolerance_ms: int,
                    rulings: Rulings) -> list[Dispute]:
    """Every dispute that any of `views` (whole placings of one category) is part of.

    Position disputes need the placings' live claims, which `views` hold; athlete disputes need all
    live claims of each contested athlete named, read here. Disputes found at other placings, among
    those athletes' claims alone, may be incomplete but hold none of `views`."""
    live = [v for v in views if v.retracted_seq is None]
    named = {v.athlete_id for v in live if v.athlete_id is not None}
    placed = {v.position for v in live if v.position is not None}
    contested: dict[str, set[int]] = {"position": set(), "athlete": set()}
    for kind, key in queries.rows(session, queries.CONTESTED, category=category_id,
                                  position_low=min(placed, default=0), position_high=max(placed, default=-1),
                                  athlete_low=min(named, default=0), athlete_high=max(named, default=-1)):
        contested[kind].add(key)
    positions, athletes = contested["position"] & placed, contested["athlete"] & named
    candidates = {v.id: v for v in live if v.position in positions or v.athlete_id in athletes}
    if athletes:
        candidates.update((v.id, v) for v in queries.views_of(session, queries.CLAIMS_OF_ATHLETES, "athletes",
                                                              athletes, category=category_id))
    return find_disputes([candidates[i] for i in sorted(candidates)], tolerance_ms, rulings, queries.lines(session))


# --- a category's placings ------------------------------------------------------------------------


class PlacingCursor(NamedTuple):
    """Where a page of placings starts: after a position, or past some placings without one."""

    after_position: int = 0
    unplaced_skip: int | None = None  # set once every placing with a position was shown


FIRST = PlacingCursor()


def placing_cursor(after: str | None = None, at: str | None = None) -> PlacingCursor:
    """`after=N` (placings after position N), `after=unplaced-K`, or `at=N` (from position N on)."""
    if after is not None and at is not None:
        raise LedgerError("give after= or at=, not both")
    if at is not None:
        if not _whole(at):
            raise LedgerError(f"bad at={shortened(at)}: expected a position, e.g. at=12")
        return PlacingCursor(_whole(at) - 1)
    if after is None:
        return FIRST
    if _whole(after) is not None:
        return PlacingCursor(_whole(after))
    if after.startswith(UNPLACED) and _whole(after[len(UNPLACED):]) is not None:
        return PlacingCursor(0, _whole(after[len(UNPLACED):]))
    raise LedgerError(f"bad after={shortened(after)}: expected a position (after=100) or after=unplaced-N")


def _whole(text: str) -> int | None:
    """A cursor's number, or None when it is not one a column can hold."""
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 10 and int(text) <= LARGEST else None


def _positions(session: Session, category_id: int, after: int, include_retracted: bool, limit: int) -> list[int]:
    """The next `limit` positions shown: those with a live claim (or any claim, with retracted ones)."""
    positions = {p for (p,) in queries.rows(session, queries.POSITIONS_AFTER, category=category_id, after=after,
                                            limit=limit)}
    if include_retracted:
        positions.update(v.position for v in queries.retracted(
            session, category_id, lambda v: v.position is not None and v.position > after))
    return sorted(positions)[:limit]


def _claims(session: Session, category_id: int, statement, keep, include_retracted: bool, **values) -> list[ClaimView]:
    """The category's live claims `statement` reads, with the retracted ones `keep` picks when asked for."""
    found = queries.views(session, statement, category=category_id, **values)
    if include_retracted:
        found += queries.retracted(session, category_id, keep)
    return found


def results_page(session: Session, category: str | int, tolerance_ms: int, include_retracted: bool = False,
                 cursor: PlacingCursor = FIRST, limit: int = PAGE_SIZE) -> Slice:
    """Up to `limit` placings of `results CATEGORY` (a slug, or the category's id), from `cursor` on."""
    category_id = category if isinstance(category, int) else queries.category(session, category).id
    _, rulings = queries.rulings(session, [category_id])
    positions: list[int] = []
    more_placed = False
    views: list[ClaimView] = []
    if cursor.unplaced_skip is None:
        positions = _positions(session, category_id, cursor.after_position, include_retracted, limit + 1)
        more_placed = len(positions) > limit
        positions = positions[:limit]
        if positions:
            low, high = positions[0], positions[-1]
            views = _claims(session, category_id, queries.CLAIMS_BETWEEN,
                            lambda v: v.position is not None and low <= v.position <= high, include_retracted,
                            low=low, high=high)
    if not more_placed:  # the last placings with a position: those without one follow
        views += _claims(session, category_id, queries.CLAIMS_UNPLACED, lambda v: v.position is None,
                         include_retracted)
    views.sort(key=lambda v: v.id)
    disputes = _disputes_among(session, category_id, views, tolerance_ms, rulings)
    shown = shown_placings(placing_groups(views, tolerance_ms, rulings, disputes, queries.lines(session)), rulings,
                           include_retracted)
    placed = [s for s in shown if s[0]["position"] is not None]
    skip = cursor.unplaced_skip or 0
    unplaced = [s for s in shown if s[0]["position"] is None][skip:]
    room = limit - len(placed)
    page = placed + unplaced[:room]
    if more_placed:
        following = str(positions[-1])
    elif len(unplaced) > room:
        following = f"{UNPLACED}{skip + room}"
    else:
        following = None
    return Slice(ClaimReport(page, rulings), following)


def placing_of(session: Session, claim: ClaimView, category_id: int, tolerance_ms: int,
               rulings: Rulings) -> tuple[str, list[ClaimView]]:
    """The verdict of the placing a claim belongs to, and that placing's claims (retracted included),
    each carrying its line of evidence there."""
    if claim.position is not None:
        views = _claims(session, category_id, queries.CLAIMS_AT, lambda v: v.position == claim.position, True,
                        positions=[claim.position])
    elif claim.athlete_id is not None:
        views = [v for v in _claims(session, category_id, queries.CLAIMS_OF_ATHLETES, lambda v: True, True,
                                    athletes=[claim.athlete_id])
                 if v.position is None and v.athlete_id == claim.athlete_id]
    else:
        views = [claim]
    views.sort(key=lambda v: v.id)
    disputes = _disputes_among(session, category_id, views, tolerance_ms, rulings)
    for _, _, verdict, listed, _ in placing_groups(views, tolerance_ms, rulings, disputes, queries.lines(session)):
        if any(c.id == claim.id for c in listed):
            return verdict, listed
    raise LedgerError(f"claim {claim.id} is in no placing")  # unreachable: every claim is in one


# --- disputes -------------------------------------------------------------------------------------


class DisputeKey(NamedTuple):
    """Where a placing dispute sorts: by category, position disputes first (by position), then
    athlete disputes (by the athlete's name, then by the dispute's first claim)."""

    category: str
    athlete_kind: bool
    position: int
    athlete: str
    first_claim: int

    @property
    def text(self) -> str:
        return key_text(self.category, "athlete" if self.athlete_kind else "position", self.position, self.first_claim)


class BibKey(NamedTuple):
    """Where a bib dispute sorts: after every placing dispute, by its first claim (the category,
    the later claim's, only names it)."""

    category: str
    first_claim: int

    @property
    def text(self) -> str:
        return key_text(self.category, "bib", None, self.first_claim)


_KIND_LETTERS = {"position": "p", "athlete": "a", "bib": "b"}


def key_text(category: str, kind: str, position: int | None, first_claim: int) -> str:
    """A dispute's key as a cursor and an anchor name it: `CATEGORY:pPOSITION`, `CATEGORY:aFIRST_CLAIM`,
    `CATEGORY:bFIRST_CLAIM`."""
    return f"{category}:{_KIND_LETTERS[kind]}{position if kind == 'position' else first_claim}"


def item_key(item: dict[str, Any]) -> str:
    """A `disputes` item's key, from its JSON."""
    ids = [c["id"] for c in item["claims"] if c["id"] is not None]  # a bib dispute's start list entry has none
    return key_text(item["category"], item["kind"], item["position"], min(ids) if item["kind"] == "bib" else ids[0])


def disagreements(report: ClaimReport, tolerance_ms: int) -> dict[str, list[str]]:
    """What each athlete dispute of a report disagrees on, by its key: the rule that found it
    (ledger.read.verdicts.disagreements), for the words that explain it."""
    return {key_text(fields["category"], "athlete", None, listed[0].id):
            list(verdicts.disagreements([c for c in listed if c.retracted_seq is None], tolerance_ms))
            for fields, listed in report.held if fields["kind"] == "athlete"}


def dispute_key(dispute: Dispute) -> DisputeKey | BibKey:
    if dispute.kind == "bib":
        return BibKey(dispute.category, first_claim(dispute.claims))
    if dispute.kind == "position":
        return DisputeKey(dispute.category, False, dispute.position or 0, "", 0)
    return DisputeKey(dispute.category, True, 0, dispute.athlete or "", dispute.claims[0].id)


def dispute_cursor(session: Session, text: str | None) -> DisputeKey | BibKey | None:
    """A dispute's key from its text (`CATEGORY:p3`, `CATEGORY:a42`, `CATEGORY:b42`); None for none."""
    if text is None:
        return None
    match = _DISPUTE_KEY.match(text)
    if match is None:
        raise LedgerError(f"bad dispute key {shortened(text)}: expected CATEGORY:pPOSITION, CATEGORY:aCLAIM_ID "
                          "or CATEGORY:bCLAIM_ID")
    category, n = match["category"], int(match["n"])
    if match["kind"] == "p":
        return DisputeKey(category, False, n, "", 0)
    if match["kind"] == "b":
        return BibKey(category, n)
    name = session.execute(select(Athlete.name).join(Claim, Claim.athlete_id == Athlete.id)
                           .where(Claim.id == n)).scalar()
    if name is None:
        raise LedgerError(f"bad dispute key {shortened(text)}: claim {n} names no athlete")
    return DisputeKey(category, True, 0, name, n)


def _open_or_all(found: list[Dispute], kind: str, include_ruled: bool) -> list[Dispute]:
    return [d for d in found if d.kind == kind and (include_ruled or d.ruling is None)]


def _position_disputes(session: Session, category_id: int, start: DisputeKey | None, wanted: int,
                       tolerance_ms: int, rulings: Rulings, include_ruled: bool) -> Iterator[Dispute]:
    """The category's position disputes from `start` on, by position, read a few placings ahead."""
    first = start.position if start is not None and not start.athlete_kind else 0
    while True:
        views = sorted(queries.views(session, queries.CLAIMS_AT_CONTESTED, category=category_id, start=first,
                                     limit=wanted + 16), key=lambda v: v.id)
        if not views:
            return
        found = _open_or_all(find_disputes(views, tolerance_ms, rulings, queries.lines(session)), "position",
                             include_ruled)
        yield from sorted(found, key=lambda d: d.position)
        first = max(v.position for v in views) + 1


def _athlete_disputes(session: Session, category_id: int, start: DisputeKey | None, wanted: int,
                      tolerance_ms: int, rulings: Rulings, include_ruled: bool) -> Iterator[Dispute]:
    """The category's athlete disputes from `start` on, by name (then first claim)."""
    contested = sorted(queries.rows(session, queries.CONTESTED_ATHLETES, category=category_id))
    if start is not None and start.athlete_kind:
        contested = [(name, key) for name, key in contested if name >= start.athlete]
    while contested:
        end = min(len(contested), wanted + 16)
        while end < len(contested) and contested[end][0] == contested[end - 1][0]:
            end += 1  # athletes of one name are ordered by their first claim: keep them together
        batch, contested = contested[:end], contested[end:]
        views = sorted(queries.views_of(session, queries.CLAIMS_OF_ATHLETES, "athletes", [key for _, key in batch],
                                        category=category_id), key=lambda v: v.id)
        found = _open_or_all(find_disputes(views, tolerance_ms, rulings, queries.lines(session)), "athlete",
                             include_ruled)
        yield from sorted(found, key=dispute_key)


def _disputes(session: Session, categories: list[tuple[int, str]], rulings: Rulings, tolerance_ms: int,
              include_ruled: bool, start: DisputeKey | None, inclusive: bool, limit: int) -> tuple[list[Dispute], bool]:
    """Up to `limit` disputes of these categories (in slug order) from `start` on; and whether more follow."""
    page: list[Dispute] = []
    for category_id, slug in categories:
        if start is not None and slug < start.category:
            continue
        within = start if start is not None and start.category == slug else None
        for find in (_position_disputes, _athlete_disputes):
            if within is not None and within.athlete_kind and find is _position_disputes:
                continue
            for dispute in find(session, category_id, within, limit + 1 - len(page), tolerance_ms, rulings, include_ruled):
                key = dispute_key(dispute)
                if within is not None and (key < within or (key == within and not inclusive)):
                    continue
                page.append(dispute)
                if len(page) > limit:
                    return page[:limit], True
    return page, False


def disputes_page(session: Session, scope: str | None, tolerance_ms: int, include_ruled: bool = False,
                  start: DisputeKey | BibKey | None = None, inclusive: bool = False, limit: int = PAGE_SIZE) -> Slice:
    """Up to `limit` disputes of `disputes [SCOPE]`, after the dispute `start` (from it, if
    inclusive): placing disputes, then bib disputes, as the CLI lists them; the last page ends with
    the scope's figure disputes, which the CLI lists after those (a scope may be a topic, which
    holds figures only)."""
    topic = scope is not None and figures.is_topic(session, scope)
    categories = [] if topic else queries.categories_under(session, scope)
    _, rulings = queries.rulings(session, None if scope is None else [i for i, _ in categories])
    found: list[Dispute] = []
    if not isinstance(start, BibKey):
        found, more = _disputes(session, categories, rulings, tolerance_ms, include_ruled, start, inclusive, limit)
        if more:
            return Slice(dispute_report(found, rulings), dispute_key(found[-1]).text)
    found += _bib_disputes(session, scope, categories, start, inclusive)[:limit + 1 - len(found)]
    if len(found) > limit:
        return Slice(dispute_report(found[:limit], rulings), dispute_key(found[limit - 1]).text)
    return Slice(dispute_report(found, rulings), None,
                 tuple(figures.dispute_items(session, scope, figures.Weighing(), include_ruled)))


def _bib_disputes(session: Session, scope: str | None, categories: list[tuple[int, str]],
                  start: DisputeKey | BibKey | None, inclusive: bool) -> list[Dispute]:
    """The scope's bib disputes (never ruled: a ruling settles a placing), from `start` on when it is one."""
    if not categories:
        return []
    found = bib_disputes(session, None if scope is None else [i for i, _ in categories])
    if not isinstance(start, BibKey):
        return found
    return [d for d in found if first_claim(d.claims) > start.first_claim
            or (inclusive and first_claim(d.claims) == start.first_claim)]


def _newest_claim(dispute: Dispute) -> int:
    return max(c.id for c in dispute.claims if c.id is not None)  # a bib dispute's start list entry has none


def newest_disputes(session: Session, tolerance_ms: int, scope: str | None = None, limit: int = 20) -> ClaimReport:
    """Open disputes across the ledger (or under a scope), newest first (by their newest claim).
    Categories are read newest first; one whose newest claim is older than every dispute kept is not read."""
    newest = []
    topic = scope is not None and figures.is_topic(session, scope)  # a topic holds no placings
    categories = [] if topic else queries.categories_under(session, scope)
    for category_id, slug in categories:
        top = session.execute(select(Claim.id).where(Claim.category_id == category_id)
                              .order_by(Claim.id.desc()).limit(1)).scalar()
        if top is not None:
            newest.append((top, category_id, slug))
    newest.sort(reverse=True)
    _, rulings = queries.rulings(session, None)
    found: list[Dispute] = []
    for top, category_id, slug in newest:
        if len(found) >= limit and top < _newest_claim(found[limit - 1]):
            break
        found += _disputes(session, [(category_id, slug)], rulings, tolerance_ms, False, None, False, 10 ** 9)[0]
        found.sort(key=_newest_claim, reverse=True)
    found = sorted(found + _bib_disputes(session, scope, categories, None, False), key=_newest_claim, reverse=True)
    return dispute_report(found[:limit], rulings)

"""A derived category's results: each source's claims in the category it derives from, of the
athletes its rule (sex, age on race day) matches, ranked 1, 2, 3... within it.

Nothing is claimed in a derived category: its placings are a view over the overall order, as
RaceResult derives age-group placings. A claim keeps the source's own place (`overall_position`)
and time; its `position` is the rank among that source's matching claims. An athlete the rule
cannot place (no sex or age known) is not guessed: their claims come last, in placings with no
position and `unplaced` saying why.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.core.models import Athlete, Category, Claim, Event, Race
from ledger.core.rules import age_on
from ledger.core.views import ClaimView
from ledger.projection.bibs import current_entrants
from ledger.read import claims
from ledger.read.verdicts import NO_RULINGS, RETRACTED, Lines, find_disputes, placing_groups

NO_SEX, NO_AGE = "no sex known", "no age known"


def _people(session: Session, race_id: int, day: dt.date) -> dict[int, tuple[str | None, int | None]]:
    """Each entrant athlete's sex and age on race day, as the race's start lists give them."""
    found = {}
    for e in session.execute(current_entrants(race_id)).scalars():
        found[e.athlete_id] = (e.sex, age_on(day, e.birth_date, e.born, e.age))
    return found


def _why_not(category: Category, sex: str | None, age: int | None) -> tuple[bool, str | None]:
    """(matches, why it cannot be told): the rule over one athlete."""
    if category.sex is not None:
        if sex is None:
            return False, NO_SEX
        if sex != category.sex:
            return False, None
    if category.age_min is not None or category.age_max is not None:
        if age is None:
            return False, NO_AGE
        if (category.age_min is not None and age < category.age_min) or \
                (category.age_max is not None and age > category.age_max):
            return False, None
    return True, None


def derived_placings(session: Session, category: Category, tolerance_ms: int,
                     include_retracted: bool) -> list[tuple[dict[str, Any], list[ClaimView]]]:
    """The derived category's placings as (JSON fields, claims): ranked ones, then the unplaced."""
    parent = session.get(Category, category.derived_from_id)
    race = session.get(Race, category.race_id)
    day = session.execute(select(Event.date).where(Event.id == race.event_id)).scalar_one()
    people = _people(session, race.id, day)
    views = claims.load_views(session, claims.in_categories([parent.id]).order_by(Claim.id))
    born = dict(session.execute(select(Athlete.id, Athlete.born).where(
        Athlete.id.in_({v.athlete_id for v in views if v.athlete_id is not None and v.athlete_id not in people}))
    ).all()) if views else {}
    ranked: list[ClaimView] = []
    unplaced: dict[str, list[ClaimView]] = {}
    counted: dict[str, tuple[int, int | None, int]] = {}  # source: (claims ranked, last own place, last rank)
    ordered = sorted(views, key=lambda v: (v.position is None, v.position or 0, v.id))
    for view in ordered:
        if view.athlete_id is None:
            continue
        sex, age = people.get(view.athlete_id, (None, None))
        if age is None and born.get(view.athlete_id) is not None:
            age = day.year - born[view.athlete_id]
        matches, why = _why_not(category, sex, age)
        derived = view._replace(category=category.slug, overall_position=view.position)
        if why is not None:
            unplaced.setdefault(why, []).append(derived._replace(position=None))
            continue
        if not matches:
            continue
        if view.position is None or view.retracted_seq is not None:
            ranked.append(derived._replace(position=None))  # a non-finisher, or a withdrawn claim: no rank
            continue
        count, last_place, last_rank = counted.get(view.source, (0, None, 0))
        rank = last_rank if view.position == last_place else count + 1  # a tie keeps one rank
        counted[view.source] = (count + 1, view.position, rank)
        ranked.append(derived._replace(position=rank))
    lines = Lines(claims.reliance_pairs(session))
    shown = _placings(ranked, None, parent.slug, tolerance_ms, lines, include_retracted)
    for why in (NO_SEX, NO_AGE):
        shown += _placings(unplaced.get(why, []), why, parent.slug, tolerance_ms, lines, include_retracted)
    return shown


def _placings(views: list[ClaimView], unplaced: str | None, parent: str, tolerance_ms: int, lines: Lines,
              include_retracted: bool) -> list[tuple[dict, list[ClaimView]]]:
    """The placings of these claims as `results` shows them; `unplaced` says why they have no rank
    (then every placing's position is None)."""
    views = sorted(views, key=lambda v: v.id)
    disputes = find_disputes(views, tolerance_ms, NO_RULINGS, lines)
    shown = []
    for slug, position, verdict, listed, _ in placing_groups(views, tolerance_ms, NO_RULINGS, disputes, lines):
        if verdict == RETRACTED and not include_retracted:
            continue
        if len(listed) > 1 and not include_retracted:
            listed = [c for c in listed if c.retracted_seq is None]
        shown.append(({"category": slug, "position": None if unplaced else position, "verdict": verdict,
                       "lines": len({c.line for c in listed if c.retracted_seq is None}), "ruling": None,
                       "derived_from": parent, "unplaced": unplaced}, listed))
    return shown

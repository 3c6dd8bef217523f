"""Finding what the derived tables hold by the names users give: slugs, athlete names, `#ID`.

Writers and readers both look things up this way, so a wrong name gets the same error everywhere.
"""

from __future__ import annotations

import difflib
from typing import Sequence, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ledger.core import limits
from ledger.core.errors import LedgerError
from ledger.core.models import Alias, Athlete, Category, Claim, Event, Race, Source
from ledger.core.names import name_key

Model = TypeVar("Model", Event, Race, Category, Source)


def _did_you_mean(session: Session, model: type[Model], slug: str) -> str:
    known = session.execute(select(model.slug)).scalars().all()
    close = difflib.get_close_matches(slug, known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def find(session: Session, model: type[Model], slug: str) -> Model:
    """The row with this slug, or an error that suggests the closest one."""
    limits.text(slug, "slug", f"{model.__tablename__} slug")
    row = session.execute(select(model).where(model.slug == slug)).scalar_one_or_none()
    if row is None:
        what = model.__tablename__
        raise LedgerError(f"no {what} {limits.shortened(slug)}{_did_you_mean(session, model, slug)}")
    return row


def claimable(session: Session, slug: str) -> Category:
    """A category claims may be recorded in: not a derived one, whose placings are a view."""
    found = find(session, Category, slug)
    if found.derived_from_id is not None:
        parent = session.get(Category, found.derived_from_id)
        raise LedgerError(f"{found.slug} is derived from {parent.slug} (its places are ranked from there); "
                          f"record claims in {parent.slug}")
    return found


def via(session: Session, via: str | None, claimant: str) -> dict[str, str]:
    """A body's `via`: the source whose report carried the claimant's words (nothing when direct)."""
    if via is None:
        return {}
    found = find(session, Source, via).slug
    if found == claimant:
        raise LedgerError(f"--via {via!r} is the claimant itself; a claim its source made directly needs no --via")
    return {"via": found}


def categories_under(session: Session, scope: str | None) -> Sequence[Category]:
    """Categories below an event, race or category slug (all of them when scope is None)."""
    query = select(Category).order_by(Category.slug)
    if scope:
        depth = scope.count("/") + 1
        model = {1: Event, 2: Race, 3: Category}.get(depth)
        if model is None:
            raise LedgerError(f"bad scope {limits.shortened(scope)}: expected EVENT, EVENT/RACE or EVENT/RACE/CATEGORY")
        find(session, model, scope)
        query = query.where((Category.slug == scope) | Category.slug.startswith(scope + "/", autoescape=True))
    return session.execute(query).scalars().all()


def matching_athletes(session: Session, name: str) -> list[Athlete]:
    """Athletes (not merged into another) whose name or any other spelling has the same key as `name`."""
    key = name_key(limits.text(name, "name", "athlete name"))
    by_alias = select(Alias.athlete_id).where(Alias.key == key)
    return list(session.execute(
        select(Athlete).where(Athlete.merged_into.is_(None), or_(Athlete.key == key, Athlete.id.in_(by_alias)))
        .order_by(Athlete.id)).scalars())


def claim(session: Session, claim_id: int) -> Claim:
    """The claim with this id, or an error that says where ids are shown."""
    found = session.get(Claim, limits.whole(claim_id, "id", "claim id"))
    if found is None:
        raise LedgerError(f"no claim {claim_id}; claim ids are shown by: raceledger results CATEGORY")
    return found


def athlete_by_id(session: Session, athlete_id: int) -> Athlete:
    """The athlete with this id, or the one it was merged into (merged records live on as spellings)."""
    athlete = session.get(Athlete, limits.whole(athlete_id, "id", "athlete id"))
    if athlete is None:
        raise LedgerError(f"no athlete with id #{athlete_id}")
    while athlete.merged_into is not None:
        athlete = session.get(Athlete, athlete.merged_into)
    return athlete


def is_id(name: str) -> bool:
    """`#12`: an athlete named by id rather than by a name."""
    return name.startswith("#") and name[1:].isascii() and name[1:].isdecimal()


def athlete(session: Session, name: str) -> Athlete:
    """One athlete by name, alias or `#ID`; an error if none or several match."""
    if is_id(name):
        return athlete_by_id(session, limits.number_text(name[1:], "id", "athlete id"))
    found = matching_athletes(session, name)
    if len(found) > 1:
        ids = ", ".join(f"#{a.id} {a.name}" for a in found)
        raise LedgerError(f"{name!r} matches {len(found)} athletes ({ids}); name one by its id, e.g. '#{found[0].id}'")
    if not found:
        known = [*session.execute(select(Athlete.name).where(Athlete.merged_into.is_(None))).scalars(),
                 *session.execute(select(Alias.name)).scalars()]
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.7)
        hint = f"did you mean {close[0]!r}? or add" if close else "add"
        raise LedgerError(f"no athlete {name!r}; {hint} them with: raceledger athlete add {name!r}")
    return found[0]

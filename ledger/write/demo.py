"""The founding case: the Pyongyang International Marathon of 6 April 2025, as the seed states it.

Only facts the seed article gives: no invented names, times or placings. State media's winner of
the men's amateur marathon is a known unknown ("a local athlete"), never a made-up name.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.core.models import Event
from ledger.write import athletes, catalog, claims

EVENT = "pyongyang-2025"
ARTICLE = "rare-glimpse-inside"
STATE_MEDIA = "dprk-state-media"
KOPEC = "wojciech-kopec"

_PAK_JON_QUOTE = ("For North Korean runners like Pak Kum-dong and Jon Su-gyong, who secured victories in the "
                  "elite men's and women's full marathon categories respectively, the event was a proud moment "
                  "of achievement widely celebrated on state media.")
_AMATEUR_QUOTE = ("Polish runner Wojciech Kopec, who swept all three medals in the men's amateur marathon, made "
                  "headlines with his claim for victory in the race despite North Korean state media reporting "
                  "a local athlete as the winner.")


def is_loaded(session: Session) -> bool:
    return session.execute(select(Event.id).where(Event.slug == EVENT)).first() is not None


def load(session: Session, by: str) -> None:
    """Write the example, one journal entry per fact, in the caller's single transaction."""
    catalog.add_event(session, by, EVENT, "Pyongyang International Marathon", "2025-04-06",
                      "Pyongyang; start and finish at Kim Il-sung Stadium")
    for race, name, metres in [("marathon", "Full marathon", 42195), ("half-marathon", "Half marathon", 21098),
                               ("10k", "10 km", 10000), ("5k", "5 km", 5000)]:
        catalog.add_race(session, by, f"{EVENT}/{race}", name, metres)
    for cat, name, sex, division in [("elite-men", "Elite men", "M", "elite"),
                                     ("elite-women", "Elite women", "F", "elite"),
                                     ("amateur-men", "Amateur men", "M", "amateur")]:
        catalog.add_category(session, by, f"{EVENT}/marathon/{cat}", name, sex, division)

    catalog.add_source(session, by, ARTICLE, "Pyongyang Marathon Returns: Foreigners Get Rare Glimpse Inside",
                       "press")
    catalog.add_source(session, by, STATE_MEDIA, "North Korean state media", "state-media")
    catalog.add_source(session, by, KOPEC, "Wojciech Kopec (his own claim)", "participant")

    athletes.add(session, by, "Pak Kum-dong", "PRK")
    athletes.add(session, by, "Jon Su-gyong", "PRK")
    athletes.add(session, by, "Wojciech Kopec", "POL")
    # Named as taking part (10 km; marathon), with no result the seed states: athletes, no claims.
    athletes.add(session, by, "Cameron Mofid", "USA")
    athletes.add(session, by, "Claus Randrup", "DEN")

    marathon = f"{EVENT}/marathon"
    for source in (ARTICLE, STATE_MEDIA):
        claims.add(session, by, f"{marathon}/elite-men", source, athlete="Pak Kum-dong", position=1,
                   quote=_PAK_JON_QUOTE)
        claims.add(session, by, f"{marathon}/elite-women", source, athlete="Jon Su-gyong", position=1,
                   quote=_PAK_JON_QUOTE)
    claims.add(session, by, f"{marathon}/amateur-men", STATE_MEDIA, unnamed="a local athlete, not named by the source",
               position=1, quote=_AMATEUR_QUOTE)
    claims.add(session, by, f"{marathon}/amateur-men", KOPEC, athlete="Wojciech Kopec", position=1,
               quote=_AMATEUR_QUOTE)

"""The founding case: the Pyongyang International Marathon of 6 April 2025, as the seed states it.

Only facts the seed article gives: no invented names, times or placings. State media's winner of
the men's amateur marathon is a known unknown ("a local athlete"), never a made-up name.

The article is the one document we hold, so every quote is its words. It states the elite winners
itself ("who secured victories"); that state media celebrated them, that state media reported a
local athlete as the amateur winner, and that Kopec claimed that victory reached us only through
it: those claims are their claimants', `via` the article. So the elite placings stand on one line
of evidence (the article), and the amateur placing is disputed between two claimants whose words
we hold from the same report.

The article's figures too, each quoted word for word, claimed by whom the article says said it and
reported via the article: the race's numbers (counts and fees at the event's date, each fee on its
race; the tour's fee on the event), and "the problem with numbers": the famine's deaths and the
North Koreans hiding in China, on topics of their own. Where the article gives no date or period
(the memo's peak year, Robinson's study), the figure has none, and the rule says what follows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.core.models import Event, Topic
from ledger.write import athletes, catalog, claims, figures

EVENT = "pyongyang-2025"
ARTICLE = "rare-glimpse-inside"
STATE_MEDIA = "dprk-state-media"
KOPEC = "wojciech-kopec"
FAMINE = "dprk-famine"
REFUGEES = "nk-refugees-china"
TOPICS = (FAMINE, REFUGEES)
RACE_DAY = dt.date(2025, 4, 6)

_PAK_JON_QUOTE = ("For North Korean runners like Pak Kum-dong and Jon Su-gyong, who secured victories in the "
                  "elite men's and women's full marathon categories respectively, the event was a proud moment "
                  "of achievement widely celebrated on state media.")
_AMATEUR_QUOTE = ("Polish runner Wojciech Kopec, who swept all three medals in the men's amateur marathon, made "
                  "headlines with his claim for victory in the race despite North Korean state media reporting "
                  "a local athlete as the winner.")


LOADED, FIGURES_ADDED, PRESENT = "loaded", "figures added", "present"  # what `ensure` did


def ensure(session: Session, by: str) -> str:
    """Write whatever of the example is missing, so that running `demo` again adds nothing; says
    what it did: LOADED, FIGURES_ADDED (to an example loaded by a version before figures) or PRESENT."""
    if not is_loaded(session):
        load(session, by)
        return LOADED
    if not has_figures(session):
        load_figures(session, by)
        return FIGURES_ADDED
    return PRESENT


def is_loaded(session: Session) -> bool:
    return session.execute(select(Event.id).where(Event.slug == EVENT)).first() is not None


def has_figures(session: Session) -> bool:
    """Whether the article's figures are in: a ledger whose example an older version loaded lacks them."""
    return session.execute(select(Topic.id).where(Topic.slug == FAMINE)).first() is not None


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
    for source, via in ((ARTICLE, None), (STATE_MEDIA, ARTICLE)):
        claims.add(session, by, f"{marathon}/elite-men", source, athlete="Pak Kum-dong", position=1,
                   quote=_PAK_JON_QUOTE, via=via)
        claims.add(session, by, f"{marathon}/elite-women", source, athlete="Jon Su-gyong", position=1,
                   quote=_PAK_JON_QUOTE, via=via)
    claims.add(session, by, f"{marathon}/amateur-men", STATE_MEDIA, unnamed="a local athlete, not named by the source",
               position=1, quote=_AMATEUR_QUOTE, via=ARTICLE)
    claims.add(session, by, f"{marathon}/amateur-men", KOPEC, athlete="Wojciech Kopec", position=1,
               quote=_AMATEUR_QUOTE, via=ARTICLE)
    load_figures(session, by)


_FEES_QUOTE = ("The fee for the seven-day marathon tour was around $2,750 USD per person, with the cost of "
               "participating in the race charged separately (full marathon participation was priced at around "
               "$155 USD, the half marathon at around $104 USD and the 5 or 10km races at around $72 USD).")
# Who the article says stated each figure; it reports them all (the `via` of each figure but its own).
_CLAIMANTS = [
    ("cameron-mofid", "Cameron Mofid (his own account)", "participant"),
    ("dprk-foreign-ministry", "Choe Su-hon, North Korean foreign minister (DPRK foreign ministry), to UNICEF in 2001",
     "official"),
    ("house-irc-memo-1998", "A 1998 memo to the House International Relations Committee (author not named)", "other"),
    ("experts-2003", "Most experts, as of 2003 (not named)", "other"),
    ("courtland-robinson", "W. Courtland Robinson, Johns Hopkins University (a study)", "other"),
]
# (subject, measure, measure name or None once named, source, via, low, high, around, unit, kind, period, at, quote)
_FIGURES = [
    (EVENT, "participants", "Participants", ARTICLE, None, 200, 200, True, "persons", "at-date", None, RACE_DAY,
     "This historic event welcomed around 200 runners from across the globe, including participants from "
     "countries such as Russia, China, the UK, Singapore, France, Portugal, Germany, Australia, Spain, Slovakia "
     "and Poland, making it one of the most diverse editions in the marathon\u2019s history."),
    (EVENT, "dewonder-participants", "Participants the Hong Kong tour group DeWonder brought", ARTICLE, None,
     22, 22, False, "persons", "at-date", None, RACE_DAY,
     "Hong Kong\u2019s tour group, DeWonder, also brought 22 participants to Pyongyang for the occasion."),
    (EVENT, "stadium-spectators", "Spectators in Kim Il-sung Stadium", "cameron-mofid", ARTICLE,
     50000, 50000, False, "persons", "at-date", None, RACE_DAY,
     "Mofid, who completed his mission to visit every country in the world with this trip to North Korea, shared "
     "the adrenaline rush of entering Kim Il-sung Stadium filled with 50,000 spectators and noted that the "
     "atmosphere was unlike anything he had experienced before."),
    (EVENT, "tour-fee", "Seven-day marathon tour fee, per person", ARTICLE, None, 2750, 2750, True, "USD",
     "at-date", None, RACE_DAY, _FEES_QUOTE),
    (f"{EVENT}/marathon", "fee", "Race participation fee", ARTICLE, None, 155, 155, True, "USD", "at-date", None,
     RACE_DAY, _FEES_QUOTE),
    (f"{EVENT}/half-marathon", "fee", None, ARTICLE, None, 104, 104, True, "USD", "at-date", None, RACE_DAY,
     _FEES_QUOTE),
    (f"{EVENT}/10k", "fee", None, ARTICLE, None, 72, 72, True, "USD", "at-date", None, RACE_DAY, _FEES_QUOTE),
    (f"{EVENT}/5k", "fee", None, ARTICLE, None, 72, 72, True, "USD", "at-date", None, RACE_DAY, _FEES_QUOTE),
    (FAMINE, "deaths", "Deaths", "dprk-foreign-ministry", ARTICLE, 220000, 220000, False, "persons", "total",
     (1995, 1998), None,
     "In 2001, North Korean foreign minister, Choe Su-hon told UNICEF that 220,000 North Koreans died of "
     "starvation between 1995 and 1998."),
    (FAMINE, "deaths", None, "house-irc-memo-1998", ARTICLE, 300000, 800000, False, "persons", "peak-year", None,
     None,
     "A 1998 memo to the House International Relations Committee stated that 300,000 to 800,000 North Koreans "
     "were dying per year at the famine\u2019s peak."),
    (REFUGEES, "refugees", "Refugees", "experts-2003", ARTICLE, 100000, 300000, False, "persons", "at-date", None,
     2003,
     "In 2003, when Crossing Borders officially started work, most experts estimated that there were between one "
     "hundred to three hundred thousand North Koreans hiding in China."),
    (REFUGEES, "refugees", None, "courtland-robinson", ARTICLE, 10000, 10000, False, "persons", "at-date", None,
     None, "A recent study by W. Courtland Robinson from Johns Hopkins University pegged the figure at 10,000."),
]


def load_figures(session: Session, by: str) -> None:
    """The article's figures, with their topics and claimants (the event, races and article exist)."""
    figures.add_topic(session, by, FAMINE, "The Great North Korean Famine of the late 1990s")
    figures.add_topic(session, by, REFUGEES, "North Korean refugees hiding in China")
    for slug, name, kind in _CLAIMANTS:
        catalog.add_source(session, by, slug, name, kind)
    for (subject, measure, measure_name, source, via, low, high, around, unit, kind, period, at,
         quote) in _FIGURES:
        figures.add(session, by, subject, measure, source, low=Decimal(low), high=Decimal(high), unit_name=unit,
                    kind=kind, approximately=around, period=period, at=at, measure_name=measure_name, via=via,
                    quote=quote)

"""What each page holds: its JSON twin's records (what the matching CLI command prints with
`-f json`, or this page's part of it) and what its template shows beside them.

Page functions take a session and the page's parameters; they never know whether they are served
or written to files (ledger.web.links makes the hrefs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from ledger.core import limits
from ledger.core.errors import LedgerError
from ledger.core.limits import shortened
from ledger.read import athletes, catalog, claims, figures, follow, history, reports
from ledger.read.claim_show import claim_record
from ledger.read.reports import ClaimReport
from ledger.read import paging, queries
from ledger.web import charts
from ledger.web.links import CHECKPOINT, PROOF_SUFFIX
from ledger.read.search import search_athletes

if TYPE_CHECKING:  # only named in annotations: serving or writing without proofs never loads them (cryptography)
    from ledger.read.proofs import Publication

HISTORY_PAGE = 200


class BadParameter(LedgerError):
    """A page's parameter is malformed (HTTP 400), as opposed to naming nothing (404)."""


class Moved(Exception):
    """The page lives at another path now (an athlete merged into another): a redirect."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


@dataclass(frozen=True)
class Reviewed:
    """A ruling whose page this is, for its ClaimReview (ledger.web.linked_data): the claims it
    decided on (the one a placing ruling accepts; the athlete's claims in the category of a status
    ruling) and when the ledger recorded it."""

    ruling: dict[str, Any]
    claims: list[dict[str, Any]]
    recorded_at: str


@dataclass
class Page:
    """One page: what its JSON twin holds, the template that shows it, and where it lives."""

    template: str
    title: str
    path: str  # the site path: "" for the home page, "claims/9", "EVENT/RACE/CATEGORY"
    records: Any  # what the JSON twin holds; a text page's text (a proof, the checkpoint)
    params: dict[str, Any] = field(default_factory=dict)  # the page's own parameters, as it names them
    context: dict[str, Any] = field(default_factory=dict)
    # What only the HTML page shows, read only when it is made: its JSON twin (the CLI's list) never waits on it.
    shown: Callable[[], dict[str, Any]] | None = None
    next: dict[str, Any] | None = None  # the next page's parameters, when the records are paged
    reviewed: list[Reviewed] = field(default_factory=list)  # the rulings whose page this is


# What a page may be given, and how long each value may be: a scope is up to three slugs (the
# CLI's slug limit each), a search a name, a cursor a scope and a number. A value past its limit,
# or holding a control character, is a 400; a parameter the page does not take is not read at all.
_SCOPE = 3 * limits.TEXTS["slug"].most + 2
PARAMETERS = {"scope": _SCOPE, "q": limits.TEXTS["name"].most, "after": _SCOPE + 12, "at": _SCOPE + 12,
              "limit": 10, "all": 5}


class Params:
    """A request's query parameters, read the way every page reads them: only those the page takes
    (`takes`; all of PARAMETERS when not said), each within its limit."""

    def __init__(self, values: Mapping[str, str], takes: tuple[str, ...] | None = None) -> None:
        names = PARAMETERS if takes is None else takes
        self.values = {name: values[name] for name in names if values.get(name)}
        for name, value in self.values.items():
            if len(value) > PARAMETERS[name] or limits.UNSAFE.search(value):
                raise BadParameter(f"bad {name}={shortened(value)}: at most {PARAMETERS[name]} characters, "
                                   "and no control characters")

    def query(self) -> str:
        """The parameters a page was given and takes, in one order: what names the page it makes."""
        return urlencode(sorted(self.values.items()))

    def text(self, name: str) -> str | None:
        return self.values.get(name)

    def flag(self, name: str) -> bool:
        value = (self.values.get(name) or "").lower()
        if value in ("", "0", "false", "no", "off"):
            return False
        if value in ("1", "true", "yes", "on"):
            return True
        raise BadParameter(f"bad {name}={shortened(value)}: expected {name}=1 or {name}=0")

    def number(self, name: str, default: int, low: int, high: int) -> int:
        value = self.values.get(name)
        if not value:
            return default
        if not (value.isascii() and value.isdecimal() and len(value) <= 10) or not low <= int(value) <= high:
            raise BadParameter(f"bad {name}={shortened(value)}: expected a whole number from {low} to {high}")
        return int(value)

    def limit(self) -> int:
        return self.number("limit", paging.PAGE_SIZE, 1, paging.MAX_PAGE_SIZE)


def takes(*names: str) -> Callable[[Callable], Callable]:
    """Mark a page function with the parameters it reads (Params drops any other)."""
    def mark(build: Callable) -> Callable:
        build.takes = names
        return build
    return mark


def _parameter(parse: Callable[..., Any], *args: Any) -> Any:
    try:
        return parse(*args)
    except LedgerError as exc:
        raise BadParameter(str(exc)) from None


def athlete_ids(report: ClaimReport) -> dict[int, int | None]:
    """Who each claim of a report names, by id: cards link athletes' pages (the JSON has names only)."""
    return {c.id: c.athlete_id for _, listed in report.held for c in listed}


# --- pages -----------------------------------------------------------------------------------------


@takes()
def home(session: Session, params: Params, tolerance_ms: int, scope: str | None = None) -> Page:
    """Events, the open placing disputes across the ledger (or a scope of it), newest first, and
    the open figure disputes. Twin: `event list -f json`."""
    newest = paging.newest_disputes(session, tolerance_ms, scope)
    return Page("home.html", "Race results ledger", "", catalog.list_events(session),
                context={"disputes": newest.to_json(), "athlete_ids": athlete_ids(newest),
                         "disagreements": paging.disagreements(newest, tolerance_ms),
                         "figure_disputes": figures.dispute_items(session, scope),
                         "categories": catalog.list_categories(session), "topics": figures.topics(session)})


@takes("scope", "all", "limit", "after", "at")
def disputes(session: Session, params: Params, tolerance_ms: int) -> Page:
    """Like `raceledger disputes [SCOPE] [--all] -f json`, a page of it at a time."""
    scope, show_all, limit = params.text("scope"), params.flag("all"), params.limit()
    after, at = params.text("after"), params.text("at")
    if after and at:
        raise BadParameter("give after= or at=, not both")
    start = _parameter(paging.dispute_cursor, session, at or after)
    found = paging.disputes_page(session, scope, tolerance_ms, show_all, start, at is not None, limit)
    own = {"scope": scope, "all": show_all, "limit": limit if limit != paging.PAGE_SIZE else None}
    where = f" in {scope}" if scope else ""
    records = found.to_json()
    return Page("disputes.html", f"{'Disputes' if show_all else 'Open disputes'}{where}", "disputes", records,
                params={**own, "after": after, "at": at},
                context={"scope": scope, "show_all": show_all, "athlete_ids": athlete_ids(found.report),
                         "disagreements": paging.disagreements(found.report, tolerance_ms),
                         "topic": scope is not None and figures.is_topic(session, scope)},
                next={**own, "after": found.next} if found.next else None)


def catalog_page(session: Session, slug: str, params: Params, tolerance_ms: int) -> Page:
    """An event (twin: `race list EVENT`), a race (`category list EVENT/RACE`) or a category (`results`)."""
    depth = slug.count("/") + 1
    if depth == 1:
        found = catalog.event(session, slug)
        return Page("event.html", found.name, slug, catalog.list_races(session, slug),
                    context={"event": found, "categories": catalog.list_categories(session, slug),
                             "figures": _figures_json(figures.assessed(session, slug))})
    if depth == 2:
        found, event = catalog.race(session, slug)
        return Page("race.html", f"{found.name}, {event.name}", slug, catalog.list_categories(session, slug),
                    context={"race": found, "event": event, "figures": _figures_json(figures.assessed(session, slug))})
    if depth == 3:
        return results(session, slug, params, tolerance_ms)
    raise LedgerError(f"no page {shortened(slug)}: pages are EVENT, EVENT/RACE and EVENT/RACE/CATEGORY")


@takes("all", "limit", "after", "at")
def results(session: Session, slug: str, params: Params, tolerance_ms: int) -> Page:
    """Like `raceledger results CATEGORY [--all] -f json`, a page of placings at a time."""
    show_all, limit = params.flag("all"), params.limit()
    after, at = params.text("after"), params.text("at")
    cursor = _parameter(paging.placing_cursor, after, at)
    names = queries.category(session, slug)
    found = paging.results_page(session, names.id, tolerance_ms, show_all, cursor, limit)
    category, race, event = names.category, names.race, names.event
    own = {"all": show_all, "limit": limit if limit != paging.PAGE_SIZE else None}
    records = found.report.to_json()
    first = cursor == paging.FIRST
    return Page("results.html", f"{category.name}, {race.name}, {event.name}", slug, records,
                params={**own, "after": after, "at": at},
                context={"category": category, "race": race, "event": event, "show_all": show_all, "first": first},
                shown=lambda: {"athlete_ids": athlete_ids(found.report),
                               "progress": follow.progress(session, names.id) if first else None,
                               "figures": _figures_json(figures.about_and_above(session, slug)) if first else []},
                next={**own, "after": found.next} if found.next else None)


def accepting(record: dict[str, Any]) -> dict[str, Any] | None:
    """The ruling in force on a claim's placing, if it accepts this claim (`claim show`'s record):
    the claim's page is that ruling's page."""
    ruling = record["placing"]["ruling"]
    return ruling if ruling is not None and ruling["accepted_claim"] == record["id"] else None


@takes()
def claim(session: Session, claim_id: int, params: Params, tolerance_ms: int,
          publication: Publication | None = None) -> Page:
    """One claim whole (ledger.read.claim_show), with the placing it belongs to; where the site
    publishes proofs, whether this claim has one."""
    record, athlete_ids = claim_record(session, claim_id, tolerance_ms)
    ruling = accepting(record)
    return claim_page(record, athlete_ids, queries.entries(session, [ruling["seq"]]) if ruling else {},
                      None if publication is None else ProofNote(publication.why_not(session, claim_id)))


@dataclass(frozen=True)
class ProofNote:
    """What a claim's page says of its proof where the site publishes proofs: a link to it, or why there is none."""

    why_not: str | None


def claim_page(record: dict[str, Any], athlete_ids: dict[int, int | None], recorded: dict[int, dict[str, Any]],
               proof: ProofNote | None = None) -> Page:
    """A claim's page; `recorded` holds the journal entry of the ruling that accepts it, if any."""
    ruling = accepting(record)
    reviewed = [Reviewed(ruling, [record], recorded[ruling["seq"]]["recorded_at"])] if ruling else []
    return Page("claim.html", f"Claim {record['id']}, {record['category']}", f"claims/{record['id']}", record,
                context={"athlete_ids": athlete_ids, "proof": proof}, reviewed=reviewed)


def proof(session: Session, claim_id: int, publication: Publication) -> Page:
    """A claim's proof under the checkpoint the site publishes: a text page (records: the text)."""
    return Page("", f"Proof of claim {claim_id}", f"claims/{claim_id}{PROOF_SUFFIX}", publication.proof(session, claim_id))


def checkpoint(session: Session, publication: Publication) -> Page:
    """The signed checkpoint the site publishes: a text page."""
    return Page("", "Checkpoint", CHECKPOINT, publication.checkpoint(session))


@takes()
def athlete(session: Session, athlete_id: int, params: Params, tolerance_ms: int) -> Page:
    """Like `raceledger athlete show '#ID' -f json`; a merged record moves to the one it was merged into."""
    current = athletes.current_id(session, athlete_id)
    if current != athlete_id:
        raise Moved(f"athletes/{current}")
    described, report = reports.athlete_report(session, f"#{athlete_id}", tolerance_ms)
    records = reports.athlete_json(described, report)
    return Page("athlete.html", described["name"], f"athletes/{athlete_id}", records,
                reviewed=_status_rulings(session, records["claims"]))


def _status_rulings(session: Session, about: list[dict[str, Any]]) -> list[Reviewed]:
    """The status rulings in force on an athlete (their page is the athlete's), each with the
    athlete's claims in its category: those not retracted, or all of them when every one is."""
    rulings = list({c["status_ruling"]["id"]: c["status_ruling"] for c in about if c["status_ruling"]}.values())
    recorded = queries.entries(session, [r["seq"] for r in rulings])
    found = []
    for ruling in rulings:
        there = [c for c in about if c["category"] == ruling["category"]]
        live = [c for c in there if c["standing"] != "retracted"]
        found.append(Reviewed(ruling, live or there, recorded[ruling["seq"]]["recorded_at"]))
    return found


@takes()
def sources(session: Session, params: Params, tolerance_ms: int, every: list[dict[str, Any]] | None = None) -> Page:
    """Like `raceledger sources -f json` (`every`: that list, when read already)."""
    return Page("sources.html", "Sources", "sources", every if every is not None else reports.sources(session, tolerance_ms))


@takes("after", "limit")
def source(session: Session, slug: str, params: Params, tolerance_ms: int,
           every: list[dict[str, Any]] | None = None, within: tuple[str, list[int]] | None = None) -> Page:
    """This source's item of `raceledger sources -f json` (a list of one; `every` is that list when
    read already), and its claims, a page at a time: all of them, or (`within`: a scope and its
    categories' ids, for a report of that scope) those in the scope alone."""
    after, limit = params.number("after", 0, 0, 2 ** 62), params.limit()
    found, listed = claims.of_source(session, slug, after, limit + 1, within[1] if within is not None else None)
    records = [s for s in (every if every is not None else reports.sources(session, tolerance_ms)) if s["slug"] == slug]
    return Page("source.html", found.name, f"sources/{slug}", records, params={"after": after or None},
                context={"source": records[0], "claims": listed[:limit], "reliance": queries.reliance(session, found.slug),
                         "within": within[0] if within else None},
                next={"after": listed[limit - 1].id} if len(listed) > limit else None)


@takes("after", "limit")
def journal(session: Session, scope: str | None, params: Params, tolerance_ms: int) -> Page:
    """Like `raceledger history [SCOPE | CLAIM_ID] -f json`, a page of entries at a time (after=SEQ)."""
    after = params.number("after", 0, 0, 2 ** 62)
    limit = params.number("limit", HISTORY_PAGE, 1, 10 * HISTORY_PAGE)
    found = [e for e in history.entries(session, scope) if e["seq"] > after]
    shown = found[:limit]
    own = {"limit": limit if limit != HISTORY_PAGE else None}
    return Page("history.html", f"History of {scope}" if scope else "History", f"history/{scope}" if scope else "history",
                shown, params={**own, "after": after or None}, context={"scope": scope},
                next={**own, "after": shown[-1]["seq"]} if len(found) > limit else None)


def _figures_json(found: list[figures.Assessed]) -> list[dict[str, Any]]:
    return [figure.to_json() for figure in found]


@takes("scope")
def figure_list(session: Session, params: Params, tolerance_ms: int) -> Page:
    """Like `raceledger figures [SCOPE] -f json`: every figure with its verdict, drawn by subject
    and measure (ledger.web.charts) beside the rule's words on each pair."""
    scope = params.text("scope")
    records = _figures_json(figures.assessed(session, scope))
    topic = scope is not None and figures.is_topic(session, scope)
    return Page("figures.html", f"Figures about {scope}" if scope else "Figures", "figures", records,
                params={"scope": scope}, context={"scope": scope, "topic": topic, "groups": charts.groups(records),
                                                  "topics": [] if scope else figures.topics(session)})


@takes()
def figure(session: Session, figure_id: int, params: Params, tolerance_ms: int) -> Page:
    """Like `raceledger figure show ID -f json`: one figure whole, drawn among the other figures of
    its subject and measure."""
    group = _figures_json(figures.group_of(session, figure_id))
    (record,) = [f for f in group if f["id"] == figure_id]
    return Page("figure.html", f"Figure {figure_id}, {record['subject']}: {record['measure_name']}",
                f"figures/{figure_id}", record, context={"groups": charts.groups(group),
                "topic": record["subject_kind"] == "topic"})


@takes("q")
def search(session: Session, params: Params, tolerance_ms: int) -> Page:
    """Athletes a name finds, as `raceledger athlete list -f json` lists them (a part of it)."""
    query = (params.text("q") or "").strip()
    found = search_athletes(session, query) if query else []
    return Page("search.html", f"Athletes named {query}" if query else "Search athletes", "search", found,
                params={"q": query or None}, context={"query": query})

"""`raceledger report [SCOPE] --out DIR`: the web view's pages of one scope as static files.

HTML pages with their JSON twins and the one stylesheet, linked relatively, so the folder works
from a file system or any static host. Nothing in a page depends on when or where it was written:
the same ledger gives the same bytes. Files are written in a fixed order, each once.

The site holds the scope's catalog pages (with the event and race above it), every page of its
categories' results, its disputes, its figures drawn (ledger.web.charts) with a page per figure, a
page per claim, per athlete named there and per source (listing the source's claims in the scope
alone), and the history of each catalog page. A topic's site holds its figures, their disputes,
their sources and the topic's history. A big scope (a 50,000-claim category) would make a site of a
hundred thousand files, most of them one source's claim alone at its placing, which its line on
the results page shows whole: past MAX_CLAIM_PAGES claims, those claims link to that line and get
no page, and only the athletes named in the site's disputes get one (the first MAX_ATHLETE_PAGES:
each reads every category the athlete is in). Search needs a server: a static site has none.
Given a publication (`--sign`, `--checkpoint`: ledger.read.proofs.Publication), the site also holds
the signed checkpoint and, beside each claim's page, the claim's proof under it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, NamedTuple

from sqlalchemy.orm import Session

from ledger.core import limits
from ledger.read import catalog, figures, reports
from ledger.read.claim_show import assemble
from ledger.read.verdicts import DEFAULT_TOLERANCE_MS
from ledger.store.files import folder_filled_whole
from ledger.read import paging, queries
from ledger.web import markdown, pages, templating
from ledger.read.queries import ledger_head
from ledger.web.links import CHECKPOINT, PROOF_SUFFIX, StaticLinks, static_name
from ledger.web.pages import Page, Params

if TYPE_CHECKING:  # only named in annotations: serving or writing without proofs never loads them (cryptography)
    from ledger.read.proofs import Publication

MAX_CLAIM_PAGES = 5000
MAX_ATHLETE_PAGES = 500
# Placings read at a time when their claims' pages are written.
_CLAIM_BATCH = 500


def _params(values: dict[str, Any] | None) -> Params:
    return Params({k: ("1" if v is True else str(v)) for k, v in (values or {}).items() if v not in (None, False)})


class Site:
    """The files of one static site, and how each page is written into it."""

    def __init__(self, session: Session, scope: str | None, out: Path, tolerance_ms: int,
                 base_url: str | None = None, publication: Publication | None = None) -> None:
        self.session, self.scope, self.out, self.tolerance_ms = session, scope, out, tolerance_ms
        self.publication = publication
        # The checkpoint the site publishes, signed (or given) once for the snapshot it is written from.
        self.checkpoint = None if publication is None else publication.checkpoint(session)
        self.head = ledger_head(session)
        self.placings: dict[tuple[str, int], str] = {}
        self.rows: dict[int, str] = {}  # claim id: the results page that holds its placing
        self.files: set[str] = set()
        self.links = StaticLinks(scope, self.files, self.placings, self.rows, base_url=base_url)
        self.written: list[str] = []

    def write_file(self, name: str, data: bytes) -> None:
        """NAME is a path inside the site ("claims/9.html": slugs and numbers, never `..`), written
        once: made new ("x" mode), so a second write of one name fails rather than overwrite."""
        path = self.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as out:
            out.write(data)
        self.written.append(name)

    def write(self, page: Page) -> str:
        """The page's HTML and its JSON twin; returns the HTML file's name."""
        name = self.links.name(page.path, "html", **page.params)
        self.write_file(self.links.name(page.path, "json", **page.params), templating.json_bytes(page))
        self.write_file(name, templating.html(page, self.links.at(name), self.head).encode())
        return name

    def claim_page(self, record: dict[str, Any], athlete_ids: dict[int, int | None],
                   recorded: dict[int, dict[str, Any]]) -> Page:
        """A claim's page; where the site publishes proofs, the claim's proof is written beside it
        first (`claims/ID.tlog-proof`, which the page links), or the page says why there is none."""
        if self.publication is None:
            return pages.claim_page(record, athlete_ids, recorded)
        proof, why_not = self.publication.proof_or_why_not(self.session, record["id"], self.checkpoint)
        if proof is not None:
            name = f"claims/{record['id']}{PROOF_SUFFIX}"
            self.write_file(name, proof.encode())
            self.files.add(name)
        return pages.claim_page(record, athlete_ids, recorded, pages.ProofNote(why_not))

    def pages(self, build: Callable[[Params], Page]) -> Iterator[Page]:
        """Every page of a paged page, from the first, following its cursors."""
        page = build(_params(None))
        yield page
        while page.next is not None:
            page = build(_params(page.next))
            yield page


def _catalog_paths(session: Session, scope: str | None) -> tuple[list[str], list[str], list[str]]:
    """The events, races and categories of a site: the scope, what lies under it, what lies above it
    (none for a topic)."""
    if scope is not None and figures.is_topic(session, scope):
        return [], [], []
    categories = sorted(slug for _, slug in queries.categories_under(session, scope))
    if scope is None or scope.count("/") == 0:
        races = [r["slug"] for r in catalog.list_races(session, scope)]
    else:
        races = sorted({"/".join(c.split("/")[:2]) for c in categories} | {"/".join(scope.split("/")[:2])})
    events = [e["slug"] for e in catalog.list_events(session)] if scope is None else [scope.split("/")[0]]
    return events, races, categories


def _subjects(session: Session, category_ids: list[int], disputed_athletes: list[int]) -> tuple[list[int], list[int], list[str]]:
    """The claims, athletes and sources with pages of their own in a site of these categories: in
    a big site, only the athletes named in its disputes, the first MAX_ATHLETE_PAGES of them."""
    rows = queries.claims_in(session, category_ids)
    if len(rows) <= MAX_CLAIM_PAGES:
        athletes = sorted({a for _, a, _ in rows if a is not None})
    else:
        athletes = sorted(list(dict.fromkeys(disputed_athletes))[:MAX_ATHLETE_PAGES])
    return [c for c, _, _ in rows], athletes, sorted({s for _, _, s in rows})


def _alone(placing: dict[str, Any]) -> bool:
    """One source's claim alone at its placing: its line on the results page shows it whole."""
    return len(placing["claims"]) == 1 and placing["verdict"] == "single-source"


def _claim_pages(site: Site, category: str, category_id: int, every: bool) -> Iterator[Page]:
    """A page per claim of a category (`every`), or per claim not alone at its placing, from its
    placings as `results --all` lists them, a page of placings at a time
    (ledger.read.claim_show.assemble makes each claim's record)."""
    session = site.session
    all_rulings, rulings = queries.rulings(session, [category_id])
    cursor = paging.FIRST
    while True:
        part = paging.results_page(session, category, site.tolerance_ms, True, cursor, _CLAIM_BATCH)
        views = [c for _, listed in part.report.held for c in listed]
        ids = [c.id for c in views]
        seqs = queries.seqs(session, ids)
        recorded = queries.entries(session, [*seqs.values(), *(c.retracted_seq for c in views if c.retracted_seq),
                                             *(r.seq for r in all_rulings)])
        for (fields, listed), placing in zip(part.report.held, part.report.to_json()):
            if not every and _alone(placing) and f"claims/{listed[0].id}.html" not in site.files:
                continue
            athlete_ids = {c.id: c.athlete_id for c in listed}
            for view in listed:
                site.files.add(f"claims/{view.id}.html")
                record = assemble(view, seqs[view.id], placing, all_rulings, rulings, recorded)
                yield site.claim_page(record, athlete_ids, recorded)
        if part.next is None:
            return
        cursor = paging.placing_cursor(part.next)


class Plan(NamedTuple):
    """What a site holds: its catalog pages, and the claims, athletes and sources with pages of their own."""

    events: list[str]
    races: list[str]
    categories: dict[str, int]  # slug: id
    claims: list[int]
    athletes: list[int]
    sources: list[str]
    figures: list[int]
    topics: list[str]  # the topics whose figures pages the site holds (all, in a whole ledger's site)

    @property
    def every_claim(self) -> bool:
        """Whether every claim gets a page (ledger.web.report's docstring says when not)."""
        return len(self.claims) <= MAX_CLAIM_PAGES

    def files(self, scope: str | None) -> set[str]:
        """The HTML files of the pages links may point at, as far as known before any is written
        (later pages of a paged page, and claims' pages in a big site, are added as they come)."""
        paths = [*self.events, *self.races, *self.categories]
        claims = self.claims if self.every_claim else []
        return {"index.html", "disputes.html", "disputes.all-1.html", "sources.html",
                *(f"{p}.html" for p in paths), *(f"history/{p}.html" for p in paths),
                *(f"claims/{i}.html" for i in claims), *(f"athletes/{i}.html" for i in self.athletes),
                *(f"sources/{s}.html" for s in self.sources), *(["history.html"] if scope is None else []),
                "figures.html", *(f"figures/{i}.html" for i in self.figures),
                *(static_name("figures", {"scope": t}) for t in self.topics if t != scope),
                *(f"history/{t}.html" for t in self.topics)}


def plan(session: Session, scope: str | None, tolerance_ms: int) -> Plan:
    events, races, categories = _catalog_paths(session, scope)
    topic = scope is not None and figures.is_topic(session, scope)
    ids = {} if topic else {slug: category_id for category_id, slug in queries.categories_under(session, scope)}
    found = paging.disputes_page(session, scope, tolerance_ms, True, limit=10 ** 9).report
    disputed = [c.athlete_id for _, listed in found.held for c in listed if c.athlete_id is not None]
    claims, athletes, sources = _subjects(session, list(ids.values()), disputed)
    figured = figures.assessed(session, scope)
    named = {s for f in figured for s in (f.row.source, f.row.via) if s is not None}
    topics = [t["slug"] for t in figures.topics(session)] if scope is None else [scope] if topic else []
    return Plan(events, races, {slug: ids[slug] for slug in categories}, claims, athletes,
                sorted(set(sources) | named), sorted(f.row.id for f in figured), topics)


def _write_results(site: Site, found: Plan) -> None:
    """Every page of each category's results; before each is written, where its placings and
    claims are, and which claims will have a page (in a big site, those not alone at a placing)."""
    for slug in found.categories:
        for page in site.pages(lambda p, slug=slug: pages.results(site.session, slug, p, site.tolerance_ms)):
            name = site.links.name(page.path, "html", **page.params)
            for item in page.records:
                if item["position"] is not None:
                    site.placings[(slug, item["position"])] = name
                for claim in item["claims"]:
                    site.rows[claim["id"]] = name
                    if not found.every_claim and not _alone(item):
                        site.files.add(f"claims/{claim['id']}.html")
            site.write(page)


def _write_pages(site: Site, found: Plan) -> None:
    session, scope, tolerance_ms = site.session, site.scope, site.tolerance_ms
    for slug in [*found.events, *found.races]:
        site.write(pages.catalog_page(session, slug, _params(None), tolerance_ms))
    site.write(pages.home(session, _params(None), tolerance_ms, scope))
    for show_all in (False, True):
        for page in site.pages(lambda p, show_all=show_all: pages.disputes(
                session, _params({"scope": scope, "all": show_all, **p.values}), tolerance_ms)):
            site.write(page)
    for slug, category_id in found.categories.items():
        for page in _claim_pages(site, slug, category_id, found.every_claim):
            site.write(page)
    for athlete_id in found.athletes:
        site.write(pages.athlete(session, athlete_id, _params(None), tolerance_ms))
    every_source = reports.sources(session, tolerance_ms)
    site.write(pages.sources(session, _params(None), tolerance_ms, every_source))
    within = None if scope is None else (scope, list(found.categories.values()))  # a scope's claims alone
    for slug in found.sources:
        for page in site.pages(lambda p, slug=slug: pages.source(session, slug, p, tolerance_ms, every_source, within)):
            site.write(page)
    for about in [scope, *(found.topics if scope is None else [])]:  # a whole ledger's site: each topic's too
        site.write(pages.figure_list(session, _params({"scope": about}), tolerance_ms))
    for figure_id in found.figures:
        site.write(pages.figure(session, figure_id, _params(None), tolerance_ms))
    for path in [*found.events, *found.races, *found.categories, *([None] if scope is None else []), *found.topics]:
        for page in site.pages(lambda p, path=path: pages.journal(session, path, p, tolerance_ms)):
            site.write(page)


def write_site(session: Session, scope: str | None, out_dir: str | Path, markdown_only: bool = False,
               tolerance_ms: int = DEFAULT_TOLERANCE_MS, base_url: str | None = None,
               publication: Publication | None = None) -> list[str]:
    """Write the scope's site (or, with `markdown_only`, its disputes as one Markdown document)
    into `out_dir`, whole or not at all (ledger.store.files.folder_filled_whole); returns the files
    written, relative to it, in order. `base_url` (ledger.core.limits.base_url) is where the site
    will be published: linked data and canonical links name pages with it, and none without it. A
    `publication` (ledger.read.proofs), refused before anything is written unless it fits the ledger,
    adds the signed checkpoint (`checkpoint`) and each claim's proof beside its page."""
    base_url = None if base_url is None else limits.base_url(base_url)
    if markdown_only:
        if scope is None or not figures.is_topic(session, scope):
            queries.categories_under(session, scope)  # an unknown scope fails before anything is written
        text = markdown.document(session, scope, tolerance_ms, ledger_head(session))
        with folder_filled_whole(str(out_dir)) as staging:
            (Path(staging) / markdown.FILE_NAME).write_text(text, encoding="utf-8", newline="\n")
        return [markdown.FILE_NAME]
    if publication is not None:
        publication.opened(session)
    found = plan(session, scope, tolerance_ms)
    with folder_filled_whole(str(out_dir)) as staging:
        site = Site(session, scope, Path(staging), tolerance_ms, base_url, publication)
        site.files.update(found.files(scope))
        for name in templating.STATIC_FILES:
            site.write_file(f"static/{name}", (templating.STATIC / name).read_bytes())
        if site.checkpoint is not None:
            site.write_file(CHECKPOINT, site.checkpoint.encode())
            site.files.add(CHECKPOINT)
        _write_results(site, found)
        _write_pages(site, found)
    return site.written

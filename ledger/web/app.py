"""The web view: a Starlette app over a read-only ledger, each page in HTML and as its JSON twin.

Every page is read in one read-only transaction (a snapshot on SQLite in WAL mode; REPEATABLE
READ on PostgreSQL), so its head, its ETag and its content agree. A page of an event, a race, a
category or a claim is kept until an entry that can change it is recorded (ledger.projection.scopes),
every other page until any entry is. Only GET and HEAD are answered.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
import traceback
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Callable

import orjson
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledger import __version__
from ledger.core import limits
from ledger.core.errors import LedgerError
from ledger.core.limits import TEXTS, number_text, shortened
from ledger.core.rules import slug as valid_slug
from ledger.read.verdicts import DEFAULT_TOLERANCE_MS
from ledger.store.engine import open_engine
from ledger.store.locking import session_scope
from ledger.store.served import ServedDatabase, Unavailable
from ledger.web import pages, templating
from ledger.read.queries import CLAIM_SCOPE, catalog_scope, ledger_head, scope_head
from ledger.web.headers import SECURITY_HEADERS, HeadProbe, etag, matches
from ledger.web.links import CHECKPOINT, PROOF_SUFFIX, Links
from ledger.web.pages import BadParameter, Moved, Page, Params

if TYPE_CHECKING:  # only named in annotations: serving or writing without proofs never loads them (cryptography)
    from ledger.read.proofs import Publication

HTML = "text/html; charset=utf-8"
JSON = "application/json"
TEXT = "text/plain; charset=utf-8"  # a claim's proof and the checkpoint, as `prove` and `checkpoint` print them
ALLOWED = ("GET", "HEAD")
# Pages change only when the ledger does: a browser may keep one, asking (If-None-Match) each time.
REVALIDATE = "no-cache"
# Pages kept, by ETag, at most this many bytes of memory (0: none kept): `serve --cache-mb`.
CACHE_BYTES = 64 * 1024 * 1024
# The longest path segment any page has: a slug (a numbered page's id is shorter still).
SEGMENT = TEXTS["slug"].most + len(".json")
LOG = logging.getLogger("raceledger.web")

Build = Callable[[Any, Params, int], Page]
# What a page depends on: a race's or an event's scope (ledger.projection.scopes), a claim's (its
# race's), or None: the whole ledger.
PageScope = tuple[str, str] | None


class ReadOnlyHeaders:
    """ASGI middleware, outermost: anything but GET and HEAD is refused (405) before routing; every
    answer carries the security headers (ledger.web.headers); and a fault that reaches it (a bug:
    input never does) is logged as one line, with its traceback only the first time that cause
    (where it was raised) is seen, so a client repeating one request cannot flood the log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.causes: set[tuple[str, str, int | None]] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        if scope["method"] not in ALLOWED:
            text = f"This ledger is served read-only: {scope['method']} is not answered, only GET and HEAD."
            body = templating.error_html(405, text, Links(), None).encode()
            await Response(body, 405, {"allow": ", ".join(ALLOWED)}, HTML)(scope, receive, secured)
            return
        try:
            await self.app(scope, receive, secured)
        except Exception as exc:  # Starlette has answered 500 already (server_error); this logs it
            self.log(scope, exc)

    def log(self, scope: Scope, exc: Exception) -> None:
        last = traceback.extract_tb(exc.__traceback__)[-1:] or [None]
        cause = (type(exc).__qualname__, last[0].filename if last[0] else "", last[0].lineno if last[0] else None)
        first = cause not in self.causes
        self.causes.add(cause)
        LOG.error("500 for %s %s: %s: %s%s", scope["method"], shortened(scope.get("path", "")),
                  cause[0], shortened(str(exc)), "" if first else " (traceback logged before)",
                  exc_info=exc if first else None)


def server_error(request: Request, exc: Exception) -> Response:
    """The site's own 500 page: no detail of the fault (the log has it)."""
    fmt = "json" if request.url.path.endswith(".json") else "html"
    return _error(500, "Something went wrong in the server; it has been logged.", fmt, None)


def _split(name: str) -> tuple[str, str]:
    """`9.json` -> (`9`, `json`); `9` -> (`9`, `html`)."""
    return (name[:-5], "json") if name.endswith(".json") else (name, "html")


def _id(name: str) -> int | None:
    """The id a path names (`/claims/9`), or None for anything no row can have: `²`, 20 digits."""
    try:
        return number_text(name, "id", "id")
    except LedgerError:
        return None


def _error(status: int, message: str, fmt: str, head: dict[str, Any] | None) -> Response:
    if fmt == "text":
        return Response(f"{message}\n".encode(), status, media_type=TEXT)
    if fmt == "json":
        return Response(orjson.dumps({"error": message, "status": status}, option=orjson.OPT_APPEND_NEWLINE),
                        status, media_type=JSON)
    return Response(templating.error_html(status, message, Links(), head).encode(), status, media_type=HTML)


class PageCache:
    """Pages already made, by ETag, the least recently asked for dropped first. A page is a pure
    function of the newest entry that can change it and its address, and the ETag names both: an
    entry that can change a page makes it a new tag, and the page of the old one ages out.

    What a page costs is what keeping it takes from memory: its body, its tag, its headers and the
    bookkeeping around them (ENTRY), so many small pages are bounded as surely as a few large ones."""

    # The tuple, the headers' dict and the ordered dict's slot and link of one kept page, in bytes
    # (measured with tracemalloc in tests/test_web_hostile.py, and rounded up).
    ENTRY = 400

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes, self.bytes = max_bytes, 0
        self.pages: OrderedDict[str, tuple[bytes, str, dict[str, str], int]] = OrderedDict()
        self.lock = threading.Lock()

    @classmethod
    def cost(cls, tag: str, body: bytes, headers: dict[str, str]) -> int:
        return (cls.ENTRY + sys.getsizeof(body) + sys.getsizeof(tag)
                + sum(sys.getsizeof(k) + sys.getsizeof(v) for k, v in headers.items()))

    def get(self, tag: str) -> tuple[bytes, str, dict[str, str]] | None:
        with self.lock:
            found = self.pages.get(tag)
            if found is None:
                return None
            self.pages.move_to_end(tag)
            return found[:3]

    def put(self, tag: str, body: bytes, media_type: str, headers: dict[str, str] | None = None) -> None:
        headers = headers or {}
        cost = self.cost(tag, body, headers)
        if cost > self.max_bytes // 8:
            return
        with self.lock:
            if tag in self.pages:
                return
            self.pages[tag] = (body, media_type, headers, cost)
            self.bytes += cost
            while self.bytes > self.max_bytes:
                _, (*_, dropped) = self.pages.popitem(last=False)
                self.bytes -= dropped


class Ledger:
    """The engine a served ledger is read through, and how pages are answered from it.

    A page whose work its page size bounds (results, disputes, a claim, a search) is read on the
    event loop when the ledger is SQLite: a few milliseconds of work, less than handing it to a
    thread and back costs under load. Pages that read a whole category or the whole ledger
    (sources, an athlete, history, the home page), and every page on PostgreSQL (which waits on
    the network), are read in the thread pool, so they never hold the others up."""

    def __init__(self, engine: Engine, tolerance_ms: int, cache_bytes: int, base_url: str | None = None,
                 publication: Publication | None = None) -> None:
        self.on_loop = engine.dialect.name == "sqlite"
        self.served = ServedDatabase(engine)
        if engine.dialect.name == "postgresql":
            engine = engine.execution_options(isolation_level="REPEATABLE READ")
        self.engine, self.tolerance_ms = engine, tolerance_ms
        self.cache = PageCache(cache_bytes) if cache_bytes > 0 else None
        # A page's bytes depend on these too: a server given other ones never shares a tag with this one.
        self.salt = (f"raceledger {__version__}, tolerance {tolerance_ms} ms, base URL {base_url}, "
                     f"{'no proofs' if publication is None else publication.salt}")
        self.links = Links(base_url, proofs=publication is not None)
        self.publication = publication
        self.head = HeadProbe(engine)

    async def respond(self, request: Request, build: Build, fmt: str, bounded: bool,
                      takes: tuple[str, ...], scope: PageScope = None) -> Response:
        """The page, once its parameters are read: only those it `takes` name it, each bounded."""
        try:
            params = Params(request.query_params, takes)
        except BadParameter as exc:
            return _error(400, str(exc), fmt, None)
        if bounded and self.on_loop:
            return self.available(request, build, fmt, params, scope)
        return await run_in_threadpool(self.available, request, build, fmt, params, scope)

    def available(self, request: Request, build: Build, fmt: str, params: Params, scope: PageScope) -> Response:
        """The page, or 503 while the database cannot be read (ledger.store.served): one line logged
        a request, no traceback, and never a page from a file other than the one first served."""
        try:
            self.served.check()
            return self.answer(request, build, fmt, params, scope)
        except Unavailable as exc:
            unavailable = exc
        except self.served.errors as exc:
            unavailable = self.served.failed(exc)
        LOG.warning("503 for %s: %s", shortened(request.url.path), unavailable)
        return _error(503, f"The ledger cannot be read: {unavailable}.", fmt, None)

    def known(self, request: Request, tag: str) -> Response | None:
        """The answer without making the page: 304 if the client holds it, or the page kept."""
        headers = {"etag": tag, "cache-control": REVALIDATE}
        if matches(request.headers.get("if-none-match"), tag):
            return Response(status_code=304, headers=headers)
        kept = self.cache.get(tag) if self.cache is not None else None
        if kept is not None:
            body, media_type, more = kept
            return Response(body, headers={**headers, **more}, media_type=media_type)
        return None

    def answer(self, request: Request, build: Build, fmt: str, params: Params, scope: PageScope) -> Response:
        """The page `build` makes, as HTML or JSON; 304 when the client holds it already. It states
        the head it was made at; its ETag names the newest entry that can change it (`scope`)."""
        query = params.query()
        address = request.url.path + (f"?{query}" if query else "")
        if self.cache is not None or request.headers.get("if-none-match"):
            # The newest entry alone: a page kept, or one the client holds, needs no more.
            seen = self.known(request, etag(self.head(scope), address, self.salt))
            if seen is not None:
                return seen
        with session_scope(self.engine) as session:  # a database's failure stays itself: a 503
            head = ledger_head(session)  # again, in the page's own snapshot
            tag = etag(head if scope is None else scope_head(session, *scope), address, self.salt)
            headers = {"etag": tag, "cache-control": REVALIDATE}
            seen = self.known(request, tag)
            if seen is not None:
                return seen
            try:
                page = build(session, params, self.tolerance_ms)
            except Moved as moved:
                return _redirect(moved.path, fmt, query)
            except BadParameter as exc:
                return _error(400, str(exc), fmt, head)
            except LedgerError as exc:
                return _error(404, str(exc), fmt, head)
            if fmt == "json":
                body, media_type = templating.json_bytes(page), JSON
            elif fmt == "text":
                body, media_type = page.records.encode(), TEXT
            else:
                body, media_type = templating.html(page, self.links, head).encode(), HTML
        # The next page of a paged page, for the JSON twin too, whose body is the CLI's list alone.
        more = {"link": f'<{Links().page(page.path, fmt, **page.next)}>; rel="next"'} if page.next else {}
        if self.cache is not None:
            self.cache.put(tag, body, media_type, more)
        return Response(body, headers={**headers, **more}, media_type=media_type)


def _redirect(path: str, fmt: str, query: str = "") -> Response:
    """A permanent redirect to another page of this site. The one place a Location is made: its
    path is the site's own (slugs and numbers), so it starts with one `/` and names no other host;
    anything else is refused as a bug rather than sent."""
    location = Links().page(path, fmt) + (f"?{query}" if query else "")
    if not location.startswith("/") or location[1:2] in ("/", "\\") or "//" in location.partition("?")[0]:
        raise ValueError(f"refused to redirect off the site: {location!r}")
    return RedirectResponse(location, 308)


def _catalog_slug(name: str) -> str | None:
    """An EVENT[/RACE[/CATEGORY]] path as slugs, or None: nothing else is a catalog page."""
    depth = name.count("/") + 1
    if depth > 3 or len(name) > 3 * SEGMENT:
        return None
    try:
        return valid_slug(name, depth, "catalog")
    except LedgerError:
        return None


def _not_found(what: str, name: str, fmt: str) -> Response:
    return _error(404, f"no {what} {shortened(name)}", fmt, None)


def _routes(ledger: Ledger) -> list[Route]:
    def fixed(build: Build, fmt: str, bounded: bool) -> Callable:
        async def endpoint(request: Request) -> Response:
            return await ledger.respond(request, build, fmt, bounded, build.takes)
        return endpoint

    def numbered(kind: str, build: Callable[..., Page], bounded: bool, hint: str = "", scoped: bool = False) -> Callable:
        """The page of a numbered thing (`/claims/9`); 404 for a name no row can have (`²`, 20 digits).
        A `scoped` one depends on what its number names (queries.scope_query), any other on the head."""
        async def endpoint(request: Request) -> Response:
            name, fmt = _split(request.path_params["name"])
            number = _id(name)
            if number is None:
                return _error(404, f"no {kind} {shortened(name)}: {kind}s are numbered, e.g. /{kind}s/9{hint}", fmt, None)
            return await ledger.respond(request, lambda s, p, t: build(s, number, p, t), fmt, bounded, build.takes,
                                        (kind, str(number)) if scoped else None)
        return endpoint

    async def source(request: Request) -> Response:
        slug, fmt = _split(request.path_params["slug"])
        if len(slug) > SEGMENT:
            return _not_found("source", slug, fmt)
        return await ledger.respond(request, lambda s, p, t: pages.source(s, slug, p, t), fmt, False,
                                    pages.source.takes)

    async def journal(request: Request) -> Response:
        scope, fmt = _split(request.path_params["scope"])
        scope = scope.strip("/")
        if len(scope) > 3 * SEGMENT:
            return _not_found("scope", scope, fmt)
        return await ledger.respond(request, lambda s, p, t: pages.journal(s, scope, p, t), fmt, False,
                                    pages.journal.takes)

    async def catalog(request: Request) -> Response:
        name, fmt = _split(request.path_params["slug"])
        slug = _catalog_slug(name.rstrip("/") if name.endswith("/") else name)
        if slug is None:
            return _error(404, f"no page {shortened(name)}: pages are EVENT, EVENT/RACE and EVENT/RACE/CATEGORY",
                          fmt, None)
        if name.endswith("/"):
            return _redirect(slug, fmt)
        takes = pages.results.takes if slug.count("/") == 2 else ()
        return await ledger.respond(request, lambda s, p, t: pages.catalog_page(s, slug, p, t), fmt, True, takes,
                                    catalog_scope(slug))

    publication = ledger.publication
    claim_of_page = lambda s, number, p, t: pages.claim(s, number, p, t, publication)  # noqa: E731
    claim_of_page.takes = pages.claim.takes
    claim_page = numbered(CLAIM_SCOPE, claim_of_page, True, scoped=True)

    async def claim(request: Request) -> Response:
        """A claim's page; or, where the site publishes proofs, `/claims/ID.tlog-proof`, its proof
        (read in the thread pool: the first proof of an import's row reads the import's rows)."""
        name = request.path_params["name"]
        if publication is None or not name.endswith(PROOF_SUFFIX):
            return await claim_page(request)
        number = _id(name[:-len(PROOF_SUFFIX)])
        if number is None:
            return _error(404, f"no claim {shortened(name)}: proofs are of numbered claims, e.g. /claims/9{PROOF_SUFFIX}",
                          "text", None)
        return await ledger.respond(request, lambda s, p, t: pages.proof(s, number, publication), "text", False, ())

    async def checkpoint(request: Request) -> Response:
        return await ledger.respond(request, lambda s, p, t: pages.checkpoint(s, publication), "text", True, ())

    whole_history = lambda s, p, t: pages.journal(s, None, p, t)  # noqa: E731
    whole_history.takes = pages.journal.takes
    return [
        *([Route(f"/{CHECKPOINT}", checkpoint)] if publication is not None else []),
        Route("/", fixed(pages.home, "html", False)),
        Route("/index.json", fixed(pages.home, "json", False)),
        Route("/disputes", fixed(pages.disputes, "html", True)),
        Route("/disputes.json", fixed(pages.disputes, "json", True)),
        Route("/search", fixed(pages.search, "html", False)),
        Route("/search.json", fixed(pages.search, "json", False)),
        Route("/sources", fixed(pages.sources, "html", False)),
        Route("/sources.json", fixed(pages.sources, "json", False)),
        Route("/history", fixed(whole_history, "html", False)),
        Route("/history.json", fixed(whole_history, "json", False)),
        Route("/figures", fixed(pages.figure_list, "html", False)),
        Route("/figures.json", fixed(pages.figure_list, "json", False)),
        Route("/static/{name}", static_files()),
        Route("/figures/{name}", numbered("figure", pages.figure, True)),
        Route("/claims/{name}", claim),
        Route("/athletes/{name}", numbered("athlete", pages.athlete, False, "; find one by name with /search?q=NAME")),
        Route("/sources/{slug}", source),
        Route("/history/{scope:path}", journal),
        Route("/{slug:path}", catalog),
    ]


def static_files() -> Callable[[Request], Response]:
    """The stylesheet and the icon, read once; each with an ETag of its bytes."""
    files = {}
    for name, media_type in templating.STATIC_FILES.items():
        data = (templating.STATIC / name).read_bytes()
        files[name] = (data, media_type, f'"{hashlib.sha256(data).hexdigest()[:32]}"')

    async def serve(request: Request) -> Response:
        found = files.get(request.path_params["name"])
        if found is None:
            return _not_found("file", request.path_params["name"], "html")
        data, media_type, tag = found
        headers = {"etag": tag, "cache-control": "public, max-age=3600"}
        if matches(request.headers.get("if-none-match"), tag):
            return Response(status_code=304, headers=headers)
        return Response(data, headers=headers, media_type=media_type)

    return serve


def make_app(ledger: Engine | str | None, tolerance_ms: int = DEFAULT_TOLERANCE_MS,
             cache_bytes: int = CACHE_BYTES, base_url: str | None = None,
             publication: Publication | None = None) -> ASGIApp:
    """The web view of a ledger: an engine, or a --db value (a SQLite path or a URL) opened read-only.
    `cache_bytes` bounds the pages kept (ledger.web.app.PageCache); 0 keeps none. `base_url`
    (ledger.core.limits.base_url) is where readers reach this server: linked data and canonical
    links name pages with it, and name none without it. With a `publication` (ledger.read.proofs,
    found to fit the ledger first: Publication.opened), `/checkpoint` is its signed checkpoint,
    `/claims/ID.tlog-proof` a claim's proof under it, and each claim's page links that proof or
    says why there is none; the two follow the head, as their content does.

    The read-only guard wraps the whole app, so even an error page carries the security headers."""
    base_url = None if base_url is None else limits.base_url(base_url)
    engine = ledger if isinstance(ledger, Engine) else open_engine(ledger, write=False, read_only=True)[0]
    templating.environment()  # templates load once, before the first request
    app = Starlette(routes=_routes(Ledger(engine, tolerance_ms, cache_bytes, base_url, publication)),
                    exception_handlers={Exception: server_error})
    # Starlette's own trailing-slash redirect names the host the client sent: ours (`_redirect`) never does.
    app.router.redirect_slashes = False
    return ReadOnlyHeaders(app)

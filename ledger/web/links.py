"""Where pages are: on the server (absolute paths and query strings) or in a static site (relative
files that work from a file system). Templates ask a Links object for every href, so one set of
templates serves both.

A page is named by its site path (`""` for the home page, `claims/9`, `EVENT/RACE/CATEGORY`) and its
own parameters (`after`, `at`, `all`, `scope`, `q`). Anchors are stable: `p-N` a placing, `u-ID` a
placing without a position (ID its first claim), `claim-ID` a claim, `d-KEY` a dispute.
"""

from __future__ import annotations

import posixpath
import re
from typing import Mapping
from urllib.parse import quote, urlencode, urlsplit

WEB_SCHEMES = ("http", "https")
# A claim's proof beside its page: `/claims/9.tlog-proof`, `claims/9.tlog-proof` in a static site.
PROOF_SUFFIX = ".tlog-proof"
CHECKPOINT = "checkpoint"
_UNSAFE_IN_NAME = re.compile(r"[^a-z0-9-]+")


def web_address(url: str | None) -> str | None:
    """The address, trimmed, if it is an http(s) address a link may point at; None for anything
    else (`javascript:`, `data:`, relative paths, text that is not a URL)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.netloc:
        return None
    return url.strip()


def web_url(url: str | None) -> str | None:
    """An http(s) address as an href (web_address, made a valid URL); None for anything else."""
    address = web_address(url)
    return None if address is None else _valid(address)


# What a valid URL may not hold as it is (the URL Standard's URL code points): ASCII controls,
# space, `"<>\^`{|}`, a `%` that starts no escape, and `#` past the one that starts the fragment.
_NOT_IN_URL = re.compile(r'[\x00-\x20"<>\\^`{|}\x7f#]|%(?![0-9A-Fa-f]{2})')


def _escape(text: str) -> str:
    return _NOT_IN_URL.sub(lambda m: f"%{ord(m.group()):02X}", text)


def _valid(url: str) -> str:
    """The address with what a URL may not hold percent-escaped (the URL Standard's URL code
    points), so an href is a valid URL that goes where a browser's reading of the text would."""
    address, hash_, fragment = url.partition("#")
    return _escape(address) + hash_ + _escape(fragment)


def anchor(text: str) -> str:
    """An id attribute's text from a key with slashes and colons (a dispute's key)."""
    return _UNSAFE_IN_NAME.sub(".", text.lower()).strip(".")


def dispute_anchor(key: str) -> str:
    return f"d-{anchor(key)}"


def placing_anchor(position: int | None, first_claim: int) -> str:
    return f"p-{position}" if position is not None else f"u-{first_claim}"


def _params(params: Mapping[str, object]) -> list[tuple[str, str]]:
    return [(k, "1" if v is True else str(v)) for k, v in sorted(params.items()) if v not in (None, False, "")]


class Links:
    """Hrefs on the live server: absolute paths, parameters in the query string. With a base URL
    (`serve --base-url`, checked by ledger.core.limits.base_url), a page's address for readers
    elsewhere too: linked data and the canonical link hold only such addresses."""

    def __init__(self, base_url: str | None = None, proofs: bool = False) -> None:
        self.base_url = None if base_url is None else _valid(base_url)
        self.proofs = proofs  # the server publishes a checkpoint and claims' proofs (serve --sign, --checkpoint)

    def absolute(self, path: str, fmt: str = "html", **params: object) -> str | None:
        """A page's address with the site's base URL; None without one, or when the site does not hold it."""
        href = self.page(path, fmt, **params)
        return None if self.base_url is None or href is None else self.base_url + href

    def page(self, path: str, fmt: str = "html", **params: object) -> str | None:
        """The href of a page (or its JSON twin); None when the site does not hold it."""
        query = urlencode(_params(params))
        target = "/" + quote(path) + (".json" if fmt == "json" else "")
        if fmt == "json" and path == "":
            target = "/index.json"
        return target + (f"?{query}" if query else "")

    def static(self, name: str) -> str:
        return f"/static/{name}"

    # Claims, athletes and sources are linked from every card: their paths need no quoting
    # (numbers; slugs of lowercase letters, digits and hyphens).
    def claim(self, claim_id: int) -> str | None:
        return f"/claims/{claim_id}"

    def athlete(self, athlete_id: int | None) -> str | None:
        return None if athlete_id is None else f"/athletes/{athlete_id}"

    def source(self, slug: str) -> str | None:
        return f"/sources/{slug}"

    def catalog(self, slug: str) -> str | None:
        return self.page(slug)

    def history(self, scope: str | None = None) -> str | None:
        return self.page(f"history/{scope}" if scope else "history")

    def disputes(self, scope: str | None = None, show_all: bool = False) -> str | None:
        return self.page("disputes", scope=scope, all=show_all)

    def figures(self, scope: str | None = None) -> str | None:
        return self.page("figures", scope=scope)

    def figure(self, figure_id: int) -> str | None:
        return self.page(f"figures/{figure_id}")

    def placing(self, category: str, position: int | None, first_claim: int) -> str | None:
        """A placing's permalink: the page of its category that starts with it."""
        if position is None:
            return self.claim(first_claim)
        return f"/{category}?at={position}#p-{position}"

    def dispute(self, key: str, category: str) -> str | None:
        """A dispute's permalink: the disputes of its category from it on, ruled ones included."""
        href = self.page("disputes", scope=category, all=True, at=key)
        return href and f"{href}#{dispute_anchor(key)}"

    def next(self, path: str, **params: object) -> str:
        """The next page of a paged page (the site always holds it)."""
        return self.page(path, **params) or ""

    @property
    def search(self) -> str | None:
        return "/search"

    @property
    def checkpoint(self) -> str | None:
        """The signed checkpoint this site publishes (a C2SP tlog-checkpoint), if it publishes one."""
        return f"/{CHECKPOINT}" if self.proofs else None

    def proof(self, claim_id: int) -> str | None:
        """A claim's proof under that checkpoint (c2sp.org/tlog-proof@v1), when it has one."""
        return f"/claims/{claim_id}{PROOF_SUFFIX}" if self.proofs else None


def static_name(path: str, params: Mapping[str, object], fmt: str = "html") -> str:
    """A page's file in a static site: its path, then each parameter, then the format:
    `EVENT/RACE/CATEGORY.after-100.html`, `disputes.all-1.html`, `index.json`."""
    suffix = "".join(f".{k}-{_UNSAFE_IN_NAME.sub('.', v.lower()).strip('.')}" for k, v in _params(params))
    return f"{path or 'index'}{suffix}.{fmt}"


class StaticLinks(Links):
    """Hrefs in a static site of one scope, relative to the page being written (`here`). Only the
    pages the site holds are linked (`files`: their HTML files); the disputes and figures of the
    site's scope are its `disputes.html` and `figures.html`; a placing's permalink is the file that holds it (`placings`), and so
    is a claim's, when the site gives it no page of its own (`rows`)."""


    def __init__(self, scope: str | None, files: set[str], placings: Mapping[tuple[str, int], str],
                 rows: Mapping[int, str], here: str = "index.html", base_url: str | None = None) -> None:
        super().__init__(base_url)
        self.scope, self.files, self.placings, self.rows, self.here = scope, files, placings, rows, here

    def at(self, here: str) -> StaticLinks:
        """The same site's links, from another of its pages."""
        return StaticLinks(self.scope, self.files, self.placings, self.rows, here, self.base_url)

    def absolute(self, path: str, fmt: str = "html", **params: object) -> str | None:
        """A page's file under the base URL (`report --base-url`), where the site is published."""
        if self.base_url is None or self.page(path, fmt, **params) is None:
            return None
        return f"{self.base_url}/{quote(self.name(path, fmt, **params))}"

    def name(self, path: str, fmt: str = "html", **params: object) -> str:
        """The file of a page of this site."""
        if path in ("disputes", "figures") and params.get("scope") == self.scope:
            params = {k: v for k, v in params.items() if k != "scope"}
        return static_name(path, params, fmt)

    def _relative(self, name: str) -> str:
        return quote(posixpath.relpath(name, posixpath.dirname(self.here) or "."))

    def page(self, path: str, fmt: str = "html", **params: object) -> str | None:
        if self.name(path, "html", **params) not in self.files:
            return None
        return self._relative(self.name(path, fmt, **params))

    def next(self, path: str, **params: object) -> str:
        return self._relative(self.name(path, **params))

    def static(self, name: str) -> str:
        return self._relative(f"static/{name}")

    def claim(self, claim_id: int) -> str | None:
        """A claim's own page; or, for a claim a big site gives none (one source's alone at its
        placing), its line on its category's page (`rows`)."""
        own = self.page(f"claims/{claim_id}")
        if own is not None or claim_id not in self.rows:
            return own
        return f"{self._relative(self.rows[claim_id])}#claim-{claim_id}"

    def athlete(self, athlete_id: int | None) -> str | None:
        return None if athlete_id is None else self.page(f"athletes/{athlete_id}")

    def source(self, slug: str) -> str | None:
        return self.page(f"sources/{slug}")

    def placing(self, category: str, position: int | None, first_claim: int) -> str | None:
        if position is None:
            return self.claim(first_claim)
        name = self.placings.get((category, position))
        return None if name is None else f"{self._relative(name)}#{placing_anchor(position, first_claim)}"

    def dispute(self, key: str, category: str) -> str | None:
        return f"{self._relative(self.here)}#{dispute_anchor(key)}"

    @property
    def search(self) -> str | None:
        return None

    @property
    def checkpoint(self) -> str | None:
        return self._relative(CHECKPOINT) if CHECKPOINT in self.files else None

    def proof(self, claim_id: int) -> str | None:
        name = f"claims/{claim_id}{PROOF_SUFFIX}"
        return self._relative(name) if name in self.files else None

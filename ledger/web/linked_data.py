"""schema.org JSON-LD for a page, each item a top-level block: a `Dataset` whose version is the
ledger's head, and on the page a ruling belongs to, its `ClaimReview` (a placing ruling's on the
page of the claim it accepts, a status ruling's on the athlete's page), so fact-check tools read
who decided what about whose claim once, where the claim is.

Linked data never holds a relative address: the site's own pages are named only with the base
URL (`--base-url`; ledger.web.links.Links.absolute), and left out without one. The addresses a
citation gives are absolute http(s) ones (ledger.web.links.web_url) or left out.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from ledger.output import words
from ledger.web.links import Links, web_url
from ledger.web.pages import Page, Reviewed

Record = dict[str, Any]
CONTEXT = "https://schema.org"


def _party(name: str, kind: str | None) -> Record:
    """A source as an author: a participant speaks for themselves, any other kind is a body."""
    return {"@type": "Person" if kind == "participant" else "Organization", "name": name}


def _first_appearance(claims: list[Record]) -> str | None:
    """The address of the earliest citation that gives one: by its published date where known,
    else in the order the citations were recorded."""
    citations = [citation for claim in claims for citation in claim["citations"]]
    cited = [(citation["published"] is None, citation["published"] or "", n, url)
             for n, citation in enumerate(citations) if (url := web_url(citation["url"])) is not None]
    return min(cited)[-1] if cited else None


def _claim(found: Reviewed) -> Record:
    """What the ruling reviewed, as a schema.org Claim: who made it, and where it first appeared."""
    authors = list({(c["source"], c["source_kind"]): None for c in found.claims})
    parties = [_party(name, kind) for name, kind in authors]
    claim: Record = {"@type": "Claim", "author": parties[0] if len(parties) == 1 else parties}
    appearance = _first_appearance(found.claims)
    if appearance is not None:
        claim["firstAppearance"] = {"@type": "CreativeWork", "url": appearance}
    return claim


def _claim_reviewed(found: Reviewed) -> str:
    ruling, category = found.ruling, found.ruling["category"]
    if ruling["accepted_claim"] is not None:
        (claim,) = found.claims
        return f"{claim['source']}: {words.who(claim)}, {words.place(claim['position'])} in {category}"
    sources = ", ".join(dict.fromkeys(c["source"] for c in found.claims))
    return f"{sources}: {ruling['athlete']}'s result in {category}"


def claim_review(found: Reviewed, url: str | None) -> Record:
    """A ruling as a ClaimReview: the claim it reviewed, who ruled, what they decided and why, and
    when the ledger recorded it; `url` the page it sits on (None: no address given)."""
    ruling = found.ruling
    rating = "accepted" if ruling["accepted_claim"] is not None else f"status {ruling['status']}"
    review: Record = {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "claimReviewed": _claim_reviewed(found),
        "itemReviewed": _claim(found),
        "author": {"@type": "Organization", "name": ruling["decided_by"]},
        "reviewRating": {"@type": "Rating", "alternateName": rating, "ratingExplanation": ruling["reason"]},
        "reviewBody": words.sentence(words.ruling(ruling)),
        "datePublished": found.recorded_at[:10],
    }
    if url is not None:
        review["url"] = url
    return review


def dataset(page: Page, hrefs: Links, head: Record) -> Record:
    """The page as a Dataset: its version the ledger's head, its address and its JSON twin's where
    the site's base URL is known."""
    data: Record = {
        "@context": CONTEXT,
        "@type": "Dataset",
        "name": page.title,
        "description": "Race results as sourced claims, conflicting claims side by side, from a hash-chained ledger.",
        "version": f"{head['seq']}:{head['hash']}",
        "isAccessibleForFree": True,
    }
    url = hrefs.absolute(page.path, **page.params)
    if url is not None:
        data["url"] = url
    if head.get("recorded_at"):
        data["dateModified"] = head["recorded_at"]
    content = hrefs.absolute(page.path, "json", **page.params)
    if content is not None:
        data["distribution"] = {"@type": "DataDownload", "encodingFormat": "application/json", "contentUrl": content}
    return data


def items(page: Page, hrefs: Links, head: Record) -> list[Record]:
    """The page's JSON-LD items: its Dataset, then a ClaimReview for each ruling it is the page of."""
    url = hrefs.absolute(page.path)
    return [dataset(page, hrefs, head), *(claim_review(found, url) for found in page.reviewed)]


def script_text(data: Record) -> Markup:
    """JSON for a `<script type="application/ld+json">` block: `<`, `>` and `&` escaped as JSON
    escapes, so no text in it can close the block (a quote holding `</script>`, say)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, indent=1)
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))

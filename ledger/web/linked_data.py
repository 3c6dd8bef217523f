"""schema.org JSON-LD for a page: a `Dataset` whose version is the ledger's head, with a
`ClaimReview` for each claim a ruling on a placing settled (accepted or overruled), so fact-check
tools can read who decided what about whose claim.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from markupsafe import Markup

from ledger.output import words
from ledger.web.links import web_url

Record = dict[str, Any]


def _claim_review(item: Record, claim: Record, href: str | None) -> Record:
    ruling = item["ruling"]
    review: Record = {
        "@type": "ClaimReview",
        "claimReviewed": f"{claim['source']}: {words.who(claim)}, {words.place(claim['position'])} "
                         f"in {item['category']}",
        "itemReviewed": {"@type": "Claim", "author": {"@type": "Organization", "name": claim["source"]}},
        "author": {"@type": "Organization", "name": ruling["decided_by"]},
        "reviewRating": {"@type": "Rating", "alternateName": claim["standing"], "ratingExplanation": ruling["reason"]},
        "reviewBody": words.sentence(words.ruling(ruling)),
    }
    appearance = web_url(claim.get("url"))
    if appearance:
        review["itemReviewed"]["appearance"] = {"@type": "CreativeWork", "url": appearance}
    if ruling.get("decided"):
        review["datePublished"] = ruling["decided"]
    if href:
        review["url"] = href
    return review


def claim_reviews(items: Iterable[Record], claim_href) -> list[Record]:
    """A ClaimReview for each claim that a ruling on its placing accepted or overruled, among
    placings or position disputes (`results` or `disputes` items)."""
    found = []
    for item in items:
        ruling = item.get("ruling")
        if not ruling or ruling.get("accepted_claim") is None:
            continue
        for claim in item["claims"]:
            if claim["standing"] in ("accepted", "overruled") and claim["ruled_by"] == ruling["id"]:
                found.append(_claim_review(item, claim, claim_href(claim["id"])))
    return found


def dataset(name: str, head: Record, json_href: str | None, reviews: list[Record]) -> Record:
    data: Record = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": name,
        "description": "Race results as sourced claims, conflicting claims side by side, from a hash-chained ledger.",
        "version": f"{head['seq']}:{head['hash']}",
        "isAccessibleForFree": True,
    }
    if head.get("recorded_at"):
        data["dateModified"] = head["recorded_at"]
    if json_href:
        data["distribution"] = {"@type": "DataDownload", "encodingFormat": "application/json", "contentUrl": json_href}
    if reviews:
        data["review"] = reviews
    return data


def script_text(data: Record) -> Markup:
    """JSON for a `<script type="application/ld+json">` block: `<`, `>` and `&` escaped as JSON
    escapes, so no text in it can close the block (a quote holding `</script>`, say)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, indent=1)
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))

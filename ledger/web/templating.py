"""Pages as HTML: one Jinja2 environment (every value escaped), the stylesheet, and the JSON twin.

The templates read the same records the JSON twin holds, so the page shows what the twin says.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ledger.output import words
from ledger.output.render import render
from ledger.read.paging import item_key
from ledger.web import cards, linked_data, links
from ledger.web.links import Links
from ledger.web.pages import Page

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
# The site's own files, and their media types: one stylesheet, one icon, no script.
STATIC_FILES = {"style.css": "text/css; charset=utf-8", "favicon.svg": "image/svg+xml"}


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The templates, loaded once; autoescaped, and an undefined name is an error, not a blank."""
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    env.filters.update(web_url=links.web_url, datetime=_datetime_attribute, who=words.who, place=words.place, count=words.count,
                       amount=words.amount)
    env.globals.update(words=words, anchor=links.anchor, placing_anchor=links.placing_anchor,
                       dispute_anchor=links.dispute_anchor, dispute_key=_dispute_key, maybe_link=cards.maybe_link, claim_card=cards.claim_card,
                       placing=cards.placing, placings=cards.placings)
    return env


def _datetime_attribute(moment: str) -> str:
    """A journal time as a `<time datetime>` value: HTML allows at most three digits of a second's
    fraction, and the journal keeps six."""
    return dt.datetime.fromisoformat(moment).isoformat(timespec="milliseconds")


def _dispute_key(item: dict[str, Any]) -> str:
    """A `disputes` item's key (ledger.read.paging.DisputeKey.text), from its JSON."""
    if item["kind"] == "figure":  # not a cursor: figure disputes close the last page
        return f"{item['subject']}:f{'-'.join(str(f['id']) for f in item['figures'])}"
    return item_key(item)


def json_bytes(page: Page) -> bytes:
    """The JSON twin: the bytes the matching CLI command prints with `-f json`."""
    return render(page.records, "json")


def html(page: Page, hrefs: Links, head: dict[str, Any]) -> str:
    """The page as HTML, with its JSON-LD, its links and the ledger's head in the footer; its
    canonical link only where the site's base URL is known (a relative one would say nothing)."""
    json_href = hrefs.page(page.path, "json", **page.params)
    items = [linked_data.script_text(item) for item in linked_data.items(page, hrefs, head)]
    next_href = hrefs.next(page.path, **page.next) if page.next is not None else None
    return environment().get_template(page.template).render(
        page=page, records=page.records, links=hrefs, head=head, json_href=json_href, next_href=next_href,
        canonical=hrefs.absolute(page.path, **page.params), linked_data=items, **page.context,
        **(page.shown() if page.shown is not None else {}))


def error_html(status: int, message: str, hrefs: Links, head: dict[str, Any] | None) -> str:
    """A friendly page for a page that does not exist (or a request this server does not answer)."""
    return environment().get_template("error.html").render(status=status, message=message, links=hrefs, head=head)

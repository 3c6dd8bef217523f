"""A claim as a card, a placing with its claims, and a results page's placings, as HTML made in Python.

A results page holds a hundred placings and up to hundreds of claims; made by Jinja macros, their
per-row overhead (a generator step per tag, a context per macro call) was most of a computed page's
time. These functions write the same bytes the macros wrote, every value escaped as autoescape
escapes it (markupsafe), and are the templates' `maybe_link`, `claim_card`, `placing` and `placings`
(the one home of each: no macro beside them).
"""

from __future__ import annotations

from typing import Any, Mapping

from markupsafe import Markup, escape

from ledger.output import words
from ledger.web.links import Links, placing_anchor, web_url

Record = Mapping[str, Any]
LINES_TITLE = "sources that report one another, or rely on one another, are one line"


def maybe_link(href: str | None, text: Any, css: str = "") -> Markup:
    """A link, or the text in a span where the site has no page for it (a static report holds no
    page of some things a server shows)."""
    attribute = f' class="{escape(css)}"' if css else ""
    if href:
        return Markup(f'<a{attribute} href="{escape(href)}">{escape(text)}</a>')
    return Markup(f"<span{attribute}>{escape(text)}</span>")


def _seen_first(c: Record, seen: Any) -> bool:
    """Whether this card is the claim's first on the page (only that one is `claim-ID`); noted in `seen`."""
    if c["id"] is None:  # a start list's entry beside a bib dispute's claims: no claim, no id
        return False
    if seen is None:
        return True
    first = c["id"] not in seen.ids
    seen["ids"] = seen.ids + [c["id"]]
    return first


def _dated(what: str, day: str) -> str:
    """` published <time>DAY</time>`, in its span: a citation's dates."""
    return f' <span class="date">{what} <time datetime="{escape(day)}">{escape(day)}</time></span>'


def _citations(c: Record, links: Links, source_href: str | None) -> list[str]:
    out = ['  <ul class="citations">\n']
    for one in c["citations"]:
        by = one["via"] or c["source"]
        by_href = source_href if by == c["source"] else links.source(by)
        href = web_url(one["url"])
        out.append('  <li class="cited">\n')
        if one["quote"]:
            out.append(f"<blockquote>{escape(one['quote'])}</blockquote>")
        shown_by = f'<a href="{escape(by_href)}">{escape(by)}</a>' if by_href else f"<span>{escape(by)}</span>"
        out.append(f'    <p class="citation"><span class="from">{"quoted from" if one["quote"] else "from"} '
                   f"{shown_by}</span>\n")
        if href:
            out.append(f' <a href="{escape(href)}" rel="nofollow noopener noreferrer">{escape(one["url"])}</a>')
        elif one["url"]:
            out.append(f' <span class="not-a-link" title="not a web address, so not a link">{escape(one["url"])}</span>')
        if one["published"]:
            out.append(_dated("published", one["published"]))
        if one["retrieved"]:
            out.append(_dated("retrieved", one["retrieved"]))
        out.append("    </p>\n  </li>\n")
    out.append("  </ul>\n")
    return out


def claim_card(c: Record, links: Links, athlete_ids: Mapping[int | None, int | None], seen: Any = None) -> Markup:
    """A claim as a card: who, the result, who claimed it and through whom, where it was seen, and
    how it counts. A page showing one claim twice passes `seen` (a Jinja namespace of `ids`)."""
    entry = c["id"] is None
    claim_href = None if entry else links.claim(c["id"])
    source_href = links.source(c["source"])
    standing = c["standing"]
    out = [f'<article class="claim {escape(standing)}"',
           f' id="claim-{c["id"]}">\n' if _seen_first(c, seen) else ">\n", "  <header>\n"]
    if entry:
        out.append('<span class="permalink">Start list</span>')
    elif claim_href:
        out.append(f'<a class="permalink" href="{escape(claim_href)}">Claim {c["id"]}</a>')
    else:
        out.append(f'<span class="permalink">Claim {c["id"]}</span>')
    if standing != "live":
        out.append(f'<span class="standing {escape(standing)}">{escape(standing)}</span>')
    out.append('  </header>\n  <p class="who">\n')
    if c["athlete"] is not None:
        athlete_href = links.athlete(athlete_ids.get(c["id"]))
        name = escape(words.isolated(c["athlete"]))
        out.append(f'<a href="{escape(athlete_href)}">{name}</a>' if athlete_href else name)
    else:
        out.append(f'<em>{escape(words.who(c, True))}</em> <span class="kind">unnamed</span>')
    if c["as_written"] and c["as_written"] != c["athlete"]:
        out.append(f' <span class="as-written">written “{escape(words.isolated(c["as_written"]))}”</span>')
    out.append('  </p>\n  <p class="result">\n')
    if c["position"] is not None:
        out.append(f"<span>place <strong>{c['position']}</strong></span>")
    if c["bib"]:
        out.append(f"<span>bib <strong>{escape(words.isolated(c['bib']))}</strong></span>")
    if c["time"]:
        out.append(f"<span>time <strong>{escape(c['time'])}</strong></span>")
    if c["net_time"]:
        out.append(f"<span>net <strong>{escape(c['net_time'])}</strong></span>")
    if c["status"] != "FIN" or c["position"] is None:
        note = f" ({escape(words.isolated(c['status_note']))})" if c["status_note"] else ""
        out.append(f"<span>status <strong>{escape(c['status'])}</strong>{note}</span>")
    shown_source = f'<a href="{escape(source_href)}">{escape(c["source"])}</a>' if source_href else escape(c["source"])
    out.append(f'  </p>\n  <p class="claimant">Claimed by {shown_source} <span class="kind">{escape(c["source_kind"])}</span>\n')
    if c["via"]:
        kind = f' <span class="kind">{escape(c["via_kind"])}</span>' if c["via_kind"] else ""
        out.append(f'<span class="via">via {maybe_link(links.source(c["via"]), c["via"])}{kind}</span>')
    out.append("  </p>\n")
    if c["citations"]:
        out += _citations(c, links, source_href)
    if c["line"] != c["source"]:
        out.append(f'<p class="line">One line of evidence with {maybe_link(links.source(c["line"]), c["line"])}: '
                   "they count once.</p>")
    if standing != "live":
        reason = f": {escape(words.isolated(c['standing_reason']))}" if c["standing_reason"] else ""
        out.append(f'<p class="why">{escape(words.standing(c))}{reason}</p>')
    if c["status_ruling"]:
        out.append(f'<p class="why">{escape(words.sentence(words.ruling(c["status_ruling"], True)))}</p>')
    out.append("</article>")
    return Markup("".join(out))


def placing(item: Record, links: Links, athlete_ids: Mapping[int | None, int | None], seen: Any = None,
            level: int = 3) -> Markup:
    """A placing with its verdict, its lines of evidence and its claims, as cards."""
    claims = item["claims"]
    href = links.placing(item["category"], item["position"], claims[0]["id"])
    title = escape(words.place(item["position"], claims[0]["status"]).capitalize())
    verdict = escape(item["verdict"])
    heading = f'<a class="permalink" href="{escape(href)}">{title}</a>' if href else title
    lines = (f' <span class="lines" title="{LINES_TITLE}">{escape(words.lines(item["lines"]))}</span>'
             if item.get("lines") else "")
    cards = "".join(claim_card(c, links, athlete_ids, seen) for c in claims)
    return Markup(f'<section class="placing {verdict}" id="{placing_anchor(item["position"], claims[0]["id"])}">\n'
                  f'  <h{level}>{heading} <span class="verdict {verdict}">{verdict}</span>{lines}</h{level}>\n'
                  f'  <p class="words">{escape(words.placing(item, True))}</p>\n'
                  f'  <div class="sides{" many" if len(claims) > 1 else ""}">\n'
                  f"{cards}  </div>\n</section>")


def _row(item: Record, links: Links, athlete_ids: Mapping[int | None, int | None]) -> str:
    """Most placings of a big category: one source's claim, cited once at most, on one line."""
    c = item["claims"][0]
    athlete_href = links.athlete(athlete_ids.get(c["id"]))
    place_href = links.placing(item["category"], item["position"], c["id"])
    source_href, claim_href, cited = links.source(c["source"]), links.claim(c["id"]), web_url(c["url"])
    place = escape(item["position"] if item["position"] is not None else c["status"])
    out = [f'<div class="row single-source" id="{placing_anchor(item["position"], c["id"])}">\n',
           f'<a class="place" href="{escape(place_href)}">{place}</a>' if place_href else f'<span class="place">{place}</span>',
           f'  <span class="who" id="claim-{c["id"]}">']
    if c["athlete"] is None:
        out.append(f'<em>{escape(c["unnamed"])}</em> <span class="kind">unnamed</span>')
    elif athlete_href:
        out.append(f'<a href="{escape(athlete_href)}">{escape(c["athlete"])}</a>')
    else:
        out.append(escape(c["athlete"]))
    if c["bib"]:
        out.append(f' <span class="meta">bib {escape(words.isolated(c["bib"]))}</span>')
    out.append('</span>\n  <span class="time">')
    if c["time"]:
        out.append(escape(c["time"]))
    if c["net_time"]:
        out.append(f' <span class="meta">net {escape(c["net_time"])}</span>')
    if c["status"] != "FIN":
        out.append(f" {escape(c['status'])}")
        if c["status_note"]:
            out.append(f" ({escape(words.isolated(c['status_note']))})")
    shown_source = f'<a href="{escape(source_href)}">{escape(c["source"])}</a>' if source_href else escape(c["source"])
    out.append(f'</span>\n  <span class="claimant">only {shown_source}')
    if c["via"]:
        out.append(f' <span class="via">via {maybe_link(links.source(c["via"]), c["via"])}</span>')
    if cited:
        out.append(f', <a href="{escape(cited)}" rel="nofollow noopener noreferrer">cited</a>')
    elif c["url"]:
        out.append(f', <span class="not-a-link">{escape(c["url"])}</span>')
    if c["published"]:
        out.append(f' <time datetime="{escape(c["published"])}">{escape(c["published"])}</time>')
    if c["retrieved"]:
        out.append(_dated("retrieved", c["retrieved"]))
    out.append("</span>\n")
    out.append(f'<a class="claim-link" href="{escape(claim_href)}">claim {c["id"]}</a>' if claim_href
               else f'<span class="claim-link">claim {c["id"]}</span>')
    if c["quote"]:
        out.append(f'<span class="quote"><span class="from">quoted from {escape(c["via"] or c["source"])}:</span> '
                   f'<q>{escape(c["quote"])}</q></span>')
    out.append("</div>\n")
    return "".join(out)


def _one_line(item: Record) -> bool:
    claims = item["claims"]
    return (len(claims) == 1 and item["verdict"] == "single-source" and len(claims[0]["citations"]) <= 1
            and claims[0]["standing"] == "live")


def placings(records: list[Record], links: Links, athlete_ids: Mapping[int | None, int | None]) -> Markup:
    """A results page's placings: runs of one-line rows, each other placing whole between them."""
    out = ['<div class="placings">\n']
    for item in records:
        if _one_line(item):
            out.append(_row(item, links, athlete_ids))
        else:
            out.append(f'</div>\n{placing(item, links, athlete_ids, None, 2)}\n<div class="placings">\n')
    out.append("</div>\n")
    return Markup("".join(out))

"""`raceledger report [SCOPE] --out DIR --markdown`: the scope's disputes as one Markdown document,
each side a claim with a numbered citation, the citations listed at the end (who claimed it, through
whose report, and every place it was seen), the ledger's head on top.

Source text is inert under CommonMark (`escape`): its control characters and bidi controls are
written as visible escapes (`\\u202e`, the CLI's rule: ledger.output.inert), every character that
could start markup, an entity or an HTML tag is backslash-escaped, and one that could start a block
(a heading, a list, a rule) is escaped where the text begins a line. Only a citation's http(s)
address becomes a link (`link`), to exactly that address.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from ledger.output.inert import visible
from ledger.read import figures
from ledger.read import paging, queries
from ledger.output import words
from ledger.web.links import web_address

FILE_NAME = "disputes.md"
# What starts markup inside a line: emphasis, code, links and images, autolinks and HTML, entities
# (`&lt;`), and GFM's tables and strikethrough.
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")
# What starts a block where the text begins a line: a list (`-`, `+`, `1.`, `1)`), a setext heading
# or rule (`=`, `-`), ATX headings and quotes are covered by _SPECIAL.
_BLOCK_START = re.compile(r"^([-+=]|\d+[.)])")
# A `<...>` link destination holds any printable ASCII but space, `<` and `>`; the rest is
# percent-encoded (UTF-8). In it `\\` escapes and `&` starts an entity, so both are backslash-escaped.
_IN_DESTINATION = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in "<>")
_ESCAPED_IN_DESTINATION = re.compile(r"([\\&])")
_AUTOLINKED = re.compile(r"(?:(?![<>%&\\])[!-~])+")


def escape(text: str) -> str:
    """Text as Markdown shows it literally, on one line: no markup, entity, HTML or block can start in
    it, and no control or bidi character reorders what follows (each is written as its escape)."""
    shown = _SPECIAL.sub(r"\\\1", visible(" ".join(text.split())))
    return _BLOCK_START.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], shown)


def link(url: str) -> str:
    """An http(s) address as a link to exactly that address. A plain one (printable ASCII, none of
    `<>%&\\`) is an autolink, shown as written. Any other is a link whose text is the address escaped
    as any text and whose destination is percent-encoded, so nothing ends it early or hides in it:
    renderers show an autolink's `%XX` and entities differently (markdown-it shows `%E2%80%AE` as a
    bidi override, cmark decodes `&amp;`)."""
    if _AUTOLINKED.fullmatch(url):
        return f"<{url}>"
    destination = _ESCAPED_IN_DESTINATION.sub(r"\\\1", quote(url, safe=_IN_DESTINATION))
    return f"[{escape(url)}](<{destination}>)"


class Citations:
    """Numbers for what is cited (claims, figures), in order of first citation; a claim cited twice
    keeps its number."""

    def __init__(self) -> None:
        self.numbers: dict[tuple[str, int], int] = {}
        self.cited: list[tuple[str, dict[str, Any]]] = []

    def cite(self, what: str, record: dict[str, Any]) -> int:
        key = (what, record["id"])
        if key not in self.numbers:
            self.cited.append((what, record))
            self.numbers[key] = len(self.cited)
        return self.numbers[key]

    def lines(self) -> list[str]:
        out = []
        for n, (what, record) in enumerate(self.cited, 1):
            first, *more = _citation(what, record)
            out.append(f"{n}. {first}")
            out += [" " * len(f"{n}. ") + f"- {line}" for line in more]  # a list inside the item
        return out


def _citation(what: str, record: dict[str, Any]) -> list[str]:
    """A cited claim or figure: who claimed it (and through whose report), then every place it was
    seen, each with whose words its quote is; one line, or a line and one for each place."""
    kind = f" ({escape(record['source_kind'])})" if record.get("source_kind") else ""
    via = f", via {escape(record['via'])}" if record.get("via") else ""
    head = f"{escape(record['source'])}{kind}{via}, {what} {record['id']}"
    seen = record.get("citations")
    if seen is None:  # a figure: its one citation is on its record
        seen = [record] if any(record.get(k) for k in ("url", "quote", "published", "retrieved")) else []
    if len(seen) <= 1:
        return [", ".join([head, *(_seen(c, record["source"]) for c in seen)])]
    return [f"{head}, seen in {len(seen)} places:", *(_seen(c, record["source"]) for c in seen)]


def _seen(citation: dict[str, Any], claimant: str) -> str:
    """One place a claim was seen: the quote (the words of the document there, whose document it
    is), its address (a link only for http(s)) and its dates."""
    by = escape(citation.get("via") or claimant)
    parts = [f"quoted from {by}: “{escape(citation['quote'])}”" if citation.get("quote") else f"from {by}"]
    url = web_address(citation.get("url"))
    if url:
        parts.append(link(url))
    elif citation.get("url"):
        parts.append(f"(not a web address: {escape(citation['url'])})")
    if citation.get("published"):
        parts.append(f"published {citation['published']}")
    if citation.get("retrieved"):
        parts.append(f"retrieved {citation['retrieved']}")
    return ", ".join(parts)


def _side(claim: dict[str, Any], citations: Citations) -> str:
    if claim["id"] is None:  # a start list's entry beside a bib dispute's claims: no claim to cite
        return f"- **{escape(claim['source'])}**'s start list gives bib {escape(claim['bib'])} to {escape(words.who(claim))}"
    result = [words.place(claim["position"], claim["status"])]
    result += [f"time {claim['time']}"] if claim.get("time") else []
    result += [f"net {claim['net_time']}"] if claim.get("net_time") else []
    standing = "" if claim["standing"] == "live" else f" ({claim['standing']})"
    if claim["standing"] == "disqualified" and claim.get("status_ruling"):
        standing = f" (disqualified, {escape(words.ruling(claim['status_ruling']))})"
    via = f" (via {escape(claim['via'])})" if claim.get("via") else ""
    return (f"- **{escape(claim['source'])}**{via} says {escape(words.who(claim))}: {', '.join(result)}{standing} "
            f"[{citations.cite('claim', claim)}]")


def _figure_side(figure: dict[str, Any], citations: Citations) -> str:
    around = "around " if figure.get("approximately") else ""
    stated = words.amount(figure["low"]) if figure["value"] is not None else \
        f"{words.amount(figure['low'])}-{words.amount(figure['high'])}"
    when = f" over {escape('-'.join(figure['period']))}" if figure.get("period") else \
        f" at {escape(figure['at'])}" if figure.get("at") else ""
    via = f" (via {escape(figure['via'])})" if figure.get("via") else ""
    return (f"- **{escape(figure['source'])}**{via} says {around}{escape(stated)} {escape(figure['unit'])}, "
            f"{escape(figure['kind'])}{when} [{citations.cite('figure', figure)}]")


def _section(item: dict[str, Any], disagreements: dict[str, list[str]], citations: Citations) -> list[str]:
    if item["kind"] == "figure":
        title = f"{escape(item['subject'])}: {escape(item.get('measure_name') or item['measure'])}"
        sides = [_figure_side(figure, citations) for figure in item["figures"]]
        why = words.dispute(item)
    else:
        what = words.place(item["position"]) if item["kind"] == "position" else \
            f"bib {escape(item['bib'])}" if item["kind"] == "bib" else escape(item["athlete"] or "")
        title = f"{escape(item['category'])}: {what}"
        sides = [_side(claim, citations) for claim in item["claims"]]
        why = words.dispute(item, disagreements.get(paging.item_key(item), ()))
    return [f"### {title}", "", escape(why), "", *sides, ""]


def _disqualifications(session: Session, scope: str | None) -> list[str]:
    """Every disqualification in force in the scope, as plainly as a ruling: a DQ'd winner is news
    whether or not a source disputes the placing."""
    topic = scope is not None and figures.is_topic(session, scope)
    categories = [] if topic else [category_id for category_id, _ in queries.categories_under(session, scope)]
    in_force = queries.rulings(session, categories)[1].status.values() if categories else []
    found = sorted((r for r in in_force if r.status == "DQ"), key=lambda r: (r.category, r.seq))
    lines = [f"- {escape(r.category)}: {escape(r.athlete or '')} disqualified"
             f"{', place left empty' if r.vacate else ''}, {escape(words.ruling(r.to_json()))}" for r in found]
    return ["## Disqualifications", "", *(lines or ["None."]), ""]


def document(session: Session, scope: str | None, tolerance_ms: int, head: dict[str, Any]) -> str:
    """The Markdown text: open disputes, then those a ruling settled, then the citations."""
    page = paging.disputes_page(session, scope, tolerance_ms, True, limit=10 ** 9)
    found, disagreements = page.to_json(), paging.disagreements(page.report, tolerance_ms)
    citations = Citations()
    where = f" in {scope}" if scope else ""
    out = [f"# Disputes{where}", "",
           f"From a raceledger ledger at head `{head['seq']}:{head['hash']}`"
           + (f", recorded {head['recorded_at']}" if head.get("recorded_at") else "")
           + f". Check it with `raceledger verify --head {head['seq']}:{head['hash']}`.", ""]
    for title, verdict in (("Open disputes", "disputed"), ("Settled by a ruling", "ruled")):
        items = [item for item in found if item["verdict"] == verdict]
        out += [f"## {title}", ""] + ([] if items else ["None.", ""])
        for item in items:
            out += _section(item, disagreements, citations)
    out += _disqualifications(session, scope)
    out += ["## Citations", ""]
    out += citations.lines() or ["None."]
    return "\n".join(out).rstrip("\n") + "\n"

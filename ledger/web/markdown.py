"""`raceledger report [SCOPE] --out DIR --markdown`: the scope's disputes as one Markdown document,
each side a claim with a numbered citation, the citations listed at the end, the ledger's head on top.

Source text is escaped, so a quote cannot become markup, and only http(s) URLs become links.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from ledger.web import paging, words
from ledger.web.links import web_url

FILE_NAME = "disputes.md"
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def escape(text: str) -> str:
    """Text as Markdown shows it literally: no emphasis, link, HTML or heading can start in it."""
    return " ".join(_SPECIAL.sub(r"\\\1", text).split())


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
        return [f"{n}. {_citation(what, record)}" for n, (what, record) in enumerate(self.cited, 1)]


def _citation(what: str, record: dict[str, Any]) -> str:
    kind = f" ({escape(record['source_kind'])})" if record.get("source_kind") else ""
    via = f", via {escape(record['via'])}" if record.get("via") else ""
    parts = [f"{escape(record['source'])}{kind}{via}, {what} {record['id']}"]
    if record.get("quote"):
        parts.append(f"“{escape(record['quote'])}”")
    url = web_url(record.get("url"))
    if url:
        parts.append(f"<{url.replace('>', '%3E').replace(' ', '%20')}>")
    elif record.get("url"):
        parts.append(f"(not a web address: {escape(record['url'])})")
    if record.get("published"):
        parts.append(f"published {record['published']}")
    return ", ".join(parts)


def _side(claim: dict[str, Any], citations: Citations) -> str:
    result = [words.place(claim["position"], claim["status"])]
    result += [f"time {claim['time']}"] if claim.get("time") else []
    result += [f"net {claim['net_time']}"] if claim.get("net_time") else []
    standing = "" if claim["standing"] == "live" else f" ({claim['standing']})"
    return (f"- **{escape(claim['source'])}** says {escape(words.who(claim))}: {', '.join(result)}{standing} "
            f"[{citations.cite('claim', claim)}]")


def _figure_side(figure: dict[str, Any], citations: Citations) -> str:
    around = "around " if figure.get("approximately") else ""
    when = f" ({'-'.join(figure['period'])})" if figure.get("period") else f" (at {figure['at']})" if figure.get("at") else ""
    return (f"- **{escape(figure['source'])}** says {around}{escape(str(figure['value']))} {escape(figure['unit'])}, "
            f"{escape(figure['kind'])}{escape(when)} [{citations.cite('figure', figure)}]")


def _section(item: dict[str, Any], tolerance_ms: int, citations: Citations) -> list[str]:
    if item["kind"] == "figure":
        title = f"{escape(item['subject'])}: {escape(item.get('measure_name') or item['measure'])}"
        sides = [_figure_side(figure, citations) for figure in item["figures"]]
    else:
        what = words.place(item["position"]) if item["kind"] == "position" else escape(item["athlete"] or "")
        title = f"{escape(item['category'])}: {what}"
        sides = [_side(claim, citations) for claim in item["claims"]]
    return [f"### {title}", "", escape(words.dispute(item, tolerance_ms)), "", *sides, ""]


def document(session: Session, scope: str | None, tolerance_ms: int, head: dict[str, Any]) -> str:
    """The Markdown text: open disputes, then those a ruling settled, then the citations."""
    found = paging.disputes_page(session, scope, tolerance_ms, True, limit=10 ** 9).to_json()
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
            out += _section(item, tolerance_ms, citations)
    out += ["## Citations", ""]
    out += citations.lines() or ["None."]
    return "\n".join(out).rstrip("\n") + "\n"

"""Verdicts, disputes and rulings spelled out in words, from the JSON records a page shows (the web
view's, the Markdown report's, the JSON-LD's).

A reader who does not know the ledger's terms reads "two sources name different athletes for
place 1", not `disputed`. Plain text: the templates escape it. With `isolate`, each piece of source
text in a sentence (a name, a reason) is `isolated`, so a bidi override in it reorders nothing
around it; the Markdown report and JSON-LD ask without it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Sequence

Record = dict[str, Any]

_NUMBERS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
_STATUS = {"FIN": "finished", "DNF": "did not finish", "DNS": "did not start", "DQ": "disqualified"}
FSI, PDI = "\u2068", "\u2069"  # first strong isolate, pop directional isolate
_ISOLATES = re.compile("[\u2066-\u2069]")  # LRI, RLI, FSI, PDI


def isolated(text: str) -> str:
    """`text` between FSI and PDI, the Unicode isolate a table cell's `unicode-bidi: isolate` makes,
    for text inside a sentence: a bidi override in it (U+202E) reorders nothing outside it. Its own
    isolates are balanced first: a stray PDI in it cannot end ours early (in a browser it ends a
    `<bdi>` too), nor an unclosed one run on after it."""
    if _ISOLATES.search(text) is None:
        return FSI + text + PDI
    depth = stray = 0
    for char in _ISOLATES.findall(text):
        if char != PDI:
            depth += 1
        elif depth:
            depth -= 1
        else:
            stray += 1
    return FSI * (1 + stray) + text + PDI * (1 + depth)


def _source_text(text: str, isolate: bool) -> str:
    return isolated(text) if isolate else text


def count(n: int, noun: str) -> str:
    """`two sources`, `one claim`, `12 claims`."""
    number = _NUMBERS[n] if n < len(_NUMBERS) else str(n)
    return f"{number} {noun}{'' if n == 1 else 's'}"


def amount(text: str) -> str:
    """A figure's exact decimal text with thousands separated: `220000` -> `220,000`."""
    return f"{Decimal(text):,f}"


def lines(n: int) -> str:
    """A placing's independent lines of evidence: `1 line of evidence`, `2 independent lines`."""
    return "1 line of evidence" if n == 1 else f"{n} independent lines"


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def who(claim: Record, isolate: bool = False) -> str:
    """The athlete a claim names, or the source's words for one it did not name."""
    if claim["athlete"] is not None:
        return _source_text(claim["athlete"], isolate)
    return _source_text(claim["unnamed"], isolate) if claim.get("unnamed") else "an unnamed athlete"


def place(position: int | None, status: str | None = None) -> str:
    if position is not None:
        return f"place {position}"
    return f"no place ({_STATUS.get(status or 'FIN', status)})"


def _live(claims: list[Record]) -> list[Record]:
    return [c for c in claims if c["standing"] != "retracted"]


def _sources(claims: list[Record]) -> list[str]:
    return sorted({c["source"] for c in claims})


def _identities(claims: list[Record]) -> set:
    return {c["athlete"] if c["athlete"] is not None else None for c in claims}


def ruling(found: Record | None, isolate: bool = False) -> str:
    """What a ruling decided, by whom, when and why."""
    if found is None:
        return ""
    when = f" on {found['decided']}" if found.get("decided") else ""
    if found.get("accepted_claim") is not None:
        what = f"claim {found['accepted_claim']} holds for place {found['position']}"
    else:
        what = f"{_source_text(found['athlete'], isolate)}'s status is {found['status']}"
    by, reason = _source_text(found["decided_by"], isolate), _source_text(found["reason"], isolate)
    return f"ruled by {by}{when}: {what} ({reason})"


def _position_words(claims: list[Record], position: int | None) -> str:
    sources = _sources(claims)
    if len(sources) == 1:
        return f"{sources[0]} names different athletes for {place(position)}, with different times"
    return f"{count(len(sources), 'source')} name different athletes for {place(position)}"


def dispute(item: Record, disagrees_on: Sequence[str] = (), isolate: bool = False) -> str:
    """One item of `disputes`: who disagrees about what (an athlete dispute's `disagrees_on`, as
    ledger.read.paging.disagreements gives it), and the ruling that settled it, if any."""
    if item["kind"] == "figure":  # the figure rule's own words (ledger.read.figures): slugs, units, numbers
        return sentence(item["why"])
    claims = _live(item["claims"])
    if item["kind"] == "position":
        text = _position_words(claims, item["position"])
    elif item["kind"] == "bib":
        text = _bib_words(claims, item["bib"], isolate)
    else:
        about = _source_text(item["athlete"], isolate)
        text = f"{count(len(claims), 'claim')} about {about} disagree on {' and '.join(disagrees_on) or 'their result'}"
    if item.get("ruling"):
        text += "; " + ruling(item["ruling"], isolate)
    return sentence(text)


def _bib_words(claims: Sequence[Record], bib: str, isolate: bool) -> str:
    """Who gives a contested bib to whom: the start list's entry is the claim without an id."""
    given: dict[str, list[str]] = {}
    for c in claims:
        given.setdefault(who(c, isolate), []).append(f"{c['source']}'s start list" if c["id"] is None else c["source"])
    names = [f"{name} ({' and '.join(dict.fromkeys(by))})" for name, by in given.items()]
    return (f"bib {_source_text(bib, isolate)} is given to {count(len(names), 'name')} that cannot be one runner's: "
            f"{' and '.join(names)}")


def placing(item: Record, isolate: bool = False) -> str:
    """One item of `results`: the verdict of a placing in words."""
    claims, verdict, position = _live(item["claims"]), item["verdict"], item["position"]
    status = item["claims"][0]["status"] if item["claims"] else None
    where = place(position, status)
    if verdict == "retracted":
        return sentence(f"every claim for {where} was withdrawn")
    if verdict == "ruled":
        return sentence(ruling(item["ruling"], isolate))
    sources = _sources(claims)
    lined = item.get("lines") or len(sources)
    if verdict == "agreed":
        on = f" on {count(lined, 'independent line')}" if lined < len(sources) else ""
        return sentence(f"{count(len(sources), 'source')}{on} agree: {who(claims[0], isolate)}, {where}")
    if verdict == "single-source":
        if len(sources) > 1:
            return sentence(f"{count(len(sources), 'source')} give {where}: {who(claims[0], isolate)}; but one reports or "
                            f"relies on another, so they are one line of evidence, not an agreement")
        vias = sorted({c["via"] for c in claims if c.get("via")})
        reported = f" (reported by {' and '.join(vias)})" if vias else ""
        return sentence(f"only one source, {sources[0]}{reported}, gives {where}: {who(claims[0], isolate)}")
    if position is not None and len(_identities(claims)) > 1:
        return sentence(_position_words(claims, position))
    names = [_source_text(name, isolate)
             for name in sorted({c["athlete"] for c in claims if c["athlete"] is not None})]
    agree = f"{count(len(sources), 'source')} agree on {who(claims[0], isolate)} for {where}, but " if len(sources) > 1 else ""
    return sentence(f"{agree}claims about {' and '.join(names) or 'this athlete'} disagree elsewhere in the category")


def standing(claim: Record) -> str:
    """How a claim counts now, in words."""
    words = {"live": "counts as its source made it", "accepted": "accepted by a ruling",
             "overruled": "overruled by a ruling", "retracted": "withdrawn: it no longer counts",
             "disqualified": "disqualified by a ruling: the athlete's place does not count"}
    return words.get(claim["standing"], claim["standing"])

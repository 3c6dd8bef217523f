"""The `--markdown` report under CommonMark: source text is inert (issue 20 point 2).

Whatever a source's name, an athlete's name, a quote, a URL or a figure's words hold, the document
parsed by markdown-it-py's CommonMark preset has no raw HTML, no heading but its own, no link but a
citation's own http(s) address, and shows the text literally: its whitespace runs as one space, and
its control and bidi characters as the visible escapes the CLI writes (ledger.output.inert).
"""

from __future__ import annotations

import copy
from typing import Any, Iterator
from urllib.parse import unquote

from helpers import as_json, build, city_marathon, ok
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ledger.output.inert import visible
from ledger.web import markdown
from ledger.web.links import web_address

MD = MarkdownIt("commonmark")
# What could start markup, an entity, HTML, a block or a link, and what could reorder or hide text.
PIECES = list("\\`*_{}[]<>()#+-=!|~&;:.,0123456789 \t\n\"'/@%?ax") + [
    "\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f", "\u061c", "\xa0", "\u2028", "\u2029",
    "&lt;", "&#x41;", "&amp;", "<script>", "</p>", "<!--", "<b>", "http://e.example", "www.e.example", "javascript:",
    "[x](http://evil.example)", "![i](http://evil.example/i.png)", "<https://evil.example>", "# ", "1. ", "- ",
    "===", "---", "***", "```", "~~~", "    ", "> ", "[1]: http://evil.example", "<a href=x>", "**", "__", "ä", "שלום",
]
# What the ledger lets a text hold (ledger.core.limits): no control character but newline and tab.
TEXT = st.one_of(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t"), min_size=1, max_size=40),
).filter(str.strip)
URL = st.builds(lambda path: "https://e.example/" + path.replace("\n", "").replace("\t", ""),
                TEXT | st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1))
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def shown(text: str) -> str:
    """What a reader must see for `text`: its whitespace runs as one space, controls and bidi escaped."""
    return visible(" ".join(text.split()))


def tokens(document: str) -> Iterator[Token]:
    for token in MD.parse(document):
        yield token
        yield from token.children or ()


def rendered_text(document: str) -> str:
    """The document's text as a reader sees it: each inline's text pieces joined, one inline a line."""
    return "\n".join("".join(child.content for child in token.children or () if child.type in ("text", "code_inline"))
                     for token in MD.parse(document) if token.type == "inline")


def assert_inert(document: str, texts: list[str], urls: list[str], headings: int) -> None:
    """No HTML, `headings` headings, links only to `urls` (the same addresses), and each text shown literally."""
    found = list(tokens(document))
    assert not [t for t in found if t.type in ("html_inline", "html_block")], document
    assert sum(t.type == "heading_open" for t in found) == headings, document
    assert not [t for t in found if t.type in ("image", "code_block", "fence", "hr", "blockquote_open")], document
    hrefs = [unquote(str(t.attrs["href"])) for t in found if t.type == "link_open"]
    assert set(hrefs) <= {unquote(web_address(url)) for url in urls}, document  # the address, trimmed
    assert all(href.startswith(("https://", "http://")) for href in hrefs)
    text = rendered_text(document)
    for one in texts:
        assert shown(one) in text, (one, document)


# --- escape and link, in every place the document puts them ----------------------------------------

PLACES = ["{}", "### {}: {}", "- **{}** (via {}) says {}: place 1 [1]", "1. {} (press), claim 5, quoted from {}: “{}”",
          "1. {}, seen in 2 places:\n   - quoted from {}: “{}”"]


@PROPERTY
@given(st.lists(TEXT, min_size=3, max_size=3))
def test_escaped_text_is_literal_wherever_it_stands(texts):
    for place in PLACES:
        plain = place.format("x", "x", "x")
        document = place.format(*(markdown.escape(t) for t in texts))
        assert [t.type for t in MD.parse(document)] == [t.type for t in MD.parse(plain)], document
        children = [c.type for t in MD.parse(document) if t.type == "inline" for c in t.children if c.type != "text"]
        assert children == [c.type for t in MD.parse(plain) if t.type == "inline" for c in t.children if c.type != "text"]
        assert_inert(document, texts[:place.count("{}")], [], place.startswith("#"))


@PROPERTY
@given(URL, TEXT)
def test_a_citation_url_is_one_link_to_exactly_that_address(url, after):
    link = markdown.link(web_address(url))
    if link.startswith("<"):  # a plain address: an autolink, as written
        assert link == f"<{web_address(url)}>" and not set("<>%&\\") & set(web_address(url))
    else:
        destination = link[link.index("](<"):]
        assert destination.isascii() and " " not in destination
    document = f"1. from x, {link}, {markdown.escape(after)}"
    links = [t for t in tokens(document) if t.type == "link_open"]
    assert len(links) == 1 and unquote(links[0].attrs["href"]) == unquote(web_address(url)), document
    assert_inert(document, [web_address(url), after], [url], 0)  # the link's text is the address, as text


# --- the document, from hostile records ------------------------------------------------------------------

# A position dispute and a figure dispute as `raceledger disputes --all -f json` gives them (the demo's).
CLAIM = {"id": 5, "athlete": "Wojciech Kopec", "unnamed": None, "as_written": None, "source": "dprk-state-media",
         "source_kind": "state-media", "via": "rare-glimpse-inside", "via_kind": "press", "position": 1, "time": None,
         "net_time": None, "status": "FIN", "status_note": None, "url": None, "quote": "q", "published": None,
         "retrieved": None, "citations": [], "line": "rare-glimpse-inside", "standing": "live",
         "standing_reason": None, "ruled_by": None, "status_ruling": None}
FIGURE = {"id": 9, "subject": "dprk-famine", "measure": "deaths", "value": None, "low": "300000", "high": "800000",
          "approximately": True, "unit": "persons", "kind": "total", "period": ["1995", "1998"], "at": None,
          "source": "s", "via": None, "quote": "q", "url": None, "published": "2001-01-01", "retrieved": None,
          "source_kind": "official", "measure_name": "Deaths"}


def position_dispute(t: list[str], url: str) -> dict[str, Any]:
    first, second = copy.deepcopy(CLAIM), copy.deepcopy(CLAIM)
    first.update(source=t[0], via=t[1], athlete=None, unnamed=t[2], source_kind=t[3],
                 citations=[{"url": url, "quote": t[4], "via": t[5], "published": "2025-04-06", "retrieved": None},
                            {"url": t[6], "quote": None, "via": None, "published": None, "retrieved": None}])
    second.update(id=6, source=t[7], via=None, athlete=t[8],
                  citations=[{"url": url, "quote": t[9], "via": None, "published": None, "retrieved": None}])
    return {"category": t[10], "kind": "position", "position": 1, "athlete": None, "verdict": "ruled",
            "claims": [first, second], "ruling": {"accepted_claim": 6, "position": 1, "decided_by": t[11],
                                                  "decided": "2025-04-07", "reason": t[0]}}


def figure_dispute(t: list[str], url: str) -> dict[str, Any]:
    first, second = copy.deepcopy(FIGURE), copy.deepcopy(FIGURE)
    first.update(source=t[0], via=t[1], quote=t[2], url=url, unit=t[3], measure_name=t[4], period=[t[5], t[6]])
    second.update(id=10, value="7", low="7", high="7", source=t[7], quote=None, url=None, at=t[8], period=None,
                  kind="at-date")
    return {"category": None, "kind": "figure", "subject": t[9], "measure": t[10], "measure_name": t[4],
            "verdict": "disputed", "why": t[11], "figures": [first, second]}


@PROPERTY
@given(st.lists(TEXT, min_size=12, max_size=12), URL)
def test_a_hostile_dispute_and_its_citations_stay_text(texts, url):
    citations = markdown.Citations()
    lines = ["# Disputes", ""]
    lines += markdown._section(position_dispute(texts, url), {}, citations)
    lines += markdown._section(figure_dispute(texts, url), {}, citations)
    document = "\n".join(lines + ["## Citations", "", *citations.lines()]) + "\n"
    # Every text but a period's ends and an at-date (joined or prefixed by the document's own words).
    shown_whole = [t for i, t in enumerate(texts) if i not in (5, 6, 8)]
    linked = [url, *([texts[6]] if web_address(texts[6]) else [])]  # a citation's http(s) address is a link
    assert_inert(document, shown_whole + [texts[6]], linked, 4)


# --- through the CLI, on SQLite and PostgreSQL (names are one line; quotes and reasons may hold more) -----------------------------------------------------------

HOSTILE = {
    "source": "<img src=x onerror=alert(1)> &lt;b&gt; \u202eevil",
    "athlete": "# Heading === [link](https://evil.example) ![i](https://evil.example/i.png)",
    "unnamed": "- a list 1. <https://evil.example> *emph* `code` ~~gone~~ | x |",
    "quote": "</p><script>alert(1)</script>\n\n    indented\n> quoted\n[1]: https://evil.example\n\u2066\u2069\u202d",
    "measure": "&#x3C;b&#x3E; \\*not emphasis\\* __x__",
    "reason": "1) ruled\n---\n<!-- comment --> &amp; done",
}
HOSTILE_URL = "https://e.example/a b<c>\"d\u202e&amp;#x/ä?q=1&r=<script>"


def test_the_markdown_report_of_a_hostile_ledger_is_inert(run, db, tmp_path):
    h = HOSTILE
    build(run, [("init",)] + city_marathon({"open-men": ("Open men", "M")}, ["timing"]) + [
        ("source", "add", "prankster", "--name", h["source"], "--kind", "press"),
        ("athlete", "add", h["athlete"]),
        ("claim", "city-2025/marathon/open-men", "--source", "prankster",
         "--athlete", "#1", "--position", "1", "--quote", h["quote"], "--url", HOSTILE_URL),
        ("claim", "city-2025/marathon/open-men", "--source", "timing", "--unnamed", h["unnamed"], "--position", "1",
         "--quote", h["source"], "--url", HOSTILE_URL),
        ("topic", "add", "famine", "--name", h["source"]),
        ("figure", "add", "famine", "deaths", "--source", "prankster", "--value", "10", "--unit", "persons",
         "--kind", "total", "--period", "1995..1998", "--measure-name", h["measure"], "--quote", h["quote"],
         "--url", HOSTILE_URL),
        ("figure", "add", "famine", "deaths", "--source", "timing", "--value", "99", "--unit", "persons",
         "--kind", "total", "--period", "1995..1998"),
    ])
    claims = as_json(run("results", "city-2025/marathon/open-men", "-f", "json"))[0]["claims"]
    ok(run("rule", "city-2025/marathon/open-men", "--position", "1", "--accept", str(claims[0]["id"]),
           "--by", h["athlete"], "--reason", h["reason"]))
    ok(run("report", "--out", str(tmp_path / "md"), "--markdown"))
    document = (tmp_path / "md" / "disputes.md").read_text(encoding="utf-8")
    shown_texts = [text for key, text in h.items() if key != "measure"]  # the heading names the measure by its slug
    assert_inert(document, shown_texts + [HOSTILE_URL], [HOSTILE_URL], 1 + 4 + 2)  # its title, 4 sections (disqualifications among them), 2 disputes
    assert sum(t.type == "link_open" for t in tokens(document)) == 3  # each citation's address, once
    assert visible(document, "\n") == document  # no bidi or control character but its own line breaks

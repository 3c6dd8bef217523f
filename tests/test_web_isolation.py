"""Text that reads one way (issue 20 point 9): every sentence of a page that embeds source text keeps
it to itself, as table cells do, and a long unbroken name wraps instead of widening the page.

A name holding a bidi override (U+202E) is set between FSI and PDI (ledger.output.words.isolated) in the
claim page's summary, the dispute cards, the rulings and the figure pages; in Chromium the words
after it still read left to right, and a 300-character name leaves a phone's page 390 px wide.
"""

from __future__ import annotations

import html
import re
import socket
import threading
import time

import pytest
import uvicorn
from helpers import as_json, build, city_marathon
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient
from test_browser import browser  # noqa: F401  (the fixture: Debian's Chromium, headless)

from ledger.store.engine import open_engine
from ledger.web.app import make_app
from ledger.output.words import FSI, PDI, isolated

CATEGORY = "city-2025/marathon/open-men"
RLO = "\u202e"
NAME = f"Ann{RLO}evil"  # shown as "Annlive": what follows it must not be turned around too
UNNAMED = f"a runner{RLO} in red"
JURY = f"Jury{PDI}{RLO}x"  # a stray PDI would end a <bdi> (or a lone FSI...PDI) early
REASON = f"video{RLO} review"
MEASURE = f"Deaths{RLO} counted"
LONG = "W" * 300  # one unbroken name


def balanced(text: str) -> bool:
    """Whether each PDI in `text` closes an isolate opened before it, and each one opened is closed."""
    depth = 0
    for char in re.findall("[\u2066-\u2069]", text):
        depth += -1 if char == PDI else 1
        if depth < 0:
            return False
    return depth == 0


@given(st.text(st.sampled_from(["\u2066", "\u2067", FSI, PDI, RLO, "a", "\u05d0"])))
def test_an_isolated_text_is_one_balanced_isolate_holding_the_text(text):
    shown = isolated(text)
    added = len(shown) - len(text)  # the text itself, with FSIs before it and PDIs after it
    assert any(shown == FSI * k + text + PDI * (added - k) for k in range(1, added))
    assert balanced(shown)
    depth = 0  # the first FSI is closed by the last PDI alone: nothing in the text ends it early
    for at, char in enumerate(shown):
        depth += -1 if char == PDI else char in "\u2066\u2067\u2068"
        assert depth > 0 or at == len(shown) - 1, shown


def hostile(run) -> dict[str, int]:
    """A ledger whose names, unnamed athlete, ruling and measure hold bidi overrides; claim ids by role."""
    build(run, [("init",)] + city_marathon({"open-men": ("Open men", "M")}, ["timing", "gazette"]) + [
        ("athlete", "add", NAME),
        ("athlete", "add", LONG),
        ("claim", CATEGORY, "--source", "timing", "--athlete", "#1", "--position", "1", "--time", "2:10:00"),
        ("claim", CATEGORY, "--source", "gazette", "--athlete", "#1", "--position", "2"),
        ("claim", CATEGORY, "--source", "gazette", "--unnamed", UNNAMED, "--position", "1"),
        ("claim", CATEGORY, "--source", "timing", "--athlete", "#2", "--position", "3"),
        ("claim", CATEGORY, "--source", "gazette", "--athlete", "#2", "--position", "4"),
        ("topic", "add", "famine", "--name", "Famine"),
        ("figure", "add", "famine", "deaths", "--source", "timing", "--value", "10", "--unit", "persons",
         "--kind", "total", "--period", "1995..1998", "--measure-name", MEASURE),
        ("figure", "add", "famine", "deaths", "--source", "gazette", "--value", "99", "--unit", "persons",
         "--kind", "total", "--period", "1995..1998"),
    ])
    claims: dict[str, int] = {}
    results = as_json(run("results", CATEGORY, "-f", "json"))
    for item in results:
        for claim in item["claims"]:
            claims[f"{claim['source']}{claim['position']}"] = claim["id"]
    build(run, [("rule", CATEGORY, "--position", "1", "--accept", str(claims["timing1"]), "--by", JURY,
                 "--reason", REASON, "--decided", "2025-10-14")])
    return claims


def texts(page: str, css_class: str, tag: str = "p") -> list[str]:
    """The text of each `<tag class="css_class...">` of a page, tags dropped, entities read."""
    found = re.findall(rf'<{tag} class="{css_class}[^"]*"[^>]*>(.*?)</{tag}>', page, re.DOTALL)
    return [html.unescape(re.sub(r"<[^>]+>", "", one)) for one in found]


def assert_isolated(sentence: str, *names: str) -> None:
    """Each name is in the sentence, and every time between an FSI and a PDI of its own."""
    for name in names:
        shown = isolated(name)
        assert shown in sentence, (name, sentence)
        assert sentence.count(name) == sentence.count(shown), (name, sentence)


def test_each_sentence_holding_a_name_isolates_it(run, db):
    claims = hostile(run)
    engine, _ = open_engine(db, write=False, read_only=True)
    try:
        web = TestClient(make_app(engine))
        claim = web.get(f"/claims/{claims['timing1']}").text
        summary, = texts(claim, "lede")
        assert_isolated(summary, NAME, JURY, REASON)  # says NAME: place 1 ... ruled by JURY ... (REASON)
        assert_isolated(" ".join(texts(claim, "words")), JURY, REASON)
        assert_isolated(" ".join(texts(claim, "who")), NAME, UNNAMED)
        ruled = web.get(f"/claims/{claims['gazette1']}").text
        assert_isolated(texts(ruled, "lede")[0], UNNAMED, JURY, REASON)
        assert_isolated(" ".join(texts(ruled, "why")), REASON)  # overruled by a ruling: REASON

        disputes = web.get("/disputes?all=1").text
        cards = texts(disputes, "words")
        assert any("disagree on position" in card for card in cards)
        assert_isolated(" ".join(cards), NAME, JURY, REASON)  # two claims about NAME ...; ruled by JURY
        assert_isolated(" ".join(texts(disputes, "dispute", "section")), NAME, UNNAMED)  # headings and cards

        group = web.get("/figures?scope=famine").text
        assert_isolated(" ".join(texts(group, "figure-group", "section")), MEASURE)
        figure = web.get("/figures/1").text
        assert_isolated(" ".join(re.findall(r"<h[12]>(.*?)</h[12]>", html.unescape(figure))), MEASURE)
        # A chart's caption, title and labels hold slugs, units and numbers only: no source text to isolate.
        assert RLO not in "".join(re.findall(r"<figure class=\"chart\".*?</figure>", group, re.DOTALL))
    finally:
        engine.dispose()


@pytest.fixture
def served(run, db):
    """The hostile ledger served by uvicorn on a free loopback port, in a thread; its base URL and claim ids."""
    claims = hostile(run)
    engine, _ = open_engine(db, write=False, read_only=True)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(make_app(engine), lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            pytest.fail("uvicorn did not start serving the ledger")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", claims
    server.should_exit = True
    thread.join(timeout=20)
    listener.close()
    engine.dispose()


# The x of each of the 12 characters after `after` in the element (isolate marks skipped), as Chromium lays them out.
X_OF_EACH = """([selector, after]) => {
  const walker = document.createTreeWalker(document.querySelector(selector), NodeFilter.SHOW_TEXT);
  let node; while ((node = walker.nextNode()) && !node.data.includes(after)) {}
  const range = document.createRange(), xs = [];
  for (let i = node.data.indexOf(after) + after.length; xs.length < 12 && i < node.data.length; i++) {
    if ("\u2066\u2067\u2068\u2069".includes(node.data[i])) continue;
    range.setStart(node, i); range.setEnd(node, i + 1); xs.push(range.getBoundingClientRect().x);
  }
  return xs;
}"""


def test_a_name_reads_one_way_and_a_long_one_wraps_in_a_browser(served, browser):  # noqa: F811
    base, claims = served
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(f"{base}/claims/{claims['timing1']}")
    # After "NAME" the words ": place 1. C" still run left to right: the override stays inside the name.
    after = page.evaluate(X_OF_EACH, [".lede", NAME])
    assert len(after) == 12 and after == sorted(after), after
    after = page.evaluate(X_OF_EACH, [".lede", "on 2025-10-14: "])  # after JURY, whose stray PDI is balanced
    assert len(after) == 12 and after == sorted(after), after
    for path in (f"/claims/{claims['timing3']}", "/disputes", "/disputes?all=1", "/athletes/2"):
        page.goto(f"{base}{path}")
        assert LONG in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path

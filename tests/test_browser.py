"""The web view in a real browser: Debian's Chromium, headless, driven by Playwright's Python package.

It fails (never skips) without /usr/bin/chromium: CI installs it (`apt-get install -y chromium`).
The screenshot of the dispute page is a test artifact in the test's tmp folder; with
RACELEDGER_SCREENSHOT=PATH (e.g. docs/dispute-page.png) it is written there too, for the README.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import sync_playwright

from ledger.store.engine import open_engine
from ledger.web.app import make_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
AMATEUR_DISPUTE = "d-pyongyang-2025.marathon.amateur-men.p1"


@pytest.fixture
def served(demo, db):
    """The demo ledger served by uvicorn on a free loopback port, in a thread; its base URL."""
    engine, _ = open_engine(db, write=False, read_only=True)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(make_app(engine), lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start serving the demo ledger")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=20)
    listener.close()
    engine.dispose()


@pytest.fixture
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"no browser at {CHROMIUM}: install Debian's Chromium with: apt-get install -y chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield launched
        launched.close()


def watched_page(browser):
    """A new page, and the list its console errors and warnings and its script errors go to."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"{message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return page, problems


def test_the_amateur_dispute_side_by_side_and_a_claim_permalink(served, browser, tmp_path):
    page, problems = watched_page(browser)

    page.goto(f"{served}/disputes")
    dispute = page.locator(f'[id="{AMATEUR_DISPUTE}"]')
    dispute.wait_for()
    assert dispute.is_visible()
    assert "Two sources name different athletes for place 1." in dispute.inner_text()
    sides = dispute.locator("article.claim")
    assert sides.count() == 2
    boxes = [sides.nth(i).bounding_box() for i in range(2)]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 1 and boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"]  # side by side
    assert "a local athlete, not named by the source" in sides.nth(0).inner_text()
    assert "dprk-state-media" in sides.nth(0).inner_text()
    assert "Wojciech Kopec" in sides.nth(1).inner_text() and "wojciech-kopec" in sides.nth(1).inner_text()
    for i in range(2):  # both claimants' words reached us in the article: who said it, and where
        text = sides.nth(i).inner_text()
        assert "via rare-glimpse-inside" in text and "quoted from rare-glimpse-inside" in text, text
    assert "raceledger verify --head" in page.locator("footer").inner_text()
    shot = tmp_path / "dispute-page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    if os.environ.get("RACELEDGER_SCREENSHOT"):
        target = Path(os.environ["RACELEDGER_SCREENSHOT"])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)

    sides.nth(1).get_by_role("link", name="Claim 6").click()
    page.wait_for_url(f"{served}/claims/6")
    assert page.locator("h1").inner_text() == "Claim 6"
    card = page.locator('[id="claim-6"]').first
    assert card.is_visible() and "Polish runner Wojciech Kopec" in card.inner_text()
    assert "two sources name different athletes for place 1" in page.locator(".lede").inner_text().lower()
    head = page.locator("footer .head code").inner_text()
    assert head.split(":")[0].isdigit() and len(head.split(":")[1]) == 64

    page.goto(f"{served}/pyongyang-2025/marathon/amateur-men?at=1#p-1")
    assert page.locator('[id="p-1"] article.claim').count() == 2
    assert problems == []


def test_the_famine_figures_drawn_on_one_axis_with_the_rules_words(served, browser, tmp_path):
    page, problems = watched_page(browser)

    page.goto(f"{served}/figures?scope=dprk-famine")
    bars = page.locator("figure.chart rect.bar")
    assert bars.count() == 2
    point, memo = bars.nth(0).bounding_box(), bars.nth(1).bounding_box()
    assert point["width"] < 10 and memo["width"] > 100  # 220,000 a tick; 300,000-800,000 a bar
    assert point["x"] < memo["x"]  # on one axis: 220,000 lies left of 300,000
    chart, words = page.locator("figure.chart").bounding_box(), page.locator(".rule-words").bounding_box()
    assert chart["x"] + chart["width"] <= words["x"]  # the rule's words beside the chart
    assert "300,000-800,000 in the peak year is above that: disputed" in page.locator(".rule-words").inner_text()
    page.screenshot(path=str(tmp_path / "famine-figures.png"), full_page=True)

    page.locator("figure.chart a").nth(1).click()
    page.wait_for_url(f"{served}/figures/10")
    assert "house-irc-memo-1998" in page.locator("article.figure.whole").inner_text()
    assert problems == []


def test_no_page_scrolls_sideways_on_a_phone(served, browser):
    page = browser.new_page(viewport={"width": 390, "height": 800})
    for path in ("/", "/disputes", "/sources", "/history", "/figures?scope=dprk-famine", "/figures/10",
                 "/pyongyang-2025/marathon/amateur-men", "/claims/6", "/athletes/3"):
        page.goto(f"{served}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path

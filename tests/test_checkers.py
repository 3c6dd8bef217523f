"""The static report passes the checkers readers' tools use: the W3C Nu HTML Checker (0 errors) and
axe-core in Debian's Chromium (0 violations), on every page (issue 23 point 5).

Two reports: the demo's (publishing proofs: `report --sign`), and a ledger with rulings on placings and on a status, retractions, figures
of every kind (retracted and ruled ones among them) and hostile text in every field a source fills,
written with a base URL (so with canonical links and its rulings' ClaimReviews named absolutely).
The checkers come from npm (.ci/node/package.json pins them; `.ci/run` installs them) and Java from
Debian; these tests fail, never skip, without them. They run on SQLite alone: the report of a ledger
is the same bytes from PostgreSQL (tests/test_golden.py checks that), so a second database would
check the same files again. The Nu checker runs once per report over its whole folder (one JVM).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import sync_playwright
from helpers import MARATHON
from web_fixtures import HOSTILE_QUOTE, HOSTILE_URL, WOMEN, ledger_session, write_mixed, write_report

from cli import cli
from ledger.store.engine import transaction
from ledger.write import athletes, catalog, claims, corrections, figures

NODE = Path(__file__).resolve().parent.parent / ".ci" / "node" / "node_modules"
VNU = NODE / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = NODE / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
INSTALL = "install them with: npm ci --ignore-scripts --prefix .ci/node (and Java: apt-get install -y default-jre-headless)"


def _hostile_and_figures(db: str) -> None:
    """On top of write_mixed: a source, an athlete, a claim and figures whose every text is markup,
    and one figure of each kind, one retracted and one ruled on."""
    engine = ledger_session(db)
    by = "tester"
    with transaction(engine) as session:
        catalog.add_source(session, by, "prankster", "<b>Prankster</b> </h1><h3>", "other", HOSTILE_URL)
        athletes.add(session, by, "<img src=x onerror=alert(2)> \u202eevil")  # #13: write_mixed names 12
        claims.add(session, by, WOMEN, "prankster", athlete="#13", position=1, quote=HOSTILE_QUOTE,
                   url=HOSTILE_URL, published="2025-10-13", retrieved="2025-10-14")
        claims.add(session, by, WOMEN, "timing", unnamed="</script><script>alert(3)</script>", position=2,
                   url="https://timing.example/</script>")
        figures.add_topic(session, by, "a-topic", "<i>Topic</i> \"quoted\" & more")
        stated = [("total", (1995, 1998), None, "100", "200", False), ("per-year", (1995, 1998), None, "50", "50", True),
                  ("peak-year", None, None, "80", "90", False), ("at-date", None, 2003, "0", "0", False),
                  ("at-date", None, 2004, "1000000", "1000000", True)]
        made = []
        for i, (kind, period, at, low, high, around) in enumerate(stated):
            source = ["prankster", "gazette", "timing", "state-tv", "prankster"][i]
            made.append(figures.add(session, by, "a-topic", "deaths", source, low=Decimal(low), high=Decimal(high),
                                    unit_name="persons", kind=kind, approximately=around, period=period, at=at,
                                    measure_name="<em>Deaths</em>" if i == 0 else None,
                                    method="</svg><script>alert(4)</script>", url=HOSTILE_URL, quote=HOSTILE_QUOTE,
                                    published="2025-10-13"))
        figures.add(session, by, "city-2025/marathon", "fee", "gazette", low=Decimal("155"), high=Decimal("155"),
                    unit_name="USD", kind="at-date", at=2025, measure_name="Fee")
        figures.retract(session, by, made[1], "<script>the source withdrew it</script>")
        figures.rule(session, by, made[0], "<b>Panel</b>", "the census </title> says so", "2025-11-01")
        corrections.retract(session, by, claims.add(session, by, WOMEN, "prankster", unnamed="x", position=3),
                            "</li></ul><h2>gone</h2>")
    engine.dispose()


def _bib_dispute(db: str, root: Path) -> None:
    """A bib the start list gives one runner and a results file another, both in markup: a bib dispute,
    whose start list entry is shown without a claim."""
    (root / "start.csv").write_text('Bib,Name\n"<b>77</b>",Anna Nowak\n', encoding="utf-8")
    (root / "bib.csv").write_text('Place,Bib,Name\n40,"<b>77</b>","</p><h1>Eva</h1>"\n', encoding="utf-8")
    for args in (["entrants", "import", MARATHON, str(root / "start.csv"), "--source", "timing"],
                 ["import", WOMEN, str(root / "bib.csv"), "--source", "gazette"]):
        result = CliRunner().invoke(cli, ["--db", db, "--as", "tester", *args])
        assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    """The demo's report and the mixed, hostile ledger's, written once for every test here."""
    root = tmp_path_factory.mktemp("checkers")
    demo_db = str(root / "demo.db")
    assert CliRunner().invoke(cli, ["--db", demo_db, "--as", "tester", "demo"]).exit_code == 0
    mixed_db = str(root / "mixed.db")
    write_mixed(mixed_db, seed=7)
    _hostile_and_figures(mixed_db)
    _bib_dispute(mixed_db, root)
    sites = {"demo": root / "demo", "mixed": root / "mixed"}
    key = str(root / "demo.key")  # the demo's report publishes proofs: the footer's and claim pages' links
    for args in (["checkpoint", "--origin", "results.example.org/pyongyang-2025"],
                 ["key", "generate", "results.example.org/pyongyang-2025", "--out", key],
                 ["report", "--out", str(sites["demo"]), "--sign", key]):
        assert CliRunner().invoke(cli, ["--db", demo_db, "--as", "tester", *args]).exit_code == 0
    assert 'href="6.tlog-proof"' in (sites["demo"] / "claims" / "6.html").read_text(encoding="utf-8")
    write_report(mixed_db, sites["mixed"], base_url="https://results.example.org/mixed")  # canonical links too
    assert '<span class="permalink">Start list</span>' in (sites["mixed"] / "disputes.html").read_text(encoding="utf-8")
    return sites


def _pages(site: Path) -> list[Path]:
    found = sorted(site.rglob("*.html"))
    assert len(found) > 20, f"too few pages in {site}"
    return found


def test_the_nu_html_checker_finds_no_error_on_any_page(reports):
    """One JVM checks both reports' folders (a run per file would start Java a hundred times)."""
    java = shutil.which("java")
    if java is None or not VNU.is_file():
        pytest.fail(f"the Nu HTML Checker needs Java and {VNU}; {INSTALL}")
    sites = [reports["demo"], reports["mixed"]]
    for site in sites:
        _pages(site)
    done = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", "--skip-non-html",
                           *map(str, sites)], capture_output=True, text=True, timeout=600)
    messages = json.loads(done.stderr or done.stdout)["messages"]
    found = [f"{m.get('url', '')}:{m.get('lastLine')}: {m['message']}" for m in messages]
    assert found == [], "\n".join(found[:40])
    assert done.returncode == 0


def test_axe_finds_no_violation_on_any_page(reports):
    """axe-core, loaded into every page before the page's own content (an init script), runs all
    its rules but the experimental ones, as its defaults do."""
    if not Path(CHROMIUM).is_file() or not AXE.is_file():
        pytest.fail(f"axe-core needs {CHROMIUM} (apt-get install -y chromium) and {AXE}; {INSTALL}")
    found: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        context.add_init_script(path=str(AXE))
        page = context.new_page()
        for site in (reports["demo"], reports["mixed"]):
            for path in _pages(site):
                page.goto(path.as_uri())
                result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
                for violation in result["violations"]:
                    targets = [" ".join(node["target"]) for node in violation["nodes"]][:3]
                    found.append(f"{site.name}/{path.relative_to(site)}: {violation['id']} ({violation['impact']}): "
                                 f"{violation['help']} at {targets}")
        browser.close()
    assert found == [], "\n".join(found[:40])

"""`athlete find TEXT` and `athlete show` by either name order or a part of a name (issue 21, point 7)."""

from __future__ import annotations

import pytest
from helpers import as_json, city_marathon, ok

from ledger.read import search as read_search
from ledger.web import pages

pytestmark = pytest.mark.city(city_marathon({"open-men": ("Open men", "M")}))


@pytest.fixture
def athletes(city):
    for name in ("Kirui, Geoffrey", "Wojciech Kopeć", "Pak Kum-dong", "Anna Nowak"):
        ok(city("athlete", "add", name))
    return city


def test_the_cli_and_the_web_search_share_one_rule():
    assert pages.search_athletes is read_search.search_athletes


def test_find_takes_parts_of_names_in_either_order_accents_ignored(athletes):
    assert [a["name"] for a in as_json(athletes("athlete", "find", "geoffrey kir", "-f", "json"))] == ["Kirui, Geoffrey"]
    assert [a["name"] for a in as_json(athletes("athlete", "find", "KOPEC", "-f", "json"))] == ["Wojciech Kopeć"]
    assert [a["name"] for a in as_json(athletes("athlete", "find", "kum pak", "-f", "json"))] == ["Pak Kum-dong"]
    assert ok(athletes("athlete", "find", "zzz")) == "(no athletes)\n"


def test_show_accepts_the_other_name_order_and_a_part_that_one_athlete_has(athletes):
    assert as_json(athletes("athlete", "show", "Geoffrey Kirui", "-f", "json"))["name"] == "Kirui, Geoffrey"
    assert as_json(athletes("athlete", "show", "kopec", "-f", "json"))["name"] == "Wojciech Kopeć"


def test_a_failed_show_suggests_near_names_instead_of_a_duplicate(athletes):
    failed = athletes("athlete", "show", "Geofrey Kirui")
    assert failed.exit_code == 1
    assert failed.stderr == "Error: no athlete 'Geofrey Kirui'; did you mean 'Kirui, Geoffrey'?\n"
    assert "athlete add" not in athletes("athlete", "show", "Nobody Here").stderr
    several = athletes("athlete", "show", "k")
    assert several.stderr.startswith("Error: 'k' matches 3 athletes (")


@pytest.mark.parametrize("command", ["find", "show"])
def test_a_name_with_a_stray_byte_or_a_control_character_is_one_error_line(athletes, command):
    """Found by the CLI fuzz test on PostgreSQL: a lone surrogate reached the driver as a traceback."""
    for text, said in (("\udc80", "a byte that is not UTF-8"), ("Kopec\x01", "the control character")):
        failed = athletes("athlete", command, text)
        assert failed.exit_code == 1 and said in failed.stderr and failed.stderr.startswith("Error: ")

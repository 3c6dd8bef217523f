"""Property tests of how timing companies write places, times and names (ledger.imports.notations)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.core.errors import LedgerError
from ledger.core.times import LONGEST_MS, parse_time
from ledger.imports import notations
from ledger.imports.notations import Clock, Ranked, ranked, surname_first
from ledger.imports.rankings import slug_of
from ledger.imports.resultsfile import Race, header_key, parse_position

MARATHON_FASTEST = Race(42195, 2025, None).fastest_ms()
spaces = st.text(" ", max_size=9)


@given(st.integers(1, 10**6), st.integers(0, 10**6), spaces, spaces, spaces, st.booleans())
def test_a_place_with_its_rankings_size_reads_back(place, more, before, around, after, dot):
    size = place + more
    text = f"{before}{place}{'.' if dot else ''}{around}/{around}{size}{after}"
    assert ranked(text) == Ranked(place, size)
    assert parse_position(text) == Ranked(place, size)


@given(st.integers(2, 10**6), st.integers(1, 10**6))
def test_a_place_past_its_rankings_size_is_a_problem(size, past):
    assert parse_position(f"{size + past} / {size}").__class__.__name__ == "Problem"


@given(st.integers(1, 10**6), st.booleans())
def test_a_place_with_a_dot_is_the_place(place, dot):
    assert parse_position(f"{place}{'.' if dot else ''}") == place


@pytest.mark.parametrize("text", sorted(notations.MISSING))
def test_a_dash_is_no_place(text):
    assert parse_position(text) is None


@given(st.integers(0, 5999), st.integers(0, 99))
def test_decimal_numbers_are_minutes_and_said(minutes, hundredths):
    clock = Clock(MARATHON_FASTEST)
    found = clock(f"{minutes}.{hundredths:02d}")
    assert found.ms == (minutes * 100 + hundredths) * 600
    assert clock.seen == {notations.DECIMAL_MINUTES}
    assert found.ms % 10 ** (3 - found.decimals) == 0  # the decimals kept are the ones the time needs


@given(st.integers(0, 199), st.integers(0, 59), st.integers(0, 59), st.sampled_from(["{h}h{m:02d}m{s:02d}s",
                                                                                     "{h}h {m:02d}m {s:02d}s",
                                                                                     "{h}H{m:02d}'{s:02d}\""]))
def test_hours_minutes_and_seconds_marked_with_units(hours, minutes, seconds, shape):
    ms = ((hours * 60 + minutes) * 60 + seconds) * 1000
    text = shape.format(h=hours, m=minutes, s=seconds)
    if ms > LONGEST_MS:
        with pytest.raises(LedgerError):
            Clock(MARATHON_FASTEST)(text)
    else:
        assert Clock(MARATHON_FASTEST)(text).ms == ms


@given(st.integers(0, 99), st.integers(0, 59))
def test_a_two_part_time_is_h_mm_only_where_m_ss_would_beat_the_record(first, second):
    clock = Clock(MARATHON_FASTEST)
    text = f"{first}:{second:02d}"
    as_m_ss = (first * 60 + second) * 1000
    found = clock(text)
    if as_m_ss < MARATHON_FASTEST:
        assert found.ms == as_m_ss * 60 and clock.seen == {notations.HOURS_MINUTES}
    else:
        assert found.ms == as_m_ss and not clock.seen


@given(st.integers(0, 99), st.integers(0, 59), st.integers(0, 59), st.integers(0, 999))
def test_a_time_as_the_ledger_writes_it_reads_the_same_and_assumes_nothing(hours, minutes, seconds, ms):
    text = f"{hours}:{minutes:02d}:{seconds:02d}.{ms:03d}"
    clock = Clock(MARATHON_FASTEST)
    assert clock(text) == parse_time(text)
    assert clock(text.replace(".", ",")) == parse_time(text)  # a decimal comma, as German exports write it
    assert not clock.seen


given_names = st.from_regex(r"[A-Z][a-zé]{1,8}(-[A-Z][a-z]{1,8})?", fullmatch=True)
surnames = st.from_regex(r"(DE |VAN )?[A-Z]{2,10}(-[A-Z]{2,8})?", fullmatch=True)


@given(surnames, st.lists(given_names, min_size=1, max_size=3))
def test_surname_first_moves_the_surname_and_changes_no_letter(surname, given):
    name = " ".join([surname, *given])
    read = surname_first(name)
    assert read == " ".join([*given, surname])
    assert sorted(read.split()) == sorted(name.split())
    assert surname_first(read) is None  # a name already given-name first stays as it is


@given(st.lists(given_names, min_size=1, max_size=4))
def test_a_name_without_a_capitals_surname_first_is_left_alone(words):
    assert surname_first(" ".join(words)) is None


@given(st.text(min_size=1, max_size=40))
def test_a_slug_is_lowercase_ascii_with_hyphens(name):
    slug = slug_of(name)
    assert slug and slug.isascii() and slug == slug.lower()
    assert not slug.startswith("-") and not slug.endswith("-") and "--" not in slug
    assert slug_of(slug) == slug


@pytest.mark.parametrize("name,slug", [("Männer", "manner"), ("Staffel 4×25 km", "staffel-4-25-km"),
                                       ("Élite Femmes", "elite-femmes"), ("W", "w"), ("22672", "22672")])
def test_slugs_of_ranking_names(name, slug):
    assert slug_of(name) == slug


@pytest.mark.parametrize("text,key", [("\ufeffPlatz", "platz"), ("Prénom", "prenom"), ("M/F", "m f"),
                                      ("  Official Time ", "official time"), ("TpsNet", "tpsnet")])
def test_a_header_is_read_as_a_person_reads_it(text, key):
    assert header_key(text) == key

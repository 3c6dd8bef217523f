"""Race times: text <-> integer milliseconds, keeping exactly the decimals a source gave."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core.errors import LedgerError
from ledger.core.times import LONGEST_MS, RaceTime, format_ms, parse_time, parse_tolerance

hours = st.integers(min_value=0, max_value=595)  # every time below 596 h fits an integer column
minutes = st.integers(min_value=0, max_value=59)
seconds = st.integers(min_value=0, max_value=59)
fractions = st.text(alphabet="0123456789", min_size=0, max_size=3)


@st.composite
def canonical_times(draw) -> str:
    """Times as format_ms writes them: H:MM:SS with an optional fraction of 1 to 3 digits."""
    text = f"{draw(hours)}:{draw(minutes):02d}:{draw(seconds):02d}"
    fraction = draw(fractions)
    return f"{text}.{fraction}" if fraction else text


@settings(deadline=None)  # no timing assertions: a busy machine must not fail these
@given(canonical_times())
def test_parse_then_format_gives_back_the_same_text(text):
    assert str(parse_time(text)) == text


@settings(deadline=None)
@given(hours, minutes, seconds, fractions)
def test_parse_counts_milliseconds_exactly(h, m, s, fraction):
    text = f"{h}:{m:02d}:{s:02d}" + (f".{fraction}" if fraction else "")
    expected = ((h * 60 + m) * 60 + s) * 1000 + (int(fraction.ljust(3, "0")) if fraction else 0)
    assert parse_time(text) == RaceTime(expected, len(fraction))


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=LONGEST_MS), st.integers(min_value=0, max_value=3))
def test_format_then_parse_gives_back_the_time_to_the_decimals_kept(ms, decimals):
    kept = ms - ms % 10 ** (3 - decimals)
    assert parse_time(format_ms(ms, decimals)) == RaceTime(kept, decimals)


@settings(deadline=None)
@given(st.integers(min_value=LONGEST_MS + 1, max_value=999 * 3600_000 + 3599_999))
def test_a_time_past_the_longest_is_refused_with_the_limit(ms):
    with pytest.raises(LedgerError, match=r"must be at most 596:31:23\.647$"):
        parse_time(format_ms(ms, 3))


@pytest.mark.parametrize("text, ms, decimals", [
    ("2:05:31", 7_531_000, 0),
    ("2:05:31.4", 7_531_400, 1),
    ("2:05:31.40", 7_531_400, 2),
    ("2:05:31.004", 7_531_004, 3),
    ("0:00:00", 0, 0),
    ("45:10", 2_710_000, 0),
    ("5:10", 310_000, 0),
    ("05:10", 310_000, 0),
    (" 2:05:31 ", 7_531_000, 0),
])
def test_parse_accepts_the_documented_shapes(text, ms, decimals):
    assert parse_time(text) == RaceTime(ms, decimals)


def test_trailing_zero_decimals_are_kept_as_given():
    assert str(parse_time("2:05:31.40")) == "2:05:31.40"
    assert str(parse_time("2:05:31.4")) == "2:05:31.4"


def test_a_time_without_hours_is_written_back_with_hours():
    assert str(parse_time("45:10")) == "0:45:10"


@pytest.mark.parametrize("text", [
    "25:99:00", "abc", "-1:00:00", "", "2:05:60", "2:60:00", "1:00:00.1234",
    "2:05:31.", "2h05m31s", "2:05:31,4", "1:2:3:4",
])
def test_parse_rejects_malformed_times_with_a_ledger_error(text):
    with pytest.raises(LedgerError, match=r"^bad time "):
        parse_time(text)


def test_parse_error_names_the_text_and_the_expected_shape():
    with pytest.raises(LedgerError) as info:
        parse_time("abc")
    assert str(info.value) == "bad time 'abc': expected H:MM:SS, M:SS or MM:SS (e.g. 2:05:31 or 2:05:31.4)"


def test_parse_error_names_the_text_without_its_surrounding_spaces():
    with pytest.raises(LedgerError) as info:
        parse_time(" 2:31:60 ")
    assert str(info.value) == "bad time '2:31:60': seconds must be below 60"


def test_parse_error_says_minutes_are_out_of_range():
    with pytest.raises(LedgerError) as info:
        parse_time("25:99:00")
    assert str(info.value) == "bad time '25:99:00': minutes must be below 60"


@settings(deadline=None)
@given(st.text(max_size=20))
def test_parse_of_any_text_gives_a_time_or_a_ledger_error(text):
    try:
        parsed = parse_time(text)
    except LedgerError:
        return
    assert parsed.ms >= 0 and 0 <= parsed.decimals <= 3


@pytest.mark.parametrize("text, ms", [("1", 1000), ("0.5", 500), ("0", 0), ("2.25", 2250), ("0:01", 1000)])
def test_tolerance_is_seconds_or_a_time(text, ms):
    assert parse_tolerance(text) == ms


@pytest.mark.parametrize("text", ["x", "-1", "1s", ""])
def test_tolerance_rejects_what_is_not_a_duration(text):
    with pytest.raises(LedgerError):
        parse_tolerance(text)

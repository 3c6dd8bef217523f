"""Race times: parsed to integer milliseconds, keeping how many decimals the source gave."""

from __future__ import annotations

import re
from typing import NamedTuple

from ledger.core import limits
from ledger.core.errors import LedgerError

LONGEST_MS = limits.WHOLES["time"].most  # 596:31:23.647, the most an integer column holds
_TIME = re.compile(r"^(?:(\d{1,3}):)?(\d{1,2}):(\d{2})(?:\.(\d{1,3}))?$")


class RaceTime(NamedTuple):
    """A time as a source gave it; a tuple, so a results file's rows unpack it at no cost."""

    ms: int
    decimals: int = 0

    def __str__(self) -> str:
        return format_ms(self.ms, self.decimals)


def parse_time(text: str) -> RaceTime:
    """Parse H:MM:SS, M:SS or MM:SS with an optional .f/.ff/.fff fraction, kept exactly."""
    text = text.strip()
    match = _TIME.match(text)
    if not match:
        raise LedgerError(f"bad time {text!r}: expected H:MM:SS, M:SS or MM:SS (e.g. 2:05:31 or 2:05:31.4)")
    hours, minutes, seconds, fraction = match.groups()
    minute, second = int(minutes), int(seconds)  # each converted once: a finish order parses every line
    if hours is not None and minute >= 60:
        raise LedgerError(f"bad time {text!r}: minutes must be below 60")
    if second >= 60:
        raise LedgerError(f"bad time {text!r}: seconds must be below 60")
    ms = (((int(hours) * 60 if hours else 0) + minute) * 60 + second) * 1000
    if fraction:
        ms += int(fraction.ljust(3, "0"))
    if ms > LONGEST_MS:
        raise LedgerError(f"bad time {text!r}: must be at most {format_ms(LONGEST_MS, 3)}")
    return RaceTime(ms, len(fraction) if fraction else 0)


# "MM:SS" for each second of an hour: a report formats every claim's times. Made on first use, so
# that a command formatting one time (verify-proof) does not make 3,600 strings at start.
_MINUTES_SECONDS: list[str] = []


def _minutes_seconds() -> list[str]:
    _MINUTES_SECONDS.extend(f"{m:02d}:{s:02d}" for m in range(60) for s in range(60))
    return _MINUTES_SECONDS


def format_ms(ms: int, decimals: int = 0) -> str:
    """H:MM:SS, with as many decimals as were recorded."""
    seconds, millis = divmod(ms, 1000)
    hours, rest = divmod(seconds, 3600)
    table = _MINUTES_SECONDS or _minutes_seconds()
    if decimals:
        return f"{hours}:{table[rest]}." + f"{millis:03d}"[:decimals]
    return f"{hours}:{table[rest]}"


def parse_tolerance(text: str) -> int:
    """A tolerance in seconds (`1`, `0.5`) or as a time (`0:01`), returned in milliseconds."""
    match = re.fullmatch(r"(\d{1,5})(?:\.(\d{1,3}))?", text.strip())
    if match:
        whole, fraction = match.groups()
        return int(whole) * 1000 + (int((fraction or "").ljust(3, "0")) if fraction else 0)
    try:
        return parse_time(text).ms
    except LedgerError:
        raise LedgerError(f"bad tolerance {text!r}: expected seconds (1, 0.5) or a time (0:01)") from None

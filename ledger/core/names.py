"""Name keys for matching athletes: insensitive to case, accents, hyphens and spacing."""

from __future__ import annotations

import re
import unicodedata

# Letters that carry no combining mark in Unicode, so NFKD alone does not fold them.
_FOLD = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "ss",
                       "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ı": "i", "þ": "th", "ð": "d"})
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.,'’`]+")


# The separators above that are ASCII, for the fast path (whitespace is handled by str.split).
_ASCII_SEPARATORS = str.maketrans("-_.,'`", "      ")


def name_key(name: str) -> str:
    """`Pak Kum-dong`, `PAK KUM DONG` and `Pak Kum Dong` share one key; so do `Kopeć` and `kopec`.

    Names in ASCII, or in Latin letters that fold to ASCII one by one (most of a results file),
    take a fast path that gives the same key: a bulk import computes one key per row.
    """
    if not name.isascii():
        folded = name.translate(_LATIN)
        if not folded.isascii():
            return slow_name_key(name)
        name = folded
    return " ".join(name.translate(_ASCII_SEPARATORS).lower().split())


def slow_name_key(name: str) -> str:
    """The general rule: fold letters, strip accents, casefold, one space between parts."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_FOLD))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", stripped.casefold()).strip()


def _latin_table() -> dict[int, str]:
    """Each Latin-1 and Latin Extended-A letter (and the dashes and apostrophe above) as the ASCII
    the general rule turns it into, where it turns into ASCII on its own."""
    table = {}
    for code in range(0x80, 0x250):
        char = chr(code)
        decomposed = unicodedata.normalize("NFKD", char.translate(_FOLD))
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
        if folded.isascii() and (folded.isalpha() or folded == "") and not unicodedata.combining(char):
            table[code] = folded
    for char in "‐‑‒–—’":
        table[ord(char)] = " "
    return table


_LATIN = _latin_table()


def order_free(key: str) -> str:
    """A name key with its parts in sorted order: `Korir, Wesley` and `Wesley Korir` give one."""
    return " ".join(sorted(key.split()))


def compatible(a: str, b: str) -> bool:
    """Two names that may be one runner's: the same key, whatever the order of its parts."""
    return order_free(name_key(a)) == order_free(name_key(b))

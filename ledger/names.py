"""Name keys for matching athletes: insensitive to case, accents, hyphens and spacing."""

from __future__ import annotations

import re
import unicodedata

# Letters that carry no combining mark in Unicode, so NFKD alone does not fold them.
_FOLD = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "ss",
                       "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ı": "i", "þ": "th", "ð": "d"})
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.,'’`]+")


def name_key(name: str) -> str:
    """`Pak Kum-dong`, `PAK KUM DONG` and `Pak Kum Dong` share one key; so do `Kopeć` and `kopec`."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_FOLD))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", stripped.casefold()).strip()

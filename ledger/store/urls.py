"""Database URLs as people see them: a password never leaves this module unmasked."""

from __future__ import annotations

import re
from urllib.parse import quote

from sqlalchemy.engine import URL

MASK = "***"
# Query parameters libpq (and so psycopg) reads as secrets.
SECRET_PARAMS = frozenset({"password", "sslpassword", "passfile"})
# Greedy to the last '@': an unescaped '@' in a password is masked too, never shown in part.
_RAW_USERINFO = re.compile(r"(://[^:/@?#]*:).*@")
_RAW_PARAM = re.compile(r"(?i)([?&](?:%s)=)[^&#]*" % "|".join(sorted(SECRET_PARAMS)))


def masked(url: URL) -> str:
    """The URL with its password and any secret query parameter replaced by ***."""
    query = {key: (MASK if key.lower() in SECRET_PARAMS else value) for key, value in url.query.items()}
    return url.set(query=query).render_as_string(hide_password=True).replace("%2A%2A%2A", MASK)


def mask_text(raw: str) -> str:
    """For a URL string that could not be parsed: mask what looks like a password anyway."""
    return _RAW_PARAM.sub(rf"\g<1>{MASK}", _RAW_USERINFO.sub(rf"\g<1>{MASK}@", raw))


def secrets_of(url: URL) -> list[str]:
    """Every secret in the URL, raw and percent-encoded, longest first (for scrubbing messages)."""
    values = [url.password] if url.password else []
    for key, value in url.query.items():
        if key.lower() in SECRET_PARAMS:
            values.extend([value] if isinstance(value, str) else value)
    found = {text for value in values if value for text in (str(value), quote(str(value), safe=""))}
    return sorted(found, key=len, reverse=True)


def scrub(message: str, url: URL | None = None) -> str:
    """A driver's message on one line, with any secret of `url` masked (libpq may echo a conninfo)."""
    text = " ".join(str(message).split())
    for secret in secrets_of(url) if url is not None else []:
        text = text.replace(secret, MASK)
    return mask_text(text)

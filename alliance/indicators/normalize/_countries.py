"""ISO 3166-1 alpha-2 country codes, for the `country` field of indicator values."""

from __future__ import annotations

import pycountry

from alliance.errors import InvalidInput

# The officially assigned codes (pycountry's ISO 3166-1 table), plus XK (Kosovo): a
# user-assigned code that registries, phone numbering and postal services use.
_ISO_3166_ALPHA_2 = frozenset(c.alpha_2 for c in pycountry.countries) | {"XK"}

# Spellings people use for a country that are not its ISO code.
_ALIASES = {"UK": "GB", "EL": "GR"}


def normalize_country(text: str | None, *, field: str = "country") -> str:
    """The ISO 3166-1 alpha-2 code for `text`, upper case; InvalidInput if none."""
    if text is None or not text.strip():
        raise InvalidInput("A country (ISO 3166-1 alpha-2 code) is required.", field=field)
    code = text.strip().upper()
    code = _ALIASES.get(code, code)
    if code not in _ISO_3166_ALPHA_2:
        raise InvalidInput(
            f"{text.strip()!r} is not an ISO 3166-1 alpha-2 country code such as 'CN' or 'DE'.",
            field=field,
        )
    return code

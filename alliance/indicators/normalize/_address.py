"""ADDRESS: structured postal address fields with an ISO country.

The key only absorbs differences in spelling that never change the place: case,
punctuation, white space and full-width characters. It does not expand abbreviations
("Rd" and "Road" differ) or transliterate: matching such variants is a search concern.
"""

from __future__ import annotations

import re

from alliance.errors import InvalidInput
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.normalize._countries import normalize_country
from alliance.indicators.normalize._text import canonical, clean_identifier
from alliance.indicators.normalize._values import IndicatorValue, Normalized

# Anything but letters and digits (in any script): a word separator in names, noise
# in postal codes.
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")


def _optional(text: str | None, *, field: str, what: str) -> str:
    if text is None or not text.strip():
        return ""
    return clean_identifier(text, field=field, what=what)


def _words(text: str) -> str:
    return canonical(_NOT_ALPHANUMERIC.sub(" ", text).strip().casefold())


def normalize_address(kind: IndicatorKind, value: IndicatorValue) -> Normalized:
    """ADDRESS: street lines (`value`) and `country` required; city, region, postal code
    optional.

    The key is "country|postal code|region|city|street", each part in lower case with
    punctuation and repeated spaces removed (postal codes: upper-case letters and
    digits only).
    """
    country = normalize_country(value.country)
    street = clean_identifier(value.value, field="value", what="The street address")
    if not _words(street):
        raise InvalidInput("The street address has no letters or digits.", field="value")
    locality = _optional(value.locality, field="locality", what="The city")
    region = _optional(value.region, field="region", what="The region")
    postal_code = _optional(value.postal_code, field="postal_code", what="The postal code")
    postal_key = canonical(_NOT_ALPHANUMERIC.sub("", postal_code).upper())
    key = "|".join((country, postal_key, _words(region), _words(locality), _words(street)))
    display = ", ".join(part for part in (street, postal_code, locality, region, country) if part)
    extra = {"country": country}
    return Normalized(kind=kind, match_key=key, display=display, extra=extra)

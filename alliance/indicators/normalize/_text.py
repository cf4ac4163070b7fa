"""Text clean-up shared by the normalisers."""

from __future__ import annotations

import re
import unicodedata

from alliance.errors import InvalidInput
from alliance.indicators.normalize._plain import plain_identifier

# Longest raw value accepted for any kind (long URLs are the longest real values).
MAX_VALUE_LENGTH = 2048
# Longest identifier (account id, handle, listing id, registry id, address field).
MAX_IDENTIFIER_LENGTH = 256

_WHITESPACE = re.compile(r"\s+")


def require_text(text: str | None, *, field: str, what: str) -> str:
    """Return `text` stripped; raise InvalidInput if missing, blank or too long."""
    if text is None or not text.strip():
        raise InvalidInput(f"{what} is required.", field=field)
    if len(text) > MAX_VALUE_LENGTH:
        raise InvalidInput(f"{what} is longer than {MAX_VALUE_LENGTH} characters.", field=field)
    return text.strip()


def clean_identifier(text: str | None, *, field: str, what: str) -> str:
    """Return `text` in a canonical Unicode form, fit to compare as an identifier.

    NFKC folds full-width and compatibility characters into their plain form,
    invisible format characters (zero-width spaces, used to dodge matching) are
    removed, runs of white space become one space. Control characters are refused.
    """
    stripped = require_text(text, field=field, what=what)
    cleaned = (
        stripped
        if plain_identifier(stripped)
        else _cleaned_unicode(stripped, what=what, field=field)
    )
    if len(cleaned) > MAX_IDENTIFIER_LENGTH:
        raise InvalidInput(
            f"{what} is longer than {MAX_IDENTIFIER_LENGTH} characters.", field=field
        )
    return cleaned


def _cleaned_unicode(stripped: str, *, what: str, field: str) -> str:
    folded = unicodedata.normalize("NFKC", stripped)
    if any(unicodedata.category(char) == "Cc" and not char.isspace() for char in folded):
        raise InvalidInput(f"{what} contains control characters.", field=field)
    visible = "".join(char for char in folded if unicodedata.category(char) != "Cf")
    cleaned = _WHITESPACE.sub(" ", visible).strip()
    if not cleaned:
        raise InvalidInput(f"{what} is required.", field=field)
    return cleaned


def canonical(text: str) -> str:
    """`text` in NFKC form again, after edits (removed characters, case) may undo it."""
    return unicodedata.normalize("NFKC", text)


def looks_like_url(text: str) -> bool:
    """Whether `text` is a URL pasted where an id was expected."""
    lowered = text.lower()
    return "://" in lowered or lowered.startswith("www.")

"""The characters no text input may hold, wherever it enters (GraphQL, OAuth, login forms).

Refused: control characters — C0 but tab, line feed and carriage return, DEL, C1 — and
lone surrogates, which no UTF-8 database can store. Tab, line feed and carriage return
are white space: multi-line text (notes, messages, the agreement) needs them, and
single-line values (names, identifiers, codes) fold white space where they are cleaned.
"""

from __future__ import annotations

import re

_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

ALLOWED_CONTROLS = "tab, line feed and carriage return"


def refused_character(text: str) -> str | None:
    """The first character of `text` that no input may hold, or None if there is none."""
    found = _REFUSED.search(text)
    return None if found is None else found.group()


def describe_refusal(what: str, character: str) -> str:
    """The message for `what` holding the refused `character` (named by code point)."""
    return (
        f"{what} contains the control character U+{ord(character):04X}; "
        f"text may hold {ALLOWED_CONTROLS}, but no other control character."
    )

"""Form and query parameters of the HTTP endpoints outside GraphQL, decoded strictly.

A parameter that is not UTF-8 or holds a character `alliance.text` refuses makes the whole
request malformed: the app answers `400 invalid_request` (RFC 6749 §5.2) before anything
reads it, so no database ever sees it.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl

from alliance.text import describe_refusal, refused_character

MAX_FIELDS = 100


class MalformedRequest(ValueError):
    """The request's parameters cannot be read as text; `str()` says why, for the caller."""


def require_clean(items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """`items`, or `MalformedRequest` naming the first parameter holding a refused character."""
    checked = list(items)
    for key, value in checked:
        character = refused_character(key) or refused_character(value)
        if character is not None:
            raise MalformedRequest(describe_refusal(f"The parameter {key!r}", character))
    return checked


def parse_query(text: str) -> list[tuple[str, str]]:
    """The fields of an urlencoded string, or `MalformedRequest` if they are not clean UTF-8."""
    try:
        items = parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise MalformedRequest("A parameter is not UTF-8 once percent-decoded.") from None
    except ValueError:
        raise MalformedRequest(f"A request has at most {MAX_FIELDS} parameters.") from None
    return require_clean(items)


def parse_form(body: bytes) -> list[tuple[str, str]]:
    """The fields of an urlencoded body, or `MalformedRequest` if they are not clean UTF-8."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedRequest("The form is not UTF-8.") from None
    return parse_query(text)

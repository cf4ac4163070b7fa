"""Cursor pages for list services: opaque cursors over a keyset, `first` capped at 100."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from alliance.errors import InvalidInput

T = TypeVar("T")
MAX_PAGE = 100


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    cursors: Sequence[str]
    has_next_page: bool
    total_count: int


@dataclass(frozen=True, slots=True)
class Total:
    """How many items a list holds: exact, or (for very long lists) an estimate."""

    value: int
    exact: bool = True


def encode_cursor(key: Sequence[str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode()


def decode_cursor(cursor: str | None, *, size: int) -> list[str] | None:
    """The keyset a cursor stands for; a cursor we did not issue is a field error."""
    if cursor is None:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        key = None
    if not isinstance(key, list) or len(key) != size or not all(isinstance(k, str) for k in key):
        raise InvalidInput("This cursor is not one the service issued.", field="after")
    return key


def require_page_size(first: int) -> int:
    if not 0 <= first <= MAX_PAGE:
        raise InvalidInput(f"`first` must be between 0 and {MAX_PAGE}.", field="first")
    return first

"""Global ids: opaque to callers; a malformed id is answered like a missing record."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable

from strawberry.relay import GlobalID

from alliance.errors import NotFound


def to_global_id(type_name: str, value: uuid.UUID) -> str:
    return str(GlobalID(type_name, str(value)))


@functools.lru_cache(maxsize=4096)
def parse_global_id(value: str) -> tuple[str, uuid.UUID] | None:
    """(type name, uuid) of a well-formed global id; None for anything else. Cached: the
    items of a bulk call name the same few brands thousands of times."""
    try:
        global_id = GlobalID.from_id(value)
        return global_id.type_name, uuid.UUID(global_id.node_id)
    except (ValueError, TypeError):
        return None


def require_id(value: str, type_name: str, *, field: str | None = "id") -> uuid.UUID:
    """The uuid inside a global id of `type_name`, or `NotFound` naming `field`."""
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] != type_name:
        raise NotFound(type_name.lower(), field=field)
    return parsed[1]


def require_ids(values: Iterable[str], type_name: str, *, field: str) -> tuple[uuid.UUID, ...]:
    """The uuids inside global ids of `type_name`; `NotFound` naming `field` for any other."""
    return tuple(require_id(value, type_name, field=field) for value in values)

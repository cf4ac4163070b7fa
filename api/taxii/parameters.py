"""TAXII 2.1 query parameters (§3.4): `added_after`, `limit`, `next`, `match[...]`."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request

from alliance.stix.collections import MAX_MATCH_IDS, ObjectFilter, timestamp

DEFAULT_LIMIT = 100
MAX_LIMIT = 1_000
VERSION_KEYWORDS = frozenset({"first", "last", "all"})


class BadParameter(ValueError):
    """A query parameter this server cannot read (answered 400)."""


def _moment(text: str, name: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadParameter(
            f"`{name}` is not a timestamp (e.g. 2026-01-31T12:00:00.000Z)."
        ) from None
    if moment.tzinfo is None:
        raise BadParameter(f"`{name}` needs a time zone: end it with Z.")
    return moment.astimezone(dt.UTC)


def _listed(request: Request, name: str) -> frozenset[str] | None:
    # A filter may repeat or hold comma-separated values (§3.4.1): both are one list.
    values = [v.strip() for raw in request.query_params.getlist(name) for v in raw.split(",")]
    return frozenset(v for v in values if v) if values else None


def _versions(request: Request) -> frozenset[str] | None:
    versions = _listed(request, "match[version]")
    if versions is None:
        return None
    return frozenset(
        v if v in VERSION_KEYWORDS else timestamp(_moment(v, "match[version]")) for v in versions
    )


def object_filter(request: Request, *, with_id: bool = True) -> ObjectFilter:
    """The filters of a request (match[id] and match[type] only where `with_id`)."""
    added_after = request.query_params.get("added_after")
    ids = _listed(request, "match[id]") if with_id else None
    if ids is not None and len(ids) > MAX_MATCH_IDS:
        raise BadParameter(f"`match[id]` takes at most {MAX_MATCH_IDS:,} ids.")
    return ObjectFilter(
        added_after=None if added_after is None else _moment(added_after, "added_after"),
        ids=ids,
        types=_listed(request, "match[type]") if with_id else None,
        versions=_versions(request),
        spec_versions=_listed(request, "match[spec_version]"),
    )


def limit(request: Request) -> int:
    """`limit`: 1 to MAX_LIMIT; DEFAULT_LIMIT where absent."""
    text = request.query_params.get("limit")
    if text is None:
        return DEFAULT_LIMIT
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise BadParameter(f"`limit` is a whole number from 1 to {MAX_LIMIT:,}.")
    return int(text)


def after(request: Request) -> str | None:
    """`next` of an earlier page, if any."""
    return request.query_params.get("next") or None

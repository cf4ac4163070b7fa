"""The TAXII 2.1 resources this server answers with (§4-5), built from our records."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from starlette.responses import Response

from alliance.indicators.reads import VisibleIndicator
from alliance.stix import indicator_sdo, stix_id, version
from alliance.stix.collections import Collection, ObjectsPage, timestamp
from api.taxii.responses import STIX_MEDIA, TAXII_MEDIA, taxii_json

__all__ = ["api_root", "collection", "discovery", "envelope", "manifest", "versions"]


def discovery(base_url: str, api_root: str) -> dict[str, Any]:
    root = f"{base_url}{api_root}/"
    return {
        "title": "Alliance TAXII server",
        "description": "Read-only TAXII 2.1 over the indicators your member may list.",
        "default": root,
        "api_roots": [root],
    }


def api_root(max_content_length: int) -> dict[str, Any]:
    return {
        "title": "Alliance",
        "description": "The alliance's shared indicators, as STIX 2.1 indicator objects.",
        "versions": [TAXII_MEDIA],
        "max_content_length": max_content_length,
    }


def collection(found: Collection) -> dict[str, Any]:
    return {
        "id": found.id,
        "title": found.title,
        "description": found.description,
        "can_read": True,
        "can_write": False,
        "media_types": [STIX_MEDIA],
    }


def _date_headers(items: Sequence[VisibleIndicator]) -> dict[str, str]:
    if not items:
        return {}
    added = sorted(version(item) for item in items)
    return {
        "X-TAXII-Date-Added-First": timestamp(added[0]),
        "X-TAXII-Date-Added-Last": timestamp(added[-1]),
    }


# Changes of transactions still open wait behind the page (the feed's `pending`): poll
# again soon with `next`. TAXII has no word for it; `more` stays what the feed says.
PENDING_HEADER = "X-Alliance-Pending"


def _headers(page: ObjectsPage) -> dict[str, str]:
    headers = _date_headers(page.items)
    if page.pending:
        headers[PENDING_HEADER] = "true"
    return headers


def _paged(body: dict[str, Any], page: ObjectsPage) -> dict[str, Any]:
    body["more"] = page.more
    if page.next is not None:
        # Given even when `more` is false: polling later with it resumes exactly there.
        body["next"] = page.next
    return body


def envelope(page: ObjectsPage) -> Response:
    """An envelope of the page's indicator SDOs."""
    objects = [json.loads(indicator_sdo(item).serialize()) for item in page.items]
    body = _paged({"objects": objects} if objects else {}, page)
    return taxii_json(body, headers=_headers(page))


def manifest(page: ObjectsPage) -> Response:
    """The manifest of the page's indicator SDOs."""
    records = [
        {
            "id": stix_id(item.indicator.id),
            "date_added": timestamp(version(item)),
            "version": timestamp(version(item)),
            "media_type": STIX_MEDIA,
        }
        for item in page.items
    ]
    body = _paged({"objects": records} if records else {}, page)
    return taxii_json(body, headers=_headers(page))


def versions(items: Sequence[VisibleIndicator]) -> Response:
    """The versions of one object: we keep only the current one."""
    stamps = sorted({timestamp(version(item)) for item in items})
    return taxii_json({"more": False, "versions": stamps}, headers=_date_headers(items))

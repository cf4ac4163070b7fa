"""The TAXII 2.1 resources this server answers with (§4-5), built from our records."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from starlette.responses import Response

from alliance.indicators.reads import VisibleIndicator
from alliance.stix import indicator_sdo, stix_id, version
from alliance.stix.collections import Collection, timestamp
from api.taxii.responses import STIX_MEDIA, TAXII_MEDIA, taxii_json

__all__ = ["TAXII_MEDIA", "api_root", "collection", "discovery", "envelope", "manifest"]


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


def _paged(body: dict[str, Any], *, more: bool, next_page: str | None) -> dict[str, Any]:
    body["more"] = more
    if next_page is not None:
        # Given even when `more` is false: polling later with it resumes exactly there.
        body["next"] = next_page
    return body


def envelope(items: Sequence[VisibleIndicator], *, more: bool, next_page: str | None) -> Response:
    """An envelope of the records' indicator SDOs."""
    objects = [json.loads(indicator_sdo(item).serialize()) for item in items]
    body = _paged({"objects": objects} if objects else {}, more=more, next_page=next_page)
    return taxii_json(body, headers=_date_headers(items))


def manifest(items: Sequence[VisibleIndicator], *, more: bool, next_page: str | None) -> Response:
    """The manifest of the records' indicator SDOs."""
    records = [
        {
            "id": stix_id(item.indicator.id),
            "date_added": timestamp(version(item)),
            "version": timestamp(version(item)),
            "media_type": STIX_MEDIA,
        }
        for item in items
    ]
    body = _paged({"objects": records} if records else {}, more=more, next_page=next_page)
    return taxii_json(body, headers=_date_headers(items))


def versions(items: Sequence[VisibleIndicator]) -> Response:
    """The versions of one object: we keep only the current one."""
    stamps = sorted({timestamp(version(item)) for item in items})
    return taxii_json({"more": False, "versions": stamps}, headers=_date_headers(items))

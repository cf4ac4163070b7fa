"""The per-item answers of bulk mutations (`indicatorsUpsert`, `indicatorsRetract`)."""

from __future__ import annotations

from typing import Any

from alliance.indicators.item_results import ItemResult
from schema.ids import to_global_id


def item_fields(result: ItemResult, items_field: str, *, nested: bool) -> dict[str, Any]:
    """The fields of one item's answer. A rejection's `field` is the item's path in the
    input, as `items[3].brandIds` (`nested`: the item is an object) or `ids[3]`."""
    error = result.error
    where = f"{items_field}[{result.index}]"
    if error is not None and nested and error.field:
        where = f"{where}.{error.field}"
    return {
        "index": result.index,
        "status": result.status,
        "id": None if result.id is None else to_global_id("Indicator", result.id),
        "external_id": result.external_id,
        "code": None if error is None else error.code,
        "field": None if error is None else where,
        "message": None if error is None else error.message,
    }

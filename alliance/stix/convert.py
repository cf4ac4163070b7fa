"""An indicator as one viewer may see it, in STIX 2.1: never more than GraphQL shows.

Each record becomes an `indicator` SDO (its pattern matches the value) and the value's
observable (alliance/stix/observables.py). The SDO's id is `indicator--<record id>`:
deterministic, so re-exports are idempotent, and it leads back to the record, so that
TAXII can answer `GET objects/{id}` through the viewer session without a table of ids.
(A record id is no secret from a viewer who may see the record: GraphQL's global ids
carry it too.) The owner's identity appears only where GraphQL names the owner (FULL
level or the viewer's own record, and the owner has not left the alliance); otherwise
there is no `created_by_ref`, no brand, nothing of the owner.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import stix2

from alliance.indicators.reads import VisibleIndicator
from alliance.indicators.vocabulary import IndicatorStatus
from alliance.stix.observables import (
    ALLIANCE_IDENTITY,
    CUSTOM_TYPES,
    EXTENSION_DEFINITIONS,
    NAMESPACE,
    observable,
    pattern,
)
from sharing.audience import Tlp

INDICATOR_PREFIX = "indicator--"

# TLP 2.0 labels as the TLP 1.0 marking definitions STIX 2.1 ships with: CLEAR is WHITE's
# successor; AMBER+STRICT has no 1.0 equivalent and is marked AMBER, its exact label is
# in `labels` ("tlp:amber+strict") — DESIGN §3 keeps such records to the receiving
# member's own systems, which is where a TAXII or export client is.
_MARKINGS: dict[Tlp, Any] = {
    Tlp.CLEAR: stix2.TLP_WHITE,
    Tlp.GREEN: stix2.TLP_GREEN,
    Tlp.AMBER: stix2.TLP_AMBER,
    Tlp.AMBER_STRICT: stix2.TLP_AMBER,
    Tlp.RED: stix2.TLP_RED,
}


def stix_id(record_id: uuid.UUID) -> str:
    """The STIX id of a record's indicator SDO."""
    return f"{INDICATOR_PREFIX}{record_id}"


def record_id(stix_object_id: str) -> uuid.UUID | None:
    """The record an indicator SDO id names; None for any other id."""
    if not stix_object_id.startswith(INDICATOR_PREFIX):
        return None
    try:
        return uuid.UUID(stix_object_id.removeprefix(INDICATOR_PREFIX))
    except ValueError:
        return None


def owner_identity(item: VisibleIndicator) -> Any | None:
    """The owner's identity where GraphQL names the owner; else None."""
    if item.owner_id is None or item.former or not item.owner_name:
        return None
    return stix2.v21.Identity(
        id=f"identity--{uuid.uuid5(NAMESPACE, f'member:{item.owner_id}')}",
        name=item.owner_name,
        identity_class="organization",
        created=ALLIANCE_IDENTITY.created,
        modified=ALLIANCE_IDENTITY.modified,
    )


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite gives naive UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _labels(item: VisibleIndicator) -> list[str]:
    i = item.indicator
    labels = [
        f"kind:{i.kind.value.lower()}",
        f"purpose:{i.purpose.value.lower()}",
        f"evidence:{i.evidence_level.value.lower()}",
        i.tlp.label.lower(),
    ]
    if i.platform:
        labels.append(f"platform:{i.platform}")
    if i.jurisdiction:
        labels.append(f"jurisdiction:{i.jurisdiction.lower()}")
    return labels


def _milliseconds(moment: dt.datetime) -> dt.datetime:
    moment = _utc(moment)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def version(item: VisibleIndicator) -> dt.datetime:
    """The record's version: when it last changed, to the millisecond (STIX `modified`,
    TAXII's version and date added)."""
    return max(_milliseconds(item.indicator.updated_at), _milliseconds(item.indicator.created_at))


def indicator_sdo(item: VisibleIndicator) -> Any:
    """The record's `indicator` SDO."""
    i = item.indicator
    created = _milliseconds(i.created_at)
    valid_from = _utc(i.first_seen)
    expires = None if i.expires_at is None else _utc(i.expires_at)
    owner = owner_identity(item)
    extra: dict[str, Any] = {}
    if owner is not None:
        extra["created_by_ref"] = owner.id
    if expires is not None and expires > valid_from:
        extra["valid_until"] = expires
    return stix2.v21.Indicator(
        id=stix_id(i.id),
        created=created,
        modified=version(item),
        name=f"{i.kind.value.replace('_', ' ').lower()}: {i.value}"[:250],
        description=f"Reported to the alliance; matched on {i.match_key}.",
        indicator_types=["malicious-activity"],
        pattern=pattern(i.kind, i.value, i.platform),
        pattern_type="stix",
        valid_from=valid_from,
        confidence=i.confidence,
        labels=_labels(item),
        revoked=item.status is IndicatorStatus.RETRACTED,
        object_marking_refs=[_MARKINGS[i.tlp]],
        **extra,
    )


def record_objects(item: VisibleIndicator) -> list[Any]:
    """The record's observable and its indicator SDO."""
    i = item.indicator
    return [observable(i.kind, i.value, i.platform), indicator_sdo(item)]


def _unique(objects: Iterable[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for obj in objects:
        seen.setdefault(obj.id, obj)
    return list(seen.values())


def bundle(items: Sequence[VisibleIndicator]) -> Any:
    """A bundle of the records with what they refer to: the alliance's identity, the
    extension definitions of the custom observables used, the owners' identities where
    named, the TLP markings."""
    records = [obj for item in items for obj in record_objects(item)]
    custom = {CUSTOM_TYPES[k][0] for item in items if (k := item.indicator.kind) in CUSTOM_TYPES}
    referred = [
        ALLIANCE_IDENTITY,
        *(EXTENSION_DEFINITIONS[name] for name in sorted(custom)),
        *(owner for item in items if (owner := owner_identity(item)) is not None),
        *(_MARKINGS[item.indicator.tlp] for item in items),
    ]
    return stix2.v21.Bundle(objects=_unique([*referred, *records]), allow_custom=True)

"""A `MemberPolicy` to and from the JSON body it is stored as."""

from __future__ import annotations

import uuid
from typing import Any

from sharing.audience import format_audience, parse_audience
from sharing.policy import (
    Ceiling,
    CeilingMode,
    MemberPolicy,
    RecordType,
    RegionFence,
    RuleKey,
)


def _rule(key: RuleKey) -> dict[str, Any]:
    return {"record_type": key.record_type.value, "kind": key.kind}


def _key(body: dict[str, Any]) -> RuleKey:
    return RuleKey(RecordType(body["record_type"]), body.get("kind"))


def policy_to_body(policy: MemberPolicy) -> dict[str, Any]:
    """The JSON-able body of a policy (without member id and version)."""
    return {
        "defaults": [
            {**_rule(key), "audience": format_audience(audience)}
            for key, audience in policy.defaults.items()
        ],
        "ceilings": [
            {**_rule(key), "audience": format_audience(c.audience), "mode": c.mode.value}
            for key, c in policy.ceilings.items()
        ],
        "standing_excludes": sorted(str(m) for m in policy.standing_excludes),
        "fences": [
            {"data_region": f.data_region, "to_region": f.to_region, "basis": f.transfer_basis}
            for f in sorted(policy.fences, key=lambda f: (f.data_region, f.to_region))
        ],
        "count_in_aggregates": policy.count_in_aggregates,
    }


def policy_from_body(member_id: uuid.UUID, version: int, body: dict[str, Any]) -> MemberPolicy:
    """The policy a stored body describes."""
    return MemberPolicy(
        member_id=member_id,
        version=max(version, 1),
        defaults={_key(d): parse_audience(d["audience"]) for d in body.get("defaults", [])},
        ceilings={
            _key(c): Ceiling(parse_audience(c["audience"]), CeilingMode(c["mode"]))
            for c in body.get("ceilings", [])
        },
        standing_excludes=frozenset(uuid.UUID(m) for m in body.get("standing_excludes", [])),
        fences=frozenset(
            RegionFence(f["data_region"], f["to_region"], f.get("basis"))
            for f in body.get("fences", [])
        ),
        count_in_aggregates=bool(body.get("count_in_aggregates", False)),
    )

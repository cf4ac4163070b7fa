"""A member's sharing policy as its admins read it."""

from __future__ import annotations

import strawberry

from schema.enums import CeilingMode, RecordType
from schema.ids import to_global_id
from sharing.audience import format_audience
from sharing.policy import MemberPolicy


@strawberry.type(description="A default or ceiling: the audience for one record type and kind.")
class PolicyRule:
    record_type: RecordType
    kind: str | None = strawberry.field(description="Null: every kind of the record type.")
    audience: str = strawberry.field(description="Text form; empty: the owner only.")
    mode: CeilingMode | None = strawberry.field(description="CLIP or REFUSE; null for defaults.")


@strawberry.type(description="Personal data from one region may not reach another.")
class RegionFence:
    data_region: str
    to_region: str
    transfer_basis: str | None


@strawberry.type(name="MemberPolicy", description="A version of a member's sharing policy.")
class MemberPolicyType:
    member_id: strawberry.ID
    version: int = strawberry.field(description="0: the built-in default (owner only).")
    defaults: list[PolicyRule]
    ceilings: list[PolicyRule]
    standing_excludes: list[strawberry.ID]
    fences: list[RegionFence]
    count_in_aggregates: bool

    @classmethod
    def from_domain(cls, policy: MemberPolicy, version: int) -> MemberPolicyType:
        return cls(
            member_id=strawberry.ID(to_global_id("Member", policy.member_id)),
            version=version,
            defaults=[
                PolicyRule(
                    record_type=key.record_type,
                    kind=key.kind,
                    audience=format_audience(audience),
                    mode=None,
                )
                for key, audience in policy.defaults.items()
            ],
            ceilings=[
                PolicyRule(
                    record_type=key.record_type,
                    kind=key.kind,
                    audience=format_audience(ceiling.audience),
                    mode=ceiling.mode,
                )
                for key, ceiling in policy.ceilings.items()
            ],
            standing_excludes=[
                strawberry.ID(to_global_id("Member", m)) for m in sorted(policy.standing_excludes)
            ],
            fences=[
                RegionFence(
                    data_region=f.data_region,
                    to_region=f.to_region,
                    transfer_basis=f.transfer_basis,
                )
                for f in sorted(policy.fences, key=lambda f: (f.data_region, f.to_region))
            ],
            count_in_aggregates=policy.count_in_aggregates,
        )

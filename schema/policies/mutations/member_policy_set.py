from __future__ import annotations

import uuid
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.indicators.drafts import parse_requested_audience
from alliance.policies import service as policy_service
from schema.capabilities import mutation_field, requires
from schema.context import Info
from schema.enums import CeilingMode, IndicatorKind, RecordType
from schema.errors import MutationError
from schema.ids import require_id
from schema.mutations import run_mutation
from schema.policies.background import reapply_later
from sharing import Scope
from sharing.audience import PRIVATE
from sharing.policy import Ceiling, MemberPolicy, RegionFence, RuleKey


@strawberry.type(description="Why memberPolicySet failed.")
class MemberPolicySetError(MutationError):
    pass


@strawberry.input(description="The audience used when a write gives none.")
class PolicyDefaultInput:
    record_type: RecordType
    kind: IndicatorKind | None = strawberry.field(default=None, description="Null: every kind.")
    audience: str


@strawberry.input(description="The widest audience allowed; CLIP narrows, REFUSE refuses.")
class PolicyCeilingInput:
    record_type: RecordType
    kind: IndicatorKind | None = strawberry.field(default=None, description="Null: every kind.")
    audience: str
    mode: CeilingMode = CeilingMode.CLIP


@strawberry.input(description="Personal data from one region may not reach another.")
class RegionFenceInput:
    data_region: str
    to_region: str
    transfer_basis: str | None = strawberry.field(
        default=None, description="A recorded basis lifts the fence."
    )


@strawberry.input(description="A member's whole sharing policy; it replaces the current one.")
class MemberPolicySetInput:
    member_id: strawberry.ID
    defaults: list[PolicyDefaultInput] = strawberry.field(default_factory=list)
    ceilings: list[PolicyCeilingInput] = strawberry.field(default_factory=list)
    standing_excludes: list[strawberry.ID] = strawberry.field(default_factory=list)
    fences: list[RegionFenceInput] = strawberry.field(default_factory=list)
    count_in_aggregates: bool = False

    def to_domain(self) -> MemberPolicy:
        def key(rule: PolicyDefaultInput | PolicyCeilingInput) -> RuleKey:
            return RuleKey(rule.record_type, None if rule.kind is None else rule.kind.value)

        return MemberPolicy(
            member_id=require_id(self.member_id, "Member", field="memberId"),
            defaults={
                key(d): parse_requested_audience(d.audience) or PRIVATE for d in self.defaults
            },
            ceilings={
                key(c): Ceiling(parse_requested_audience(c.audience) or PRIVATE, c.mode)
                for c in self.ceilings
            },
            standing_excludes=frozenset(
                require_id(m, "Member", field="standingExcludes") for m in self.standing_excludes
            ),
            fences=frozenset(
                # Region codes are upper case; whether they exist, the service checks.
                RegionFence(
                    f.data_region.strip().upper(), f.to_region.strip().upper(), f.transfer_basis
                )
                for f in self.fences
            ),
            count_in_aggregates=self.count_in_aggregates,
        )


@strawberry.type
class MemberPolicySetPayload:
    errors: list[MemberPolicySetError]
    version: int | None = strawberry.field(default=None, description="The new version.")
    reapplied: int | None = strawberry.field(
        default=None,
        description=(
            "How many of your member's records were re-applied at once; null when it holds so "
            "many that they are narrowed at once and widened in batches after this call."
        ),
    )


async def resolve(info: Info, input: MemberPolicySetInput) -> MemberPolicySetPayload:
    viewer = info.context.viewer
    deferred: list[uuid.UUID] = []

    async def operation(session: AsyncSession) -> dict[str, Any]:
        policy = input.to_domain()
        _, version, reapplied = await policy_service.set_policy(
            session, viewer=viewer, policy=policy, inline_limit=info.context.reapply.inline_limit
        )
        if reapplied is None:
            deferred.append(policy.member_id)
        return {"version": version, "reapplied": reapplied}

    payload: MemberPolicySetPayload = await run_mutation(
        info, payload=MemberPolicySetPayload, error=MemberPolicySetError, operation=operation
    )
    if not payload.errors and deferred:
        reapply_later(info.context.database, info.context.reapply)
    return payload


member_policy_set = mutation_field(
    resolve,
    capability=requires(Scope.MEMBERS_MANAGE),
    description=(
        "Set your member's sharing policy (a new version, audited); existing records are "
        "re-applied at once, or in batches for members with very many records. Only the "
        "member's own admins set it; for anyone else the member looks missing."
    ),
    payload=MemberPolicySetPayload,
    error=MemberPolicySetError,
)

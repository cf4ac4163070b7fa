from __future__ import annotations

import uuid

import strawberry
from strawberry import relay

from alliance.members.models import Member
from schema.brands.types import BrandType
from schema.context import Info
from schema.enums import DataDisposition, MemberStatus
from schema.regions.types import RegionType
from schema.users.loaders import users_by_member_loader
from schema.users.types import UserType


@strawberry.type(name="Member", description="A rights holder of the alliance.")
class MemberType(relay.Node):
    id: relay.NodeID[str]
    legal_name: str
    region: RegionType
    status: MemberStatus
    brands: list[BrandType]
    accepted_agreement_version: int | None
    data_disposition: DataDisposition | None
    member_id: strawberry.Private[uuid.UUID]

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="The member's users; null unless you administer this member."
    )
    async def users(self, info: Info) -> list[UserType] | None:
        loader = info.context.loader("users_by_member", users_by_member_loader)
        users = await loader.load(self.member_id)
        return None if users is None else [UserType.from_model(u) for u in users]

    @classmethod
    def from_model(cls, member: Member) -> MemberType:
        return cls(
            id=str(member.id),
            member_id=member.id,
            legal_name=member.legal_name,
            region=RegionType.from_model(member.region),
            status=member.status,
            brands=[BrandType.from_model(b) for b in member.brands],
            accepted_agreement_version=member.accepted_agreement_version,
            data_disposition=member.data_disposition,
        )

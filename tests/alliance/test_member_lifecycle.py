"""The member status machine of DESIGN §2, driven through GraphQL by an alliance admin."""

from __future__ import annotations

import pytest

from alliance.members.models import Member
from schema.ids import to_global_id
from sharing import MemberStatus
from tests.fixtures.graphql import Api
from tests.fixtures.world import World

INVITE = """mutation($name: String!, $region: String!) {
  memberInvite(input: {legalName: $name, region: $region}) {
    member { id legalName status region { code } }
    errors { code field message }
  }
}"""

TRANSITION = """mutation($id: ID!) {
  %s(id: $id) { member { status } errors { code field message } }
}"""

OFFBOARD = """mutation($id: ID!, $disposition: DataDisposition!) {
  memberOffboard(id: $id, dataDisposition: $disposition) {
    member { status dataDisposition } errors { code field message }
  }
}"""

ACCEPT = """mutation($version: Int!) {
  agreementAccept(version: $version) { member { acceptedAgreementVersion } errors { code field } }
}"""


async def _transition(api: Api, token: str, operation: str, member: Member) -> dict[str, object]:
    data = await api.query(
        TRANSITION % operation, {"id": to_global_id("Member", member.id)}, token=token
    )
    payload: dict[str, object] = data[operation]
    return payload


async def test_invite_accept_activate_suspend_reinstate_offboard(api: Api, world: World) -> None:
    # given an alliance admin and a published agreement
    version = await world.agreement()
    admin = world.token(await world.alliance_admin())
    # when the admin invites a member
    invited = (
        await api.query(INVITE, {"name": "  Nova   Brands SE ", "region": "EU"}, token=admin)
    )["memberInvite"]
    assert invited["errors"] == []
    assert invited["member"]["legalName"] == "Nova Brands SE"
    assert invited["member"]["status"] == "INVITED"
    member_id = invited["member"]["id"]

    # then it cannot be activated before its admin accepts the agreement
    refused = await api.query(TRANSITION % "memberActivate", {"id": member_id}, token=admin)
    assert refused["memberActivate"]["errors"][0]["code"] == "AGREEMENT_REQUIRED"
    assert refused["memberActivate"]["member"] is None

    # when its first admin (invited by the alliance admin) accepts
    invite_user = """mutation($member: ID!) { userInvite(input: {memberId: $member,
        email: "boss@nova.example", roles: [MEMBER_ADMIN]}) { user { id } errors { code } } }"""
    assert (await api.query(invite_user, {"member": member_id}, token=admin))["userInvite"][
        "errors"
    ] == []
    async with world.db.session() as session:
        from alliance.users import service as user_service

        boss = await user_service.by_email(session, "boss@nova.example")
    assert boss is not None
    accepted = await api.query(ACCEPT, {"version": version}, token=world.token(boss))
    assert accepted["agreementAccept"] == {
        "member": {"acceptedAgreementVersion": version},
        "errors": [],
    }

    # then the member moves along its status machine
    for operation, status in [
        ("memberActivate", "ACTIVE"),
        ("memberSuspend", "SUSPENDED"),
        ("memberReinstate", "ACTIVE"),
    ]:
        payload = (await api.query(TRANSITION % operation, {"id": member_id}, token=admin))[
            operation
        ]
        assert payload == {"member": {"status": status}, "errors": []}
    offboarded = await api.query(
        OFFBOARD, {"id": member_id, "disposition": "WITHDRAW"}, token=admin
    )
    assert offboarded["memberOffboard"] == {
        "member": {"status": "OFFBOARDED", "dataDisposition": "WITHDRAW"},
        "errors": [],
    }


ILLEGAL = [
    (MemberStatus.ACTIVE, "memberActivate"),
    (MemberStatus.ACTIVE, "memberReinstate"),
    (MemberStatus.SUSPENDED, "memberSuspend"),
    (MemberStatus.SUSPENDED, "memberActivate"),
    (MemberStatus.INVITED, "memberSuspend"),
    (MemberStatus.INVITED, "memberReinstate"),
    (MemberStatus.OFFBOARDED, "memberReinstate"),
    (MemberStatus.OFFBOARDED, "memberActivate"),
    (MemberStatus.OFFBOARDED, "memberSuspend"),
]


@pytest.mark.parametrize(("status", "operation"), ILLEGAL)
async def test_illegal_transitions_are_typed_errors_and_change_nothing(
    api: Api, world: World, status: MemberStatus, operation: str
) -> None:
    member = await world.member(status=status)
    admin = world.token(await world.alliance_admin())
    before = await world.audit_actions()

    payload = await _transition(api, admin, operation, member)

    assert payload["member"] is None
    assert payload["errors"] == [
        {
            "code": "ILLEGAL_TRANSITION",
            "field": "id",
            "message": payload["errors"][0]["message"],  # type: ignore[index]
        }
    ]
    assert str(status) in payload["errors"][0]["message"]  # type: ignore[index]
    assert (await world.reload_member(member)).status is status
    assert await world.audit_actions() == before


async def test_offboarding_an_invited_member_is_illegal(api: Api, world: World) -> None:
    member = await world.member(status=MemberStatus.INVITED)
    admin = world.token(await world.alliance_admin())
    data = await api.query(
        OFFBOARD, {"id": to_global_id("Member", member.id), "disposition": "RETAIN"}, token=admin
    )
    assert data["memberOffboard"]["errors"][0]["code"] == "ILLEGAL_TRANSITION"


@pytest.mark.parametrize(
    ("name", "region", "field", "code"),
    [
        ("", "EU", "legalName", "VALIDATION"),
        ("X", "EU", "legalName", "VALIDATION"),
        ("Fine Name SA", "MARS", "region", "VALIDATION"),
        ("taken brands sa", "EU", "legalName", "CONFLICT"),
    ],
)
async def test_invite_rejects_bad_input_naming_the_field(
    api: Api, world: World, name: str, region: str, field: str, code: str
) -> None:
    await world.member("Taken Brands SA")
    admin = world.token(await world.alliance_admin())
    payload = (await api.query(INVITE, {"name": name, "region": region}, token=admin))[
        "memberInvite"
    ]
    assert payload["member"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]


async def test_unknown_or_malformed_member_id_is_not_found(api: Api, world: World) -> None:
    admin = world.token(await world.alliance_admin())
    for member_id in [
        "bm9wZQ==",
        "not base64 at all",
        to_global_id("User", (await world.alliance_admin()).id),
    ]:
        data = await api.query(TRANSITION % "memberSuspend", {"id": member_id}, token=admin)
        assert data["memberSuspend"]["errors"][0]["code"] == "NOT_FOUND"
        assert data["memberSuspend"]["errors"][0]["field"] == "id"

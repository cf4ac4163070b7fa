"""Members register their identity provider through GraphQL; its secret is never shown."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from alliance.db import Database
from alliance.identity_providers.models import IdentityProvider
from schema.ids import to_global_id
from sharing import Role
from tests.fixtures.graphql import Api
from tests.fixtures.world import World

REGISTER = """mutation($input: IdentityProviderRegisterInput!) {
  identityProviderRegister(input: $input) {
    errors { code field message }
    identityProvider { issuer clientId emailDomains autoProvision loginUrl }
  }
}"""
READ = "query($m: ID) { identityProvider(memberId: $m) { issuer clientId emailDomains } }"
SECRET = "the-providers-client-secret-0123456789"


def _input(member_id: str | None, **changes: Any) -> dict[str, Any]:
    return {
        "input": {
            "memberId": member_id,
            "issuer": "https://login.brand.example/",
            "clientId": "alliance",
            "clientSecret": SECRET,
            "emailDomains": ["Brand.example", "@shop.brand.example"],
            **changes,
        }
    }


async def test_a_member_admin_registers_the_provider_and_the_secret_is_sealed(
    api: Api, world: World, db: Database
) -> None:
    member = await world.member()
    token = world.token(await world.admin_of(member))
    member_id = to_global_id("Member", member.id)
    data = await api.query(REGISTER, _input(member_id), token=token)
    assert data["identityProviderRegister"] == {
        "errors": [],
        "identityProvider": {
            "issuer": "https://login.brand.example",
            "clientId": "alliance",
            "emailDomains": ["brand.example", "shop.brand.example"],
            "autoProvision": False,
            "loginUrl": f"/login?member={member.id}",
        },
    }
    read = await api.query(READ, {"m": member_id}, token=token)
    assert read["identityProvider"]["clientId"] == "alliance"
    async with db.session() as session:
        stored = await session.scalar(select(IdentityProvider))
    assert stored is not None
    assert SECRET not in stored.client_secret_encrypted  # encrypted at rest


async def test_registering_again_replaces_the_provider(api: Api, world: World) -> None:
    member = await world.member()
    token = world.token(await world.admin_of(member))
    member_id = to_global_id("Member", member.id)
    await api.query(REGISTER, _input(member_id), token=token)
    data = await api.query(
        REGISTER, _input(member_id, clientId="alliance-2", autoProvision=True), token=token
    )
    assert data["identityProviderRegister"]["identityProvider"]["autoProvision"] is True
    read = await api.query(READ, {"m": member_id}, token=token)
    assert read["identityProvider"]["clientId"] == "alliance-2"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"issuer": "http://login.brand.example"}, "issuer"),
        ({"issuer": "not a url"}, "issuer"),
        ({"emailDomains": []}, "emailDomains"),
        ({"emailDomains": ["not a domain"]}, "emailDomains"),
        ({"clientSecret": ""}, "clientId"),
    ],
)
async def test_bad_registrations_are_refused_with_the_field(
    api: Api, world: World, changes: dict[str, Any], field: str
) -> None:
    member = await world.member()
    token = world.token(await world.admin_of(member))
    data = await api.query(
        REGISTER, _input(to_global_id("Member", member.id), **changes), token=token
    )
    (error,) = data["identityProviderRegister"]["errors"]
    assert (error["code"], error["field"]) == ("VALIDATION", field)


async def test_only_the_members_admins_and_alliance_admins_register(api: Api, world: World) -> None:
    mine, theirs = await world.member(), await world.member()
    admin = world.token(await world.admin_of(mine))
    for member_id in (to_global_id("Member", theirs.id), None):
        data = await api.query(REGISTER, _input(member_id), token=admin)
        assert data["identityProviderRegister"]["errors"][0]["code"] == "NOT_FOUND"
    analyst = world.token(await world.user(mine, Role.ANALYST))
    data = await api.query(REGISTER, _input(to_global_id("Member", mine.id)), token=analyst)
    assert data["identityProviderRegister"]["errors"][0]["code"] == "FORBIDDEN"
    secretariat = world.token(await world.alliance_admin())
    data = await api.query(REGISTER, _input(None), token=secretariat)
    assert data["identityProviderRegister"]["errors"] == []
    assert (await api.query(READ, {"m": None}, token=secretariat))["identityProvider"]


async def test_a_member_cannot_claim_another_members_email_domain(api: Api, world: World) -> None:
    # given a member whose provider serves brand.example
    owner, rival = await world.member(), await world.member()
    owner_token = world.token(await world.admin_of(owner))
    registered = await api.query(
        REGISTER, _input(to_global_id("Member", owner.id)), token=owner_token
    )
    assert registered["identityProviderRegister"]["errors"] == []

    # when another member registers a provider for the same domain
    rival_token = world.token(await world.admin_of(rival))
    claimed = await api.query(
        REGISTER,
        _input(to_global_id("Member", rival.id), emailDomains=["rival.example", "brand.example"]),
        token=rival_token,
    )

    # then it is refused, and /login?domain=brand.example still reaches the owner's provider
    payload = claimed["identityProviderRegister"]
    assert payload["identityProvider"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("CONFLICT", "emailDomains")]
    # registering its own provider again (same domains) stays allowed
    again = await api.query(REGISTER, _input(to_global_id("Member", owner.id)), token=owner_token)
    assert again["identityProviderRegister"]["errors"] == []

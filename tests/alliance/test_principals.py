"""The one rule for who may still authenticate, read by the async bearer check and the
synchronous OAuth server alike: both give the same answer, in one statement."""

from __future__ import annotations

import datetime as dt
import uuid

from alliance.clients import service as client_service
from alliance.db import Database
from alliance.members import service as member_service
from alliance.oauth.models import RevokedAccessToken
from alliance.principals import CLI_CLIENT_ID, Credential, Refusal, standing, standing_sync
from alliance.users import service as user_service
from sharing import SYSTEM_VIEWER, MemberStatus, PrincipalKind, Role
from tests.fixtures.world import World

USER, CLIENT = PrincipalKind.USER, PrincipalKind.CLIENT


async def _cases(world: World) -> dict[str, tuple[Credential, Refusal | None]]:
    member = await world.member()
    analyst = await world.user(member, Role.ANALYST)
    gone = await world.user(member, Role.ANALYST)
    secretariat = await world.alliance_admin()
    shut_out = await world.admin_of(await world.member(status=MemberStatus.SUSPENDED))
    app = await world.client(member)
    revoked_app = await world.client(member)
    suspended_system = await world.client(await world.member())
    async with world.db.transaction() as session:
        await user_service.deactivate(session, viewer=SYSTEM_VIEWER, user_id=gone.id)
        await client_service.revoke(session, viewer=SYSTEM_VIEWER, client_id=revoked_app.id)
        session.add(RevokedAccessToken(token_id="spent", expires_at=dt.datetime.now(dt.UTC)))
    async with world.db.transaction() as session:
        await member_service.suspend(
            session, viewer=SYSTEM_VIEWER, member_id=suspended_system.member_id
        )

    def person(user_id: uuid.UUID, app_id: str = CLI_CLIENT_ID, jti: str = "t") -> Credential:
        return Credential(USER, user_id, client=app_id, token_id=jti)

    return {
        "an analyst": (person(analyst.id), None),
        "an analyst through an app": (person(analyst.id, app.client_id), None),
        "the secretariat": (person(secretariat.id), None),
        "a revoked token": (person(analyst.id, jti="spent"), Refusal.TOKEN_REVOKED),
        "a deactivated user": (person(gone.id), Refusal.USER_INACTIVE),
        "an unknown user": (person(uuid.uuid4()), Refusal.USER_INACTIVE),
        "a suspended member's person": (person(shut_out.id), Refusal.MEMBER_INACTIVE),
        "a revoked app": (person(analyst.id, revoked_app.client_id), Refusal.APP_UNREGISTERED),
        "an unknown app": (person(analyst.id, "cl_nobody"), Refusal.APP_UNREGISTERED),
        "a system": (Credential(CLIENT, app.id, client=app.client_id), None),
        "a system by client id": (Credential(CLIENT, None, client=app.client_id), None),
        "a revoked system": (
            Credential(CLIENT, revoked_app.id, client=revoked_app.client_id),
            Refusal.CLIENT_REVOKED,
        ),
        "another system's id": (
            Credential(CLIENT, app.id, client=revoked_app.client_id),
            Refusal.CLIENT_REVOKED,
        ),
        "a suspended member's system": (
            Credential(CLIENT, suspended_system.id, client=suspended_system.client_id),
            Refusal.MEMBER_INACTIVE,
        ),
    }


async def test_both_paths_judge_every_principal_alike_in_one_statement(
    db: Database, world: World, statements: list[str]
) -> None:
    for case, (credential, expected) in (await _cases(world)).items():
        async with db.session() as session:
            statements.clear()
            by_bearer_check = await standing(session, credential)
            assert len(statements) == 1, case
            by_oauth_server = await session.run_sync(standing_sync, credential)
        assert by_bearer_check.refusal is expected, case
        assert by_oauth_server == by_bearer_check, case


async def test_an_allowed_person_comes_with_what_the_viewer_needs(
    db: Database, world: World
) -> None:
    member = await world.member(region="CN")
    analyst = await world.user(member, Role.ANALYST, Role.READ_ONLY)
    async with db.session() as session:
        found = await standing(session, Credential(USER, analyst.id, client=CLI_CLIENT_ID))
    assert found.allowed
    assert (found.member_id, found.region, found.member_status) == (
        member.id,
        "CN",
        MemberStatus.ACTIVE,
    )
    assert found.agreed
    assert found.roles == {Role.ANALYST, Role.READ_ONLY}

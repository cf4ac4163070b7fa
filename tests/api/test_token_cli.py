"""`alliance token` mints only for principals that may authenticate (the same rule as the
bearer check): otherwise one line on stderr and a non-zero exit, no token."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from alliance.clients import service as client_service
from alliance.users import service as user_service
from sharing import SYSTEM_VIEWER, MemberStatus, Role
from tests.fixtures.servers import ALLIANCE, base_env
from tests.fixtures.world import World


def _token(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ALLIANCE, "token", *args], env=env, capture_output=True, text=True, timeout=120
    )


async def _cli(world: World, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(_token, base_env(tmp_path, world.db.url), *args)


def _assert_refused(done: subprocess.CompletedProcess[str], expected: str) -> None:
    assert done.returncode != 0
    assert done.stdout == ""
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert expected in lines[0]


@pytest.mark.e2e
@pytest.mark.parametrize("status", [MemberStatus.SUSPENDED, MemberStatus.OFFBOARDED])
async def test_no_token_for_a_person_of_a_member_that_cannot_authenticate(
    world: World, tmp_path: Path, status: MemberStatus
) -> None:
    # the member's admin, invited with it, stays a user while the member is shut out
    admin = await world.admin_of(await world.member(status=status))
    done = await _cli(world, tmp_path, "--user", admin.email)
    _assert_refused(done, admin.email)


@pytest.mark.e2e
async def test_no_token_for_a_deactivated_user_but_one_for_an_active_one(
    world: World, tmp_path: Path
) -> None:
    member = await world.member()
    gone = await world.user(member, Role.ANALYST, email="gone@member.example")
    await world.user(member, Role.ANALYST, email="here@member.example")
    async with world.db.transaction() as session:
        await user_service.deactivate(session, viewer=SYSTEM_VIEWER, user_id=gone.id)

    _assert_refused(await _cli(world, tmp_path, "--user", "gone@member.example"), "not active")
    minted = await _cli(world, tmp_path, "--user", "here@member.example")
    assert minted.returncode == 0, minted.stderr
    assert minted.stdout.count(".") == 2  # a JWT


@pytest.mark.e2e
async def test_no_token_for_a_revoked_client(world: World, tmp_path: Path) -> None:
    client = await world.client(await world.member())
    async with world.db.transaction() as session:
        await client_service.revoke(session, viewer=SYSTEM_VIEWER, client_id=client.id)
    done = await _cli(world, tmp_path, "--client", client.client_id)
    _assert_refused(done, "The client is revoked.")

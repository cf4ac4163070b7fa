"""`alliance sync pull`: a member system's SQLite copy, through a running service over
HTTP, holds exactly the indicators it may list, follows a retraction, and resumes from
its stored cursor."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from alliance.indicators import service as indicator_service
from schema.ids import to_global_id
from sharing import Scope
from tests.fixtures.indicators import Intel, member_viewer
from tests.fixtures.servers import ALLIANCE, base_env, serving
from tests.fixtures.world import World


def _pull(env: dict[str, str], base: str, replica: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ALLIANCE, "sync", "pull", "--replica", str(replica)],
        env={**env, "ALLIANCE_SYNC_URL": base},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _held(replica: Path) -> set[str]:
    with sqlite3.connect(replica) as copy:
        return {row[0] for row in copy.execute("SELECT id FROM indicators")}


@pytest.mark.e2e
async def test_the_copy_is_what_the_system_may_list_and_follows_a_retraction(
    world: World, intel: Intel, tmp_path: Path
) -> None:
    owner = await world.member(region="EU")
    reader = await world.member(region="CN")
    shared = [await intel.indicator(owner, "alliance=FULL") for _ in range(3)]
    await intel.indicator(owner, None)  # the owner's own only
    await intel.indicator(owner, "region:EU=FULL")  # not the reader's region
    await intel.indicator(owner, "alliance=MATCH_ONLY")  # never listed
    client, secret = await world.client_with_secret(reader, [Scope.INDICATORS_READ])
    env = {
        **base_env(tmp_path, world.db.url),
        "ALLIANCE_SYNC_CLIENT_ID": client.client_id,
        "ALLIANCE_SYNC_CLIENT_SECRET": secret,
    }
    replica = tmp_path / "copy.sqlite"

    with serving(env) as base:
        first = _pull(env, base, replica)
        assert first.returncode == 0, first.stderr
        assert _held(replica) == {to_global_id("Indicator", i.id) for i in shared}

        async with world.db.viewer_transaction(member_viewer(owner)) as session:
            await indicator_service.retract(
                session, viewer=member_viewer(owner), indicator_id=shared[0].id
            )
        again = _pull(env, base, replica)

    assert again.returncode == 0, again.stderr
    assert _held(replica) == {to_global_id("Indicator", i.id) for i in shared[1:]}
    assert "2 indicators" in again.stdout
    assert "1 REMOVE RETRACTED" in again.stdout

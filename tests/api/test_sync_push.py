"""`alliance sync push`: a member system's file upserted through a running service, over
HTTP with its own client-credentials token; rejected rows reported, a second push of the
same file changes nothing."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pytest

from alliance.indicators.models import Indicator
from sharing import Scope
from tests.fixtures.servers import ALLIANCE, base_env, serving
from tests.fixtures.world import World
from tests.schema.bulk import stored

ROWS = """kind,value,platform,externalId,confidence,audience
EMAIL,seller.one@example.com,,x-1,80,alliance=FULL
DOMAIN,cheap-bags-outlet.com,,x-2,,
EMAIL,not an email,,x-3,,
PHONE,+44 7400 123456,,x-4,abc,
SELLER_ACCOUNT,16094778,DHGATE,x-5,60,
"""


def _push(env: dict[str, str], base: str, file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ALLIANCE, "sync", "push", str(file)],
        env={**env, "ALLIANCE_SYNC_URL": base},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.e2e
async def test_a_file_is_upserted_its_bad_rows_reported_and_a_second_push_changes_nothing(
    world: World, tmp_path: Path
) -> None:
    member = await world.member()
    client, secret = await world.client_with_secret(member, [Scope.SYNC])
    file = tmp_path / "catalogue.csv"
    file.write_text(ROWS)
    env = {
        **base_env(tmp_path, world.db.url),
        "ALLIANCE_SYNC_CLIENT_ID": client.client_id,
        "ALLIANCE_SYNC_CLIENT_SECRET": secret,
    }

    with serving(env) as base:
        first = _push(env, base, file)
        second = _push(env, base, file)

    assert first.returncode == 3, first.stderr  # some rows rejected
    assert "3 created, 0 updated, 0 unchanged, 2 rejected" in first.stdout
    assert "0 created, 0 updated, 3 unchanged, 2 rejected" in second.stdout
    with (tmp_path / "catalogue.csv.errors.csv").open() as report:
        rejected = list(csv.DictReader(report))
    assert [(r["line"], r["externalId"], r["field"]) for r in rejected] == [
        ("5", "x-4", "confidence"),  # refused before sending: not a number
        ("4", "x-3", "items[2].value"),  # refused by the service
    ]
    written: list[Indicator] = await stored(world, member)
    assert sorted(i.external_id or "" for i in written) == ["x-1", "x-2", "x-5"]


@pytest.mark.e2e
async def test_a_client_without_the_sync_scope_writes_nothing(world: World, tmp_path: Path) -> None:
    member = await world.member()
    client, secret = await world.client_with_secret(member, [Scope.INDICATORS_READ])
    file = tmp_path / "catalogue.csv"
    file.write_text(ROWS)
    env = {
        **base_env(tmp_path, world.db.url),
        "ALLIANCE_SYNC_CLIENT_ID": client.client_id,
        "ALLIANCE_SYNC_CLIENT_SECRET": secret,
    }

    with serving(env) as base:
        done = _push(env, base, file)

    assert done.returncode == 1
    assert "alliance sync:" in done.stderr
    assert await stored(world, member) == []

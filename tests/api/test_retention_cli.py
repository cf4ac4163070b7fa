"""`alliance retention run` on the real clock: what a scheduled run does to an old record."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from alliance.indicators.models import Indicator
from alliance.indicators.vocabulary import IndicatorStatus
from alliance.retention.job import TOMBSTONE
from tests.fixtures.indicators import Intel
from tests.fixtures.servers import base_env, run
from tests.fixtures.world import World


@pytest.mark.e2e
async def test_a_scheduled_run_expires_and_purges_an_old_record(
    world: World, intel: Intel, tmp_path: Path
) -> None:
    # given a record written three years ago (expired a year ago) and a live one
    owner = await world.member()
    old = await intel.indicator(owner, written_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1095))
    live = await intel.indicator(owner)

    # when the command runs, as cron would run it
    output = await asyncio.to_thread(run, base_env(tmp_path, world.db.url), "retention", "run")

    # then the old record is expired and purged, the live one untouched
    assert output.strip() == "Expired 1, purged 1, 0 due for purge but under legal hold."
    async with world.db.session() as session:
        stone = await session.get(Indicator, old.id)
        kept = await session.get(Indicator, live.id)
    assert stone is not None
    assert (stone.status, stone.value) == (IndicatorStatus.EXPIRED, TOMBSTONE)
    assert kept is not None
    assert (kept.status, kept.value) == (IndicatorStatus.ACTIVE, live.value)

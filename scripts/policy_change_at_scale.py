"""A policy change over many records on PostgreSQL while a reader keeps reading.

    .venv/bin/python scripts/policy_change_at_scale.py \\
        postgresql://postgres@127.0.0.1/alliance_scale --records 1000000

On an empty database (migrated here): an EU member with N indicators shared
`alliance=FULL` (written with multi-row inserts), a CN member reading. The EU member's
admins then cap indicators at `region:EU=ANONYMOUS`; the ceiling is re-applied with
`reapply_in_batches` (one short transaction per batch) while the CN member pages through
its list in a loop. Printed: how long the re-application took, in how many batches, and
the reader's latency meanwhile (median and worst) with the number of reads it made. At
the end the CN member sees nothing of the EU member's records. A script, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid

from sqlalchemy import insert
from sqlalchemy.engine import make_url

from alliance import migrate
from alliance.audit.reads import ReadLog
from alliance.db import Database, utcnow
from alliance.indicators.audience import reapply_in_batches
from alliance.indicators.models import Indicator
from alliance.indicators.search import IndicatorFilter, search
from alliance.members.models import Member
from alliance.policies.service import store_policy
from sharing import SYSTEM_VIEWER, MemberStatus, PrincipalKind, Role, Scope, Viewer
from sharing.audience import parse_audience
from sharing.policy import Ceiling, MemberPolicy, RecordType, RuleKey
from sharing.storage import tables_of

CHUNK = 10_000


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


async def _members(database: Database) -> tuple[Member, Member]:
    async with database.transaction() as session:
        owner = Member(legal_name=f"Scale owner {uuid.uuid4().hex[:6]}", region_code="EU")
        reader = Member(legal_name=f"Scale reader {uuid.uuid4().hex[:6]}", region_code="CN")
        for member in (owner, reader):
            member.status = MemberStatus.ACTIVE
            session.add(member)
    return owner, reader


async def _seed(database: Database, owner: Member, records: int) -> None:
    grants = tables_of(Indicator).grants
    now = utcnow()
    for start in range(0, records, CHUNK):
        rows, grant_rows = [], []
        for number in range(start, min(start + CHUNK, records)):
            record_id = uuid.uuid4()
            value = f"seller{number}@scale-shop.com"
            rows.append(
                {
                    "id": record_id,
                    "owner_member_id": owner.id,
                    "kind": "EMAIL",
                    "match_key": value,
                    "value": value,
                    "extra": {},
                    "confidence": 50,
                    "evidence_level": "OBSERVED",
                    "purpose": "MONITORING",
                    "tlp": "AMBER",
                    "first_seen": now,
                    "last_seen": now,
                    "status": "ACTIVE",
                    "requested_audience": "alliance=FULL",
                    "policy_version": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            grant_rows.append(
                {
                    "record_id": record_id,
                    "target_kind": "alliance",
                    "target_key": "",
                    "level": "FULL",
                }
            )
        async with database.transaction() as session:
            await session.execute(insert(Indicator.__table__), rows)
            await session.execute(insert(grants), grant_rows)
        say(f"seeded {min(start + CHUNK, records)} records")


def _viewer(member: Member) -> Viewer:
    return Viewer(
        kind=PrincipalKind.USER,
        principal_id=uuid.uuid4(),
        member_id=member.id,
        region=member.region_code,
        roles=frozenset({Role.ANALYST}),
        scopes=frozenset({Scope.INDICATORS_READ}),
        member_status=MemberStatus.ACTIVE,
        agreed=True,
    )


async def _read_until(database: Database, viewer: Viewer, done: asyncio.Event) -> list[float]:
    latencies = []
    while not done.is_set():
        started = time.perf_counter()
        async with database.viewer_session(viewer) as session:
            await search(
                session, viewer=viewer, reads=ReadLog(), wanted=IndicatorFilter(), first=50
            )
        latencies.append(time.perf_counter() - started)
    return latencies


async def run(url: str, records: int, batch_size: int) -> None:
    database = Database(url)
    owner, reader = await _members(database)
    await _seed(database, owner, records)
    ceiling = Ceiling(parse_audience("region:EU=ANONYMOUS"))
    policy = MemberPolicy(owner.id, ceilings={RuleKey(RecordType.INDICATOR): ceiling})
    async with database.transaction() as session:
        version = await store_policy(session, viewer=SYSTEM_VIEWER, policy=policy)
    say(f"policy version {version} stored; re-applying in batches of {batch_size}")
    done = asyncio.Event()
    reading = asyncio.create_task(_read_until(database, _viewer(reader), done))
    started = time.perf_counter()
    batches = await reapply_in_batches(database, member_id=owner.id, batch_size=batch_size)
    took = time.perf_counter() - started
    done.set()
    latencies = await reading
    say(f"re-applied {records} records in {batches} batches, {took:.1f} s")
    if latencies:
        median, worst = statistics.median(latencies), max(latencies)
        say(f"reader: {len(latencies)} pages meanwhile, median {median * 1000:.1f} ms,")
        say(f"        worst {worst * 1000:.1f} ms (each page also counts every visible record)")
    async with database.viewer_session(_viewer(reader)) as session:
        page = await search(
            session, viewer=_viewer(reader), reads=ReadLog(), wanted=IndicatorFilter()
        )
    say(f"the CN reader now sees {page.total_count} of the EU member's records (expected 0)")
    await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="an empty PostgreSQL database, postgresql://...")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    arguments = parser.parse_args()
    url = make_url(arguments.url).set(drivername="postgresql+asyncpg")
    rendered = url.render_as_string(hide_password=False)
    migrate.upgrade(rendered)
    asyncio.run(run(rendered, arguments.records, arguments.batch_size))


if __name__ == "__main__":
    main()

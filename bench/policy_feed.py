"""Benchmark: how long a member's policy change takes to reach another member's feed.

Seeds bench.bulk's alliance and writes N indicators of its writer through the service's
bulk path (their audiences mixed, most of them reaching every member), then a member
system of an AMER member pulls the change feed to its end. The writer then clips every
indicator to `region:EU=FULL` (`set_policy`: for a member of more records than the
inline limit, one transaction narrows them all at once), and the AMER system pulls again
until the feed has nothing more: every record it could see arrives as
REMOVE(ACCESS_REVOKED). Printed: the policy's transaction, the pull, and the two
together (DESIGN §9: "a policy change over 100,000 records reaches every subscriber's
feed within one minute"; a subscriber is woken by the same commit and reads the same
pages), next to the first full pull of the same viewer.

Usage: python -m bench.policy_feed --database-url postgresql://... [--count N]
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid

from sqlalchemy import select

import alliance.models  # noqa: F401 - every model mapped before the first query
from alliance.db import Database
from alliance.indicators import changes as feed
from alliance.members.models import Member
from alliance.policies import service as policy_service
from bench.bulk import drafts, seed_writer, write
from bench.dataset import reset_schema, sqlalchemy_url
from sharing import SYSTEM_VIEWER, MemberStatus, PrincipalKind, Role, Scope, Viewer
from sharing.audience import parse_audience
from sharing.policy import Ceiling, MemberPolicy, RecordType, RuleKey

BATCH = 5000


async def _pull(
    database: Database, viewer: Viewer, cursor: str | None
) -> tuple[str, int, int, float]:
    """Pull to the end: the cursor, UPSERTs and REMOVEs received, and the seconds."""
    started = time.perf_counter()
    upserts = removes = 0
    while True:
        async with database.viewer_session(viewer) as session:
            page = await feed.changes(session, viewer=viewer, after=cursor, first=10_000)
        upserts += sum(isinstance(event, feed.Upsert) for event in page.events)
        removes += sum(isinstance(event, feed.Remove) for event in page.events)
        cursor = page.cursor
        if not page.has_more and not page.pending:
            return cursor, upserts, removes, time.perf_counter() - started


async def measure(url: str, count: int, inline_limit: int | None = None) -> None:
    await reset_schema(url)
    database = Database(sqlalchemy_url(url))
    try:
        writer, brands, others = await seed_writer(database)
        made = drafts(count, 17, brands, others)
        for start in range(0, count, BATCH):
            await write(database, writer, made[start : start + BATCH], None)
        async with database.session() as session:
            regions = dict((await session.execute(select(Member.id, Member.region_code))).all())
        reader = next(member for member in others if regions[member] == "AMER")
        viewer = Viewer(
            kind=PrincipalKind.CLIENT,
            principal_id=uuid.uuid4(),
            member_id=reader,
            region="AMER",
            roles=frozenset({Role.ANALYST}),
            scopes=frozenset({Scope.INDICATORS_READ}),
            member_status=MemberStatus.ACTIVE,
            agreed=True,
        )
        cursor, visible, _, first_pull = await _pull(database, viewer, None)

        assert writer.member_id is not None
        clipped = MemberPolicy(
            member_id=writer.member_id,
            defaults={RuleKey(RecordType.INDICATOR): parse_audience("alliance=ANONYMOUS")},
            ceilings={RuleKey(RecordType.INDICATOR): Ceiling(parse_audience("region:EU=FULL"))},
        )
        started = time.perf_counter()
        async with database.transaction() as session:
            await policy_service.set_policy(
                session,
                viewer=SYSTEM_VIEWER,
                policy=clipped,
                inline_limit=policy_service.INLINE_REAPPLY_LIMIT
                if inline_limit is None
                else inline_limit,
            )
        committed = time.perf_counter() - started
        _, _, removed, pulled = await _pull(database, viewer, cursor)
    finally:
        await database.dispose()
    print(f"policy change over {count:,} indicators of one member (PostgreSQL)")
    print(f"  first full pull of the AMER viewer   {visible:>9,} records  {first_pull:7.2f} s")
    print(f"  set_policy, its transaction           {'':>9}          {committed:7.2f} s")
    print(f"  the viewer's next pull                {removed:>9,} REMOVE   {pulled:7.2f} s")
    print(f"  policy change to the viewer's copy    {'':>9}          {committed + pulled:7.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="PostgreSQL, emptied")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument(
        "--inline-limit",
        type=int,
        default=None,
        help="records re-applied inside the change (default: the service's); 0 forces the"
        " set-based narrowing of any member",
    )
    arguments = parser.parse_args()
    asyncio.run(measure(arguments.database_url, arguments.count, arguments.inline_limit))


if __name__ == "__main__":
    main()

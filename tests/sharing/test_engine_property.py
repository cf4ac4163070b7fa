"""Property test: every output path of the services agrees with the independent oracle
(tests/sharing/oracle.py) over random audiences, TLP labels, policies (ceilings and
standing excludes, re-applied to existing records), membership states and expiry."""

from __future__ import annotations

import datetime as dt
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from alliance.audit.reads import ReadLog
from alliance.db import Database
from alliance.indicators import links as link_service
from alliance.indicators import matching
from alliance.indicators import reads as indicator_reads
from alliance.indicators import sightings as sighting_service
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.models import Indicator
from alliance.indicators.normalize import IndicatorValue
from alliance.indicators.search import IndicatorFilter, search
from sharing import MemberStatus, PrincipalKind, Role, Scope, Viewer
from sharing.audience import Tlp, parse_audience
from sharing.policy import Ceiling, MemberPolicy, RecordType, RuleKey
from tests.case_counter import count
from tests.fixtures.indicators import REGIONS, Intel, Roster
from tests.fixtures.world import World
from tests.sharing.oracle import Person, is_listable, oracle_level

OTHERS = 4  # members besides the owner, one per region
SLOTS = ["alliance", *(f"region:{r}" for r in REGIONS), *(f"member:{i}" for i in range(OTHERS))]
LEVELS = ["FULL", "ANONYMOUS", "MATCH_ONLY"]

audiences = st.dictionaries(st.sampled_from(SLOTS), st.sampled_from(LEVELS), max_size=3)
member_sets = st.sets(st.integers(0, OTHERS - 1), max_size=2)
standings = st.lists(st.tuples(st.booleans(), st.booleans()), min_size=OTHERS, max_size=OTHERS)


def _target(slot: str, roster: Roster) -> str:
    kind, _, key = slot.partition(":")
    return f"member:{roster.others[int(key)].id}" if kind == "member" else slot


def _viewer(person: Person) -> Viewer:
    return Viewer(
        kind=PrincipalKind.USER,
        principal_id=uuid.uuid4(),
        member_id=person.member_id,
        region=person.region,
        roles=frozenset({Role.ANALYST}),
        scopes=frozenset(Scope),
        member_status=MemberStatus.ACTIVE if person.active else MemberStatus.SUSPENDED,
        agreed=person.agreed,
    )


async def _outputs(
    db: Database, viewer: Viewer, target: Indicator, roster: Roster
) -> dict[str, object]:
    reads = ReadLog()
    async with db.viewer_session(viewer) as session:
        page = await search(session, viewer=viewer, reads=reads, wanted=IndicatorFilter())
        prefix = IndicatorFilter(
            value_prefix=target.value.split("@")[0], kinds=(IndicatorKind.EMAIL,)
        )
        filtered = await search(session, viewer=viewer, reads=reads, wanted=prefix)
        node = await indicator_reads.by_ids(session, viewer=viewer, ids=[target.id])
        links = await link_service.of_indicators(
            session, viewer=viewer, indicator_ids=[roster.anchor.id]
        )
        sightings = await sighting_service.of_indicators(
            session, viewer=viewer, indicator_ids=[target.id]
        )
        matched = await matching.match(
            session,
            viewer=viewer,
            reads=reads,
            values=[(IndicatorKind.EMAIL, IndicatorValue(value=target.value))],
        )
    return {
        "listed": target.id in {i.indicator.id for i in page.items},
        "total": page.total_count,
        "filtered": [i.indicator.id for i in filtered.items] == [target.id]
        and filtered.total_count == 1,
        "filtered_empty": filtered.total_count == 0 and not filtered.items,
        "node": target.id in node,
        "named": target.id in node and node[target.id].owner_id is not None,
        "linked": any(
            target.id in {link.source_id, link.target_id}
            for link in links.get(roster.anchor.id, [])
        ),
        "sighted": bool(sightings.get(target.id)),
        "holders": matched[0].holders,
        "match_listed": target.id in matched[0].listable_ids,
    }


def _expected(level: str | None, person: Person, owner: bool) -> dict[str, object]:
    listable = is_listable(level)
    reads_shared = person.member_id is not None and person.active and person.agreed
    return {
        "listed": listable,
        "total": int(listable) + int(reads_shared or owner),  # + the alliance-wide anchor
        "filtered": listable,
        "filtered_empty": not listable,
        "node": listable,
        "named": level == "FULL",
        "linked": listable and (reads_shared or owner),
        "sighted": listable,
        "holders": 0 if level is None else 1,
        "match_listed": listable,
    }


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    requested=audiences,
    excludes=member_sets,
    tlp=st.sampled_from([Tlp.AMBER, Tlp.RED, Tlp.CLEAR]),
    ceiling=st.none()
    | st.dictionaries(st.sampled_from(SLOTS), st.sampled_from(LEVELS), min_size=1, max_size=2),
    standing=member_sets,
    states=standings,
    expired=st.booleans(),
)
async def test_every_output_path_agrees_with_the_oracle(
    world: World,
    intel: Intel,
    roster: Roster,
    requested: dict[str, str],
    excludes: set[int],
    tlp: Tlp,
    ceiling: dict[str, str] | None,
    standing: set[int],
    states: list[tuple[bool, bool]],
    expired: bool,
) -> None:
    if tlp is Tlp.RED:  # RED refuses non-member grants; refusals are tested in the matrix
        requested = {s: lv for s, lv in requested.items() if s.startswith("member:")}
    grants = {_target(s, roster): lv for s, lv in requested.items()}
    excluded = {roster.others[i].id for i in excludes}
    text = ", ".join([f"{t}={lv}" for t, lv in grants.items()] + [f"exclude:{m}" for m in excluded])
    # an expired target was written three years ago: its default expiry (2 years) passed
    written_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=3 * 365) if expired else None
    target = await intel.indicator(roster.owner, text, tlp=tlp, written_at=written_at)
    await intel.link(roster.owner, roster.anchor, target)
    await intel.sighting(roster.owner, target)
    # the owner's policy changes after the record is written: re-application must hold
    ceiling_grants = (
        None if ceiling is None else {_target(s, roster): lv for s, lv in ceiling.items()}
    )
    policy = MemberPolicy(
        member_id=roster.owner.id,
        ceilings={}
        if ceiling_grants is None
        else {
            RuleKey(RecordType.INDICATOR): Ceiling(
                parse_audience(", ".join(f"{t}={lv}" for t, lv in ceiling_grants.items()))
            )
        },
        standing_excludes=frozenset(roster.others[i].id for i in standing),
    )
    await intel.policy(policy)
    try:
        people = [
            (Person(m.id, m.region_code, active, agreed), False)
            for m, (active, agreed) in zip(roster.others, states, strict=True)
        ]
        people += [(Person(roster.owner.id, "EU"), True), (Person(None, None), False)]
        for person, is_owner in people:
            level = oracle_level(
                person,
                owner=roster.owner.id,
                grants=grants,
                excludes=excluded | set(policy.standing_excludes),
                ceiling=ceiling_grants,
                expired=expired,
            )
            got = await _outputs(world.db, _viewer(person), target, roster)
            assert got == _expected(level, person, is_owner), (person, level)
        count("property (service outputs x viewers)", world.db.dialect, len(people) * 10)
    finally:
        async with world.db.transaction() as session:
            await session.execute(
                delete(Indicator).where(Indicator.owner_member_id == roster.owner.id)
            )

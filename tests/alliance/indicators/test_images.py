"""similarImages against brute force: random hashes near a query, random audiences and
owners; every viewer gets exactly the listable records within the distance, nearest
first, whatever the segment index finds."""

from __future__ import annotations

import random
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from alliance.audit.reads import ReadLog
from alliance.indicators import images
from alliance.indicators.models import ImageSegment, Indicator
from alliance.indicators.normalize import hamming_distance
from alliance.members.models import Member
from sharing import MemberStatus, PrincipalKind, Role, Scope, Viewer
from tests.case_counter import count
from tests.fixtures.indicators import REGIONS, Intel, Roster
from tests.fixtures.world import World
from tests.sharing.oracle import Person, is_listable, oracle_level

SLOTS = ["alliance", *(f"region:{r}" for r in REGIONS), *(f"member:{i}" for i in range(4))]
LEVELS = ["FULL", "ANONYMOUS", "MATCH_ONLY"]

records = st.lists(
    st.tuples(
        st.integers(0, 48),  # bits flipped from the query: near and far around 31
        st.integers(0, 4),  # owner: the roster's owner or one of the four others
        st.dictionaries(st.sampled_from(SLOTS), st.sampled_from(LEVELS), max_size=2),
    ),
    min_size=1,
    max_size=8,
)


def _flip(hash_hex: str, bits: int, rng: random.Random) -> str:
    value = int(hash_hex, 16)
    for bit in rng.sample(range(256), bits):
        value ^= 1 << bit
    return f"{value:064x}"


def _viewer(member: Member) -> Viewer:
    return Viewer(
        kind=PrincipalKind.USER,
        principal_id=uuid.uuid4(),
        member_id=member.id,
        region=member.region_code,
        roles=frozenset({Role.ANALYST}),
        scopes=frozenset(Scope),
        member_status=MemberStatus.ACTIVE,
        agreed=True,
    )


def test_the_probes_cover_every_hash_within_31() -> None:
    # given a hash and one at distance 31 spread two bits per segment but one
    rng = random.Random(7)
    query = f"{rng.getrandbits(256):064x}"
    bits = [segment * 16 + offset for segment in range(15) for offset in (0, 1)] + [240]
    near = f"{int(query, 16) ^ sum(1 << (255 - b) for b in bits):064x}"
    assert hamming_distance(query, near) == 31
    # then it shares a probed key with the query: the lookup cannot miss it
    assert set(images.buckets(near)) & set(images.probe_buckets(query))


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 2**32),
    wanted=records,
    max_distance=st.sampled_from([0, 8, 20, 31]),
)
async def test_similar_images_is_brute_force_over_what_the_viewer_may_list(
    world: World,
    intel: Intel,
    roster: Roster,
    seed: int,
    wanted: list[tuple[int, int, dict[str, str]]],
    max_distance: int,
) -> None:
    rng = random.Random(seed)
    query = f"{rng.getrandbits(256):064x}"
    members = [roster.owner, *roster.others]
    stored = []
    try:
        for bits, owner_index, audience in wanted:
            owner = members[owner_index]
            grants = {
                (f"member:{roster.others[int(s[7:])].id}" if s.startswith("member:") else s): lv
                for s, lv in audience.items()
            }
            pdq = _flip(query, bits, rng)
            text = ", ".join(f"{t}={lv}" for t, lv in grants.items())
            record = await intel.image(owner, pdq, text)
            stored.append((record, owner, grants))
        for member in members:
            person = Person(member.id, member.region_code)
            expected = sorted(
                (hamming_distance(query, record.match_key), record.id)
                for record, owner, grants in stored
                if is_listable(oracle_level(person, owner=owner.id, grants=grants, excludes=set()))
                and hamming_distance(query, record.match_key) <= max_distance
            )
            viewer = _viewer(member)
            async with world.db.viewer_session(viewer) as session:
                found = await images.similar_images(
                    session,
                    viewer=viewer,
                    reads=ReadLog(),
                    pdq=query,
                    quality=80,
                    max_distance=max_distance,
                    first=100,
                )
            assert [(f.distance, f.indicator.indicator.id) for f in found] == expected
        count("property (similarImages x viewers)", world.db.dialect, len(members))
    finally:
        async with world.db.transaction() as session:
            ids = [record.id for record, _, _ in stored]
            await session.execute(delete(ImageSegment).where(ImageSegment.indicator_id.in_(ids)))
            await session.execute(delete(Indicator).where(Indicator.id.in_(ids)))

"""A policy change narrows a member's indicators at once, with set-based statements.

Recomputing every record's audience from what it asked for takes a Python pass per
record: minutes at a million records. Narrowing does not need it. Every stored audience
is within what its record asked for, so clipping the *stored* grants to the new ceiling
and fences (`sharing.policy.narrow_by_policy`) and adding the new excludes gives an
audience no wider than the new policy allows. A record that asked for nothing asked for
the policy's default, which the change may narrow too: its grants are also clipped to the
new default, and get the default's excludes. The clip of a grant depends only on the
grant, the record's kind and data region and whether it asked for nothing, so it is
computed once per distinct such shape held by the member and applied to all its rows in a few
statements, inside the policy change's transaction. Records keep their old
`policy_version`: the batches (alliance/indicators/audience.py) then recompute each one
exactly, which only ever widens what this left (docs/sharing.md, "Policy changes").
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any, cast

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    text,
    tuple_,
    type_coerce,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.indicators.models import Indicator
from alliance.policies.store import alliance_regions, current_policy
from sharing.audience import AllianceRegions, Grant, Level, target_from_key, target_key
from sharing.policy import (
    MemberPolicy,
    RecordType,
    default_excludes,
    narrow_by_policy,
    policy_excludes,
)
from sharing.storage import tables_of

# Scratch tables of one narrowing, created and dropped inside its transaction.
_scratch = MetaData()
_SHAPE = ("kind", "data_region", "by_default", "target_kind", "target_key", "level")
# The member's grants as held before the change, with what their clip depends on.
_HELD = Table(
    "policy_held",
    _scratch,
    Column("record_id", Uuid()),
    *(Column(name, String(64)) for name in _SHAPE),
    prefixes=["TEMPORARY"],
)
# What each changed shape becomes; a shape that disappears has one row with no target.
_CLIPS = Table(
    "policy_clips",
    _scratch,
    *(Column(name, String(64)) for name in _SHAPE),
    Column("new_kind", String(16)),
    Column("new_key", String(64)),
    Column("strength", Integer),
    prefixes=["TEMPORARY"],
)
_NARROWED = Table(
    "policy_narrowed",
    _scratch,
    Column("record_id", Uuid()),
    Column("target_kind", String(16)),
    Column("target_key", String(64)),
    Column("strength", Integer),
    prefixes=["TEMPORARY"],
)

_indicators = cast(Table, Indicator.__table__)
_grants = tables_of(Indicator).grants
_excludes = tables_of(Indicator).excludes
# What identifies a held grant's clip: the record's kind and data region, whether it asked
# for no audience (then its default bounds it: "1"), and the grant.
_GrantShape = tuple[str, str, str, str, str, str]


def _owned(member_id: uuid.UUID) -> Any:
    return _indicators.c.owner_member_id == member_id


async def _analyze(session: AsyncSession, table: Table) -> None:
    # Nothing analyses temporary tables on its own; without statistics PostgreSQL may
    # join them row by row against every grant (measured: minutes at 20,000 records).
    if (await session.connection()).dialect.name == "postgresql":
        await session.execute(text(f"ANALYZE {table.name}"))


async def _hold(session: AsyncSession, member_id: uuid.UUID) -> list[_GrantShape]:
    """Copy the member's grants into `_HELD`; the distinct shapes among them."""
    connection = await session.connection()
    await connection.run_sync(_scratch.create_all)
    kind = type_coerce(_indicators.c.kind, String())
    data_region = func.coalesce(_indicators.c.personal_data_region, "")
    held = (
        select(_grants.c.record_id, kind, data_region, _by_default(), *_grant_columns())
        .select_from(_indicators.join(_grants, _grants.c.record_id == _indicators.c.id))
        .where(_owned(member_id))
    )
    await session.execute(insert(_HELD).from_select(["record_id", *_SHAPE], held))
    await _analyze(session, _HELD)
    shapes = select(*(_HELD.c[name] for name in _SHAPE)).distinct()
    return [cast(_GrantShape, tuple(row)) for row in await session.execute(shapes)]


def _by_default() -> Any:
    return case((_indicators.c.requested_audience.is_(None), "1"), else_="0")


def _grant_columns() -> tuple[Any, ...]:
    return (_grants.c.target_kind, _grants.c.target_key, _grants.c.level)


def _clip_rows(
    shapes: list[_GrantShape], policy: MemberPolicy, regions: AllianceRegions
) -> list[dict[str, Any]]:
    """One row per (held grant shape, grant it becomes), for the shapes the policy
    changes; a shape that disappears gets one row with no new grant."""
    rows: list[dict[str, Any]] = []
    for kind, data_region, by_default, old_kind, old_key, old_level in shapes:
        held = Grant(target_from_key(old_kind, old_key), Level(old_level))
        clipped = narrow_by_policy(
            frozenset({held}),
            policy=policy,
            record_type=RecordType.INDICATOR,
            kind=kind,
            regions=regions,
            personal_data_region=data_region or None,
            by_default=by_default == "1",
        )
        if clipped == {held}:
            continue
        values = (kind, data_region, by_default, old_kind, old_key, old_level)
        shape = dict(zip(_SHAPE, values, strict=True))
        if not clipped:
            rows.append({**shape, "new_kind": None, "new_key": None, "strength": None})
        for grant in clipped:
            new_kind, new_key = target_key(grant.target)
            strength = grant.level.strength
            rows.append(
                {**shape, "new_kind": new_kind.value, "new_key": new_key, "strength": strength}
            )
    return rows


def _clipped(*columns: Any) -> Any:
    """SELECT `columns` over the held grants joined with their clips."""
    same_shape = and_(*(_HELD.c[name] == _CLIPS.c[name] for name in _SHAPE))
    return select(*columns).select_from(_HELD.join(_CLIPS, same_shape))


def _level_of_strength(strength: Any) -> Any:
    return case(*((strength == level.strength, level.value) for level in Level))


def _strength_of_level(stored: Any) -> Any:
    return case(*((stored == level.value, level.strength) for level in Level))


def _insert_keeping_stronger(dialect: str, rows: Any) -> Any:
    """INSERT grants from `rows`; where the record already holds a grant to the target,
    the stronger level stays (`normalize_grants` in SQL)."""
    columns = ["record_id", "target_kind", "target_key", "level"]
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_grants)
    statement = statement.from_select(columns, rows)
    stronger = case(
        (
            _strength_of_level(_grants.c.level) >= _strength_of_level(statement.excluded.level),
            _grants.c.level,
        ),
        else_=statement.excluded.level,
    )
    return statement.on_conflict_do_update(
        index_elements=["record_id", "target_kind", "target_key"], set_={"level": stronger}
    )


async def _replace_clipped(session: AsyncSession, clips: list[dict[str, Any]]) -> None:
    """Replace every held grant that a clip covers with what it becomes, in a few
    statements whatever the number of records."""
    await session.execute(insert(_CLIPS), clips)
    await _analyze(session, _CLIPS)
    becomes = _clipped(
        _HELD.c.record_id, _CLIPS.c.new_kind, _CLIPS.c.new_key, _CLIPS.c.strength
    ).where(_CLIPS.c.new_kind.is_not(None))
    columns = ["record_id", "target_kind", "target_key", "strength"]
    await session.execute(insert(_NARROWED).from_select(columns, becomes))
    held = _clipped(_HELD.c.record_id, _HELD.c.target_kind, _HELD.c.target_key)
    key = tuple_(_grants.c.record_id, _grants.c.target_kind, _grants.c.target_key)
    await session.execute(delete(_grants).where(key.in_(held)))
    narrowed = _NARROWED.c
    strongest = select(
        narrowed.record_id,
        narrowed.target_kind,
        narrowed.target_key,
        _level_of_strength(func.max(narrowed.strength)),
    ).group_by(narrowed.record_id, narrowed.target_kind, narrowed.target_key)
    dialect = (await session.connection()).dialect.name
    await session.execute(_insert_keeping_stronger(dialect, strongest))


async def _add_excludes(
    session: AsyncSession, member_id: uuid.UUID, policy: MemberPolicy, kinds: set[str]
) -> None:
    # Every record of a kind gets the policy's excludes; a record that asked for no
    # audience also gets its default's.
    everyone: dict[uuid.UUID, list[str]] = defaultdict(list)
    by_default: dict[uuid.UUID, list[str]] = defaultdict(list)
    for kind in sorted(kinds):
        for excluded in policy_excludes(policy, RecordType.INDICATOR, kind):
            everyone[excluded].append(kind)
        for excluded in default_excludes(policy, RecordType.INDICATOR, kind):
            by_default[excluded].append(kind)
    for excluded, excluded_kinds in everyone.items():
        await _exclude(session, member_id, excluded, excluded_kinds)
    for excluded, excluded_kinds in by_default.items():
        await _exclude(session, member_id, excluded, excluded_kinds, only_by_default=True)


async def _exclude(
    session: AsyncSession,
    member_id: uuid.UUID,
    excluded: uuid.UUID,
    kinds: list[str],
    *,
    only_by_default: bool = False,
) -> None:
    present = _excludes.alias("present")
    already = exists().where(
        present.c.record_id == _indicators.c.id, present.c.member_id == excluded
    )
    kind_column = type_coerce(_indicators.c.kind, String())
    records = select(_indicators.c.id, literal(excluded, Uuid())).where(
        _owned(member_id), kind_column.in_(kinds), ~already
    )
    if only_by_default:
        records = records.where(_indicators.c.requested_audience.is_(None))
    await session.execute(insert(_excludes).from_select(["record_id", "member_id"], records))


async def narrow_to_policy(session: AsyncSession, *, member_id: uuid.UUID) -> int:
    """Narrow the stored audience of every indicator of `member_id` to its current
    policy, inside the caller's transaction; returns how many distinct grants changed.

    Afterwards no record is wider than the policy allows; some may be narrower than it
    will make them (a widening part of the change), until `reapply_in_batches` has
    recomputed them. The caller holds the policy change lock (`lock_for_policy_change`).
    """
    policy, _version = await current_policy(session, member_id)
    regions = await alliance_regions(session)
    shapes = await _hold(session, member_id)
    clips = _clip_rows(shapes, policy, regions)
    if clips:
        await _replace_clipped(session, clips)
    await (await session.connection()).run_sync(_scratch.drop_all)
    await _add_excludes(session, member_id, policy, {shape[0] for shape in shapes})
    return len({tuple(clip[name] for name in _SHAPE) for clip in clips})

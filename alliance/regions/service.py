"""Regions: the seeded four and any the alliance adds."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.errors import InvalidInput
from alliance.regions.models import Region


async def all_regions(session: AsyncSession) -> Sequence[Region]:
    """Every region, by code."""
    return (await session.scalars(select(Region).order_by(Region.code))).all()


async def require_region(session: AsyncSession, code: str, *, field: str) -> Region:
    """The region with `code`, or an `InvalidInput` naming `field`."""
    region = await session.get(Region, code)
    if region is None:
        raise InvalidInput(f"Unknown region `{code}`.", field=field)
    return region

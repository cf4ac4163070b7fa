"""Helpers of the bulk mutation tests: the documents, brands, and what the database holds."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from alliance.brands import service as brand_service
from alliance.indicators.models import Indicator
from alliance.members.models import Member
from sharing import SYSTEM_VIEWER
from tests.fixtures.world import World

UPSERT = """mutation($input: IndicatorsUpsertInput!) { indicatorsUpsert(input: $input) {
  errors { code field message }
  results { index status id externalId code field message } } }"""
RETRACT = """mutation($input: IndicatorsRetractInput!) { indicatorsRetract(input: $input) {
  errors { code field message }
  results { index status id externalId code field message } } }"""


def email_item(value: str, **fields: Any) -> dict[str, Any]:
    return {"value": {"kind": "EMAIL", "value": value}, **fields}


async def upsert(api: Any, token: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    data = await api.query(UPSERT, {"input": {"items": items}}, token=token)
    payload: dict[str, Any] = data["indicatorsUpsert"]
    return payload


async def retract(api: Any, token: str, **given: Any) -> dict[str, Any]:
    data = await api.query(RETRACT, {"input": given}, token=token)
    payload: dict[str, Any] = data["indicatorsRetract"]
    return payload


def statuses(payload: dict[str, Any]) -> list[str]:
    return [result["status"] for result in payload["results"]]


async def brand(world: World, member: Member) -> uuid.UUID:
    async with world.db.transaction() as session:
        made = await brand_service.create(
            session, viewer=SYSTEM_VIEWER, member_id=member.id, name=f"Brand {uuid.uuid4().hex[:8]}"
        )
        return made.id


async def stored(world: World, owner: Member | None = None) -> list[Indicator]:
    """Every indicator in the database (of `owner`, if given), read without a viewer."""
    async with world.db.session() as session:
        statement = select(Indicator).order_by(Indicator.created_at, Indicator.id)
        if owner is not None:
            statement = statement.where(Indicator.owner_member_id == owner.id)
        return list(await session.scalars(statement))


async def count(world: World) -> int:
    async with world.db.session() as session:
        found = await session.scalar(select(func.count()).select_from(Indicator))
        return int(found or 0)

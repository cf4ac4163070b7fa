"""`node` and `nodes`: any object by global id, or null where it is missing or invisible."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay

from alliance.articles import reads as article_reads
from alliance.brands import service as brand_service
from alliance.clients import service as client_service
from alliance.errors import InvalidInput
from alliance.experts import reads as expert_reads
from alliance.indicators import links as link_service
from alliance.indicators import reads as indicator_reads
from alliance.indicators import sightings as sighting_service
from alliance.members import service as member_service
from alliance.users import service as user_service
from schema.articles.types import ArticleType
from schema.brands.types import BrandType
from schema.capabilities import ANY_VIEWER, query_field
from schema.clients.types import ClientType
from schema.context import Info
from schema.experts.types import ExpertProfileType
from schema.ids import parse_global_id
from schema.indicators.types import IndicatorType, LinkObject, SightingType
from schema.members.types import MemberType
from schema.users.types import UserType
from sharing import Viewer

MAX_NODES = 100

Fetch = Callable[[AsyncSession, Viewer, list[uuid.UUID]], Awaitable[dict[uuid.UUID, Any]]]


async def _members(
    session: AsyncSession, viewer: Viewer, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Any]:
    found = await member_service.visible_by_ids(session, viewer=viewer, member_ids=ids)
    return {k: MemberType.from_model(v) for k, v in found.items()}


async def _users(
    session: AsyncSession, viewer: Viewer, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Any]:
    found = await user_service.visible_by_ids(session, viewer=viewer, user_ids=ids)
    return {k: UserType.from_model(v) for k, v in found.items()}


async def _brands(
    session: AsyncSession, viewer: Viewer, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Any]:
    found = await brand_service.visible_by_ids(session, viewer=viewer, brand_ids=ids)
    return {k: BrandType.from_model(v) for k, v in found.items()}


async def _clients(
    session: AsyncSession, viewer: Viewer, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Any]:
    found = await client_service.visible_by_ids(session, viewer=viewer, client_ids=ids)
    return {k: ClientType.from_model(v) for k, v in found.items()}


async def _indicators(
    session: AsyncSession, viewer: Viewer, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Any]:
    found = await indicator_reads.by_ids(session, viewer=viewer, ids=ids)
    return {k: IndicatorType.from_visible(v) for k, v in found.items()}


async def _sightings(
    session: AsyncSession, viewer: Viewer, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Any]:
    found = await sighting_service.by_ids(session, viewer=viewer, ids=ids)
    return {k: SightingType.from_visible(v) for k, v in found.items()}


async def _links(
    session: AsyncSession, viewer: Viewer, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Any]:
    found = await link_service.by_ids(session, viewer=viewer, ids=ids)
    return {k: LinkObject.from_model(v, viewer.member_id) for k, v in found.items()}


async def _articles(
    session: AsyncSession, viewer: Viewer, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Any]:
    found = await article_reads.by_ids(session, viewer=viewer, ids=ids)
    return {k: ArticleType.from_visible(v) for k, v in found.items()}


async def _experts(
    session: AsyncSession, viewer: Viewer, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Any]:
    found = await expert_reads.by_ids(session, viewer=viewer, ids=ids)
    return {k: ExpertProfileType.from_visible(v) for k, v in found.items()}


FETCHERS: dict[str, Fetch] = {
    "Member": _members,
    "User": _users,
    "Brand": _brands,
    "Client": _clients,
    "Indicator": _indicators,
    "Sighting": _sightings,
    "Link": _links,
    "Article": _articles,
    "ExpertProfile": _experts,
}


async def _resolve(info: Info, ids: list[str]) -> list[relay.Node | None]:
    wanted: dict[str, list[uuid.UUID]] = defaultdict(list)
    parsed = [parse_global_id(i) for i in ids]
    for item in parsed:
        if item is not None and item[0] in FETCHERS:
            wanted[item[0]].append(item[1])
    found: dict[tuple[str, uuid.UUID], Any] = {}
    async with info.context.session() as session:
        for type_name, type_ids in wanted.items():
            objects = await FETCHERS[type_name](session, info.context.viewer, type_ids)
            found.update({(type_name, k): v for k, v in objects.items()})
    indicators = [k for (type_name, k) in found if type_name == "Indicator"]
    info.context.reads.note("node", "Indicator", indicators)
    info.context.reads.note("node", "Article", [k for (t, k) in found if t == "Article"])
    return [None if item is None else found.get(item) for item in parsed]


async def resolve_node(info: Info, id: strawberry.ID) -> relay.Node | None:
    return (await _resolve(info, [str(id)]))[0]


async def resolve_nodes(info: Info, ids: list[strawberry.ID]) -> list[relay.Node | None]:
    if len(ids) > MAX_NODES:
        raise InvalidInput(f"At most {MAX_NODES} ids at once.", field="ids")
    return await _resolve(info, [str(i) for i in ids])


node = query_field(
    resolve_node,
    capability=ANY_VIEWER,
    description="An object by its global id; null if it does not exist or you may not see it.",
)
nodes = query_field(
    resolve_nodes,
    capability=ANY_VIEWER,
    description="Objects by global ids, in order; null where missing or invisible. At most 100.",
)

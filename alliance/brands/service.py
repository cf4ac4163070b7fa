"""Brands: a member's admins (or alliance admins) create and update the member's brands."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.access import Act, may_act_for
from alliance.audit import service as audit_service
from alliance.brands.models import Brand
from alliance.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from alliance.members.models import Member
from alliance.members.service import directory_filter
from sharing import MemberStatus, Viewer

NICE_CLASSES = range(1, 46)


@dataclass(frozen=True, slots=True)
class Trademark:
    office: str
    registration_number: str
    nice_classes: tuple[int, ...]


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not 1 <= len(cleaned) <= 200:
        raise InvalidInput("A brand name has 1 to 200 characters.", field="name")
    return cleaned


def _trademark_rows(trademarks: Sequence[Trademark]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for index, mark in enumerate(trademarks):
        office = mark.office.strip().upper()
        number = mark.registration_number.strip()
        if not office or not number:
            raise InvalidInput(
                "A trademark needs an office and a registration number.",
                field=f"trademarks.{index}",
            )
        if not mark.nice_classes or any(c not in NICE_CLASSES for c in mark.nice_classes):
            raise InvalidInput(
                "Nice classes are whole numbers from 1 to 45.",
                field=f"trademarks.{index}.niceClasses",
            )
        rows.append(
            {
                "office": office,
                "registration_number": number,
                "nice_classes": sorted(set(mark.nice_classes)),
            }
        )
    return rows


def _categories(categories: Sequence[str]) -> list[str]:
    cleaned = sorted({" ".join(c.split()) for c in categories if c.strip()})
    if any(len(c) > 100 for c in cleaned):
        raise InvalidInput(
            "A product category has at most 100 characters.", field="productCategories"
        )
    return cleaned


async def _require_name_free(
    session: AsyncSession, member_id: uuid.UUID, name: str, brand_id: uuid.UUID | None = None
) -> None:
    query = select(Brand.id).where(
        Brand.member_id == member_id, func.lower(Brand.name) == name.lower()
    )
    if brand_id is not None:
        query = query.where(Brand.id != brand_id)
    if await session.scalar(query) is not None:
        raise Conflict("This member already has a brand with this name.", field="name")


async def create(
    session: AsyncSession,
    *,
    viewer: Viewer,
    member_id: uuid.UUID,
    name: str,
    trademarks: Sequence[Trademark] = (),
    product_categories: Sequence[str] = (),
) -> Brand:
    """Add a brand to a member the viewer administers."""
    if not may_act_for(viewer, member_id, Act.DIRECTORY):
        raise NotFound("member", field="memberId")
    member = await session.get(Member, member_id)
    if member is None:
        raise NotFound("member", field="memberId")
    if member.status is MemberStatus.OFFBOARDED:
        raise IllegalTransition("An offboarded member gets no new brands.", field="memberId")
    brand_name = _clean_name(name)
    await _require_name_free(session, member_id, brand_name)
    brand = Brand(
        member_id=member_id,
        name=brand_name,
        trademarks=_trademark_rows(trademarks),
        product_categories=_categories(product_categories),
    )
    session.add(brand)
    await session.flush()
    audit_service.record(
        session,
        viewer=viewer,
        action="brand.create",
        target_type="Brand",
        target_id=brand.id,
        target_member_id=member_id,
        details={"name": brand_name},
    )
    return brand


async def update(
    session: AsyncSession,
    *,
    viewer: Viewer,
    brand_id: uuid.UUID,
    name: str | None = None,
    trademarks: Sequence[Trademark] | None = None,
    product_categories: Sequence[str] | None = None,
) -> Brand:
    """Change a brand of a member the viewer administers; None leaves a field as it is."""
    brand = await session.get(Brand, brand_id, with_for_update=True)
    if brand is None or not may_act_for(viewer, brand.member_id, Act.DIRECTORY):
        raise NotFound("brand")
    changed: list[str] = []
    if name is not None:
        brand.name = _clean_name(name)
        await _require_name_free(session, brand.member_id, brand.name, brand.id)
        changed.append("name")
    if trademarks is not None:
        brand.trademarks = _trademark_rows(trademarks)
        changed.append("trademarks")
    if product_categories is not None:
        brand.product_categories = _categories(product_categories)
        changed.append("productCategories")
    audit_service.record(
        session,
        viewer=viewer,
        action="brand.update",
        target_type="Brand",
        target_id=brand.id,
        target_member_id=brand.member_id,
        details={"changed": changed},
    )
    return brand


async def visible_by_ids(
    session: AsyncSession, *, viewer: Viewer, brand_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Brand]:
    """Brands among `brand_ids` whose member the viewer may see in the directory."""
    if not brand_ids:
        return {}
    rows = await session.scalars(
        select(Brand)
        .join(Member, Brand.member_id == Member.id)
        .where(Brand.id.in_(set(brand_ids)), directory_filter(viewer))
    )
    return {brand.id: brand for brand in rows}

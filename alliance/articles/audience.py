"""Articles' effective audiences: computed at write time under the owner's policy
(record type ARTICLE, kind = the article's kind), re-applied when that policy changes."""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.articles.drafts import require_listable
from alliance.articles.models import Article
from alliance.errors import InvalidInput
from alliance.indicators.audience import require_known_targets
from alliance.policies.store import alliance_regions, policy_for_records, policy_to_reapply
from sharing.audience import Audience, Tlp, format_audience, parse_audience
from sharing.errors import SharingError
from sharing.policy import RecordType, effective_audience
from sharing.storage import write_audiences


async def store_audience(
    session: AsyncSession, article: Article, requested: Audience | None
) -> Audience:
    """Compute and store the article's effective audience for `requested` (None: the
    owner's default). MATCH_ONLY, a refusal by the owner's policy or a TLP rule is an
    `InvalidInput` naming `audience`; nothing is written then."""
    require_listable(requested)
    policy, version = await policy_for_records(session, article.owner_member_id)
    regions = await alliance_regions(session)
    try:
        require_known_targets(regions, requested, None)
        effective = effective_audience(
            requested,
            owner_id=article.owner_member_id,
            tlp=article.tlp,
            policy=policy,
            record_type=RecordType.ARTICLE,
            kind=article.kind.value,
            regions=regions,
        )
    except SharingError as refused:
        raise InvalidInput(refused.message, field=refused.field or "audience") from None
    article.requested_audience = None if requested is None else format_audience(requested)
    article.policy_version = version
    await session.flush()
    await write_audiences(session, Article, {article.id: effective})
    return effective


async def reapply_articles(session: AsyncSession, *, member_id: uuid.UUID) -> int:
    """Recompute the effective audience of every article of `member_id` under its current
    policy, in the caller's transaction (a member's articles are few: one pass); returns
    how many. An offboarded member's articles are never re-applied."""
    current = await policy_to_reapply(session, member_id)
    if current is None:
        return 0
    policy, version = current
    regions = await alliance_regions(session)
    table = cast(Table, Article.__table__)
    rows: list[Any] = list(
        await session.execute(
            select(table.c.id, table.c.requested_audience, table.c.tlp, table.c.kind).where(
                table.c.owner_member_id == member_id
            )
        )
    )
    audiences = {
        row.id: effective_audience(
            None if row.requested_audience is None else parse_audience(row.requested_audience),
            owner_id=member_id,
            tlp=Tlp(row.tlp),
            policy=policy,
            record_type=RecordType.ARTICLE,
            kind=row.kind,
            regions=regions,
            reapplying=True,
        )
        for row in rows
    }
    await write_audiences(session, Article, audiences)
    if audiences:
        await session.execute(
            update(table).where(table.c.id.in_(list(audiences))).values(policy_version=version)
        )
    return len(audiences)

from __future__ import annotations

import uuid
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from alliance.users import service as user_service
from alliance.users.models import User
from schema.context import Context


def users_by_member_loader(context: Context) -> DataLoader[uuid.UUID, list[User] | None]:
    """Each member's users, or None where the viewer does not administer the member."""

    async def load(member_ids: Sequence[uuid.UUID]) -> list[list[User] | None]:
        async with context.session() as session:
            found = await user_service.of_members(
                session, viewer=context.viewer, member_ids=member_ids
            )
        return [found.get(m) for m in member_ids]

    return DataLoader(load_fn=load)

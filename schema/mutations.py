"""Running a mutation: one transaction, domain errors turned into typed payload errors."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.errors import AllianceError, Conflict
from schema.context import Info
from schema.errors import from_domain

logger = logging.getLogger(__name__)


async def run_mutation(
    info: Info,
    *,
    payload: type[Any],
    error: type[Any],
    operation: Callable[[AsyncSession], Awaitable[dict[str, Any]]],
) -> Any:
    """Run `operation` in one transaction and build `payload` from what it returns.

    A domain error rolls the whole transaction back and becomes a typed error in the
    payload; nothing is half-written.
    """
    try:
        async with info.context.transaction() as session:
            fields = await operation(session)
    except AllianceError as failure:
        return payload(errors=[from_domain(error, failure)])
    except IntegrityError:
        # A concurrent write took a unique value between our check and our insert.
        logger.info("integrity error in %s", info.field_name, exc_info=True)
        conflict = Conflict("This conflicts with a record written at the same time; retry.")
        return payload(errors=[from_domain(error, conflict)])
    return payload(errors=[], **fields)

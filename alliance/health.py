"""Readiness: can the service reach its database?"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from alliance.db import Database


async def is_database_ready(database: Database) -> bool:
    try:
        async with database.session() as session:
            await session.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        return False
    return True

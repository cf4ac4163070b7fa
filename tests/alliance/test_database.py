"""The service's database connections are set up for its workload."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from alliance.db import Database


async def test_postgresql_compiles_no_statement_just_in_time(db: Database) -> None:
    # A page's statement has a plan cost that switches PostgreSQL's JIT on: compiling it
    # took 350 ms of a statement that runs in tens (docs/performance.md).
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL's JIT")
    async with db.session() as session:
        assert await session.scalar(text("SHOW jit")) == "off"

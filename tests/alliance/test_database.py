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


async def test_postgresql_plans_each_statement_for_its_values(db: Database) -> None:
    # Prepared statements are kept per pooled connection; a generic plan cannot see the
    # values that make a page cheap (docs/performance.md): 40 ms instead of 1 at 1M.
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL's plan cache")
    async with db.session() as session:
        assert await session.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"

"""A page of the directory costs a constant number of SQL statements, whatever its size."""

from __future__ import annotations

from tests.fixtures.experts import Experts
from tests.fixtures.graphql import Api
from tests.fixtures.world import World

PAGE = """query($first: Int!) { experts(first: $first) { totalCount edges { node {
  id name memberId memberName label region topics languages regions bio isOwn audience
} } } }"""


async def _statements_for_page(
    api: Api, world: World, experts: Experts, statements: list[str], size: int
) -> int:
    owner = await world.member(region="EU")
    for i in range(size):
        await experts.profile(
            owner,
            "alliance=FULL" if i % 2 else "alliance=ANONYMOUS",
            topics=("CUSTOMS", "TRAINING"),
            languages=("en", "fr"),
            regions=("EU",),
        )
    token = world.token(await world.user(await world.member(region="CN")))
    statements.clear()
    data = await api.query(PAGE, {"first": size}, token=token)
    assert len(data["experts"]["edges"]) == size
    return len(statements)


async def test_a_page_of_30_costs_as_many_statements_as_a_page_of_3(
    api: Api, world: World, experts: Experts, statements: list[str]
) -> None:
    small = await _statements_for_page(api, world, experts, statements, 3)
    large = await _statements_for_page(api, world, experts, statements, 30)
    assert 0 < small == large
    assert large <= 10, statements

"""A request costs one session and one transaction, and reads only what it selects
(issue 8, DESIGN §9); sibling fields share that session and each still reads right."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import strawberry.schema.schema as strawberry_schema

from schema.ids import to_global_id
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World


async def test_viewer_kind_costs_the_principal_check_alone(
    api: Api, world: World, statements: list[str], transactions: list[object]
) -> None:
    # given an analyst
    token = world.token(await world.user(await world.member(region="EU")))

    # when the smallest query is asked
    statements.clear()
    transactions.clear()
    data = await api.query("{ viewer { kind } }", token=token)

    # then it read the principal (one statement, one transaction) and nothing else
    assert data == {"viewer": {"kind": "USER"}}
    assert len(statements) == 1, statements
    assert "users" in statements[0]
    assert len(transactions) == 1


async def test_the_viewer_s_member_and_user_are_read_when_selected(
    api: Api, world: World, statements: list[str]
) -> None:
    # given an analyst of a member, and a secretariat admin
    member = await world.member(region="EU")
    analyst = await world.user(member)
    admin = await world.alliance_admin()
    query = "{ viewer { kind member { legalName } user { email } } }"

    # when each asks for its member and itself
    statements.clear()
    mine = await api.query(query, token=world.token(analyst))
    read = len(statements)
    secretariat = await api.query(query, token=world.token(admin))

    # then each gets them, read because they were selected
    assert mine["viewer"]["member"] == {"legalName": member.legal_name}
    assert mine["viewer"]["user"] == {"email": analyst.email}
    assert read > 1
    assert secretariat["viewer"]["member"] is None
    assert secretariat["viewer"]["user"] == {"email": admin.email}


SIBLINGS = """query($id: ID!, $hidden: ID!) {
  byValue: indicators(first: 5, order: VALUE_ASC) { edges { node { id value } } }
  byConfidence: indicators(first: 2, order: CONFIDENCE_DESC) {
    edges { node { id corroboration { members } } }
  }
  node(id: $id) { ... on Indicator { value owner { label } } }
  hidden: node(id: $hidden) { id }
  viewer { member { legalName } }
}"""


async def test_sibling_fields_share_one_transaction_and_each_reads_right(
    api: Api, world: World, intel: Intel, transactions: list[object]
) -> None:
    # given five records shared with the alliance and one kept by their owner
    owner = await world.member(region="EU")
    viewer_member = await world.member(region="CN")
    shared = [
        await intel.indicator(
            owner, "alliance=FULL", value=f"seller-{i}@fake-shop.com", confidence=10 * i
        )
        for i in range(1, 6)
    ]
    kept = await intel.indicator(owner, "")
    token = world.token(await world.user(viewer_member))
    variables = {
        "id": to_global_id("Indicator", shared[2].id),
        "hidden": to_global_id("Indicator", kept.id),
    }

    # when one query asks for two pages, two nodes and the viewer's member at once
    transactions.clear()
    data = await api.query(SIBLINGS, variables, token=token)

    # then every field has its own right answer, all read in one transaction
    values = [e["node"]["value"] for e in data["byValue"]["edges"]]
    assert values == sorted(r.value for r in shared)
    top = [e["node"]["id"] for e in data["byConfidence"]["edges"]]
    assert top == [to_global_id("Indicator", r.id) for r in (shared[4], shared[3])]
    assert all(e["node"]["corroboration"]["members"] == 1 for e in data["byConfidence"]["edges"])
    assert data["node"] == {"value": shared[2].value, "owner": {"label": owner.legal_name}}
    assert data["hidden"] is None
    assert data["viewer"]["member"] == {"legalName": viewer_member.legal_name}
    assert len(transactions) == 1


async def test_a_failing_field_leaves_its_siblings_answered(
    api: Api, world: World, intel: Intel
) -> None:
    # given a record the analyst may see
    owner = await world.member(region="EU")
    record = await intel.indicator(owner, "alliance=FULL")
    token = world.token(await world.user(owner))
    query = """query($id: ID!) {
      infringerNetwork(id: $id, depth: 9) { indicators { id } }
      node(id: $id) { id }
      viewer { member { legalName } }
    }"""

    # when one field of the query is refused
    response = await api.post(query, {"id": to_global_id("Indicator", record.id)}, token=token)

    # then the others are answered from the same request's session all the same
    body: dict[str, Any] = response.json()
    assert [e["path"] for e in body["errors"]] == [["infringerNetwork"]]
    assert body["data"]["node"] == {"id": to_global_id("Indicator", record.id)}
    assert body["data"]["viewer"]["member"] == {"legalName": owner.legal_name}


async def test_a_query_asked_twice_is_validated_once(
    api: Api, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a query text no request has sent before, and a count of graphql validations
    token = world.token(await world.user(await world.member(region="EU")))
    query = f"{{ v{uuid.uuid4().hex}: viewer {{ kind }} }}"
    validated: list[object] = []
    validate = strawberry_schema.validate

    def counting(*args: Any, **kwargs: Any) -> Any:
        validated.append(args[1])
        return validate(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate", counting)

    # when it is asked twice
    await api.query(query, token=token)
    await api.query(query, token=token)

    # then the second answer came from the validation cache
    assert len(validated) == 1

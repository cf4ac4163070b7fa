"""Control characters are refused at the edge, for every string input of the schema.

The first test walks the schema itself: every String or ID argument and input field of
every Query and Mutation field gets a NUL, so a field added later is covered without
touching this file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputType,
    GraphQLNamedType,
    GraphQLNonNull,
    Undefined,
    get_named_type,
    get_nullable_type,
    is_enum_type,
    is_input_object_type,
    is_interface_type,
    is_list_type,
    is_object_type,
    is_union_type,
)
from sqlalchemy import func, select

from alliance.db import Base, Database
from alliance.indicators.models import Sighting
from alliance.members.models import Member
from schema.app_schema import build_schema
from schema.ids import to_global_id
from sharing import Role
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

SCHEMA = build_schema()._schema
TEXT_SCALARS = {"String", "ID"}
SAMPLE_LEAVES: dict[str, Any] = {
    "String": "x",
    "ID": "x",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "DateTime": "2024-01-01T00:00:00+00:00",
}


@dataclass(frozen=True)
class Target:
    operation: str  # "query" or "mutation"
    field: str
    path: tuple[str, ...]  # argument name, then input field names
    shown: str  # how the error names it: list items by index, "input.items[0].name"

    def __str__(self) -> str:
        return f"{self.field}({self.shown})"


def _step(name: str, type_: GraphQLInputType) -> str:
    return f"{name}[0]" if is_list_type(get_nullable_type(type_)) else name  # type: ignore[type-var]


def _text_paths(
    type_: GraphQLInputType, seen: frozenset[str]
) -> Iterator[tuple[tuple[str, ...], str]]:
    named = get_named_type(type_)
    if named.name in TEXT_SCALARS:
        yield (), ""
    elif is_input_object_type(named) and named.name not in seen:
        for name, field in named.fields.items():  # type: ignore[attr-defined]
            for rest, shown in _text_paths(field.type, seen | {named.name}):
                yield (name, *rest), f".{_step(name, field.type)}{shown}"


def targets() -> list[Target]:
    found: list[Target] = []
    for operation, root in (("query", SCHEMA.query_type), ("mutation", SCHEMA.mutation_type)):
        assert root is not None
        for field_name, field in root.fields.items():
            for arg_name, arg in field.args.items():
                for path, shown in _text_paths(arg.type, frozenset()):
                    step = _step(arg_name, arg.type)
                    found.append(Target(operation, field_name, (arg_name, *path), step + shown))
    return found


def _sample(type_: GraphQLInputType, path: tuple[str, ...], bad: str) -> Any:
    """A value of `type_` valid in shape, holding `bad` at `path` (where one is given)."""
    nullable = get_nullable_type(type_)  # type: ignore[type-var]
    if is_list_type(nullable):
        return [_sample(nullable.of_type, path, bad)] if path else []
    named: GraphQLNamedType = get_named_type(nullable)
    if is_input_object_type(named):
        return _input_object(named, path, bad)  # type: ignore[arg-type]
    if is_enum_type(named):
        return next(iter(named.values))  # type: ignore[attr-defined]
    return SAMPLE_LEAVES[named.name]


def _input_object(named: Any, path: tuple[str, ...], bad: str) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for name, field in named.fields.items():
        assert isinstance(field, GraphQLInputField)
        if path and path[0] == name:
            value[name] = _value_at(field.type, path[1:], bad)
        elif isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined:
            value[name] = _sample(field.type, (), bad)
    return value


def _value_at(type_: GraphQLInputType, path: tuple[str, ...], bad: str) -> Any:
    if not path and get_named_type(type_).name in TEXT_SCALARS:
        return [bad] if is_list_type(get_nullable_type(type_)) else bad  # type: ignore[type-var]
    return _sample(type_, path, bad)


def _selection(field: GraphQLField) -> str:
    named = get_named_type(field.type)
    if is_object_type(named) or is_interface_type(named) or is_union_type(named):
        return "{ __typename }"
    return ""


def request_for(target: Target, bad: str) -> tuple[str, dict[str, Any]]:
    """The operation calling `target.field` with every required argument, `bad` at the path."""
    root = SCHEMA.query_type if target.operation == "query" else SCHEMA.mutation_type
    assert root is not None
    field = root.fields[target.field]
    variables: dict[str, Any] = {}
    for name, arg in field.args.items():
        assert isinstance(arg, GraphQLArgument)
        if name == target.path[0]:
            variables[name] = _value_at(arg.type, target.path[1:], bad)
        elif isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined:
            variables[name] = _sample(arg.type, (), bad)
    definitions = ", ".join(f"${n}: {field.args[n].type}" for n in variables)
    arguments = ", ".join(f"{n}: ${n}" for n in variables)
    header = f"{target.operation}({definitions})" if definitions else target.operation
    call = f"{target.field}({arguments})" if arguments else target.field
    return f"{header} {{ {call} {_selection(field)} }}", variables


async def row_counts(db: Database) -> dict[str, int]:
    async with db.session() as session:
        return {
            table.name: (await session.scalar(select(func.count()).select_from(table))) or 0
            for table in Base.metadata.sorted_tables
        }


def refusal(body: dict[str, Any]) -> dict[str, Any]:
    """The single VALIDATION error of a refused request, which ran nothing."""
    assert body.get("data") is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "VALIDATION", error
    return error  # type: ignore[no-any-return]


def test_the_schema_has_string_inputs_to_walk() -> None:
    found = {str(t) for t in targets()}
    assert "sightingAdd(input.note)" in found
    assert "clientCreate(input.redirectUris[0])" in found
    assert "brandCreate(input.trademarks[0].office)" in found
    assert len(found) > 50


async def test_a_nul_in_any_string_input_of_any_field_is_a_validation_error(
    api: Api, world: World, db: Database
) -> None:
    # given a member admin and analyst, and every table's row count
    member = await world.member()
    token = world.token(await world.user(member, Role.MEMBER_ADMIN, Role.ANALYST))
    before = await row_counts(db)

    # when each String or ID input of each field receives a NUL
    wrong: list[str] = []
    for target in targets():
        query, variables = request_for(target, "a\x00b")
        response = await api.post(query, variables, token=token)
        body = response.json()
        errors = body.get("errors") or []
        if (
            response.status_code != 200
            or body.get("data") is not None
            or len(errors) != 1
            or errors[0].get("extensions", {}).get("code") != "VALIDATION"
            or errors[0]["extensions"].get("field") != target.shown
        ):
            wrong.append(f"{target}: {response.status_code} {body}")

    # then each is refused as VALIDATION naming the input, and nothing was written
    assert not wrong, "\n".join(wrong[:10]) + f"\n({len(wrong)} inputs not refused)"
    assert await row_counts(db) == before


@pytest.mark.parametrize(
    "bad",
    ["\x00", "\x07", "\x1b[31m", "\x7f", "\x85", "\ud800"],
    ids=["NUL", "BEL", "ESC", "DEL", "C1", "lone-surrogate"],
)
async def test_every_control_character_is_refused_in_literals_and_variables(
    api: Api, world: World, db: Database, bad: str
) -> None:
    member = await world.member()
    token = world.token(await world.user(member, Role.MEMBER_ADMIN))
    member_id = (await api.query("{ viewer { member { id } } }", token=token))["viewer"]
    as_variable = await api.client.post(
        "/graphql",
        # ASCII JSON: a lone surrogate travels as its escape, as any JSON client may send it
        content=json.dumps(
            {
                "query": "mutation($input: BrandCreateInput!) {"
                " brandCreate(input: $input) { errors { code } } }",
                "variables": {"input": {"memberId": member_id["member"]["id"], "name": f"B{bad}"}},
            }
        ),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    escaped = "".join(f"\\u{ord(c):04x}" for c in bad)
    as_literal = await api.post(
        f'mutation {{ brandCreate(input: {{memberId: "{member_id["member"]["id"]}",'
        f' name: "Brand{escaped}"}}) {{ errors {{ code }} }} }}',
        token=token,
    )

    error = refusal(as_variable.json())
    assert error["extensions"]["field"] == "input.name"
    assert f"U+{ord(bad[0]):04X}" in error["message"]
    error = refusal(as_literal.json())
    if bad != "\ud800":  # the GraphQL lexer itself refuses a lone surrogate escape
        assert error["extensions"]["field"] == "input.name"
        assert f"U+{ord(bad[0]):04X}" in error["message"]
    assert (await row_counts(db))["brands"] == 0


def client_input(member: Member, redirect_uri: str) -> dict[str, Any]:
    return {
        "memberId": to_global_id("Member", member.id),
        "name": "CRM",
        "scopes": ["INDICATORS_READ"],
        "redirectUris": [redirect_uri],
    }


async def test_a_nul_in_a_redirect_uri_is_never_stored(
    api: Api, world: World, db: Database
) -> None:
    member = await world.member()
    token = world.token(await world.user(member, Role.MEMBER_ADMIN))
    before = await row_counts(db)
    response = await api.post(
        "mutation($input: ClientCreateInput!) { clientCreate(input: $input) { errors { code } } }",
        {"input": client_input(member, "https://crm.example/cb\x00evil")},
        token=token,
    )
    assert refusal(response.json())["extensions"]["field"] == "input.redirectUris[0]"
    assert await row_counts(db) == before


async def test_nested_field_arguments_and_variable_defaults_are_checked(
    api: Api, world: World
) -> None:
    token = world.token(await world.user(await world.member()))
    nested = await api.post(
        '{ viewer { member { brands { name } } } members(after: "\\u0000") { totalCount } }',
        token=token,
    )
    assert refusal(nested.json())["extensions"]["field"] == "after"
    default = await api.post(
        'query($after: String = "\\u0000") { members(after: $after) { totalCount } }',
        token=token,
    )
    assert refusal(default.json())["extensions"]["field"] == "after"


async def test_line_breaks_and_tabs_are_text(
    api: Api, world: World, intel: Intel, db: Database
) -> None:
    # given an indicator the analyst's member owns
    member = await world.member()
    token = world.token(await world.user(member, Role.ANALYST))
    indicator = await intel.indicator(member, "alliance=FULL")

    # when a note spans lines and holds a tab
    note = "Seen twice:\r\n\tonce on the site,\n\tonce in a listing."
    data = await api.query(
        "mutation($input: SightingAddInput!) { sightingAdd(input: $input) { errors { code } } }",
        {
            "input": {
                "indicatorId": to_global_id("Indicator", indicator.id),
                "kind": "SEEN",
                "note": note,
            }
        },
        token=token,
    )

    # then it is stored as written
    assert data["sightingAdd"]["errors"] == []
    async with db.session() as session:
        assert await session.scalar(select(Sighting.note)) == note


async def test_a_redirect_uri_cannot_hold_white_space(api: Api, world: World, db: Database) -> None:
    # a line break is text, but never part of a URI (RFC 3986)
    member = await world.member()
    token = world.token(await world.user(member, Role.MEMBER_ADMIN))
    before = await row_counts(db)
    data = await api.query(
        "mutation($input: ClientCreateInput!) { clientCreate(input: $input) {"
        " errors { code field } } }",
        {"input": client_input(member, "https://crm.example/cb\nX-Evil: 1")},
        token=token,
    )
    assert data["clientCreate"]["errors"] == [{"code": "VALIDATION", "field": "redirectUris"}]
    assert await row_counts(db) == before


async def test_an_overlong_string_in_any_input_is_never_internal(api: Api, world: World) -> None:
    # a guard beside the NUL walk: lengths past every column's limit are a typed error too
    member = await world.member()
    token = world.token(await world.user(member, Role.MEMBER_ADMIN, Role.ANALYST))
    internal: list[str] = []
    for target in targets():
        query, variables = request_for(target, "x" * 5000)
        response = await api.post(query, variables, token=token)
        if response.status_code != 200 or "INTERNAL" in response.text:
            internal.append(f"{target}: {response.status_code} {response.text[:200]}")
    assert not internal, "\n".join(internal)

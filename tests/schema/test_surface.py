"""The API's surface: every root field declares its capability; the committed SDL is current."""

from __future__ import annotations

from pathlib import Path

from schema.app_schema import Mutation, Query, Subscription, build_schema
from schema.capabilities import capability_of

ROOT = Path(__file__).resolve().parents[2]


def test_every_root_field_declares_its_capability() -> None:
    schema = build_schema()
    undeclared = []
    for root in (Query, Mutation, Subscription):
        definition = schema.get_type_by_name(root.__name__)
        assert definition is not None
        for field in definition.fields:  # type: ignore[union-attr]
            if capability_of(field) is None:
                undeclared.append(f"{root.__name__}.{field.python_name}")
    assert undeclared == []


def test_committed_schema_graphql_is_current() -> None:
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == build_schema().as_str() + "\n", (
        "schema.graphql is stale: run `.venv/bin/alliance export-schema` and commit it"
    )

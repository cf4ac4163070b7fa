"""What a GraphQL request costs: computed from its document and variables before it runs
(`requested_cost`), and from what it returned once it has (`actual_cost`).

The formula (docs/limits.md): an object is 1 and a scalar or enum 0; a list of objects
multiplies the cost of one item by its size, which is the field's `first`, else the number
of items its list arguments hold (`nodes(ids:)`, `match(values:)`; a group of values in
`match(groups:)` counts as its values), else the `first` of the connection
it belongs to (`edges`), else a bound the service keeps, else 10; each mutation field adds
10; the sync fields (SYNC_FIELDS) cost 1 per 100 objects. Fragments on several types all
count. Introspection fields are free. Every request costs at least 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_input_type,
    is_leaf_type,
    is_list_type,
)
from graphql.execution.values import VariableValues, get_argument_values
from graphql.utilities import coerce_input_literal, get_operation_ast, type_from_ast

from alliance.indicators import sightings
from alliance.indicators.network import MAX_NODES

OBJECT = 1
MUTATION = 10
MINIMUM = 1
UNBOUNDED_LIST = 10
# Lists the service itself cuts, without an argument saying how long they are.
LIST_BOUNDS: Mapping[tuple[str, str], int] = {
    ("InfringerNetwork", "indicators"): MAX_NODES,
    ("InfringerNetwork", "links"): MAX_NODES,
    ("Indicator", "sightings"): sightings.MAX_PER_INDICATOR,
}
# The fields member systems sync through, whose items cost 1 point per SYNC_ITEMS of them
# (as GitHub's rate limit counts 1 per 100 nodes): at 1 per item, a principal's budget
# refilling 1,000 points a second held a member system to 1,000 records a second.
SYNC_FIELDS = frozenset(
    {("Mutation", "indicatorsUpsert"), ("Mutation", "indicatorsRetract"), ("Query", "changes")}
)
SYNC_ITEMS = 100
# Scalars that hold a page of records as JSON: each record costs this much of the page's
# `first` (a STIX export holds up to 4 objects per record; `actual_cost` counts them).
PAGED_LEAVES: Mapping[tuple[str, str], int] = {("StixExport", "bundle"): 4}


@dataclass(frozen=True, slots=True)
class Operation:
    """The operation a request runs, and its variables as sent (with the operation's
    defaults for those left out)."""

    schema: GraphQLSchema
    definition: OperationDefinitionNode
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: VariableValues

    @property
    def sync_keys(self) -> frozenset[str]:
        """The response keys (aliases) of the root fields in SYNC_FIELDS."""
        root = self.schema.get_root_type(self.definition.operation)
        if root is None:
            return frozenset()
        return frozenset(
            (s.alias or s.name).value
            for s in self.definition.selection_set.selections
            if isinstance(s, FieldNode) and (root.name, s.name.value) in SYNC_FIELDS
        )

    @property
    def mutation_fields(self) -> int:
        """How many mutations it asks for (each costs `MUTATION` besides its payload)."""
        if self.definition.operation is not OperationType.MUTATION:
            return 0
        return sum(
            1
            for s in self.definition.selection_set.selections
            if isinstance(s, FieldNode) and not s.name.value.startswith("__")
        )


def operation_of(
    schema: GraphQLSchema,
    document: DocumentNode,
    name: str | None,
    variables: Mapping[str, Any] | None,
) -> Operation | None:
    """The operation `name` of a validated document; None where execution would refuse it.

    Its variables are taken as sent, not coerced: execution coerces them again, and for
    the 5,000 items of a bulk upsert coercing them twice was a fifth of the request. What
    the cost reads of them agrees either way where execution would accept them: an
    integer `first` (an integral float too, as GraphQL's Int takes it) and the length of
    a list; a single value where a list is expected, which execution wraps in a list of
    one, counts as an unbounded list here, more than it is. Variables that execution
    would refuse run nothing, whatever they are counted as."""
    definition = get_operation_ast(document, name)
    if definition is None:
        return None
    sent = dict(variables or {})
    for declared in definition.variable_definitions or ():
        named = declared.variable.name.value
        if named not in sent and declared.default_value is not None:
            type_ = type_from_ast(schema, declared.type)
            if is_input_type(type_):
                sent[named] = coerce_input_literal(declared.default_value, type_)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return Operation(schema, definition, fragments, VariableValues(sources={}, coerced=sent))


def _count(value: Any) -> int | None:
    """`value` as GraphQL's Int would take it, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def requested_cost(operation: Operation) -> int:
    """The most the operation can cost, from its document and variables alone."""
    root = operation.schema.get_root_type(operation.definition.operation)
    if root is None:  # validation refuses it first
        return MINIMUM
    own = _selections_cost(operation, operation.definition.selection_set, root, page=None)
    return max(MINIMUM, own + MUTATION * operation.mutation_fields)


def _selections_cost(
    operation: Operation, selections: SelectionSetNode, parent: GraphQLNamedType, page: int | None
) -> int:
    total = 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            total += _field_cost(operation, selection, parent, page)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = operation.fragments[selection.name.value]
            on = operation.schema.get_type(fragment.type_condition.name.value)
            total += _selections_cost(operation, fragment.selection_set, on or parent, page)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            on = operation.schema.get_type(condition.name.value) if condition else parent
            total += _selections_cost(operation, selection.selection_set, on or parent, page)
    return total


def _field_cost(
    operation: Operation, node: FieldNode, parent: GraphQLNamedType, page: int | None
) -> int:
    fields: Mapping[str, GraphQLField] = getattr(parent, "fields", {})
    definition = fields.get(node.name.value)
    per_record = PAGED_LEAVES.get((parent.name, node.name.value))
    if per_record is not None:
        return per_record * max(0, page or 0)
    if definition is None or node.selection_set is None:
        return 0  # scalars, enums, __typename and introspection
    named = get_named_type(definition.type)
    if is_leaf_type(named):
        return 0
    arguments = _arguments(definition, node, operation.variables)
    if (parent.name, node.name.value) in SYNC_FIELDS:
        # Its lists are as long as its `first` (the change feed's events), else as the
        # items submitted (`input: {items: [...]}`).
        first = _count(arguments.get("first"))
        items = first if first is not None else _items(list(arguments.values()))
        return _per_sync_items(
            OBJECT + _selections_cost(operation, node.selection_set, named, items)
        )
    first = _count(arguments.get("first"))
    if not is_list_type(get_nullable_type(definition.type)):
        # A connection: its `edges` are as many as its `first` asks for.
        inner_page = first
        return OBJECT + _selections_cost(operation, node.selection_set, named, inner_page)
    size = _list_size(arguments, page, (parent.name, node.name.value))
    return size * (OBJECT + _selections_cost(operation, node.selection_set, named, None))


def _per_sync_items(cost: int) -> int:
    return -(-cost // SYNC_ITEMS)  # rounded up: any answer costs at least 1


def _arguments(
    definition: GraphQLField, node: FieldNode, variables: VariableValues
) -> dict[str, Any]:
    try:
        return get_argument_values(definition, node, variables)
    except GraphQLError:
        return {}  # execution refuses the same arguments with a field error


def _list_size(arguments: Mapping[str, Any], page: int | None, field: tuple[str, str]) -> int:
    first = _count(arguments.get("first"))
    if first is not None:
        return max(0, first)
    lists = [v for v in arguments.values() if isinstance(v, list)]
    if lists:
        return sum(_items(items) for items in lists)
    if page is not None:
        return max(0, page)
    return LIST_BOUNDS.get(field, UNBOUNDED_LIST)


def _items(items: list[Any]) -> int:
    """How many values a list argument submits: an input object holding lists (a group of
    values, `match(groups:)`) counts as its longest list, and at least as one."""
    total = 0
    for item in items:
        inner = (
            [len(v) for v in item.values() if isinstance(v, list)] if isinstance(item, dict) else []
        )
        total += max([1, *inner])
    return total


def actual_cost(
    data: object, *, mutation_fields: int, sync_keys: frozenset[str] = frozenset()
) -> int:
    """What a request cost, from what it returned: 1 per object (1 per SYNC_ITEMS in the
    answers of `sync_keys`, root fields of SYNC_FIELDS), 10 per mutation."""
    returned = 0
    if isinstance(data, dict):  # the root is free
        for key, value in data.items():
            if key.startswith("__"):  # introspection is free, as in `requested_cost`
                continue
            objects = _objects(value)
            returned += _per_sync_items(objects) if key in sync_keys else objects
    return max(MINIMUM, returned + MUTATION * mutation_fields)


def _objects(value: object) -> int:
    if isinstance(value, dict):
        # Introspection (`__schema`, `__type`) is free, as in `requested_cost`.
        return OBJECT + sum(_objects(v) for k, v in value.items() if not k.startswith("__"))
    if isinstance(value, list):
        return sum(_objects(v) for v in value)
    return 0

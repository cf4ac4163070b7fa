"""Control characters are refused at the edge, in one place, for every string input.

Every input reaches a resolver through an argument in the document, written there or
passed as a variable (its default included). Before anything executes, this walks the
value of every argument of the operation, variables substituted, and refuses the request
if a string holds a character `alliance.text` refuses: a request error with code
`VALIDATION` and `extensions.field` the input's path ("input.trademarks[0].office"),
like any other value the schema refuses. A new field cannot bypass it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension

from alliance.text import describe_refusal, refused_character

Fragments = Mapping[str, FragmentDefinitionNode]


def _python_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _python_strings(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _python_strings(key, path)
            yield from _python_strings(item, f"{path}.{key}")


def _strings(node: ValueNode, path: str, values: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(path, text) of every string in an argument's value, variables substituted."""
    if isinstance(node, StringValueNode):
        yield path, node.value
    elif isinstance(node, VariableNode):
        yield from _python_strings(values.get(node.name.value), path)
    elif isinstance(node, ListValueNode):
        for index, item in enumerate(node.values):
            yield from _strings(item, f"{path}[{index}]", values)
    elif isinstance(node, ObjectValueNode):
        for field in node.fields:
            yield from _strings(field.value, f"{path}.{field.name.value}", values)


def _arguments(
    selection_set: SelectionSetNode, fragments: Fragments, seen: set[str]
) -> Iterator[ArgumentNode]:
    """Every argument in a selection set, fragments followed once, directives included."""
    for selection in selection_set.selections:
        for directive in selection.directives or ():
            yield from directive.arguments or ()
        if isinstance(selection, FieldNode):
            yield from selection.arguments or ()
        if isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                seen.add(name)
                yield from _arguments(fragments[name].selection_set, fragments, seen)
        elif isinstance(selection, (FieldNode, InlineFragmentNode)) and selection.selection_set:
            yield from _arguments(selection.selection_set, fragments, seen)


def _variable_values(
    operation: OperationDefinitionNode, given: Mapping[str, Any]
) -> dict[str, Any]:
    values = {
        definition.variable.name.value: value_from_ast_untyped(definition.default_value)
        for definition in operation.variable_definitions or ()
        if definition.default_value is not None
    }
    return {**values, **given}


def _holds_refused(value: Any) -> bool:
    # The common case, fast: one regex pass over every string of the variables (a bulk
    # write holds tens of thousands); paths are only worked out when one is refused.
    texts: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            texts.append(item)
        elif isinstance(item, dict):
            texts.extend(key for key in item if isinstance(key, str))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return refused_character("".join(texts)) is not None


def refusals(document: DocumentNode, variables: Mapping[str, Any]) -> list[GraphQLError]:
    """A VALIDATION error for each input string holding a refused character."""
    if not _holds_refused(dict(variables)):
        variables = {}  # only the document's own strings (and variable defaults) to check
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    errors: list[GraphQLError] = []
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        values = _variable_values(operation, variables)
        for argument in _arguments(operation.selection_set, fragments, set()):
            for path, text in _strings(argument.value, argument.name.value, values):
                character = refused_character(text)
                if character is not None:
                    errors.append(
                        GraphQLError(
                            describe_refusal(path, character),
                            argument,
                            extensions={"code": "VALIDATION", "field": path},
                        )
                    )
    return errors


class RefuseControlCharacters(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            errors = refusals(context.graphql_document, context.variables or {})
            if errors:
                # Strawberry executes nothing when an extension has set the result.
                context.result = ExecutionResult(data=None, errors=errors)
        yield

"""A document with several operations runs only the one `operationName` names.

The GraphQL spec makes a missing name a request error there; strawberry would run the
first operation instead, which may be a mutation the caller did not mean to send.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult, GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension


class RequireOperationName(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        # strawberry's `operation_name` falls back to the first operation's name.
        named = context._provided_operation_name is not None
        if document is not None and not named:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) > 1:
                error = GraphQLError(
                    "This document has several operations: name the one to run in `operationName`.",
                    extensions={"code": "VALIDATION", "field": "operationName"},
                )
                context.result = ExecutionResult(data=None, errors=[error])
        yield

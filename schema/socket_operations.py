"""Over a WebSocket only subscriptions run: queries and mutations are refused before
anything of them executes (send them over HTTP). A socket lives for hours; what a query
read there would hold a session open with it, and HTTP is where a request's cost, audit
and errors are handled."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from schema.context import OverHttpOnly, SocketContext


class SubscriptionsOnlyOverSockets(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        over_socket = isinstance(execution.context, SocketContext)
        if over_socket and execution.operation_type is not OperationType.SUBSCRIPTION:
            refused = OverHttpOnly()
            error = GraphQLError(refused.message, extensions={"code": refused.code.value})
            execution.result = ExecutionResult(data=None, errors=[error])
        yield

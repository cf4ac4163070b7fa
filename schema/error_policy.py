"""What callers see of errors: domain errors with their code and field, nothing internal."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from alliance.errors import AllianceError

logger = logging.getLogger("alliance.graphql")

INTERNAL_MESSAGE = "Internal server error."


def _shown(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return error  # syntax, validation and limits: about the query, not our internals
    if isinstance(original, AllianceError):
        error.extensions = {"code": original.code.value, "field": original.field}
        return error
    logger.error("internal error in %s", error.path, exc_info=original)
    return GraphQLError(
        INTERNAL_MESSAGE,
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL"},
    )


class ErrorPolicy(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [_shown(e) for e in errors]

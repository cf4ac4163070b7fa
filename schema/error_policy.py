"""What callers see of errors: domain errors with their code and field, nothing internal.

Errors about the request itself (syntax, a wrong type, an unknown enum value, a control
character) come before anything runs; they carry the code `VALIDATION`, and an unknown
enum value is answered with the values that exist.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.enum import StrawberryEnumDefinition

from alliance.db import UNAVAILABLE_MESSAGE, is_unavailable
from alliance.errors import AllianceError

logger = logging.getLogger("alliance.graphql")

INTERNAL_MESSAGE = "Internal server error."

# What strawberry raises about the request before anything runs.
_STRAWBERRY_REQUEST_ERRORS = (
    MissingQueryError,
    CannotGetOperationTypeError,
    InvalidOperationTypeError,
)

# graphql-core's words for an enum value that does not exist (variables, then literals).
_UNKNOWN_ENUM = re.compile(r"in '(\w+)' enum\.|^Enum '(\w+)' cannot represent")


def _shown(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return error  # syntax, validation and limits: about the query, not our internals
    if isinstance(original, AllianceError):
        error.extensions = {"code": original.code.value, "field": original.field}
        return error
    if error.path is None and isinstance(original, ValueError | RecursionError):
        # A value of the document or its variables that cannot be read (a number of
        # thousands of digits): about the request, and nothing ran.
        return GraphQLError(
            "A value in the request cannot be read (too large or too deeply nested).",
            nodes=error.nodes,
            extensions={"code": "VALIDATION"},
        )
    return _masked(original, nodes=error.nodes, path=error.path)


def error_of(original: BaseException) -> GraphQLError:
    """What the caller may see of an exception raised outside the operation's own error
    handling (a subscription's later pages): ours with its code and field, the rest masked."""
    if isinstance(original, GraphQLError):
        return original
    if isinstance(original, AllianceError):
        extensions = {"code": original.code.value, "field": original.field}
        return GraphQLError(original.message, extensions=extensions)
    return _masked(original)


def _masked(original: BaseException, **where: Any) -> GraphQLError:
    """UNAVAILABLE while the database is unreachable (the view answers 503), else INTERNAL."""
    if is_unavailable(original):
        logger.warning("database unavailable in %s: %s", where.get("path"), original)
        return GraphQLError(UNAVAILABLE_MESSAGE, **where, extensions={"code": "UNAVAILABLE"})
    logger.error("internal error in %s", where.get("path"), exc_info=original)
    return GraphQLError(INTERNAL_MESSAGE, **where, extensions={"code": "INTERNAL"})


class ErrorPolicy(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except GraphQLError as error:
            # A syntax error under the token limiter is raised through the operation.
            if error.path is None and not (error.extensions or {}).get("code"):
                error.extensions = {**(error.extensions or {}), "code": "VALIDATION"}
            raise
        except _STRAWBERRY_REQUEST_ERRORS:
            raise  # the HTTP view answers these with their own 400 or 405
        except Exception as error:
            # Raised by another extension after execution (the read audit's insert).
            raise _masked(error) from error
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [self._coded(_shown(e)) for e in errors]

    def _coded(self, error: GraphQLError) -> GraphQLError:
        """A request error (no path: nothing ran) without a code becomes VALIDATION."""
        if error.path is not None or (error.extensions or {}).get("code"):
            return error
        extensions = {**(error.extensions or {}), "code": "VALIDATION"}
        message = error.message
        valid = self._enum_values(message)
        if valid:
            extensions["validValues"] = valid
            message = f"{message} Valid values: {', '.join(valid)}."
        return GraphQLError(
            message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            original_error=error.original_error,
            extensions=extensions,
        )

    def _enum_values(self, message: str) -> list[str]:
        found = _UNKNOWN_ENUM.search(message)
        if found is None:
            return []
        definition = self.execution_context.schema.get_type_by_name(
            found.group(1) or found.group(2)
        )
        if not isinstance(definition, StrawberryEnumDefinition):
            return []
        return [value.name for value in definition.values]

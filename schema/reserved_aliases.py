"""Names beginning with `__` are reserved for introspection (GraphQL spec, "Names"), and
the actual cost of a request skips those keys of the answer as introspection: an alias
`__page: indicators(first: 100)` would have been refunded as free. No alias may use them.
"""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, GraphQLError, ValidationRule


class NoReservedAliases(ValidationRule):
    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        if node.alias is not None and node.alias.value.startswith("__"):
            self.report_error(
                GraphQLError(
                    f"The alias `{node.alias.value}` begins with `__`, which is reserved "
                    "for introspection.",
                    node.alias,
                )
            )

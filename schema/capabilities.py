"""Every Query, Mutation and Subscription field declares the capability it needs; this enforces it.

`query_field` and `mutation_field` are the only way to add a root field (a test walks the
schema and fails on a root field without a declaration). A capability is a scope, or
`ANY_VIEWER` for fields any authenticated caller may use, whose data services then filter.
A query without the capability fails with a FORBIDDEN error; a mutation returns its
payload with a FORBIDDEN typed error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types.field import StrawberryField

from alliance.errors import Forbidden
from schema.context import Info
from schema.errors import from_domain
from sharing import Scope, Viewer


@dataclass(frozen=True, slots=True)
class Capability:
    scopes: tuple[Scope, ...]  # any one of them; none: any authenticated viewer

    def allows(self, viewer: Viewer) -> bool:
        return not self.scopes or any(viewer.has_scope(scope) for scope in self.scopes)

    def forbidden(self) -> Forbidden:
        named = " or ".join(f"`{scope}`" for scope in self.scopes)
        return Forbidden(f"This operation needs the {named} right.")


ANY_VIEWER = Capability(())


def requires(scope: Scope, *alternatives: Scope) -> Capability:
    """The capability of `scope`, or of any one of `alternatives`."""
    return Capability((scope, *alternatives))


class RequireCapability(FieldExtension):
    def __init__(
        self, capability: Capability, *, error_payload: Callable[[Forbidden], Any] | None
    ) -> None:
        self.capability = capability
        self.error_payload = error_payload

    def _refusal(self) -> Any:
        error = self.capability.forbidden()
        if self.error_payload is None:
            raise error
        return self.error_payload(error)

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        if not self.capability.allows(info.context.viewer):
            return self._refusal()
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        if not self.capability.allows(info.context.viewer):
            return self._refusal()
        return await next_(source, info, **kwargs)


def capability_of(field: StrawberryField) -> Capability | None:
    """The capability a root field declared, if any."""
    for extension in field.extensions:
        if isinstance(extension, RequireCapability):
            return extension.capability
    declared = field.metadata.get(_CAPABILITY)
    return declared if isinstance(declared, Capability) else None


_CAPABILITY = "alliance.capability"


def subscription_field(resolver: Any, *, capability: Capability, description: str) -> Any:
    """A Subscription field that needs `capability`. Strawberry's field extensions do not
    wrap the async generator of a subscription, so the resolver itself checks it (with
    `require`) whenever it (re)checks its viewer; the field declares it here."""
    return strawberry.subscription(
        resolver, description=description, metadata={_CAPABILITY: capability}
    )


def require(capability: Capability, viewer: Viewer) -> None:
    """FORBIDDEN unless `viewer` has `capability`."""
    if not capability.allows(viewer):
        raise capability.forbidden()


def query_field(resolver: Any, *, capability: Capability, description: str) -> Any:
    """A Query field that needs `capability`."""
    return strawberry.field(
        resolver,
        description=description,
        extensions=[RequireCapability(capability, error_payload=None)],
    )


def mutation_field(
    resolver: Any, *, capability: Capability, description: str, payload: type[Any], error: type[Any]
) -> Any:
    """A Mutation field that needs `capability`; without it the payload carries FORBIDDEN."""

    def refuse(forbidden: Forbidden) -> Any:
        return payload(errors=[from_domain(error, forbidden)])

    return strawberry.mutation(
        resolver,
        description=description,
        extensions=[RequireCapability(capability, error_payload=refuse)],
    )

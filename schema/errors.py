"""Typed errors in mutation payloads (`code`, `field`, `message`), one error type per mutation."""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry

from alliance.errors import AllianceError, Conflict
from schema.enums import ErrorCode
from schema.ids import to_global_id


@strawberry.interface(description="Why a mutation did not happen; nothing of it was written.")
class MutationError:
    code: ErrorCode = strawberry.field(description="What kind of failure this is.")
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    message: str = strawberry.field(description="What went wrong, in words for people.")


def from_domain(error_cls: type[Any], error: AllianceError) -> Any:
    """The typed error for `error`; a conflict with the caller's own record names its id,
    in the message and in `existingId` where the error type has one."""
    existing = error.existing if isinstance(error, Conflict) else None
    if existing is None:
        return error_cls(code=error.code, field=error.field, message=error.message)
    existing_id = to_global_id(existing.type_name, existing.id)
    message = f"{error.message} Its id is {existing_id}."
    carried = {"existing_id": existing_id} if _has_field(error_cls, "existing_id") else {}
    return error_cls(code=error.code, field=error.field, message=message, **carried)


def _has_field(error_cls: type[Any], name: str) -> bool:
    return any(field.name == name for field in dataclasses.fields(error_cls))

"""Typed errors in mutation payloads (`code`, `field`, `message`), one error type per mutation."""

from __future__ import annotations

from typing import Any

import strawberry

from alliance.errors import AllianceError
from schema.enums import ErrorCode


@strawberry.interface(description="Why a mutation did not happen; nothing of it was written.")
class MutationError:
    code: ErrorCode = strawberry.field(description="What kind of failure this is.")
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    message: str = strawberry.field(description="What went wrong, in words for people.")


def from_domain(error_cls: type[Any], error: AllianceError) -> Any:
    return error_cls(code=error.code, field=error.field, message=error.message)

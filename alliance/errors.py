"""Errors the domain raises on purpose; each becomes a typed API error (code, field, message).

    AllianceError                 base: code, field, message; safe to show the caller
    ├── InvalidInput              VALIDATION: a value is malformed or out of range
    ├── NotFound                  NOT_FOUND: missing, or invisible to the viewer (same answer)
    ├── Forbidden                 FORBIDDEN: the viewer lacks the right for this operation
    ├── Conflict                  CONFLICT: unique value already taken
    └── IllegalTransition         ILLEGAL_TRANSITION: the status machine forbids this move

Anything else raised while serving a request is an internal error: logged, and masked
before it reaches the caller.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass


class ErrorCode(enum.StrEnum):
    VALIDATION = "VALIDATION"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    CONFLICT = "CONFLICT"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    AGREEMENT_REQUIRED = "AGREEMENT_REQUIRED"
    UNAUTHENTICATED = "UNAUTHENTICATED"


class AllianceError(Exception):
    """An error whose code, field and message are meant for the caller."""

    code: ErrorCode = ErrorCode.VALIDATION

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(AllianceError):
    code = ErrorCode.VALIDATION


class NotFound(AllianceError):
    code = ErrorCode.NOT_FOUND

    def __init__(self, what: str = "record", *, field: str | None = "id") -> None:
        # The message never says whether the record exists but is invisible.
        super().__init__(f"No {what} with this id.", field=field)


class Forbidden(AllianceError):
    code = ErrorCode.FORBIDDEN


class Unauthenticated(AllianceError):
    """The caller's token no longer holds (expired, revoked, its principal shut out)."""

    code = ErrorCode.UNAUTHENTICATED


@dataclass(frozen=True, slots=True)
class RecordRef:
    """A record named in an error: its type (as the API names it) and id."""

    type_name: str
    id: uuid.UUID


class Conflict(AllianceError):
    """`existing`: the caller's own record that holds the value, where the caller may
    know it (never another member's record)."""

    code = ErrorCode.CONFLICT

    def __init__(
        self, message: str, *, field: str | None = None, existing: RecordRef | None = None
    ) -> None:
        super().__init__(message, field=field)
        self.existing = existing


class IllegalTransition(AllianceError):
    code = ErrorCode.ILLEGAL_TRANSITION


class AgreementRequired(AllianceError):
    code = ErrorCode.AGREEMENT_REQUIRED

"""Errors the sharing engine raises on purpose; the domain makes each a typed API error.

    SharingError             base: message, field; safe to show the writer
    ├── InvalidSharingInput  a target, grant, audience, level or TLP label that does
    │                        not parse (also a ValueError)
    ├── SharingRefused       the owner's policy, or an alliance rule, refuses the
    │                        audience that a write asked for
    └── InvalidCursor        a change-feed cursor this service did not hand out

Messages only ever name what the caller itself sent or its own member's policy: they are
raised while the writer's own record (or the reader's cursor) is checked, never while
anything is read.
"""

from __future__ import annotations


class SharingError(Exception):
    """An error whose message and field are meant for the writer."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidSharingInput(SharingError, ValueError):
    """A sharing value in text form is malformed."""


class SharingRefused(SharingError):
    """The audience asked for is not allowed, and the rule says refuse, not clip."""


class InvalidCursor(SharingError):
    """A change-feed cursor that this service did not hand out (or no longer reads)."""

"""The synchronous session of the OAuth request being served.

authlib calls hooks such as `query_client(client_id)` without the request, so the
session is a context variable, set by `AllianceAuthorizationServer.respond` inside
`AsyncSession.run_sync` for exactly the duration of one authlib call.
"""

from __future__ import annotations

from contextvars import ContextVar

from sqlalchemy.orm import Session

_session: ContextVar[Session] = ContextVar("oauth_session")


def current_session() -> Session:
    """The session of the OAuth request in progress (only valid inside `respond`)."""
    return _session.get()


def bind_session(session: Session) -> object:
    """Make `session` current; returns what `unbind_session` needs to undo it."""
    return _session.set(session)


def unbind_session(token: object) -> None:
    """Undo `bind_session`."""
    _session.reset(token)  # type: ignore[arg-type]

"""The only session factory for a viewer: every ORM SELECT it runs is filtered.

Like SQLAlchemy's `examples/extending_query/filter_public.py`: a `do_orm_execute` hook adds
`with_loader_criteria(<model>, visible_to(model, viewer), include_aliases=True)` for every
registered shareable model, so joins, aliases, `session.get` and relationship loads see
only what the viewer may see. A session without a viewer (which this factory never makes)
sees nothing shareable: the hook fails closed.

The match path asks for `Reach.MATCH` with `.execution_options(sharing_reach=Reach.MATCH)`;
no option widens a read beyond the viewer's grants.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Result, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from sharing.policy import ViewerFacts
from sharing.predicate import Reach, bound_visible, viewer_parameters
from sharing.principals import Viewer
from sharing.storage import shareable_models

_VIEWER = "sharing.viewer"
REACH_OPTION = "sharing_reach"


class ViewerSession(Session):
    """A synchronous session bound to one viewer (through `AsyncSession.sync_session`)."""


@event.listens_for(ViewerSession, "do_orm_execute")
def _filter_shareable(state: ORMExecuteState) -> Result[Any] | None:
    if not state.is_select or state.is_column_load:
        return None
    facts = state.session.info.get(_VIEWER)
    reach = Reach(state.execution_options.get(REACH_OPTION, Reach.LIST))
    state.statement = state.statement.options(
        *(
            with_loader_criteria(
                model,
                bound_visible(reach),
                include_aliases=True,
                track_closure_variables=False,  # closure-free: the same SQL for every viewer
            )
            for model in shareable_models()
        )
    )
    viewer = facts if isinstance(facts, ViewerFacts) else None  # no viewer: nothing
    if state.parameters is None:
        state.parameters = {}  # invoke_statement merges into the statement's own
    return state.invoke_statement(params=viewer_parameters(viewer))


def viewer_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A factory of viewer sessions on `engine`; open them with `viewer_session`."""
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=ViewerSession)


def viewer_session(sessions: async_sessionmaker[AsyncSession], viewer: Viewer) -> AsyncSession:
    """A new session whose every read of shareable data is filtered for `viewer`."""
    return sessions(info={_VIEWER: ViewerFacts.of(viewer)})


def unbound_session(sessions: async_sessionmaker[AsyncSession]) -> AsyncSession:
    """A new session of `sessions` whose viewer is not known yet (a request's, before its
    principal is checked): it sees nothing shareable until `bind_viewer` names one."""
    return sessions(info={})


def bind_viewer(session: AsyncSession, viewer: Viewer) -> None:
    """From now on, filter every read of `session` for `viewer`. A session serves one
    viewer: binding another is a bug, refused."""
    facts = ViewerFacts.of(viewer)
    bound = viewer_facts(session)
    if bound is not None and bound != facts:
        raise RuntimeError("this session already serves another viewer")
    session.sync_session.info[_VIEWER] = facts


def viewer_facts(session: AsyncSession) -> ViewerFacts | None:
    """The viewer a session was opened for, or None for a non-viewer session."""
    facts = session.sync_session.info.get(_VIEWER)
    return facts if isinstance(facts, ViewerFacts) else None

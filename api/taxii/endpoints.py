"""The read-only TAXII 2.1 server at `/taxii2/` (docs/taxii.md).

Every endpoint needs a bearer token with `indicators:read` (401 without a token, 403
without the right), answers `application/taxii+json;version=2.1` (406 where the client
accepts neither it nor JSON), and reads through the request's viewer session: the
objects come from alliance/stix/collections.py, which reads the change feed and
`reads.by_ids`. An object the viewer may not list is a 404 exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from alliance.audit.reads import ReadLog, flush_reads
from alliance.errors import InvalidInput
from alliance.indicators.reads import VisibleIndicator
from alliance.request_session import RequestSession
from alliance.stix import collections
from alliance.stix.collections import COLLECTIONS, Collection
from api.taxii import parameters, resources
from api.taxii.parameters import BadParameter
from api.taxii.responses import PREFIX, TAXII_MEDIA, accepts_taxii, taxii_error, taxii_json
from auth.middleware import ViewerUser, request_session_of
from sharing import Scope, Viewer

API_ROOT = "alliance"


@dataclass
class Call:
    """One TAXII request: who asks, and the request's one session."""

    request: Request
    viewer: Viewer
    session: RequestSession
    reads: ReadLog = field(default_factory=ReadLog)

    def base_url(self) -> str:
        issuer: str = self.request.app.state.settings.issuer
        return f"{issuer}{PREFIX}/"


Handler = Callable[[Call], Awaitable[Response]]


def _refusal(request: Request) -> Response | None:
    """Why the request cannot be served, if it cannot: 405, 401, 403, 406 in that order."""
    if request.method not in {"GET", "HEAD"}:
        return taxii_error(405, "Method not allowed", "This TAXII server is read-only.")
    if not isinstance(request.scope.get("user"), ViewerUser):
        return taxii_error(401, "Unauthorized", "Send `Authorization: Bearer <access token>`.")
    if not request.user.viewer.has_scope(Scope.INDICATORS_READ):
        return taxii_error(403, "Forbidden", "TAXII needs the `indicators:read` right.")
    if not accepts_taxii(request):
        return taxii_error(406, "Not acceptable", f"This server answers {TAXII_MEDIA}.")
    return None


def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def serve(request: Request) -> Response:
        refused = _refusal(request)
        if refused is not None:
            return refused
        session = request_session_of(request.scope)
        if session is None:
            raise RuntimeError("no request session on a TAXII route")
        call = Call(request=request, viewer=request.user.viewer, session=session)
        try:
            response = await handler(call)
        except (BadParameter, InvalidInput) as error:
            return taxii_error(400, "Bad request", _reason(error))
        if call.reads:
            async with session.writing() as writer:
                await flush_reads(writer, viewer=call.viewer, log=call.reads)
        return response

    return serve


def _reason(error: Exception) -> str:
    if isinstance(error, InvalidInput) and error.field == "after":
        return "`next` is not a value this server gave."
    return str(error)


def _collection(call: Call) -> Collection | None:
    return collections.collection(call.request.path_params["collection_id"])


def _not_found(what: str) -> Response:
    # The same answer for a missing object and one the caller may not see.
    return taxii_error(404, "Not found", f"No {what} with this id.")


async def discovery(call: Call) -> Response:
    return taxii_json(resources.discovery(call.base_url(), API_ROOT))


async def api_root(call: Call) -> Response:
    return taxii_json(resources.api_root(call.request.app.state.settings.max_body_bytes))


async def collection_list(call: Call) -> Response:
    return taxii_json({"collections": [resources.collection(c) for c in COLLECTIONS]})


async def collection_one(call: Call) -> Response:
    found = _collection(call)
    return _not_found("collection") if found is None else taxii_json(resources.collection(found))


async def _page(call: Call) -> collections.ObjectsPage | None:
    """The page of objects the request asks for; None for an unknown collection."""
    found = _collection(call)
    if found is None:
        return None
    wanted = parameters.object_filter(call.request)
    async with call.session.reading() as session:
        return await collections.objects(
            session,
            viewer=call.viewer,
            collection=found,
            wanted=wanted,
            limit=parameters.limit(call.request),
            after=parameters.after(call.request),
            reads_log=call.reads,
        )


async def objects(call: Call) -> Response:
    page = await _page(call)
    if page is None:
        return _not_found("collection")
    # About 1 ms of CPU per object (mostly the library's pattern check): off the loop.
    return await run_in_threadpool(resources.envelope, page)


async def manifest(call: Call) -> Response:
    page = await _page(call)
    if page is None:
        return _not_found("collection")
    return resources.manifest(page)


async def _object(call: Call) -> list[VisibleIndicator] | None:
    found = _collection(call)
    if found is None:
        return None
    wanted = parameters.object_filter(call.request, with_id=False)
    async with call.session.reading() as session:
        items = await collections.by_object_ids(
            session,
            viewer=call.viewer,
            collection=found,
            ids=[call.request.path_params["object_id"]],
            wanted=wanted,
            reads_log=call.reads,
        )
    return items or None


async def object_one(call: Call) -> Response:
    items = await _object(call)
    if items is None:
        return _not_found("object")
    return await run_in_threadpool(resources.envelope, collections.ObjectsPage(items=items))


async def object_versions(call: Call) -> Response:
    items = await _object(call)
    if items is None:
        return _not_found("object")
    return resources.versions(items)


def routes() -> list[BaseRoute]:
    """`/taxii2/` and below; every method reaches the handler, which refuses all but GET."""
    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
    collection_path = f"{PREFIX}/{API_ROOT}/collections/{{collection_id}}"
    table: list[tuple[str, Handler]] = [
        (f"{PREFIX}/", discovery),
        (f"{PREFIX}/{API_ROOT}/", api_root),
        (f"{PREFIX}/{API_ROOT}/collections/", collection_list),
        (f"{collection_path}/", collection_one),
        (f"{collection_path}/objects/", objects),
        (f"{collection_path}/manifest/", manifest),
        (f"{collection_path}/objects/{{object_id}}/", object_one),
        (f"{collection_path}/objects/{{object_id}}/versions/", object_versions),
    ]
    return [Route(path, endpoint(handler), methods=methods) for path, handler in table]

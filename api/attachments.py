"""Article attachments over HTTP (docs/articles.md): thin; the rules are in
alliance/articles/attachments.py.

    POST /articles/{article id}/attachments   upload (raw body), `expertise:write`, owner only
    GET  /attachments/{attachment id}         download, `expertise:read`, readers of the article

Both need a bearer token (401 without one, 403 without the right). An upload over the
size limit is refused with 413 from its Content-Length before its body is read, or as
soon as the streamed body passes the limit. A download the viewer may not have is the
same 404, byte for byte, as one that does not exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from alliance.articles import attachments
from alliance.articles.storage import AttachmentStore, store_named
from alliance.audit.reads import ReadLog, flush_reads
from alliance.config import Settings
from alliance.errors import AllianceError, ErrorCode, NotFound
from api.limits import declared_length
from auth.middleware import ViewerUser, request_session_of, unauthorized
from schema.articles.types import ArticleAttachmentType
from schema.ids import parse_global_id
from sharing import Scope, Viewer

UPLOAD_PATH = "/articles/{article_id:path}/attachments"
_STATUS = {ErrorCode.NOT_FOUND: 404, ErrorCode.FORBIDDEN: 403, ErrorCode.ILLEGAL_TRANSITION: 409}
# One answer for every attachment a caller may not have: nothing in it varies.
_NOT_FOUND = (
    b'{"errors":[{"code":"NOT_FOUND","field":"id","message":"No attachment with this id."}]}'
)


def store_for(settings: Settings) -> AttachmentStore:
    """The attachment store the settings name (`ALLIANCE_ATTACHMENT_STORE`)."""
    return store_named(settings.attachment_store, settings.attachments_dir)


def is_upload(path: str) -> bool:
    """Whether `path` is an upload's (the global body limit leaves it to this module)."""
    return path.startswith("/articles/") and path.endswith("/attachments")


def _error(error: AllianceError) -> Response:
    body = {"errors": [{"code": error.code, "field": error.field, "message": error.message}]}
    return JSONResponse(body, status_code=_STATUS.get(error.code, 400))


def _too_large(limit: int) -> Response:
    message = f"An attachment has at most {limit:,} bytes."
    body = {"errors": [{"code": "BODY_TOO_LARGE", "field": "content", "message": message}]}
    return JSONResponse(body, status_code=413)


def _viewer(request: Request, scope: Scope) -> Viewer | Response:
    user = request.scope.get("user")
    if not isinstance(user, ViewerUser):
        return unauthorized()
    if not user.viewer.has_scope(scope):
        message = f"This needs the `{scope}` right."
        return JSONResponse({"errors": [{"code": "FORBIDDEN", "message": message}]}, 403)
    return user.viewer


def _article_id(text: str) -> uuid.UUID:
    parsed = parse_global_id(text)
    if parsed is not None and parsed[0] == "Article":
        return parsed[1]
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound("article") from None


async def _body(request: Request, limit: int) -> bytes | None:
    """The body, or None once it passes `limit` (the rest is never read)."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def upload(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    viewer = _viewer(request, Scope.EXPERTISE_WRITE)
    if isinstance(viewer, Response):
        return viewer
    limit = settings.attachment_max_bytes
    declared = declared_length(request.headers)
    content = None if declared is not None and declared > limit else await _body(request, limit)
    if content is None:
        return _too_large(limit)
    sessions = request_session_of(request.scope)
    if sessions is None:
        raise RuntimeError("no request session on an attachment route")
    given = attachments.Upload(
        content=content,
        filename=request.query_params.get("filename", "attachment"),
        declared_type=request.headers.get("content-type"),
    )
    try:
        async with sessions.writing() as session:
            attachment = await attachments.attach(
                session,
                viewer=viewer,
                article_id=_article_id(request.path_params["article_id"]),
                upload=given,
                store=store_for(settings),
                max_bytes=limit,
            )
            shown = ArticleAttachmentType.from_model(attachment)
    except AllianceError as refused:
        return _error(refused)
    return JSONResponse({"attachment": _as_json(shown)}, status_code=201)


def _as_json(shown: ArticleAttachmentType) -> dict[str, object]:
    return {
        "id": shown.id,
        "filename": shown.filename,
        "contentType": shown.content_type,
        "size": shown.size,
        "sha256": shown.sha256,
        "downloadUrl": shown.download_url,
    }


def _not_found() -> Response:
    return Response(_NOT_FOUND, status_code=404, media_type="application/json")


async def download(request: Request) -> Response:
    viewer = _viewer(request, Scope.EXPERTISE_READ)
    if isinstance(viewer, Response):
        return viewer
    sessions = request_session_of(request.scope)
    if sessions is None:
        raise RuntimeError("no request session on an attachment route")
    try:
        attachment_id = uuid.UUID(request.path_params["attachment_id"])
    except ValueError:
        return _not_found()
    store = store_for(request.app.state.settings)
    try:
        async with sessions.reading() as session:
            found, content = await attachments.download(
                session, viewer=viewer, attachment_id=attachment_id, store=store
            )
    except NotFound:
        return _not_found()
    log = ReadLog()
    log.note("attachment", "Article", [found.article_id])
    async with sessions.writing() as writer:
        await flush_reads(writer, viewer=viewer, log=log)
    return Response(
        content, media_type=found.content_type, headers=_download_headers(found.filename)
    )


def _download_headers(filename: str) -> dict[str, str]:
    return {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    }


Endpoint = Callable[[Request], Awaitable[Response]]


def routes() -> list[BaseRoute]:
    """The attachment routes."""
    return [
        Route(UPLOAD_PATH, upload, methods=["POST"]),
        Route("/attachments/{attachment_id}", download, methods=["GET"]),
    ]

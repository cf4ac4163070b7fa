"""Attachments over HTTP: upload rules (owner, size, sniffing), download as served bytes
and headers, both stores, and a 404 that is the same for invisible and missing."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest

from alliance.articles.samples import pdf, png
from alliance.members.models import Member
from schema.ids import to_global_id
from sharing import Scope
from tests.fixtures.articles import Library
from tests.fixtures.graphql import Api, ApiFactory
from tests.fixtures.world import World


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _upload(
    api: Api, token: str, article_id: uuid.UUID, content: bytes, content_type: str, name: str
) -> tuple[int, dict[str, object]]:
    response = await api.client.post(
        f"/articles/{article_id}/attachments",
        params={"filename": name},
        content=content,
        headers={**_bearer(token), "Content-Type": content_type},
    )
    return response.status_code, response.json()


@pytest.mark.parametrize("store", ["database", "folder"])
async def test_uploaded_bytes_are_served_back(
    api_with: ApiFactory, world: World, library: Library, tmp_path: Path, store: str
) -> None:
    api = await api_with(attachment_store=store, attachments_dir=tmp_path / "attachments")
    owner = await world.member(region="EU")
    article = await library.article(owner)
    token = world.token(await world.user(owner))
    content = pdf("Authentication guide")
    status, body = await _upload(
        api, token, article.id, content, "application/pdf", "../../guide.pdf"
    )
    assert status == 201, body
    shown = body["attachment"]
    assert isinstance(shown, dict)
    assert (shown["filename"], shown["contentType"], shown["size"]) == (
        "guide.pdf",
        "application/pdf",
        len(content),
    )
    assert shown["sha256"] == hashlib.sha256(content).hexdigest()
    reader = world.token(await world.user(await world.member(region="CN")))
    response = await api.client.get(str(shown["downloadUrl"]), headers=_bearer(reader))
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == "attachment; filename*=UTF-8''guide.pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    if store == "folder":
        digest = hashlib.sha256(content).hexdigest()
        assert (tmp_path / "attachments" / digest[:2] / digest).read_bytes() == content
    listed = await api.query(
        "query($id: ID!) { node(id: $id) { ... on Article { attachments { sha256 } } } }",
        {"id": to_global_id("Article", article.id)},
        token=reader,
    )
    assert listed["node"]["attachments"] == [{"sha256": shown["sha256"]}]


async def test_size_limit_is_413_before_the_body_is_read(
    api_with: ApiFactory, world: World, library: Library
) -> None:
    api = await api_with(attachment_max_bytes=2048)
    owner = await world.member(region="EU")
    article = await library.article(owner)
    token = world.token(await world.user(owner))
    big = png(64, 64) + b"\x00" * 4096
    status, body = await _upload(api, token, article.id, big, "image/png", "big.png")
    assert status == 413
    assert body["errors"][0]["field"] == "content"  # type: ignore[index]

    async def streamed() -> object:
        for _ in range(10):
            yield b"\x00" * 1024

    response = await api.client.post(
        f"/articles/{article.id}/attachments", content=streamed(), headers=_bearer(token)
    )
    assert response.status_code == 413
    assert await _attachments(api, token, article.id) == []


async def _attachments(api: Api, token: str, article_id: uuid.UUID) -> list[object]:
    data = await api.query(
        "query($id: ID!) { node(id: $id) { ... on Article { attachments { id } } } }",
        {"id": to_global_id("Article", article_id)},
        token=token,
    )
    return list(data["node"]["attachments"])


@pytest.mark.parametrize(
    ("content", "declared", "field"),
    [
        (png(), "application/pdf", "contentType"),
        (pdf(), "image/png", "contentType"),
        (b"<html><script>alert(1)</script></html>", "image/png", "content"),
        (b"%!PS-Adobe-3.0 not a pdf", "application/pdf", "content"),
        (b"GIF89a" + b"\x00" * 10 + b"<svg onload=alert(1)>", "image/svg+xml", "contentType"),
    ],
)
async def test_content_is_sniffed_from_the_bytes(
    api: Api, world: World, library: Library, content: bytes, declared: str, field: str
) -> None:
    owner = await world.member(region="EU")
    article = await library.article(owner)
    token = world.token(await world.user(owner))
    status, body = await _upload(api, token, article.id, content, declared, "x")
    assert status == 400
    assert body["errors"][0]["field"] == field  # type: ignore[index]
    assert await _attachments(api, token, article.id) == []


async def test_only_the_owner_uploads(api: Api, world: World, library: Library) -> None:
    owner = await world.member(region="EU")
    article = await library.article(owner)
    other: Member = await world.member(region="EU")
    answers = []
    for article_id in (article.id, uuid.uuid4()):
        answers.append(
            await _upload(
                api, world.token(await world.user(other)), article_id, png(), "image/png", "x"
            )
        )
    assert answers[0] == answers[1]
    assert answers[0][0] == 404
    reader = await world.client(owner, scopes=(Scope.EXPERTISE_READ,))
    status, _ = await _upload(api, world.token(reader), article.id, png(), "image/png", "x")
    assert status == 403
    response = await api.client.post(f"/articles/{article.id}/attachments", content=png())
    assert response.status_code == 401

"""Articles through the API: Markdown made safe, versions, retraction, anonymity, input."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from alliance.articles.samples import png
from schema.ids import to_global_id
from tests.fixtures.articles import Library
from tests.fixtures.graphql import Api
from tests.fixtures.world import World

NODE = """query($id: ID!) { node(id: $id) { ... on Article { id title body bodyHtml version
  status owner { id name region label } authorId audience brands { id name }
  versions { number title body authorId } categories jurisdictions languages
  attachments { id filename contentType size sha256 downloadUrl } } } }"""
UPDATE = """mutation($input: ArticleUpdateInput!) { articleUpdate(input: $input) {
  errors { code field message } article { version title } } }"""
RETRACT = """mutation($id: ID!) { articleRetract(id: $id) {
  errors { code field } article { status } } }"""

ATTACKS = {
    "script tag": "<script>alert(1)</script>",
    "javascript link": "[click](javascript:alert(1))",
    "encoded javascript link": "[click](jav&#x09;ascript:alert(1))",
    "raw html with event": '<img src="x" onerror="alert(1)">',
    "image with javascript": "![x](javascript:alert(1))",
    "data url": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "autolink": "<javascript:alert(1)>",
}


_SCHEME = re.compile(r"\s*([a-z][a-z0-9+.\-]*):", re.IGNORECASE)


class _Audit(HTMLParser):
    """Collects what a browser would run or load: script-like tags, event attributes,
    URLs of any scheme but http, https and mailto."""

    def __init__(self) -> None:
        super().__init__()
        self.unsafe: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "iframe", "object", "embed", "style", "svg"}:
            self.unsafe.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.unsafe.append(name)
            # A browser reads a scheme only where one is well formed; else a relative URL.
            found = _SCHEME.match(value or "")
            scheme = found.group(1) if found else "http"
            if name in {"href", "src"} and scheme not in {"http", "https", "mailto"}:
                self.unsafe.append(f"{name}={value}")


@pytest.mark.parametrize("attack", sorted(ATTACKS))
async def test_markdown_is_rendered_safe(
    api: Api, world: World, library: Library, attack: str
) -> None:
    owner = await world.member(region="EU")
    body = f"Intro\n\n{ATTACKS[attack]}\n\n[fine](https://example.org)"
    article = await library.article(owner, body=body)
    reader = world.token(await world.user(await world.member(region="CN")))
    data = await api.query(NODE, {"id": to_global_id("Article", article.id)}, token=reader)
    html = data["node"]["bodyHtml"].lower()
    audit = _Audit()
    audit.feed(html)
    assert audit.unsafe == [], (attack, html)
    assert '<a href="https://example.org" rel="noopener noreferrer">fine</a>' in html
    assert data["node"]["body"] == body  # the Markdown itself is kept as written


async def test_every_edit_is_a_version_the_owner_alone_reads(
    api: Api, world: World, library: Library
) -> None:
    owner = await world.member(region="EU")
    writer = await world.user(owner)
    article = await library.article(owner, title="First", body="One", author=writer)
    article_id = to_global_id("Article", article.id)
    token = world.token(writer)
    for title, body in (("Second", "Two"), ("Third", "Three")):
        edited = await api.query(
            UPDATE, {"input": {"id": article_id, "title": title, "body": body}}, token=token
        )
        assert edited["articleUpdate"]["errors"] == []
    # Tags alone are not a new version.
    tags = {"input": {"id": article_id, "jurisdictions": ["fr"], "languages": ["pt-br"]}}
    assert (await api.query(UPDATE, tags, token=token))["articleUpdate"]["article"] == {
        "version": 3,
        "title": "Third",
    }
    own = (await api.query(NODE, {"id": article_id}, token=token))["node"]
    assert [(v["number"], v["title"], v["body"]) for v in own["versions"]] == [
        (1, "First", "One"),
        (2, "Second", "Two"),
        (3, "Third", "Three"),
    ]
    assert (own["jurisdictions"], own["languages"]) == (["FR"], ["pt-BR"])
    other = world.token(await world.user(await world.member(region="CN")))
    seen = (await api.query(NODE, {"id": article_id}, token=other))["node"]
    assert (seen["version"], seen["title"], seen["versions"]) == (3, "Third", None)


async def test_retraction_hides_the_article_and_its_attachments_from_others(
    api: Api, world: World, library: Library
) -> None:
    owner = await world.member(region="EU")
    article = await library.article(owner, body="A retractable hologram guide.")
    attachment = await library.attach(owner, article.id, png())
    article_id = to_global_id("Article", article.id)
    other = world.token(await world.user(await world.member(region="EU")))
    token = world.token(await world.user(owner))
    headers = {"Authorization": f"Bearer {other}"}
    assert (
        await api.client.get(f"/attachments/{attachment.id}", headers=headers)
    ).status_code == 200

    retracted = await api.query(RETRACT, {"id": article_id}, token=token)
    assert retracted["articleRetract"] == {"errors": [], "article": {"status": "RETRACTED"}}

    probe = """query($id: ID!) { articles { totalCount } articleSearch(query: "hologram") {
      totalCount } node(id: $id) { id } }"""
    assert await api.query(probe, {"id": article_id}, token=other) == {
        "articles": {"totalCount": 0},
        "articleSearch": {"totalCount": 0},
        "node": None,
    }
    assert (
        await api.client.get(f"/attachments/{attachment.id}", headers=headers)
    ).status_code == 404
    mine = await api.query(probe, {"id": article_id}, token=token)
    assert mine["node"] == {"id": article_id}
    assert mine["articles"]["totalCount"] == 1
    # Only the owner retracts; again is an illegal transition; others get NOT_FOUND.
    again = await api.query(RETRACT, {"id": article_id}, token=token)
    assert again["articleRetract"]["errors"] == [{"code": "ILLEGAL_TRANSITION", "field": "id"}]
    theirs = await api.query(RETRACT, {"id": article_id}, token=other)
    assert theirs["articleRetract"]["errors"] == [{"code": "NOT_FOUND", "field": "id"}]


async def test_anonymous_articles_never_name_their_owner(
    api: Api, world: World, library: Library
) -> None:
    owner = await world.member("Secret Maison SA", region="EU")
    writer = await world.user(owner)
    article = await library.article(owner, "alliance=ANONYMOUS", author=writer)
    await library.attach(owner, article.id, png(), filename="Secret Maison evidence.png")
    article_id = to_global_id("Article", article.id)
    edit = {"input": {"id": article_id, "body": "A second version."}}
    assert (await api.query(UPDATE, edit, token=world.token(writer)))["articleUpdate"][
        "errors"
    ] == []
    reader = world.token(await world.user(await world.member(region="AMER")))
    query = f"""query($id: ID!) {{ {NODE.split("{", 1)[1].rsplit("}", 1)[0]}
      articles {{ edges {{ node {{ owner {{ id name label }} authorId versions {{ authorId }} }} }} }}
      articleSearch(query: "second") {{ edges {{ node {{ article {{ owner {{ id name }} authorId }} }} }} }} }}"""
    data = await api.query(query, {"id": article_id}, token=reader)
    assert data["node"]["owner"] == {
        "id": None,
        "name": None,
        "region": "EU",
        "label": "a member in EU",
    }
    text = json.dumps(data)
    for secret in (
        str(owner.id),
        to_global_id("Member", owner.id),
        str(writer.id),
        "Secret Maison SA",
    ):
        assert secret not in text
    assert (data["node"]["authorId"], data["node"]["versions"]) == (None, None)


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("jurisdictions", ["XX"], "jurisdictions"),
        ("languages", ["klingon-language"], "languages"),
        ("title", "", "title"),
        ("body", " ", "body"),
        ("categories", ["x" * 101], "categories"),
        ("brandIds", ["not a brand id"], "brandIds"),
        ("audience", "galaxy=FULL", "audience"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(
    api: Api, world: World, field: str, value: object, named: str
) -> None:
    owner = await world.member(region="EU")
    token = world.token(await world.user(owner))
    given = {"kind": "LEGAL_PLAYBOOK", "title": "T", "body": "B", field: value}
    query = """mutation($input: ArticleCreateInput!) { articleCreate(input: $input) {
      errors { code field } article { id } } }"""
    result = await api.query(query, {"input": given}, token=token)
    assert result["articleCreate"]["article"] is None
    assert [e["field"] for e in result["articleCreate"]["errors"]] == [named]
    assert (await api.query("query { articles { totalCount } }", token=token)) == {
        "articles": {"totalCount": 0}
    }


async def test_a_retracted_article_is_final(api: Api, world: World, library: Library) -> None:
    owner = await world.member(region="EU")
    article = await library.article(owner)
    token = world.token(await world.user(owner))
    article_id = to_global_id("Article", article.id)
    assert (await api.query(RETRACT, {"id": article_id}, token=token))["articleRetract"][
        "errors"
    ] == []
    share = """mutation($id: ID!) { articleShare(id: $id, audience: "alliance=FULL") {
      errors { code field } } }"""
    edit = {"input": {"id": article_id, "title": "Back"}}
    assert (await api.query(share, {"id": article_id}, token=token))["articleShare"] == {
        "errors": [{"code": "ILLEGAL_TRANSITION", "field": "id"}]
    }
    assert (await api.query(UPDATE, edit, token=token))["articleUpdate"]["errors"][0][
        "code"
    ] == "ILLEGAL_TRANSITION"

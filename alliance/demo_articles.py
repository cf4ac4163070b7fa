"""Demo articles for `alliance demo`: one of each kind or more, from several members,
with mixed audiences, and real (small, generated) PDF and PNG attachments.

Idempotent: an article is keyed on (owner, title); a second run adds nothing. Written
through the article services, as each member's analyst, so each owner's policy applies.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.articles import attachments
from alliance.articles import service as article_service
from alliance.articles.drafts import ArticleDraft
from alliance.articles.models import Article
from alliance.articles.samples import pdf, png
from alliance.articles.storage import AttachmentStore
from alliance.articles.vocabulary import ArticleKind
from alliance.demo_intel import writers
from sharing.audience import parse_audience

GUIDE_TITLE = "Telling a genuine Lumière handbag from a replica"
GUIDE_WORD = "hologram"  # only in the guide's body: the demo's search example


@dataclasses.dataclass(frozen=True)
class DemoArticle:
    owner: str
    kind: ArticleKind
    title: str
    body: str
    audience: str
    jurisdictions: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)
    categories: tuple[str, ...] = ()
    files: tuple[str, ...] = ()  # "pdf", "png"


ARTICLES = (
    DemoArticle(
        "Maison Lumière SA",
        ArticleKind.AUTHENTICATION_GUIDE,
        GUIDE_TITLE,
        "## What to check\n\n1. The serial tag is heat-stamped, never printed.\n"
        f"2. The {GUIDE_WORD} sticker inside the pocket changes colour when tilted.\n"
        "3. Stitching: 8 stitches per inch, waxed thread.\n\n"
        "Photos of a genuine tag are attached.",
        "alliance=FULL",
        ("FR",),
        ("en", "fr"),
        ("handbags",),
        ("pdf", "png"),
    ),
    DemoArticle(
        "Velden Sportswear GmbH",
        ArticleKind.TRAINING_MATERIAL,
        "Customs training: counterfeit football boots",
        "Slides for customs officers: sole moulding marks, box labels, size codes.",
        "region:EU=FULL, alliance=ANONYMOUS",
        ("DE", "NL"),
        ("de", "en"),
        ("footwear",),
        ("pdf",),
    ),
    DemoArticle(
        "Castellano Pelletteria S.p.A.",
        ArticleKind.LEGAL_PLAYBOOK,
        "Notice and takedown on Italian marketplaces",
        "Which evidence the platforms ask for, and the deadlines of an urgent court order "
        "(*provvedimento d'urgenza*).",
        "alliance=FULL",
        ("IT",),
        ("it", "en"),
        ("handbags", "belts"),
    ),
    DemoArticle(
        "Redwood Outdoor Inc.",
        ArticleKind.INVESTIGATION_TECHNIQUE,
        "Linking seller accounts through shared payment pages",
        "Sellers reuse payment pages across storefronts: compare the merchant ids.",
        "alliance=ANONYMOUS",
        ("US",),
        ("en",),
        ("outdoor apparel",),
        ("png",),
    ),
    DemoArticle(
        "Jade Peak Electronics Co., Ltd.",
        ArticleKind.CASE_STUDY,
        "Case study: a counterfeit earbud factory",
        "From test buys to a raid: how three members' data led to one facility.",
        "region:CN=FULL, alliance=ANONYMOUS",
        ("CN",),
        ("zh-Hans", "en"),
        ("earbuds",),
    ),
    DemoArticle(
        "Sakura Beauty K.K.",
        ArticleKind.LEGAL_PLAYBOOK,
        "Border measures in Japan for cosmetics",
        "Filing an application for suspension with Japan Customs, step by step.",
        "region:APAC=FULL, region:EU=FULL",
        ("JP",),
        ("ja", "en"),
        ("skincare",),
    ),
)


def _file(kind: str, title: str) -> tuple[bytes, str]:
    if kind == "pdf":
        return pdf(title), "guide.pdf"
    return png(16, 16), "photo.png"


async def seed_articles(session: AsyncSession, store: AttachmentStore) -> tuple[int, int]:
    """Add the demo articles (or those missing) inside the caller's transaction; returns
    how many articles and attachments this run added."""
    analysts = {member.legal_name: analyst for member, analyst, _ in await writers(session)}
    added = files = 0
    for demo in ARTICLES:
        analyst = analysts.get(demo.owner)
        if analyst is None:
            continue
        taken = await session.scalar(
            select(Article.id).where(
                Article.owner_member_id == analyst.member_id, Article.title == demo.title
            )
        )
        if taken is not None:
            continue
        article = await article_service.create(
            session,
            viewer=analyst,
            draft=ArticleDraft(
                kind=demo.kind,
                title=demo.title,
                body=demo.body,
                jurisdictions=demo.jurisdictions,
                languages=demo.languages,
                categories=demo.categories,
                audience=parse_audience(demo.audience),
            ),
        )
        added += 1
        for kind in demo.files:
            content, name = _file(kind, demo.title)
            upload = attachments.Upload(content=content, filename=name)
            await attachments.attach(
                session, viewer=analyst, article_id=article.id, upload=upload, store=store
            )
            files += 1
    return added, files

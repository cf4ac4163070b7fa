"""What a writer gives for an article, checked before anything is written.

Every rule names the input field at fault. Jurisdictions are ISO 3166-1 alpha-2 codes
(pycountry), languages BCP 47 tags (langcodes), both normalised; product categories are
short free text, compared in lower case.
"""

from __future__ import annotations

import dataclasses
import uuid

import langcodes
import pycountry

from alliance.articles.vocabulary import ArticleKind, TagKind
from alliance.errors import InvalidInput
from sharing.audience import Audience, Level, Tlp

MAX_TITLE = 300
MAX_BODY = 100_000
MAX_TAGS = 20
MAX_CATEGORY = 100


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ArticleDraft:
    """A new article (`audience` None: the owner's policy default)."""

    kind: ArticleKind
    title: str
    body: str
    tlp: Tlp = Tlp.GREEN
    brand_ids: tuple[uuid.UUID, ...] = ()
    categories: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    audience: Audience | None = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ArticleChanges:
    """An edit: None keeps a field as it is. A new title or body makes a new version."""

    kind: ArticleKind | None = None
    title: str | None = None
    body: str | None = None
    brand_ids: tuple[uuid.UUID, ...] | None = None
    categories: tuple[str, ...] | None = None
    jurisdictions: tuple[str, ...] | None = None
    languages: tuple[str, ...] | None = None


def require_title(title: str) -> str:
    """The title, trimmed; empty or over MAX_TITLE is an error on `title`."""
    cleaned = title.strip()
    if not cleaned or len(cleaned) > MAX_TITLE:
        raise InvalidInput(f"A title has 1 to {MAX_TITLE} characters.", field="title")
    return cleaned


def require_body(body: str) -> str:
    """The Markdown body; empty or over MAX_BODY is an error on `body`."""
    if not body.strip() or len(body) > MAX_BODY:
        raise InvalidInput(f"A body has 1 to {MAX_BODY:,} characters.", field="body")
    return body


def _jurisdiction(code: str) -> str:
    upper = code.strip().upper()
    if len(upper) != 2 or pycountry.countries.get(alpha_2=upper) is None:
        raise InvalidInput(f"{code!r} is not an ISO 3166-1 alpha-2 code.", field="jurisdictions")
    return upper


def _language(tag: str) -> str:
    cleaned = tag.strip()
    if not cleaned or len(cleaned) > 35 or not langcodes.tag_is_valid(cleaned):
        raise InvalidInput(f"{tag!r} is not a BCP 47 language tag.", field="languages")
    return str(langcodes.standardize_tag(cleaned))


def _category(name: str) -> str:
    cleaned = " ".join(name.split()).lower()
    if not cleaned or len(cleaned) > MAX_CATEGORY:
        message = f"A product category has 1 to {MAX_CATEGORY} characters."
        raise InvalidInput(message, field="categories")
    return cleaned


_NORMALIZE = {
    TagKind.JURISDICTION: _jurisdiction,
    TagKind.LANGUAGE: _language,
    TagKind.CATEGORY: _category,
}
_FIELDS = {
    TagKind.JURISDICTION: "jurisdictions",
    TagKind.LANGUAGE: "languages",
    TagKind.CATEGORY: "categories",
    TagKind.BRAND: "brandIds",
}


def tag_values(kind: TagKind, values: tuple[str, ...]) -> list[str]:
    """The normalised, de-duplicated values of one kind of tag, in the order given."""
    if len(values) > MAX_TAGS:
        raise InvalidInput(f"At most {MAX_TAGS} values.", field=_FIELDS[kind])
    normalize = _NORMALIZE.get(kind, str)
    return list(dict.fromkeys(normalize(value) for value in values))


def require_listable(audience: Audience | None) -> None:
    """Refuse an audience with a MATCH_ONLY grant: an article is read, never matched, so
    a MATCH_ONLY article would reach nobody (an error on `audience`)."""
    if audience is not None and any(g.level is Level.MATCH_ONLY for g in audience.grants):
        message = "An article cannot be shared at MATCH_ONLY: share it FULL or ANONYMOUS."
        raise InvalidInput(message, field="audience")

"""The closed vocabularies of articles (DESIGN §2, docs/articles.md)."""

from __future__ import annotations

import enum


class ArticleKind(enum.StrEnum):
    AUTHENTICATION_GUIDE = "AUTHENTICATION_GUIDE"
    TRAINING_MATERIAL = "TRAINING_MATERIAL"
    LEGAL_PLAYBOOK = "LEGAL_PLAYBOOK"
    INVESTIGATION_TECHNIQUE = "INVESTIGATION_TECHNIQUE"
    CASE_STUDY = "CASE_STUDY"


class ArticleStatus(enum.StrEnum):
    PUBLISHED = "PUBLISHED"
    RETRACTED = "RETRACTED"


class TagKind(enum.StrEnum):
    """What an `article_tags` row names: one table, so every filter is one indexed probe."""

    BRAND = "BRAND"  # a brand id of the owner's (shown and filtered only where it is named)
    CATEGORY = "CATEGORY"  # a product category, lower case
    JURISDICTION = "JURISDICTION"  # ISO 3166-1 alpha-2
    LANGUAGE = "LANGUAGE"  # a BCP 47 tag, normalised

"""The rules of a profile's contents, each written once: the profile write and the
directory's filters both use them, so a code the filter refuses is one no profile holds."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from alliance.errors import InvalidInput
from alliance.experts.vocabulary import ExpertTopic, language_code

MAX_BIO = 1000
MAX_CODES = 20  # per facet: a profile lists what its person really knows


def _at_most(codes: list[str], field: str) -> list[str]:
    if len(codes) > MAX_CODES:
        raise InvalidInput(f"At most {MAX_CODES} items.", field=field)
    return codes


def require_topics(topics: Iterable[str], *, field: str = "topics") -> list[str]:
    """Distinct topics of `ExpertTopic`, sorted; `InvalidInput` naming `field` otherwise."""
    found = set()
    for topic in topics:
        try:
            found.add(ExpertTopic(topic).value)
        except ValueError:
            raise InvalidInput(f"`{topic[:40]}` is not an expert topic.", field=field) from None
    return _at_most(sorted(found), field)


def require_languages(languages: Iterable[str], *, field: str = "languages") -> list[str]:
    """Distinct ISO 639-1 codes, sorted (ISO 639-3 accepted and turned into 639-1)."""
    return _at_most(sorted({language_code(code, field=field) for code in languages}), field)


def require_regions(
    regions: Iterable[str], known: Collection[str], *, field: str = "regions"
) -> list[str]:
    """Distinct region codes among `known` (the alliance's regions), sorted."""
    found = set()
    for code in regions:
        if code not in known:
            raise InvalidInput(f"Unknown region `{code[:16]}`.", field=field)
        found.add(code)
    return _at_most(sorted(found), field)


def require_bio(bio: str) -> str:
    """Plain text of at most `MAX_BIO` characters, surrounding spaces dropped."""
    text = bio.strip()
    if len(text) > MAX_BIO:
        raise InvalidInput(f"A bio has at most {MAX_BIO} characters.", field="bio")
    return text

"""What an analyst types into article search, parsed once and turned into a safe query
for each engine: user text never reaches FTS5's MATCH or PostgreSQL's tsquery parser raw.

The syntax is the web search engines' (PostgreSQL's `websearch_to_tsquery`): words are
all required; `"several words"` is a phrase; `or` between two terms accepts either; a
leading `-` excludes a term. Anything else (`*`, `NEAR`, parentheses, `:`, quotes left
open) is not an operator: only letters and digits make words, the rest separates them.
"""

from __future__ import annotations

import dataclasses
import re

from alliance.errors import InvalidInput

MAX_QUERY = 200
MAX_TERMS = 20
_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclasses.dataclass(frozen=True, slots=True)
class SearchQuery:
    """Required groups (each: phrases of which one must match) and excluded phrases."""

    groups: tuple[tuple[tuple[str, ...], ...], ...]
    excluded: tuple[tuple[str, ...], ...]

    def fts5(self) -> str:
        """An FTS5 MATCH expression: every word a quoted string, so nothing is syntax."""

        def phrase(words: tuple[str, ...]) -> str:
            return '"' + " ".join(words) + '"'

        required = " AND ".join(
            "(" + " OR ".join(phrase(p) for p in group) + ")" for group in self.groups
        )
        if not self.excluded:
            return required
        return f"{required} NOT (" + " OR ".join(phrase(p) for p in self.excluded) + ")"

    def websearch(self) -> str:
        """The same query in `websearch_to_tsquery` syntax, rebuilt from words only; each
        term quoted, so that a word such as "or" is never read as an operator."""

        def phrase(words: tuple[str, ...]) -> str:
            return '"' + " ".join(words) + '"'

        parts = [" or ".join(phrase(p) for p in group) for group in self.groups]
        parts += ["-" + phrase(p) for p in self.excluded]
        return " ".join(parts)


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.lower() for word in _WORD.findall(text))


def parse_query(text: str) -> SearchQuery | None:
    """The query in `text`; None when it holds no required word (it matches nothing).
    Over MAX_QUERY characters is an `InvalidInput` on `query`."""
    if len(text) > MAX_QUERY:
        raise InvalidInput(f"A search has at most {MAX_QUERY} characters.", field="query")
    groups: list[list[tuple[str, ...]]] = []
    excluded: list[tuple[str, ...]] = []
    joining = False
    for match in _TOKEN.finditer(text):
        negated, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare.lower() == "or" and groups:
            joining = True
            continue
        if bare is not None and bare.startswith("-"):
            negated, bare = "-", bare[1:]
        words = _words(quoted if quoted is not None else bare)
        # A bare token may hold several words ("e-mail"): each is its own term.
        phrases = [words] if quoted is not None else [(word,) for word in words]
        for phrase in (p for p in phrases if p):
            if negated:
                excluded.append(phrase)
            elif joining:
                groups[-1].append(phrase)
            else:
                groups.append([phrase])
            joining = False
    if not groups:
        return None
    if len(groups) + len(excluded) > MAX_TERMS:
        raise InvalidInput(f"A search has at most {MAX_TERMS} terms.", field="query")
    return SearchQuery(tuple(tuple(g) for g in groups), tuple(excluded))

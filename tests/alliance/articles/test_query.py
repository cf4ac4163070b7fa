"""User search text becomes the same query for both engines, with no syntax of its own."""

from __future__ import annotations

import pytest

from alliance.articles.query import MAX_QUERY, parse_query
from alliance.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "fts5", "websearch"),
    [
        ("Hologram", '("hologram")', '"hologram"'),
        (
            '"red dot" or seal -fake',
            '("red dot" OR "seal") NOT ("fake")',
            '"red dot" or "seal" -"fake"',
        ),
        ("NEAR(a b)", '("near") AND ("a") AND ("b")', '"near" "a" "b"'),
        ('say "or"', '("say") AND ("or")', '"say" "or"'),
        ('stra* "unbalanced', '("stra") AND ("unbalanced")', '"stra" "unbalanced"'),
        ("e-mail_address", '("e") AND ("mail") AND ("address")', '"e" "mail" "address"'),
    ],
)
def test_both_engines_get_the_same_query(text: str, fts5: str, websearch: str) -> None:
    parsed = parse_query(text)
    assert parsed is not None
    assert (parsed.fts5(), parsed.websearch()) == (fts5, websearch)


@pytest.mark.parametrize("text", ["", "   ", "(((", "-only", ":) ^ *", '""'])
def test_text_without_a_required_word_matches_nothing(text: str) -> None:
    assert parse_query(text) is None


def test_long_queries_are_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_query("x" * (MAX_QUERY + 1))
    assert refused.value.field == "query"

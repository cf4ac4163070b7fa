"""Counts of the table-driven and property cases run, printed at the end of the session
(tests/conftest.py) so that CI output shows how much of the sharing matrix ran."""

from __future__ import annotations

from collections import Counter

RUN: Counter[tuple[str, str]] = Counter()


def count(suite: str, engine: str, cases: int = 1) -> None:
    """Record that `cases` checks of `suite` ran on `engine`."""
    RUN[(suite, engine)] += cases

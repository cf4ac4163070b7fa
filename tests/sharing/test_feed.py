"""The change feed's cursor: what it hands out it reads back; anything else is refused."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid

import pytest

from sharing.errors import InvalidCursor
from sharing.feed import FeedCursor, situation_digest
from sharing.policy import ViewerFacts

MOMENT = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
FACTS = ViewerFacts(uuid.UUID(int=7), "EU", can_read_shared=True)


def _encoded(body: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")


def test_a_cursor_reads_back_as_it_was_handed_out() -> None:
    cursor = FeedCursor(xid=2**40, seq=12, watermark=MOMENT, digest="d", origin=5)
    assert FeedCursor.decode(cursor.encode()) == cursor
    start = FeedCursor.start(digest="d", now=MOMENT, origin=3)
    assert (start.xid, start.seq, start.origin) == (0, 0, 3)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not a cursor",
        _encoded([1, 2, 3]),
        _encoded([2, 0, 0, MOMENT.isoformat(), "d", 0]),  # another version
        _encoded([1, -1, 0, MOMENT.isoformat(), "d", 0]),
        _encoded([1, True, 0, MOMENT.isoformat(), "d", 0]),
        _encoded([1, 0, 0, "2026-11-30T09:00:00", "d", 0]),  # no time zone
        _encoded([1, 0, 0, "yesterday", "d", 0]),
        _encoded([1, 0, 0, MOMENT.isoformat(), 5, 0]),
        _encoded({"xid": 0}),
    ],
)
def test_anything_else_is_refused_naming_the_argument(text: str) -> None:
    with pytest.raises(InvalidCursor) as refused:
        FeedCursor.decode(text)
    assert refused.value.field == "after"


def test_the_digest_follows_every_fact_and_the_situation() -> None:
    base = situation_digest(FACTS, "ACTIVE", 1)
    assert base == situation_digest(FACTS, "ACTIVE", 1)
    others = [
        situation_digest(ViewerFacts(FACTS.member_id, "CN", True), "ACTIVE", 1),
        situation_digest(ViewerFacts(FACTS.member_id, "EU", False), "ACTIVE", 1),
        situation_digest(ViewerFacts(uuid.UUID(int=8), "EU", True), "ACTIVE", 1),
        situation_digest(FACTS, "ACTIVE", 2),
    ]
    assert base not in others

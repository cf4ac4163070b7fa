"""`alliance sync pull`: mirror the change feed into a local SQLite file.

The replica holds one row per indicator the member system may list (`indicators`: id,
kind, value, match key, owner label, status, and the record as received, as JSON) and
the feed's cursor (`sync_state`). Each page of events is applied in one SQLite
transaction together with the cursor that follows it, so a pull stopped at any moment
resumes where it stopped and applies nothing twice; RESYNC empties the copy in the same
transaction (docs/sync.md).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api.sync.connection import Connection

FIRST = 1000
RECORD = """id kind value matchKey platform confidence evidenceLevel jurisdiction purpose tlp
  firstSeen lastSeen expiresAt status isOwn externalId
  owner { id name region label } brands { id name }"""
CHANGES = f"""query($after: String, $first: Int!) {{
  changes(after: $after, first: $first) {{
    cursor hasMore pending
    events {{
      __typename
      ... on UpsertEvent {{ record {{ {RECORD} }} }}
      ... on RemoveEvent {{ id reason }}
      ... on ResyncEvent {{ cursor }} }} }} }}"""
TOTAL = "{ indicators(first: 1) { totalCount } }"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS indicators (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, value TEXT NOT NULL, match_key TEXT NOT NULL,
  owner TEXT NOT NULL, status TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_indicators_match ON indicators (kind, match_key);
CREATE TABLE IF NOT EXISTS sync_state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Replica:
    """The local copy: a SQLite file of the indicators and the feed's cursor."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)  # transactions by hand
        self.db.executescript(_SCHEMA)
        # What this run applied: UPSERT and each REMOVE reason, and RESYNC, counted.
        self.applied: Counter[str] = Counter()

    def close(self) -> None:
        self.db.close()

    @property
    def cursor(self) -> str | None:
        row = self.db.execute("SELECT value FROM sync_state WHERE name = 'cursor'").fetchone()
        return None if row is None else str(row[0])

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM indicators").fetchone()[0])

    def apply(self, page: dict[str, Any]) -> int:
        """Apply one page of events and keep its cursor, all or nothing; the number of
        records upserted or removed."""
        applied = 0
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for event in page["events"]:
                kind = event["__typename"]
                if kind == "ResyncEvent":
                    self.db.execute("DELETE FROM indicators")
                    self.applied["RESYNC"] += 1
                elif kind == "RemoveEvent":
                    self.db.execute("DELETE FROM indicators WHERE id = ?", (event["id"],))
                    self.applied[f"REMOVE {event['reason']}"] += 1
                    applied += 1
                else:
                    self._upsert(event["record"])
                    self.applied["UPSERT"] += 1
                    applied += 1
            self.db.execute(
                "INSERT INTO sync_state (name, value) VALUES ('cursor', ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (page["cursor"],),
            )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return applied

    def _upsert(self, record: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO indicators (id, kind, value, match_key, owner, status, record) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, "
            "value = excluded.value, match_key = excluded.match_key, owner = excluded.owner, "
            "status = excluded.status, record = excluded.record",
            (
                record["id"],
                record["kind"],
                record["value"],
                record["matchKey"],
                record["owner"]["label"],
                record["status"],
                json.dumps(record, sort_keys=True),
            ),
        )


def visible_total(connection: Connection) -> int:
    """How many indicators the member system may list (an estimate beyond 1,000): the
    ETA's total for a pull from the start."""
    total: int = connection.graphql(TOTAL)["indicators"]["totalCount"]
    return total


def pull(
    connection: Connection,
    replica: Replica,
    *,
    first: int = FIRST,
    progress: Callable[[int], None] = lambda _applied: None,
) -> dict[str, Any]:
    """Apply pages until the feed has nothing more now; the last page (its `pending` says
    whether open transactions hold changes back)."""
    while True:
        page: dict[str, Any] = connection.graphql(
            CHANGES, {"after": replica.cursor, "first": first}
        )["changes"]
        progress(replica.apply(page))
        if not page["hasMore"]:
            return page

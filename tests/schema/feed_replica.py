"""A member system's copy of its view, kept by pulling `changes` through the real API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.fixtures.graphql import Api

CHANGES = """query Changes($after: String, $first: Int) {
  changes(after: $after, first: $first) {
    cursor hasMore pending
    events {
      __typename
      ... on UpsertEvent { record { id status value confidence owner { name label } } }
      ... on RemoveEvent { id reason }
      ... on ResyncEvent { cursor }
    } } }"""
PATIENCE = 20_000
LISTED = """query Listed($after: String) {
  indicators(first: 100, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }"""


@dataclass
class Replica:
    """Applies every event in order, as docs/sync.md tells a member system to."""

    api: Api
    token: str
    first: int = 1000
    cursor: str | None = None
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    received: set[str] = field(default_factory=set)  # every id any event ever named
    removes: list[tuple[str, str]] = field(default_factory=list)
    resyncs: int = 0

    async def pull(self) -> list[dict[str, Any]]:
        """Pages until the feed has nothing more; every event seen. On PostgreSQL the
        feed waits for transactions open anywhere in the cluster (other test runs, a
        bench): `pending` says so, and the loop asks again."""
        seen: list[dict[str, Any]] = []
        for _ in range(PATIENCE):
            page = await self.page()
            seen += page["events"]
            if not page["hasMore"] and not page["pending"]:
                return seen
        raise AssertionError(f"the feed was still pending after {PATIENCE} pulls")

    async def page(self) -> dict[str, Any]:
        """One page, applied; the page as the API gave it."""
        data = await self.api.query(
            CHANGES, {"after": self.cursor, "first": self.first}, token=self.token
        )
        page: dict[str, Any] = data["changes"]
        for event in page["events"]:
            self._apply(event)
        self.cursor = page["cursor"]
        return page

    def _apply(self, event: dict[str, Any]) -> None:
        kind = event["__typename"]
        if kind == "UpsertEvent":
            record = event["record"]
            self.records[record["id"]] = record
            self.received.add(record["id"])
        elif kind == "RemoveEvent":
            self.records.pop(event["id"], None)
            self.received.add(event["id"])
            self.removes.append((event["id"], event["reason"]))
        else:
            self.records.clear()
            self.resyncs += 1

    async def listed(self) -> set[str]:
        """The ids `indicators` lists to the same caller now."""
        ids: set[str] = set()
        after = None
        while True:
            page = (await self.api.query(LISTED, {"after": after}, token=self.token))["indicators"]
            ids |= {edge["node"]["id"] for edge in page["edges"]}
            if not page["pageInfo"]["hasNextPage"]:
                return ids
            after = page["pageInfo"]["endCursor"]

"""`alliance sync push FILE`: upsert a member system's indicators from a CSV or NDJSON file.

Each row is one `IndicatorUpsertItemInput` (docs/sync.md): NDJSON lines are either that
object as GraphQL takes it (`{"value": {"kind": ..., "value": ...}, "externalId": ...}`)
or flat like a CSV row; CSV columns are the flat names (`kind`, `value`, `externalId`,
`brandIds` separated by `;`, ...; snake_case works too), an empty cell is a field left
out. Rows go in batches (5,000 by default, the service's maximum), each one call and one
transaction on the service; a batch interrupted by a lost connection is sent again,
which changes nothing twice (the upsert is idempotent). Every rejected row is written to
the error report with its line, external id, code, field and message.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from api.sync.connection import Connection, SyncError

BATCH = 5000
UPSERT = """mutation($items: [IndicatorUpsertItemInput!]!) {
  indicatorsUpsert(input: {items: $items}) {
    errors { code field message }
    results { index status externalId code field message } } }"""

# The flat names of a row, by where they go in the item.
VALUE_FIELDS = frozenset(
    {"kind", "value", "platform", "platformDomain", "provider", "country", "locality",
     "region", "postalCode", "quality"}
)  # fmt: skip
ITEM_FIELDS = frozenset(
    {"externalId", "brandIds", "confidence", "evidenceLevel", "jurisdiction", "purpose", "tlp",
     "firstSeen", "lastSeen", "expiresAt", "audience", "personalDataRegion"}
)  # fmt: skip
_NUMBERS = frozenset({"quality", "confidence"})


@dataclass(frozen=True)
class Row:
    line: int
    item: dict[str, Any] | None  # None: refused before sending (see `problem`)
    external_id: str | None = None
    problem: tuple[str, str] | None = None  # (field, message)


def _camel(name: str) -> str:
    head, *rest = name.strip().split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _flat_item(line: int, given: dict[str, Any]) -> Row:
    value: dict[str, Any] = {}
    item: dict[str, Any] = {}
    named = {_camel(name): raw for name, raw in given.items()}
    external_id = named.get("externalId") or None
    for name, raw in named.items():
        if raw is None or raw == "":
            continue
        if name in _NUMBERS and isinstance(raw, str):
            if not re.fullmatch(r"-?\d+", raw.strip()):
                return Row(line, None, external_id, (name, "Not a whole number."))
            raw = int(raw)
        if name == "brandIds" and isinstance(raw, str):
            raw = [part.strip() for part in raw.split(";") if part.strip()]
        (value if name in VALUE_FIELDS else item)[name] = raw
    item["value"] = value
    return Row(line, item, external_id)


def _columns(names: list[str]) -> None:
    unknown = [n for n in names if _camel(n) not in VALUE_FIELDS | ITEM_FIELDS]
    if unknown:
        raise SyncError(f"Unknown columns: {', '.join(unknown)} (docs/sync.md lists them).")
    if "kind" not in {_camel(n) for n in names} or "value" not in {_camel(n) for n in names}:
        raise SyncError("The file needs the columns `kind` and `value`.")


def _csv_rows(source: TextIO) -> Iterator[Row]:
    reader = csv.DictReader(source)
    _columns(list(reader.fieldnames or []))
    for record in reader:
        yield _flat_item(reader.line_num, record)


def _ndjson_rows(source: TextIO) -> Iterator[Row]:
    for line, text in enumerate(source, start=1):
        if not text.strip():
            continue
        try:
            given = json.loads(text)
        except ValueError:
            yield Row(line, None, None, ("", "Not a JSON object."))
            continue
        if not isinstance(given, dict):
            yield Row(line, None, None, ("", "Not a JSON object."))
        elif isinstance(given.get("value"), dict):
            yield Row(line, given, given.get("externalId"))
        else:
            _columns(list(given))
            yield _flat_item(line, given)


def rows_of(path: Path, source: TextIO) -> Iterator[Row]:
    """The rows of `path` (CSV, or NDJSON for .ndjson / .jsonl files)."""
    if path.suffix.lower() in {".ndjson", ".jsonl"}:
        return _ndjson_rows(source)
    return _csv_rows(source)


def count_rows(path: Path) -> int:
    """About how many rows `path` holds (its lines, less a CSV's header): for the ETA."""
    with path.open("rb") as source:
        lines = sum(1 for line in source if line.strip())
    return lines if path.suffix.lower() in {".ndjson", ".jsonl"} else max(0, lines - 1)


class Report:
    """The rejected rows, as CSV: line, externalId, code, field, message."""

    def __init__(self, target: TextIO) -> None:
        self._writer = csv.writer(target)
        self._writer.writerow(["line", "externalId", "code", "field", "message"])
        self.statuses: Counter[str] = Counter()

    def rejected(self, row: Row, code: str, field: str | None, message: str) -> None:
        self.statuses["REJECTED"] += 1
        self._writer.writerow([row.line, row.external_id or "", code, field or "", message])

    def answered(self, rows: list[Row], results: list[dict[str, Any]]) -> None:
        for result in results:
            row = rows[result["index"]]
            if result["status"] == "REJECTED":
                self.rejected(row, result["code"], result["field"], result["message"])
            else:
                self.statuses[result["status"]] += 1


def send(connection: Connection, rows: list[Row], report: Report) -> None:
    """One batch: one call, one transaction on the service."""
    data = connection.graphql(UPSERT, {"items": [row.item for row in rows]})
    payload = data["indicatorsUpsert"]
    if payload["errors"]:  # the call as a whole was refused: nothing of it was written
        error = payload["errors"][0]
        raise SyncError(f"The service refused a batch: {error['message']}")
    report.answered(rows, payload["results"])


def batches(rows: Iterator[Row], report: Report, size: int) -> Iterator[list[Row]]:
    """Batches of rows to send; rows refused before sending go to the report."""
    batch: list[Row] = []
    for row in rows:
        if row.item is None:
            field, message = row.problem or ("", "Invalid row.")
            report.rejected(row, "VALIDATION", field, message)
            continue
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch

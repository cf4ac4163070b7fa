"""`alliance sync push` reads a file's rows into upsert items before sending anything: the
column names of docs/sync.md (camelCase or snake_case), `;`-separated brand ids, numbers;
a bad cell or an unknown column is refused with its place in the file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from api.sync.connection import SyncError
from api.sync.push import rows_of


def _rows(name: str, text: str) -> list:  # type: ignore[type-arg]
    return list(rows_of(Path(name), io.StringIO(text)))


def test_csv_rows_become_items_whatever_the_column_case() -> None:
    [good, bad] = _rows(
        "mine.csv",
        "kind,value,platform,external_id,brand_ids,confidence\n"
        "SELLER_ACCOUNT,16094778,DHGATE,case-1,QnJhbmQ6MQ==;QnJhbmQ6Mg==,80\n"
        "EMAIL,a@shop.com,,case-2,,high\n",
    )

    assert good.line == 2
    assert good.item == {
        "value": {"kind": "SELLER_ACCOUNT", "value": "16094778", "platform": "DHGATE"},
        "externalId": "case-1",
        "brandIds": ["QnJhbmQ6MQ==", "QnJhbmQ6Mg=="],
        "confidence": 80,
    }
    assert bad.item is None  # never sent
    assert (bad.line, bad.external_id, bad.problem) == (
        3,
        "case-2",
        ("confidence", "Not a whole number."),
    )


def test_ndjson_lines_are_items_as_graphql_takes_them_or_flat_rows() -> None:
    [nested, flat] = _rows(
        "mine.ndjson",
        '{"value": {"kind": "EMAIL", "value": "a@shop.com"}, "externalId": "x"}\n'
        "\n"
        '{"kind": "DOMAIN", "value": "shop.com", "tlp": "GREEN"}\n',
    )

    assert nested.item == {"value": {"kind": "EMAIL", "value": "a@shop.com"}, "externalId": "x"}
    assert (flat.line, flat.item) == (
        3,
        {"value": {"kind": "DOMAIN", "value": "shop.com"}, "tlp": "GREEN"},
    )


def test_an_unknown_column_stops_the_push_before_anything_is_sent() -> None:
    with pytest.raises(SyncError, match="Unknown columns: colour"):
        _rows("mine.csv", "kind,value,colour\nEMAIL,a@shop.com,red\n")

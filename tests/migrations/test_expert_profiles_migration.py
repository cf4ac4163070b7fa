"""Migration 0017_expert_profiles keeps every existing contact request, as a request about an
indicator, and its downgrade gives the old table back (SQLite; the same DDL was run by
hand on PostgreSQL, up, down and up again)."""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command

from alliance.migrate import alembic_config

BEFORE = "0016_articles"
NOW = "2026-11-30 10:00:00.000000"


@contextlib.contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection committed on success and closed in any case."""
    connection = sqlite3.connect(path)
    # The change log's triggers call the function our engine registers on each connection.
    connection.create_function("alliance_transaction", 0, lambda: uuid.uuid4().hex)
    try:
        with connection:
            yield connection
    finally:
        connection.close()


def _seed(path: Path) -> str:
    owner, sender, record, request = (uuid.uuid4().hex for _ in range(4))
    with _connect(path) as db:
        for member, name in ((owner, "Owner SA"), (sender, "Sender SA")):
            db.execute(
                "INSERT INTO members (id, legal_name, region_code, status, contacts, created_at,"
                " updated_at) VALUES (?, ?, 'EU', 'ACTIVE', '[]', ?, ?)",
                (member, name, NOW, NOW),
            )
        db.execute(
            "INSERT INTO indicators (id, owner_member_id, kind, match_key, value, extra,"
            " confidence, evidence_level, purpose, tlp, first_seen, last_seen, status,"
            " policy_version, created_at, updated_at) VALUES (?, ?, 'EMAIL', 'a@b.example',"
            " 'a@b.example', '{}', 50, 'OBSERVED', 'TAKEDOWN', 'AMBER', ?, ?, 'ACTIVE', 0, ?, ?)",
            (record, owner, NOW, NOW, NOW, NOW),
        )
        db.execute(
            "INSERT INTO contact_requests (id, indicator_id, owner_member_id, sender_member_id,"
            " sender_principal_id, kind, match_key, message, status, open, created_at)"
            " VALUES (?, ?, ?, ?, ?, 'EMAIL', 'a@b.example', 'Hello', 'OPEN', 1, ?)",
            (request, record, owner, sender, uuid.uuid4().hex, NOW),
        )
    return request


def _request(path: Path, request: str) -> tuple[object, ...]:
    with _connect(path) as db:
        row = db.execute(
            "SELECT kind, match_key, message, status, open FROM contact_requests WHERE id = ?",
            (request,),
        ).fetchone()
    assert row is not None
    return tuple(row)


def test_existing_contact_requests_survive_the_upgrade_and_the_downgrade(tmp_path: Path) -> None:
    path = tmp_path / "upgrade.db"
    config = alembic_config(f"sqlite+aiosqlite:///{path}")
    command.upgrade(config, BEFORE)
    request = _seed(path)
    kept = ("EMAIL", "a@b.example", "Hello", "OPEN", 1)

    command.upgrade(config, "head")

    assert _request(path, request) == kept
    with _connect(path) as db:
        target = db.execute(
            "SELECT target, expert_profile_id, recipient_user_id FROM contact_requests"
        ).fetchall()
        assert target == [("INDICATOR", None, None)]
        # the CHECK holds: an indicator request cannot lose its indicator
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("UPDATE contact_requests SET indicator_id = NULL")
    command.downgrade(config, BEFORE)
    assert _request(path, request) == kept

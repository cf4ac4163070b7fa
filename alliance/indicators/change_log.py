"""The change log of indicators, written by the database itself: what the feed reads.

Triggers on `indicators` append one row to `indicator_changes` per record inserted,
deleted, or updated in a column a viewer can see or that decides who sees it
(`WATCHED`). Every writer is covered without knowing of the feed: the services, bulk
paths, the retention job, offboarding, policy re-application, audience-key triggers and
purges (docs/api.md).

A row holds the record's visibility-relevant state *after* the change: the columns the
read predicate tests (owner, audience keys, expiry) and those of the domain rule on top
of it (status, purge), so "could this viewer see the record in this state" is a test on
the row alone (sharing.predicate.logged_visible_to). `at` is when the state was written;
`deleted` marks a row gone.

Each row also carries the writing transaction's id: on PostgreSQL `xid` (xid8,
`pg_current_xact_id()`), on SQLite `txn` (a random id per transaction, from the
`alliance_transaction()` function alliance/db.py gives every connection). A sequence value
is taken at insert, not at commit, so on PostgreSQL the feed reads only rows of
transactions older than its snapshot's xmin, ordered by (xid, seq) (DESIGN §4.2); SQLite
has one writer at a time, so its `seq` is commit-ordered. These columns and their index are
made by the migration only (one per engine); alembic's comparison skips them
(`is_managed_here`).

What the API shows of a record's owner comes from `members` (name, region, "a former
member" after offboarding): an update of those columns of a member logs every record it
owns again (`OWNER_WATCHED`), so synced copies learn the new attribution.

One row per record and transaction: an update or delete first drops the rows its own
transaction logged earlier for the same records. A transaction passes through states
nobody else ever sees (grants written before excludes: wider than before and after), and
the feed must not count such a state as one a viewer could have seen: that would send
REMOVE for a record the viewer never could see (DESIGN §4.3).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Enum,
    Index,
    Integer,
    Table,
    Uuid,
)

from alliance.db import Base
from alliance.indicators.vocabulary import IndicatorStatus
from sharing.audience_keys import KeyList

TABLE = "indicator_changes"
XID_COLUMN = "xid"  # PostgreSQL
TXN_COLUMN = "txn"  # SQLite
XID_INDEX = "ix_indicator_changes_xid_seq"
XID_RECORD_INDEX = "ix_indicator_changes_xid_record"  # migration 0014

indicator_changes = Table(
    TABLE,
    Base.metadata,
    Column(
        "seq",
        BigInteger().with_variant(Integer(), "sqlite"),  # SQLite: the rowid itself
        primary_key=True,
        autoincrement=True,
    ),
    Column("record_id", Uuid(), nullable=False),
    Column("owner_member_id", Uuid(), nullable=False),
    Column("audience_keys", KeyList()),
    Column("status", Enum(IndicatorStatus, native_enum=False, length=32), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("purged_at", DateTime(timezone=True)),
    Column("deleted", Boolean(), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    # A record's whole history ("could the viewer ever see it"), and the expiry window.
    Index("ix_indicator_changes_record_id", "record_id", "seq"),
    Index("ix_indicator_changes_expires_at", "expires_at"),
    # A seq once handed out is never handed out again, even after the newest row is gone.
    sqlite_autoincrement=True,
)

# The state copied into each log row, from the indicators row of the same names.
STATE = ("owner_member_id", "audience_keys", "status", "expires_at", "purged_at")

# An UPDATE is logged when one of these changed: every column the API shows a viewer or
# that decides who sees the record. tests/alliance/indicators/test_change_log.py fails on
# a column of `indicators` that is in neither WATCHED nor UNWATCHED.
WATCHED = (
    "owner_member_id",
    "audience_keys",
    "status",
    "expires_at",
    "purged_at",
    "kind",
    "value",
    "match_key",
    "platform",
    "confidence",
    "evidence_level",
    "jurisdiction",
    "purpose",
    "tlp",
    "first_seen",
    "last_seen",
    "external_id",
    "legal_hold",
    "legal_hold_reason",
    "legal_hold_at",
)
# Not shown by the API, or shown only through a watched column (`requested_audience`
# becomes `audience_keys`); `extra` is `json` on PostgreSQL, which has no equality.
UNWATCHED = (
    "id",
    "created_at",
    "updated_at",
    "extra",
    "requested_audience",
    "personal_data_region",
    "policy_version",
    "retracted_at",
)

# The columns of `members` that the API shows on each record the member owns.
OWNER_WATCHED = ("status", "legal_name", "region_code", "data_disposition")

_INSERT_COLUMNS = "record_id, " + ", ".join(STATE) + ", deleted, at"
_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'"  # SQLAlchemy's stored form


def is_managed_here(name: str | None, kind: str, parents: dict[str, str | None]) -> bool:
    """Whether a column or index is made by the migration only (PostgreSQL's `xid`),
    for alembic's comparison to leave alone."""
    if kind == "column":
        return name in {XID_COLUMN, TXN_COLUMN} and parents.get("table_name") == TABLE
    return kind == "index" and name in {XID_INDEX, XID_RECORD_INDEX}


def _values(row: str, deleted: str) -> str:
    return f"{row}.id, " + ", ".join(f"{row}.{c}" for c in STATE) + f", {deleted}"


def _planned_now(statement: str) -> str:
    """`statement` run through EXECUTE, which plans it at each call.

    PL/pgSQL keeps the plan a statement got at its first run in a session, and a plan
    made for a one-row statement joins the two transition tables (which have no index)
    by nested loop: a later statement over 10,000 rows then compared every old row with
    every new one, 50 s for one policy change, 8 minutes at 30,000 (docs/performance.md).
    Planned at each call, the join is hashed whenever the rows are many.
    """
    return f"EXECUTE $statement${statement}$statement$"


def _postgresql() -> list[str]:
    changed = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in WATCHED)
    insert = f"INSERT INTO {TABLE} ({_INSERT_COLUMNS})"
    earlier = (
        f"DELETE FROM {TABLE} c USING ({{rows}}) r "  # noqa: S608 - names of our own, no input
        f"WHERE c.record_id = r.id AND c.xid = pg_current_xact_id()"
    )
    updated = f"SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {changed}"  # noqa: S608
    logged_updates = (
        f"SELECT {_values('n', 'false')}, now() "  # noqa: S608 - names of our own, no input
        f"FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {changed} ORDER BY n.id"
    )
    function = f"""CREATE OR REPLACE FUNCTION {TABLE}_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {insert} SELECT {_values("n", "false")}, now() FROM new_rows n ORDER BY n.id;
  ELSIF TG_OP = 'DELETE' THEN
    {earlier.format(rows="SELECT DISTINCT id FROM old_rows")};
    {insert} SELECT {_values("o", "true")}, now() FROM old_rows o ORDER BY o.id;
  ELSE
    {_planned_now(earlier.format(rows=updated))};
    {_planned_now(f"{insert} {logged_updates}")};
  END IF;
  RETURN NULL;
END $$"""  # noqa: S608 - names of our own, no input
    owners_changed = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in OWNER_WATCHED)
    owned = (
        "SELECT i.* FROM indicators i JOIN new_rows n ON i.owner_member_id = n.id "  # noqa: S608
        f"JOIN old_rows o ON o.id = n.id WHERE {owners_changed}"
    )
    owners = f"""CREATE OR REPLACE FUNCTION {TABLE}_owner_log() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- The records' row locks first: their log rows then commit in seq order, as a record
  -- update's do (the feed relies on it), and read the records as last committed.
  PERFORM 1 FROM ({owned} FOR UPDATE OF i) locked;
  {earlier.format(rows=owned)};
  {insert} SELECT {_values("i", "false")}, now() FROM ({owned}) i ORDER BY i.id;
  RETURN NULL;
END $$"""  # noqa: S608 - names of our own, no input
    return [
        function,
        owners,
        f"CREATE TRIGGER members_log_update AFTER UPDATE ON members "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_owner_log()",
        f"CREATE TRIGGER indicators_log_insert AFTER INSERT ON indicators "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_log()",
        f"CREATE TRIGGER indicators_log_update AFTER UPDATE ON indicators "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_log()",
        f"CREATE TRIGGER indicators_log_delete AFTER DELETE ON indicators "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_log()",
    ]


def _sqlite() -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED)
    insert = f"INSERT INTO {TABLE} ({_INSERT_COLUMNS}, {TXN_COLUMN}) VALUES"
    txn = "alliance_transaction()"
    earlier = f"DELETE FROM {TABLE} WHERE record_id = {{row}}.id AND {TXN_COLUMN} = {txn};"  # noqa: S608
    owners_changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in OWNER_WATCHED)
    owned = "SELECT id FROM indicators WHERE owner_member_id = NEW.id"
    return [
        f"CREATE TRIGGER members_log_update AFTER UPDATE ON members FOR EACH ROW "  # noqa: S608
        f"WHEN {owners_changed} BEGIN "
        f"DELETE FROM {TABLE} WHERE {TXN_COLUMN} = {txn} AND record_id IN ({owned}); "
        f"INSERT INTO {TABLE} ({_INSERT_COLUMNS}, {TXN_COLUMN}) "
        f"SELECT {_values('i', '0')}, {_SQLITE_NOW}, {txn} FROM indicators i "
        f"WHERE i.owner_member_id = NEW.id ORDER BY i.id; END",
        f"CREATE TRIGGER indicators_log_insert AFTER INSERT ON indicators FOR EACH ROW "
        f"BEGIN {insert} ({_values('NEW', '0')}, {_SQLITE_NOW}, {txn}); END",
        f"CREATE TRIGGER indicators_log_update AFTER UPDATE ON indicators FOR EACH ROW "
        f"WHEN {changed} BEGIN {earlier.format(row='NEW')} "
        f"{insert} ({_values('NEW', '0')}, {_SQLITE_NOW}, {txn}); END",
        f"CREATE TRIGGER indicators_log_delete AFTER DELETE ON indicators FOR EACH ROW "
        f"BEGIN {earlier.format(row='OLD')} "
        f"{insert} ({_values('OLD', '1')}, {_SQLITE_NOW}, {txn}); END",
    ]


def log_triggers(dialect: str) -> list[str]:
    """DDL of the triggers appending to the log (on `indicators`, and on `members` for
    what is shown of owners), for `dialect` ("postgresql" or "sqlite"): statement-level
    with transition tables on PostgreSQL, row-level on SQLite."""
    return _postgresql() if dialect == "postgresql" else _sqlite()


def log_functions() -> list[str]:
    """The PostgreSQL trigger functions of `log_triggers` alone, as CREATE OR REPLACE: a
    migration that changes only how they run replaces them in place."""
    return [statement for statement in _postgresql() if statement.startswith("CREATE OR")]


def drop_log_triggers(dialect: str) -> list[str]:
    """DDL undoing `log_triggers`."""
    on = " ON indicators" if dialect == "postgresql" else ""
    statements = [
        f"DROP TRIGGER IF EXISTS indicators_log_{event}{on}"
        for event in ("insert", "update", "delete")
    ]
    statements.append(
        "DROP TRIGGER IF EXISTS members_log_update"
        + (" ON members" if dialect == "postgresql" else "")
    )
    if dialect == "postgresql":
        statements.append(f"DROP FUNCTION IF EXISTS {TABLE}_log()")
        statements.append(f"DROP FUNCTION IF EXISTS {TABLE}_owner_log()")
    return statements


def log_backfill(dialect: str) -> str:
    """One statement logging every existing record once, as if just inserted."""
    now = "now()" if dialect == "postgresql" else _SQLITE_NOW
    return (
        f"INSERT INTO {TABLE} ({_INSERT_COLUMNS}) "  # noqa: S608 - names of our own, no input
        f"SELECT {_values('i', 'false' if dialect == 'postgresql' else '0')}, {now} "
        f"FROM indicators i ORDER BY i.id"
    )

"""The service's SQL as captured, made into raw-SQL baselines: which statement is the page's
rows and which its count, and the same statement with the visibility predicate replaced by
TRUE (the unfiltered baseline).

The SQL is recognised by its shape, which changes as the read path is re-planned. Whatever
is not recognised raises `NotRecognised` with a reason the bench prints in place of the
figure, so that a new shape costs a baseline row, not the run.

The predicate (sharing/predicate.py) starts with the owner test, `<x>.owner_member_id =
$n OR ...`, and runs to the end of the group that holds it: its closing parenthesis, or
at the top level of a clause a comma, AS, THEN, FROM, ORDER BY and the like; a group
that reads no audience (grants or excludes tables, or the row's `audience_keys`) is some
other filter and stays. After the replacement, the statement must no longer read the
audience; if it still does, part of the visibility rule is written elsewhere and the
TRUE variant would not be unfiltered.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

if TYPE_CHECKING:
    from alliance.db import Database

Captured = tuple[str, tuple[Any, ...]]

_OWNER_TEST = re.compile(r"\b\w+\.owner_member_id\s*=\s*(?:\$\d+|:\w+|'[^']*')(?:::\w+)?\s+OR\b")
# What the visibility rule reads: the stored audience as grants and excludes tables, or
# flattened into the row's audience keys.
_POLICY_TABLE = re.compile(
    r"\b(?:FROM|JOIN)\s+(\w+_(?:grants|excludes))\b|\b(\w+\.audience_keys)\s*&&", re.IGNORECASE
)
# Where a predicate that is not in parentheses ends (at its own depth).
_CLAUSE_END = re.compile(
    r",|\b(?:AS|THEN|ELSE|END|FROM|WHERE|ORDER\s+BY|GROUP\s+BY|HAVING|LIMIT|OFFSET|UNION"
    r"|INTERSECT|EXCEPT|FOR\s+UPDATE|RETURNING)\b",
    re.IGNORECASE,
)


class NotRecognised(ValueError):
    """The statement's shape is not one this bench knows how to read."""


def _end_of_group(sql: str, start: int) -> int:
    """Where the expression starting at `start` ends: before the parenthesis that closes
    its group, or before a clause keyword at its own depth, or at the end."""
    depth, position, quoted = 0, start, False
    while position < len(sql):
        character = sql[position]
        if character == "'":
            quoted = not quoted
        elif not quoted and character == "(":
            depth += 1
        elif not quoted and character == ")":
            if depth == 0:
                return position
            depth -= 1
        elif not quoted and depth == 0 and _CLAUSE_END.match(sql, position):
            return position  # `\b` also looks behind `position`: no match inside a word
        position += 1
    if quoted or depth:
        raise NotRecognised("unbalanced quotes or parentheses after the owner test")
    return position


def without_predicate(sql: str) -> str:
    """`sql` with every visibility predicate replaced by TRUE (the unfiltered baseline);
    `NotRecognised` when there is none, or when a grants or excludes table is still read
    after the replacement, or the audience keys still tested. (An owner test that reads
    no audience, such as "the owner, or ACTIVE", is a filter of the service and stays.)"""
    replaced, position = 0, 0
    while (found := _OWNER_TEST.search(sql, position)) is not None:
        end = _end_of_group(sql, found.start())
        if _POLICY_TABLE.search(sql, found.start(), end) is None:
            position = found.end()
            continue
        sql = sql[: found.start()] + "true" + sql[len(sql[:end].rstrip()) :]
        replaced, position = replaced + 1, found.start()
    if not replaced:
        raise NotRecognised("no visibility predicate (`owner_member_id = … OR …` on the audience)")
    if remaining := sorted({"".join(found) for found in _POLICY_TABLE.findall(sql)}):
        raise NotRecognised(f"it still reads {', '.join(remaining)} without the predicate")
    return sql


def renumbered(sql: str, parameters: tuple[Any, ...]) -> tuple[str, list[Any]]:
    """`sql` with its remaining $n renumbered 1.. and the arguments they take, in order."""
    used = sorted({int(number) for number in re.findall(r"\$(\d+)", sql)})
    mapping = {old: new for new, old in enumerate(used, start=1)}
    sql = re.sub(r"\$(\d+)", lambda m: f"${mapping[int(m.group(1))]}", sql)
    return sql, [parameters[old - 1] for old in used]


_READS_INDICATORS = re.compile(r"\b(?:FROM|JOIN)\s+indicators\b", re.IGNORECASE)
_COUNT = re.compile(r"^\s*SELECT\s+count\(", re.IGNORECASE)
_LIMIT = re.compile(r"\bLIMIT\b", re.IGNORECASE)
_SAMPLE = re.compile(r"\bTABLESAMPLE\b", re.IGNORECASE)


def page_statements(captured: list[Captured]) -> tuple[dict[str, Captured], list[str]]:
    """The page's row statement (the first one reading `indicators` with a LIMIT) and its
    count statement (the first `SELECT count(` reading `indicators`, leaving out the
    TABLESAMPLE behind an estimate) as the service sent them; and a line for each not
    found."""
    found: dict[str, Captured] = {}
    for sql, parameters in captured:
        if not _READS_INDICATORS.search(sql):
            continue
        if _SAMPLE.search(sql):
            continue  # the sample behind an estimated count, not the count itself
        if _COUNT.match(sql):
            found.setdefault("count", (sql, parameters))
        elif _LIMIT.search(sql):
            found.setdefault("rows", (sql, parameters))
    missing = [
        f"no {name} statement recognised among the {len(captured)} statements of the request"
        for name in ("rows", "count")
        if name not in found
    ]
    return found, missing


@dataclass
class Capture:
    """SQL statements and transactions the service ran while `on` is set."""

    on: bool = False
    statements: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    begins: int = 0

    def attach(self, database: Database) -> None:
        engine = database.engine.sync_engine
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", self._begin)

    def _statement(self, _c: Any, _cur: Any, sql: str, parameters: Any, *_: Any) -> None:
        if self.on:
            self.statements.append((sql, tuple(parameters or ())))

    def _begin(self, _connection: Any) -> None:
        if self.on:
            self.begins += 1

    def reset(self) -> None:
        self.statements, self.begins = [], 0

    async def of(self, call: Callable[[], Awaitable[Any]]) -> tuple[list[Captured], int]:
        """The statements and BEGINs of one `call`."""
        self.reset()
        self.on = True
        try:
            await call()
        finally:
            self.on = False
        return self.statements, self.begins

"""Read audit: at the end of each operation, one insert of what the request handed out."""

from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension

from alliance.audit.reads import flush_reads
from schema.context import Context


class ReadAudit(SchemaExtension):
    """Writes the request's `ReadLog` (alliance.audit.reads) once the operation is done."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        if isinstance(context, Context) and context.reads:
            async with context.database.transaction() as session:
                await flush_reads(session, viewer=context.viewer, log=context.reads)

"""Read audit: at the end of each operation, one insert of what the request handed out,
in the request's own transaction; then the request's session is closed."""

from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension

from alliance.audit.reads import flush_reads
from schema.context import Context


class ReadAudit(SchemaExtension):
    """Writes the request's `ReadLog` (alliance.audit.reads) once the operation is done,
    committing it with the request's reads, and gives the request's connection back."""

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        if not isinstance(context, Context):
            yield
            return
        try:
            yield
            if context.reads:
                async with context.transaction() as session:
                    await flush_reads(session, viewer=context.viewer, log=context.reads)
        finally:
            # Nothing reads after the operation: the connection goes back to the pool now
            # (the HTTP middleware's close, after the response, then finds nothing to do).
            await context.request.close()

"""Where attachment bytes live: one small interface, two backends (docs/articles.md).

Both are content-addressed by the bytes' sha256: the same file attached twice is stored
once, and a name can never be chosen by a caller (no path traversal).

- `FolderStore` (the default): files under a folder, `var/attachments/` unless set, as
  `<sha256[:2]>/<sha256>`, written to a temporary name and renamed (atomic).
- `DatabaseStore`: the `attachment_blobs` table, in the caller's transaction.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from alliance.articles.models import AttachmentBlob

DEFAULT_FOLDER = Path("./var/attachments")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class AttachmentStore(Protocol):
    """Stores and returns bytes by their sha256 (lower-case hex)."""

    async def put(self, session: AsyncSession, sha256: str, content: bytes) -> None:
        """Keep `content` under `sha256` (a no-op when it is there already)."""

    async def get(self, session: AsyncSession, sha256: str) -> bytes | None:
        """The bytes kept under `sha256`, or None."""


def _require_digest(sha256: str) -> str:
    if not _SHA256.fullmatch(sha256):
        raise ValueError("not a sha256 digest")
    return sha256


class FolderStore:
    """Attachment bytes as files under `root`."""

    def __init__(self, root: Path = DEFAULT_FOLDER) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        digest = _require_digest(sha256)
        return self.root / digest[:2] / digest

    def _write(self, sha256: str, content: bytes) -> None:
        path = self._path(sha256)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        Path(temporary).replace(path)

    def _read(self, sha256: str) -> bytes | None:
        path = self._path(sha256)
        return path.read_bytes() if path.exists() else None

    async def put(self, session: AsyncSession, sha256: str, content: bytes) -> None:
        await asyncio.to_thread(self._write, sha256, content)

    async def get(self, session: AsyncSession, sha256: str) -> bytes | None:
        return await asyncio.to_thread(self._read, sha256)


class DatabaseStore:
    """Attachment bytes in the `attachment_blobs` table."""

    async def put(self, session: AsyncSession, sha256: str, content: bytes) -> None:
        values = {"sha256": _require_digest(sha256), "content": content}
        insert = (
            postgresql.insert(AttachmentBlob)
            if session.get_bind().dialect.name == "postgresql"
            else sqlite.insert(AttachmentBlob)
        )
        await session.execute(insert.values(values).on_conflict_do_nothing())

    async def get(self, session: AsyncSession, sha256: str) -> bytes | None:
        found = await session.scalar(
            select(AttachmentBlob.content).where(AttachmentBlob.sha256 == sha256)
        )
        return None if found is None else bytes(found)


def store_named(kind: str, folder: Path = DEFAULT_FOLDER) -> AttachmentStore:
    """The store a setting names: "database", or "folder" (files under `folder`)."""
    return DatabaseStore() if kind == "database" else FolderStore(folder)

"""Authorization codes, refresh-token families and revoked access tokens.

Whether a principal may still authenticate is not decided here but in
`alliance.principals`, for every path alike.

These functions take a synchronous `Session`: the authorization server (authlib) is
synchronous and runs inside `AsyncSession.run_sync` (docs/auth.md explains why).
Every lookup takes the presented secret, never its hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid

from sqlalchemy import Delete, delete, select, update
from sqlalchemy.orm import Session

from alliance.db import utcnow
from alliance.oauth.models import AuthorizationCode, RefreshToken, RevokedAccessToken

CODE_TTL = dt.timedelta(minutes=2)
KEEP_EXPIRED = dt.timedelta(days=1)


def token_hash(value: str) -> str:
    """SHA-256 of a code or refresh token (both are 256+ random bits)."""
    return hashlib.sha256(value.encode()).hexdigest()


def new_secret() -> str:
    """A fresh code or refresh token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """The moment as an aware UTC datetime."""
    # SQLite returns naive datetimes; every stored moment is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def is_expired(expires_at: dt.datetime) -> bool:
    """Whether the moment has passed."""
    return as_utc(expires_at) <= utcnow()


def _purge(session: Session, statement: Delete) -> None:
    # No synchronisation with rows loaded in this session: SQLAlchemy would compare them in
    # Python, and SQLite hands back naive datetimes that cannot be compared with aware ones.
    # What is purged is long expired, so no request works with those rows.
    session.execute(statement.execution_options(synchronize_session=False))


def save_code(session: Session, *, code: str, **fields: object) -> AuthorizationCode:
    """Store a new authorization code (hashed), valid for `CODE_TTL`.

    Codes that expired a day ago go: long enough to detect a late replay of a stolen code.
    """
    _purge(
        session,
        delete(AuthorizationCode).where(AuthorizationCode.expires_at < utcnow() - KEEP_EXPIRED),
    )
    row = AuthorizationCode(code_hash=token_hash(code), expires_at=utcnow() + CODE_TTL, **fields)
    session.add(row)
    session.flush()
    return row


def redeemable_code(
    session: Session, *, code: str, client_id: uuid.UUID
) -> AuthorizationCode | None:
    """The unused, unexpired code of this client; a replayed code revokes its tokens."""
    # Locked until the exchange commits: two concurrent requests cannot both spend it.
    row = session.scalar(
        select(AuthorizationCode)
        .where(AuthorizationCode.code_hash == token_hash(code))
        .with_for_update()
    )
    if row is None or row.client_id != client_id:
        return None
    if row.used_at is not None:
        # RFC 6749 §4.1.2: a code used twice revokes what it was exchanged for.
        revoke_family(session, row.id)
        return None
    return None if is_expired(row.expires_at) else row


def mark_code_used(session: Session, row: AuthorizationCode) -> None:
    """Spend the code: a second use is a replay (see `redeemable_code`)."""
    row.used_at = utcnow()


def save_refresh_token(session: Session, *, token: str, **fields: object) -> RefreshToken:
    """Store a refresh token (hashed) of a family; drop tokens that expired a day ago."""
    _purge(session, delete(RefreshToken).where(RefreshToken.expires_at < utcnow() - KEEP_EXPIRED))
    row = RefreshToken(token_hash=token_hash(token), **fields)
    session.add(row)
    session.flush()
    return row


def find_refresh_token(session: Session, token: str, *, lock: bool = False) -> RefreshToken | None:
    """The stored refresh token for `token`, whatever its state; `lock` holds its row until
    the transaction ends."""
    query = select(RefreshToken).where(RefreshToken.token_hash == token_hash(token))
    return session.scalar(query.with_for_update() if lock else query)


def usable_refresh_token(session: Session, token: str) -> RefreshToken | None:
    """The refresh token if it may be used now; reusing a rotated one revokes its family.
    Locked, so that two concurrent uses are one use and one reuse."""
    row = find_refresh_token(session, token, lock=True)
    if row is None or row.revoked_at is not None or is_expired(row.expires_at):
        return None
    if row.used_at is not None:
        revoke_family(session, row.family_id)
        return None
    return row


def revoke_family(session: Session, family_id: uuid.UUID) -> None:
    """Revoke every refresh token of a family and the access tokens issued with them."""
    now = utcnow()
    rows = session.scalars(select(RefreshToken).where(RefreshToken.family_id == family_id))
    for row in rows:
        if row.revoked_at is None:
            row.revoked_at = now
        if not is_expired(row.access_expires_at):
            revoke_access_token(session, row.access_token_id, row.access_expires_at)
    session.execute(
        update(AuthorizationCode)
        .where(AuthorizationCode.id == family_id, AuthorizationCode.used_at.is_(None))
        .values(used_at=now)
    )


def revoke_access_token(session: Session, token_id: str, expires_at: dt.datetime) -> None:
    """Refuse the access token `token_id` from now until it expires.

    Entries of tokens that have expired anyway are dropped here, so the list stays as
    short as the number of revoked tokens still alive.
    """
    _purge(session, delete(RevokedAccessToken).where(RevokedAccessToken.expires_at < utcnow()))
    if session.get(RevokedAccessToken, token_id) is None:
        session.add(RevokedAccessToken(token_id=token_id, expires_at=expires_at))
        session.flush()

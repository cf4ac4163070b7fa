"""authlib's grants, bound to our storage. PKCE is S256 only and required for every client."""

from __future__ import annotations

import uuid
from typing import Any

from authlib.oauth2.rfc6749 import InvalidRequestError, grants
from authlib.oauth2.rfc7636 import CodeChallenge

from alliance.db import utcnow
from alliance.oauth import service as oauth_service
from alliance.principals import Credential, standing_sync
from alliance.users.models import User
from auth.oauth.context import current_session
from auth.oauth.records import CodeRecord, RefreshRecord
from sharing import PrincipalKind

CONFIDENTIAL = ["client_secret_basic", "client_secret_post"]
ANY_CLIENT = [*CONFIDENTIAL, "none"]


class S256CodeChallenge(CodeChallenge):
    """PKCE (RFC 7636) demanded of every client, with the S256 method only."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]  # noqa: RUF012 - authlib's class attribute
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send 'code_challenge' (S256).")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Only 'code_challenge_method=S256' is accepted.")
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        if not grant.request.form.get("code_verifier"):
            raise InvalidRequestError("Missing 'code_verifier'.")
        super().validate_code_verifier(grant, result)


def active_user(user_id: uuid.UUID, app: uuid.UUID) -> User | None:
    """The user if they may get tokens for the app (client row id) now, else None
    (`alliance.principals`: the same rule as the bearer check)."""
    session = current_session()
    person = Credential(kind=PrincipalKind.USER, principal_id=user_id, client=app)
    return session.get(User, user_id) if standing_sync(session, person).allowed else None


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = CONFIDENTIAL


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ANY_CLIENT

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        oauth_service.save_code(
            current_session(),
            code=code,
            client_id=request.client.model.id,
            user_id=request.user.id,
            redirect_uri=request.payload.redirect_uri or "",
            scope=request.scope or "",
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
        )

    def query_authorization_code(self, code: str, client: Any) -> CodeRecord | None:
        row = oauth_service.redeemable_code(current_session(), code=code, client_id=client.model.id)
        return CodeRecord(row) if row is not None else None

    def delete_authorization_code(self, authorization_code: CodeRecord) -> None:
        oauth_service.mark_code_used(current_session(), authorization_code.row)

    def authenticate_user(self, authorization_code: CodeRecord) -> User | None:
        code = authorization_code.row
        return active_user(code.user_id, code.client_id)


class RefreshTokenGrant(grants.RefreshTokenGrant):
    """Every use rotates the refresh token; reusing an old one revokes its whole family."""

    TOKEN_ENDPOINT_AUTH_METHODS = ANY_CLIENT
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> RefreshRecord | None:
        # A refresh token of a person who may no longer authenticate is invalid_grant.
        row = oauth_service.usable_refresh_token(current_session(), refresh_token)
        record = RefreshRecord(row) if row is not None else None
        return None if record is None or record.is_revoked() else record

    def authenticate_user(self, refresh_token: RefreshRecord) -> User | None:
        return active_user(refresh_token.row.user_id, refresh_token.row.client_id)

    def revoke_old_credential(self, refresh_token: RefreshRecord) -> None:
        refresh_token.row.used_at = utcnow()

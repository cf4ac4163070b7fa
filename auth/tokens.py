"""Access tokens: JWTs per RFC 9068 (`typ: at+jwt`), ES256, minted and verified here only.

This is the one token format of the service: the command line mints it for local use and
the OAuth server issues it to people and member systems.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jws import extract_compact

from auth.keys import ALGORITHM, KeyRing
from sharing import PrincipalKind, Scope

TOKEN_TYPE = "at+jwt"  # noqa: S105 - a media type, not a secret
LEEWAY_SECONDS = 30


class InvalidToken(Exception):
    """The bearer token cannot be accepted; the message is safe to show the caller."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a verified access token says about its bearer."""

    kind: PrincipalKind
    principal_id: uuid.UUID
    client_id: str
    scopes: frozenset[Scope]
    token_id: str
    expires_at: dt.datetime


def _subject(kind: PrincipalKind, principal_id: uuid.UUID) -> str:
    return f"{kind.value.lower()}:{principal_id}"


def _parse_subject(subject: object) -> tuple[PrincipalKind, uuid.UUID]:
    if not isinstance(subject, str) or ":" not in subject:
        raise InvalidToken("The token's subject is malformed.")
    kind, _, value = subject.partition(":")
    try:
        principal = PrincipalKind(kind.upper())
        principal_id = uuid.UUID(value)
    except ValueError as error:
        raise InvalidToken("The token's subject is malformed.") from error
    if principal is PrincipalKind.SYSTEM:
        raise InvalidToken("The token's subject is malformed.")
    return principal, principal_id


def _shown(value: object) -> str:
    # A claim quoted back to the caller: printable ASCII, short.
    text = "".join(c if " " <= c <= "~" else "?" for c in str(value))
    return text if len(text) <= 100 else f"{text[:100]}..."


def _parse_scopes(scope: object) -> frozenset[Scope]:
    if not isinstance(scope, str):
        raise InvalidToken("The token has no scope claim.")
    known = {s.value for s in Scope}
    return frozenset(Scope(s) for s in scope.split() if s in known)


class TokenIssuer:
    """Mints and verifies the service's access tokens."""

    def __init__(self, keys: KeyRing, *, issuer: str, audience: str, ttl: int) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.ttl = ttl

    def mint(
        self,
        *,
        kind: PrincipalKind,
        principal_id: uuid.UUID,
        client_id: str,
        scopes: Iterable[Scope],
        extra: dict[str, Any] | None = None,
        ttl: int | None = None,
    ) -> str:
        """A signed access token for the principal, valid `ttl` seconds (default: setting)."""
        # A rotated key starts signing here without a restart (re-read at most every 5 s).
        self.keys.reload_if_stale()
        key = self.keys.signing_key()
        now = int(dt.datetime.now(dt.UTC).timestamp())
        claims = {
            **(extra or {}),
            "iss": self.issuer,
            "aud": self.audience,
            "sub": _subject(kind, principal_id),
            "client_id": client_id,
            "scope": " ".join(sorted(scopes)),
            "iat": now,
            "nbf": now,
            "exp": now + (ttl or self.ttl),
            "jti": secrets.token_urlsafe(16),
        }
        header = {"alg": ALGORITHM, "typ": TOKEN_TYPE, "kid": key.kid}
        return jwt.encode(header, claims, key.key, algorithms=[ALGORITHM])

    def _refresh_keys_for(self, token: str) -> None:
        # A kid we do not know may be a key rotated in since start-up.
        try:
            kid = extract_compact(token.encode()).headers().get("kid")
        except (JoseError, ValueError):
            return
        if not self.keys.has_kid(kid):
            self.keys.reload_if_stale()

    def _require_issuer(self, issuer: object) -> None:
        # The issuer is public (discovery); naming it tells a developer whose token minted
        # for another port or host is refused which setting to align.
        if issuer != self.issuer:
            found = "has no issuer" if issuer is None else f"'s issuer is {_shown(issuer)}"
            raise InvalidToken(
                f"The token{found} but this service expects {self.issuer}; mint tokens with "
                "the server's ALLIANCE_ISSUER (or its ALLIANCE_HOST and ALLIANCE_PORT)."
            )

    def verify(self, token: str) -> AccessClaims:
        """The claims of a valid access token of ours, or `InvalidToken` saying why not."""
        self._refresh_keys_for(token)
        try:
            decoded = jwt.decode(token, self.keys.public_keys(), algorithms=[ALGORITHM])
        except (JoseError, ValueError) as error:
            raise InvalidToken("The token is malformed or its signature is invalid.") from error
        if decoded.header.get("typ", "").lower() not in {TOKEN_TYPE, f"application/{TOKEN_TYPE}"}:
            raise InvalidToken("This is not an access token.")
        self._require_issuer(decoded.claims.get("iss"))
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
            jti={"essential": True},
            client_id={"essential": True},
        )
        try:
            registry.validate(decoded.claims)
        except JoseError as error:
            raise InvalidToken(
                f"The token was refused: {error.description or error.error}."
            ) from error
        claims = decoded.claims
        kind, principal_id = _parse_subject(claims["sub"])
        return AccessClaims(
            kind=kind,
            principal_id=principal_id,
            client_id=str(claims["client_id"]),
            scopes=_parse_scopes(claims.get("scope")),
            token_id=str(claims["jti"]),
            expires_at=dt.datetime.fromtimestamp(int(claims["exp"]), dt.UTC),
        )

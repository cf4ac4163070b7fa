"""Key rotation: the next key is published before it signs, retired keys stay published
longer than any token lives, and running instances pick up new keys."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
from joserfc import jwt

from alliance.config import Environment, Settings
from alliance.db import Database
from api.app import create_app
from auth.keys import KeyRing, _write_key, ensure_key, rotate
from auth.tokens import TokenIssuer
from sharing import PrincipalKind, Scope
from tests.fixtures.world import World

HOUR = dt.timedelta(hours=1)


def _kids(keys_dir: Path) -> set[str]:
    return {k.kid for k in KeyRing(keys_dir).keys}


def test_the_next_key_is_published_before_it_signs(tmp_path: Path) -> None:
    ensure_key(tmp_path)
    (current,) = _kids(tmp_path)
    new = rotate(tmp_path, publish_ahead=dt.timedelta(minutes=15), keep_after=2 * HOUR)
    ring = KeyRing(tmp_path)
    assert {k["kid"] for k in ring.jwks()["keys"]} == {current, new}
    assert ring.signing_key().kid == current  # only the active key signs
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)
    assert ring.signing_key(later).kid == new


def test_a_retired_key_stays_published_until_keep_after_has_passed(tmp_path: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    oldest = _write_key(tmp_path, now - 10 * HOUR)  # retired 5 h ago
    recent = _write_key(tmp_path, now - 5 * HOUR)  # retired by the rotation below
    new = rotate(tmp_path, publish_ahead=dt.timedelta(0), keep_after=2 * HOUR)
    assert _kids(tmp_path) == {recent.kid, new}
    assert oldest.kid not in _kids(tmp_path)


async def test_a_running_instance_accepts_tokens_of_a_key_rotated_in_after_it_started(
    tmp_path: Path, db: Database, world: World
) -> None:
    ensure_key(tmp_path)
    settings = Settings(
        environment=Environment.TEST, keys_dir=tmp_path, issuer="http://testserver", graphiql=False
    )
    app = create_app(settings, database=db)
    rotate(tmp_path, publish_ahead=dt.timedelta(0), keep_after=2 * HOUR)
    # Another instance (or the command line) that read the folder after the rotation.
    elsewhere = TokenIssuer(
        KeyRing(tmp_path), issuer=settings.issuer, audience=settings.audience, ttl=600
    )
    assert not app.state.tokens.keys.has_kid(elsewhere.keys.signing_key().kid)
    user = await world.user(await world.member())
    token = elsewhere.mint(
        kind=PrincipalKind.USER,
        principal_id=user.id,
        client_id="alliance-cli",
        scopes=[Scope.INDICATORS_READ],
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ viewer { kind } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        published = (await client.get("/.well-known/jwks.json")).json()["keys"]
    assert {k["kid"] for k in published} == _kids(tmp_path)
    # And the instance itself now signs with the new key, without a restart.
    minted = app.state.tokens.mint(
        kind=PrincipalKind.USER, principal_id=user.id, client_id="alliance-cli", scopes=[]
    )
    assert jwt.decode(minted, elsewhere.keys.public_keys()).header["kid"] == (
        elsewhere.keys.signing_key().kid
    )


def test_reloads_on_demand_are_rate_limited(tmp_path: Path) -> None:
    ensure_key(tmp_path)
    ring = KeyRing(tmp_path)
    assert ring.reload_if_stale() is True
    # A flood of made-up kids cannot make the instance re-read the folder again at once.
    assert ring.reload_if_stale() is False

"""Signing keys: ES256 keys on disk, the active one signs, all current ones are published.

Each key is a file `<kid>.json` in the keys folder holding the private JWK and the moment it
starts signing (`not_before`). Rotation writes the next key ahead of time, so that every
verifier has fetched it from `/.well-known/jwks.json` before the first token it signs
arrives, and removes a key only once every token it signed has expired.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey, KeySet

ALGORITHM = "ES256"
# A running instance re-reads the keys folder at most this often when asked to.
RELOAD_INTERVAL_SECONDS = 5.0


class NoSigningKey(Exception):
    """No key in the keys folder may sign yet."""


@dataclass(frozen=True, slots=True)
class StoredKey:
    kid: str
    not_before: dt.datetime
    key: ECKey
    path: Path


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _write_key(keys_dir: Path, not_before: dt.datetime) -> StoredKey:
    keys_dir.mkdir(parents=True, exist_ok=True)
    kid = f"{not_before:%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
    key = ECKey.generate_key(
        "P-256", parameters={"kid": kid, "alg": ALGORITHM, "use": "sig"}, private=True
    )
    path = keys_dir / f"{kid}.json"
    document = {"kid": kid, "not_before": not_before.isoformat(), "jwk": key.as_dict(private=True)}
    # The private key is readable by its owner only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(document, handle)
    return StoredKey(kid=kid, not_before=not_before, key=key, path=path)


def _read_key(path: Path) -> StoredKey:
    document: dict[str, Any] = json.loads(path.read_text())
    key = ECKey.import_key(document["jwk"])
    return StoredKey(
        kid=document["kid"],
        not_before=dt.datetime.fromisoformat(document["not_before"]),
        key=key,
        path=path,
    )


class KeyRing:
    """The keys of one keys folder, read at start-up and on `reload()`."""

    def __init__(self, keys_dir: Path) -> None:
        self.keys_dir = keys_dir
        self.keys: list[StoredKey] = []
        self.refreshed_at = float("-inf")  # the first refresh on demand is always allowed
        self.reload()

    def reload(self) -> None:
        """Read the keys folder again (rotation adds and removes files)."""
        paths = sorted(self.keys_dir.glob("*.json")) if self.keys_dir.is_dir() else []
        self.keys = sorted((_read_key(p) for p in paths), key=lambda k: k.not_before)
        # Built once per reload, not on every token check.
        self._public = KeySet([ECKey.import_key(k.key.as_dict(private=False)) for k in self.keys])

    def reload_if_stale(self) -> bool:
        """Reload unless this was done in the last `RELOAD_INTERVAL_SECONDS`.

        Called when a token names an unknown kid and when the JWKS is served, so that a
        key written by `alliance keys rotate` reaches every running instance, while a
        flood of tokens with made-up kids cannot make an instance re-read the folder
        more than once per interval. Returns whether it reloaded.
        """
        now = time.monotonic()
        if now - self.refreshed_at < RELOAD_INTERVAL_SECONDS:
            return False
        self.refreshed_at = now
        self.reload()
        return True

    def has_kid(self, kid: object) -> bool:
        """Whether a key with this kid is in the ring."""
        return any(k.kid == kid for k in self.keys)

    def signing_key(self, now: dt.datetime | None = None) -> StoredKey:
        """The newest key whose `not_before` has passed."""
        moment = now or _now()
        ready = [k for k in self.keys if k.not_before <= moment]
        if not ready:
            raise NoSigningKey(f"No signing key is active in {self.keys_dir}.")
        return ready[-1]

    def public_keys(self) -> KeySet:
        return self._public

    def jwks(self) -> dict[str, Any]:
        """The JSON Web Key Set to publish: public halves only."""
        return {"keys": [k.key.as_dict(private=False) for k in self.keys]}


def ensure_key(keys_dir: Path) -> None:
    """Create a first key, active at once, when the folder has none (dev and test only)."""
    if not keys_dir.is_dir() or not any(keys_dir.glob("*.json")):
        _write_key(keys_dir, _now())


def rotate(keys_dir: Path, *, publish_ahead: dt.timedelta, keep_after: dt.timedelta) -> str:
    """Write the next key, signing from `publish_ahead` on; drop keys retired `keep_after` ago.

    A key is retired when a newer key starts signing. Keep it published for longer than
    the longest token lifetime so that tokens it signed still verify. Returns the new kid.
    """
    now = _now()
    new = _write_key(keys_dir, now + publish_ahead)
    ring = KeyRing(keys_dir)
    for older, newer in zip(ring.keys, ring.keys[1:], strict=False):
        if older.kid != new.kid and newer.not_before + keep_after <= now:
            older.path.unlink()
    return new.kid

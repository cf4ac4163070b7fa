"""Encryption of identity-provider client secrets at rest (Fernet: AES-CBC + HMAC)."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


class SecretBox:
    """Seals secrets with a key derived from ALLIANCE_SECRET_KEY; only the server opens them."""

    def __init__(self, secret_key: str) -> None:
        derived = hashlib.sha256(b"alliance/identity-provider-secrets\0" + secret_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived.digest()))

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, sealed: str) -> str:
        """The plaintext; `ValueError` when the secret key changed since it was sealed."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as error:
            raise ValueError("The secret was sealed with another ALLIANCE_SECRET_KEY.") from error

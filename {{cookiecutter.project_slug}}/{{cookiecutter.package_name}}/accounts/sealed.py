"""Secrets the service must read back, such as the TOTP seeds, sealed so
that a copy of the database alone does not reveal them.

Sealing is Fernet (AES in CBC mode with an HMAC-SHA256, from the
`cryptography` package), with a key derived from SECRET_KEY by HKDF: the
database holds the sealed text, the key never leaves the config. To rotate
SECRET_KEY, put the old one first in SECRET_KEY_FALLBACKS, set the new
one, and run `flask reseal`: what the old key sealed is sealed again with
the new one; then the old key can go.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

# Another purpose's key from the same SECRET_KEY is another key.
PURPOSE = b"sealed secrets"


class Unsealable(Exception):
    """No key at hand opens this sealed text (SECRET_KEY changed, and the
    old one is not among SECRET_KEY_FALLBACKS)."""


def fernet_key(secret_key: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(derived)


def sealer() -> MultiFernet:
    """The current key first (which seals), then the fallbacks (which only open)."""
    config = current_app.config
    keys = [config["SECRET_KEY"], *config.get("SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(fernet_key(key)) for key in keys])


def seal(text: str) -> str:
    return sealer().encrypt(text.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return sealer().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise Unsealable from None


def reseal(sealed: str) -> str:
    """The same secret sealed with the current key."""
    try:
        return sealer().rotate(sealed.encode()).decode()
    except InvalidToken:
        raise Unsealable from None

"""Webhook secrets encrypted at rest (Fernet: AES-128-CBC with HMAC-SHA256, authenticated).

The gateway signs each webhook POST with the partner's secret, so it must be able to read
it back: the secret cannot be hashed like an API key. It is encrypted with a key the
database does not hold, so a copy of the database (a backup, a read replica, a SQL
injection) does not give away every partner's signing secret.

The key is ``X12GW_SECRET_KEY`` (make one with ``x12gw secret-key``). Without it, one is
derived from the admin key with HKDF so that the demo works out of the box; the gateway
warns about that at start. Rows written before encryption (plain text, not a Fernet token)
still work and are encrypted when the webhook is next set.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache

import structlog
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gateway.settings import Settings

log = structlog.get_logger("x12gw.secrets")

_HKDF_SALT = b"x12gw"
_HKDF_INFO = b"x12gw webhook secrets v1"
#: a Fernet token's first byte (its version), and its least length in bytes
#: (version, timestamp, IV, one cipher block, HMAC)
_FERNET_VERSION = 0x80
_FERNET_MIN_BYTES = 1 + 8 + 16 + 16 + 32


class SecretUnreadable(Exception):
    """A stored secret is a Fernet token the configured key cannot decrypt (key changed).

    The message never holds the secret or the token."""


def generate_key() -> str:
    """A new key for ``X12GW_SECRET_KEY`` (urlsafe base64 of 32 random bytes)."""
    return Fernet.generate_key().decode()


def derived_key(admin_key: str | None) -> bytes:
    """The Fernet key derived from the admin key (HKDF-SHA256); a fixed one without it."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO).derive(
        (admin_key or "").encode()
    )
    return base64.urlsafe_b64encode(raw)


@lru_cache(maxsize=8)
def _box(secret_key: str | None, admin_key: str | None) -> MultiFernet:
    derived = Fernet(derived_key(admin_key))
    if secret_key is None:
        return MultiFernet([derived])
    # encrypt with the configured key; still read rows written with the derived one
    # (a gateway that started as a demo and was given a key later)
    return MultiFernet([Fernet(secret_key.encode()), derived])


def box(settings: Settings) -> MultiFernet:
    """The Fernet keys of ``settings``: the first encrypts, each may decrypt."""
    key = settings.secret_key.get_secret_value() if settings.secret_key else None
    return _box(key, settings.admin_key)


def encrypt(settings: Settings, secret: str) -> str:
    """The value to store for ``secret``."""
    return box(settings).encrypt(secret.encode()).decode()


def is_token(stored: str) -> bool:
    """Whether ``stored`` has the shape of a Fernet token (not a legacy plain secret)."""
    try:
        data = base64.urlsafe_b64decode(stored.encode("ascii"))
    except (UnicodeEncodeError, binascii.Error, ValueError):
        return False
    return len(data) >= _FERNET_MIN_BYTES and data[0] == _FERNET_VERSION


def decrypt(settings: Settings, stored: str) -> str:
    """The secret a stored value holds: decrypted, or as is for a legacy plain-text row.

    Raises :class:`SecretUnreadable` for a token no configured key opens."""
    if not is_token(stored):
        return stored
    try:
        return box(settings).decrypt(stored.encode()).decode()
    except (InvalidToken, UnicodeDecodeError):
        raise SecretUnreadable("the stored secret cannot be decrypted with the key") from None


def warn_if_derived(settings: Settings) -> None:
    """At start: say so when secrets are encrypted with a key derived from the admin key."""
    if settings.secret_key is None:
        log.warning(
            "secrets.derived_key",
            detail="webhook secrets are encrypted with a key derived from the admin key; "
            "set X12GW_SECRET_KEY (make one with `x12gw secret-key`)",
            admin_key_set=settings.admin_key is not None,
        )

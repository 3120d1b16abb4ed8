"""Encryption at rest for sensitive personal data (resident ID numbers).

Fernet keys come from FIELD_ENCRYPTION_KEYS (the first encrypts; all decrypt, for rotation). A
keyed digest (HMAC-SHA256 under FIELD_DIGEST_KEY) lets us find duplicates without decrypting.
Neither depends on SECRET_KEY, so rotating it changes nothing here; production refuses to start
without both (marketplace/settings.py).
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet() -> MultiFernet:
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: ID numbers cannot be stored.")
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def digest(value: str) -> str:
    key = settings.FIELD_DIGEST_KEY
    if not key:
        raise ImproperlyConfigured("FIELD_DIGEST_KEY is empty: ID numbers cannot be compared.")
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()

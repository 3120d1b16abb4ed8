"""Encryption at rest for sensitive personal data (resident ID numbers).

Fernet keys come from FIELD_ENCRYPTION_KEYS (the first encrypts; all decrypt, for rotation).
Development without keys derives one from SECRET_KEY; production refuses to start without keys.
A keyed digest lets us find duplicates without decrypting.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _fernet() -> MultiFernet:
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        derived = hashlib.sha256(f"field-encryption:{settings.SECRET_KEY}".encode()).digest()
        keys = [base64.urlsafe_b64encode(derived).decode()]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def digest(value: str) -> str:
    key = getattr(settings, "FIELD_DIGEST_KEY", "") or f"field-digest:{settings.SECRET_KEY}"
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()

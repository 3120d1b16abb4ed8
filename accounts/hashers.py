"""Password hashing: Argon2id with OWASP's recommended parameters.

Django's Argon2 defaults (100 MiB, two passes, eight lanes) cost as much as PBKDF2's million
rounds on a two-core server and gain nothing from lanes the machine does not have. OWASP's
Password Storage Cheat Sheet gives Argon2id with 19 MiB, two passes and one lane as the
baseline: memory-hard (what makes GPU guessing expensive), and a sign-in costs tens of
milliseconds instead of seconds. A change of parameters rewrites a hash at the next sign-in
(Django's must_update), so they can be raised later without a migration.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

"""Sign-in cost: PBKDF2 (Django's default, before) against Argon2id (now), side by side.

    .venv/bin/python bench/signin.py --rounds 15        # SQLite by default, or DATABASE_URL=...

Each round signs in once per variant, interleaved, so the machine's drift hits them alike:
- floor: the token endpoint refusing a malformed body (the same request path, no hashing);
- token/pbkdf2, token/argon2: POST /api/v1/auth/token/ with the right password;
- web/pbkdf2, web/argon2: the allauth sign-in form, a POST that signs in and redirects.
It prints the median and p95 per variant in milliseconds and each median's ratio to the floor.
Each variant runs with its own configuration's hashers first, so the PBKDF2 user keeps its
hash (Django rewrites a hash only when its hasher is not the first one).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
os.environ.setdefault("ACCOUNT_EMAIL_VERIFICATION", "optional")

PASSWORD = "bench-sign-in-passphrase-2026"  # noqa: S105 (a throwaway bench user)
ARGON2_FIRST = [
    "accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PBKDF2_FIRST = list(reversed(ARGON2_FIRST))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment

    from accounts.models import SignInFailure, User

    setup_test_environment()
    call_command("migrate", verbosity=0)

    users = {}
    for name, hashers in (("pbkdf2", PBKDF2_FIRST), ("argon2", ARGON2_FIRST)):
        with override_settings(PASSWORD_HASHERS=hashers):
            email = f"bench-signin-{name}@example.com"
            User.objects.filter(email=email).delete()
            user = User.objects.create_user(email=email, password=PASSWORD)
            from allauth.account.models import EmailAddress

            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            users[name] = user
    print(
        "hashes:",
        ", ".join(f"{name}={user.password.split('$')[0]}" for name, user in users.items()),
    )

    def token(name: str) -> Callable[[], int]:
        def run() -> int:
            body = {"email": users[name].email, "password": PASSWORD}
            return Client().post("/api/v1/auth/token/", body, "application/json").status_code

        return run

    def web(name: str) -> Callable[[], int]:
        def run() -> int:
            body = {"login": users[name].email, "password": PASSWORD}
            return Client().post("/accounts/login/", body).status_code

        return run

    def floor() -> int:
        return Client().post("/api/v1/auth/token/", {"email": "x"}, "application/json").status_code

    # Each variant runs under the hashers of its configuration: "before" is PBKDF2 first (so
    # also the hash Django computes for timing-safety when a backend finds no user), "after"
    # Argon2id first.
    variants: dict[str, tuple[Callable[[], int], int, list[str]]] = {
        "floor (no hashing)": (floor, 400, ARGON2_FIRST),
        "token/pbkdf2": (token("pbkdf2"), 200, PBKDF2_FIRST),
        "token/argon2": (token("argon2"), 200, ARGON2_FIRST),
        "web/pbkdf2": (web("pbkdf2"), 302, PBKDF2_FIRST),
        "web/argon2": (web("argon2"), 302, ARGON2_FIRST),
    }
    timings: dict[str, list[float]] = {name: [] for name in variants}
    for name, (run, expected, hashers) in variants.items():  # warm up, check the answers
        with override_settings(PASSWORD_HASHERS=hashers):
            status = run()
        assert status == expected, (name, status)
    for _round in range(args.rounds):
        for name, (run, _expected, hashers) in variants.items():
            with override_settings(PASSWORD_HASHERS=hashers):
                start = time.perf_counter()
                run()
                timings[name].append((time.perf_counter() - start) * 1000)
    for name, user in users.items():  # neither hash was rewritten by the runs
        user.refresh_from_db()
        assert user.password.startswith("argon2" if name == "argon2" else "pbkdf2"), name
    SignInFailure.objects.all().delete()
    for user in users.values():
        user.delete()

    base = statistics.median(timings["floor (no hashing)"])
    print(f"{'variant':<20} {'median ms':>10} {'p95 ms':>10} {'× floor':>9}")
    for name, values in timings.items():
        values.sort()
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        median = statistics.median(values)
        print(f"{name:<20} {median:>10.1f} {p95:>10.1f} {median / base:>9.1f}")
    pbkdf2 = statistics.median(timings["token/pbkdf2"])
    argon2 = statistics.median(timings["token/argon2"])
    print(f"token sign-in, argon2 / pbkdf2 median: {argon2 / pbkdf2:.2f}")


if __name__ == "__main__":
    main()

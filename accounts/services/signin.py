"""The one sign-in limit, shared by every path that checks a password.

The web form (through accounts.adapters.AccountAdapter, which allauth calls), the API token
endpoint and any later path call `signin_attempt`, which refuses a locked account or address
before the password is checked, records a failure, and leaves successful sign-ins uncounted, so
they never use up the allowance meant for failures. The counters are rows in PostgreSQL
(SignInFailure), not cache keys: the limit holds while Redis is down.

Limits come from settings.SIGN_IN_LIMITS, e.g. "10/m/ip,5/5m/key": at most 10 failures a minute
from one client address, and 5 per account in five minutes.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from allauth.core.internal.httpkit import get_client_ip
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import SignInFailure
from marketplace.errors import DomainError

T = TypeVar("T")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*/\s*(ip|key)\s*$")


class TooManySignInAttempts(DomainError):
    """Too many failed sign-ins for this account or from this address; wait `retry_after` s."""

    status_code = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            _("Too many failed sign-in attempts. Try again in a few minutes."),
            code=self.code,
        )
        self.retry_after = max(1, retry_after)


@dataclass(frozen=True)
class Limit:
    failures: int
    seconds: int
    per: str  # "ip" or "key"


def limits() -> list[Limit]:
    """settings.SIGN_IN_LIMITS parsed; a malformed entry fails loudly at the first sign-in."""
    out = []
    for rate in str(settings.SIGN_IN_LIMITS).split(","):
        if not rate.strip():
            continue
        match = _RATE.match(rate)
        if match is None:
            raise ValueError(f"SIGN_IN_LIMITS: cannot read {rate!r} (want e.g. 5/5m/key)")
        amount, multiple, unit, per = match.groups()
        out.append(Limit(int(amount), int(multiple or 1) * _UNITS[unit], per))
    return out


def account_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def client_address(request: HttpRequest) -> str | None:
    """The client's address as allauth reads it (ALLAUTH_TRUSTED_PROXY_COUNT applies)."""
    return get_client_ip(request)


def signin_check(*, request: HttpRequest, email: str) -> None:
    """Raise TooManySignInAttempts if the account or the address is locked right now."""
    now = timezone.now()
    key = account_key(email)
    address = client_address(request)
    wait = 0
    for limit in limits():
        since = now - timedelta(seconds=limit.seconds)
        if limit.per == "key":
            rows = SignInFailure.objects.filter(account_key=key, at__gt=since)
        elif address:
            rows = SignInFailure.objects.filter(address=address, at__gt=since)
        else:
            continue
        # Newest first: the limit-th newest failure is the one whose expiry unlocks.
        times = list(rows.order_by("-at").values_list("at", flat=True)[: limit.failures])
        if len(times) >= limit.failures:
            unlock = times[-1] + timedelta(seconds=limit.seconds)
            wait = max(wait, math.ceil((unlock - now).total_seconds()))
    if wait > 0:
        raise TooManySignInAttempts(retry_after=wait)


def signin_failed(*, request: HttpRequest, email: str) -> None:
    SignInFailure.objects.create(account_key=account_key(email), address=client_address(request))


def signin_failures_clear(*, email: str) -> None:
    """A password reset proves control of the address: its account's failures are forgiven
    (the per-address failures stay, so a reset cannot be used to keep guessing)."""
    SignInFailure.objects.filter(account_key=account_key(email)).delete()


def signin_attempt(
    *, request: HttpRequest, email: str, authenticate: Callable[[], T | None]
) -> T | None:
    """Check the limit, run `authenticate`, and count a failure; a success counts nothing."""
    signin_check(request=request, email=email)
    user = authenticate()
    if user is None:
        signin_failed(request=request, email=email)
    return user


def signin_failures_sweep(*, older_than: timedelta | None = None) -> int:
    """Delete failures older than every window (a beat task); returns how many went."""
    longest = max((limit.seconds for limit in limits()), default=0)
    cutoff = timezone.now() - (older_than or timedelta(seconds=max(longest, 3600)))
    deleted, _detail = SignInFailure.objects.filter(at__lt=cutoff).delete()
    return deleted


def credentials_email(credentials: dict[str, Any]) -> str:
    return str(credentials.get("email") or credentials.get("username") or "")

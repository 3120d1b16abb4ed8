"""Favourite providers: a private star a user puts on a provider profile.

Adding is idempotent (the unique constraint decides between two racing requests) and removing
what is not there is a no-op, so a double click or a retried request ends the same. A star is
nobody else's business and changes nothing others see, so it writes no audit row.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from accounts.models import ProviderFavourite, ProviderProfile
from marketplace.permissions import require_active_user


def provider_favourite_add(*, user: Any, profile: ProviderProfile) -> ProviderFavourite:
    require_active_user(user)
    try:
        with transaction.atomic():
            favourite, _created = ProviderFavourite.objects.get_or_create(
                user=user, profile=profile
            )
    except IntegrityError:
        favourite = ProviderFavourite.objects.get(user=user, profile=profile)
    return favourite


def provider_favourite_remove(*, user: Any, profile: ProviderProfile) -> None:
    require_active_user(user)
    ProviderFavourite.objects.filter(user=user, profile=profile).delete()

"""Change events of accounts: what changed in what search shows of providers and organizations.

Sent after commit through the kernel (marketplace.events); search re-indexes what they name.
"""

from __future__ import annotations

from collections.abc import Iterable

from accounts.models import Organization, ProviderProfile, User
from marketplace.events import emit_changed


def provider_changed(profile: ProviderProfile, *, fields: Iterable[str]) -> None:
    emit_changed("provider", [profile.pk], fields=fields)


def user_changed(user: User, *, fields: Iterable[str]) -> None:
    """A change to the person (verification, suspension) changes their own provider profile."""
    ids = ProviderProfile.objects.filter(user_id=user.pk).values_list("pk", flat=True)
    emit_changed("provider", ids, fields=fields)


def organization_changed(organization: Organization, *, fields: Iterable[str]) -> None:
    """The organization as a poster, and the micro-firm's provider profile if it has one."""
    emit_changed("organization", [organization.pk], fields=fields)
    ids = ProviderProfile.objects.filter(organization_id=organization.pk).values_list(
        "pk", flat=True
    )
    emit_changed("provider", ids, fields=fields)

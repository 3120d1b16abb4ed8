"""Provider payout accounts: Stripe Connect Express onboarding, or its sandbox stand-in.

A provider opens a payout account (one per provider profile) and is sent to the account link
to finish it; Stripe reports the account's state in account.updated (the sandbox form reports
it at once). Releases are transferred only to accounts whose transfers capability is active;
when an account becomes active, what the provider is owed is paid (payouts_pending_execute).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ProviderProfile
from accounts.selectors import provider_profile_members, user_can_act_for_provider
from marketplace.errors import FieldErrors, InvalidTransition, NotFound
from marketplace.notifications import schedule
from marketplace.permissions import require_active_user
from payments.gateway import gateway
from payments.models import ConnectedAccount

# What an account still needs before Stripe enables it, until account.updated says more.
SANDBOX_REQUIREMENTS = ["external_account", "individual.verification.document"]
HOLDER_NAME_MAX = 100


def payout_provider_get_for_user(*, user: Any, provider_id: int) -> ProviderProfile:
    """A provider profile the user operates (their own, or a micro-firm they run); NotFound
    otherwise, so another provider's payout account is never shown or changed."""
    profile = ProviderProfile.objects.filter(pk=provider_id).first()
    if profile is None or not user_can_act_for_provider(user=user, profile=profile):
        raise NotFound(_("This provider profile does not exist or is not yours."))
    return profile


def _provider_email(provider: ProviderProfile) -> str:
    members = provider_profile_members(profile=provider)
    return str(members[0].email) if members else ""


def payout_account_open(*, actor: Any, provider: ProviderProfile) -> ConnectedAccount:
    """The provider's payout account, opened at the gateway on first use (one per provider:
    the Stripe key `provider:{id}:account` and the unique provider column keep it one)."""
    require_active_user(actor)
    if not user_can_act_for_provider(user=actor, profile=provider):
        raise NotFound(_("This provider profile does not exist or is not yours."))
    found = ConnectedAccount.objects.filter(provider=provider).first()
    if found is not None:
        return found
    gw = gateway()
    external_id = gw.account_create(
        provider=provider, email=_provider_email(provider), key=f"provider:{provider.pk}:account"
    )
    try:
        with transaction.atomic():
            return ConnectedAccount.objects.create(
                provider=provider,
                external_id=external_id,
                requirements_due=SANDBOX_REQUIREMENTS if gw.name == "sandbox" else [],
            )
    except IntegrityError:
        # A second request opened it a moment ago (with the same idempotency key at Stripe).
        return ConnectedAccount.objects.get(provider=provider)


def payout_account_link(
    *, actor: Any, provider: ProviderProfile, refresh_url: str, return_url: str
) -> str:
    """Where to send the provider to set up (or continue setting up) payouts."""
    account = payout_account_open(actor=actor, provider=provider)
    if account.transfers_active and not account.requirements_due:
        raise InvalidTransition(
            _("Your payout account is already active; nothing is missing."), code="already_active"
        )
    return gateway().account_link(account=account, refresh_url=refresh_url, return_url=return_url)


def payout_account_sandbox_activate(
    *, actor: Any, provider: ProviderProfile, holder_name: str
) -> ConnectedAccount:
    """The sandbox's stand-in for Stripe's onboarding form: the account becomes active at once.
    Sandbox, no real money: no bank details are asked for or stored."""
    if gateway().name != "sandbox":
        raise InvalidTransition(
            _("Payouts are set up with Stripe here, not with the sandbox form."),
            code="not_sandbox",
        )
    holder_name = (holder_name or "").strip()
    errors = FieldErrors()
    if not holder_name:
        errors.add("holder_name", _("Enter the account holder's name."))
    elif len(holder_name) > HOLDER_NAME_MAX:
        errors.add(
            "holder_name",
            _("The account holder's name can be at most %(max)d characters.")
            % {"max": HOLDER_NAME_MAX},
        )
    errors.raise_if_any()
    account = payout_account_open(actor=actor, provider=provider)
    with transaction.atomic():
        account = ConnectedAccount.objects.select_for_update().get(pk=account.pk)
        account_state_apply(
            account=account,
            state={
                "capabilities": {"transfers": "active"},
                "payouts_enabled": True,
                "details_submitted": True,
                "requirements": {"currently_due": [], "disabled_reason": None},
            },
            created=int(timezone.now().timestamp()),
        )
    return account


def account_state_apply(*, account: ConnectedAccount, state: dict[str, Any], created: int) -> bool:
    """Apply the account's state from Stripe's account object (account.updated) to the locked
    row. An older event than the one the state came from changes nothing (returns False).
    Becoming active pays what the provider is owed and tells them; losing it tells them why."""
    if created < account.state_event_created:
        return False
    was_active = account.transfers_active
    old_reason = account.disabled_reason
    capabilities = state.get("capabilities") or {}
    requirements = state.get("requirements") or {}
    account.transfers_active = capabilities.get("transfers") == "active"
    account.payouts_enabled = bool(state.get("payouts_enabled"))
    account.details_submitted = bool(state.get("details_submitted"))
    account.requirements_due = [str(r) for r in (requirements.get("currently_due") or [])][:50]
    account.disabled_reason = str(requirements.get("disabled_reason") or "")[:100]
    account.state_event_created = created
    account.save(
        update_fields=[
            "transfers_active",
            "payouts_enabled",
            "details_submitted",
            "requirements_due",
            "disabled_reason",
            "state_event_created",
            "updated_at",
        ]
    )
    if account.transfers_active and not was_active:
        schedule("payout_account_active", account.pk, tag=str(created))
        provider_id = account.provider_id
        transaction.on_commit(lambda: _pay_owed(provider_id))
    elif (was_active and not account.transfers_active) or (
        account.disabled_reason and account.disabled_reason != old_reason
    ):
        schedule("payout_account_restricted", account.pk, tag=str(created))
    return True


def _pay_owed(provider_id: int) -> None:
    from payments.tasks import pay_pending_payouts

    pay_pending_payouts.delay(provider_id)

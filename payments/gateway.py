"""The payments gateway: one interface, two implementations (Saleor's pattern, STYLE 15).

`SandboxGateway` is the default without STRIPE_SECRET_KEY: it records in the database the
objects Stripe would create (payment intent, charge, transfer, refund, reversal), succeeds at
once and moves no real money. `StripeGateway` makes the same moves through payments.stripe_api
(separate charges and transfers, DESIGN §6). Both record a GatewayObject under the request's
deterministic idempotency key, so a step retried after a crash finds what it did before.
"""

from __future__ import annotations

import secrets
from typing import Any, Protocol

from django.conf import settings

from contracts.models import Contract, Milestone
from marketplace.money import Money
from payments import stripe_api
from payments.models import ConnectedAccount, GatewayObject

Kind = GatewayObject.Kind
Status = GatewayObject.Status


def transfer_group(contract: Contract) -> str:
    return f"contract-{contract.pk}"


class Gateway(Protocol):
    name: str

    def payment_create(
        self, *, contract: Contract, amount: Money, milestone_ids: list[int], key: str
    ) -> GatewayObject: ...

    def processor_fee(self, *, charge: GatewayObject) -> Money: ...

    def transfer_create(
        self,
        *,
        contract: Contract,
        milestone: Milestone,
        amount: Money,
        destination: str,
        source: GatewayObject | None,
        key: str,
    ) -> GatewayObject: ...

    def refund_create(
        self, *, payment: GatewayObject, milestone: Milestone, amount: Money, key: str
    ) -> GatewayObject: ...

    def transfer_reverse(
        self, *, transfer: GatewayObject, amount: Money, key: str
    ) -> GatewayObject: ...


def _existing(key: str) -> GatewayObject | None:
    return GatewayObject.objects.filter(idempotency_key=key).first()


def _record(gateway: str, kind: str, key: str, **fields: Any) -> GatewayObject:
    return GatewayObject.objects.create(gateway=gateway, kind=kind, idempotency_key=key, **fields)


class SandboxGateway:
    """Records what Stripe would do, succeeds at once. Sandbox, no real money."""

    name = "sandbox"

    def _id(self, prefix: str) -> str:
        return f"sbx_{prefix}_{secrets.token_hex(8)}"

    def payment_create(
        self, *, contract: Contract, amount: Money, milestone_ids: list[int], key: str
    ) -> GatewayObject:
        if found := _existing(key):
            return found
        payment = _record(
            self.name,
            Kind.PAYMENT_INTENT,
            key,
            external_id=self._id("pi"),
            contract=contract,
            milestone_ids=milestone_ids,
            amount=amount.amount,
            currency=amount.currency,
            status=Status.SUCCEEDED,
        )
        _record(
            self.name,
            Kind.CHARGE,
            f"{key}:charge",
            external_id=self._id("ch"),
            contract=contract,
            milestone_ids=milestone_ids,
            amount=amount.amount,
            currency=amount.currency,
            status=Status.SUCCEEDED,
        )
        return payment

    def processor_fee(self, *, charge: GatewayObject) -> Money:
        return Money.zero(charge.currency)

    def transfer_create(
        self,
        *,
        contract: Contract,
        milestone: Milestone,
        amount: Money,
        destination: str,
        source: GatewayObject | None,
        key: str,
    ) -> GatewayObject:
        if found := _existing(key):
            return found
        return _record(
            self.name,
            Kind.TRANSFER,
            key,
            external_id=self._id("tr"),
            contract=contract,
            milestone=milestone,
            amount=amount.amount,
            currency=amount.currency,
            status=Status.SUCCEEDED,
        )

    def refund_create(
        self, *, payment: GatewayObject, milestone: Milestone, amount: Money, key: str
    ) -> GatewayObject:
        if found := _existing(key):
            return found
        return _record(
            self.name,
            Kind.REFUND,
            key,
            external_id=self._id("re"),
            contract_id=payment.contract_id,
            milestone=milestone,
            amount=amount.amount,
            currency=amount.currency,
            status=Status.SUCCEEDED,
        )

    def transfer_reverse(
        self, *, transfer: GatewayObject, amount: Money, key: str
    ) -> GatewayObject:
        if found := _existing(key):
            return found
        return _record(
            self.name,
            Kind.TRANSFER_REVERSAL,
            key,
            external_id=self._id("trr"),
            contract_id=transfer.contract_id,
            milestone_id=transfer.milestone_id,
            amount=amount.amount,
            currency=amount.currency,
            status=Status.SUCCEEDED,
        )


class StripeGateway:
    """Stripe Connect, separate charges and transfers. Every POST carries the step's key."""

    name = "stripe"

    def payment_create(
        self, *, contract: Contract, amount: Money, milestone_ids: list[int], key: str
    ) -> GatewayObject:
        found = _existing(key)
        if found and found.external_id:
            return found
        intent = stripe_api.payment_intent_create(
            amount=amount.amount,
            currency=amount.currency,
            transfer_group=transfer_group(contract),
            metadata={"contract": str(contract.pk), "key": key},
            key=key,
        )
        # Pending until Stripe's payment_intent.succeeded webhook says the money arrived.
        return found or _record(
            self.name,
            Kind.PAYMENT_INTENT,
            key,
            external_id=intent.id,
            client_secret=intent.client_secret or "",
            contract=contract,
            milestone_ids=milestone_ids,
            amount=amount.amount,
            currency=amount.currency,
        )

    def processor_fee(self, *, charge: GatewayObject) -> Money:
        return Money(stripe_api.charge_processor_fee(charge_id=charge.external_id), charge.currency)

    def transfer_create(
        self,
        *,
        contract: Contract,
        milestone: Milestone,
        amount: Money,
        destination: str,
        source: GatewayObject | None,
        key: str,
    ) -> GatewayObject:
        if found := _existing(key):
            return found
        transfer = stripe_api.transfer_create(
            amount=amount.amount,
            currency=amount.currency,
            destination=destination,
            transfer_group=transfer_group(contract),
            source_transaction=source.external_id if source else None,
            metadata={"contract": str(contract.pk), "milestone": str(milestone.position)},
            key=key,
        )
        return _record(
            self.name,
            Kind.TRANSFER,
            key,
            external_id=transfer.id,
            contract=contract,
            milestone=milestone,
            amount=amount.amount,
            currency=amount.currency,
            status=Status.SUCCEEDED,
        )

    def refund_create(
        self, *, payment: GatewayObject, milestone: Milestone, amount: Money, key: str
    ) -> GatewayObject:
        if found := _existing(key):
            return found
        refund = stripe_api.refund_create(
            payment_intent=payment.external_id,
            amount=amount.amount,
            metadata={"contract": str(payment.contract_id), "milestone": str(milestone.position)},
            key=key,
        )
        return _record(
            self.name,
            Kind.REFUND,
            key,
            external_id=refund.id,
            contract_id=payment.contract_id,
            milestone=milestone,
            amount=amount.amount,
            currency=amount.currency,
            status=Status.SUCCEEDED,
        )

    def transfer_reverse(
        self, *, transfer: GatewayObject, amount: Money, key: str
    ) -> GatewayObject:
        if found := _existing(key):
            return found
        reversal = stripe_api.transfer_reversal_create(
            transfer_id=transfer.external_id,
            amount=amount.amount,
            metadata={"contract": str(transfer.contract_id)},
            key=key,
        )
        return _record(
            self.name,
            Kind.TRANSFER_REVERSAL,
            key,
            external_id=reversal.id,
            contract_id=transfer.contract_id,
            milestone_id=transfer.milestone_id,
            amount=amount.amount,
            currency=amount.currency,
            status=Status.SUCCEEDED,
        )


def gateway() -> Gateway:
    """The gateway the settings choose: Stripe when a secret key is set, else the sandbox."""
    if settings.PAYMENTS_GATEWAY == "stripe":
        return StripeGateway()
    return SandboxGateway()


def connected_account_for(*, provider: Any, gw: Gateway) -> str | None:
    """The Connect account releases go to; the sandbox makes one up on first use."""
    account = ConnectedAccount.objects.filter(provider=provider).first()
    if account is None and gw.name == "sandbox":
        account = ConnectedAccount.objects.create(
            provider=provider, external_id=f"sbx_acct_{provider.pk}", payouts_enabled=True
        )
    if account is None or not account.payouts_enabled:
        return None
    return account.external_id

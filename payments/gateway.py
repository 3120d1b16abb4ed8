"""The payments gateway: one interface, two implementations (Saleor's pattern, STYLE 15).

`SandboxGateway` is the default without STRIPE_SECRET_KEY: it records in the database the
objects Stripe would create (payment intent, charge, transfer, refund, reversal), succeeds at
once and moves no real money. `StripeGateway` makes the same moves through payments.stripe_api
(separate charges and transfers, DESIGN §6). Both record a GatewayObject under the request's
deterministic idempotency key, so a step retried after a crash finds what it did before.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings

from contracts.models import Contract, Milestone
from marketplace.money import Money
from payments import stripe_api
from payments.models import ConnectedAccount, GatewayObject, PoolMove

Kind = GatewayObject.Kind
Status = GatewayObject.Status
Cancellation = GatewayObject.Cancellation


def transfer_group(contract: Contract) -> str:
    return f"contract-{contract.pk}"


def pool_transfer_group(task_id: int) -> str:
    """A task pool's payments (a contest's prize, piece-work units) are grouped by task."""
    return f"task-{task_id}"


def _source_group(contract: Contract, source: GatewayObject | None) -> str:
    """A transfer's group is its source charge's: a task pool's charge (a prize or a unit paid
    from the pool) groups it with the pool's payment by task, else it is the contract's."""
    if source is not None and source.contract_id is None and source.task_id is not None:
        return pool_transfer_group(source.task_id)
    return transfer_group(contract)


@dataclass(frozen=True)
class RemoteObject:
    """One money object as the processor reports it (for reconciliation)."""

    kind: str  # a GatewayObject.Kind
    external_id: str
    amount: int
    status: str  # a GatewayObject.Status


def _pending_transfer(key: str) -> GatewayObject | None:
    """A payout recorded as owed but not yet made (the provider's payouts were not active, or
    Stripe could not be reached): the transfer is made under this row's key."""
    return GatewayObject.objects.filter(
        idempotency_key=key, kind=Kind.TRANSFER, status=Status.PENDING
    ).first()


class Gateway(Protocol):
    name: str

    def payment_create(
        self, *, contract: Contract, amount: Money, milestone_ids: list[int], key: str
    ) -> GatewayObject: ...

    def pool_payment_create(self, *, task_id: int, amount: Money, key: str) -> GatewayObject:
        """The poster's payment into a task's pool (no contract yet)."""
        ...

    def pool_refund_create(
        self, *, payment: GatewayObject, amount: Money, key: str
    ) -> GatewayObject:
        """A (partial) refund of a pool payment: what returns from the pool to the poster."""
        ...

    def processor_fee(self, *, charge: GatewayObject) -> Money: ...

    def payment_cancel(self, *, payment: GatewayObject, reason: str) -> str:
        """Cancel a payment that did not (or must not) go through, if the processor still
        can; the GatewayObject.Cancellation it ended in."""
        ...

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

    def account_create(self, *, provider: Any, email: str, key: str) -> str: ...

    def account_link(self, *, account: ConnectedAccount, refresh_url: str, return_url: str) -> str:
        """Where the provider goes to finish (or continue) setting up payouts."""
        ...

    def objects_list(self, *, contract: Contract) -> list[RemoteObject]:
        """The processor's payments, transfers, refunds and reversals of a transfer group."""
        ...


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

    def pool_payment_create(self, *, task_id: int, amount: Money, key: str) -> GatewayObject:
        if found := _existing(key):
            return found
        payment = _record(
            self.name,
            Kind.PAYMENT_INTENT,
            key,
            external_id=self._id("pi"),
            task_id=task_id,
            amount=amount.amount,
            currency=amount.currency,
            status=Status.SUCCEEDED,
        )
        _record(
            self.name,
            Kind.CHARGE,
            f"{key}:charge",
            external_id=self._id("ch"),
            task_id=task_id,
            amount=amount.amount,
            currency=amount.currency,
            status=Status.SUCCEEDED,
        )
        return payment

    def pool_refund_create(
        self, *, payment: GatewayObject, amount: Money, key: str
    ) -> GatewayObject:
        if found := _existing(key):
            return found
        return _record(
            self.name,
            Kind.REFUND,
            key,
            external_id=self._id("re"),
            task_id=payment.task_id,
            amount=amount.amount,
            currency=amount.currency,
            status=Status.SUCCEEDED,
        )

    def processor_fee(self, *, charge: GatewayObject) -> Money:
        return Money.zero(charge.currency)

    def payment_cancel(self, *, payment: GatewayObject, reason: str) -> str:
        """The sandbox's payments succeed at once; one that did not has nothing to cancel."""
        if payment.status == Status.SUCCEEDED:
            return Cancellation.NOT_CANCELLABLE
        return Cancellation.CANCELED

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
        if pending := _pending_transfer(key):
            pending.external_id = self._id("tr")
            pending.status = Status.SUCCEEDED
            pending.save(update_fields=["external_id", "status"])
            return pending
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
            contract_id=milestone.contract_id,
            task_id=payment.task_id,
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

    def account_create(self, *, provider: Any, email: str, key: str) -> str:
        return f"sbx_acct_{provider.pk}"

    def account_link(self, *, account: ConnectedAccount, refresh_url: str, return_url: str) -> str:
        from marketplace.notifications import link

        return link("frontend:payouts_sandbox", account.provider_id)

    def objects_list(self, *, contract: Contract) -> list[RemoteObject]:
        """The sandbox is its own processor: what it recorded is what it reports."""
        return [
            RemoteObject(o.kind, o.external_id, o.amount, o.status)
            for o in GatewayObject.objects.filter(contract=contract, gateway=self.name)
            .exclude(kind=Kind.CHARGE)
            .exclude(external_id="")
        ]


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

    def pool_payment_create(self, *, task_id: int, amount: Money, key: str) -> GatewayObject:
        found = _existing(key)
        if found and found.external_id:
            return found
        intent = stripe_api.payment_intent_create(
            amount=amount.amount,
            currency=amount.currency,
            transfer_group=pool_transfer_group(task_id),
            metadata={"task": str(task_id), "key": key},
            key=key,
        )
        # Pending until Stripe's payment_intent.succeeded webhook says the money arrived.
        return found or _record(
            self.name,
            Kind.PAYMENT_INTENT,
            key,
            external_id=intent.id,
            client_secret=intent.client_secret or "",
            task_id=task_id,
            amount=amount.amount,
            currency=amount.currency,
        )

    def pool_refund_create(
        self, *, payment: GatewayObject, amount: Money, key: str
    ) -> GatewayObject:
        if found := _existing(key):
            return found
        refund = stripe_api.refund_create(
            payment_intent=payment.external_id,
            amount=amount.amount,
            metadata={"task": str(payment.task_id)},
            key=key,
        )
        return _record(
            self.name,
            Kind.REFUND,
            key,
            external_id=refund.id,
            task_id=payment.task_id,
            amount=amount.amount,
            currency=amount.currency,
            status=Status.SUCCEEDED,
        )

    def processor_fee(self, *, charge: GatewayObject) -> Money:
        return Money(stripe_api.charge_processor_fee(charge_id=charge.external_id), charge.currency)

    def payment_cancel(self, *, payment: GatewayObject, reason: str) -> str:
        """Re-read the intent (a webhook may be late) and cancel it while Stripe still can,
        with the payment's own cancel key, so a retried cancel is the same request."""
        if not payment.external_id:
            return Cancellation.NOT_CANCELLABLE
        intent = stripe_api.payment_intent_retrieve(payment_intent=payment.external_id)
        if str(intent.status) == "canceled":
            return Cancellation.CANCELED
        if str(intent.status) not in stripe_api.CANCELLABLE_INTENT_STATES:
            return Cancellation.NOT_CANCELLABLE
        try:
            stripe_api.payment_intent_cancel(
                payment_intent=payment.external_id,
                reason=reason,
                key=f"{payment.idempotency_key}:cancel",
            )
        except stripe_api.IntentStateRefused:
            # It moved on between the read and the cancel (it succeeded or is processing, or
            # someone cancelled it): read it again to say which, rather than retry forever.
            intent = stripe_api.payment_intent_retrieve(payment_intent=payment.external_id)
            if str(intent.status) == "canceled":
                return Cancellation.CANCELED
            return Cancellation.NOT_CANCELLABLE
        return Cancellation.CANCELED

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
        pending = _pending_transfer(key)
        found = _existing(key)
        if found and not pending:
            return found
        transfer = stripe_api.transfer_create(
            amount=amount.amount,
            currency=amount.currency,
            destination=destination,
            transfer_group=_source_group(contract, source),
            source_transaction=source.external_id if source else None,
            metadata={"contract": str(contract.pk), "milestone": str(milestone.position)},
            key=key,
        )
        if pending:
            pending.external_id = transfer.id
            pending.status = Status.SUCCEEDED
            pending.save(update_fields=["external_id", "status"])
            return pending
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
            metadata={"contract": str(milestone.contract_id), "milestone": str(milestone.position)},
            key=key,
        )
        return _record(
            self.name,
            Kind.REFUND,
            key,
            external_id=refund.id,
            contract_id=milestone.contract_id,
            task_id=payment.task_id,
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

    def account_create(self, *, provider: Any, email: str, key: str) -> str:
        account = stripe_api.connect_account_create(
            email=email, country=settings.STRIPE_CONNECT_COUNTRY, key=key
        )
        return str(account.id)

    def account_link(self, *, account: ConnectedAccount, refresh_url: str, return_url: str) -> str:
        link = stripe_api.account_link_create(
            account=account.external_id, refresh_url=refresh_url, return_url=return_url
        )
        return str(link.url)

    def objects_list(self, *, contract: Contract) -> list[RemoteObject]:
        """Stripe's objects of the contract: payment intents found by the contract in their
        metadata, transfers by transfer group, and the refunds and reversals of each."""
        found: list[RemoteObject] = []
        intents = stripe_api.payment_intents_of_contract(contract_id=contract.pk)
        for intent in intents:
            found.append(
                RemoteObject(
                    Kind.PAYMENT_INTENT, intent.id, int(intent.amount), _intent_status(intent)
                )
            )
            for refund in stripe_api.refunds_of_payment_intent(payment_intent=intent.id):
                found.append(
                    RemoteObject(Kind.REFUND, refund.id, int(refund.amount), _status(refund))
                )
        transfers = stripe_api.transfers_of_group(transfer_group=transfer_group(contract))
        pool_task = _pool_task_of(contract)
        if pool_task is not None:
            # A prize or unit contract a task pool funded: its transfers are in the pool's
            # group and its refunds are of the pool's payments, each naming the contract.
            for payment in GatewayObject.objects.filter(
                task_id=pool_task, contract__isnull=True, kind=Kind.PAYMENT_INTENT
            ).exclude(external_id=""):
                for refund in stripe_api.refunds_of_payment_intent(
                    payment_intent=payment.external_id
                ):
                    if _names(refund, contract):
                        found.append(
                            RemoteObject(
                                Kind.REFUND, refund.id, int(refund.amount), _status(refund)
                            )
                        )
            transfers += [
                t
                for t in stripe_api.transfers_of_group(
                    transfer_group=pool_transfer_group(pool_task)
                )
                if _names(t, contract)
            ]
        for transfer in transfers:
            found.append(
                RemoteObject(Kind.TRANSFER, transfer.id, int(transfer.amount), Status.SUCCEEDED)
            )
            for reversal in stripe_api.reversals_of_transfer(transfer=transfer):
                found.append(
                    RemoteObject(
                        Kind.TRANSFER_REVERSAL, reversal.id, int(reversal.amount), Status.SUCCEEDED
                    )
                )
        return found


def _pool_task_of(contract: Contract) -> int | None:
    """The task whose pool funded this contract, if one did."""
    funded = PoolMove.objects.filter(kind=PoolMove.Kind.ALLOCATE, contract=contract).exists()
    return contract.task_id if funded else None


def _names(obj: Any, contract: Contract) -> bool:
    """Whether a Stripe object's metadata names the contract."""
    metadata: Any = getattr(obj, "metadata", None)
    if not metadata:
        return False
    try:
        return str(metadata["contract"]) == str(contract.pk)
    except KeyError:
        return False


def _intent_status(intent: Any) -> str:
    if intent.status == "succeeded":
        return Status.SUCCEEDED
    if intent.status == "canceled":
        return Status.FAILED
    return Status.PENDING


def _status(obj: Any) -> str:
    return {"succeeded": Status.SUCCEEDED, "failed": Status.FAILED, "canceled": Status.FAILED}.get(
        str(obj.status), Status.PENDING
    )


def gateway() -> Gateway:
    """The gateway the settings choose: Stripe when a secret key is set, else the sandbox."""
    if settings.PAYMENTS_GATEWAY == "stripe":
        return StripeGateway()
    return SandboxGateway()


def connected_account_for(*, provider: Any) -> str | None:
    """The Connect account releases go to, once its transfers capability is active (on both
    gateways: the sandbox's account is activated on the sandbox payouts form)."""
    account = ConnectedAccount.objects.filter(provider=provider).first()
    if account is None or not account.transfers_active:
        return None
    return account.external_id

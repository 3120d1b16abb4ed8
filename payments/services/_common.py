"""What the money flows share: the lock order, the ledger accounts of a contract, the keys."""

from __future__ import annotations

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from contracts.models import Contract, Milestone
from marketplace.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from marketplace.money import Money
from payments.gateway import Gateway
from payments.ledger import PLATFORM, Line, ledger_account
from payments.models import Escrow, GatewayObject, LedgerAccount, PoolMove

K = LedgerAccount.Kind


def lock(*, contract_id: int) -> tuple[Contract, list[Milestone], Escrow]:
    """The one lock order (STYLE 19): the contract, then its milestones, then payments' row.

    The contract's own services take the same locks again inside our transaction, which
    PostgreSQL grants at once to the transaction that holds them."""
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("provider", "organization")
        .filter(pk=contract_id)
        .first()
    )
    if contract is None:
        raise NotFound(_("This contract does not exist or is not visible to you."))
    milestones = list(contract.milestones.select_for_update().order_by("position"))
    for milestone in milestones:
        milestone.contract = contract
    Escrow.objects.get_or_create(contract=contract)
    escrow = Escrow.objects.select_for_update().get(contract=contract)
    return contract, milestones, escrow


def locked_milestone(milestone_id: int) -> tuple[Contract, Milestone, Escrow]:
    """A milestone under the one lock order (its contract's, its siblings', the escrow's)."""
    contract_id = (
        Milestone.objects.filter(pk=milestone_id).values_list("contract_id", flat=True).first()
    )
    if contract_id is None:
        raise ValidationFailed(_("This milestone does not exist."), code="not_found")
    contract, milestones, escrow = lock(contract_id=contract_id)
    milestone = next(m for m in milestones if m.pk == milestone_id)
    return contract, milestone, escrow


def escrow_account(contract: Contract) -> LedgerAccount:
    return ledger_account(
        kind=K.CONTRACT_ESCROW, owner=f"contract:{contract.pk}", currency=contract.currency
    )


def poster_account(contract: Contract) -> LedgerAccount:
    return ledger_account(
        kind=K.POSTER_FUNDING,
        owner=f"organization:{contract.organization_id}",
        currency=contract.currency,
    )


def provider_account(contract: Contract, kind: str) -> LedgerAccount:
    return ledger_account(
        kind=kind, owner=f"provider:{contract.provider_id}", currency=contract.currency
    )


def platform_account(contract: Contract, kind: str) -> LedgerAccount:
    return ledger_account(kind=kind, owner=PLATFORM, currency=contract.currency)


def lines(*pairs: tuple[LedgerAccount, Money]) -> list[Line]:
    """The non-zero lines of an entry (a zero fee is no posting)."""
    return [(account, money) for account, money in pairs if money.amount]


def milestone_key(milestone: Milestone, step: str) -> str:
    """The deterministic idempotency key of a step: contract:{id}:milestone:{n}:{step}."""
    return f"contract:{milestone.contract_id}:milestone:{milestone.position}:{step}"


def require_not_frozen(escrow: Escrow) -> None:
    if escrow.frozen_at is not None:
        raise Conflict(
            _("This escrow is frozen while a card dispute is open; no money can move."),
            code="escrow_frozen",
        )


def funding_charge(contract: Contract, milestone: Milestone) -> GatewayObject | None:
    """The succeeded charge (or, for Stripe before the webhook, nothing) that paid a milestone:
    the contract's own, or for a milestone funded from its task's pool, the pool payment's."""
    for charge in GatewayObject.objects.filter(
        contract=contract, kind=GatewayObject.Kind.CHARGE, status=GatewayObject.Status.SUCCEEDED
    ):
        if milestone.pk in charge.milestone_ids:
            return charge
    return pool_allocation_charge(contract_id=contract.pk, milestone_id=milestone.pk)


def _allocation(contract_id: int, milestone_id: int) -> PoolMove | None:
    """The pool allocation that funded a milestone, if a task pool funded it."""
    for move in PoolMove.objects.filter(
        kind=PoolMove.Kind.ALLOCATE, contract_id=contract_id
    ).select_related("payment"):
        if milestone_id in move.milestone_ids:
            return move
    return None


def pool_allocation_charge(*, contract_id: int, milestone_id: int) -> GatewayObject | None:
    """The pool payment's charge an allocated milestone's transfer is made from (Stripe's
    source_transaction; several allocations may share one charge up to its amount), or None
    when the milestone was not funded from a pool or no single pool payment covered it."""
    move = _allocation(contract_id, milestone_id)
    if move is None or move.payment is None:
        return None
    return GatewayObject.objects.filter(
        idempotency_key=f"{move.payment.idempotency_key}:charge",
        status=GatewayObject.Status.SUCCEEDED,
    ).first()


def pool_payments(task_id: int) -> QuerySet[GatewayObject]:
    """A task pool's succeeded payments, oldest first (a pool payment has no contract)."""
    return GatewayObject.objects.filter(
        task_id=task_id,
        contract__isnull=True,
        kind=GatewayObject.Kind.PAYMENT_INTENT,
        status=GatewayObject.Status.SUCCEEDED,
    ).order_by("id")


def pool_payment_capacity(payment: GatewayObject) -> int:
    """What of a pool payment is neither drawn by an allocation (whose transfer and refunds are
    made from it) nor refunded already by a refund spread over the pool's payments: the pool's
    return, or the refund of an allocation no single payment covered. Both carry keys ending
    :payment:{id}."""
    drawn = PoolMove.objects.filter(kind=PoolMove.Kind.ALLOCATE, payment=payment).aggregate(
        total=Sum("amount")
    )["total"]
    refunded = GatewayObject.objects.filter(
        kind=GatewayObject.Kind.REFUND,
        task_id=payment.task_id or 0,
        idempotency_key__endswith=f":payment:{payment.pk}",
    ).aggregate(total=Sum("amount"))["total"]
    return payment.amount - int(drawn or 0) - int(refunded or 0)


def refund_sources(
    contract: Contract, milestone: Milestone, amount: Money, key: str
) -> list[tuple[GatewayObject, Money, str]]:
    """The payments a refund of `amount` of a milestone goes back through, with each part and
    its key: the contract's own funding payment; for a milestone a task pool funded, the pool
    payment its allocation draws from (DESIGN §6: a partial refund of what the poster paid);
    when no single pool payment covered the allocation, the pool's payments oldest first, each
    no more than it can still give (keys …:payment:{id}). Raises InvalidTransition when no
    payment funded the milestone, before anything moves."""
    never = _("This milestone was never funded; there is nothing to refund.")
    own = funding_payment(contract, milestone)
    if own is not None:
        return [(own, amount, key)]
    move = _allocation(contract.pk, milestone.pk)
    if move is None:
        raise InvalidTransition(never)
    if move.payment is not None:
        return [(move.payment, amount, key)]
    parts: list[tuple[GatewayObject, Money, str]] = []
    left = amount.amount
    for payment in pool_payments(contract.task_id):
        part = min(left, pool_payment_capacity(payment))
        if part > 0:
            parts.append((payment, Money(part, amount.currency), f"{key}:payment:{payment.pk}"))
            left -= part
        if left == 0:
            return parts
    raise Conflict(
        _("The pool's payments cannot refund that much; finance staff must look."),
        code="refund_exceeds_payments",
    )


def refund_through(
    gw: Gateway, parts: list[tuple[GatewayObject, Money, str]], milestone: Milestone
) -> None:
    """Make the refunds refund_sources chose (each under its own key)."""
    for payment, part, key in parts:
        gw.refund_create(payment=payment, milestone=milestone, amount=part, key=key)


def funding_payment(contract: Contract, milestone: Milestone) -> GatewayObject | None:
    for payment in GatewayObject.objects.filter(
        contract=contract,
        kind=GatewayObject.Kind.PAYMENT_INTENT,
        status=GatewayObject.Status.SUCCEEDED,
    ):
        if milestone.pk in payment.milestone_ids:
            return payment
    return None

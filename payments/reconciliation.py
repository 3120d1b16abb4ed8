"""Reconciliation: a contract's ledger against our gateway records against the processor.

Three views of the same money must agree (DESIGN §6): the processor's objects of the
contract's transfer group (Stripe's, or the sandbox's own records), the GatewayObject rows
that say what we asked for, and the ledger entries those requests posted. Every difference is
stored once as an open ReconciliationMismatch (finance staff are told); a mismatch a later run
no longer finds is closed as resolved. Safe to run twice or concurrently: one open row per
(contract, code, subject), guarded by a unique constraint.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from contracts.models import Contract
from marketplace.notifications import schedule
from payments.gateway import gateway
from payments.models import GatewayObject, JournalEntry, LedgerAccount, Posting
from payments.models import ReconciliationMismatch as Mismatch
from payments.stripe_api import StripeFailed

logger = logging.getLogger(__name__)
Kind = GatewayObject.Kind
Status = GatewayObject.Status
Code = Mismatch.Code
K = LedgerAccount.Kind


@dataclass(frozen=True)
class Finding:
    code: str
    subject: str
    expected: int | None
    actual: int | None
    detail: str = ""


def _ledger_expectation(contract: Contract, obj: GatewayObject) -> tuple[str, str, str, int]:
    """The entry a succeeded gateway object posted: (reference, account kind, owner, amount)."""
    key = obj.idempotency_key
    if obj.kind == Kind.PAYMENT_INTENT:
        return f"{key}:received", K.CONTRACT_ESCROW, f"contract:{contract.pk}", obj.amount
    if obj.kind == Kind.TRANSFER:
        owner = f"provider:{contract.provider_id}"
        return f"{key}:transfer", K.PROVIDER_PAID_OUT, owner, obj.amount
    if obj.kind == Kind.TRANSFER_REVERSAL:
        owner = f"provider:{contract.provider_id}"
        return f"{key}:back", K.PROVIDER_PAID_OUT, owner, -obj.amount
    # A refund posts escrow → poster under the refund's own key.
    return key, K.POSTER_FUNDING, f"organization:{contract.organization_id}", obj.amount


def contract_findings(contract: Contract) -> list[Finding]:
    """Everything that does not agree for one contract (reads the processor once)."""
    findings: list[Finding] = []
    ours = list(GatewayObject.objects.filter(contract=contract).exclude(kind=Kind.CHARGE))
    remote = {r.external_id: r for r in gateway().objects_list(contract=contract)}
    for obj in ours:
        if not obj.external_id:
            continue  # a pending payout: nothing asked of the processor yet
        theirs = remote.pop(obj.external_id, None)
        if theirs is None:
            if obj.status == Status.SUCCEEDED:
                findings.append(
                    Finding(Code.MISSING_AT_PROCESSOR, obj.external_id, obj.amount, None, obj.kind)
                )
            continue
        if theirs.amount != obj.amount:
            findings.append(
                Finding(Code.AMOUNT_DIFFERS, obj.external_id, obj.amount, theirs.amount, obj.kind)
            )
        if (theirs.status == Status.SUCCEEDED) != (obj.status == Status.SUCCEEDED):
            findings.append(
                Finding(
                    Code.STATUS_DIFFERS,
                    obj.external_id,
                    None,
                    None,
                    f"{obj.kind}: here {obj.status}, at the processor {theirs.status}",
                )
            )
    for theirs in remote.values():
        findings.append(
            Finding(Code.UNKNOWN_AT_PROCESSOR, theirs.external_id, None, theirs.amount, theirs.kind)
        )
    for obj in ours:
        if obj.status != Status.SUCCEEDED:
            continue
        reference, kind, owner, amount = _ledger_expectation(contract, obj)
        if not JournalEntry.objects.filter(reference=reference).exists():
            findings.append(Finding(Code.LEDGER_MISSING, reference, amount, None, obj.kind))
            continue
        posted = Posting.objects.filter(
            entry__reference=reference, account__kind=kind, account__owner=owner
        ).aggregate(total=Sum("amount"))["total"]
        if int(posted or 0) != amount:
            findings.append(
                Finding(Code.LEDGER_DIFFERS, reference, amount, int(posted or 0), obj.kind)
            )
    # Funding the ledger recorded with no succeeded payment behind it.
    paid_keys = {
        f"{o.idempotency_key}:received"
        for o in ours
        if o.kind == Kind.PAYMENT_INTENT and o.status == Status.SUCCEEDED
    }
    for reference in JournalEntry.objects.filter(
        reference__startswith=f"contract:{contract.pk}:fund:", reference__endswith=":received"
    ).values_list("reference", flat=True):
        if reference not in paid_keys:
            findings.append(
                Finding(Code.MISSING_AT_PROCESSOR, reference, None, None, "escrow funded")
            )
    return findings


def contract_reconcile(*, contract_id: int) -> list[Mismatch]:
    """Store what differs for one contract now; close what no longer does. Returns the open
    mismatches of the contract."""
    contract = Contract.objects.get(pk=contract_id)
    findings = contract_findings(contract)
    seen: set[tuple[str, str]] = set()
    with transaction.atomic():
        for finding in findings:
            seen.add((finding.code, finding.subject))
            current = Mismatch.objects.filter(
                contract=contract,
                code=finding.code,
                subject=finding.subject[:200],
                status=Mismatch.Status.OPEN,
            ).first()
            if current is not None:
                current.expected, current.actual = finding.expected, finding.actual
                current.save(update_fields=["expected", "actual", "last_seen_at"])
                continue
            try:
                with transaction.atomic():
                    created = Mismatch.objects.create(
                        contract=contract,
                        code=finding.code,
                        subject=finding.subject[:200],
                        expected=finding.expected,
                        actual=finding.actual,
                        detail=finding.detail[:300],
                    )
            except IntegrityError:
                continue  # a concurrent run stored it a moment ago
            schedule("reconciliation_mismatch", created.pk)
        for stale in Mismatch.objects.filter(contract=contract, status=Mismatch.Status.OPEN):
            if (stale.code, stale.subject) not in seen:
                stale.status = Mismatch.Status.RESOLVED
                stale.resolved_at = timezone.now()
                stale.resolution = "no longer found by reconciliation"
                stale.save(update_fields=["status", "resolved_at", "resolution", "last_seen_at"])
    return list(Mismatch.objects.filter(contract=contract, status=Mismatch.Status.OPEN))


def mismatch_resolve(*, mismatch: Mismatch, actor: object, note: str) -> Mismatch:
    """Finance staff close a mismatch they dealt with, saying how."""
    with transaction.atomic():
        mismatch = Mismatch.objects.select_for_update().get(pk=mismatch.pk)
        if mismatch.status == Mismatch.Status.OPEN:
            mismatch.status = Mismatch.Status.RESOLVED
            mismatch.resolved_at = timezone.now()
            who = getattr(actor, "email", "")
            mismatch.resolution = f"{note} ({who})"[:300]
            mismatch.save(update_fields=["status", "resolved_at", "resolution", "last_seen_at"])
    return mismatch


def reconcile_all() -> dict[str, int]:
    """Every contract with gateway objects; a processor that fails for one contract is logged
    and the others go on (the next run tries again)."""
    counts = {"contracts": 0, "open": 0, "failed": 0}
    ids = GatewayObject.objects.values_list("contract_id", flat=True).distinct().order_by()
    for contract_id in sorted(set(ids)):
        try:
            counts["open"] += len(contract_reconcile(contract_id=contract_id))
            counts["contracts"] += 1
        except StripeFailed as exc:
            logger.warning("reconciliation of contract %s failed: %s", contract_id, exc)
            counts["failed"] += 1
    return counts

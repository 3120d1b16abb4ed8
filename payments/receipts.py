"""Receipts for every funding, payout and platform fee, and the e-invoice integration point.

`receipt_record` is called by the money flows right after the ledger entry a receipt documents,
in the same transaction, and writes the receipt once (unique on the entry and the kind). After
commit, `receipt_issue_einvoice` hands the receipt to the configured `EInvoiceIssuer`
(settings.RECEIPTS["EINVOICE_ISSUER"]); the default issuer issues nothing and records
"not issued".

Tax: amounts are tax-inclusive (价税合计). The tax is amount × rate ÷ (1 + rate), computed in
integer fen and rounded half up to the fen (四舍五入); the amount before tax is the rest, so
the two always add up to the amount exactly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from accounts.models import Organization, ProviderProfile
from accounts.selectors import MANAGER_ROLES, provider_profile_ids_operated_by
from contracts.models import Contract, Milestone
from marketplace.errors import NotFound
from marketplace.money import Money
from payments.models import JournalEntry
from payments.receipt_models import Receipt

Kind = Receipt.Kind
EStatus = Receipt.EInvoiceStatus

# The item name (项目名称) each kind prints on an e-invoice: *tax category*item, in Chinese as
# the tax system wants it whatever the page's language.
ITEM_NAMES = {
    Kind.FUNDING: "*现代服务*任务托管资金",
    Kind.PAYOUT: "*现代服务*任务报酬",
    Kind.PLATFORM_FEE: "*现代服务*平台服务费",
}
NUMBER_LETTERS = {Kind.FUNDING: "F", Kind.PAYOUT: "P", Kind.PLATFORM_FEE: "S"}


def tax_included(amount: int, rate_bps: int) -> int:
    """The tax inside a tax-inclusive amount of minor units: amount × r ÷ (1 + r), rounded
    half up to the minor unit (r in basis points; 600 is 6%)."""
    if amount < 0 or rate_bps < 0:
        raise ValueError("tax_included takes a non-negative amount and rate")
    quotient, remainder = divmod(amount * rate_bps, 10_000 + rate_bps)
    if remainder * 2 >= 10_000 + rate_bps:
        quotient += 1
    return quotient


def masked_name(name: str) -> str:
    """An individual's name as a receipt shows it: the first character, then one * for each
    other character (李明 → 李*, 欧阳娜娜 → 欧***)."""
    name = name.strip()
    if not name:
        return "*"
    return name[0] + "*" * max(1, len(name) - 1)


def _organization_buyer(organization: Organization) -> dict[str, Any]:
    return {
        "buyer_type": Receipt.BuyerType.ORGANIZATION,
        "buyer_name": organization.name,
        "buyer_taxpayer_id": organization.credit_code,
    }


def _provider_buyer(profile: ProviderProfile) -> dict[str, Any]:
    if profile.organization_id:
        return _organization_buyer(profile.organization)  # type: ignore[arg-type]
    user = profile.user
    assert user is not None  # a profile has a user or an organization (a constraint)
    return {
        "buyer_type": Receipt.BuyerType.INDIVIDUAL,
        "buyer_name": masked_name(user.verified_real_name or user.display_name),
        "buyer_taxpayer_id": "",
    }


def receipt_record(
    *,
    entry: JournalEntry,
    kind: str,
    contract: Contract,
    amount: Money,
    milestone: Milestone | None = None,
) -> Receipt:
    """The receipt documenting `entry`, written once: a second call for the same entry and kind
    returns the first receipt (the unique constraint holds it under concurrency). Call it in
    the transaction that posted the entry. Funding is addressed to the poster organization,
    payouts and fees to the provider."""
    found = Receipt.objects.filter(entry=entry, kind=kind).first()
    if found is not None:
        return found
    if kind == Kind.FUNDING:
        organization = Organization.objects.get(pk=contract.organization_id)
        recipient: dict[str, Any] = {"organization": organization}
        buyer = _organization_buyer(organization)
    else:
        profile = ProviderProfile.objects.select_related("user", "organization").get(
            pk=contract.provider_id
        )
        recipient = {"provider": profile}
        buyer = _provider_buyer(profile)
    rate = int(settings.RECEIPTS["TAX_RATE_BASIS_POINTS"])
    issue_date = timezone.localdate()
    with transaction.atomic():
        receipt, created = Receipt.objects.get_or_create(
            entry=entry,
            kind=kind,
            defaults={
                "number": f"ZB{issue_date:%Y%m%d}{NUMBER_LETTERS[Kind(kind)]}{entry.pk:08d}",
                "contract": contract,
                "milestone": milestone,
                **recipient,
                **buyer,
                "seller_name": settings.RECEIPTS["SELLER_NAME"],
                "seller_taxpayer_id": settings.RECEIPTS["SELLER_TAXPAYER_ID"],
                "item_name": ITEM_NAMES[Kind(kind)],
                "amount": amount.amount,
                "currency": amount.currency,
                "tax_rate_bps": rate,
                "tax_amount": tax_included(amount.amount, rate),
                "issue_date": issue_date,
            },
        )
    if created:
        from payments.tasks import issue_einvoice

        receipt_id: int = receipt.pk
        transaction.on_commit(lambda: issue_einvoice.delay(receipt_id))
    return receipt


# --- the e-invoice integration point -----------------------------------------------------------


@dataclass(frozen=True)
class EInvoiceResult:
    """What an issuer did with a receipt: a Receipt.EInvoiceStatus, the tax system's invoice
    number (发票号码) when issued, and a message for finance staff."""

    status: str
    number: str = ""
    message: str = ""


class EInvoiceIssuer(Protocol):
    """Issues the VAT e-invoice (增值税电子发票) for a receipt through a provider's API (a
    tax-control service such as 诺诺 or 百望云, or the 电子税务局 "数电票" interface).

    `issue` gets a receipt with every field the invoice needs and returns what happened. It
    may be called again for a receipt that is not yet issued (a retry after a failure), so it
    must treat `receipt.number` as its idempotency key (the order number such APIs accept):
    the same receipt never becomes two invoices."""

    name: str

    def issue(self, receipt: Receipt) -> EInvoiceResult: ...


class NotIssuedIssuer:
    """The default: no e-invoice provider is connected, so nothing is issued; the receipt says
    so, and finance staff issue the invoice by hand from its fields (or the CSV)."""

    name = "none"

    def issue(self, receipt: Receipt) -> EInvoiceResult:
        return EInvoiceResult(
            status=EStatus.NOT_ISSUED,
            message="No e-invoice issuer is configured (RECEIPTS['EINVOICE_ISSUER']).",
        )


def einvoice_issuer() -> EInvoiceIssuer:
    issuer: EInvoiceIssuer = import_string(settings.RECEIPTS["EINVOICE_ISSUER"])()
    return issuer


def receipt_issue_einvoice(*, receipt_id: int) -> Receipt:
    """Ask the configured issuer for the receipt's e-invoice and record the outcome. Safe to
    run twice or concurrently: under the receipt's row lock an issued receipt is returned as it
    is, and the issuer is keyed by the receipt number."""
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update().filter(pk=receipt_id).first()
        if receipt is None:
            raise NotFound(_("This receipt does not exist."))
        if receipt.einvoice_status == EStatus.ISSUED:
            return receipt
        issuer = einvoice_issuer()
        result = issuer.issue(receipt)
        receipt.einvoice_status = result.status
        receipt.einvoice_issuer = issuer.name
        receipt.einvoice_number = result.number[:40]
        receipt.einvoice_message = result.message[:300]
        receipt.einvoice_at = timezone.now()
        receipt.save(
            update_fields=[
                "einvoice_status",
                "einvoice_issuer",
                "einvoice_number",
                "einvoice_message",
                "einvoice_at",
            ]
        )
    return receipt


# --- reading receipts --------------------------------------------------------------------------


def _listed(queryset: QuerySet[Receipt]) -> QuerySet[Receipt]:
    return queryset.select_related("contract__task", "milestone").order_by("-issue_date", "-id")


def receipts_visible_to(*, user: Any) -> QuerySet[Receipt]:
    """Every receipt the user may see: their organizations' (as owner or admin) and those of
    the provider profiles they act for. The one visibility rule of receipts."""
    if not getattr(user, "is_authenticated", False):
        return Receipt.objects.none()
    return _listed(
        Receipt.objects.filter(
            Q(
                organization__memberships__user=user,
                organization__memberships__role__in=MANAGER_ROLES,
            )
            | Q(provider_id__in=provider_profile_ids_operated_by(user=user))
        ).distinct()
    )


def organization_receipts(*, organization: Organization) -> QuerySet[Receipt]:
    """The receipts addressed to an organization (the caller checks the viewer manages it)."""
    return _listed(Receipt.objects.filter(organization=organization))


def provider_receipts(*, profile_ids: list[int]) -> QuerySet[Receipt]:
    return _listed(Receipt.objects.filter(provider_id__in=profile_ids))


def receipt_get_for_user(*, user: Any, receipt_id: int) -> Receipt:
    receipt = receipts_visible_to(user=user).filter(pk=receipt_id).first()
    if receipt is None:
        raise NotFound(_("This receipt does not exist or is not visible to you."))
    return receipt


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (task titles are user input)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def receipts_csv(receipts: Iterable[Receipt]) -> str:
    """The receipts as CSV with a header row in the active language, amounts in major units
    (yuan, exact), and a byte-order mark so that spreadsheets read the Chinese right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Receipt number"),
            _("Issue date"),
            _("Kind"),
            _("Item"),
            _("Task"),
            _("Buyer type"),
            _("Buyer (invoice title)"),
            _("Buyer taxpayer ID"),
            _("Seller"),
            _("Seller taxpayer ID"),
            _("Currency"),
            _("Amount incl. tax"),
            _("Tax rate"),
            _("Tax"),
            _("Amount excl. tax"),
            _("E-invoice"),
            _("E-invoice number"),
        ]
    )
    for r in receipts:
        writer.writerow(
            [
                _cell(v)
                for v in (
                    r.number,
                    r.issue_date.isoformat(),
                    r.get_kind_display(),
                    r.item_name,
                    r.contract.task.title,
                    r.get_buyer_type_display(),
                    r.buyer_name,
                    r.buyer_taxpayer_id,
                    r.seller_name,
                    r.seller_taxpayer_id,
                    r.currency,
                    r.money.major_str(),
                    r.tax_rate_percent,
                    r.tax.major_str(),
                    r.net.major_str(),
                    r.get_einvoice_status_display(),
                    r.einvoice_number,
                )
            ]
        )
    return "\ufeff" + out.getvalue()

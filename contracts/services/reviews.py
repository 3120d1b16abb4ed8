"""Reviews after completion: each side rates the other once."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from contracts.events import credit_inputs_changed
from contracts.models import Contract, Review
from contracts.selectors import contract_capabilities
from contracts.services._locks import contract_lock
from marketplace import notifications
from marketplace.audit import audit_record
from marketplace.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from marketplace.permissions import require_active_user


def review_submit(
    *,
    actor: Any,
    contract: Contract,
    rating: int,
    quality: int,
    communication: int,
    timeliness: int,
    comment: str = "",
) -> Review:
    """One review per side of a completed contract; scores 1 to 5."""
    require_active_user(actor)
    errors: dict[str, list[str | Promise]] = {
        name: [_("Give a score from 1 to 5.")]
        for name, value in (
            ("rating", rating),
            ("quality", quality),
            ("communication", communication),
            ("timeliness", timeliness),
        )
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5
    }
    if len(comment) > 4000:
        errors["comment"] = [_("Keep the comment to 4,000 characters.")]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    capabilities = contract_capabilities(user=actor, contract=contract)
    if capabilities.side is None:
        raise NotAllowed(_("Only the two sides of a contract can review it."))
    if not capabilities.may_write_review:
        raise NotAllowed(
            _("The organization's owners and admins, or the task's author, write its review.")
        )
    side = capabilities.side
    with transaction.atomic():
        contract = contract_lock(contract_id=contract.pk)
        if contract.status != Contract.Status.COMPLETED:
            raise InvalidTransition(_("Reviews open when the contract is completed."))
        try:
            with transaction.atomic():
                review = Review.objects.create(
                    contract=contract,
                    side=Review.Side.POSTER if side == "poster" else Review.Side.PROVIDER,
                    author=actor,
                    rating=rating,
                    quality=quality,
                    communication=communication,
                    timeliness=timeliness,
                    comment=comment.strip(),
                )
        except IntegrityError:
            raise Conflict(_("Your side has already reviewed this contract.")) from None
        audit_record(
            actor=actor,
            action="review.submit",
            target=contract,
            data={"side": review.side, "rating": rating},
        )
        notifications.schedule("review_received", review.pk)
        credit_inputs_changed(contract)
    return review

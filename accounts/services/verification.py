"""Real-name verification (实名认证) of people and organizations, reviewed by staff.

The ID number is validated, encrypted at rest and otherwise kept only as a mask and a keyed
digest; nothing here ever returns or logs it in clear.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import crypto, events
from accounts.models import (
    EvidenceView,
    Organization,
    User,
    VerificationEvidence,
    VerificationRequest,
)
from accounts.services._common import (
    clean_text,
    integrity_as,
    lock_organization,
    require_manager,
    require_staff,
)
from accounts.services.notifications import in_language_of, notify
from accounts.validators import mask_id_number, validate_credit_code, validate_id_number
from marketplace.audit import audit_record
from marketplace.errors import (
    Conflict,
    DomainError,
    FieldErrors,
    InvalidTransition,
    NotAllowed,
)
from marketplace.files import JPEG, PDF, PNG, CheckedFile, check_upload
from marketplace.permissions import require_active_user

REVIEW_PERMISSION = "accounts.change_verificationrequest"
EVIDENCE_PERMISSION = "accounts.view_verificationevidence"
Status = VerificationRequest.Status
Subject = VerificationRequest.Subject
Kind = VerificationEvidence.Kind
# What a reviewer checks each subject against (the form fields and API parts share the names).
REQUIRED_EVIDENCE: dict[str, tuple[str, ...]] = {
    Subject.PERSON: (Kind.ID_FRONT, Kind.ID_BACK),
    Subject.ORGANIZATION: (Kind.LICENCE,),
}
EVIDENCE_TYPES = frozenset({PDF.content_type, PNG.content_type, JPEG.content_type})


def _checked_evidence(
    errors: FieldErrors, subject: str, documents: Mapping[str, Any] | None
) -> list[tuple[str, UploadedFile, CheckedFile]]:
    """Each required document present and, by its content, a PDF, PNG or JPEG within the size
    limit; problems become field errors under the document's name."""
    documents = documents or {}
    checked: list[tuple[str, UploadedFile, CheckedFile]] = []
    for kind in REQUIRED_EVIDENCE[subject]:
        upload = documents.get(kind)
        if not isinstance(upload, UploadedFile):
            errors.add(kind, _("Upload this document (a PDF, PNG or JPEG)."))
            continue
        try:
            info = check_upload(upload, max_bytes=settings.MARKETPLACE["EVIDENCE_MAX_BYTES"])
        except DomainError as exc:
            errors.add(kind, exc.message)
            continue
        if info.content_type not in EVIDENCE_TYPES:
            errors.add(
                kind,
                _("%(name)s is not a PDF, PNG or JPEG file.") % {"name": info.name},
            )
            continue
        checked.append((kind, upload, info))
    return checked


def _store_evidence(
    request: VerificationRequest,
    actor: Any,
    checked: list[tuple[str, UploadedFile, CheckedFile]],
) -> None:
    for kind, upload, info in checked:
        evidence = VerificationEvidence(
            request=request,
            kind=kind,
            original_name=info.name,
            content_type=info.content_type,
            size=info.size,
            sha256=info.sha256,
            uploaded_by=actor,
        )
        upload.seek(0)
        extension = info.name.rsplit(".", 1)[-1].lower()
        # The stored name is the content hash: nothing of the applicant's file name reaches disk.
        evidence.file.save(f"{info.sha256}.{extension}", ContentFile(upload.read()), save=False)
        evidence.save()


def _id_number_taken() -> Conflict:
    # Deliberately says nothing about whose account holds it.
    return Conflict(
        _(
            "This ID number is already verified for another account. "
            "Contact support if it is yours."
        ),
        code="id_number_taken",
        fields={"id_number": [_("Already verified for another account.")]},
    )


def _credit_code_taken() -> Conflict:
    return Conflict(
        _(
            "This unified social credit code is already verified for another organization. "
            "Contact support if it is yours."
        ),
        code="credit_code_taken",
        fields={"credit_code": [_("Already verified for another organization.")]},
    )


def _pending_exists() -> Conflict:
    return Conflict(
        _("A verification request is already waiting for review."), code="verification_pending"
    )


def verification_submit_person(
    *, user: Any, legal_name: str, id_number: str, documents: Mapping[str, Any] | None
) -> VerificationRequest:
    """One pending request per person, with both sides of the ID document; an ID number
    verifies one account only."""
    require_active_user(user)
    errors = FieldErrors()
    legal_name = clean_text(errors, "legal_name", legal_name, max_length=80, required=True)
    checked = _checked_evidence(errors, Subject.PERSON, documents)
    number = ""
    try:
        number = validate_id_number(id_number if isinstance(id_number, str) else "")
    except ValidationError as exc:
        for message in exc.messages:
            errors.add("id_number", message)
    errors.raise_if_any()

    number_digest = crypto.digest(number)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.real_name_verified_at is not None:
            raise Conflict(_("Your real name is already verified."), code="already_verified")
        if VerificationRequest.objects.filter(
            submitted_by_id=user.pk, subject=Subject.PERSON, status=Status.PENDING
        ).exists():
            raise _pending_exists()
        if (
            VerificationRequest.objects.filter(
                subject=Subject.PERSON, status=Status.APPROVED, id_number_digest=number_digest
            )
            .exclude(submitted_by_id=user.pk)
            .exists()
        ):
            raise _id_number_taken()
        with integrity_as(_pending_exists):
            request = VerificationRequest.objects.create(
                subject=Subject.PERSON,
                submitted_by=user,
                legal_name=legal_name,
                id_number_encrypted=crypto.encrypt(number),
                id_number_masked=mask_id_number(number),
                id_number_digest=number_digest,
            )
        _store_evidence(request, user, checked)
        audit_record(
            actor=user,
            action="verification.submitted",
            target=request,
            data={
                "subject": Subject.PERSON,
                "id_number": request.id_number_masked,
                "evidence": {kind: info.sha256 for kind, _upload, info in checked},
            },
        )
    return request


def verification_submit_organization(
    *,
    actor: Any,
    organization: Organization,
    legal_name: str,
    credit_code: str,
    documents: Mapping[str, Any] | None,
) -> VerificationRequest:
    """One pending request per organization, by its owners or admins, with its business
    licence; one code, one organization."""
    require_active_user(actor)
    errors = FieldErrors()
    legal_name = clean_text(errors, "legal_name", legal_name, max_length=120, required=True)
    checked = _checked_evidence(errors, Subject.ORGANIZATION, documents)
    code = ""
    try:
        code = validate_credit_code(credit_code if isinstance(credit_code, str) else "")
    except ValidationError as exc:
        for message in exc.messages:
            errors.add("credit_code", message)
    errors.raise_if_any()

    with transaction.atomic():
        organization = lock_organization(organization)
        require_manager(actor=actor, organization=organization)
        if organization.verified_at is not None:
            raise Conflict(
                _("%(org)s is already verified.") % {"org": organization.name},
                code="already_verified",
            )
        if VerificationRequest.objects.filter(
            organization_id=organization.pk, subject=Subject.ORGANIZATION, status=Status.PENDING
        ).exists():
            raise _pending_exists()
        if Organization.objects.filter(credit_code=code).exclude(pk=organization.pk).exists():
            raise _credit_code_taken()
        with integrity_as(_pending_exists):
            request = VerificationRequest.objects.create(
                subject=Subject.ORGANIZATION,
                submitted_by=actor,
                organization=organization,
                legal_name=legal_name,
                credit_code=code,
            )
        _store_evidence(request, actor, checked)
        audit_record(
            actor=actor,
            action="verification.submitted",
            target=request,
            data={
                "subject": Subject.ORGANIZATION,
                "organization_id": organization.pk,
                "credit_code": code,
                "evidence": {kind: info.sha256 for kind, _upload, info in checked},
            },
        )
    return request


def _lock_pending(request: VerificationRequest) -> VerificationRequest:
    locked = VerificationRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != Status.PENDING:
        raise InvalidTransition(
            _("This request has already been decided (%(status)s).")
            % {"status": locked.get_status_display()},
            code="already_reviewed",
        )
    return locked


def _notify_decision(request: VerificationRequest) -> None:
    recipient = request.submitted_by
    approved = request.status == Status.APPROVED
    with in_language_of(recipient):
        if request.organization is not None:
            org = {"org": request.organization.name}
            title = (
                _("%(org)s is now verified") % org
                if approved
                else _("The verification of %(org)s was not approved") % org
            )
        else:
            title = str(
                _("Your real name is now verified")
                if approved
                else _("Your real-name verification was not approved")
            )
        body = (
            ""
            if approved
            else "\n".join(
                [
                    _("Reason: %(reason)s") % {"reason": request.decision_note},
                    str(_("You can correct the details and submit again.")),
                ]
            )
        )
    notify(
        recipient=recipient,
        kind=f"verification.{request.status}",
        title=title,
        body=body,
        dedupe_key=f"verification:{request.pk}:decided",
    )


def verification_approve(*, reviewer: Any, request: VerificationRequest) -> VerificationRequest:
    """Staff approve a pending request once; the person or organization becomes verified."""
    require_staff(reviewer, REVIEW_PERMISSION)
    with transaction.atomic():
        request = _lock_pending(request)
        now = timezone.now()
        if request.subject == Subject.PERSON:
            person = User.objects.select_for_update().get(pk=request.submitted_by_id)
            if person.real_name_verified_at is not None:
                raise Conflict(_("This person is already verified."), code="already_verified")
            person.real_name_verified_at = now
            person.verified_real_name = request.legal_name[:80]
            person.save(update_fields=["real_name_verified_at", "verified_real_name"])
        else:
            assert request.organization is not None
            organization = lock_organization(request.organization)
            if organization.verified_at is not None:
                raise Conflict(_("This organization is already verified."), code="already_verified")
            if (
                Organization.objects.filter(credit_code=request.credit_code)
                .exclude(pk=organization.pk)
                .exists()
            ):
                raise _credit_code_taken()
            organization.verified_at = now
            organization.credit_code = request.credit_code
            with integrity_as(_credit_code_taken):
                organization.save(update_fields=["verified_at", "credit_code"])
        request.status = Status.APPROVED
        request.reviewed_by = reviewer
        request.reviewed_at = now
        with integrity_as(_id_number_taken):
            request.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        audit_record(
            actor=reviewer,
            action="verification.approved",
            target=request,
            data={"subject": request.subject, "submitted_by": request.submitted_by_id},
        )
        if request.subject == Subject.PERSON:
            events.user_changed(person, fields=("verified",))
        else:
            events.organization_changed(organization, fields=("verified",))
        _notify_decision(request)
    return request


def verification_reject(
    *, reviewer: Any, request: VerificationRequest, reason: str
) -> VerificationRequest:
    """Staff reject a pending request once, with a reason the submitter is shown."""
    require_staff(reviewer, REVIEW_PERMISSION)
    errors = FieldErrors()
    reason = clean_text(errors, "reason", reason, max_length=2000, required=True)
    errors.raise_if_any()
    with transaction.atomic():
        request = _lock_pending(request)
        request.status = Status.REJECTED
        request.reviewed_by = reviewer
        request.reviewed_at = timezone.now()
        request.decision_note = reason
        request.save(update_fields=["status", "reviewed_by", "reviewed_at", "decision_note"])
        audit_record(
            actor=reviewer,
            action="verification.rejected",
            target=request,
            data={"subject": request.subject, "reason": reason},
        )
        _notify_decision(request)
    return request


def user_may_view_evidence(user: Any) -> bool:
    """Verifiers: staff holding the evidence permission (the moderator group), not suspended."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and user.suspended_at is None
        and user.has_perm(EVIDENCE_PERMISSION)
    )


def evidence_view_record(
    *, viewer: Any, evidence: VerificationEvidence, address: str | None = None
) -> EvidenceView:
    """Let a verifier look at one document, and log the look (who, when, which file). Anyone
    else is refused, and nothing is logged for them."""
    if not user_may_view_evidence(viewer):
        raise NotAllowed(_("Only verifiers may look at verification documents."))
    return EvidenceView.objects.create(evidence=evidence, viewer=viewer, address=address)

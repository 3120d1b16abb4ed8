"""Taking part: registering for a contest (the bid eligibility rules) and submitting a solution
before the deadline (files checked like every upload, SHA-256 hashed, time-stamped, sealed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import ProviderProfile
from accounts.selectors import provider_profile_ids_operated_by
from contests.models import Contest, Entry, Submission, SubmissionFile
from contests.selectors import contest_eligibility
from contests.services._common import contest_lock
from marketplace import notifications
from marketplace.audit import audit_record
from marketplace.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from marketplace.files import CheckedFile, check_upload
from marketplace.permissions import require_active_user

MAX_SUBMISSION_FILES = 10


def contest_register(
    *, actor: Any, contest: Contest, provider: ProviderProfile | None = None
) -> Entry:
    """Register `provider` (the actor's own profile when None) for the contest: the same
    rules as a bid, while registration is open. Once per provider (the unique constraint
    decides a race)."""
    require_active_user(actor)
    with transaction.atomic():
        contest = contest_lock(contest_id=contest.pk)
        verdict, provider = contest_eligibility(user=actor, contest=contest, provider=provider)
        if not verdict.allowed or provider is None:
            raise NotAllowed(verdict.reason, code=verdict.code)
        try:
            with transaction.atomic():
                entry = Entry.objects.create(
                    contest=contest, provider=provider, registered_by=actor
                )
        except IntegrityError:
            raise Conflict(
                _("%(provider)s is already registered for this contest.") % {"provider": provider},
                code="already_registered",
            ) from None
        audit_record(actor=actor, action="contest.register", target=entry)
    return entry


def _entry_of(actor: Any, contest: Contest) -> Entry:
    entry = (
        Entry.objects.filter(
            contest=contest, provider_id__in=provider_profile_ids_operated_by(user=actor)
        )
        .select_related("provider")
        .first()
    )
    if entry is None:
        raise NotAllowed(_("Register for the contest before you submit."), code="not_registered")
    return entry


def contest_submission_create(
    *,
    actor: Any,
    contest: Contest,
    title: str,
    note: str,
    files: Sequence[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> Submission:
    """A registered provider's one submission, before submissions close; refused with the
    deadline after it, and nothing is written."""
    require_active_user(actor)
    errors: dict[str, list[Any]] = {}
    if not title.strip() or len(title) > 120:
        errors["title"] = [_("Give the submission a title of at most 120 characters.")]
    if len(note.strip()) < 2 or len(note) > 8000:
        errors["note"] = [_("Describe your solution in at most 8,000 characters.")]
    if not files:
        errors["files"] = [_("Attach at least one file.")]
    elif len(files) > MAX_SUBMISSION_FILES:
        errors["files"] = [_("Submit at most %(n)d files.") % {"n": MAX_SUBMISSION_FILES}]
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), fields=errors)
    checked: list[tuple[UploadedFile, CheckedFile]] = [
        (upload, check_upload(upload, max_bytes=settings.MARKETPLACE["ATTACHMENT_MAX_BYTES"]))
        for upload in files
    ]
    with transaction.atomic():
        contest = contest_lock(contest_id=contest.pk)
        now = now or timezone.now()
        if contest.status != Contest.Status.OPEN or now >= contest.submission_closes:
            raise InvalidTransition(
                _("Submissions closed on %(date)s; nothing was saved.")
                % {"date": date_format(timezone.localtime(contest.submission_closes),
                                        "DATETIME_FORMAT")},
                code="submissions_closed",
            )  # fmt: skip
        if now < contest.registration_opens:
            raise InvalidTransition(_("Submissions have not opened yet."), code="not_started")
        entry = _entry_of(actor, contest)
        if Submission.objects.filter(entry=entry).exists():
            raise Conflict(_("You have already submitted to this contest."), code="submitted")
        try:
            with transaction.atomic():
                submission = Submission.objects.create(
                    entry=entry, title=title.strip(), note=note.strip(), submitted_by=actor
                )
        except IntegrityError:
            raise Conflict(
                _("You have already submitted to this contest."), code="submitted"
            ) from None
        for upload, info in checked:
            stored = SubmissionFile(
                submission=submission,
                original_name=info.name,
                content_type=info.content_type,
                size=info.size,
                sha256=info.sha256,
            )
            stored.file.save(info.sha256, upload, save=False)
            stored.save()
        audit_record(
            actor=actor,
            action="contest.submit_entry",
            target=submission,
            data={"files": [info.sha256 for _u, info in checked]},
        )
        notifications.schedule("contest_submission_received", submission.pk)
    return submission

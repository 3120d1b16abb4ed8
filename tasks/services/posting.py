"""Writing and publishing tasks: create, edit, attach files, submit, invite, NDA, cancel."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Organization, ProviderProfile, Skill
from accounts.regions import REGION_CODES
from accounts.selectors import user_is_member
from marketplace import notifications
from marketplace.audit import audit_record
from marketplace.errors import (
    Conflict,
    FieldErrors,
    InvalidTransition,
    NotAllowed,
    ValidationFailed,
)
from marketplace.files import check_upload
from marketplace.money import CURRENCIES, DEFAULT_CURRENCY, Money
from marketplace.permissions import require_active_user
from marketplace.terms import MilestoneTerms, milestone_terms_problems
from tasks import signals
from tasks.models import (
    NdaAcceptance,
    Task,
    TaskAttachment,
    TaskInvitation,
    TaskMilestonePlan,
    TaskSkill,
)
from tasks.selectors import task_capabilities, task_posting_block
from tasks.states import TASK

# Budgets, in major units of the task's currency (¥10 to ¥100 million for CNY): above that a
# tender goes offline.
BUDGET_MIN_MAJOR = 10
BUDGET_MAX_MAJOR = 100_000_000
MAX_SKILLS = 15
MAX_MILESTONES = 20
MAX_ATTACHMENTS = 20
BID_WINDOW_MIN = dt.timedelta(hours=1)
BID_WINDOW_MAX = dt.timedelta(days=180)

# The NDA a provider accepts before reading a task's confidential details. The Chinese text is
# the one that governs; the English is its translation. Acceptance records the hash of the text
# the provider was shown, so what they agreed to can be proved later.
NDA_TEXTS = {
    "zh-hans": (
        "服务商对本任务中标注为保密的全部信息承担保密义务：仅为准备投标和履行合同使用这些信息，"
        "未经需求方书面同意不得向任何第三方披露。本保密义务自接受之日起三年内有效。"
        "本协议以中文文本为准。"
    ),
    "en": (
        "The provider keeps confidential all information in this task that is marked as behind "
        "the NDA, uses it only to prepare a bid and to perform the work, and does not disclose "
        "it to third parties without the poster's written consent. This obligation lasts three "
        "years from acceptance. The Chinese text of this agreement governs."
    ),
}


def nda_text(language: str | None = None) -> str:
    """The NDA in `language` (the active one by default), Chinese when there is no translation."""
    language = (language or translation.get_language() or "zh-hans").lower()
    return NDA_TEXTS["en"] if language.startswith("en") else NDA_TEXTS["zh-hans"]


def nda_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _validate(
    *,
    kind: str,
    title: str,
    summary: str,
    description: str,
    budget_min: int,
    budget_max: int,
    currency: str,
    bid_deadline: dt.datetime,
    delivery_deadline: dt.date,
    region: str,
    visibility: str,
    ip_terms: str,
    ip_terms_custom: str,
    skills: Mapping[int, int],
    milestones: Sequence[MilestoneTerms],
    now: dt.datetime,
) -> None:
    """Collect every field error at once, so a form can show them all."""
    errors = FieldErrors()

    if kind not in Task.Kind.values:
        errors.add("kind", _("Choose what kind of task this is."))
    if not title.strip():
        errors.add("title", _("Give the task a title."))
    elif len(title) > 120:
        errors.add("title", _("Keep the title to 120 characters."))
    if not summary.strip():
        errors.add("summary", _("Write a public summary of the task."))
    elif len(summary) > 500:
        errors.add("summary", _("Keep the summary to 500 characters."))
    if len(description.strip()) < 20:
        errors.add("description", _("Describe the task in at least 20 characters."))
    elif len(description) > 20000:
        errors.add("description", _("Keep the description to 20,000 characters."))
    if currency not in CURRENCIES:
        errors.add("currency", _("Unknown currency."))
    # With an unknown currency (already an error) the limits still apply, in the default one.
    limits_currency = currency if currency in CURRENCIES else DEFAULT_CURRENCY
    floor = Money.parse(BUDGET_MIN_MAJOR, limits_currency)
    cap = Money.parse(BUDGET_MAX_MAJOR, limits_currency)
    for field, value in (("budget_min", budget_min), ("budget_max", budget_max)):
        if isinstance(value, bool) or not isinstance(value, int):
            errors.add(field, _("Enter the budget as an amount of money."))
        elif value < floor.amount:
            errors.add(field, _("The budget must be at least %(min)s.") % {"min": floor.format()})
        elif value > cap.amount:
            errors.add(field, _("The budget cannot exceed %(max)s.") % {"max": cap.format()})
    if "budget_min" not in errors and "budget_max" not in errors and budget_max < budget_min:
        errors.add("budget_max", _("The upper end of the budget is below the lower end."))
    if bid_deadline < now + BID_WINDOW_MIN:
        errors.add("bid_deadline", _("Bids must stay open for at least an hour from now."))
    elif bid_deadline > now + BID_WINDOW_MAX:
        errors.add("bid_deadline", _("Bids can stay open for at most 180 days."))
    if delivery_deadline <= timezone.localdate(bid_deadline):
        errors.add("delivery_deadline", _("The delivery deadline must come after bidding closes."))
    elif delivery_deadline > (now + dt.timedelta(days=5 * 365)).date():
        errors.add("delivery_deadline", _("The delivery deadline is more than five years away."))
    if region and region not in REGION_CODES:
        errors.add("region", _("Choose a region from the list."))
    if visibility not in Task.Visibility.values:
        errors.add("visibility", _("Choose who may bid."))
    if ip_terms not in Task.IpTerms.values:
        errors.add("ip_terms", _("Choose the intellectual property terms."))
    elif ip_terms == Task.IpTerms.CUSTOM and not ip_terms_custom.strip():
        errors.add("ip_terms_custom", _("Write the custom intellectual property terms."))
    if not skills:
        errors.add("skills", _("Choose at least one skill the work needs."))
    elif len(skills) > MAX_SKILLS:
        errors.add("skills", _("Choose at most %(n)d skills.") % {"n": MAX_SKILLS})
    elif any(not 1 <= weight <= 5 for weight in skills.values()):
        errors.add("skills", _("Skill weights go from 1 (nice to have) to 5 (essential)."))
    elif Skill.objects.filter(pk__in=list(skills)).count() != len(skills):
        errors.add("skills", _("One of the chosen skills does not exist."))
    if not milestones:
        errors.add("milestones", _("Plan at least one milestone."))
    elif len(milestones) > MAX_MILESTONES:
        errors.add("milestones", _("Plan at most %(n)d milestones.") % {"n": MAX_MILESTONES})
    else:
        problems = milestone_terms_problems(milestones)
        for problem in problems:
            errors.add("milestones", problem)
        days = [m.due_days for m in milestones]
        in_order = all(isinstance(d, int) and d > 0 for d in days) and days == sorted(days)
        if in_order and timezone.localdate(bid_deadline) + dt.timedelta(
            days=days[-1]
        ) > delivery_deadline + dt.timedelta(days=366):
            errors.add(
                "milestones", _("The last milestone falls far beyond the delivery deadline.")
            )
    errors.raise_if_any()


def _write_skills_and_plan(
    task: Task, skills: Mapping[int, int], milestones: Sequence[MilestoneTerms]
) -> None:
    task.skill_weights.all().delete()
    TaskSkill.objects.bulk_create(
        TaskSkill(task=task, skill_id=skill_id, weight=weight)
        for skill_id, weight in skills.items()
    )
    task.milestone_plan.all().delete()
    TaskMilestonePlan.objects.bulk_create(
        TaskMilestonePlan(
            task=task,
            position=position,
            title=m.title.strip(),
            description=m.description.strip(),
            share_bps=m.share_bps,
            due_days=m.due_days,
        )
        for position, m in enumerate(milestones, start=1)
    )


def task_fields_problems(
    *, skills: Mapping[int, int], milestones: Sequence[MilestoneTerms], **fields: Any
) -> dict[str, list[str]]:
    """What task_create and task_update would refuse in these fields, by field, without
    writing anything: the stepped form asks this before moving on, so a step is checked by
    the same rules and messages as the final save."""
    try:
        _validate(**fields, skills=skills, milestones=milestones, now=timezone.now())
    except ValidationFailed as exc:
        return {field: [str(m) for m in messages] for field, messages in exc.fields.items()}
    return {}


def task_create(
    *,
    actor: Any,
    organization: Organization,
    kind: str,
    title: str,
    summary: str,
    description: str,
    budget_min: int,
    budget_max: int,
    bid_deadline: dt.datetime,
    delivery_deadline: dt.date,
    skills: Mapping[int, int],
    milestones: Sequence[MilestoneTerms],
    currency: str = DEFAULT_CURRENCY,
    region: str = "",
    visibility: str = Task.Visibility.PUBLIC,
    ip_terms: str = Task.IpTerms.TRANSFER,
    ip_terms_custom: str = "",
    nda_required: bool = False,
    mode: str = Task.Mode.TENDER,
) -> Task:
    """Create a draft task for an enterprise or government unit the actor belongs to. A
    contest's or piece-work task's own terms are written by its app around this call."""
    require_active_user(actor)
    if mode not in Task.Mode.values:
        raise ValidationFailed(
            _("Choose how the task runs: tender, contest or piece-work."),
            fields={"mode": [_("Not a valid mode.")]},
        )
    if not user_is_member(user=actor, organization=organization):
        raise NotAllowed(
            _("Only members of %(org)s can post tasks for it.") % {"org": organization}
        )
    if organization.kind == Organization.Kind.MICROFIRM:
        raise NotAllowed(_("Micro-firms bid on tasks; enterprises and government units post them."))
    if block := task_posting_block(user=actor, organization=organization):
        raise NotAllowed(block, code="black_listed")
    fields: dict[str, Any] = {
        "kind": kind,
        "title": title.strip(),
        "summary": summary.strip(),
        "description": description.strip(),
        "budget_min": budget_min,
        "budget_max": budget_max,
        "currency": currency,
        "bid_deadline": bid_deadline,
        "delivery_deadline": delivery_deadline,
        "region": region,
        "visibility": visibility,
        "ip_terms": ip_terms,
        "ip_terms_custom": ip_terms_custom.strip(),
    }
    _validate(**fields, skills=skills, milestones=milestones, now=timezone.now())
    with transaction.atomic():
        task = Task.objects.create(
            organization=organization,
            created_by=actor,
            nda_required=nda_required,
            mode=mode,
            **fields,
        )
        _write_skills_and_plan(task, skills, milestones)
        audit_record(actor=actor, action="task.create", target=task)
    return task


def task_update(
    *,
    actor: Any,
    task: Task,
    skills: Mapping[int, int] | None = None,
    milestones: Sequence[MilestoneTerms] | None = None,
    **changes: Any,
) -> Task:
    """Edit a draft; a published task's terms are fixed because bids were made against them."""
    require_active_user(actor)
    editable = {
        "kind",
        "title",
        "summary",
        "description",
        "budget_min",
        "budget_max",
        "currency",
        "bid_deadline",
        "delivery_deadline",
        "region",
        "visibility",
        "ip_terms",
        "ip_terms_custom",
        "nda_required",
    }
    unknown = set(changes) - editable
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if not task_capabilities(user=actor, task=task).member:
            raise NotAllowed(_("Only members of the posting organization can edit this task."))
        if task.status != Task.Status.DRAFT:
            raise InvalidTransition(
                _("Only a draft can be edited; this task is already %(state)s.")
                % {"state": task.get_status_display()}
            )
        for name, value in changes.items():
            setattr(task, name, value.strip() if isinstance(value, str) else value)
        current_skills = (
            skills
            if skills is not None
            else {ts.skill_id: ts.weight for ts in task.skill_weights.all()}
        )
        current_plan = (
            milestones
            if milestones is not None
            else [
                MilestoneTerms(
                    title=m.title,
                    share_bps=m.share_bps,
                    due_days=m.due_days,
                    description=m.description,
                )
                for m in task.milestone_plan.all()
            ]
        )
        _validate(
            kind=task.kind,
            title=task.title,
            summary=task.summary,
            description=task.description,
            budget_min=task.budget_min,
            budget_max=task.budget_max,
            currency=task.currency,
            bid_deadline=task.bid_deadline,
            delivery_deadline=task.delivery_deadline,
            region=task.region,
            visibility=task.visibility,
            ip_terms=task.ip_terms,
            ip_terms_custom=task.ip_terms_custom,
            skills=current_skills,
            milestones=current_plan,
            now=timezone.now(),
        )
        task.save()
        if skills is not None or milestones is not None:
            _write_skills_and_plan(task, current_skills, current_plan)
        audit_record(
            actor=actor, action="task.update", target=task, data={"fields": sorted(changes)}
        )
    return task


def task_attachment_add(
    *, actor: Any, task: Task, upload: UploadedFile, confidential: bool = True
) -> TaskAttachment:
    """Attach a file whose content is an allowed type, within the size limit, to a draft."""
    require_active_user(actor)
    if not task_capabilities(user=actor, task=task).member:
        raise NotAllowed(_("Only members of the posting organization can attach files."))
    checked = check_upload(upload, max_bytes=settings.MARKETPLACE["ATTACHMENT_MAX_BYTES"])
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if task.status not in (Task.Status.DRAFT, Task.Status.PENDING_REVIEW, Task.Status.OPEN):
            raise InvalidTransition(_("Files can no longer be added to this task."))
        if task.attachments.count() >= MAX_ATTACHMENTS:
            raise ValidationFailed(
                _("A task can have at most %(n)d files.") % {"n": MAX_ATTACHMENTS}
            )
        attachment = TaskAttachment(
            task=task,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            confidential=confidential,
            uploaded_by=actor,
        )
        attachment.file.save(checked.sha256, upload, save=False)
        attachment.save()
        audit_record(
            actor=actor,
            action="task.attachment_add",
            target=task,
            data={"name": checked.name, "sha256": checked.sha256, "size": checked.size},
        )
    return attachment


def task_attachment_remove(*, actor: Any, attachment: TaskAttachment) -> None:
    """Remove a file from a task that is not yet open for bids; the stored file is deleted once
    the removal commits, so a rolled-back removal keeps both the row and the file."""
    require_active_user(actor)
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=attachment.task_id)
        if not task_capabilities(user=actor, task=task).member:
            raise NotAllowed(_("Only members of the posting organization can remove files."))
        if task.status not in (Task.Status.DRAFT, Task.Status.PENDING_REVIEW):
            raise InvalidTransition(
                _("Files of a published task stay, because bids were made on them.")
            )
        audit_record(
            actor=actor,
            action="task.attachment_remove",
            target=task,
            data={"name": attachment.original_name, "sha256": attachment.sha256},
        )
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        # Each attachment has a file of its own (the storage never reuses a name), so no other
        # row loses its file. The row is the record: a file left behind by a crash is harmless.
        if name:
            transaction.on_commit(partial(storage.delete, name))


def task_submit(*, actor: Any, task: Task) -> Task:
    """Publish a draft: government units' and flagged tasks wait for moderation, others open.

    An unverified enterprise may publish public tasks (a deliberate choice, README "Real-name
    verification"): requiring a verified licence before the first task would stop most new
    posters at the door, and providers see the "Not verified" badge on the task and can keep
    to verified posters in search. Government units' tasks are always moderated first. The
    black-listed may not publish at all."""
    require_active_user(actor)
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("organization").get(pk=task.pk)
        capabilities = task_capabilities(user=actor, task=task)
        if not capabilities.member:
            raise NotAllowed(_("Only members of the posting organization can publish this task."))
        if capabilities.posting_block:
            raise NotAllowed(capabilities.posting_block, code="black_listed")
        now = timezone.now()
        if task.bid_deadline < now + BID_WINDOW_MIN:
            raise ValidationFailed(
                _("Bids must stay open for at least an hour: move the bid deadline first."),
                fields={"bid_deadline": [_("Bids must stay open for at least an hour from now.")]},
            )
        if not task.skill_weights.exists() or not task.milestone_plan.exists():
            raise ValidationFailed(_("Add the required skills and a milestone plan first."))
        needs_review = task.organization.is_government or task.flagged_for_review
        if needs_review:
            task.status = TASK.check(task.status, "submit_for_review")
        else:
            task.status = TASK.check(task.status, "publish")
            task.published_at = now
        task.moderation_note = ""
        task.save(update_fields=["status", "published_at", "moderation_note", "updated_at"])
        audit_record(actor=actor, action="task.submit", target=task, data={"status": task.status})
        signals.task_changed_on_commit(task, fields=("status",))
        if needs_review:
            notifications.schedule("task_pending_review", task.pk)
        else:
            notifications.schedule("task_published", task.pk)
    return task


def task_invite_provider(*, actor: Any, task: Task, provider: ProviderProfile) -> TaskInvitation:
    """Invite a provider to bid (the only way in for invitation-only tasks)."""
    require_active_user(actor)
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if not task_capabilities(user=actor, task=task).member:
            raise NotAllowed(_("Only members of the posting organization can invite providers."))
        if task.status not in (Task.Status.DRAFT, Task.Status.PENDING_REVIEW, Task.Status.OPEN):
            raise InvalidTransition(_("Invitations are only possible before bidding closes."))
        if provider.organization_id == task.organization_id:
            raise ValidationFailed(_("You cannot invite your own organization."))
        try:
            with transaction.atomic():
                invitation = TaskInvitation.objects.create(
                    task=task, provider=provider, invited_by=actor
                )
        except IntegrityError:
            raise Conflict(_("This provider is already invited.")) from None
        audit_record(actor=actor, action="task.invite", target=task, data={"provider": provider.pk})
        signals.task_changed_on_commit(task, fields=("invitations",))
        if task.status == Task.Status.OPEN:
            notifications.schedule("task_invitation", invitation.pk)
    return invitation


def task_nda_accept(*, user: Any, task: Task, language: str | None = None) -> NdaAcceptance:
    """Record the user's acceptance of the task's NDA with its audit row, both or neither; once
    per user and task, also when two requests race (the unique constraint decides)."""
    require_active_user(user)
    if not task.nda_required:
        raise ValidationFailed(_("This task has no NDA to accept."))
    with transaction.atomic():
        acceptance, created = NdaAcceptance.objects.get_or_create(
            task=task, user=user, defaults={"terms_sha256": nda_sha256(nda_text(language))}
        )
        if created:
            audit_record(
                actor=user,
                action="task.nda_accept",
                target=task,
                data={"terms_sha256": acceptance.terms_sha256, "language": language or ""},
            )
    return acceptance


def task_cancel(*, actor: Any, task: Task, reason: str) -> Task:
    """Cancel a task before it is awarded; its live bids are closed and their bidders told."""
    require_active_user(actor)
    if not reason.strip():
        raise ValidationFailed(
            _("Say why the task is cancelled."), fields={"reason": [_("Required.")]}
        )
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        capabilities = task_capabilities(user=actor, task=task)
        if not (capabilities.manage or capabilities.author):
            raise NotAllowed(
                _("Only the task's author or the organization's owners and admins can cancel it.")
            )
        task.status = TASK.check(task.status, "cancel")
        task.cancelled_at = timezone.now()
        task.save(update_fields=["status", "cancelled_at", "updated_at"])
        audit_record(actor=actor, action="task.cancel", target=task, data={"reason": reason[:2000]})
        signals.task_changed_on_commit(task, fields=("status",))
        # Bids (a later app in the dependency order) close their live bids on this signal.
        signals.task_cancelled.send(sender=Task, task=task, actor=actor, reason=reason.strip())
    return task

"""Reports of content to the moderators, and the moderators' decisions on them."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.audit import audit_record
from marketplace.errors import Conflict, FieldErrors, InvalidTransition, NotAllowed, NotFound
from marketplace.permissions import require_active_user
from tasks.models import Report
from tasks.reports import Reportable, reportable
from tasks.selectors import user_can_handle_reports

DETAILS_MAX = 2000
NOTE_MAX = 2000


def _require_report_handler(user: Any) -> None:
    require_active_user(user)
    if not user_can_handle_reports(user):
        raise NotAllowed(_("Only moderators can decide reports."))


def report_file(*, reporter: Any, kind: str, object_id: int, reason: str, details: str) -> Report:
    """Anyone signed in reports something they can see, with a reason; one open report each."""
    require_active_user(reporter)
    errors = FieldErrors()
    if reason not in Report.Reason.values:
        errors.add("reason", _("Choose a reason."))
    details = (details or "").strip()
    if len(details) > DETAILS_MAX:
        errors.add("details", _("Keep it under %(n)d characters.") % {"n": DETAILS_MAX})
    if reason == Report.Reason.OTHER and not details:
        errors.add("details", _("Say what is wrong."))
    errors.raise_if_any()
    entry = reportable(kind)
    obj = entry.get_for_user(reporter, object_id)  # NotFound for what the reporter cannot see
    owner = entry.owner(obj)
    if owner is not None and owner.pk == reporter.pk:
        raise NotAllowed(_("You cannot report your own content."), code="own_content")
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reporter=reporter, kind=kind, object_id=obj.pk, reason=reason, details=details
            )
            audit_record(
                actor=reporter,
                action="report.filed",
                target=report,
                data={"kind": kind, "object_id": obj.pk, "reason": reason},
            )
    except IntegrityError:
        raise Conflict(
            _("You have already reported this; a moderator will look at it."),
            code="already_reported",
        ) from None
    return report


def report_decide(*, moderator: Any, report: Report, outcome: str, note: str = "") -> Report:
    """Close a waiting report as acted on or dismissed; a decided report stays decided."""
    _require_report_handler(moderator)
    if outcome not in (Report.Status.ACTIONED, Report.Status.DISMISSED):
        raise InvalidTransition(_("Choose whether the report was acted on or dismissed."))
    note = (note or "").strip()[:NOTE_MAX]
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != Report.Status.OPEN:
            raise Conflict(
                _("This report has already been decided by %(who)s.")
                % {"who": report.decided_by or _("someone")},
                code="already_decided",
            )
        report.status = outcome
        report.decided_at = timezone.now()
        report.decided_by = moderator
        report.decision_note = note
        report.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
        audit_record(
            actor=moderator,
            action=f"report.{outcome}",
            target=report,
            data={"note": note} if note else None,
        )
    return report


def reports_close_on(*, moderator: Any, kind: str, object_id: int, note: str) -> int:
    """Every waiting report on the object is acted on; for an action taken on the object's own
    page (hiding it) inside that action's transaction. None waiting: nothing changes."""
    _require_report_handler(moderator)
    return _close_open_reports_on(moderator=moderator, kind=kind, object_id=object_id, note=note)


def reports_close_on_hidden(*, moderator: Any, kind: str, object_id: int, note: str) -> int:
    """The object was just hidden by `moderator` (whose hide service checked the right to): its
    waiting reports are acted on, inside that service's transaction, wherever it was hidden from
    (a report, the object's own admin page, the public page or the API)."""
    return _close_open_reports_on(moderator=moderator, kind=kind, object_id=object_id, note=note)


def _close_open_reports_on(*, moderator: Any, kind: str, object_id: int, note: str) -> int:
    """Every waiting report on the object is acted on (called inside the action's transaction)."""
    closed = 0
    for report in Report.objects.select_for_update().filter(
        kind=kind, object_id=object_id, status=Report.Status.OPEN
    ):
        report.status = Report.Status.ACTIONED
        report.decided_at = timezone.now()
        report.decided_by = moderator
        report.decision_note = note
        report.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
        audit_record(actor=moderator, action="report.actioned", target=report, data={"note": note})
        closed += 1
    return closed


def report_hide_content(*, moderator: Any, report: Report, reason: str) -> Report:
    """Hide the reported object from everyone but moderators, and close its waiting reports."""
    _require_report_handler(moderator)
    errors = FieldErrors()
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", _("Say why it is hidden."))
    errors.raise_if_any()
    entry = reportable(report.kind)
    if entry.hide is None:
        raise InvalidTransition(
            _("This kind of content cannot be hidden; suspend its owner instead."),
            code="not_hideable",
        )
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status != Report.Status.OPEN:
            raise Conflict(_("This report has already been decided."), code="already_decided")
        obj = entry.get_for_moderator(locked.object_id)
        if obj is None:
            raise InvalidTransition(_("The reported content no longer exists."), code="gone")
        entry.hide(moderator=moderator, obj=obj, reason=reason)
        _close_open_reports_on(
            moderator=moderator, kind=locked.kind, object_id=locked.object_id, note=reason
        )
    locked.refresh_from_db()
    return locked


def report_suspend_owner(*, moderator: Any, report: Report, reason: str) -> Report:
    """Suspend the account responsible for the reported object, and close its waiting reports."""
    from accounts.services import user_suspend

    _require_report_handler(moderator)
    entry = reportable(report.kind)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status != Report.Status.OPEN:
            raise Conflict(_("This report has already been decided."), code="already_decided")
        obj = entry.get_for_moderator(locked.object_id)
        owner = entry.owner(obj) if obj is not None else None
        if owner is None:
            raise InvalidTransition(_("Nobody's account stands behind this content."), code="gone")
        user_suspend(actor=moderator, user=owner, reason=reason)
        _close_open_reports_on(
            moderator=moderator, kind=locked.kind, object_id=locked.object_id, note=reason
        )
    locked.refresh_from_db()
    return locked


def _moderated(moderator: Any, kind: str, object_id: int) -> tuple[Reportable, Any]:
    _require_report_handler(moderator)
    entry = reportable(kind)
    obj = entry.get_for_moderator(object_id)
    if obj is None:
        raise NotFound(_("No such content."))
    return entry, obj


def content_hide(*, moderator: Any, kind: str, object_id: int, reason: str) -> tuple[Any, bool]:
    """Hide reportable content without a report in hand (from the API): the same hide service
    as from a report, and it closes the content's waiting reports. Returns the object reread and
    whether it is hidden now."""
    entry, obj = _moderated(moderator, kind, object_id)
    if entry.hide is None:
        raise InvalidTransition(
            _("This kind of content cannot be hidden; suspend its owner instead."),
            code="not_hideable",
        )
    errors = FieldErrors()
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", _("Say why it is hidden."))
    errors.raise_if_any()
    entry.hide(moderator=moderator, obj=obj, reason=reason)
    obj = entry.get_for_moderator(object_id)
    return obj, entry.hidden(obj)


def content_show(*, moderator: Any, kind: str, object_id: int) -> tuple[Any, bool]:
    """Show hidden content again (each kind's own show service; the hiding reason stays in the
    audit trail). Returns the object reread and whether it is still hidden."""
    entry, obj = _moderated(moderator, kind, object_id)
    if entry.show is None:
        raise InvalidTransition(
            _("This kind of content cannot be shown again here."), code="not_showable"
        )
    entry.show(moderator=moderator, obj=obj)
    obj = entry.get_for_moderator(object_id)
    return obj, entry.hidden(obj)

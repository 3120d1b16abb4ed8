"""Moderators on the public task page (approve, send back, hide, suspend the poster) and
everyone's reports of what they see. The buttons are the task's capabilities
(tasks.selectors.task_capabilities); the services decide again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.services import user_suspend
from frontend.forms_errors import form_apply_domain_error
from frontend.views._helpers import signed_in_user
from frontend.views.tasks import task_or_404
from marketplace.errors import Conflict, DomainError, NotAllowed, NotFound
from tasks import services
from tasks.models import Report, Task
from tasks.reports import reportable, reportable_kinds
from tasks.selectors import task_capabilities


class ModerationReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("The poster sees it."),
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("What is wrong?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label=gettext_lazy("Details"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Only the moderators read this."),
    )


def _moderation_actions() -> dict[str, dict[str, Any]]:
    """Each action: the capability that offers it, its page's words, the service call."""
    return {
        "approve": {
            "capability": "moderate_approve",
            "title": _("Approve the task"),
            "lead": _("It opens for bids at once and the poster is told."),
            "button": _("Approve: open for bids"),
            "done": _("The task is open for bids."),
            "reason": False,
            "call": lambda user, task, reason: services.task_moderation_approve(
                moderator=user, task=task
            ),
        },
        "send_back": {
            "capability": "moderate_send_back",
            "title": _("Send the task back to the poster"),
            "lead": _("It returns to a draft; the poster sees your reason and can edit it."),
            "button": _("Reject: send back"),
            "done": _("The task is sent back to the poster."),
            "reason": True,
            "call": lambda user, task, reason: services.task_moderation_send_back(
                moderator=user, task=task, reason=reason
            ),
        },
        "hide": {
            "capability": "moderate_hide",
            "title": _("Hide the task until it is reviewed"),
            "lead": _("It leaves the public listing and waits in the review queue."),
            "button": _("Hide for review"),
            "done": _("The task is hidden and waits for review."),
            "reason": True,
            "call": lambda user, task, reason: services.task_moderation_flag(
                moderator=user, task=task, reason=reason
            ),
        },
        "suspend_poster": {
            "capability": "suspend_poster",
            "title": _("Suspend the member who posted this task"),
            "lead": _("They can still sign in and read, but cannot act until you lift it."),
            "button": _("Suspend the account"),
            "done": _("The poster's account is suspended."),
            "reason": True,
            "call": lambda user, task, reason: user_suspend(
                actor=user, user=task.created_by, reason=reason
            ),
        },
    }


@login_required
def task_moderate(request: HttpRequest, task_id: int, action: str) -> HttpResponse:
    user = signed_in_user(request)
    task = task_or_404(request, task_id)
    spec = _moderation_actions().get(action)
    if spec is None:
        raise Http404
    task = Task.objects.select_related("organization", "created_by").get(pk=task.pk)
    capabilities = task_capabilities(user=user, task=task)
    if not capabilities.moderator and not capabilities.suspender:
        raise Http404  # not staff of this kind: the page does not exist for them
    form = ModerationReasonForm(request.POST or None) if spec["reason"] else None
    status = 200
    if request.method == "POST":
        if not getattr(capabilities, spec["capability"]):
            messages.error(request, _("This action is not possible for this task now."))
            return redirect("frontend:task_detail", task_id=task.pk)
        if form is None or form.is_valid():
            reason = form.cleaned_data["reason"] if form is not None else ""
            try:
                spec["call"](user, task, reason)
            except DomainError as exc:
                if form is None:
                    messages.error(request, str(exc.message))
                    return redirect("frontend:task_detail", task_id=task.pk)
                form_apply_domain_error(form, exc)
                status = 403 if isinstance(exc, NotAllowed) else 409 if isinstance(
                    exc, Conflict
                ) else 400  # fmt: skip
            else:
                messages.success(request, spec["done"])
                return redirect("frontend:task_detail", task_id=task.pk)
        else:
            status = 400
    elif not getattr(capabilities, spec["capability"]):
        messages.error(request, _("This action is not possible for this task now."))
        return redirect("frontend:task_detail", task_id=task.pk)
    return render(
        request,
        "frontend/moderation/confirm.html",
        {"task": task, "spec": spec, "form": form, "action": action},
        status=status,
    )


@login_required
def report_create(request: HttpRequest, kind: str, object_id: int) -> HttpResponse:
    """Anyone signed in reports a task, question, message or profile they can see."""
    user = signed_in_user(request)
    if kind not in reportable_kinds():
        raise Http404
    entry = reportable(kind)
    try:
        obj = entry.get_for_user(user, object_id)
    except NotFound:
        raise Http404 from None
    back = entry.url(obj)
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.report_file(
                    reporter=user,
                    kind=kind,
                    object_id=obj.pk,
                    reason=form.cleaned_data["reason"],
                    details=form.cleaned_data["details"],
                )
            except NotFound:
                raise Http404 from None
            except DomainError as exc:
                form_apply_domain_error(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("Thank you. A moderator will look at your report."))
                return redirect(back)
        else:
            status = 400
    return render(
        request,
        "frontend/moderation/report.html",
        {
            "form": form,
            "kind_label": Report.Kind(kind).label,
            "described": entry.describe(obj),
            "back": back,
        },
        status=status,
    )

"""Posting a task: the stepped form, editing a draft, files, invitations, publishing."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import (
    black_list_entry_for,
    poster_organizations_for_user,
    provider_profile_get_public,
    provider_profiles_search,
    skills_grouped,
)
from frontend.forms_errors import form_apply_domain_error
from frontend.forms_tasks import (
    MILESTONE_PREFIX,
    AttachmentForm,
    InviteSearchForm,
    MilestonePlanFormSet,
    SkillWeightsForm,
    TaskForm,
    plan_initial,
    skill_initial,
    task_initial,
)
from frontend.views._helpers import get_or_404, is_htmx, signed_in_user
from frontend.views.tasks import detail_context, member_task_or_404
from marketplace.errors import DomainError, ValidationFailed
from marketplace.money import DEFAULT_CURRENCY
from tasks import services as task_services
from tasks.models import Task
from tasks.selectors import task_capabilities

# Which fields each step of the form holds (the template's sections follow the same split).
STEP_FIELDS: dict[int, tuple[str, ...]] = {
    1: ("organization", "kind", "title", "summary", "description"),
    2: ("skills", "budget_min", "budget_max", "bid_deadline", "delivery_deadline", "region"),
    3: ("visibility", "ip_terms", "ip_terms_custom", "nda_required", "milestones"),
    4: ("__all__",),
}
# A service rule that compares fields is applied only when those are filled in too.
RULE_NEEDS: dict[str, tuple[str, ...]] = {
    "budget_max": ("budget_min",),
    "delivery_deadline": ("bid_deadline",),
    "milestones": ("bid_deadline", "delivery_deadline"),
    "ip_terms_custom": ("ip_terms",),
    "skills": ("skills",),
}


class TaskForms:
    """The three parts of the task form, bound together, and the errors services return."""

    def __init__(
        self,
        data: Any = None,
        *,
        organizations: Any = None,
        task: Task | None = None,
    ) -> None:
        groups = skills_grouped()
        initial = task_initial(task) if task else None
        self.task = TaskForm(data, organizations=organizations, initial=initial)
        self.skills = SkillWeightsForm(
            data, groups=groups, initial=skill_initial(task) if task else None
        )
        plan_kwargs: dict[str, Any] = {"prefix": MILESTONE_PREFIX}
        if data is None and task is not None:
            plan_kwargs["initial"] = plan_initial(task)
        self.plan = MilestonePlanFormSet(data, **plan_kwargs)
        self.plan_errors: list[str] = []
        self.skill_errors: list[str] = []

    def is_valid(self) -> bool:
        # Evaluate all three so every error shows at once.
        results = [self.task.is_valid(), self.skills.is_valid(), self.plan.is_valid()]
        return all(results)

    def apply(self, exc: DomainError) -> None:
        """Put a service's errors where they belong: the skills picker, the milestone plan,
        the task form's fields, or the top of the form."""
        fields = dict(exc.fields)
        self.plan_errors += [str(m) for m in fields.pop("milestones", [])]
        self.skill_errors += [str(m) for m in fields.pop("skills", [])]
        if fields or not (self.plan_errors or self.skill_errors):
            form_apply_domain_error(self.task, type(exc)(exc.message, code=exc.code, fields=fields))

    @property
    def has_errors(self) -> bool:
        return bool(
            self.task.errors
            or self.skills.errors
            or any(self.plan.errors)
            or self.plan.non_form_errors()
            or self.plan_errors
            or self.skill_errors
        )

    def check(self, *, step: int) -> dict[str, list[str]]:
        """Every error in steps 1..`step` (4: all), by field ("skills" and "milestones" for
        the picker and the plan): the forms' own checks, then the service's rules
        (tasks.services.task_fields_problems) on what the forms could read. A rule is
        applied only once the fields it compares are filled in and readable, so an empty
        later step never blames this one."""
        self.is_valid()
        errors: dict[str, list[str]] = {
            name: [str(m) for m in found] for name, found in self.task.errors.items()
        }
        if self.skills.errors:
            errors["skills"] = [str(m) for m in self.skills.non_field_errors()] or [
                str(m) for found in self.skills.errors.values() for m in found
            ]
        plan_messages = [str(m) for m in self.plan.non_form_errors()]
        for row in cast(list[dict[str, list[Any]]], self.plan.errors):
            plan_messages += [str(m) for found in row.values() for m in found]
        if plan_messages:
            errors["milestones"] = plan_messages
        cleaned = getattr(self.task, "cleaned_data", {})
        readable = {name for name in self.task.fields if name not in self.task.errors}
        if "skills" not in errors:
            readable.add("skills")
        if "milestones" not in errors:
            readable.add("milestones")
        now = timezone.now()
        placeholders: dict[str, Any] = {
            "kind": Task.Kind.values[0],
            "title": "-",
            "summary": "-",
            "description": "-" * 20,
            "budget_min": 1_000_00,
            "budget_max": 1_000_00,
            "currency": DEFAULT_CURRENCY,
            "bid_deadline": now + dt.timedelta(days=7),
            "delivery_deadline": (now + dt.timedelta(days=60)).date(),
            "region": "",
            "visibility": Task.Visibility.PUBLIC,
            "ip_terms": Task.IpTerms.TRANSFER,
            "ip_terms_custom": "",
        }
        fields = {
            name: cleaned.get(name) if name in readable and cleaned.get(name) is not None else value
            for name, value in placeholders.items()
        }
        fields["currency"] = DEFAULT_CURRENCY
        problems = task_services.task_fields_problems(
            skills=self.skills.weights() if "skills" in readable else {1: 1},
            milestones=self.plan.milestones() if "milestones" in readable else [],
            **fields,
        )
        for name, refusals in problems.items():
            needs = {name, *RULE_NEEDS.get(name, ())}
            if name not in errors and needs <= readable:
                errors[name] = refusals
        allowed = {name for n, names in STEP_FIELDS.items() if n <= step for name in names}
        return {name: messages for name, messages in errors.items() if name in allowed}

    def context(self) -> dict[str, Any]:
        return {
            "form": self.task,
            "skills_form": self.skills,
            "picker": self.skills.picker(),
            "plan": self.plan,
            "plan_errors": [*self.plan.non_form_errors(), *self.plan_errors],
            "skill_errors": [*self.skills.non_field_errors(), *self.skill_errors],
            "has_errors": self.has_errors,
        }


@login_required
def task_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    organizations = poster_organizations_for_user(user=user)
    if not organizations.exists():
        return render(request, "frontend/tasks/form.html", {"mode": "create", "no_org": True})
    if barred := black_list_entry_for(user=user):
        messages.error(
            request,
            _(
                "You are on the credit black list until %(date)s, so you cannot post tasks. "
                "You can appeal the entry here."
            )
            % {"date": date_format(barred.expires_at, "DATE_FORMAT")},
        )
        return redirect("frontend:credit_list_mine")
    if request.method == "POST":
        forms = TaskForms(request.POST, organizations=organizations)
        if forms.is_valid():
            try:
                task = task_services.task_create(
                    actor=user,
                    organization=forms.task.cleaned_data["organization"],
                    skills=forms.skills.weights(),
                    milestones=forms.plan.milestones(),
                    **forms.task.task_fields(),
                )
            except DomainError as exc:
                forms.apply(exc)
            else:
                messages.success(
                    request,
                    _(
                        "The draft is saved. Add files and invitations if you need them, "
                        "check it, then publish."
                    ),
                )
                return redirect("frontend:task_detail", task_id=task.pk)
    else:
        forms = TaskForms(organizations=organizations)
        forms.task.initial["organization"] = organizations.first()
    context = {"mode": "create", **forms.context()}
    return render(
        request, "frontend/tasks/form.html", context, status=400 if forms.has_errors else 200
    )


@login_required
@require_POST
def task_form_check(request: HttpRequest) -> JsonResponse:
    """The stepped form asks before moving on: the errors of steps 1..`step` of what is
    filled in, by field, with the messages a save would give (one set of rules, the
    server's). Nothing is written. Editing a draft and creating share it."""
    user = signed_in_user(request)
    try:
        step = max(1, min(4, int(request.POST.get("_step", "4"))))
    except ValueError:
        step = 4
    organizations = poster_organizations_for_user(user=user)
    if not organizations.exists():
        return JsonResponse(
            {"errors": {"__all__": [_("Register an organization before posting a task.")]}},
            status=403,
        )
    task_id = request.POST.get("_task", "")
    forms = TaskForms(request.POST, organizations=None if task_id else organizations)
    errors = forms.check(step=step)
    first = next(
        (n for n in (1, 2, 3) if any(name in errors for name in STEP_FIELDS[n])),
        None,
    )
    return JsonResponse({"ok": not errors, "errors": errors, "first_step": first})


@login_required
def task_edit(request: HttpRequest, task_id: int) -> HttpResponse:
    task = member_task_or_404(request, task_id)
    if not task_capabilities(user=request.user, task=task).edit:
        messages.error(
            request,
            _("Only a draft can be edited; this task is already %(state)s.")
            % {"state": task.get_status_display()},
        )
        return redirect("frontend:task_detail", task_id=task.pk)
    if request.method == "POST":
        forms = TaskForms(request.POST, task=task)
        if forms.is_valid():
            try:
                task_services.task_update(
                    actor=request.user,
                    task=task,
                    skills=forms.skills.weights(),
                    milestones=forms.plan.milestones(),
                    **forms.task.task_fields(),
                )
            except DomainError as exc:
                forms.apply(exc)
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("frontend:task_detail", task_id=task.pk)
    else:
        forms = TaskForms(task=task)
    context = {"mode": "edit", "task": task, **forms.context()}
    return render(
        request, "frontend/tasks/form.html", context, status=400 if forms.has_errors else 200
    )


@login_required
@require_POST
def task_publish(request: HttpRequest, task_id: int) -> HttpResponse:
    task = member_task_or_404(request, task_id)
    try:
        task = task_services.task_submit(actor=request.user, task=task)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if task.status == Task.Status.PENDING_REVIEW:
            messages.success(
                request,
                _(
                    "Sent for review. A moderator checks the task before it is public; "
                    "you will be notified."
                ),
            )
        else:
            messages.success(request, _("Published: providers can now find the task and bid."))
    return redirect("frontend:task_detail", task_id=task.pk)


# --- files ------------------------------------------------------------------------------------


@login_required
@require_POST
def task_attachment_add(request: HttpRequest, task_id: int) -> HttpResponse:
    task = member_task_or_404(request, task_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = task_services.task_attachment_add(
                actor=request.user,
                task=task,
                upload=form.cleaned_data["file"],
                confidential=form.cleaned_data["confidential"],
            )
        except ValidationFailed as exc:
            # The file checks (size, content, name) speak about the file: show them beside it.
            if exc.fields:
                form_apply_domain_error(form, exc)
            else:
                form.add_error("file", str(exc.message))
        except DomainError as exc:
            form_apply_domain_error(form, exc)
        else:
            messages.success(
                request, _("%(name)s is attached.") % {"name": attachment.original_name}
            )
            return redirect(reverse("frontend:task_detail", args=[task.pk]) + "#files")
    context = detail_context(request, task, attachment_form=form)
    return render(request, "frontend/tasks/detail.html", context, status=400)


@login_required
@require_POST
def task_attachment_remove(request: HttpRequest, task_id: int, attachment_id: int) -> HttpResponse:
    task = member_task_or_404(request, task_id)
    attachment = task.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        return redirect(reverse("frontend:task_detail", args=[task.pk]) + "#files")
    name = attachment.original_name
    try:
        task_services.task_attachment_remove(actor=request.user, attachment=attachment)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(name)s is removed.") % {"name": name})
    return redirect(reverse("frontend:task_detail", args=[task.pk]) + "#files")


# --- invitations ------------------------------------------------------------------------------


@login_required
def task_invite(request: HttpRequest, task_id: int) -> HttpResponse:
    """GET searches providers by name or number; POST invites one of them."""
    task = member_task_or_404(request, task_id)
    back = reverse("frontend:task_detail", args=[task.pk]) + "#invite"
    if request.method == "POST":
        try:
            provider_id = int(request.POST.get("provider", ""))
        except ValueError:
            return redirect(back)
        provider = get_or_404(
            provider_profile_get_public, user=request.user, profile_id=provider_id
        )
        try:
            task_services.task_invite_provider(actor=request.user, task=task, provider=provider)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request, _("%(name)s is invited to bid.") % {"name": provider.display_name}
            )
        return redirect(back)
    form = InviteSearchForm(request.GET)
    results: list[Any] = []
    if form.is_valid():
        invited = set(task.invitations.values_list("provider_id", flat=True))
        results = [
            (profile, profile.pk in invited)
            for profile in provider_profiles_search(query=form.cleaned_data["q"])
            if profile.organization_id != task.organization_id
        ]
    if is_htmx(request):
        return render(
            request,
            "frontend/tasks/_invite_results.html",
            {"task": task, "invite_results": results, "invite_form": form},
        )
    context = detail_context(request, task, invite_form=form, invite_results=results)
    return render(request, "frontend/tasks/detail.html", context)

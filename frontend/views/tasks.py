"""Tasks: browse, the task page, my organizations' tasks, NDA, files, cancelling.

Posting and editing live in task_posting.py. Every task is fetched through
tasks.selectors.task_get_for_user, so another organization's draft is a 404 like a wrong id.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from accounts.selectors import (
    black_list_entry_for,
    poster_organizations_for_user,
    skills_grouped,
    user_may_post,
)
from bids.models import Bid
from bids.negotiation.selectors import thread_of_bid, unread_by_bid
from bids.selectors import (
    bid_counts_for_tasks,
    bid_eligibility,
    bid_of_user_for_task,
    task_bid_summary,
)
from contracts.selectors import contracts_for_user, contracts_of_task
from frontend.forms_errors import form_apply_domain_error
from frontend.forms_talk import AnswerForm, ClarificationForm, QuestionForm
from frontend.forms_tasks import AttachmentForm, CancelForm, InviteSearchForm, TaskFilterForm
from frontend.views._helpers import get_or_404, is_htmx, paginate, signed_in_user
from marketplace.budgets import Budget
from marketplace.errors import DomainError
from marketplace.files import file_download
from tasks import services as task_services
from tasks.models import Task
from tasks.selectors import (
    favourite_task_ids,
    question_ask_refusal,
    task_attachment_get_for_user,
    task_attachments_for_user,
    task_can_read_details,
    task_capabilities,
    task_get_for_user,
    task_questions_for_user,
    task_skills,
    tasks_browse,
    tasks_of_organizations_for_user,
    user_is_invited,
)

BROWSE_PAGE_SIZE = 12


def task_or_404(request: HttpRequest, task_id: int) -> Task:
    return get_or_404(task_get_for_user, user=request.user, task_id=task_id)


def member_task_or_404(request: HttpRequest, task_id: int) -> Task:
    """A task for its poster's members only: to anyone else its private side does not exist."""
    task = task_or_404(request, task_id)
    if not task_capabilities(user=request.user, task=task).member:
        raise Http404
    return task


# --- browse -----------------------------------------------------------------------------------


# Hot paths: their budgets (tests/test_hot_path_budgets.py), SQL statements and Redis commands.
# The taxonomy comes from the cache (one GET).
# +1 since the role-aware navigation (issue 12). The page and its count read the tasks
# without DISTINCT (invitations are a subquery, not a join). −1: the profiles the viewer
# operates are a subquery of that read, not a statement before it.
BROWSE_PAGE_BUDGET = Budget(queries=10, redis=1)


def task_list(request: HttpRequest) -> HttpResponse:
    groups = skills_grouped()
    form = TaskFilterForm(request.GET or None, groups=groups)
    filters = form.filters() if form.is_bound and form.is_valid() else {}
    page = paginate(request, tasks_browse(user=request.user, **filters), BROWSE_PAGE_SIZE)
    counts = bid_counts_for_tasks(task_ids=[task.pk for task in page])
    context = {
        "form": form,
        "page_obj": page,
        "cards": [(task, counts.get(task.pk, 0)) for task in page],
        "favourite_ids": favourite_task_ids(user=request.user, task_ids=[t.pk for t in page]),
        "filtered": form.is_bound and form.is_valid() and form.is_filtered(),
        "can_post": user_may_post(user=request.user)
        and black_list_entry_for(user=request.user) is None,
    }
    if is_htmx(request):
        return render(request, "frontend/tasks/_results.html", context)
    return render(request, "frontend/tasks/list.html", context)


# --- the task page ----------------------------------------------------------------------------


def _lock_reason(request: HttpRequest, task: Task, can_read: bool) -> str:
    """Why the full description is hidden: "invitation", "nda" or "" when it is shown."""
    if can_read:
        return ""
    if task.visibility == Task.Visibility.INVITED and not user_is_invited(
        user=request.user, task=task
    ):
        return "invitation"
    return "nda"


def detail_context(request: HttpRequest, task: Task, **forms: Any) -> dict[str, Any]:
    """Everything the task page shows to this viewer; forms with errors can be passed in."""
    user = request.user
    capabilities = task_capabilities(user=user, task=task)
    is_member = capabilities.member
    can_read = task_can_read_details(user=user, task=task)
    # The viewer's own bid, read once: the page shows it and the bid summary asks whether
    # it is live (a rival's rounded range).
    bidder = getattr(user, "is_authenticated", False) and not is_member
    my_bid = bid_of_user_for_task(user=user, task=task) if bidder else None
    context: dict[str, Any] = {
        "task": task,
        "skills": task_skills(task=task),
        "plan": list(task.milestone_plan.all()),
        "attachments": task_attachments_for_user(user=user, task=task),
        "can_read": can_read,
        "lock_reason": _lock_reason(request, task, can_read),
        "nda_text": task_services.nda_text(),
        "summary": task_bid_summary(
            user=user,
            task=task,
            live_bidder=(my_bid is not None and my_bid.is_live) if bidder else None,
        ),
        "is_member": is_member,
        "is_moderator": capabilities.moderator,
        "capabilities": capabilities,
        "contract": None,
        "my_bid": None,
        "eligibility": None,
        "is_favourite": bool(favourite_task_ids(user=user, task_ids=[task.pk])),
        "questions": task_questions_for_user(user=user, task=task),
        "ask_refusal": question_ask_refusal(user=user, task=task),
        "question_form": forms.get("question_form") or QuestionForm(),
        "answer_form": AnswerForm(),
        "clarification_form": forms.get("clarification_form") or ClarificationForm(),
    }
    if is_member:
        context.update(
            can_manage=capabilities.manage,
            can_cancel=capabilities.cancel,
            can_edit=capabilities.edit,
            can_add_files=capabilities.add_files,
            can_remove_files=capabilities.remove_files,
            can_invite=capabilities.invite,
            invitations=list(
                task.invitations.select_related(
                    "provider", "provider__user", "provider__organization"
                ).order_by("created_at")
            ),
            attachment_form=forms.get("attachment_form") or AttachmentForm(),
            invite_form=forms.get("invite_form") or InviteSearchForm(),
            invite_results=forms.get("invite_results"),
            contract=next(iter(contracts_of_task(task=task)), None),
        )
    elif not getattr(user, "is_authenticated", False):
        if task.is_open:  # "sign in to bid" only where bidding is possible at all
            context["eligibility"] = bid_eligibility(user=user, task=task)
    else:
        context["my_bid"] = my_bid
        if my_bid is None or not my_bid.is_live:
            context["eligibility"] = bid_eligibility(user=user, task=task)
        if my_bid is not None and my_bid.status == Bid.Status.AWARDED:
            context["contract"] = my_bid.contracts.first()
        if my_bid is not None:
            thread = thread_of_bid(bid=my_bid)
            context["my_thread"] = thread
            context["my_unread"] = (
                unread_by_bid(user=user, bid_ids=[my_bid.pk]).get(my_bid.pk, 0) if thread else 0
            )
    return context


# +5 since issue 10 (the moderators' panel, the report link, the poster's red/black standing
# and "no history yet"). 21 → 17 (issue 13): the black list in one statement, the viewer's own
# bid read once (the bid summary asks it whether it is live), no NDA read the page never
# showed, and "may act for this profile" from the memberships in hand. 17 → 15: eligibility
# takes the operated profiles read once per request, and "suspend the poster" reads the poster
# only for a moderator who may.
TASK_PAGE_BUDGET = Budget(queries=15, redis=0)


def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = task_or_404(request, task_id)
    return render(request, "frontend/tasks/detail.html", detail_context(request, task))


@login_required
@require_POST
def task_nda_accept(request: HttpRequest, task_id: int) -> HttpResponse:
    task = task_or_404(request, task_id)
    try:
        task_services.task_nda_accept(user=request.user, task=task)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("You accepted the NDA; the full description is open to you."))
    return redirect("frontend:task_detail", task_id=task.pk)


def task_attachment_download(request: HttpRequest, task_id: int, attachment_id: int) -> Any:
    """A task's file as a download under its original name, never rendered or sniffed;
    confidential files only to those who may read the full description."""
    attachment = get_or_404(
        task_attachment_get_for_user, user=request.user, attachment_id=attachment_id
    )
    if attachment.task_id != task_id:
        raise Http404
    return file_download(
        stored=attachment.file, name=attachment.original_name, content_type=attachment.content_type
    )


@login_required
def task_cancel(request: HttpRequest, task_id: int) -> HttpResponse:
    task = member_task_or_404(request, task_id)
    user = signed_in_user(request)
    capabilities = task_capabilities(user=user, task=task)
    if not (capabilities.manage or capabilities.author):
        raise PermissionDenied
    if not capabilities.cancel:
        messages.error(request, _("This task can no longer be cancelled."))
        return redirect("frontend:task_detail", task_id=task.pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            task_services.task_cancel(actor=user, task=task, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form_apply_domain_error(form, exc)
        else:
            messages.success(request, _("The task is cancelled and its bidders are told."))
            return redirect("frontend:task_detail", task_id=task.pk)
    return render(
        request,
        "frontend/tasks/cancel.html",
        {"task": task, "form": form, "summary": task_bid_summary(user=user, task=task)},
        status=400 if form.errors else 200,
    )


# --- my organizations' tasks ------------------------------------------------------------------

S = Task.Status
# Tabs of "my organizations' tasks": a key, and the statuses (plain strings) it shows.
STATUS_GROUPS: dict[str, tuple[str, ...]] = {
    "draft": (S.DRAFT.value,),
    "review": (S.PENDING_REVIEW.value,),
    "open": (S.OPEN.value,),
    "closed": (S.CLOSED.value,),
    "work": (S.AWARDED.value, S.IN_PROGRESS.value),
    "ended": (S.COMPLETED.value, S.CANCELLED.value, S.EXPIRED.value),
}


@login_required
def task_mine(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    tasks = tasks_of_organizations_for_user(user=user)
    by_status = tasks.order_by().values("status").annotate(n=Count("id"))
    counts = {row["status"]: row["n"] for row in by_status}
    group = request.GET.get("status", "")
    if group in STATUS_GROUPS:
        tasks = tasks.filter(status__in=STATUS_GROUPS[group])
    else:
        group = ""
    page = paginate(request, tasks)
    ids = [task.pk for task in page]
    contracts = {c.task_id: c.pk for c in contracts_for_user(user=user).filter(task_id__in=ids)}
    bid_counts = bid_counts_for_tasks(task_ids=ids)
    rows = [(task, bid_counts.get(task.pk, 0), contracts.get(task.pk)) for task in page]
    labels = {
        "draft": _("Drafts"),
        "review": pgettext("tasks under moderation", "In review"),
        "open": _("Open"),
        "closed": _("Bidding closed"),
        "work": _("Awarded"),
        "ended": _("Ended"),
    }
    tabs = [("", _("All"), sum(counts.values()))] + [
        (key, labels[key], sum(counts.get(status, 0) for status in statuses))
        for key, statuses in STATUS_GROUPS.items()
    ]
    return render(
        request,
        "frontend/tasks/mine.html",
        {
            "page_obj": page,
            "rows": rows,
            "tabs": tabs,
            "group": group,
            "organizations": list(poster_organizations_for_user(user=user)),
        },
    )

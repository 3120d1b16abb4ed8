"""Contest pages: posting, the contest page (phase timeline, prize ladder, participants,
funding, registration, reviewers), the submission page, the reviewer's scorecard page and
the winners' publicity page with objections.

What a user may do is decided by contests.selectors.contest_capabilities and enforced by
contests.services; these views ask them, render, and turn domain errors into form errors or
messages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.selectors import poster_organizations_for_user, skills_grouped
from contests import selectors, services
from contests.models import Contest, Criterion
from frontend.forms_contests import (
    ContestForm,
    ObjectionForm,
    ReviewerForm,
    ScorecardForm,
    SubmissionForm,
    WinnersForm,
)
from frontend.forms_errors import form_apply_domain_error
from frontend.forms_tasks import SkillWeightsForm
from frontend.views._helpers import signed_in_user
from marketplace.errors import DomainError, NotAllowed, NotFound
from payments.selectors import task_pool_state


def _contest_or_404(request: HttpRequest, task_id: int) -> Contest:
    try:
        return selectors.contest_get_for_user(user=request.user, task_id=task_id)
    except NotFound:
        raise Http404 from None


def _base_context(request: HttpRequest, contest: Contest) -> dict[str, Any]:
    caps = selectors.contest_capabilities(user=request.user, contest=contest)
    public = selectors.winners_public(contest=contest)
    return {
        "contest": contest,
        "task": contest.task,
        "caps": caps,
        "timeline": selectors.contest_timeline(contest=contest),
        "prizes": list(contest.prizes.order_by("rank")),
        "criteria": list(contest.criteria.order_by("position")),
        "participants": selectors.contest_participant_count(contest=contest),
        "winners": selectors.contest_winners(contest=contest) if public or caps.member else [],
        "winners_public": public,
    }


@login_required
def contest_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    organizations = poster_organizations_for_user(user=user)
    if not organizations.exists():
        return redirect("frontend:task_create")
    form = ContestForm(request.POST or None, organizations=organizations)
    skills = SkillWeightsForm(request.POST or None, groups=skills_grouped())
    skill_errors: list[str] = []
    status = 200
    if request.method == "POST":
        valid = [form.is_valid(), skills.is_valid()]
        if all(valid):
            try:
                contest = services.contest_create(
                    actor=user,
                    organization=form.cleaned_data["organization"],
                    skills=skills.weights(),
                    **form.contest_fields(),
                )
            except DomainError as exc:
                skill_errors = [str(m) for m in exc.fields.pop("skills", [])]
                if exc.fields or not skill_errors:
                    form_apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "The contest is saved as a draft. Check it, then submit it and fund "
                        "the prize."
                    ),
                )
                return redirect("frontend:contest_detail", task_id=contest.task_id)
        status = 400
    else:
        form.initial["organization"] = organizations.first()
    return render(
        request,
        "frontend/contests/form.html",
        {
            "form": form,
            "picker": skills.picker(),
            "skill_errors": [*skills.non_field_errors(), *skill_errors],
        },
        status=status,
    )


def contest_detail(request: HttpRequest, task_id: int, forms: Any = None, status: int = 200) -> Any:
    contest = _contest_or_404(request, task_id)
    context = _base_context(request, contest)
    caps = context["caps"]
    if caps.member:
        context["pool"] = task_pool_state(task_id=contest.task_id)
        context["reviewers"] = list(selectors.contest_reviewers(contest=contest))
        context["reviewer_form"] = (forms or {}).get("reviewer") or ReviewerForm()
    context["invitation"] = selectors.reviewer_invitation_for(user=request.user, contest=contest)
    if request.user.is_authenticated and not caps.entry and not caps.member:
        context["eligibility"], _provider = selectors.contest_eligibility(
            user=request.user, contest=contest
        )
    return render(request, "frontend/contests/detail.html", context, status=status)


_ACTIONS = {
    "submit": (
        lambda user, contest: services.contest_submit(actor=user, contest=contest),
        gettext_lazy("The contest waits for its prize: pay it into escrow to open it."),
    ),
    "fund": (
        lambda user, contest: services.contest_fund_start(actor=user, contest=contest),
        gettext_lazy(
            "The prize payment is on its way; the contest opens when the escrow holds it."
        ),
    ),
    "register": (
        lambda user, contest: services.contest_register(actor=user, contest=contest),
        gettext_lazy("You are registered. Submit your solution before the deadline."),
    ),
}


@login_required
@require_POST
def contest_action(request: HttpRequest, task_id: int, action: str) -> HttpResponse:
    contest = _contest_or_404(request, task_id)
    if action == "reviewer":
        form = ReviewerForm(request.POST)
        if form.is_valid():
            try:
                services.contest_reviewer_add(
                    actor=request.user,
                    contest=contest,
                    user=selectors.reviewer_candidate_by_email(email=form.cleaned_data["email"]),
                )
            except NotAllowed:
                raise PermissionDenied from None
            except DomainError as exc:
                form_apply_domain_error(form, exc)
            else:
                messages.success(request, _("The reviewer is added."))
                return redirect("frontend:contest_detail", task_id=task_id)
        return contest_detail(request, task_id, forms={"reviewer": form}, status=400)
    if action == "accept_review":
        invitation = selectors.reviewer_invitation_for(user=request.user, contest=contest)
        if invitation is None:
            raise Http404
        call: Any = lambda user, c: services.contest_reviewer_accept(  # noqa: E731
            actor=user, reviewer=invitation
        )
        done = _("You review this contest. You score the submissions once review begins.")
    elif action == "cancel":
        reason = request.POST.get("reason", "")
        call = lambda user, c: services.contest_cancel(  # noqa: E731
            actor=user, contest=c, reason=reason
        )
        done = _("The contest is cancelled. Any prize paid into escrow returns to you in full.")
    elif action in _ACTIONS:
        call, text = _ACTIONS[action]
        done = str(text)
    else:
        raise Http404
    try:
        call(request.user, contest)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("frontend:contest_detail", task_id=task_id)


@login_required
def contest_submit(request: HttpRequest, task_id: int) -> HttpResponse:
    contest = _contest_or_404(request, task_id)
    context = _base_context(request, contest)
    caps = context["caps"]
    if caps.entry is None:
        messages.error(request, _("Register for the contest before you submit."))
        return redirect("frontend:contest_detail", task_id=task_id)
    form = SubmissionForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.contest_submission_create(
                    actor=request.user,
                    contest=contest,
                    title=form.cleaned_data["title"],
                    note=form.cleaned_data["note"],
                    files=form.cleaned_data["attachments"],
                )
            except DomainError as exc:
                form_apply_domain_error(form, exc)
            else:
                messages.success(
                    request, _("Your submission is received and sealed until the announcement.")
                )
                return redirect("frontend:contest_submit", task_id=task_id)
        status = 400
    context["form"] = form
    context["mine"] = list(
        selectors.contest_submissions_for_user(user=request.user, contest=contest).filter(
            entry=caps.entry
        )
    )
    return render(request, "frontend/contests/submit.html", context, status=status)


@login_required
def contest_review(request: HttpRequest, task_id: int) -> HttpResponse:
    contest = _contest_or_404(request, task_id)
    context = _base_context(request, contest)
    caps = context["caps"]
    if not (caps.member or caps.reviewer):
        raise Http404
    criteria: list[Criterion] = context["criteria"]
    submissions = list(selectors.contest_submissions_for_user(user=request.user, contest=contest))
    cards = list(selectors.scorecards_for_user(user=request.user, contest=contest))
    mine = {c.submission_id for c in cards if caps.reviewer and c.reviewer_id == caps.reviewer.pk}
    status = 200
    posted = request.POST.get("submission") if request.method == "POST" else None
    forms: dict[int, ScorecardForm] = {}
    for sub in submissions:
        if caps.score and sub.pk not in mine:
            data = request.POST if posted == str(sub.pk) else None
            forms[sub.pk] = ScorecardForm(data, criteria=criteria, prefix=f"s{sub.pk}")
    if posted is not None and posted.isdigit() and int(posted) in forms:
        form = forms[int(posted)]
        if form.is_valid():
            try:
                services.scorecard_submit(
                    actor=request.user,
                    contest=contest,
                    submission_id=int(posted),
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as exc:
                form_apply_domain_error(form, exc)
            else:
                messages.success(request, _("Your scorecard is saved."))
                return redirect("frontend:contest_review", task_id=task_id)
        status = 400
    elif request.method == "POST" and posted is not None:
        messages.error(request, _("Only the contest's reviewers can fill in scorecards."))
        status = 403
    complete = selectors.scorecards_complete(contest=contest)
    ranking = selectors.contest_ranking(contest=contest) if complete else []
    winners_form = None
    if caps.confirm_winners and ranking:
        winners_form = WinnersForm(
            request.POST if request.POST.get("confirm") else None,
            ranks=len(context["prizes"]),
            choices=[
                (str(row.submission.pk), f"{row.submission.title} · {row.score}") for row in ranking
            ],
            initial={
                f"rank{i}": str(row.submission.pk)
                for i, row in enumerate(ranking[: len(context["prizes"])], start=1)
                if row.qualifies(contest.pass_mark)
            },
        )
        if request.POST.get("confirm"):
            if winners_form.is_valid():
                try:
                    services.contest_winners_confirm(
                        actor=request.user,
                        contest=contest,
                        submission_ids=winners_form.submission_ids(),
                        reason=winners_form.cleaned_data["reason"],
                    )
                except DomainError as exc:
                    form_apply_domain_error(winners_form, exc)
                else:
                    messages.success(request, _("The winners are public for the objection window."))
                    return redirect("frontend:contest_publicity", task_id=task_id)
            status = 400
    context.update(
        {
            "rows": [(sub, forms.get(sub.pk)) for sub in submissions],
            "cards": cards,
            "scored": mine,
            "complete": complete,
            "ranking": ranking,
            "winners_form": winners_form,
            "expected": selectors.scorecards_expected(contest=contest),
        }
    )
    return render(request, "frontend/contests/review.html", context, status=status)


def contest_publicity(request: HttpRequest, task_id: int) -> HttpResponse:
    contest = _contest_or_404(request, task_id)
    context = _base_context(request, contest)
    caps = context["caps"]
    form = ObjectionForm(request.POST or None) if caps.object else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.objection_file(
                    actor=request.user, contest=contest, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                form_apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Your objection is filed. The prizes wait until a moderator decides it."),
                )
                return redirect("frontend:contest_publicity", task_id=task_id)
        status = 400
    context["form"] = form
    context["objections"] = list(
        selectors.contest_objections_for_user(user=request.user, contest=contest)
    )
    return render(request, "frontend/contests/publicity.html", context, status=status)

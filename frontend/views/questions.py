"""The questions section of the task page: ask, answer, clarify, hide (each a POST that comes
back to the task page; a form with errors is shown there again)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontend.forms_errors import form_apply_domain_error
from frontend.forms_talk import AnswerForm, ClarificationForm, HideForm, QuestionForm
from frontend.views._helpers import get_or_404
from frontend.views.tasks import detail_context, task_or_404
from marketplace.errors import DomainError, NotAllowed
from tasks import services
from tasks.selectors import task_question_get_for_user


def _back(task_id: int, anchor: str = "questions") -> HttpResponse:
    return redirect(f"{reverse('frontend:task_detail', args=[task_id])}#{anchor}")


def _again(request: HttpRequest, task: Any, exc: DomainError, **forms: Any) -> HttpResponse:
    status = 403 if isinstance(exc, NotAllowed) else 400
    return render(
        request, "frontend/tasks/detail.html", detail_context(request, task, **forms), status=status
    )


@login_required
@require_POST
def question_ask(request: HttpRequest, task_id: int) -> HttpResponse:
    task = task_or_404(request, task_id)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            question = services.task_question_ask(
                actor=request.user, task=task, body=form.cleaned_data["body"]
            )
        except DomainError as exc:
            form_apply_domain_error(form, exc)
            return _again(request, task, exc, question_form=form)
        messages.success(
            request, _("Your question is sent. It becomes public when the poster answers it.")
        )
        return _back(task.pk, f"q-{question.pk}")
    return render(
        request,
        "frontend/tasks/detail.html",
        detail_context(request, task, question_form=form),
        status=400,
    )


@login_required
@require_POST
def question_clarify(request: HttpRequest, task_id: int) -> HttpResponse:
    task = task_or_404(request, task_id)
    form = ClarificationForm(request.POST)
    if form.is_valid():
        try:
            services.task_clarification_post(
                actor=request.user, task=task, body=form.cleaned_data["body"]
            )
        except DomainError as exc:
            form_apply_domain_error(form, exc)
            return _again(request, task, exc, clarification_form=form)
        messages.success(request, _("The clarification is published; bidders are told."))
        return _back(task.pk)
    return render(
        request,
        "frontend/tasks/detail.html",
        detail_context(request, task, clarification_form=form),
        status=400,
    )


@login_required
@require_POST
def question_answer(request: HttpRequest, question_id: int) -> HttpResponse:
    question = get_or_404(task_question_get_for_user, user=request.user, question_id=question_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the answer."))
        return _back(question.task_id, f"q-{question.pk}")
    try:
        services.task_question_answer(
            actor=request.user, question=question, answer=form.cleaned_data["answer"]
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Answered. The question and answer are public now."))
    return _back(question.task_id, f"q-{question.pk}")


@login_required
@require_POST
def question_hide(request: HttpRequest, question_id: int) -> HttpResponse:
    question = get_or_404(task_question_get_for_user, user=request.user, question_id=question_id)
    form = HideForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.task_question_hide(actor=request.user, question=question, reason=reason)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The question is hidden."))
    return _back(question.task_id)


@login_required
@require_POST
def question_show(request: HttpRequest, question_id: int) -> HttpResponse:
    question = get_or_404(task_question_get_for_user, user=request.user, question_id=question_id)
    try:
        services.task_question_show(actor=request.user, question=question)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The question is shown again."))
    return _back(question.task_id, f"q-{question.pk}")

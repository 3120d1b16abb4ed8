"""Public questions on a task (提问/答疑): a provider asks, the poster's members answer or
post a clarification for all, a moderator hides what does not belong there."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace import notifications
from marketplace.audit import audit_record
from marketplace.errors import (
    Conflict,
    FieldErrors,
    InvalidTransition,
    NotAllowed,
    ValidationFailed,
)
from marketplace.permissions import require_active_user
from tasks.models import Task, TaskQuestion
from tasks.selectors import question_ask_refusal, task_capabilities
from tasks.services.reports import reports_close_on_hidden

QUESTION_MAX = 2000
ANSWER_MAX = 4000
QUESTION_MIN = 5


def _text(field: str, value: str, *, maximum: int, empty: str) -> str:
    errors = FieldErrors()
    text = (value or "").strip()
    if len(text) < QUESTION_MIN:
        errors.add(field, empty)
    elif len(text) > maximum:
        errors.add(field, _("Keep it to %(n)d characters.") % {"n": maximum})
    errors.raise_if_any()
    return text


def _require_under_rate(actor: Any) -> None:
    """At most QUESTIONS_PER_HOUR questions per person across all tasks (stored rows count,
    so the limit holds across processes and without Redis)."""
    limit = settings.MARKETPLACE["QUESTIONS_PER_HOUR"]
    since = timezone.now() - dt.timedelta(hours=1)
    if TaskQuestion.objects.filter(asked_by=actor, created_at__gte=since).count() >= limit:
        raise ValidationFailed(
            _("You have asked %(n)d questions in the last hour. Please wait a little.")
            % {"n": limit},
            code="rate_limited",
        )


def task_question_ask(*, actor: Any, task: Task, body: str) -> TaskQuestion:
    """A provider asks the poster a question; it is public once answered, its asker never
    named to rivals."""
    require_active_user(actor)
    text = _text("body", body, maximum=QUESTION_MAX, empty=_("Write your question."))
    with transaction.atomic():
        task = Task.objects.select_related("organization").get(pk=task.pk)
        refusal = question_ask_refusal(user=actor, task=task)
        if refusal:
            raise NotAllowed(refusal)
        _require_under_rate(actor)
        question = TaskQuestion.objects.create(task=task, asked_by=actor, body=text)
        audit_record(
            actor=actor, action="task.question_ask", target=question, data={"task": task.pk}
        )
        notifications.schedule("task_question_asked", question.pk)
    return question


def task_question_answer(*, actor: Any, question: TaskQuestion, answer: str) -> TaskQuestion:
    """A poster's member answers once; the question and answer become public to everyone who
    can see the task, and its bidders are told."""
    require_active_user(actor)
    text = _text("answer", answer, maximum=ANSWER_MAX, empty=_("Write the answer."))
    with transaction.atomic():
        question = (
            TaskQuestion.objects.select_for_update(of=("self",))
            .select_related("task", "task__organization")
            .get(pk=question.pk)
        )
        capabilities = task_capabilities(user=actor, task=question.task)
        if not capabilities.member:
            raise NotAllowed(_("Only the poster's members can answer questions."))
        if question.kind != TaskQuestion.Kind.QUESTION or question.hidden_at is not None:
            raise InvalidTransition(_("This question cannot be answered."))
        if question.answered_at is not None:
            raise Conflict(_("This question has already been answered."), code="already_answered")
        if not capabilities.answer_questions:
            raise InvalidTransition(_("This task no longer takes questions."))
        question.answer = text
        question.answered_by = actor
        question.answered_at = timezone.now()
        question.save(update_fields=["answer", "answered_by", "answered_at"])
        audit_record(actor=actor, action="task.question_answer", target=question)
        notifications.schedule("task_question_answered", question.pk)
    return question


def task_clarification_post(*, actor: Any, task: Task, body: str) -> TaskQuestion:
    """A poster's member posts a clarification for everyone; bidders are told."""
    require_active_user(actor)
    text = _text("body", body, maximum=ANSWER_MAX, empty=_("Write the clarification."))
    with transaction.atomic():
        task = Task.objects.select_related("organization").get(pk=task.pk)
        capabilities = task_capabilities(user=actor, task=task)
        if not capabilities.member:
            raise NotAllowed(_("Only the poster's members can post clarifications."))
        if not capabilities.clarify:
            raise InvalidTransition(_("This task no longer takes questions."))
        clarification = TaskQuestion.objects.create(
            task=task,
            kind=TaskQuestion.Kind.CLARIFICATION,
            asked_by=actor,
            body=text,
        )
        audit_record(actor=actor, action="task.clarification", target=clarification)
        notifications.schedule("task_clarified", clarification.pk)
    return clarification


def task_question_hide(*, actor: Any, question: TaskQuestion, reason: str) -> TaskQuestion:
    """A moderator hides a question (or clarification) from everyone but moderators."""
    require_active_user(actor)
    with transaction.atomic():
        question = (
            TaskQuestion.objects.select_for_update(of=("self",))
            .select_related("task", "task__organization")
            .get(pk=question.pk)
        )
        if not task_capabilities(user=actor, task=question.task).hide_questions:
            raise NotAllowed(_("Only moderators can hide questions."))
        if question.hidden_at is not None:
            raise Conflict(_("This question is already hidden."), code="already_hidden")
        question.hidden_at = timezone.now()
        question.hidden_by = actor
        question.hidden_reason = (reason or "").strip()[:500]
        question.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        audit_record(
            actor=actor,
            action="task.question_hide",
            target=question,
            data={"reason": question.hidden_reason},
        )
        reports_close_on_hidden(
            moderator=actor, kind="question", object_id=question.pk, note=question.hidden_reason
        )
    return question


def task_question_show(*, actor: Any, question: TaskQuestion) -> TaskQuestion:
    """A moderator shows a hidden question again; the reason stays in the audit trail."""
    require_active_user(actor)
    with transaction.atomic():
        question = (
            TaskQuestion.objects.select_for_update(of=("self",))
            .select_related("task", "task__organization")
            .get(pk=question.pk)
        )
        if not task_capabilities(user=actor, task=question.task).hide_questions:
            raise NotAllowed(_("Only moderators can show hidden questions."))
        if question.hidden_at is None:
            raise Conflict(_("This question is not hidden."), code="not_hidden")
        previous = question.hidden_reason
        question.hidden_at = None
        question.hidden_by = None
        question.hidden_reason = ""
        question.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        audit_record(
            actor=actor,
            action="task.question_show",
            target=question,
            data={"previous_reason": previous},
        )
    return question

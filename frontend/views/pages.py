"""The home page and the signed-in user's dashboard."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import (
    notifications_for_user,
    notifications_unread_count,
    provider_profile_for_user,
    skills_grouped,
)
from frontend import selectors

try:  # the tasks app provides this selector once public tasks exist
    from tasks.selectors import tasks_public_latest  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on the tasks app's progress
    tasks_public_latest = None

HOME_TASKS = 6


def _categories() -> list[dict[str, Any]]:
    """Each category with its counts and the first few of its skills."""
    skills_by_category = {category.pk: skills for category, skills in skills_grouped()}
    return [
        {"category": category, "skills": skills_by_category.get(category.pk, [])[:6]}
        for category in selectors.skill_categories_with_counts()
    ]


def home(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "counts": selectors.platform_counts(),
        "categories": _categories(),
        "providers": selectors.providers_recent(limit=6),
        "latest_tasks": tasks_public_latest(limit=HOME_TASKS) if tasks_public_latest else None,
    }
    return render(request, "frontend/home.html", context)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    memberships = list(selectors.memberships_for_user(user=user))
    profile = provider_profile_for_user(user=user)
    verification = selectors.verification_latest_for_user(user=user)
    steps = {
        "organization": bool(memberships),
        "provider": profile is not None,
        "verified": user.is_real_name_verified,
    }
    context = {
        "memberships": memberships,
        "profile": profile,
        "verification": verification,
        "notifications": list(notifications_for_user(user=user, unread_only=True)[:5]),
        "unread_count": notifications_unread_count(user=user),
        "steps": steps,
        "steps_done": sum(steps.values()),
        "steps_total": len(steps),
    }
    return render(request, "frontend/dashboard.html", context)

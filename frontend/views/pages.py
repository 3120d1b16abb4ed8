"""The home page and the signed-in user's dashboard."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import (
    memberships_read,
    notifications_for_user,
    provider_profiles_operated,
    skills_grouped,
    verification_latest_for_user,
)
from bids.selectors import bid_counts_for_tasks
from frontend import selectors
from frontend.onboarding import checklists_for
from frontend.views import search as search_views
from frontend.views._helpers import signed_in_user
from marketplace.budgets import Budget
from tasks.selectors import favourite_task_ids, tasks_public_latest

HOME_TASKS = 6


def _categories(categories: list[Any]) -> list[dict[str, Any]]:
    """Each category with its counts and the first few of its skills."""
    skills_by_category = {category.pk: skills for category, skills in skills_grouped()}
    return [
        {"category": category, "skills": skills_by_category.get(category.pk, [])[:6]}
        for category in categories
    ]


def home(request: HttpRequest) -> HttpResponse:
    figures = selectors.home_counts()  # the same for everyone: from the cache
    context: dict[str, Any] = {
        "counts": figures["counts"],
        "categories": _categories(figures["categories"]),
        "providers": selectors.providers_recent(limit=6),
    }
    latest = tasks_public_latest(limit=HOME_TASKS)
    counts = bid_counts_for_tasks(task_ids=[task.pk for task in latest])
    context["latest_tasks"] = [(task, counts.get(task.pk, 0)) for task in latest]
    context["favourite_ids"] = favourite_task_ids(
        user=request.user, task_ids=[task.pk for task in latest]
    )
    return render(request, "frontend/home.html", context)


# A hot path: its budget (tests/test_hot_path_budgets.py), SQL statements and Redis commands.
# 45 → 41: the checklists take the memberships and the verification request the page has read,
# and the contract card's capabilities ask the memberships read once per request. 41 → 21: the
# memberships (with their organizations) and the operated provider profiles (with their person
# and firm) are each read once per request and shared by the checklists, the for-you feed and
# the credit card (accounts.selectors.memberships_read, provider_profiles_operated), the
# profiles' verification is decided from what came with them, and the feed leaves out what
# the profile bid on and the black-listed organizations' tasks in one statement.
DASHBOARD_BUDGET = Budget(queries=21, redis=0)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    memberships = memberships_read(user=user)
    operated = provider_profiles_operated(user=user)
    profile = next((p for p in operated if p.user_id == user.pk), None)
    verification = verification_latest_for_user(user=user)
    context = {
        "memberships": memberships,
        "profile": profile,
        "verification": verification,
        "notifications": list(notifications_for_user(user=user, unread_only=True)[:5]),
        "checklists": [
            c
            for c in checklists_for(user=user, memberships=memberships, verification=verification)
            if not c.complete
        ],
        "for_you": search_views.for_you(request, operated) if user.takes_work else [],
    }
    return render(request, "frontend/dashboard.html", context)

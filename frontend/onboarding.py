"""The onboarding checklist: what a new poster or provider does first, in order.

A poster registers an organization, has it verified, then posts a first task; a provider sets
up a profile, adds skills, verifies their real name, then places a first bid. Each step is
read from the owning app's selectors (nothing is stored about the checklist itself), so a
step is done exactly when the thing exists. A person whose role is "both" sees both lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User, VerificationRequest
from accounts.selectors import (
    memberships_read,
    provider_profiles_operated,
    verification_latest_for_organization,
    verification_latest_for_user,
)
from bids.selectors import bids_of_user
from tasks.models import Task
from tasks.selectors import tasks_of_organizations_for_user

POSTING_KINDS = (Organization.Kind.ENTERPRISE, Organization.Kind.GOVERNMENT)


@dataclass(frozen=True)
class Step:
    key: str
    title: str | Promise
    text: str | Promise
    done: bool
    action_url: str = ""
    action_label: str | Promise = ""
    # Submitted and waiting for staff: shown instead of the action.
    pending: bool = False


@dataclass(frozen=True)
class Checklist:
    role: str  # "poster" or "provider"
    title: str | Promise
    steps: list[Step]

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return self.done_count == len(self.steps)

    @property
    def next_step(self) -> Step | None:
        return next((step for step in self.steps if not step.done), None)


# "Not read yet" for the checklists' inputs a page may already hold (None is an answer).
UNREAD: Any = object()


def poster_checklist(*, user: Any, memberships: list[Any] | None = None) -> Checklist:
    if memberships is None:
        memberships = memberships_read(user=user)
    posting = [m for m in memberships if m.organization.kind in POSTING_KINDS]
    organization = posting[0].organization if posting else None
    verified = any(m.organization.is_verified for m in posting)
    pending = False
    if organization is not None and not verified:
        latest = verification_latest_for_organization(organization=organization)
        pending = latest is not None and latest.status == VerificationRequest.Status.PENDING
    posted = (
        tasks_of_organizations_for_user(user=user).exclude(status=Task.Status.DRAFT).exists()
        if posting
        else False
    )
    steps = [
        Step(
            "organization",
            _("Register your organization"),
            _("Tasks are posted by an enterprise or a government unit; you act as its member."),
            bool(posting),
            reverse("frontend:org_create"),
            _("Register"),
        ),
        Step(
            "org_verification",
            _("Verify the organization"),
            _(
                "The unified social credit code and licence, checked by staff; "
                "providers trust verified posters."
            ),
            verified,
            reverse("frontend:verify_organization", args=[organization.slug])
            if organization
            else "",
            _("Verify"),
            pending=pending,
        ),
        Step(
            "first_task",
            _("Post your first task"),
            _("Describe the work, the skills, the budget and the milestones, step by step."),
            posted,
            reverse("frontend:task_create") if posting else "",
            _("Post a task"),
        ),
    ]
    return Checklist("poster", _("Getting started as a poster"), steps)


def provider_checklist(*, user: Any, verification: Any = UNREAD) -> Checklist:
    profiles = provider_profiles_operated(user=user)
    profile = next((p for p in profiles if p.user_id == user.pk), profiles[0] if profiles else None)
    has_skills = profile is not None and profile.skill_levels.exists()
    verified = user.is_real_name_verified or any(p.is_verified for p in profiles)
    if verified:
        latest = None
    elif verification is UNREAD:
        latest = verification_latest_for_user(user=user)
    else:
        latest = verification
    pending = latest is not None and latest.status == VerificationRequest.Status.PENDING
    bid = bids_of_user(user=user).exists() if profiles else False
    edit_url = reverse("frontend:provider_edit")
    steps = [
        Step(
            "profile",
            _("Set up your provider profile"),
            _("A headline, what you do, your day rate and availability."),
            profile is not None,
            edit_url,
            _("Set up"),
        ),
        Step(
            "skills",
            _("Add your skills"),
            _("Skills with levels are how tasks find you and how posters compare bids."),
            has_skills,
            edit_url + "#skills",
            _("Add skills"),
        ),
        Step(
            "verification",
            _("Verify your real name"),
            _("Required to bid on verified-only tasks and to be paid."),
            verified,
            reverse("frontend:verify_person"),
            _("Verify"),
            pending=pending,
        ),
        Step(
            "first_bid",
            _("Place your first bid"),
            _("Find an open task that fits your skills and send an amount, a plan and milestones."),
            bid,
            reverse("frontend:task_list"),
            _("Find tasks"),
        ),
    ]
    return Checklist("provider", _("Getting started as a provider"), steps)


def checklists_for(
    *, user: Any, memberships: list[Any] | None = None, verification: Any = UNREAD
) -> list[Checklist]:
    """The user's checklists by role, poster's first. A page that has read the user's
    memberships (with their organizations) or latest verification request passes them."""
    lists = []
    if user.role in (User.Role.POSTER, User.Role.BOTH):
        lists.append(poster_checklist(user=user, memberships=memberships))
    if user.role in (User.Role.PROVIDER, User.Role.BOTH):
        lists.append(provider_checklist(user=user, verification=verification))
    return lists

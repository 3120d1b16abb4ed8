"""Factories for tasks: an open task with skills and a milestone plan by default.

task = TaskFactory()                              # open, public, poster org with an owner
task = TaskFactory(status=Task.Status.DRAFT)
task = TaskFactory(visibility=Task.Visibility.VERIFIED, nda_required=True)
owner = task_owner(task)                          # the poster organization's owner
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Membership, Organization, User
from tasks.models import Task, TaskMilestonePlan, TaskSkill
from tests.accounts.factories import OrganizationFactory, SkillFactory, UserFactory


class TaskFactory(DjangoModelFactory):
    class Meta:
        model = Task
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory, owner=factory.SubFactory(UserFactory))
    created_by = factory.LazyAttribute(lambda o: task_owner_of(o.organization))
    kind = Task.Kind.RD_SOLUTION
    title = factory.Sequence(lambda n: f"机器视觉缺陷检测方案 {n}")
    summary = "为冲压件表面缺陷检测设计机器视觉方案，并在试验线上验证。"
    description = "## 需求\n检测划伤、凹坑与油污，节拍 6 秒。\n\n## 交付\n方案、代码与验证报告。"
    budget_min = 50_000_00
    budget_max = 80_000_00
    currency = "CNY"
    bid_deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=10))
    delivery_deadline = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=90))
    region = "500112"
    visibility = Task.Visibility.PUBLIC
    ip_terms = Task.IpTerms.TRANSFER
    status = Task.Status.OPEN
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def skills(obj: Task, create: bool, extracted: dict[str, int] | None, **kwargs: Any) -> None:
        if not create:
            return
        for slug, weight in (extracted or {"machine-vision": 5, "embedded-development": 3}).items():
            TaskSkill.objects.create(task=obj, skill=SkillFactory(slug=slug), weight=weight)

    @factory.post_generation
    def plan(
        obj: Task, create: bool, extracted: list[tuple[str, int, int]] | None, **kwargs: Any
    ) -> None:
        if not create:
            return
        rows = extracted or [("方案设计", 4000, 30), ("实施与验证", 6000, 80)]
        for position, (title, share, days) in enumerate(rows, start=1):
            TaskMilestonePlan.objects.create(
                task=obj, position=position, title=title, share_bps=share, due_days=days
            )


def task_owner_of(organization: Organization) -> User:
    membership = (
        Membership.objects.filter(organization=organization, role=Membership.Role.OWNER)
        .select_related("user")
        .first()
    )
    if membership is None:
        user = UserFactory()
        Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
        return user
    return membership.user


def task_owner(task: Task) -> User:
    """The owner of the task's poster organization."""
    return task_owner_of(task.organization)

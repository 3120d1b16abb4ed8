"""The demo's piece-work task, built through the piece-work services: funded on the
sandbox, units claimed by three providers, some delivered, one accepted and paid, one
rejected with a reason, one accepted by silence, one waiting in the poster's review queue.

Silence is the beat job's move: the delivery's review date is passed as `now` to
unit_auto_accept, exactly as the job does when the time comes. Idempotent: a task whose
title exists is left as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from piecework.models import Terms
from piecework.services import (
    piecework_claim,
    piecework_create,
    piecework_deliver,
    piecework_fund_start,
    piecework_funding_arrived,
    piecework_submit,
    unit_accept,
    unit_auto_accept,
    unit_reject,
)

DAY = dt.timedelta(days=1)
TITLE = "计件：轴承表面缺陷图像标注（演示）"
POSTER = "chen.wei@yuxin-auto.demo"
# (provider, units claimed, units delivered)
WORKERS = [
    ("wang.fang@provider.demo", 3, 3),
    ("li.ming@provider.demo", 2, 1),
    ("emma.clarke@provider.demo", 1, 0),
]


def _labels(number: int) -> SimpleUploadedFile:
    body = f'{{"images": 50, "set": {number}, "format": "COCO"}}\n'
    return SimpleUploadedFile(f"labels-{number}.txt", body.encode(), content_type="text/plain")


def seed_piecework(
    *,
    users: dict[str, Any],
    orgs: dict[str, Any],
    skills: dict[str, int],
    log: Callable[[str], None],
) -> Terms:
    existing = Terms.objects.filter(task__title=TITLE).first()
    if existing is not None:
        return existing
    poster = users[POSTER]
    terms = piecework_create(
        actor=poster,
        organization=orgs["yuxin"],
        kind="engineering",
        title=TITLE,
        summary="为视觉检测模型标注轴承表面缺陷图像，按套计件，每套 50 张。",
        description=(
            "## 要求\n按标注规范框出划痕、凹坑与锈斑，COCO 格式交付。\n\n"
            "## 验收\n每套抽检 10 张，框选准确率不低于 98%；3 天内未处理视为验收通过。"
        ),
        skills={skills[s]: 4 for s in ("machine-vision",) if s in skills},
        unit_name="一套标注图像（50 张）",
        unit_description="50 张轴承表面图像的缺陷框标注（划痕、凹坑、锈斑），COCO JSON。",
        unit_price=300_00,
        units_total=12,
        per_provider_cap=4,
        review_days=3,
        closes_at=timezone.now() + 20 * DAY,
    )
    piecework_submit(actor=poster, terms=terms)
    piecework_fund_start(actor=poster, terms=terms)
    piecework_funding_arrived(task_id=terms.task_id)
    number = 0
    deliveries = []
    for email, claimed, delivered in WORKERS:
        piecework_claim(actor=users[email], terms=terms, units=claimed)
        for _n in range(delivered):
            number += 1
            deliveries.append(
                piecework_deliver(
                    actor=users[email],
                    terms=terms,
                    note=f"第 {number} 套标注完成，已自检。",
                    files=[_labels(number)],
                )
            )
    first, second, third, fourth = deliveries
    unit_accept(actor=poster, delivery=first)
    unit_reject(
        actor=poster, delivery=second, reason="第 12、37 张漏标了凹坑，请补标后重新领取交付。"
    )
    unit_auto_accept(delivery_id=third.pk, now=third.review_due_at)
    # The fourth (李明's) waits in the review queue.
    assert fourth.status == fourth.Status.PENDING
    terms.refresh_from_db()
    log(f"piecework {TITLE}: open, 1 accepted, 1 by silence, 1 rejected, 1 waiting")
    return terms

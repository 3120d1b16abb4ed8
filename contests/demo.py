"""The demo's contests, one in each phase, built through the contest services.

The services refuse dates in the past (a poster cannot open a contest that already closed),
so each contest is posted with dates from now, moved through its phases by passing `now` to
the phase services (what the beat job does when the time comes), and then its five dates
are shifted back together so that the phase it is in is the one the calendar shows. Only the
dates are written directly; every state and every money move goes through the services.
Idempotent: a contest whose task title exists is left as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contests.models import Contest, Criterion, Objection, Submission
from contests.services import (
    contest_close_submissions,
    contest_create,
    contest_fund_start,
    contest_funding_arrived,
    contest_pay,
    contest_register,
    contest_reviewer_accept,
    contest_reviewer_add,
    contest_submission_create,
    contest_submit,
    contest_winners_confirm,
    objection_decide,
    objection_file,
    scorecard_submit,
)

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
PHASE_FIELDS = ("registration_opens", "submission_closes", "review_closes", "objection_closes",
                "announce_at")  # fmt: skip

DESCRIPTION = (
    "## 题目\n{problem}\n\n## 提交\n方案说明（PDF 或 TXT）与可复现的验证结果。\n\n"
    "## 评审\n按公布的评分标准加权打分，公示期内参赛者可提出质疑。"
)

# (key, phase, org, author, title, problem, prizes in yuan, criteria, guaranteed)
CONTESTS = [
    (
        "draft",
        "draft",
        "yuxin",
        "chen.wei@yuxin-auto.demo",
        "揭榜挂帅：固态电池界面阻抗建模（演示）",
        "建立固态电池正极/电解质界面阻抗随循环演化的模型，并给出实验验证方案。",
        [300000, 100000],
        [("模型精度", 50), ("物理可解释性", 30), ("验证方案", 20)],
        True,
    ),
    (
        "open",
        "open",
        "yuxin",
        "chen.wei@yuxin-auto.demo",
        "悬赏：冲压件表面缺陷检测算法（演示）",
        "在 6 秒节拍内识别冲压件表面的划伤、凹坑与油污，误检率低于 1%。",
        [60000, 30000, 10000],
        [("准确率", 60), ("节拍", 25), ("可部署性", 15)],
        True,
    ),
    (
        "review",
        "review",
        "shancheng",
        "liu.yang@shancheng-home.demo",
        "悬赏：净化器风道降噪设计（演示）",
        "在风量不降低的前提下，将家用净化器高档噪声降低 3 dB(A)。",
        [20000, 20000],
        [("降噪效果", 60), ("成本", 40)],
        False,
    ),
    (
        "publicity",
        "publicity",
        "yuxin",
        "chen.wei@yuxin-auto.demo",
        "揭榜挂帅：电驱系统啸叫识别（演示）",
        "从台架振动与噪声数据中识别电驱啸叫阶次，并给出抑制建议。",
        [50000, 20000],
        [("识别准确率", 70), ("报告质量", 30)],
        True,
    ),
    (
        "paid",
        "paid",
        "shancheng",
        "liu.yang@shancheng-home.demo",
        "悬赏：智能家居面板外观设计（演示）",
        "为新一代智能家居控制面板设计外观与交互方案，兼顾老年用户。",
        [30000, 10000],
        [("美观", 40), ("易用性", 40), ("可制造性", 20)],
        True,
    ),
]
SOLVERS = ["wang.fang@provider.demo", "li.ming@provider.demo", "emma.clarke@provider.demo"]
EXPERT = "sun.li@yunjiang.demo"


def _report(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def _shift(contest: Contest, delta: dt.timedelta) -> None:
    """Move the five phase dates together (see the module docstring)."""
    Contest.objects.filter(pk=contest.pk).update(
        **{name: getattr(contest, name) - delta for name in PHASE_FIELDS}
    )


def seed_contests(
    *,
    users: dict[str, Any],
    orgs: dict[str, Any],
    skills: dict[str, int],
    log: Callable[[str], None],
) -> dict[str, Contest]:
    made: dict[str, Contest] = {}
    for key, phase, org_key, author, title, problem, prizes, criteria, guaranteed in CONTESTS:
        existing = Contest.objects.filter(task__title=title).first()
        if existing is not None:
            made[key] = existing
            continue
        now = timezone.now()
        poster = users[author]
        contest = contest_create(
            actor=poster,
            organization=orgs[org_key],
            kind="rd_solution",
            title=title,
            summary=problem[:120],
            description=DESCRIPTION.format(problem=problem),
            skills={skills[s]: 4 for s in ("machine-vision", "machine-learning") if s in skills},
            prize_total=sum(prizes) * 100,
            prizes=[p * 100 for p in prizes],
            criteria=criteria,
            registration_opens=now,
            submission_closes=now + 2 * HOUR,
            review_closes=now + 3 * DAY,
            objection_closes=now + 6 * DAY,
            announce_at=now + 6 * DAY + HOUR,
            guaranteed=guaranteed,
            return_fee_bps=0 if guaranteed else 500,
            pass_mark=0 if guaranteed else 60,
        )
        made[key] = contest
        log(f"contest {title}: {phase}")
        if phase == "draft":
            continue
        contest_submit(actor=poster, contest=contest)
        contest_fund_start(actor=poster, contest=contest)
        contest_funding_arrived(task_id=contest.task_id)
        contest.refresh_from_db()
        member = contest_reviewer_add(actor=poster, contest=contest, user=poster)
        expert = contest_reviewer_add(actor=poster, contest=contest, user=users[EXPERT])
        contest_reviewer_accept(actor=users[EXPERT], reviewer=expert)
        entrants = SOLVERS if phase != "open" else SOLVERS[:2]
        subs: list[Submission] = []
        for number, email in enumerate(entrants, start=1):
            contest_register(actor=users[email], contest=contest)
            if phase == "open" and number == 2:
                break  # registered, not yet submitted
            subs.append(
                contest_submission_create(
                    actor=users[email],
                    contest=contest,
                    title=f"方案 {number}：{title[:12]}",
                    note="方案说明、验证数据与复现步骤见附件。",
                    files=[_report(f"solution-{number}.txt", f"{title}\n方案 {number}\n")],
                )
            )
        if phase == "open":
            continue
        contest_close_submissions(contest_id=contest.pk, now=contest.submission_closes)
        marks = [(90, 85, 80), (75, 70, 80), (60, 65, 55)]
        order = list(Criterion.objects.filter(contest=contest).order_by("position"))
        for reviewer in (member, expert):
            for sub, values in zip(subs, marks, strict=False):
                if phase == "review" and reviewer is expert:
                    break  # the expert has not scored yet
                scorecard_submit(
                    actor=reviewer.user,
                    contest=contest,
                    submission_id=sub.pk,
                    scores={c.pk: v for c, v in zip(order, values, strict=False)},
                )
        if phase == "review":
            _shift(contest, 3 * HOUR)
            continue
        confirmed_at = contest.submission_closes + HOUR
        contest_winners_confirm(
            actor=poster,
            contest=contest,
            submission_ids=[s.pk for s in subs[:2]],
            now=confirmed_at,
        )
        contest.refresh_from_db()
        if phase == "publicity":
            # Into the objection window: review closed a day ago.
            _shift(contest, contest.review_closes - now + DAY)
            continue
        objection = objection_file(
            actor=users[SOLVERS[2]],
            contest=contest,
            reason="第二名方案的可制造性评分偏高，请复核评分依据。",
            now=confirmed_at,
        )
        objection_decide(
            actor=users["wu.min@zhongbao.demo"],
            objection=objection,
            upheld=False,
            note="评分记录完整，与公布的标准一致，驳回。",
        )
        contest_pay(contest_id=contest.pk, now=contest.announce_at)
        contest.refresh_from_db()
        _shift(contest, contest.announce_at - now + DAY)
        assert Objection.objects.filter(contest=contest).exists()
    return made

"""Building the demo world through the real services, so demo data obeys every product rule.

Idempotent: each person, organization, task, bid, question, negotiation, award, delivery and
review is looked up before it is created, so running the seed again changes nothing that exists.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts import services as accounts_services
from accounts.apps import MODERATOR_GROUP
from accounts.models import (
    CreditListEntry,
    Organization,
    PortfolioEntry,
    ProviderProfile,
    ProviderSkill,
    Skill,
    User,
    VerificationRequest,
)
from accounts.validators import id_check_character, uscc_check_character
from bids import services as bid_services
from bids.models import Bid, NegotiationMessage, NegotiationThread
from bids.negotiation import services as negotiation_services
from contracts import services as contract_services
from contracts.models import Contract, Milestone, Review
from disputes import services as dispute_services
from disputes.apps import MEDIATOR_GROUP
from disputes.models import Dispute
from marketplace.demo import data, pictures
from marketplace.money import Money
from marketplace.terms import MilestoneTerms
from payments.apps import FINANCE_GROUP
from payments.gateway import gateway
from payments.models import ConnectedAccount, Voucher, VoucherProgramme
from payments.services import escrow_fund, escrow_fund_start
from payments.services.connect import payout_account_open, payout_account_sandbox_activate
from payments.services.vouchers import voucher_issue, voucher_programme_create
from tasks import selectors as task_selectors
from tasks import services as task_services
from tasks.models import Report, Task, TaskQuestion


def demo_id_number(seq: int) -> str:
    """A well-formed but plainly fictitious resident ID number (born 1 January 1900)."""
    first17 = f"50010319000101{seq:03d}"
    return first17 + id_check_character(first17)


def demo_credit_code(body: str) -> str:
    """A well-formed 统一社会信用代码 for a demo organization (17 characters + check)."""
    return body + uscc_check_character(body)


class DemoSeeder:
    def __init__(self, log: Callable[[str], None]) -> None:
        self.log = log
        self.users: dict[str, User] = {}
        self.orgs: dict[str, Organization] = {}
        self.providers: dict[str, ProviderProfile] = {}
        self.tasks: dict[str, Task] = {}
        self.skills = {s.slug: s.pk for s in Skill.objects.all()}

    # --- people and organizations -----------------------------------------------------------
    def people(self) -> None:
        for email, name, language, staff in data.PEOPLE:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email,
                    password=data.DEMO_PASSWORD,
                    name=name,
                    language=language,
                    is_staff=staff,
                    is_superuser=staff,
                )
                self.log(f"user {email}")
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            role = data.ROLES.get(email, User.Role.BOTH)
            if user.role != role:
                user = accounts_services.user_profile_update(
                    user=user, name=user.name or name, language=user.language, role=role
                )
            self.users[email] = user
        self.admin = self.users[data.PEOPLE[0][0]]
        # Staff roles are groups; each app gives its group the permissions after every migrate.
        self.staff_join("finance", data.FINANCE_STAFF)
        self.staff_join(MEDIATOR_GROUP, data.MEDIATOR_STAFF)

    def staff_join(self, group_name: str, emails: list[str]) -> None:
        group, _created = Group.objects.get_or_create(name=group_name)
        for email in emails:
            user = self.users[email]
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            user.groups.add(group)

    def organizations(self) -> None:
        for key, owner, name, kind, region, description in data.ORGANIZATIONS:
            org = Organization.objects.filter(name=name).first()
            if org is None:
                org = accounts_services.organization_create(
                    actor=self.users[owner], name=name, kind=kind, region=region,
                    description=description,
                )  # fmt: skip
                self.log(f"organization {name}")
            self.orgs[key] = org
        codes = {
            "yuxin": demo_credit_code("91500112MA60XK1Q7"),
            "shancheng": demo_credit_code("91500107MA61LP3C2"),
            "yubei": demo_credit_code("11500112MB1955287"),
            "yujian": demo_credit_code("92500106MA7H8N4R0"),
        }
        for key, code in codes.items():
            org = self.orgs[key]
            if org.is_verified:
                continue
            org_owner = self.users[next(o[1] for o in data.ORGANIZATIONS if o[0] == key)]
            request = VerificationRequest.objects.filter(
                organization=org, status=VerificationRequest.Status.PENDING
            ).first() or accounts_services.verification_submit_organization(
                actor=org_owner, organization=org, legal_name=org.name, credit_code=code,
                documents={"licence": pictures.business_licence(org.name, code)},
            )  # fmt: skip
            accounts_services.verification_approve(reviewer=self.admin, request=request)
        self.pending_organization()

    def pending_organization(self) -> None:
        """An enterprise whose verification waits in the moderators' queue, licence attached."""
        email, name, kind, region, description, body = data.PENDING_ORGANIZATION
        owner = self.users[email]
        org = Organization.objects.filter(name=name).first()
        if org is None:
            org = accounts_services.organization_create(
                actor=owner, name=name, kind=kind, region=region, description=description
            )
            self.log(f"organization {name}")
        if not VerificationRequest.objects.filter(organization=org).exists():
            code = demo_credit_code(body)
            accounts_services.verification_submit_organization(
                actor=owner, organization=org, legal_name=name, credit_code=code,
                documents={"licence": pictures.business_licence(name, code)},
            )  # fmt: skip
            self.log(f"verification waiting: {name}")

    def provider_profiles(self) -> None:
        for owner, headline, bio, rate, region, years, skills in data.PROVIDERS:
            if owner.startswith("org:"):
                org = self.orgs[owner[4:]]
                actor = self.users[next(o[1] for o in data.ORGANIZATIONS if o[0] == owner[4:])]
                profile = ProviderProfile.objects.filter(organization=org).first()
            else:
                org = None
                actor = self.users[owner]
                profile = ProviderProfile.objects.filter(user=actor).first()
            if profile is None:
                profile = accounts_services.provider_profile_save(
                    actor=actor, organization=org, headline=headline, bio=bio, day_rate=rate,
                    region=region, years_experience=years,
                )  # fmt: skip
                accounts_services.provider_skills_set(
                    actor=actor, profile=profile,
                    skills={self.skills[slug]: level for slug, level in skills.items()},
                )  # fmt: skip
                self.log(f"provider {profile.display_name}")
            self.providers[owner] = profile
        # Real-name verification: two individuals verified, one still pending.
        for seq, email in enumerate(["li.ming@provider.demo", "wang.fang@provider.demo"], start=1):
            user = self.users[email]
            if user.is_real_name_verified:
                continue
            request = VerificationRequest.objects.filter(
                submitted_by=user, status=VerificationRequest.Status.PENDING
            ).first() or accounts_services.verification_submit_person(
                user=user, legal_name=user.name, id_number=demo_id_number(seq),
                documents=self._id_documents(user.name),
            )  # fmt: skip
            accounts_services.verification_approve(reviewer=self.admin, request=request)
        emma = self.users["emma.clarke@provider.demo"]
        if not VerificationRequest.objects.filter(submitted_by=emma).exists():
            accounts_services.verification_submit_person(
                user=emma, legal_name="Emma Clarke", id_number=demo_id_number(3),
                documents=self._id_documents("Emma Clarke"),
            )  # fmt: skip

    @staticmethod
    def _id_documents(name: str) -> dict[str, Any]:
        return {
            "id_front": pictures.id_document(name, "front"),
            "id_back": pictures.id_document(name, "back"),
        }

    def moderators(self) -> None:
        """Moderator staff join the "moderator" group (accounts and tasks give it its
        permissions after every migrate)."""
        self.staff_join(MODERATOR_GROUP, data.MODERATOR_STAFF)

    def credit_list(self) -> None:
        """A black-listed provider who appealed, and a red-listed micro-firm."""
        email, headline, bio = data.BLACK_LISTED_PROVIDER
        person = self.users[email]
        if not ProviderProfile.objects.filter(user=person).exists():
            accounts_services.provider_profile_save(
                actor=person, organization=None, headline=headline, bio=bio, day_rate=80_000,
                region="500103", years_experience=6,
            )  # fmt: skip
            self.log(f"provider {person.name}")
        moderator = self.users[data.MODERATOR_STAFF[0]]
        now = timezone.now()
        for party, kind, reason, evidence, days in data.CREDIT_LIST:
            who, key = party.split(":", 1)
            target = (
                {"user": self.users[key]} if who == "user" else {"organization": self.orgs[key]}
            )
            if CreditListEntry.objects.filter(kind=kind, **target).exists():
                continue
            accounts_services.credit_list_add(
                actor=moderator, kind=kind, reason=reason, evidence=evidence,
                starts_at=now - dt.timedelta(days=3), expires_at=now + dt.timedelta(days=days),
                **target,
            )  # fmt: skip
            self.log(f"credit list: {kind} {key}")
        email, statement = data.CREDIT_APPEAL
        appellant = self.users[email]
        entry = CreditListEntry.objects.filter(user=appellant, kind="black").first()
        if entry is not None and not entry.appeals.exists():
            accounts_services.credit_appeal_file(actor=appellant, entry=entry, statement=statement)
            self.log(f"credit list appeal by {email}")

    # --- pictures, portfolios and favourites --------------------------------------------------
    def pictures(self) -> None:
        for email, colour in data.AVATARS:
            user = self.users[email]
            if not user.avatar:
                accounts_services.user_avatar_set(
                    user=user, upload=pictures.avatar(colour, "avatar.png")
                )
                self.log(f"avatar {email}")
        for key, colour in data.LOGOS:
            org = self.orgs[key]
            if not org.logo:
                owner = self.users[next(o[1] for o in data.ORGANIZATIONS if o[0] == key)]
                accounts_services.organization_logo_set(
                    actor=owner, organization=org, upload=pictures.logo(colour, "logo.png")
                )
                self.log(f"logo {org.name}")

    def _drawing(self, name: str) -> SimpleUploadedFile:
        if name.startswith("weld-"):
            return pictures.weld_inspection(int(name.split("-")[1]))
        if name == "product-teal":
            return pictures.product_render((49, 151, 149), "purifier-teal.png")
        if name == "product-coral":
            return pictures.product_render((229, 115, 96), "purifier-coral.png")
        return pictures.emc_chamber()

    def portfolios(self) -> None:
        for owner, title, description, year, client, skills, images, report in data.PORTFOLIO:
            profile = self.providers[owner]
            actor = self._actor_for(owner)
            if PortfolioEntry.objects.filter(profile=profile, title=title).exists():
                continue
            own_skills = set(
                ProviderSkill.objects.filter(profile=profile).values_list("skill_id", flat=True)
            )
            entry = accounts_services.portfolio_entry_create(
                actor=actor, profile=profile, title=title, description=description, year=year,
                client=client,
                skill_ids=[self.skills[s] for s in skills if self.skills[s] in own_skills],
            )  # fmt: skip
            for name in images:
                accounts_services.portfolio_file_add(
                    actor=actor, entry=entry, upload=self._drawing(name)
                )
            if report:
                accounts_services.portfolio_file_add(actor=actor, entry=entry, upload=_report_pdf())
            self.log(f"portfolio {profile.display_name}: {title}")

    def favourites(self) -> None:
        for email, target in data.FAVOURITES:
            user = self.users[email]
            kind, key = target.split(":", 1)
            if kind == "task":
                task = task_selectors.task_get_for_user(user=user, task_id=self.tasks[key].pk)
                task_services.task_favourite_add(user=user, task=task)
            else:
                accounts_services.provider_favourite_add(user=user, profile=self.providers[key])

    # --- innovation vouchers -----------------------------------------------------------------
    def vouchers(self) -> None:
        """The district's programme, issued by finance staff, and one voucher per holder."""
        issuer_key, name, budget, face, share, kinds = data.VOUCHER_PROGRAMME
        issuer = self.orgs[issuer_key]
        finance = self.users[data.FINANCE_STAFF[0]]
        programme = VoucherProgramme.objects.filter(issuer=issuer, name=name).first()
        if programme is None:
            today = timezone.localdate()
            programme = voucher_programme_create(
                actor=finance, issuer=issuer, name=name, budget=Money(budget),
                face_value=Money(face), valid_from=today - dt.timedelta(days=60),
                valid_until=today + dt.timedelta(days=365), eligible_kinds=kinds,
                max_share_bps=share,
            )  # fmt: skip
            self.log(f"voucher programme {name}")
        self.programme = programme
        for key in data.VOUCHER_HOLDERS:
            org = self.orgs[key]
            if not Voucher.objects.filter(programme=programme, organization=org).exists():
                voucher_issue(actor=finance, programme=programme, organization=org)
                self.log(f"voucher for {org.name}")

    def _voucher_of(self, org_key: str) -> Voucher | None:
        return Voucher.objects.filter(
            programme=self.programme, organization=self.orgs[org_key]
        ).first()

    # --- tasks, bids and contracts ------------------------------------------------------------
    def task_list(self) -> None:
        now = timezone.now()
        for row in data.TASKS:
            (key, org_key, author, kind, title, summary, description, (low, high), bid_days,
             delivery_days, region, visibility, ip_terms, nda, skills, plan) = row  # fmt: skip
            org = self.orgs[org_key]
            task = Task.objects.filter(organization=org, title=title).first()
            if task is None:
                task = task_services.task_create(
                    actor=self.users[author], organization=org, kind=kind, title=title,
                    summary=summary, description=description, budget_min=low, budget_max=high,
                    bid_deadline=now + dt.timedelta(days=bid_days),
                    delivery_deadline=timezone.localdate(now) + dt.timedelta(days=delivery_days),
                    region=region, visibility=visibility, ip_terms=ip_terms,
                    ip_terms_custom=(
                        "运营期间产生的数据归委托方所有；平台软件著作权归服务商，委托方享有永久免费使用权。"
                        if ip_terms == "custom" else ""
                    ),
                    nda_required=nda,
                    skills={self.skills[slug]: weight for slug, weight in skills.items()},
                    milestones=[
                        MilestoneTerms(title=t, share_bps=bps, due_days=days)
                        for t, bps, days in plan
                    ],
                )  # fmt: skip
                self._attach_brief(task, author)
                task_services.task_submit(actor=self.users[author], task=task)
                task.refresh_from_db()
                if (
                    task.status == Task.Status.PENDING_REVIEW
                    and key not in data.TASKS_LEFT_IN_REVIEW
                ):
                    task_services.task_moderation_approve(moderator=self.admin, task=task)
                self.log(f"task {title}")
            self.tasks[key] = task

    def _attach_brief(self, task: Task, author: str) -> None:
        brief = io.BytesIO()
        brief.write(f"{task.title}\n\n{task.summary}\n\n{task.description}\n".encode())
        upload = SimpleUploadedFile("brief.md", brief.getvalue(), content_type="text/markdown")
        task_services.task_attachment_add(
            actor=self.users[author], task=task, upload=upload, confidential=task.nda_required
        )

    def _actor_for(self, owner: str) -> User:
        if owner.startswith("org:"):
            return self.users[next(o[1] for o in data.ORGANIZATIONS if o[0] == owner[4:])]
        return self.users[owner]

    def bid_list(self) -> None:
        for task_key, owner, amount, days, proposal, milestones in data.BIDS:
            task = Task.objects.get(pk=self.tasks[task_key].pk)
            provider = self.providers[owner]
            if Bid.objects.filter(task=task, provider=provider).exists():
                continue
            if task.status != Task.Status.OPEN:
                continue
            bid_services.bid_place(
                actor=self._actor_for(owner), task=task, provider=provider, amount=amount,
                duration_days=days, proposal=proposal,
                milestones=[
                    MilestoneTerms(title=t, amount=a, due_days=d)
                    for t, a, d in milestones
                ],
            )  # fmt: skip
            self.log(f"bid {provider.display_name} → {task.title}")

    def questions(self) -> None:
        """Questions on open tasks, most of them answered, and a poster's clarification."""
        for key, asker, body, answerer, answer in data.QUESTIONS:
            task = Task.objects.get(pk=self.tasks[key].pk)
            question = TaskQuestion.objects.filter(task=task, body=body).first()
            if question is None:
                if task.status != Task.Status.OPEN:
                    continue
                question = task_services.task_question_ask(
                    actor=self.users[asker], task=task, body=body
                )
            if answer and question.answered_at is None:
                task_services.task_question_answer(
                    actor=self.users[answerer], question=question, answer=answer
                )
        for key, author, body in data.CLARIFICATIONS:
            task = Task.objects.get(pk=self.tasks[key].pk)
            if (
                task.status == Task.Status.OPEN
                and not TaskQuestion.objects.filter(task=task, body=body).exists()
            ):
                task_services.task_clarification_post(
                    actor=self.users[author], task=task, body=body
                )

    def reports(self) -> None:
        """Reports waiting for the moderators (found by reporter and object, so none twice)."""
        for reporter, kind, (task_key, text), reason, details in data.REPORTS:
            task = self.tasks[task_key]
            target: Any = task
            if kind == "question":
                target = TaskQuestion.objects.filter(task=task, body=text).first()
            if (
                target is None
                or Report.objects.filter(
                    reporter=self.users[reporter], kind=kind, object_id=target.pk
                ).exists()
            ):
                continue
            task_services.report_file(
                reporter=self.users[reporter], kind=kind, object_id=target.pk, reason=reason,
                details=details,
            )  # fmt: skip
            self.log(f"report {kind} #{target.pk}")

    def message_reports(self) -> None:
        """A negotiation message reported, for the moderator to hide (none twice)."""
        for reporter, task_key, text, reason, details in data.MESSAGE_REPORTS:
            message = NegotiationMessage.objects.filter(
                thread__bid__task=self.tasks[task_key], body=text
            ).first()
            if (
                message is None
                or Report.objects.filter(
                    reporter=self.users[reporter], kind="message", object_id=message.pk
                ).exists()
            ):
                continue
            task_services.report_file(
                reporter=self.users[reporter], kind="message", object_id=message.pk,
                reason=reason, details=details,
            )  # fmt: skip
            self.log(f"report message #{message.pk}")

    def negotiations(self) -> None:
        """A negotiation per entry: messages, the poster's offer, the provider's counter-offer,
        accepted by the poster (so the award that follows uses it)."""
        for key, owner, poster, talk, offer, counter, accept in data.NEGOTIATIONS:
            bid = Bid.objects.filter(task=self.tasks[key], provider=self.providers[owner]).first()
            if bid is None or NegotiationThread.objects.filter(bid=bid).exists() or not bid.is_live:
                continue
            thread, _created = negotiation_services.thread_open(actor=self.users[poster], bid=bid)
            for n, (who, body) in enumerate(talk):
                negotiation_services.message_post(
                    actor=self._actor_for(who),
                    thread=thread,
                    body=body,
                    client_id=f"demo-{key}-{n}",
                )
            for who, terms in ((poster, offer), (owner, counter)):
                if terms is None:
                    continue
                amount, days, rows = terms
                posted = negotiation_services.offer_make(
                    actor=self._actor_for(who), thread=thread, amount=amount, duration_days=days,
                    milestones=[MilestoneTerms(title=t, amount=a, due_days=d) for t, a, d in rows],
                )  # fmt: skip
            if accept and posted.message.offer is not None:
                negotiation_services.offer_accept(
                    actor=self.users[poster], offer=posted.message.offer
                )
                negotiation_services.message_post(
                    actor=self.users[poster], thread=thread, body="同意这个报价，我们马上安排定标。"
                )
            self.log(f"negotiated {bid.task.title}")

    def award(
        self, task_key: str, owner: str, poster: str, *, fund: bool = True,
        voucher: Voucher | None = None,
    ) -> Contract | None:  # fmt: skip
        task = self.tasks[task_key]
        contract = Contract.objects.filter(task=task).first()
        if contract is not None:
            return contract
        bid = Bid.objects.filter(task=task, provider=self.providers[owner]).first()
        if bid is None or not bid.is_live:
            return None
        contract = contract_services.contract_award(actor=self.users[poster], bid=bid)
        if fund and voucher is not None:
            # Half by the poster's innovation voucher, the rest through the gateway.
            escrow_fund_start(actor=self.users[poster], contract=contract, voucher_id=voucher.pk)
        elif fund:
            # Through the payments gateway (the sandbox on embedded defaults), so the escrow is
            # in the ledger and accepted milestones are released to the provider's earnings.
            escrow_fund(actor=self.users[poster], contract=contract)
        self.log(f"awarded {task.title}")
        return contract

    def deliver(self, contract: Contract, owner: str, positions: list[int]) -> None:
        for milestone in contract.milestones.filter(position__in=positions).order_by("position"):
            if milestone.status != Milestone.Status.FUNDED:
                continue
            report = SimpleUploadedFile(
                f"milestone-{milestone.position}.txt",
                f"{milestone.title}\n交付说明与成果文件清单。\n".encode(),
                content_type="text/plain",
            )
            contract_services.milestone_submit(
                actor=self._actor_for(owner), milestone=milestone,
                note=f"{milestone.title}：成果已上传，请验收。", files=[report],
            )  # fmt: skip

    def accept_all(self, contract: Contract, poster: str) -> None:
        for milestone in contract.milestones.order_by("position"):
            milestone.refresh_from_db()
            if milestone.status == Milestone.Status.SUBMITTED:
                contract_services.milestone_accept(actor=self.users[poster], milestone=milestone)

    def reviews(self, contract: Contract, poster: str, owner: str) -> None:
        contract.refresh_from_db()
        if contract.status != Contract.Status.COMPLETED:
            return
        if not Review.objects.filter(contract=contract, side=Review.Side.POSTER).exists():
            contract_services.review_submit(
                actor=self.users[poster], contract=contract, rating=5, quality=5,
                communication=5, timeliness=4,
                comment="方案扎实，CMF 建议很专业，手板一次通过跌落测试。",
            )  # fmt: skip
        if not Review.objects.filter(contract=contract, side=Review.Side.PROVIDER).exists():
            contract_services.review_submit(
                actor=self._actor_for(owner), contract=contract, rating=5, quality=5,
                communication=5, timeliness=5, comment="需求清晰，验收及时，合作愉快。",
            )  # fmt: skip

    # --- payouts and finance ------------------------------------------------------------------
    def payouts(self, owner: str, *, activate: bool) -> None:
        """Open the provider's payout account in the sandbox, and activate it when asked (the
        sandbox payouts form), so releases to them are paid out rather than left pending."""
        if gateway().name != "sandbox":
            return  # with Stripe, providers onboard on Stripe's own pages
        provider = self.providers[owner]
        account = ConnectedAccount.objects.filter(provider=provider).first()
        if account is not None and (account.transfers_active or not activate):
            return
        actor = self._actor_for(owner)
        if activate:
            payout_account_sandbox_activate(
                actor=actor, provider=provider, holder_name=provider.display_name
            )
        else:
            payout_account_open(actor=actor, provider=provider)
        self.log(f"payouts {provider.display_name}: {'active' if activate else 'opened'}")

    def finance_group(self) -> None:
        """The admin joins the finance group (payments.apps makes it after every migrate):
        card disputes and reconciliation mismatches are told to finance staff."""
        self.admin.groups.add(Group.objects.get(name=FINANCE_GROUP))

    def run(self) -> None:
        with transaction.atomic():
            self.people()
            self.organizations()
            self.provider_profiles()
            self.task_list()
            self.bid_list()
            self.pictures()
            self.portfolios()
            self.favourites()
            self.finance_group()
            self.moderators()
            self.credit_list()
            self.vouchers()
            self.questions()
            self.reports()
            self.negotiations()
            self.message_reports()
        # Contracts: one completed with reviews and paid out (half of it by an innovation
        # voucher, so the programme has claims), one in progress with a delivery in review, one
        # awaiting funding, where the poster can apply its own voucher.
        # 王芳 set up payouts: her accepted milestones are transferred at once. 李明 has not
        # yet, so a release to him waits as a pending payout until he uses the sandbox form;
        # Emma Clarke started and has not finished.
        self.payouts("wang.fang@provider.demo", activate=True)
        self.payouts("emma.clarke@provider.demo", activate=False)
        purifier = self.award(
            "purifier", "wang.fang@provider.demo", "liu.yang@shancheng-home.demo",
            voucher=self._voucher_of("shancheng"),
        )  # fmt: skip
        if purifier is not None:
            self.deliver(purifier, "wang.fang@provider.demo", [1, 2, 3])
            self.accept_all(purifier, "liu.yang@shancheng-home.demo")
            self.reviews(purifier, "liu.yang@shancheng-home.demo", "wang.fang@provider.demo")
        ce = self.award("ce", "org:yujian", "liu.yang@shancheng-home.demo")
        if ce is not None:
            self.deliver(ce, "org:yujian", [1])
        nvh = self.award("nvh", "emma.clarke@provider.demo", "chen.wei@yuxin-auto.demo")
        if nvh is not None:
            self.disputes(nvh, "emma.clarke@provider.demo", "chen.wei@yuxin-auto.demo")
        # One awarded and waiting for its escrow: the poster funds it in the sandbox and follows
        # it through delivery, acceptance and release to the provider's earnings.
        self.award("weld", "li.ming@provider.demo", "chen.wei@yuxin-auto.demo", fund=False)
        self.saved_searches()
        # Contests, one in each phase (draft, open, review, publicity, paid), through the
        # contest services (王芳's prize is paid out at once; 李明's waits for his payouts).
        from contests.demo import seed_contests

        seed_contests(users=self.users, orgs=self.orgs, skills=self.skills, log=self.log)
        # One piece-work task: funded, units claimed by three providers, one accepted, one
        # rejected with a reason, one accepted by silence, one waiting for review.
        from piecework.demo import seed_piecework

        seed_piecework(users=self.users, orgs=self.orgs, skills=self.skills, log=self.log)
        # Search's copies (the database backend's, and Elasticsearch's when configured) made
        # equal to what was just written, whether Celery ran the indexing or not.
        from search.indexing import repair_all

        repair_all()

    def disputes(self, contract: Contract, owner: str, poster: str) -> None:
        """One dispute decided and executed (a 60/40 split), one gathering evidence, each
        through the disputes services; a milestone that already has one is left as it is."""
        mediator = self.users[data.MEDIATOR_STAFF[0]]
        for position, opener, reason, statement, response, split, reasons in data.DISPUTES:
            milestone = contract.milestones.get(position=position)
            if Dispute.objects.filter(milestone=milestone).exists():
                continue
            if milestone.status == Milestone.Status.FUNDED and opener == "provider":
                self.deliver(contract, owner, [position])
            provider_side, poster_side = self._actor_for(owner), self.users[poster]
            by, other = (
                (provider_side, poster_side)
                if opener == "provider"
                else (poster_side, provider_side)
            )
            dispute = dispute_services.dispute_open(
                actor=by, milestone=milestone, reason=reason, statement=statement
            )
            dispute = dispute_services.dispute_respond(
                actor=other, dispute=dispute, response=response
            )
            dispute_services.dispute_evidence_add(
                actor=other, dispute=dispute, file=_report_pdf(), note=response[:80]
            )
            if split is not None:
                refund, release = split
                dispute_services.dispute_decide(
                    actor=mediator, dispute=dispute, refund=refund, release=release, reasons=reasons
                )
                dispute.refresh_from_db()
                if dispute.appeal_due_at is not None:
                    # The demo lets the appeal window pass: the beat's own service executes it.
                    dispute_services.dispute_advance(
                        dispute_id=dispute.pk, now=dispute.appeal_due_at
                    )
            self.log(f"dispute on {milestone}")

    def saved_searches(self) -> None:
        """A provider's saved search with alerts (found by name, so seeding twice adds none)."""
        from search import services as search_services
        from search.query import TaskQuery

        user = User.objects.get(email="li.ming@provider.demo")
        if not any(
            s.name == "机器视觉" for s in search_services.saved_searches_for_user(user=user)
        ):
            search_services.saved_search_create(
                user=user, name="机器视觉", query=TaskQuery(text="机器视觉 machine vision")
            )


def _report_pdf() -> SimpleUploadedFile:
    """A one-page PDF standing in for a case's report."""
    body = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )
    return SimpleUploadedFile("case-report.pdf", body, content_type="application/pdf")


def seed(log: Callable[[str], None] = lambda _msg: None) -> dict[str, Any]:
    seeder = DemoSeeder(log)
    seeder.run()
    return {"password": data.DEMO_PASSWORD, "people": data.PEOPLE}

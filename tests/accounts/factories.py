"""factory-boy factories for accounts' models, used across the test suite.

user = UserFactory()                          # active, email verified, password DEFAULT_PASSWORD
staff = UserFactory(staff=True, perms=["accounts.change_verificationrequest"])
org = OrganizationFactory(owner=user)          # enterprise, `user` is its owner
firm = OrganizationFactory(kind=Organization.Kind.MICROFIRM, owner=user, verified=True)
make_org_member(other, org, Membership.Role.ADMIN)
profile = ProviderProfileFactory(user=user)    # an individual's profile
firm_profile = ProviderProfileFactory(firm=True)  # a verified micro-firm's profile, with owner
ProviderProfileFactory(skills={"machine-vision": 4})  # skills by slug (created if missing)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts import crypto
from accounts.models import (
    Invitation,
    Membership,
    Notification,
    Organization,
    ProviderProfile,
    ProviderSkill,
    Skill,
    SkillCategory,
    User,
    VerificationRequest,
)
from accounts.validators import (
    id_check_character,
    mask_id_number,
    uscc_check_character,
)

DEFAULT_PASSWORD = "correct-horse-battery-staple"


def make_credit_code(n: int, *, region: str = "500103") -> str:
    """A valid 统一社会信用代码: 91 (enterprise), a region, a serial and its check character."""
    first17 = f"91{region}{n % 10**9:09d}"
    return first17 + uscc_check_character(first17)


def make_id_number(n: int, *, region: str = "500103", birth: str = "19900101") -> str:
    """A valid resident ID number with its ISO 7064 check character."""
    first17 = f"{region}{birth}{n % 1000:03d}"
    return first17 + id_check_character(first17)


def grant(user: User, *perms: str) -> User:
    """Give the user model permissions by "app_label.codename" and drop the perm cache."""
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    return user


class UserFactory(DjangoModelFactory):
    """A user who can sign in: password DEFAULT_PASSWORD, a verified primary email."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        staff = factory.Trait(is_staff=True)
        suspended = factory.Trait(
            suspended_at=factory.LazyFunction(timezone.now), suspension_reason="Spam"
        )
        real_name_verified = factory.Trait(
            real_name_verified_at=factory.LazyFunction(timezone.now),
            verified_real_name=factory.Sequence(lambda n: f"张{n}"),
        )

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    language = "zh-hans"

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        password = kwargs.pop("password", DEFAULT_PASSWORD)
        return model_class.objects.create_user(*args, password=password, **kwargs)

    @factory.post_generation
    def email_verified(obj: User, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        """`UserFactory(email_verified=False)` leaves the address unconfirmed."""
        if create:
            EmailAddress.objects.create(
                user=obj, email=obj.email, primary=True, verified=extracted is not False
            )

    @factory.post_generation
    def perms(obj: User, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        if create and extracted:
            grant(obj, *extracted)


class OrganizationFactory(DjangoModelFactory):
    """`OrganizationFactory(owner=user)` makes `user` its owner; `verified=True` verifies it."""

    class Meta:
        model = Organization
        skip_postgeneration_save = True

    class Params:
        verified = factory.Trait(
            verified_at=factory.LazyFunction(timezone.now),
            credit_code=factory.Sequence(lambda n: make_credit_code(n)),
        )

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"organization-{n}")
    kind = Organization.Kind.ENTERPRISE
    region = "500103"

    @factory.post_generation
    def owner(obj: Organization, create: bool, extracted: User | None, **kwargs: Any) -> None:
        if create and extracted is not None:
            Membership.objects.create(user=extracted, organization=obj, role=Membership.Role.OWNER)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.MEMBER


def make_org_member(
    user: User, organization: Organization, role: str = Membership.Role.MEMBER
) -> Membership:
    """Add `user` to `organization` with `role` (or change the role they have)."""
    membership, _ = Membership.objects.update_or_create(
        user=user, organization=organization, defaults={"role": role}
    )
    return membership


class SkillCategoryFactory(DjangoModelFactory):
    class Meta:
        model = SkillCategory
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"test-category-{n}")
    name_zh = factory.Sequence(lambda n: f"测试类别{n}")
    name_en = factory.Sequence(lambda n: f"Test category {n}")


class SkillFactory(DjangoModelFactory):
    """Gets the taxonomy's skill by slug when it exists (the migration loads them)."""

    class Meta:
        model = Skill
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"test-skill-{n}")
    category = factory.SubFactory(SkillCategoryFactory)
    name_zh = factory.Sequence(lambda n: f"测试技能{n}")
    name_en = factory.Sequence(lambda n: f"Test skill {n}")


class ProviderProfileFactory(DjangoModelFactory):
    """An individual's profile; `firm=True` makes a verified micro-firm's (with an owner).

    `skills={"slug": level, ...}` or `skills={skill_obj: level}` sets its skills.
    """

    class Meta:
        model = ProviderProfile
        skip_postgeneration_save = True

    class Params:
        firm = factory.Trait(
            user=None,
            organization=factory.SubFactory(
                OrganizationFactory,
                kind=Organization.Kind.MICROFIRM,
                verified=True,
                owner=factory.SubFactory(UserFactory),
            ),
        )

    user = factory.SubFactory(UserFactory)
    organization = None
    headline = factory.Sequence(lambda n: f"Provider {n}: machine vision and embedded systems")
    bio = "Ten years of industrial automation in Chongqing."
    day_rate = 150_000
    region = "500103"
    years_experience = 5

    @factory.post_generation
    def skills(
        obj: ProviderProfile, create: bool, extracted: dict[Any, int] | None, **kwargs: Any
    ) -> None:
        if not (create and extracted):
            return
        for key, level in extracted.items():
            skill = key if isinstance(key, Skill) else SkillFactory(slug=key)
            ProviderSkill.objects.update_or_create(
                profile=obj, skill=skill, defaults={"level": level}
            )


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Membership.Role.MEMBER
    token = factory.Sequence(lambda n: f"test-invitation-token-{n:06d}")
    invited_by = None
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))


class PersonVerificationRequestFactory(DjangoModelFactory):
    """A pending person request, its ID number encrypted, masked and digested like the service."""

    class Meta:
        model = VerificationRequest
        exclude = ("id_number",)

    subject = VerificationRequest.Subject.PERSON
    submitted_by = factory.SubFactory(UserFactory)
    legal_name = factory.Sequence(lambda n: f"李{n}")
    id_number = factory.Sequence(lambda n: make_id_number(n))
    id_number_encrypted = factory.LazyAttribute(lambda o: crypto.encrypt(o.id_number))
    id_number_masked = factory.LazyAttribute(lambda o: mask_id_number(o.id_number))
    id_number_digest = factory.LazyAttribute(lambda o: crypto.digest(o.id_number))


class OrganizationVerificationRequestFactory(DjangoModelFactory):
    """A pending organization request; its submitter is made an owner of the organization."""

    class Meta:
        model = VerificationRequest
        skip_postgeneration_save = True

    subject = VerificationRequest.Subject.ORGANIZATION
    submitted_by = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    legal_name = factory.Sequence(lambda n: f"重庆测试科技有限公司{n}")
    credit_code = factory.Sequence(lambda n: make_credit_code(10_000 + n))

    @factory.post_generation
    def submitter_is_owner(
        obj: VerificationRequest, create: bool, extracted: Any, **kwargs: Any
    ) -> None:
        if create and obj.organization is not None:
            Membership.objects.get_or_create(
                user=obj.submitted_by,
                organization=obj.organization,
                defaults={"role": Membership.Role.OWNER},
            )


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "test.event"
    title = factory.Sequence(lambda n: f"Notification {n}")
    body = ""


def png_upload(name: str = "scan.png", colour: tuple[int, int, int] = (200, 40, 40)) -> Any:
    """A small real PNG, as an upload (verification evidence is checked by its content)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def id_documents() -> dict[str, Any]:
    """Both sides of an ID document, for verification_submit_person."""
    return {"id_front": png_upload("front.png"), "id_back": png_upload("back.png", (40, 40, 200))}


def licence_documents() -> dict[str, Any]:
    """A business licence, for verification_submit_organization."""
    return {"licence": png_upload("licence.png", (250, 240, 220))}

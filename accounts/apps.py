from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_skills(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Load the taxonomy when its table is empty: after a fresh migrate the data migration has
    done it, but a flush (tests' transactional cleanup, `manage.py flush`) empties it again."""
    from accounts.models import Skill, SkillCategory
    from accounts.skills import load_skills

    if not Skill.objects.using(using).exists():
        load_skills(SkillCategory.objects.db_manager(using).model, Skill)
        from accounts.selectors import skills_changed

        skills_changed()


MODERATOR_GROUP = "moderator"
# What the moderator group holds from accounts (DESIGN §1: the moderator also verifies real
# names and keeps the red/black list); tasks/apps.py adds the moderation and report permissions
# to the same group.
MODERATOR_PERMISSIONS = (
    "view_verificationrequest",
    "change_verificationrequest",
    "view_verificationevidence",
    "view_evidenceview",
    "view_creditlistentry",
    "add_creditlistentry",
    "change_creditlistentry",
    "view_creditlistappeal",
    "change_creditlistappeal",
    "view_user",
    "view_organization",
    "view_providerprofile",
    "hide_providerprofile",
)


def moderator_group_ensure(sender: Any = None, **kwargs: Any) -> None:
    """The "moderator" group with accounts' verification and credit-list permissions;
    idempotent (runs after migrate, whichever app creates the group first)."""
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name=MODERATOR_GROUP)
    perms = Permission.objects.filter(
        content_type__app_label="accounts", codename__in=MODERATOR_PERMISSIONS
    )
    group.permissions.add(*perms)


def _forgive_signin_failures(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A password reset proves control of the address; allauth forgave its own counter here."""
    from accounts.services.signin import signin_failures_clear

    signin_failures_clear(email=user.email)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organizations")

    def ready(self) -> None:
        from allauth.account.signals import password_reset
        from django.db.models.signals import post_delete, post_save

        from accounts import (
            backoffice,  # noqa: F401  (registers the dashboard's cards)
            notifications,  # noqa: F401  (declares accounts' notification kinds)
        )
        from accounts.access import access_changed
        from accounts.models import Membership, ProviderProfile, Skill, SkillCategory
        from accounts.selectors import skills_changed

        signals = {"save": post_save, "delete": post_delete}
        watched: list[tuple[Any, Any, str]] = [
            (Membership, access_changed, "access"),
            (ProviderProfile, access_changed, "access"),
            (Skill, skills_changed, "skills"),
            (SkillCategory, skills_changed, "skills"),
        ]
        for model, receiver, topic in watched:
            for name, signal in signals.items():
                uid = f"accounts.{topic}.{model.__name__}.{name}"
                signal.connect(receiver, sender=model, dispatch_uid=uid)
        post_migrate.connect(_ensure_skills, sender=self, dispatch_uid="accounts.ensure_skills")
        post_migrate.connect(
            moderator_group_ensure, sender=self, dispatch_uid="accounts.moderator_group"
        )
        password_reset.connect(_forgive_signin_failures, dispatch_uid="accounts.signin_forgive")

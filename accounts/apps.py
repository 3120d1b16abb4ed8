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


def _forgive_signin_failures(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A password reset proves control of the address; allauth forgave its own counter here."""
    from accounts.services.signin import signin_failures_clear

    signin_failures_clear(email=user.email)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organizations")

    def ready(self) -> None:
        from allauth.account.signals import password_reset

        from accounts import backoffice  # noqa: F401  (registers the verification dashboard card)

        post_migrate.connect(_ensure_skills, sender=self, dispatch_uid="accounts.ensure_skills")
        password_reset.connect(_forgive_signin_failures, dispatch_uid="accounts.signin_forgive")

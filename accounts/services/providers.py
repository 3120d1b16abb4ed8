"""Provider profiles (服务商) and their skills."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import events
from accounts.models import Organization, ProviderProfile, ProviderSkill, Skill
from accounts.selectors import user_can_act_for_provider
from accounts.services._common import (
    clean_choice,
    clean_int,
    clean_region,
    clean_text,
    integrity_as,
    lock_organization,
    require_manager,
)
from marketplace.audit import audit_record
from marketplace.errors import Conflict, FieldErrors, NotAllowed, ValidationFailed
from marketplace.money import CURRENCY_CHOICES, DEFAULT_CURRENCY
from marketplace.permissions import require_active_user

MAX_SKILLS = 30
# 100 million a day (¥100 million for CNY), in minor units: anything above is a typo.
MAX_DAY_RATE = 100_000_000_00


def provider_profile_save(
    *,
    actor: Any,
    organization: Organization | None = None,
    headline: str,
    bio: str = "",
    day_rate: int | None = None,
    currency: str = DEFAULT_CURRENCY,
    region: str = "",
    availability: str = ProviderProfile.Availability.AVAILABLE,
    years_experience: int = 0,
) -> ProviderProfile:
    """Upsert the one profile of a person, or of a micro-firm (by its owners and admins)."""
    require_active_user(actor)
    errors = FieldErrors()
    values = {
        "headline": clean_text(errors, "headline", headline, max_length=120, required=True),
        "bio": clean_text(errors, "bio", bio, max_length=8000),
        "day_rate": clean_int(
            errors, "day_rate", day_rate, minimum=0, maximum=MAX_DAY_RATE, allow_none=True
        ),
        "currency": clean_choice(errors, "currency", currency, CURRENCY_CHOICES),
        "region": clean_region(errors, "region", region),
        "availability": clean_choice(
            errors, "availability", availability, ProviderProfile.Availability.choices
        ),
        "years_experience": clean_int(
            errors, "years_experience", years_experience, minimum=0, maximum=70
        ),
    }
    if organization is not None and organization.kind != Organization.Kind.MICROFIRM:
        errors.add(
            "organization",
            _("Only a micro-firm can have a provider profile; %(org)s is not one.")
            % {"org": organization.name},
        )
    errors.raise_if_any()

    with transaction.atomic():
        if organization is None:
            owner: dict[str, Any] = {"user_id": actor.pk}
        else:
            organization = lock_organization(organization)
            require_manager(actor=actor, organization=organization)
            owner = {"organization_id": organization.pk}
        profile = ProviderProfile.objects.select_for_update().filter(**owner).first()
        created = profile is None
        if profile is None:
            with integrity_as(
                lambda: Conflict(_("This profile was just created elsewhere; please try again."))
            ):
                profile = ProviderProfile.objects.create(**owner, **values)
            changed = values
        else:
            changed = {k: v for k, v in values.items() if getattr(profile, k) != v}
            for field, value in changed.items():
                setattr(profile, field, value)
            profile.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            action="provider_profile.created" if created else "provider_profile.updated",
            target=profile,
            data={"changed": sorted(changed)},
        )
        events.provider_changed(profile, fields=changed)
    return profile


def provider_skills_set(
    *, actor: Any, profile: ProviderProfile, skills: Mapping[int, int]
) -> ProviderProfile:
    """Replace the profile's skills with at most 30 known skills, each at level 1 to 4."""
    require_active_user(actor)
    errors = FieldErrors()
    if not isinstance(skills, Mapping):
        raise ValidationFailed(
            _("Some fields are not valid."),
            fields={"skills": [_("Give a mapping of skill id to level.")]},
        )
    wanted: dict[int, int] = {}
    for raw_id, raw_level in skills.items():
        try:
            skill_id = int(raw_id)
        except (TypeError, ValueError):
            errors.add("skills", _("%(id)r is not a skill id.") % {"id": raw_id})
            continue
        if isinstance(raw_level, bool) or raw_level not in ProviderSkill.Level.values:
            errors.add(
                "skills",
                _("Skill %(id)s: the level must be 1, 2, 3 or 4.") % {"id": skill_id},
            )
            continue
        wanted[skill_id] = int(raw_level)
    if len(skills) > MAX_SKILLS:
        errors.add(
            "skills",
            _("Choose at most %(max)d skills (you chose %(n)d).")
            % {"max": MAX_SKILLS, "n": len(skills)},
        )
    known = set(Skill.objects.filter(pk__in=list(wanted)).values_list("pk", flat=True))
    unknown = sorted(set(wanted) - known)
    if unknown:
        errors.add(
            "skills",
            _("Unknown skills: %(ids)s.") % {"ids": ", ".join(str(i) for i in unknown)},
        )
    errors.raise_if_any()

    with transaction.atomic():
        profile = ProviderProfile.objects.select_for_update().get(pk=profile.pk)
        if not user_can_act_for_provider(user=actor, profile=profile):
            raise NotAllowed(_("You cannot change this provider's skills."))
        current = {ps.skill_id: ps for ps in ProviderSkill.objects.filter(profile=profile)}
        ProviderSkill.objects.filter(profile=profile).exclude(skill_id__in=list(wanted)).delete()
        to_update = []
        for skill_id, level in wanted.items():
            existing = current.get(skill_id)
            if existing is not None and existing.level != level:
                existing.level = level
                to_update.append(existing)
        if to_update:
            ProviderSkill.objects.bulk_update(to_update, ["level"])
        ProviderSkill.objects.bulk_create(
            [
                ProviderSkill(profile=profile, skill_id=skill_id, level=level)
                for skill_id, level in wanted.items()
                if skill_id not in current
            ]
        )
        profile.updated_at = timezone.now()
        profile.save(update_fields=["updated_at"])
        audit_record(
            actor=actor,
            action="provider_profile.skills_set",
            target=profile,
            data={
                "before": {str(k): v.level for k, v in current.items()},
                "after": {str(k): v for k, v in wanted.items()},
            },
        )
        events.provider_changed(profile, fields=("skills",))
    return profile

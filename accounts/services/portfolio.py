"""Portfolio entries (案例) of provider profiles, and their images and files.

The provider's profile row is the mutex for its entries: every change locks it first, so two
tabs reordering or adding files at once serialise. Stored files are deleted only after the
removal commits, so a rolled-back removal keeps both the row and its file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import events
from accounts.models import PortfolioEntry, PortfolioFile, ProviderProfile, Skill
from accounts.selectors import user_can_act_for_provider
from accounts.services._common import clean_int, clean_text
from marketplace.audit import audit_record
from marketplace.errors import FieldErrors, NotAllowed, ValidationFailed
from marketplace.files import check_upload
from marketplace.images import IMAGE_KINDS, check_image
from marketplace.permissions import require_active_user

MAX_ENTRIES = 30
MAX_FILES_PER_ENTRY = 8
MAX_ENTRY_SKILLS = 10
YEAR_MIN = 1950


def _clean_entry(
    *, title: Any, description: Any, year: Any, client: Any, skill_ids: Any
) -> tuple[dict[str, Any], list[int]]:
    errors = FieldErrors()
    values = {
        "title": clean_text(errors, "title", title, max_length=120, required=True),
        "description": clean_text(errors, "description", description, max_length=4000),
        "year": clean_int(
            errors, "year", year, minimum=YEAR_MIN, maximum=timezone.now().year, allow_none=True
        ),
        "client": clean_text(errors, "client", client, max_length=120),
    }
    skills: list[int] = []
    if skill_ids is None:
        skill_ids = []
    if not isinstance(skill_ids, (list, tuple, set)) or any(
        isinstance(i, bool) or not isinstance(i, int) for i in skill_ids
    ):
        errors.add("skills", _("Give a list of skill ids."))
    else:
        skills = sorted(set(skill_ids))
        if len(skills) > MAX_ENTRY_SKILLS:
            errors.add("skills", _("Choose at most %(n)d skills.") % {"n": MAX_ENTRY_SKILLS})
        known = set(Skill.objects.filter(pk__in=skills).values_list("pk", flat=True))
        unknown = [i for i in skills if i not in known]
        if unknown:
            errors.add(
                "skills",
                _("Unknown skills: %(ids)s.") % {"ids": ", ".join(str(i) for i in unknown)},
            )
    errors.raise_if_any()
    return values, skills


def _lock_profile(*, actor: Any, profile_id: int) -> ProviderProfile:
    profile = ProviderProfile.objects.select_for_update().get(pk=profile_id)
    if not user_can_act_for_provider(user=actor, profile=profile):
        raise NotAllowed(_("You cannot change this provider's portfolio."))
    return profile


def _touched(profile: ProviderProfile) -> None:
    profile.updated_at = timezone.now()
    profile.save(update_fields=["updated_at"])
    events.provider_changed(profile, fields=("portfolio",))


def portfolio_entry_create(
    *,
    actor: Any,
    profile: ProviderProfile,
    title: str,
    description: str = "",
    year: int | None = None,
    client: str = "",
    skill_ids: Sequence[int] = (),
) -> PortfolioEntry:
    """Add an entry at the end of the provider's portfolio (at most 30 entries)."""
    require_active_user(actor)
    values, skills = _clean_entry(
        title=title, description=description, year=year, client=client, skill_ids=skill_ids
    )
    with transaction.atomic():
        profile = _lock_profile(actor=actor, profile_id=profile.pk)
        existing = list(
            PortfolioEntry.objects.filter(profile=profile).values_list("position", flat=True)
        )
        if len(existing) >= MAX_ENTRIES:
            raise ValidationFailed(
                _("A portfolio can have at most %(n)d entries.") % {"n": MAX_ENTRIES}
            )
        entry = PortfolioEntry.objects.create(
            profile=profile, position=max(existing, default=-1) + 1, **values
        )
        entry.skills.set(skills)
        audit_record(
            actor=actor,
            action="portfolio.entry_create",
            target=profile,
            data={"entry": entry.pk, "title": entry.title},
        )
        _touched(profile)
    return entry


def portfolio_entry_update(
    *,
    actor: Any,
    entry: PortfolioEntry,
    title: str,
    description: str = "",
    year: int | None = None,
    client: str = "",
    skill_ids: Sequence[int] = (),
) -> PortfolioEntry:
    """Replace an entry's text, year, client and skills."""
    require_active_user(actor)
    values, skills = _clean_entry(
        title=title, description=description, year=year, client=client, skill_ids=skill_ids
    )
    with transaction.atomic():
        profile = _lock_profile(actor=actor, profile_id=entry.profile_id)
        entry = PortfolioEntry.objects.select_for_update().get(pk=entry.pk)
        changed = sorted(k for k, v in values.items() if getattr(entry, k) != v)
        for field, value in values.items():
            setattr(entry, field, value)
        entry.save()
        entry.skills.set(skills)
        audit_record(
            actor=actor,
            action="portfolio.entry_update",
            target=profile,
            data={"entry": entry.pk, "changed": changed},
        )
        _touched(profile)
    return entry


def _delete_stored(files: Iterable[Any]) -> None:
    for stored in files:
        if stored:
            transaction.on_commit(partial(stored.storage.delete, stored.name))


def portfolio_entry_delete(*, actor: Any, entry: PortfolioEntry) -> None:
    """Remove an entry with its files."""
    require_active_user(actor)
    with transaction.atomic():
        profile = _lock_profile(actor=actor, profile_id=entry.profile_id)
        entry = PortfolioEntry.objects.select_for_update().get(pk=entry.pk)
        stored = [f for pf in entry.files.all() for f in (pf.file, pf.thumbnail)]
        audit_record(
            actor=actor,
            action="portfolio.entry_delete",
            target=profile,
            data={"entry": entry.pk, "title": entry.title},
        )
        entry.delete()
        _delete_stored(stored)
        _touched(profile)


def portfolio_order_set(
    *, actor: Any, profile: ProviderProfile, entry_ids: Sequence[int]
) -> list[PortfolioEntry]:
    """Put the provider's entries in the given order; the list must name each entry once."""
    require_active_user(actor)
    with transaction.atomic():
        profile = _lock_profile(actor=actor, profile_id=profile.pk)
        entries = {e.pk: e for e in PortfolioEntry.objects.filter(profile=profile)}
        wanted = list(entry_ids)
        if len(wanted) != len(set(wanted)) or set(wanted) != set(entries):
            raise ValidationFailed(
                _("List every entry of this portfolio exactly once."),
                fields={"entries": [_("List every entry of this portfolio exactly once.")]},
            )
        for position, entry_id in enumerate(wanted):
            entries[entry_id].position = position
        PortfolioEntry.objects.bulk_update(list(entries.values()), ["position"])
        audit_record(
            actor=actor, action="portfolio.order_set", target=profile, data={"order": wanted}
        )
        _touched(profile)
    return [entries[i] for i in wanted]


def portfolio_entry_move(*, actor: Any, entry: PortfolioEntry, offset: int) -> None:
    """Move an entry up (-1) or down (+1) one place; at either end nothing changes."""
    if offset not in (-1, 1):
        raise ValidationFailed(_("Move an entry one place up or down."))
    with transaction.atomic():
        profile = _lock_profile(actor=actor, profile_id=entry.profile_id)
        order = list(PortfolioEntry.objects.filter(profile=profile).values_list("pk", flat=True))
        index = order.index(entry.pk)
        target = index + offset
        if 0 <= target < len(order):
            order[index], order[target] = order[target], order[index]
            portfolio_order_set(actor=actor, profile=profile, entry_ids=order)


def portfolio_file_add(*, actor: Any, entry: PortfolioEntry, upload: UploadedFile) -> PortfolioFile:
    """Attach an image (re-encoded by Pillow, with a thumbnail) or a document checked by its
    content (at most 8 per entry)."""
    require_active_user(actor)
    limits = settings.MARKETPLACE
    checked = check_upload(upload, max_bytes=limits["PORTFOLIO_FILE_MAX_BYTES"])
    image = None
    if checked.content_type in {kind.content_type for kind in IMAGE_KINDS}:
        image = check_image(upload, max_bytes=limits["IMAGE_MAX_BYTES"])
    with transaction.atomic():
        profile = _lock_profile(actor=actor, profile_id=entry.profile_id)
        entry = PortfolioEntry.objects.select_for_update().get(pk=entry.pk)
        positions = list(entry.files.values_list("position", flat=True))
        if len(positions) >= MAX_FILES_PER_ENTRY:
            raise ValidationFailed(
                _("An entry can have at most %(n)d files.") % {"n": MAX_FILES_PER_ENTRY}
            )
        item = PortfolioFile(
            entry=entry,
            original_name=checked.name,
            position=max(positions, default=-1) + 1,
            uploaded_by=actor,
        )
        if image is not None:
            item.content_type = image.image.content_type
            item.size = image.image.size
            item.sha256 = image.image.sha256
            item.width, item.height = image.image.width, image.image.height
            item.file.save(
                f"{image.image.sha256}.{image.image.extension}",
                ContentFile(image.image.data),
                save=False,
            )
            item.thumbnail.save(
                f"{image.thumbnail.sha256}.{image.thumbnail.extension}",
                ContentFile(image.thumbnail.data),
                save=False,
            )
        else:
            item.content_type = checked.content_type
            item.size = checked.size
            item.sha256 = checked.sha256
            item.file.save(checked.sha256, upload, save=False)
        item.save()
        audit_record(
            actor=actor,
            action="portfolio.file_add",
            target=profile,
            data={"entry": entry.pk, "name": item.original_name, "sha256": item.sha256},
        )
        _touched(profile)
    return item


def portfolio_file_remove(*, actor: Any, item: PortfolioFile) -> None:
    require_active_user(actor)
    with transaction.atomic():
        entry = PortfolioEntry.objects.get(pk=item.entry_id)
        profile = _lock_profile(actor=actor, profile_id=entry.profile_id)
        item = PortfolioFile.objects.select_for_update().get(pk=item.pk)
        audit_record(
            actor=actor,
            action="portfolio.file_remove",
            target=profile,
            data={"entry": entry.pk, "name": item.original_name, "sha256": item.sha256},
        )
        stored = [item.file, item.thumbnail]
        item.delete()
        _delete_stored(stored)
        _touched(profile)

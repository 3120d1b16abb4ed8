"""Loading the skills taxonomy from accounts.skills_data (used by a migration and a command)."""

from __future__ import annotations

from typing import Any

from accounts.skills_data import CATEGORIES, SKILLS


def load_skills(skill_category_model: Any, skill_model: Any) -> tuple[int, int]:
    """Create or update every category and skill by slug; returns (created, updated) skills.

    Takes the model classes so a migration can pass its historical models.
    """
    categories = {}
    for position, (slug, name_zh, name_en) in enumerate(CATEGORIES):
        categories[slug], _ = skill_category_model.objects.update_or_create(
            slug=slug, defaults={"name_zh": name_zh, "name_en": name_en, "position": position}
        )
    created = updated = 0
    for position, (slug, category, name_zh, name_en) in enumerate(SKILLS):
        _, was_created = skill_model.objects.update_or_create(
            slug=slug,
            defaults={
                "category": categories[category],
                "name_zh": name_zh,
                "name_en": name_en,
                "position": position,
            },
        )
        created += was_created
        updated += not was_created
    return created, updated

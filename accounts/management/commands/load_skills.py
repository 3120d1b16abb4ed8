from typing import Any

from django.core.management.base import BaseCommand

from accounts.models import Skill, SkillCategory
from accounts.skills import load_skills


class Command(BaseCommand):
    help = "Create or update the skills taxonomy from accounts/skills_data.py (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        created, updated = load_skills(SkillCategory, Skill)
        self.stdout.write(f"skills: {created} created, {updated} updated")

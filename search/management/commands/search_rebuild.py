"""Rebuild search indices from PostgreSQL (bulk) and swap their aliases with no downtime."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from search import indexing
from search.documents import KINDS


class Command(BaseCommand):
    help = "Rebuild the tasks and providers indices from PostgreSQL and swap their aliases."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kinds", nargs="*", help="tasks, providers (default: both)")
        parser.add_argument("--repair", action="store_true", help="repair drift instead")

    def handle(self, *args: Any, **options: Any) -> None:
        kinds = options["kinds"] or list(KINDS)
        unknown = sorted(set(kinds) - set(KINDS))
        if unknown:
            raise CommandError(
                f"unknown index {', '.join(unknown)}: choose from {', '.join(KINDS)}"
            )
        for kind in kinds:
            if options["repair"]:
                for drift in indexing.repair_drift(kind):
                    self.stdout.write(
                        f"{kind} ({drift.backend}): {drift.checked} checked, "
                        f"{drift.reindexed} re-indexed, {drift.deleted} deleted"
                    )
                continue
            report = indexing.rebuild(kind)
            self.stdout.write(
                f"{kind}: {report.documents} documents into {report.index} in "
                f"{report.seconds:.1f}s ({report.docs_per_second:.0f}/s), "
                f"{report.caught_up} caught up, removed {len(report.removed_indices)} old indices"
            )

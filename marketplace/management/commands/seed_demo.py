from typing import Any

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from marketplace.demo.data import (
    BLACK_LISTED_PROVIDER,
    DEMO_PASSWORD,
    FINANCE_STAFF,
    MEDIATOR_STAFF,
    MODERATOR_STAFF,
    PEOPLE,
)
from marketplace.demo.seed import seed


class Command(BaseCommand):
    help = "Load the demo world (organizations, providers, tasks, bids, contracts). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        # Demo notifications are stored in-app; their emails are not printed to the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            seed(
                log=lambda msg: (
                    self.stdout.write(f"  + {msg}") if options["verbosity"] > 1 else None
                )
            )
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in with any of:"))
        for email, name, _language, staff in PEOPLE:
            role = " (staff: back office at /admin/)" if staff else ""
            if email in FINANCE_STAFF:
                role = " (finance staff: /admin/ and /vouchers/programmes/)"
            if email in MODERATOR_STAFF:
                role = (
                    " (moderator at /admin/: verifications, the red/black list, a task to"
                    " review and a report waiting)"
                )
            if email in MEDIATOR_STAFF:
                role = " (mediator: disputes at /admin/disputes/dispute/)"
            if email == BLACK_LISTED_PROVIDER[0]:
                role = " (black-listed provider with an appeal waiting)"
            self.stdout.write(f"  {email:<32} {name}{role}")
        self.stdout.write(f"  password for all: {DEMO_PASSWORD}")

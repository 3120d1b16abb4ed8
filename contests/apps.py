from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContestsConfig(AppConfig):
    """Contest mode (悬赏 / 揭榜挂帅): a prize funded up front, registrations, sealed
    submissions, scorecards, publicity with objections, and the winners' prize contracts."""

    name = "contests"
    verbose_name = _("Contests")

    def ready(self) -> None:
        from contests import (  # noqa: F401  (they register notifications, cards, receivers)
            notifications,
            receivers,
        )

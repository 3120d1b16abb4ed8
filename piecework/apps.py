from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PieceworkConfig(AppConfig):
    """Piece-work mode (计件): units at a fixed price, claimed and delivered by many providers,
    each accepted unit paid from the task's escrow."""

    name = "piecework"
    verbose_name = _("Piece-work")

    def ready(self) -> None:
        from piecework import (  # noqa: F401  (they register notifications and receivers)
            notifications,
            receivers,
        )

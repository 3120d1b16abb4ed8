from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BidsConfig(AppConfig):
    name = "bids"
    verbose_name = _("Bids")

    def ready(self) -> None:
        from bids import receivers  # noqa: F401  (connects the task signal receivers)

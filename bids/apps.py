from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BidsConfig(AppConfig):
    name = "bids"
    verbose_name = _("Bids")

    def ready(self) -> None:
        from bids import notifications, receivers  # noqa: F401  (registers notifications and

        # connects the task signal receivers)
        from bids.reportables import register

        register()  # negotiation messages can be reported

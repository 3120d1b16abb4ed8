from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from contracts.signals import milestone_accepted
        from payments import notifications  # noqa: F401  (registers the payments notifications)
        from payments.receivers import on_milestone_accepted

        milestone_accepted.connect(on_milestone_accepted, dispatch_uid="payments.release")

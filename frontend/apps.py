from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontendConfig(AppConfig):
    name = "frontend"
    verbose_name = _("Web app")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from frontend.selectors import HOME_COUNTED, home_counts_changed

        for model in HOME_COUNTED:
            for name, signal in {"save": post_save, "delete": post_delete}.items():
                signal.connect(
                    home_counts_changed,
                    sender=model,
                    dispatch_uid=f"frontend.home_counts.{model.__name__}.{name}",
                )

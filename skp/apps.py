from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SkpConfig(AppConfig):
    name = "skp"
    verbose_name = _("Performance reporting")

    def ready(self):
        from . import audit, signals  # noqa: F401  (registers the audited models and the receivers)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TppConfig(AppConfig):
    name = "tpp"
    verbose_name = _("TPP basis")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Finalisation, RuleSet, ShareRule

        # Rule changes, finalisations and reopenings are human decisions: all in the trail.
        auditlog.register(RuleSet)
        auditlog.register(ShareRule)
        auditlog.register(Finalisation)

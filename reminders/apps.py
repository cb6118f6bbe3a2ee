from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Reminders and messages")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Message, ReminderRule, Unsubscription

        # Human decisions only: workers change messages with update(), which the trail does not see.
        auditlog.register(ReminderRule)
        auditlog.register(Unsubscription)
        auditlog.register(Message, include_fields=["status"])

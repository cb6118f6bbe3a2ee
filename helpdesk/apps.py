from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = _("Helpdesk")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Holiday, Ticket, TicketEntry

        # Every ticket action is a human act: in the audit trail (circular point 11).
        auditlog.register(Ticket, exclude_fields=["updated_at"])
        auditlog.register(TicketEntry)
        auditlog.register(Holiday)

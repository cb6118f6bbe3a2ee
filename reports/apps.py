from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports and documents")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import AnnualRecapUpload

        # Uploads and BKPSDM's verification or return are human acts.
        auditlog.register(AnnualRecapUpload, exclude_fields=["file"])

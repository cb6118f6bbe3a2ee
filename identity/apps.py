from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = _("Regency identity")

    def ready(self):
        from auditlog.registry import auditlog

        from kapuas_kinerja import vendor_admin

        from .models import Emblem

        # Who changed the regency's emblem, and when: it is printed on every recap.
        auditlog.register(Emblem)
        # The libraries' admin pages in Indonesian; here, as every admin module has loaded (axes' last).
        vendor_admin.install()

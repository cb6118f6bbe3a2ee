"""What the audit trail records: who changed what, when, before and after.

Syncs and imports write in bulk and are recorded as sync runs instead; the
audit trail is for the hands of people: deadline overrides, exemptions,
records edited by hand, master data and roles.
"""

from auditlog.registry import auditlog
from django.contrib.auth import get_user_model

from opd.models import Asn, Opd, Unit

from .models import AnnualSkp, Exemption, MonthlyRecord, Period, TeacherCycle

auditlog.register(Period, include_fields=["deadline_override", "override_reason"])
auditlog.register(Exemption)
auditlog.register(TeacherCycle, exclude_fields=["updated_at"])
auditlog.register(MonthlyRecord, exclude_fields=["updated_at", "predikat_computed"])
auditlog.register(AnnualSkp)
auditlog.register(Asn, exclude_fields=["updated_at", "is_guru"])
auditlog.register(Opd, exclude_fields=["data_version"])
auditlog.register(Unit)
auditlog.register(
    get_user_model(),
    include_fields=["username", "role", "opd", "asn", "is_active", "is_staff", "is_superuser"],
)

"""Hand-made changes give the dashboards a new data version (opd.services.opd_data_changed).

The admin panel, the SIASN unit tree and the tests save rows one at a time.
Rare enough to renew every OPD's version (once per transaction): a changed
name or deadline shows on other OPD's pages too (an appraiser's name, a
regency-wide period). Syncs, imports and the demo seed, which also create
rows one at a time, renew once at their end (`data_changes_batched`).
"""

from django.db.models.signals import post_delete, post_save

from opd.models import Asn, Opd, Unit
from opd.services import opd_data_changed

from .models import Exemption, MonthlyRecord, Period

SHOWN = (Asn, Opd, Unit, MonthlyRecord, Exemption, Period)


def shown_data_changed(sender, **kwargs):
    if not kwargs.get("raw"):
        opd_data_changed()


# Connected to these models only: a model with delete receivers loses Django's fast bulk delete.
for model in SHOWN:
    post_save.connect(shown_data_changed, sender=model, dispatch_uid=f"data-version-save-{model._meta.label}")
    post_delete.connect(shown_data_changed, sender=model, dispatch_uid=f"data-version-delete-{model._meta.label}")

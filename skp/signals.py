"""Which writes renew what the dashboards show: the one place that declares it.

A dashboard part is cached under its OPD's data version (skp/pagecache.py) and
the rollup holds the regency's counts (skp/rollup.py). They are renewed by:

- a single save or delete of a shown model (below, by signal): every OPD's
  version, since a changed name or deadline shows on other OPD's pages too (an
  appraiser's name, a regency-wide period). The admin panel and hand edits
  save this way; the admin's hand edits and deletions of ASN also refresh the
  rollup, through opd's signals (opd/signals.py, connected below: opd sits
  below skp and never imports it).
- `skp.rollup.refresh_rollup`, the rollup's one door: the rollup rows of the
  periods and OPD it is given, and those OPD's versions. Every write that can
  change a status calls it: syncs, imports, the demo seed, the admin.
- the writers that bypass both (bulk upserts of names and addresses, nudges,
  refused addresses): `opd.services.opd_data_changed` for what they touched.
- syncs, imports and the demo seed run inside `data_changes_batched`, so the
  rows they save one by one renew the versions once, at their end.
"""

from django.db.models.signals import post_delete, post_save

from opd.models import Asn, Opd, Unit
from opd.services import opd_data_changed
from opd.signals import asn_edited_by_hand, asns_deleting_by_hand

from .models import Exemption, MonthlyRecord, Period, TeacherCycle
from .rollup import refresh_for_asn, refresh_rollup

SHOWN = (Asn, Opd, Unit, MonthlyRecord, Exemption, Period, TeacherCycle)


def shown_data_changed(sender, **kwargs):
    if not kwargs.get("raw"):
        opd_data_changed()


# Connected to these models only: a model with delete receivers loses Django's fast bulk delete.
for model in SHOWN:
    post_save.connect(shown_data_changed, sender=model, dispatch_uid=f"data-version-save-{model._meta.label}")
    post_delete.connect(shown_data_changed, sender=model, dispatch_uid=f"data-version-delete-{model._meta.label}")


def refresh_after_hand_edit(sender, asn_id, previous_opd_id, **kwargs):
    refresh_for_asn({asn_id}, extra_opd_ids={previous_opd_id} if previous_opd_id else ())


def refresh_after_hand_delete(sender, queryset, **kwargs):
    """The OPD the ASN and their records count in, read while they exist; refreshed once they are gone."""
    opd_ids = set(queryset.values_list("opd_id", flat=True))
    opd_ids |= set(MonthlyRecord.objects.filter(asn__in=queryset).values_list("opd_id", flat=True))
    return lambda: refresh_rollup(opd_ids=opd_ids)


asn_edited_by_hand.connect(refresh_after_hand_edit, dispatch_uid="rollup-asn-hand-edit")
asns_deleting_by_hand.connect(refresh_after_hand_delete, dispatch_uid="rollup-asn-hand-delete")

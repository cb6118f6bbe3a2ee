"""Writes: finalising an OPD's TPP basis for a period, and reopening it."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opd.models import Opd
from skp.models import Period

from .models import BasisRow, Finalisation
from .selectors import live_basis


class TppError(Exception):
    """A finalisation or reopening that cannot be done, with a message for BKPSDM."""


def finalise_basis(*, period: Period, opd: Opd, by, as_of: dt.datetime | None = None) -> Finalisation:
    """Freeze the basis as it stands now: its rows are copied, so later syncs and rule changes leave it alone."""
    as_of = as_of or timezone.now()
    if not period.pk:
        raise TppError(_("There is no data for this period yet."))
    basis = live_basis(period=period, opd=opd, as_of=as_of)
    if basis.ruleset is None:
        raise TppError(_("No TPP rule table is in force for this period: add one in the admin panel first."))
    try:
        with transaction.atomic():
            last = Finalisation.objects.filter(period=period, opd=opd).aggregate(v=Max("version"))["v"] or 0
            finalisation = Finalisation.objects.create(
                period=period, opd=opd, version=last + 1, ruleset=basis.ruleset, as_of=as_of, finalised_by=by
            )
            BasisRow.objects.bulk_create(
                [
                    BasisRow(
                        finalisation=finalisation,
                        asn_id=line.asn_id,
                        nip=line.nip,
                        nama=line.nama,
                        unit=line.unit,
                        is_guru=line.is_guru,
                        status=line.status,
                        predikat=line.predikat,
                        rated_at=line.rated_at,
                        share=line.share,
                        reason=line.reason[:300],
                    )
                    for line in basis.lines
                ],
                batch_size=1000,
            )
    except IntegrityError:
        raise TppError(_("This TPP basis is already finalised; reopen it first to make a new version.")) from None
    return finalisation


def reopen_basis(*, finalisation: Finalisation, by, reason: str) -> Finalisation:
    """Take a finalised basis out of force, with a reason; the next finalisation is a new version."""
    reason = reason.strip()
    if not reason:
        raise TppError(_("Reopening needs a reason."))
    if finalisation.reopened_at is not None:
        raise TppError(_("This version was already reopened."))
    finalisation.reopened_at = timezone.now()
    finalisation.reopened_by = by
    finalisation.reopen_reason = reason
    finalisation.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
    return finalisation

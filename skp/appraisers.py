"""Reads: who waits for whose rating.

A record that is `submitted` and not yet rated waits for that month's
appraiser (record.atasan), before the deadline as after it. These selectors
rank an OPD's appraisers by how many of its staff wait for them, and list one
appraiser's own waiting staff; each costs a fixed number of queries.
"""

import datetime as dt

from django.db.models import Count, F, QuerySet

from opd.access import EVERYONE
from opd.models import Asn

from . import rules
from .models import Period
from .selectors import RowFilters, compliance_rows, with_names


def waiting_rows(*, period: Period, as_of: dt.datetime, opd_id: int | None = None) -> QuerySet:
    """Compliance rows (of one OPD, or all) that have filed and wait for the appraiser's rating."""
    rows = compliance_rows(period=period, as_of=as_of, scope=EVERYONE, filters=RowFilters(opd_id=opd_id), names=False)
    # A filed record is a stored one, so its appraiser is the record's: filtering on the record's
    # column (rather than month_atasan_id's CASE) lets PostgreSQL start from the appraiser's records.
    waiting = rows.filter(status__in=rules.UNRATED, stage_then=rules.SUBMITTED)
    return waiting.annotate(record_atasan_id=F("rec__atasan_id"))


def appraiser_ranking(*, period: Period, as_of: dt.datetime, opd_id: int, limit: int | None = None) -> dict:
    """An OPD's appraisers, most of its staff waiting for their rating first: two queries.

    Returns {"rows": [{"atasan_id", "nip", "nama", "opd_id", "opd_nama", "waiting"}],
    "appraisers": how many, "waiting": staff waiting in all, "unknown": staff
    waiting with no known appraiser}. An appraiser may sit in another OPD.
    """
    counts = list(
        waiting_rows(period=period, as_of=as_of, opd_id=opd_id)
        .order_by()
        .values("record_atasan_id")
        .annotate(waiting=Count("pk"))
    )
    unknown = sum(c["waiting"] for c in counts if c["record_atasan_id"] is None)
    known = {c["record_atasan_id"]: c["waiting"] for c in counts if c["record_atasan_id"] is not None}
    people = Asn.objects.filter(pk__in=known).values("pk", "nip", "nama", "opd_id", "opd__nama")
    ranked = sorted(
        (
            {
                "atasan_id": p["pk"],
                "nip": p["nip"],
                "nama": p["nama"],
                "opd_id": p["opd_id"],
                "opd_nama": p["opd__nama"],
                "other_opd": p["opd_id"] != opd_id,
                "waiting": known[p["pk"]],
            }
            for p in people
        ),
        key=lambda r: (-r["waiting"], r["nama"], r["nip"]),
    )
    return {
        "rows": ranked[:limit] if limit else ranked,
        "appraisers": len(ranked),
        "waiting": sum(known.values()) + unknown,
        "unknown": unknown,
    }


def own_pending_ratings(*, period: Period, as_of: dt.datetime, asn_id: int, limit: int = 50) -> dict:
    """The staff (of any OPD) who filed and wait for this appraiser's rating: {"rows", "total"}, two queries."""
    rows = waiting_rows(period=period, as_of=as_of).filter(record_atasan_id=asn_id)
    listed = list(
        with_names(rows, "opd", "unit")
        .order_by("nama", "nip")
        .values("nip", "nama", "jabatan", "status", "month_opd_nama", "month_unit_nama")[:limit]
    )
    return {"rows": listed, "total": rows.count()}

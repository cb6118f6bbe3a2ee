"""Thin views: read the scope, call selectors, render. HTMX requests get the list only."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from opd.access import get_asn_or_404, get_opd_or_404, scope_for
from opd.models import Asn, Opd, Unit

from . import rules
from .selectors import (
    RowFilters,
    asn_history,
    compliance_rows,
    compliance_summary,
    last_synced_at,
    period_for,
    recent_periods,
)

PAGE_SIZE = 50


def _chosen_period(request):
    """The period asked for in ?periode=, else the one being chased; plus an error to show."""
    today = timezone.localdate()
    text = request.GET.get("periode", "").strip()
    if text:
        try:
            return period_for(*rules.parse_period(text)), None
        except rules.RuleError:
            error = _("Period “%(period)s” is not valid; write it as YYYY-MM, e.g. 2025-03.") % {"period": text}
            return period_for(*rules.previous_period(today)), error
    return period_for(*rules.previous_period(today)), None


def _freshness(opd_id=None):
    synced = last_synced_at(opd_id=opd_id)
    stale = synced is None or (timezone.now() - synced).total_seconds() > settings.SYNC_STALE_AFTER_HOURS * 3600
    return {"synced_at": synced, "stale": stale}


def _period_choices():
    year, month = rules.previous_period(timezone.localdate())
    return recent_periods(year=year, month=month)


def _with_labels(summary):
    return [(status, rules.STATUS_LABELS[status], summary[status]) for status in rules.STATUSES]


@require_GET
@login_required
@vary_on_headers("HX-Request")
def opd_detail(request, kode):
    scope = scope_for(request.user)
    if not scope.opens_opd_pages:
        raise PermissionDenied
    opd = get_opd_or_404(scope, kode)
    period, period_error = _chosen_period(request)
    now = timezone.now()
    q = request.GET
    status = q.get("status") if q.get("status") in rules.STATUSES else None
    guru = {"1": True, "0": False}.get(q.get("guru", ""))
    kind = q.get("jenis") if q.get("jenis") in Asn.Kind.values else None
    unit_id = int(q["unit"]) if q.get("unit", "").isdigit() else None
    text = q.get("q", "").strip()[:50]

    rows = compliance_rows(
        period=period,
        as_of=now,
        scope=scope,
        filters=RowFilters(opd_id=opd.pk, unit_id=unit_id, status=status, is_guru=guru, kind=kind, text=text),
    ).order_by("status_order", "month_unit_nama", "nama")
    context = {
        "opd": opd,
        "period": period,
        "page": Paginator(rows, PAGE_SIZE).get_page(q.get("halaman")),
        "filters": {"status": status or "", "guru": q.get("guru", ""), "jenis": kind or "", "unit": unit_id, "q": text},
        "statuses": [(s, rules.STATUS_LABELS[s]) for s in rules.STATUSES],
    }
    if request.htmx and not request.htmx.history_restore_request:
        # Only the list changes: skip the counts and everything around it.
        return render(request, "skp/opd_detail.html#record-list", context)

    summary = compliance_summary(
        compliance_rows(period=period, as_of=now, scope=scope, filters=RowFilters(opd_id=opd.pk))
    )
    context.update(
        {
            "period_error": period_error,
            "periods": _period_choices(),
            "deadline_open": now <= period.deadline,
            "days_left": (timezone.localdate(period.deadline) - timezone.localdate()).days,
            "summary": _with_labels(summary),
            "on_time_rate": rules.on_time_rate(summary),
            "units": Unit.objects.filter(opd=opd).order_by("nama").only("pk", "nama"),
            "kinds": Asn.Kind.choices,
            **_freshness(opd.pk),
        }
    )
    template = "skp/opd_detail.html"
    return render(request, template, context, status=400 if period_error else 200)


@require_GET
@login_required
def asn_detail(request, nip):
    scope = scope_for(request.user)
    asn = get_asn_or_404(scope, nip)
    history = asn_history(asn=asn, periods=_period_choices(), as_of=timezone.now())
    context = {"asn": asn, "history": history, "status_labels": rules.STATUS_LABELS, **_freshness(asn.opd_id)}
    return render(request, "skp/asn_detail.html", context)


@require_GET
@login_required
def kabupaten(request):
    """Every OPD with its counts for the period being chased (the dashboard issue makes it rich)."""
    scope = scope_for(request.user)
    if not scope.opens_regency_pages:
        raise PermissionDenied
    period, period_error = _chosen_period(request)
    rows = compliance_rows(period=period, as_of=timezone.now(), scope=scope)
    counts: dict[int, dict[str, int]] = {}
    for item in rows.order_by().values("month_opd_id", "status").annotate(n=Count("pk")):
        counts.setdefault(item["month_opd_id"], dict.fromkeys(rules.STATUSES, 0))[item["status"]] = item["n"]
    opds = []
    for opd in Opd.objects.all():
        summary = counts.get(opd.pk, dict.fromkeys(rules.STATUSES, 0))
        opds.append(
            {"opd": opd, "summary": summary, "rate": rules.on_time_rate(summary), "total": sum(summary.values())}
        )
    opds.sort(key=lambda o: (-(o["rate"] if o["rate"] is not None else -1), o["opd"].nama))
    total = {s: sum(o["summary"][s] for o in opds) for s in rules.STATUSES}
    context = {
        "period": period,
        "period_error": period_error,
        "periods": _period_choices(),
        "opds": opds,
        "summary": _with_labels(total),
        "on_time_rate": rules.on_time_rate(total),
        "statuses": [(s, rules.STATUS_LABELS[s]) for s in rules.STATUSES],
        **_freshness(),
    }
    return render(request, "skp/kabupaten.html", context, status=400 if period_error else 200)
